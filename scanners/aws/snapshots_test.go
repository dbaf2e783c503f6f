package aws

import (
	"testing"
	"time"
)

const storageEstate = `
aws:
  accounts:
    - id: "111111111111"
      regions:
        - name: us-east-1
          volumes:
            - {id: vol-0000000000000001, size_gib: 100, type: gp3, created: -100d}
          snapshots:
            - {id: snap-00000000000000001, volume_id: vol-0000000000000001, size_gib: 100, started: -200d, description: nightly}
            - {id: snap-00000000000000002, volume_id: vol-0000000000000009, size_gib: 8, started: -400d, storage_tier: archive}
            - {id: snap-00000000000000003, volume_id: vol-0000000000000009, size_gib: 8, started: -400d}
            - {id: snap-00000000000000004, volume_id: vol-0000000000000009, size_gib: 8, started: -30d}
            - {id: snap-00000000000000005, volume_id: vol-0000000000000009, size_gib: 8, started: -30d}
            - {id: snap-00000000000000006, volume_id: vol-0000000000000009, size_gib: 8, started: -30d, state: pending}
          images:
            - {id: ami-00000000000000001, name: old-base, state: disabled, created: -300d, snapshot_ids: [snap-00000000000000003, snap-00000000000000002]}
            - {id: ami-00000000000000002, name: web, created: -10d, snapshot_ids: [snap-00000000000000001]}
          launch_templates:
            - id: lt-00000000000000001
              name: web
              default_version: 2
              created: -50d
              versions:
                - {image_id: ami-00000000000000002, instance_type: t3.micro, snapshot_ids: [snap-00000000000000004]}
                - {image_id: ami-00000000000000001, instance_type: t3.micro, snapshot_ids: [snap-00000000000000005, snap-00000000000000004]}
            - id: lt-00000000000000002
              name: batch
              versions:
                - {image_id: ami-00000000000000002, instance_type: c5.large}
`

// TestSnapshotsImagesLaunchTemplates checks the EBS snapshot, AMI and
// launch template records, over several pages of each.
func TestSnapshotsImagesLaunchTemplates(t *testing.T) {
	t.Parallel()
	r := scanEstate(t, storageEstate, func(o *Options) { o.PageSize = 5 })
	noGaps(t, r)

	sn := r.get(t, KindSnapshot, "snap-00000000000000001")
	wantAttrs(t, sn, map[string]string{AttrVolumeID: "vol-0000000000000001", AttrSizeGiB: "100", AttrStorageTier: "standard",
		AttrState: "completed", AttrDescription: "nightly"})
	if sn.Created == nil || !sn.Created.Equal(testNow.Add(-200*24*time.Hour)) {
		t.Errorf("snapshot created: %v", sn.Created)
	}
	if len(sn.Relations) != 1 || sn.Relations[0].Type != RelationSourceVolume ||
		sn.Relations[0].Key != "aws/111111111111/us-east-1/aws.ebs.volume/vol-0000000000000001" {
		t.Errorf("snapshot relations: %+v", sn.Relations)
	}
	wantAttrs(t, r.get(t, KindSnapshot, "snap-00000000000000002"), map[string]string{AttrStorageTier: "archive"})
	wantAttrs(t, r.get(t, KindSnapshot, "snap-00000000000000006"), map[string]string{AttrState: "pending"})
	if n := r.calls("DescribeSnapshots"); n < 2 {
		t.Errorf("DescribeSnapshots sent %d times; 6 snapshots with page size 5 need 2 pages", n)
	}

	// A disabled AMI is only returned with IncludeDisabled: its snapshots
	// are still in use and must be visible through it.
	old := r.get(t, KindImage, "ami-00000000000000001")
	wantAttrs(t, old, map[string]string{AttrState: "disabled", AttrName: "old-base",
		AttrSnapshotIDs: "snap-00000000000000002,snap-00000000000000003"})
	if old.Created == nil || !old.Created.Equal(testNow.Add(-300*24*time.Hour)) {
		t.Errorf("image created: %v", old.Created)
	}
	wantAttrs(t, r.get(t, KindImage, "ami-00000000000000002"), map[string]string{AttrState: "available", AttrSnapshotIDs: "snap-00000000000000001"})

	lt := r.get(t, KindLaunchTemplate, "lt-00000000000000001")
	wantAttrs(t, lt, map[string]string{AttrDefaultVersion: "2",
		AttrImageIDs:    "ami-00000000000000001,ami-00000000000000002",
		AttrSnapshotIDs: "snap-00000000000000004,snap-00000000000000005"})
	if lt.Name != "web" || lt.Created == nil {
		t.Errorf("launch template: %+v", lt)
	}
	wantAttrs(t, r.get(t, KindLaunchTemplate, "lt-00000000000000002"), map[string]string{AttrDefaultVersion: "1",
		AttrImageIDs: "ami-00000000000000002", AttrSnapshotIDs: ""})
	if n := r.calls("DescribeLaunchTemplateVersions"); n != 2 {
		t.Errorf("DescribeLaunchTemplateVersions sent %d times, want one per template", n)
	}
}
