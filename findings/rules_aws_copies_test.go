package findings

import (
	"strings"
	"testing"

	"github.com/ghostaudit/ghostaudit/scanners"
)

// TestSnapshotCopiesAreNotOrphans: AWS gives a snapshot copy "an
// arbitrary volume ID", so a snapshot with a transfer_type (set only on
// copies) is never "a snapshot of a deleted volume", whatever its volume
// id; an old copy is still an old snapshot.
func TestSnapshotCopiesAreNotOrphans(t *testing.T) {
	t.Parallel()
	inv := &scanners.Inventory{ScannedAt: testNow, Resources: []scanners.Resource{
		res(kindAWSSnapshot, "snap-copy", "completed", daysAgo(30), map[string]string{"volume_id": "vol-0a1b2c3d4e5f60718", "size_gib": "10", "transfer_type": "standard"}),
		res(kindAWSSnapshot, "snap-copy-old", "completed", daysAgo(200), map[string]string{"volume_id": "vol-0a1b2c3d4e5f60719", "size_gib": "10", "transfer_type": "time-based"}),
		res(kindAWSSnapshot, "snap-ffff", "completed", daysAgo(30), map[string]string{"volume_id": "vol-ffffffff", "size_gib": "10"}),
		res(kindAWSSnapshot, "snap-orphan", "completed", daysAgo(30), map[string]string{"volume_id": "vol-0a1b2c3d4e5f60720", "size_gib": "10"}),
	}}
	e, _ := engine(t, nil)
	got := byResource(e.Run(inv))
	for _, k := range []string{"aws.ebs.snapshot_orphaned snap-copy", "aws.ebs.snapshot_orphaned snap-copy-old", "aws.ebs.snapshot_orphaned snap-ffff"} {
		if _, ok := got[k]; ok {
			t.Errorf("%s: a copy was reported as a snapshot of a deleted volume", k)
		}
	}
	if _, ok := got["aws.ebs.snapshot_orphaned snap-orphan"]; !ok {
		t.Error("the genuine orphan was not reported")
	}
	f, ok := got["aws.ebs.snapshot_old snap-copy-old"]
	if !ok {
		t.Fatal("an old copy was not reported as old")
	}
	for _, ev := range f.Evidence {
		if ev.Name == "source_volume" && !strings.Contains(ev.Value, "copy") {
			t.Errorf("old copy's source_volume evidence: %q", ev.Value)
		}
	}
}

// TestRDSSnapshotCopiesAreNotOrphans: a cross-account or cross-region DB
// snapshot copy names a source instance of another account or region, so
// its absence here says nothing; an old copy is still old.
func TestRDSSnapshotCopiesAreNotOrphans(t *testing.T) {
	t.Parallel()
	inv := &scanners.Inventory{ScannedAt: testNow, Resources: []scanners.Resource{
		res(kindAWSDBSnapshot, "cross-account", "available", daysAgo(40), map[string]string{"db_instance_id": "orders", "allocated_gib": "20",
			"source_snapshot": "arn:aws:rds:us-east-1:222222222222:snapshot:orders-nightly", "source_region": "us-east-1"}),
		res(kindAWSDBSnapshot, "cross-region", "available", daysAgo(40), map[string]string{"db_instance_id": "orders", "allocated_gib": "20", "source_region": "eu-west-1"}),
		res(kindAWSDBSnapshot, "cross-region-old", "available", daysAgo(200), map[string]string{"db_instance_id": "orders", "allocated_gib": "20", "source_region": "eu-west-1"}),
		res(kindAWSDBSnapshot, "created-here", "available", daysAgo(40), map[string]string{"db_instance_id": "gone-db", "allocated_gib": "20", "source_region": "us-east-1"}),
	}}
	e, _ := engine(t, nil)
	got := byResource(e.Run(inv))
	for _, k := range []string{"cross-account", "cross-region"} {
		if f, ok := got["aws.rds.snapshot_old_or_orphaned "+k]; ok {
			t.Errorf("%s reported: %s", k, f.Title)
		}
	}
	if f := got["aws.rds.snapshot_old_or_orphaned cross-region-old"]; !strings.Contains(f.Title, "days old") || f.Confidence != Low {
		t.Errorf("old copy: %q (%s)", f.Title, f.Confidence)
	}
	if f := got["aws.rds.snapshot_old_or_orphaned created-here"]; !strings.Contains(f.Title, "no longer exists") {
		t.Errorf("snapshot created in this region of a deleted instance: %q", f.Title)
	}
}

// TestManagedResourceFindingsPointAtTheService: a finding on a resource an
// AWS service manages (managed_by, e.g. EKS Auto Mode) says so and sends
// the change through that service; an unmanaged one is unchanged.
func TestManagedResourceFindingsPointAtTheService(t *testing.T) {
	t.Parallel()
	vol := func(id, managedBy string) scanners.Resource {
		a := map[string]string{"volume_type": "gp3", "size_gib": "100"}
		if managedBy != "" {
			a["managed_by"] = managedBy
		}
		return res(kindAWSVolume, id, "available", daysAgo(60), a)
	}
	inv := &scanners.Inventory{ScannedAt: testNow, Resources: []scanners.Resource{vol("vol-managed", "eks.amazonaws.com"), vol("vol-plain", "")}}
	e, _ := engine(t, nil)
	got := byResource(e.Run(inv))
	m, p := got["aws.ebs.unattached vol-managed"], got["aws.ebs.unattached vol-plain"]
	if !strings.HasPrefix(m.Action, "Managed by eks.amazonaws.com:") || !strings.Contains(evidence(m, "managed_by"), "eks.amazonaws.com") || m.Effort != Medium {
		t.Errorf("managed volume: action %q, evidence %q, effort %s", m.Action, evidence(m, "managed_by"), m.Effort)
	}
	if strings.Contains(p.Action, "Managed by") || evidence(p, "managed_by") != "" {
		t.Errorf("unmanaged volume: action %q", p.Action)
	}
}
