package awssim

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/ghostaudit/ghostaudit/scanners/estate"
)

const edgesEstate = `
aws:
  accounts:
    - id: "111111111111"
      managed_resource_visibility: hidden
      regions:
        - name: us-east-1
          instances:
            - {id: i-0000000000000001, type: t3.micro}
            - {id: i-0000000000000002, type: m5.large, managed: true}
          volumes:
            - {id: vol-0000000000000001, size_gib: 8, type: gp3}
            - {id: vol-0000000000000002, size_gib: 20, type: gp3, managed: true, managed_by: eks.amazonaws.com}
          launch_templates:
            - {id: lt-0000000000000001, name: web, versions: [{instance_type: t3.micro}]}
            - {id: lt-0000000000000002, name: eks-auto, managed: true, versions: [{instance_type: m5.large}]}
          snapshots:
            - {id: snap-0000000000000001, volume_id: vol-0123456789abcdef0, size_gib: 8, transfer_type: standard}
            - {id: snap-0000000000000002, volume_id: vol-0000000000000001, size_gib: 8}
        - name: eu-west-1
          managed_resource_visibility: visible
          volumes:
            - {id: vol-0000000000000003, size_gib: 8, type: gp3, managed: true}
          db_snapshots:
            - {id: dr-copy, db_instance_id: orders, source_snapshot: "arn:aws:rds:us-east-1:111111111111:snapshot:orders-nightly"}
            - {id: local, db_instance_id: reports, source_region: eu-west-1}
            - {id: plain, db_instance_id: reports}
      faults:
        unknown_parameters: [IncludeManagedResources]
    - id: "222222222222"
      regions:
        - name: us-east-1
          volumes:
            - {id: vol-0000000000000004, size_gib: 8, type: gp3, managed: true}
`

func newEdgesSim(t *testing.T, in string, wrap func(http.Handler) http.Handler) *httptest.Server {
	t.Helper()
	e, err := estate.Parse("edges.yaml", []byte(in))
	if err != nil {
		t.Fatal(err)
	}
	est, ok, err := Load(e)
	if err != nil || !ok {
		t.Fatalf("Load: %v %v", ok, err)
	}
	var h http.Handler = New(est, Options{Now: func() time.Time { return testNow }, Clock: func() time.Time { return testNow }})
	if wrap != nil {
		h = wrap(h)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

// TestManagedResourceVisibility: with visibility hidden, DescribeInstances,
// DescribeVolumes, DescribeLaunchTemplates and
// DescribeLaunchTemplateVersions leave managed resources out unless the
// request sets IncludeManagedResources, which the SDK sends as
// IncludeManagedResources=true; visible (the default, or a region's own
// setting) shows them always, with their operator.
func TestManagedResourceVisibility(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var forms []url.Values
	// Account 111111111111 refuses the parameter (unknown_parameters):
	// this test reads account 222222222222's and the hidden region's
	// behaviour through a copy of the estate without that fault.
	in := strings.Replace(edgesEstate, "      faults:\n        unknown_parameters: [IncludeManagedResources]\n", "", 1)
	srv := newEdgesSim(t, in, func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if err := r.ParseForm(); err == nil {
				mu.Lock()
				forms = append(forms, r.PostForm)
				mu.Unlock()
			}
			h.ServeHTTP(w, r)
		})
	})
	ctx := context.Background()
	c := ec2Client(srv, "us-east-1", nil)

	vols, err := c.DescribeVolumes(ctx, &ec2.DescribeVolumesInput{})
	if err != nil || len(vols.Volumes) != 1 || aws.ToString(vols.Volumes[0].VolumeId) != "vol-0000000000000001" || vols.Volumes[0].Operator != nil {
		t.Fatalf("hidden, without the parameter: %+v %v", vols, err)
	}
	_, err = c.DescribeVolumes(ctx, &ec2.DescribeVolumesInput{VolumeIds: []string{"vol-0000000000000002"}})
	wantAPIError(t, err, "InvalidVolume.NotFound", 400)
	vols, err = c.DescribeVolumes(ctx, &ec2.DescribeVolumesInput{IncludeManagedResources: aws.Bool(true)})
	if err != nil || len(vols.Volumes) != 2 {
		t.Fatalf("hidden, with the parameter: %+v %v", vols, err)
	}
	op := vols.Volumes[1].Operator
	if op == nil || !aws.ToBool(op.Managed) || aws.ToString(op.Principal) != "eks.amazonaws.com" || !aws.ToBool(op.HiddenByDefault) {
		t.Errorf("operator %+v", op)
	}
	mu.Lock()
	last := forms[len(forms)-1]
	mu.Unlock()
	if got := last["IncludeManagedResources"]; len(got) != 1 || got[0] != "true" {
		t.Errorf("on the wire: IncludeManagedResources=%q (form %v)", got, last)
	}

	insts, err := c.DescribeInstances(ctx, &ec2.DescribeInstancesInput{})
	if err != nil || len(insts.Reservations) != 1 {
		t.Fatalf("instances hidden: %+v %v", insts, err)
	}
	insts, err = c.DescribeInstances(ctx, &ec2.DescribeInstancesInput{IncludeManagedResources: aws.Bool(true)})
	if err != nil || len(insts.Reservations) != 2 || insts.Reservations[1].Instances[0].Operator == nil {
		t.Fatalf("instances included: %+v %v", insts, err)
	}
	lts, err := c.DescribeLaunchTemplates(ctx, &ec2.DescribeLaunchTemplatesInput{})
	if err != nil || len(lts.LaunchTemplates) != 1 {
		t.Fatalf("templates hidden: %+v %v", lts, err)
	}
	lts, err = c.DescribeLaunchTemplates(ctx, &ec2.DescribeLaunchTemplatesInput{IncludeManagedResources: aws.Bool(true)})
	if err != nil || len(lts.LaunchTemplates) != 2 || lts.LaunchTemplates[1].Operator == nil {
		t.Fatalf("templates included: %+v %v", lts, err)
	}
	_, err = c.DescribeLaunchTemplateVersions(ctx, &ec2.DescribeLaunchTemplateVersionsInput{LaunchTemplateId: aws.String("lt-0000000000000002")})
	wantAPIError(t, err, "InvalidLaunchTemplateId.NotFound", 400)
	vers, err := c.DescribeLaunchTemplateVersions(ctx, &ec2.DescribeLaunchTemplateVersionsInput{LaunchTemplateId: aws.String("lt-0000000000000002"), IncludeManagedResources: aws.Bool(true)})
	if err != nil || len(vers.LaunchTemplateVersions) != 1 || vers.LaunchTemplateVersions[0].Operator == nil {
		t.Fatalf("versions included: %+v %v", vers, err)
	}

	// visible: the region's own setting, and the default of account 222222222222.
	vols, err = ec2Client(srv, "eu-west-1", nil).DescribeVolumes(ctx, &ec2.DescribeVolumesInput{})
	if err != nil || len(vols.Volumes) != 1 || vols.Volumes[0].Operator == nil || aws.ToBool(vols.Volumes[0].Operator.HiddenByDefault) {
		t.Fatalf("visible region: %+v %v", vols, err)
	}
	vols, err = ec2Client(srv, "us-east-1", assumed(t, srv, "222222222222")).DescribeVolumes(ctx, &ec2.DescribeVolumesInput{IncludeManagedResources: aws.Bool(false)})
	if err != nil || len(vols.Volumes) != 1 {
		t.Fatalf("visible by default: %+v %v", vols, err)
	}
}

// TestUnknownParameterFault: an EC2 request carrying a parameter listed in
// unknown_parameters is answered UnknownParameter; one without it is served.
func TestUnknownParameterFault(t *testing.T) {
	t.Parallel()
	srv := newEdgesSim(t, edgesEstate, nil)
	c := ec2Client(srv, "us-east-1", nil)
	_, err := c.DescribeVolumes(context.Background(), &ec2.DescribeVolumesInput{IncludeManagedResources: aws.Bool(true)})
	wantAPIError(t, err, "UnknownParameter", 400)
	if _, err := c.DescribeVolumes(context.Background(), &ec2.DescribeVolumesInput{}); err != nil {
		t.Fatal(err)
	}
	if _, err := ec2Client(srv, "us-east-1", assumed(t, srv, "222222222222")).DescribeVolumes(context.Background(),
		&ec2.DescribeVolumesInput{IncludeManagedResources: aws.Bool(true)}); err != nil {
		t.Fatalf("another account: %v", err)
	}
}

// TestCopiesOnTheWire: a snapshot copy's TransferType, and a DB snapshot's
// SourceDBSnapshotIdentifier and SourceRegion (defaulting to the source
// ARN's region), as the SDK reads them.
func TestCopiesOnTheWire(t *testing.T) {
	t.Parallel()
	srv := newEdgesSim(t, edgesEstate, nil)
	ctx := context.Background()
	snaps, err := ec2Client(srv, "us-east-1", nil).DescribeSnapshots(ctx, &ec2.DescribeSnapshotsInput{OwnerIds: []string{"self"}})
	if err != nil || len(snaps.Snapshots) != 2 {
		t.Fatalf("%+v %v", snaps, err)
	}
	if got := snaps.Snapshots[0].TransferType; got != "standard" {
		t.Errorf("copy TransferType %q", got)
	}
	if got := snaps.Snapshots[1].TransferType; got != "" {
		t.Errorf("snapshot of a volume: TransferType %q", got)
	}
	dbs, err := newClients(srv, "eu-west-1", nil).rds.DescribeDBSnapshots(ctx, &rds.DescribeDBSnapshotsInput{})
	if err != nil || len(dbs.DBSnapshots) != 3 {
		t.Fatalf("%+v %v", dbs, err)
	}
	want := map[string][2]string{
		"dr-copy": {"arn:aws:rds:us-east-1:111111111111:snapshot:orders-nightly", "us-east-1"},
		"local":   {"", "eu-west-1"},
		"plain":   {"", ""},
	}
	for _, sn := range dbs.DBSnapshots {
		got := [2]string{aws.ToString(sn.SourceDBSnapshotIdentifier), aws.ToString(sn.SourceRegion)}
		if w := want[aws.ToString(sn.DBSnapshotIdentifier)]; got != w {
			t.Errorf("%s: source %q, want %q", aws.ToString(sn.DBSnapshotIdentifier), got, w)
		}
	}
}

func TestLoadValidationEdges(t *testing.T) {
	t.Parallel()
	base := "aws:\n  accounts:\n    - id: \"111111111111\"\n      regions:\n        - name: us-east-1\n"
	cases := []struct{ name, in, want string }{
		{"visibility", "aws:\n  accounts:\n    - id: \"111111111111\"\n      managed_resource_visibility: secret\n", "managed_resource_visibility: \"secret\" is not visible or hidden"},
		{"region visibility", base + "          managed_resource_visibility: Hidden\n", "regions[0].managed_resource_visibility: \"Hidden\" is not visible or hidden"},
		{"managed_by", base + "          volumes:\n            - {id: vol-1, size_gib: 8, type: gp3, managed_by: eks.amazonaws.com}\n", "volumes[0].managed_by: only a managed resource"},
		{"transfer type", base + "          snapshots:\n            - {id: snap-1, size_gib: 8, transfer_type: fast}\n", "snapshots[0].transfer_type: \"fast\" is not standard or time-based"},
		{"source snapshot", base + "          db_snapshots:\n            - {id: a, db_instance_id: b, source_snapshot: orders-nightly}\n", "db_snapshots[0].source_snapshot: \"orders-nightly\" is not a DB snapshot ARN"},
		{"source region", base + "          db_snapshots:\n            - {id: a, db_instance_id: b, source_region: europe}\n", "db_snapshots[0].source_region: \"europe\" is not a region name"},
		{"unknown parameter", "aws:\n  accounts:\n    - id: \"111111111111\"\n      faults: {unknown_parameters: [include-managed]}\n", "faults.unknown_parameters[0]: \"include-managed\" is not a request parameter name"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e, err := estate.Parse("demo.yaml", []byte(tc.in))
			if err != nil {
				t.Fatal(err)
			}
			_, _, err = Load(e)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want it to contain %q", err, tc.want)
			}
		})
	}
}
