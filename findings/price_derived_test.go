package findings

import (
	"strings"
	"testing"

	"github.com/ghostaudit/ghostaudit/findings/pricing"
	"github.com/ghostaudit/ghostaudit/scanners"
)

// TestDerivedPriceIsSaidInTheEstimate: a snapshot row derived from another
// item (e.g. an NLB hour from the ALB hour of the region) is labelled in
// the estimate's lines; a read row is not.
func TestDerivedPriceIsSaidInTheEstimate(t *testing.T) {
	t.Parallel()
	snap, err := pricing.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	rc := &RuleContext{Catalog: snap, Settings: &Settings{Currency: "USD"}}
	lb := func(region string) *scanners.Resource {
		return &scanners.Resource{Provider: "aws", Region: region, Kind: kindAWSLoadBalancer,
			Attributes: map[string]string{"type": "network"}}
	}
	for _, c := range []struct {
		region  string
		derived bool
	}{{"us-east-2", true}, {"eu-west-1", false}} {
		b := newBill(rc, "aws", c.region)
		costers[kindAWSLoadBalancer](b, lb(c.region))
		if _, ok, why := b.result(); !ok || len(b.lines) != 1 {
			t.Fatalf("%s: priced %v (%s), lines %q", c.region, ok, why, b.lines)
		}
		if got := strings.Contains(b.lines[0], "derived price"); got != c.derived {
			t.Errorf("%s: line %q says derived = %v, want %v", c.region, b.lines[0], got, c.derived)
		}
	}
}
