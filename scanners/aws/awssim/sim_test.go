package awssim

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/ghostaudit/ghostaudit/scanners/estate"
)

var testNow = time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)

func loadTestEstate(t testing.TB) *Estate {
	t.Helper()
	e, err := estate.Load("testdata/estate.yaml")
	if err != nil {
		t.Fatal(err)
	}
	est, ok, err := Load(e)
	if err != nil || !ok {
		t.Fatalf("Load: ok=%v err=%v", ok, err)
	}
	return est
}

func newTestSim(t testing.TB) (*Sim, *httptest.Server) {
	t.Helper()
	sim := New(loadTestEstate(t), Options{Now: func() time.Time { return testNow }, Clock: func() time.Time { return testNow }})
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	return sim, srv
}

// TestSessionsExpireOnTheSessionClock: AssumeRole credentials are dated
// and checked on Options.Clock (the wall clock by default), not on the
// estate clock, and a request signed with an expired session is refused
// with STS's and EC2's own error codes.
func TestSessionsExpireOnTheSessionClock(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	clock := testNow.Add(1000 * time.Hour) // far from the estate clock
	sim := New(loadTestEstate(t), Options{Now: func() time.Time { return testNow }, Clock: func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		return clock
	}})
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	ctx := context.Background()
	out, err := stsClient(srv, "us-east-1", nil).AssumeRole(ctx, &sts.AssumeRoleInput{
		RoleArn: aws.String("arn:aws:iam::222222222222:role/ghostaudit-read"), RoleSessionName: aws.String("audit"), DurationSeconds: aws.Int32(900)})
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToTime(out.Credentials.Expiration); !got.Equal(clock.Add(15 * time.Minute)) {
		t.Fatalf("Expiration %v, want the session clock + 15m", got)
	}
	cr := out.Credentials
	creds := credentials.NewStaticCredentialsProvider(aws.ToString(cr.AccessKeyId), aws.ToString(cr.SecretAccessKey), aws.ToString(cr.SessionToken))
	if _, err := ec2Client(srv, "us-east-1", creds).DescribeRegions(ctx, &ec2.DescribeRegionsInput{}); err != nil {
		t.Fatalf("fresh session refused: %v", err)
	}
	mu.Lock()
	clock = clock.Add(16 * time.Minute)
	mu.Unlock()
	_, err = ec2Client(srv, "us-east-1", creds).DescribeRegions(ctx, &ec2.DescribeRegionsInput{})
	wantAPIError(t, err, "RequestExpired", http.StatusBadRequest)
	_, err = stsClient(srv, "us-east-1", creds).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	wantAPIError(t, err, "ExpiredToken", http.StatusBadRequest)
}

func awsConfig(srv *httptest.Server, region string, creds aws.CredentialsProvider) aws.Config {
	if creds == nil {
		creds = credentials.NewStaticCredentialsProvider(AccessKeyID, SecretAccessKey, "")
	}
	return aws.Config{
		Region:      region,
		Credentials: creds,
		HTTPClient:  srv.Client(),
		Retryer:     func() aws.Retryer { return aws.NopRetryer{} },
	}
}

func ec2Client(srv *httptest.Server, region string, creds aws.CredentialsProvider) *ec2.Client {
	return ec2.NewFromConfig(awsConfig(srv, region, creds), func(o *ec2.Options) { o.BaseEndpoint = aws.String(srv.URL) })
}

func stsClient(srv *httptest.Server, region string, creds aws.CredentialsProvider) *sts.Client {
	return sts.NewFromConfig(awsConfig(srv, region, creds), func(o *sts.Options) { o.BaseEndpoint = aws.String(srv.URL) })
}

// apiCode returns the smithy API error code and the HTTP status of err.
func apiCode(t *testing.T, err error) (string, int) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("error %v is not a smithy.APIError", err)
	}
	status := 0
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) {
		status = re.HTTPStatusCode()
	}
	return ae.ErrorCode(), status
}

func wantAPIError(t *testing.T, err error, code string, status int) {
	t.Helper()
	if err == nil {
		t.Fatalf("want %s, got success", code)
	}
	gotCode, gotStatus := apiCode(t, err)
	if gotCode != code || gotStatus != status {
		t.Fatalf("got %s (HTTP %d), want %s (HTTP %d): %v", gotCode, gotStatus, code, status, err)
	}
}

func TestDescribeRegionsPerAccount(t *testing.T) {
	t.Parallel()
	_, srv := newTestSim(t)
	ctx := context.Background()
	out, err := ec2Client(srv, "us-east-1", nil).DescribeRegions(ctx, &ec2.DescribeRegionsInput{})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, r := range out.Regions {
		names = append(names, aws.ToString(r.RegionName))
		if want := "ec2." + aws.ToString(r.RegionName) + ".amazonaws.com"; aws.ToString(r.Endpoint) != want || aws.ToString(r.OptInStatus) != "opt-in-not-required" {
			t.Errorf("region %+v", r)
		}
	}
	if strings.Join(names, ",") != "eu-west-1,us-east-1" {
		t.Errorf("regions %v", names)
	}
	out, err = ec2Client(srv, "us-east-1", nil).DescribeRegions(ctx, &ec2.DescribeRegionsInput{RegionNames: []string{"us-east-1"}})
	if err != nil || len(out.Regions) != 1 {
		t.Fatalf("RegionName.1: %v %v", out, err)
	}
	_, err = ec2Client(srv, "us-east-1", nil).DescribeRegions(ctx, &ec2.DescribeRegionsInput{RegionNames: []string{"mars-north-1"}})
	wantAPIError(t, err, "InvalidParameterValue", 400)
}

func TestDescribeVolumesPagesWithSDKPaginator(t *testing.T) {
	t.Parallel()
	sim, srv := newTestSim(t)
	p := ec2.NewDescribeVolumesPaginator(ec2Client(srv, "us-east-1", nil), &ec2.DescribeVolumesInput{MaxResults: aws.Int32(5)})
	seen := map[string]int{}
	pages := 0
	for p.HasMorePages() {
		out, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		pages++
		if len(out.Volumes) > 5 {
			t.Fatalf("page of %d > MaxResults", len(out.Volumes))
		}
		for _, v := range out.Volumes {
			seen[aws.ToString(v.VolumeId)]++
		}
	}
	if len(seen) != 12 || pages != 3 {
		t.Fatalf("got %d volumes in %d pages", len(seen), pages)
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("%s returned %d times", id, n)
		}
	}
	var got []Request
	for _, r := range sim.Requests() {
		if r.Action == "DescribeVolumes" {
			got = append(got, r)
		}
	}
	if len(got) != 3 || got[0] != (Request{Service: "ec2", Action: "DescribeVolumes", Account: "111111111111", Region: "us-east-1", Status: 200, Protocol: "ec2"}) {
		t.Errorf("requests %+v", got)
	}
	// Without MaxResults every volume comes in one page.
	out, err := ec2Client(srv, "us-east-1", nil).DescribeVolumes(context.Background(), &ec2.DescribeVolumesInput{})
	if err != nil || len(out.Volumes) != 12 || out.NextToken != nil {
		t.Fatalf("unpaged: %d volumes, token %v, err %v", len(out.Volumes), out.NextToken, err)
	}
}

func TestDescribeVolumesParameterErrors(t *testing.T) {
	t.Parallel()
	_, srv := newTestSim(t)
	c := ec2Client(srv, "us-east-1", nil)
	ctx := context.Background()
	for _, n := range []int32{4, 501, -1} {
		_, err := c.DescribeVolumes(ctx, &ec2.DescribeVolumesInput{MaxResults: aws.Int32(n)})
		wantAPIError(t, err, "InvalidParameterValue", 400)
	}
	_, err := c.DescribeVolumes(ctx, &ec2.DescribeVolumesInput{MaxResults: aws.Int32(5), VolumeIds: []string{"vol-00000000000000001"}})
	wantAPIError(t, err, "InvalidParameterCombination", 400)
	_, err = c.DescribeVolumes(ctx, &ec2.DescribeVolumesInput{MaxResults: aws.Int32(5), NextToken: aws.String("not-a-token")})
	wantAPIError(t, err, "InvalidPaginationToken", 400)
	_, err = c.DescribeVolumes(ctx, &ec2.DescribeVolumesInput{Filters: []ec2types.Filter{{Name: aws.String("colour"), Values: []string{"blue"}}}})
	wantAPIError(t, err, "InvalidParameterValue", 400)
	_, err = c.DescribeVolumes(ctx, &ec2.DescribeVolumesInput{VolumeIds: []string{"vol-0123456789abcdef9"}})
	wantAPIError(t, err, "InvalidVolume.NotFound", 400)
}

func TestDescribeVolumesFiltersAndFields(t *testing.T) {
	t.Parallel()
	_, srv := newTestSim(t)
	c := ec2Client(srv, "us-east-1", nil)
	ctx := context.Background()
	count := func(fs ...ec2types.Filter) []ec2types.Volume {
		t.Helper()
		out, err := c.DescribeVolumes(ctx, &ec2.DescribeVolumesInput{Filters: fs})
		if err != nil {
			t.Fatal(err)
		}
		return out.Volumes
	}
	f := func(name string, values ...string) ec2types.Filter {
		return ec2types.Filter{Name: aws.String(name), Values: values}
	}
	if n := len(count(f("status", "available"))); n != 9 {
		t.Errorf("status=available: %d", n)
	}
	if n := len(count(f("volume-type", "gp3", "io1"))); n != 6 {
		t.Errorf("volume-type gp3|io1: %d", n)
	}
	if n := len(count(f("attachment.instance-id", "i-0000000000000000a"), f("volume-type", "gp*"))); n != 1 {
		t.Errorf("attachment.instance-id and gp*: %d", n)
	}
	if n := len(count(f("tag:team", "ml"))); n != 1 {
		t.Errorf("tag:team: %d", n)
	}
	vols := count()
	byID := map[string]ec2types.Volume{}
	for _, v := range vols {
		byID[aws.ToString(v.VolumeId)] = v
	}
	if ids := sortedVolumeIDs(vols); !sort.StringsAreSorted(ids) {
		t.Errorf("not sorted by id: %v", ids)
	}
	gp3 := byID["vol-00000000000000001"]
	if aws.ToInt32(gp3.Iops) != 3000 || aws.ToInt32(gp3.Throughput) != 125 || gp3.State != ec2types.VolumeStateInUse ||
		len(gp3.Attachments) != 1 || aws.ToString(gp3.Attachments[0].InstanceId) != "i-0000000000000000a" || aws.ToString(gp3.Attachments[0].Device) != "/dev/sdf" {
		t.Errorf("gp3 volume %+v", gp3)
	}
	if gp2 := byID["vol-00000000000000004"]; aws.ToInt32(gp2.Iops) != 120 || gp2.State != ec2types.VolumeStateAvailable || len(gp2.Attachments) != 0 {
		t.Errorf("gp2 volume %+v", gp2)
	}
	old := byID["vol-0000000000000000c"]
	if !aws.ToTime(old.CreateTime).Equal(testNow.Add(-45*24*time.Hour)) || !aws.ToBool(old.Encrypted) ||
		aws.ToString(old.SnapshotId) != "snap-0123456789abcdef0" || len(old.Tags) != 2 || aws.ToString(old.Tags[0].Key) != "Name" {
		t.Errorf("volume 12 %+v", old)
	}
}

func sortedVolumeIDs(vs []ec2types.Volume) []string {
	var ids []string
	for _, v := range vs {
		ids = append(ids, aws.ToString(v.VolumeId))
	}
	return ids
}

func TestDescribeAddresses(t *testing.T) {
	t.Parallel()
	_, srv := newTestSim(t)
	c := ec2Client(srv, "us-east-1", nil)
	ctx := context.Background()
	out, err := c.DescribeAddresses(ctx, &ec2.DescribeAddressesInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Addresses) != 2 {
		t.Fatalf("%d addresses", len(out.Addresses))
	}
	a, b := out.Addresses[0], out.Addresses[1]
	if aws.ToString(a.AllocationId) != "eipalloc-0000000000000000a" || aws.ToString(a.InstanceId) != "i-0000000000000000a" ||
		aws.ToString(a.AssociationId) == "" || aws.ToString(a.NetworkInterfaceId) == "" || aws.ToString(a.NetworkInterfaceOwnerId) != "111111111111" ||
		aws.ToString(a.PrivateIpAddress) == "" || a.Domain != ec2types.DomainTypeVpc || aws.ToString(a.NetworkBorderGroup) != "us-east-1" {
		t.Errorf("associated address %+v", a)
	}
	if b.AssociationId != nil || b.InstanceId != nil || aws.ToString(b.PublicIp) != "203.0.113.11" {
		t.Errorf("free address %+v", b)
	}
	for _, tc := range []struct {
		name string
		want int
		in   ec2.DescribeAddressesInput
	}{
		{"instance-id", 1, ec2.DescribeAddressesInput{Filters: []ec2types.Filter{{Name: aws.String("instance-id"), Values: []string{"i-0000000000000000a"}}}}},
		{"domain", 2, ec2.DescribeAddressesInput{Filters: []ec2types.Filter{{Name: aws.String("domain"), Values: []string{"vpc"}}}}},
		{"public-ip", 1, ec2.DescribeAddressesInput{PublicIps: []string{"203.0.113.11"}}},
		{"allocation-id", 1, ec2.DescribeAddressesInput{AllocationIds: []string{"eipalloc-0000000000000000b"}}},
	} {
		out, err := c.DescribeAddresses(ctx, &tc.in)
		if err != nil || len(out.Addresses) != tc.want {
			t.Errorf("%s: %v %v", tc.name, out, err)
		}
	}
	_, err = c.DescribeAddresses(ctx, &ec2.DescribeAddressesInput{AllocationIds: []string{"eipalloc-0123"}})
	wantAPIError(t, err, "InvalidAllocationID.NotFound", 400)
	_, err = c.DescribeAddresses(ctx, &ec2.DescribeAddressesInput{Filters: []ec2types.Filter{{Name: aws.String("colour"), Values: []string{"x"}}}})
	wantAPIError(t, err, "InvalidParameterValue", 400)
}

func TestDescribeInstances(t *testing.T) {
	t.Parallel()
	_, srv := newTestSim(t)
	c := ec2Client(srv, "us-east-1", nil)
	ctx := context.Background()
	out, err := c.DescribeInstances(ctx, &ec2.DescribeInstancesInput{})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]ec2types.Instance{}
	for _, r := range out.Reservations {
		if aws.ToString(r.OwnerId) != "111111111111" || !strings.HasPrefix(aws.ToString(r.ReservationId), "r-") {
			t.Errorf("reservation %+v", r)
		}
		for _, in := range r.Instances {
			got[aws.ToString(in.InstanceId)] = in
		}
	}
	if len(got) != 3 {
		t.Fatalf("%d instances", len(got))
	}
	run := got["i-0000000000000000a"]
	if aws.ToInt32(run.State.Code) != 16 || run.State.Name != ec2types.InstanceStateNameRunning || run.InstanceType != "m5.large" ||
		!aws.ToTime(run.LaunchTime).Equal(testNow.Add(-400*24*time.Hour)) || aws.ToString(run.Placement.AvailabilityZone) != "us-east-1a" ||
		len(run.BlockDeviceMappings) != 3 || aws.ToString(run.StateTransitionReason) != "" {
		t.Errorf("running instance %+v", run)
	}
	stopped := got["i-0000000000000000b"]
	if aws.ToInt32(stopped.State.Code) != 80 || aws.ToString(stopped.StateTransitionReason) != "User initiated (2026-10-01 08:30:00 GMT)" {
		t.Errorf("stopped instance: state %v reason %q", aws.ToInt32(stopped.State.Code), aws.ToString(stopped.StateTransitionReason))
	}
	if term := got["i-0000000000000000c"]; aws.ToInt32(term.State.Code) != 48 || term.Platform != "windows" { // EC2 sends lower-case "windows", though the SDK enum says "Windows"
		t.Errorf("terminated instance %+v", term)
	}
	out, err = c.DescribeInstances(ctx, &ec2.DescribeInstancesInput{Filters: []ec2types.Filter{{Name: aws.String("instance-state-name"), Values: []string{"stopped"}}}})
	if err != nil || len(out.Reservations) != 1 {
		t.Fatalf("state filter: %v %v", out, err)
	}
	_, err = c.DescribeInstances(ctx, &ec2.DescribeInstancesInput{MaxResults: aws.Int32(5), InstanceIds: []string{"i-0000000000000000a"}})
	wantAPIError(t, err, "InvalidParameterCombination", 400)
	_, err = c.DescribeInstances(ctx, &ec2.DescribeInstancesInput{MaxResults: aws.Int32(1001)})
	wantAPIError(t, err, "InvalidParameterValue", 400)
	_, err = c.DescribeInstances(ctx, &ec2.DescribeInstancesInput{InstanceIds: []string{"i-0123456789abcdef0"}})
	wantAPIError(t, err, "InvalidInstanceID.NotFound", 400)
}

func TestAssumeRoleThenCallAsOtherAccount(t *testing.T) {
	t.Parallel()
	sim, srv := newTestSim(t)
	ctx := context.Background()
	base := stsClient(srv, "us-east-1", nil)
	id, err := base.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil || aws.ToString(id.Account) != "111111111111" || aws.ToString(id.Arn) != "arn:aws:iam::111111111111:user/ghostaudit" {
		t.Fatalf("base identity %+v %v", id, err)
	}
	out, err := base.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::222222222222:role/ghostaudit-read"), RoleSessionName: aws.String("audit")})
	if err != nil {
		t.Fatal(err)
	}
	cr := out.Credentials
	if !strings.HasPrefix(aws.ToString(cr.AccessKeyId), "ASIA") || aws.ToString(cr.SecretAccessKey) == "" || aws.ToString(cr.SessionToken) == "" ||
		!aws.ToTime(cr.Expiration).Equal(testNow.Add(time.Hour)) {
		t.Fatalf("credentials %+v", cr)
	}
	if aws.ToString(out.AssumedRoleUser.Arn) != "arn:aws:sts::222222222222:assumed-role/ghostaudit-read/audit" {
		t.Errorf("assumed role user %+v", out.AssumedRoleUser)
	}
	creds := credentials.NewStaticCredentialsProvider(aws.ToString(cr.AccessKeyId), aws.ToString(cr.SecretAccessKey), aws.ToString(cr.SessionToken))
	vols, err := ec2Client(srv, "us-east-1", creds).DescribeVolumes(ctx, &ec2.DescribeVolumesInput{})
	if err != nil || len(vols.Volumes) != 1 || aws.ToString(vols.Volumes[0].VolumeId) != "vol-0eeeeeeeeeeeeeee1" {
		t.Fatalf("volumes as 222222222222: %+v %v", vols, err)
	}
	id, err = stsClient(srv, "us-east-1", creds).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil || aws.ToString(id.Account) != "222222222222" || !strings.HasSuffix(aws.ToString(id.UserId), ":audit") {
		t.Fatalf("assumed identity %+v %v", id, err)
	}
	last := sim.Requests()[len(sim.Requests())-1]
	if last != (Request{Service: "sts", Action: "GetCallerIdentity", Account: "222222222222", Region: "us-east-1", Status: 200, Protocol: "query"}) {
		t.Errorf("last request %+v", last)
	}
}

func TestAssumeRoleDenied(t *testing.T) {
	t.Parallel()
	_, srv := newTestSim(t)
	c := stsClient(srv, "us-east-1", nil)
	for _, arn := range []string{"arn:aws:iam::333333333333:role/ghostaudit-read", "arn:aws:iam::444444444444:role/ghostaudit-read"} {
		_, err := c.AssumeRole(context.Background(), &sts.AssumeRoleInput{RoleArn: aws.String(arn), RoleSessionName: aws.String("audit")})
		wantAPIError(t, err, "AccessDenied", 403)
	}
	_, err := c.AssumeRole(context.Background(), &sts.AssumeRoleInput{RoleArn: aws.String("not-an-arn"), RoleSessionName: aws.String("audit")})
	wantAPIError(t, err, "ValidationError", 400)
}

func TestDenyFaultIsPerRegion(t *testing.T) {
	t.Parallel()
	_, srv := newTestSim(t)
	ctx := context.Background()
	_, err := ec2Client(srv, "eu-west-1", nil).DescribeVolumes(ctx, &ec2.DescribeVolumesInput{})
	wantAPIError(t, err, "UnauthorizedOperation", 403)
	if _, err := ec2Client(srv, "eu-west-1", nil).DescribeInstances(ctx, &ec2.DescribeInstancesInput{}); err != nil {
		t.Errorf("DescribeInstances in eu-west-1 is not denied: %v", err)
	}
	if _, err := ec2Client(srv, "us-east-1", nil).DescribeVolumes(ctx, &ec2.DescribeVolumesInput{}); err != nil {
		t.Errorf("DescribeVolumes in us-east-1 is not denied: %v", err)
	}
}

func TestThrottleAndUnavailableFaults(t *testing.T) {
	t.Parallel()
	sim, srv := newTestSim(t)
	ctx := context.Background()
	out, err := stsClient(srv, "us-east-1", nil).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::222222222222:role/r"), RoleSessionName: aws.String("audit")})
	if err != nil {
		t.Fatal(err)
	}
	cr := out.Credentials
	c := ec2Client(srv, "us-east-1", credentials.NewStaticCredentialsProvider(aws.ToString(cr.AccessKeyId), aws.ToString(cr.SecretAccessKey), aws.ToString(cr.SessionToken)))
	for range 2 {
		_, err := c.DescribeAddresses(ctx, &ec2.DescribeAddressesInput{})
		wantAPIError(t, err, "RequestLimitExceeded", 503)
	}
	if _, err := c.DescribeAddresses(ctx, &ec2.DescribeAddressesInput{}); err != nil {
		t.Errorf("third DescribeAddresses: %v", err)
	}
	_, err = c.DescribeInstances(ctx, &ec2.DescribeInstancesInput{})
	wantAPIError(t, err, "Unavailable", 503)
	if _, err := c.DescribeInstances(ctx, &ec2.DescribeInstancesInput{}); err != nil {
		t.Errorf("second DescribeInstances: %v", err)
	}
	var statuses []int
	for _, r := range sim.Requests() {
		if r.Account == "222222222222" {
			statuses = append(statuses, r.Status)
		}
	}
	if want := []int{503, 503, 200, 503, 200}; len(statuses) != 5 || statuses[0] != want[0] || statuses[2] != want[2] || statuses[3] != want[3] {
		t.Errorf("statuses %v, want %v", statuses, want)
	}
}

func TestLatencyHonoursContext(t *testing.T) {
	t.Parallel()
	_, srv := newTestSim(t)
	out, err := stsClient(srv, "us-east-1", nil).AssumeRole(context.Background(), &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::222222222222:role/r"), RoleSessionName: aws.String("audit")})
	if err != nil {
		t.Fatal(err)
	}
	cr := out.Credentials
	c := ec2Client(srv, "us-west-2", credentials.NewStaticCredentialsProvider(aws.ToString(cr.AccessKeyId), aws.ToString(cr.SecretAccessKey), aws.ToString(cr.SessionToken)))
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err = c.DescribeVolumes(ctx, &ec2.DescribeVolumesInput{})
	if err == nil || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("want deadline exceeded, got %v", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Fatalf("cancelled call took %v (latency 2s)", d)
	}
}

// rawPost sends a Query request without the SDK, to check the wire details
// the SDK does not surface.
func rawPost(t *testing.T, srv *httptest.Server, body, auth string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, srv.URL, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var sb strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := resp.Body.Read(buf)
		sb.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return resp, sb.String()
}

func signedAuth(region, service string) string {
	return "AWS4-HMAC-SHA256 Credential=" + AccessKeyID + "/20261102/" + region + "/" + service + "/aws4_request, SignedHeaders=host;x-amz-date, Signature=00"
}

func TestWireDetails(t *testing.T) {
	t.Parallel()
	_, srv := newTestSim(t)
	resp, body := rawPost(t, srv, "Action=DescribeVolumes&Version=2016-11-15", "")
	if resp.StatusCode != 401 || !strings.Contains(body, "<Code>MissingAuthenticationToken</Code>") || !strings.HasPrefix(body, "<?xml") {
		t.Errorf("unsigned: %d %s", resp.StatusCode, body)
	}
	resp, body = rawPost(t, srv, "Action=GetCallerIdentity&Version=2011-06-15", "")
	if resp.StatusCode != 403 || !strings.Contains(body, "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender</Type><Code>MissingAuthenticationToken</Code>") {
		t.Errorf("unsigned sts: %d %s", resp.StatusCode, body)
	}
	resp, body = rawPost(t, srv, "Action=RunInstances&Version=2016-11-15", signedAuth("us-east-1", "ec2"))
	if resp.StatusCode != 400 || !strings.Contains(body, "<Response><Errors><Error><Code>InvalidAction</Code>") || !strings.Contains(body, "<RequestID>") {
		t.Errorf("unknown action: %d %s", resp.StatusCode, body)
	}
	if resp.Header.Get("x-amzn-RequestId") == "" {
		t.Error("no x-amzn-RequestId")
	}
	resp, body = rawPost(t, srv, "Action=DescribeVolumes&Version=2016-11-15&VolumeId.1=vol-0000000000000000c", signedAuth("us-east-1", "ec2"))
	want := "<createTime>" + testNow.Add(-45*24*time.Hour).Format("2006-01-02T15:04:05") + ".000Z</createTime>"
	if resp.StatusCode != 200 || !strings.Contains(body, want) || resp.Header.Get("x-amzn-RequestId") == "" {
		t.Errorf("createTime: want %s in %s", want, body)
	}
	// The service falls back to Version when the scope names neither.
	resp, body = rawPost(t, srv, "Action=GetCallerIdentity&Version=2011-06-15", signedAuth("us-east-1", "iam"))
	if resp.StatusCode != 200 || !strings.Contains(body, "<Account>111111111111</Account>") {
		t.Errorf("version fallback: %d %s", resp.StatusCode, body)
	}
	resp, _ = rawPost(t, srv, "Action=DescribeVolumes&Version=2016-11-15&Pad="+strings.Repeat("x", maxFormBytes), signedAuth("us-east-1", "ec2"))
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("oversized form: %d", resp.StatusCode)
	}
}

func TestLoadValidationNamesFileAndField(t *testing.T) {
	t.Parallel()
	base := func(region string) string {
		return "aws:\n  accounts:\n    - id: \"111111111111\"\n      regions:\n        - name: us-east-1\n" + region
	}
	cases := []struct{ name, in, want string }{
		{"no aws", "name: x\n", ""},
		{"account id", "aws:\n  accounts:\n    - id: \"1234\"\n", "aws.accounts[0].id: \"1234\" is not a 12-digit account id"},
		{"duplicate account", "aws:\n  accounts:\n    - id: \"111111111111\"\n    - id: \"111111111111\"\n", "aws.accounts[1].id: account 111111111111 is listed twice"},
		{"volume type", base("          volumes:\n            - {id: vol-1, size_gib: 8, type: gp2}\n            - {id: vol-2, size_gib: 8, type: gp9}\n"), "aws.accounts[0].regions[0].volumes[1].type: \"gp9\" is not a volume type"},
		{"io1 iops", base("          volumes:\n            - {id: vol-1, size_gib: 8, type: io1}\n"), "aws.accounts[0].regions[0].volumes[0].iops: provisioned IOPS are required"},
		{"duplicate volume", base("          volumes:\n            - {id: vol-1, size_gib: 8, type: gp2}\n            - {id: vol-1, size_gib: 8, type: gp2}\n"), "aws.accounts[0].regions[0].volumes[1].id: vol-1 is also declared"},
		{"attached_to", base("          volumes:\n            - {id: vol-1, size_gib: 8, type: gp2, attached_to: i-9}\n"), "aws.accounts[0].regions[0].volumes[0].attached_to: \"i-9\" is not an instance in us-east-1"},
		{"volume state", base("          volumes:\n            - {id: vol-1, size_gib: 8, type: gp2, state: broken}\n"), "aws.accounts[0].regions[0].volumes[0].state: \"broken\" is not a volume state"},
		{"instance state", base("          instances:\n            - {id: i-1, type: t3.micro, state: napping}\n"), "aws.accounts[0].regions[0].instances[0].state: \"napping\" is not an instance state"},
		{"region name", "aws:\n  accounts:\n    - id: \"111111111111\"\n      regions:\n        - name: \"\"\n", "aws.accounts[0].regions[0].name: a region name is required"},
		{"latency", "aws:\n  accounts:\n    - id: \"111111111111\"\n      faults: {latency: soon}\n", "aws.accounts[0].faults.latency: \"soon\" is not a duration"},
		{"fault op", "aws:\n  accounts:\n    - id: \"111111111111\"\n      faults: {deny: [TerminateInstances]}\n", "aws.accounts[0].faults.deny[0]: \"TerminateInstances\" is not a simulated operation"},
		{"caller", "aws:\n  caller_account: \"999999999999\"\n  accounts:\n    - id: \"111111111111\"\n", "aws.caller_account: \"999999999999\" is not one of the accounts"},
		{"public ip", base("          addresses:\n            - {allocation_id: eipalloc-1, public_ip: 300.1.1.1}\n"), "aws.accounts[0].regions[0].addresses[0].public_ip: \"300.1.1.1\" is not an IPv4 address"},
		{"unknown key", base("          volumes:\n            - {id: vol-1, size_gib: 8, type: gp2, colour: red}\n"), "demo.yaml:7:"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e, err := estate.Parse("demo.yaml", []byte(tc.in))
			if err != nil {
				t.Fatal(err)
			}
			est, ok, err := Load(e)
			if tc.want == "" {
				if ok || err != nil || est != nil {
					t.Fatalf("no aws section: %v %v %v", est, ok, err)
				}
				return
			}
			if err == nil || !ok {
				t.Fatalf("want error containing %q, got ok=%v err=%v", tc.want, ok, err)
			}
			if !strings.HasPrefix(err.Error(), "demo.yaml") || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %q, want it to name demo.yaml and %q", err, tc.want)
			}
		})
	}
}

func TestLoadErrorsCarryLines(t *testing.T) {
	t.Parallel()
	in := "aws:\n  accounts:\n    - id: \"111111111111\"\n      regions:\n        - name: us-east-1\n          volumes:\n            - id: vol-1\n              size_gib: 8\n              type: gp9\n"
	e, err := estate.Parse("demo.yaml", []byte(in))
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = Load(e)
	if err == nil || !strings.HasPrefix(err.Error(), "demo.yaml:9:") {
		t.Fatalf("error %v, want it located at line 9", err)
	}
}

func TestTestdataEstatesLoad(t *testing.T) {
	t.Parallel()
	if _, err := os.Stat("testdata/estate.yaml"); err != nil {
		t.Fatal(err)
	}
	est := loadTestEstate(t)
	if est.CallerAccount != "111111111111" || len(est.Accounts) != 3 {
		t.Fatalf("%+v", est)
	}
}
