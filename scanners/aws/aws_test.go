package aws

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"os"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/ghostaudit/ghostaudit/scanners"
	"github.com/ghostaudit/ghostaudit/scanners/aws/awssim"
	"github.com/ghostaudit/ghostaudit/scanners/estate"
	"github.com/ghostaudit/ghostaudit/scanners/scannertest"
)

var testNow = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

// fixture is a running simulator and a scanner pointed at it.
type fixture struct {
	sim     *awssim.Sim
	scanner *Scanner
}

// newFixture serves the estate YAML and builds a scanner with the
// simulator's dummy keys; tweak adjusts the options.
func newFixture(t *testing.T, estateYAML string, logger *slog.Logger, tweak func(*Options)) *fixture {
	t.Helper()
	est, err := estate.Parse(t.Name()+".yaml", []byte(estateYAML))
	if err != nil {
		t.Fatal(err)
	}
	awsEst, ok, err := awssim.Load(est)
	if err != nil || !ok {
		t.Fatalf("awssim.Load: %v %v", ok, err)
	}
	sim := awssim.New(awsEst, awssim.Options{Now: func() time.Time { return testNow }})
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	opts := NewOptions()
	opts.EndpointURL = srv.URL
	opts.Credentials = credentials.NewStaticCredentialsProvider(awssim.AccessKeyID, awssim.SecretAccessKey, "")
	opts.HomeRegion = "us-east-1"
	opts.MaxBackoff = 5 * time.Millisecond
	for _, a := range awsEst.Accounts {
		if a.ID != awsEst.CallerAccount && awsEst.CallerAccount != "" {
			opts.Accounts = append(opts.Accounts, a.ID)
		}
	}
	if tweak != nil {
		tweak(opts)
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	s, err := New(opts, scanners.Env{Logger: logger, Now: func() time.Time { return testNow }})
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{sim: sim, scanner: s}
}

const normalEstate = `
aws:
  caller_account: "111111111111"
  accounts:
    - id: "111111111111"
      regions:
        - name: us-east-1
          instances:
            - {id: i-0000000000000000a, type: m5.large, state: running, launched: -100d}
            - {id: i-0000000000000000b, type: t3.micro, state: stopped, launched: -100d, stopped_at: -40d}
          volumes:
            - {id: vol-0000000000000001, size_gib: 100, type: gp2, attached_to: i-0000000000000000a, created: -100d}
            - {id: vol-0000000000000002, size_gib: 50, type: gp3, created: -30d, tags: {Name: scratch}}
          addresses:
            - {allocation_id: eipalloc-00000000000000001, public_ip: 203.0.113.1}
        - name: %s
          volumes:
            - {id: vol-0000000000000003, size_gib: 10, type: io1, iops: 500, created: -10d}
            - {id: vol-0000000000000004, size_gib: 10, type: st1, created: -10d}
          addresses:
            - {allocation_id: eipalloc-00000000000000002, public_ip: 203.0.113.2}
    - id: "222222222222"
      regions:
        - name: us-east-1
          volumes:
            - {id: vol-0000000000000005, size_gib: 20, type: sc1, created: -10d}
`

// normalResources is the number of resources in normalEstate: 2 instances,
// 5 volumes, 2 addresses.
const normalResources = 9

func deniedEstate() string {
	return strings.Replace(fmt.Sprintf(normalEstate, "eu-west-1"), "        - name: eu-west-1\n", "        - name: eu-west-1\n          faults: {deny: [\"*\"]}\n", 1)
}

func multiPageEstate() string {
	var b strings.Builder
	b.WriteString("aws:\n  accounts:\n    - id: \"111111111111\"\n      regions:\n        - name: us-east-1\n          volumes:\n")
	for i := 0; i < 12; i++ {
		fmt.Fprintf(&b, "            - {id: vol-%017d, size_gib: 10, type: gp3, created: -10d}\n", i)
	}
	b.WriteString("          instances:\n")
	for i := 0; i < 7; i++ {
		fmt.Fprintf(&b, "            - {id: i-%017d, type: t3.micro, state: running, launched: -10d}\n", i)
	}
	return b.String()
}

func TestConformance(t *testing.T) {
	scannertest.Run(t, scannertest.Opt{
		Info: Info,
		Setup: func(t *testing.T, f scannertest.Fixture, logger *slog.Logger) scannertest.Harness {
			var fx *fixture
			h := scannertest.Harness{Secrets: []string{awssim.SecretAccessKey}}
			switch f {
			case scannertest.Normal:
				fx = newFixture(t, fmt.Sprintf(normalEstate, "eu-west-1"), logger, nil)
				h.WantResources = normalResources
			case scannertest.Empty:
				fx = newFixture(t, "aws:\n  accounts:\n    - id: \"111111111111\"\n      regions: [{name: us-east-1}, {name: eu-west-1}]\n", logger, nil)
			case scannertest.MultiPage:
				fx = newFixture(t, multiPageEstate(), logger, func(o *Options) { o.PageSize = 5 })
				h.WantResources = 19
			case scannertest.Denied:
				fx = newFixture(t, deniedEstate(), logger, nil)
				h.WantResources = normalResources - 3 // eu-west-1 holds two volumes and an address
				h.DeniedAccount, h.DeniedRegion = "111111111111", "eu-west-1"
			}
			h.Scanner = fx.scanner
			h.Requests = func() int { return len(fx.sim.Requests()) }
			return h
		},
		Mutate: func(t *testing.T, h scannertest.Harness) error {
			s := h.Scanner.(*Scanner)
			cfg, err := s.loadConfig(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			_, err = ec2.NewFromConfig(cfg).DeleteVolume(context.Background(), &ec2.DeleteVolumeInput{VolumeId: aws.String("vol-0000000000000002")})
			return err
		},
	})
}

// TestGuardRefusesEveryMutatingCall sends a spread of mutating EC2 calls
// through the scanner's own configuration and checks that none reaches the
// simulator.
func TestGuardRefusesEveryMutatingCall(t *testing.T) {
	t.Parallel()
	fx := newFixture(t, fmt.Sprintf(normalEstate, "eu-west-1"), nil, nil)
	cfg, err := fx.scanner.loadConfig(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	c := ec2.NewFromConfig(cfg)
	ctx := context.Background()
	calls := map[string]func() error{
		"DeleteVolume": func() error {
			_, err := c.DeleteVolume(ctx, &ec2.DeleteVolumeInput{VolumeId: aws.String("vol-1")})
			return err
		},
		"ModifyVolume": func() error {
			_, err := c.ModifyVolume(ctx, &ec2.ModifyVolumeInput{VolumeId: aws.String("vol-1")})
			return err
		},
		"ReleaseAddress": func() error {
			_, err := c.ReleaseAddress(ctx, &ec2.ReleaseAddressInput{AllocationId: aws.String("eipalloc-1")})
			return err
		},
		"TerminateInstances": func() error {
			_, err := c.TerminateInstances(ctx, &ec2.TerminateInstancesInput{InstanceIds: []string{"i-1"}})
			return err
		},
		"StopInstances": func() error {
			_, err := c.StopInstances(ctx, &ec2.StopInstancesInput{InstanceIds: []string{"i-1"}})
			return err
		},
		"CreateTags": func() error {
			_, err := c.CreateTags(ctx, &ec2.CreateTagsInput{Resources: []string{"vol-1"}, Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}})
			return err
		},
		"CreateSnapshot": func() error {
			_, err := c.CreateSnapshot(ctx, &ec2.CreateSnapshotInput{VolumeId: aws.String("vol-1")})
			return err
		},
	}
	for name, call := range calls {
		if err := call(); !errors.Is(err, scanners.ErrReadOnly) {
			t.Errorf("%s: error %v does not wrap ErrReadOnly", name, err)
		}
	}
	if n := len(fx.sim.Requests()); n != 0 {
		t.Fatalf("the simulator received %d request(s): %+v", n, fx.sim.Requests())
	}
	for key := range readOperations {
		op := key[strings.Index(key, ".")+1:]
		if !strings.HasPrefix(op, "Describe") && !strings.HasPrefix(op, "Get") && !strings.HasPrefix(op, "List") && key != "STS.AssumeRole" {
			t.Errorf("allow-list entry %s is not a read", key)
		}
	}
}

// TestIAMPolicyCoversEveryCall checks the shipped least-privilege policy
// against the allow-list and against what a scan actually sends.
func TestIAMPolicyCoversEveryCall(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("../../docs/permissions/aws-iam-policy.json")
	if err != nil {
		t.Fatal(err)
	}
	var policy struct {
		Statement []struct {
			Effect string
			Action []string
		}
	}
	if err := json.Unmarshal(data, &policy); err != nil {
		t.Fatalf("aws-iam-policy.json: %v", err)
	}
	var granted []string
	for _, st := range policy.Statement {
		if st.Effect != "Allow" {
			t.Errorf("statement with effect %q", st.Effect)
		}
		for _, a := range st.Action {
			if strings.Contains(a, "*") {
				t.Errorf("wildcard action %q is not least privilege", a)
			}
			granted = append(granted, a)
		}
	}
	sort.Strings(granted)
	if got, want := strings.Join(granted, " "), strings.Join(IAMActions(), " "); got != want {
		t.Errorf("policy grants\n  %s\nthe scanner's allow-list needs\n  %s", got, want)
	}
	fx := newFixture(t, everyCallEstate, nil, func(o *Options) { o.OrgAccounts = true })
	col := &scanners.Collector{}
	if err := fx.scanner.Scan(context.Background(), col); err != nil {
		t.Fatal(err)
	}
	if _, _, gaps := col.Snapshot(); len(gaps) != 0 {
		t.Errorf("gaps: %+v", gaps)
	}
	grantedSet := map[string]bool{}
	for _, a := range granted {
		grantedSet[a] = true
	}
	seen := map[string]bool{}
	for _, r := range fx.sim.Requests() {
		action := r.Service + ":" + r.Action
		seen[action] = true
		if !grantedSet[action] {
			t.Errorf("the scan sent %s, which the policy does not grant", action)
		}
	}
	// Every action of the allow-list must have been sent.
	for _, want := range IAMActions() {
		if !seen[want] {
			t.Errorf("the scan never sent %s: the test estate does not exercise it", want)
		}
	}
}

// everyCallEstate holds at least one resource of every kind, a member
// account and an organization, so that a scan of it (with OrgAccounts)
// sends every operation on the allow-list.
const everyCallEstate = `
aws:
  caller_account: "111111111111"
  management_account: "111111111111"
  accounts:
    - id: "111111111111"
      org_status: ACTIVE
      regions:
        - name: us-east-1
          instances:
            - {id: i-0000000000000000a, type: m5.large, state: running, launched: -100d}
          volumes:
            - {id: vol-0000000000000001, size_gib: 100, type: gp2, attached_to: i-0000000000000000a, created: -100d}
          addresses:
            - {allocation_id: eipalloc-00000000000000001, public_ip: 203.0.113.1}
          snapshots:
            - {id: snap-00000000000000001, volume_id: vol-0000000000000001, size_gib: 100, started: -20d}
          images:
            - {id: ami-00000000000000001, state: disabled, created: -20d, snapshot_ids: [snap-00000000000000001]}
          launch_templates:
            - {id: lt-00000000000000001, name: web, versions: [{image_id: ami-00000000000000001, instance_type: t3.micro}]}
          nat_gateways:
            - {id: nat-00000000000000001, created: -20d}
          load_balancers:
            - name: web
              listeners: [{port: 80}]
              target_groups: [{name: web, targets: [{id: i-0000000000000000a}]}]
          classic_load_balancers:
            - {name: legacy, instances: [{id: i-0000000000000000a}]}
          db_instances:
            - {id: orders, class: db.t3.micro}
          db_snapshots:
            - {id: orders-1, db_instance_id: orders}
          log_groups:
            - {name: /aws/lambda/x}
    - id: "222222222222"
      org_status: ACTIVE
      regions:
        - name: eu-west-1
`

func TestScanRecordsWhatAWSReports(t *testing.T) {
	t.Parallel()
	fx := newFixture(t, fmt.Sprintf(normalEstate, "eu-west-1"), nil, nil)
	col := &scanners.Collector{}
	if err := fx.scanner.Scan(context.Background(), col); err != nil {
		t.Fatal(err)
	}
	res, _, gaps := col.Snapshot()
	if len(gaps) != 0 {
		t.Fatalf("gaps: %+v", gaps)
	}
	by := map[string]scanners.Resource{}
	for _, r := range res {
		by[r.ID] = r
	}
	v := by["vol-0000000000000001"]
	if v.Kind != KindVolume || v.State != "in-use" || v.Attr(AttrVolumeType) != "gp2" || v.Attr(AttrSizeGiB) != "100" ||
		v.Attr(AttrAttachedTo) != "i-0000000000000000a" || len(v.Relations) != 1 || v.Account != "111111111111" || v.Region != "us-east-1" {
		t.Errorf("attached gp2 volume: %+v", v)
	}
	if v.Created == nil || !v.Created.Equal(testNow.Add(-100*24*time.Hour)) {
		t.Errorf("created: %v", v.Created)
	}
	if s := by["vol-0000000000000002"]; s.State != "available" || s.Name != "scratch" {
		t.Errorf("unattached volume: %+v", s)
	}
	if a := by["eipalloc-00000000000000001"]; a.Kind != KindAddress || a.State != "unassociated" || a.Attr(AttrPublicIP) != "203.0.113.1" {
		t.Errorf("address: %+v", a)
	}
	if i := by["i-0000000000000000b"]; i.State != "stopped" || !strings.HasPrefix(i.Attr(AttrStateReason), "User initiated (") {
		t.Errorf("stopped instance: %+v", i)
	}
	if sc := by["vol-0000000000000005"]; sc.Account != "222222222222" {
		t.Errorf("member account volume: %+v", sc)
	}
}

func TestThrottlingIsRetriedThenBecomesAGap(t *testing.T) {
	t.Parallel()
	// Two throttled answers are absorbed by the retryer.
	est := strings.Replace(fmt.Sprintf(normalEstate, "eu-west-1"), "        - name: us-east-1\n          instances:", "        - name: us-east-1\n          faults: {throttle: {DescribeVolumes: 2}}\n          instances:", 1)
	fx := newFixture(t, est, nil, nil)
	col := &scanners.Collector{}
	if err := fx.scanner.Scan(context.Background(), col); err != nil {
		t.Fatal(err)
	}
	res, _, gaps := col.Snapshot()
	if len(gaps) != 0 || len(res) != normalResources {
		t.Fatalf("with retries: %d resources, gaps %+v", len(res), gaps)
	}
	// More throttling than attempts: a throttled gap for that scope only.
	est = strings.Replace(est, "DescribeVolumes: 2", "DescribeVolumes: 50", 1)
	fx = newFixture(t, est, nil, func(o *Options) { o.MaxAttempts = 3 })
	col = &scanners.Collector{}
	if err := fx.scanner.Scan(context.Background(), col); err != nil {
		t.Fatal(err)
	}
	res, _, gaps = col.Snapshot()
	if len(gaps) != 1 || gaps[0].Reason != scanners.ReasonThrottled || gaps[0].Operation != "ec2:DescribeVolumes" || gaps[0].Region != "us-east-1" {
		t.Fatalf("gaps: %+v", gaps)
	}
	// 111111111111/us-east-1 loses its two volumes; every other scope is whole.
	if len(res) != normalResources-2 {
		t.Errorf("resources: %d, want %d", len(res), normalResources-2)
	}
}

func TestUnassumableAccountIsAGap(t *testing.T) {
	t.Parallel()
	est := strings.Replace(fmt.Sprintf(normalEstate, "eu-west-1"), `    - id: "222222222222"`, `    - id: "222222222222"`+"\n      assume_role: deny", 1)
	fx := newFixture(t, est, nil, nil)
	col := &scanners.Collector{}
	if err := fx.scanner.Scan(context.Background(), col); err != nil {
		t.Fatal(err)
	}
	res, _, gaps := col.Snapshot()
	if len(gaps) != 1 || gaps[0].Account != "222222222222" || gaps[0].Reason != scanners.ReasonDenied || gaps[0].Operation != "sts:AssumeRole" {
		t.Fatalf("gaps: %+v", gaps)
	}
	for _, r := range res {
		if r.Account == "222222222222" {
			t.Errorf("resource from the unassumable account: %s", r.Key())
		}
	}
}

func TestNoCredentials(t *testing.T) {
	t.Parallel()
	fx := newFixture(t, fmt.Sprintf(normalEstate, "eu-west-1"), nil, func(o *Options) {
		o.Credentials = aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{}, errors.New("no EC2 IMDS role found")
		})
	})
	err := fx.scanner.Scan(context.Background(), &scanners.Collector{})
	if !errors.Is(err, scanners.ErrNoCredentials) {
		t.Fatalf("error %v does not wrap ErrNoCredentials", err)
	}
	if !strings.Contains(err.Error(), "AWS_PROFILE") {
		t.Errorf("the error does not say how to provide credentials: %v", err)
	}
}

func TestConfiguredRegions(t *testing.T) {
	t.Parallel()
	fx := newFixture(t, fmt.Sprintf(normalEstate, "eu-west-1"), nil, func(o *Options) { o.Regions = []string{"eu-west-1"}; o.Accounts = nil })
	col := &scanners.Collector{}
	if err := fx.scanner.Scan(context.Background(), col); err != nil {
		t.Fatal(err)
	}
	res, _, _ := col.Snapshot()
	if len(res) != 3 {
		t.Errorf("eu-west-1 only: %d resources, want 3", len(res))
	}
	for _, r := range fx.sim.Requests() {
		if r.Action == "DescribeRegions" {
			t.Error("DescribeRegions was called although regions were configured")
		}
	}
}

// TestEndpointEnvironment checks that the standard AWS_ENDPOINT_URL_<SERVICE>
// variables route the scanner, as `ghostaudit sim` tells users to set them.
func TestEndpointEnvironment(t *testing.T) {
	est, _ := estate.Parse("e.yaml", []byte(fmt.Sprintf(normalEstate, "eu-west-1")))
	awsEst, _, _ := awssim.Load(est)
	sim := awssim.New(awsEst, awssim.Options{Now: func() time.Time { return testNow }})
	srv := httptest.NewServer(sim)
	defer srv.Close()
	// One variable per service the scanner calls, as the SDK names them
	// (the service ID, upper case, spaces as underscores).
	for _, svc := range []string{"EC2", "STS", "CLOUDWATCH", "CLOUDWATCH_LOGS", "ELASTIC_LOAD_BALANCING",
		"ELASTIC_LOAD_BALANCING_V2", "RDS"} {
		t.Setenv("AWS_ENDPOINT_URL_"+svc, srv.URL)
	}
	t.Setenv("AWS_ACCESS_KEY_ID", awssim.AccessKeyID)
	t.Setenv("AWS_SECRET_ACCESS_KEY", awssim.SecretAccessKey)
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_CONFIG_FILE", os.DevNull)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", os.DevNull)
	if c := detectCredentials(NewOptions(), os.Getenv); !c.Found {
		t.Fatalf("credentials in the environment not detected: %+v", c)
	}
	s, err := New(NewOptions(), scanners.Env{Now: func() time.Time { return testNow }})
	if err != nil {
		t.Fatal(err)
	}
	col := &scanners.Collector{}
	if err := s.Scan(context.Background(), col); err != nil {
		t.Fatal(err)
	}
	if res, _, gaps := col.Snapshot(); len(res) != 8 || len(gaps) != 0 {
		t.Fatalf("caller account only: %d resources, gaps %+v", len(res), gaps)
	}
}

func TestOptionsValidateAndRedact(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		mod  func(*Options)
		want string
	}{
		{func(o *Options) { o.Accounts = []string{"12345"} }, "aws.accounts"},
		{func(o *Options) { o.Regions = []string{"mars-1"} }, "aws.regions"},
		{func(o *Options) { o.PageSize = 1000 }, "aws.page_size"},
		{func(o *Options) { o.MaxAttempts = 0 }, "aws.max_attempts"},
		{func(o *Options) { o.EndpointURL = "ftp://x" }, "aws.endpoint_url"},
		{func(o *Options) { o.RateLimit = -1 }, "aws.rate_limit"},
		{func(o *Options) { o.RoleName = ""; o.OrgAccounts = true }, "aws.role_name"},
	} {
		o := NewOptions()
		tc.mod(o)
		if err := o.Validate(); err == nil || !strings.HasPrefix(err.Error(), tc.want+":") {
			t.Errorf("got %v, want an error naming %s", err, tc.want)
		}
	}
	o := NewOptions()
	o.ExternalID = "s3cr3t-external-id"
	b, _ := json.Marshal(o.Redacted())
	if strings.Contains(string(b), "s3cr3t") {
		t.Errorf("redacted options leak the external ID: %s", b)
	}
}
