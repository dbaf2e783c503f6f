package awssim

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/ec2"

	"github.com/ghostaudit/ghostaudit/scanners/estate"
)

// TestRateFaultIsATokenBucketPerAccountAndRegion: a bucket of 3 tokens
// refilling 1 per second answers the 4th and 5th immediate requests with
// RequestLimitExceeded, per region, and admits again once refilled.
func TestRateFaultIsATokenBucketPerAccountAndRegion(t *testing.T) {
	t.Parallel()
	in := "aws:\n  accounts:\n    - id: \"111111111111\"\n      faults: {rate: {ec2: 20}, burst: {ec2: 3}}\n" +
		"      regions:\n        - name: us-east-1\n          faults: {rate: {ec2: 1}}\n        - name: eu-west-1\n"
	e, err := estate.Parse("rate.yaml", []byte(in))
	if err != nil {
		t.Fatal(err)
	}
	est, ok, err := Load(e)
	if err != nil || !ok {
		t.Fatalf("Load: %v %v", ok, err)
	}
	srv := httptest.NewServer(New(est, Options{}))
	t.Cleanup(srv.Close)
	ctx := context.Background()
	use1, euw1 := ec2Client(srv, "us-east-1", nil), ec2Client(srv, "eu-west-1", nil)
	for i := range 5 {
		_, err := use1.DescribeVolumes(ctx, &ec2.DescribeVolumesInput{})
		if i < 3 && err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
		if i >= 3 {
			wantAPIError(t, err, "RequestLimitExceeded", 503)
		}
	}
	// eu-west-1 has its own bucket (account rate 20, burst 3).
	if _, err := euw1.DescribeAddresses(ctx, &ec2.DescribeAddressesInput{}); err != nil {
		t.Fatalf("eu-west-1: %v", err)
	}
	time.Sleep(1100 * time.Millisecond)
	if _, err := use1.DescribeVolumes(ctx, &ec2.DescribeVolumesInput{}); err != nil {
		t.Fatalf("after refill: %v", err)
	}
}

func TestRateFaultValidation(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"{rate: {ec3: 5}}":                  "aws.accounts[0].faults.rate",
		"{rate: {ec2: 0}}":                  "is not a positive number",
		"{rate: {ec2: 5}, burst: {ec2: 0}}": "aws.accounts[0].faults.burst",
	} {
		e, err := estate.Parse("rate.yaml", []byte("aws:\n  accounts:\n    - id: \"111111111111\"\n      faults: "+in+"\n"))
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := Load(e); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want %q", in, err, want)
		}
	}
}
