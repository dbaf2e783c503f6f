package gcp

import (
	"testing"

	"github.com/ghostaudit/ghostaudit/scanners"
)

// recommendationsByID indexes the scanned recommendations by id.
func recommendationsByID(res []scanners.Resource) map[string]scanners.Resource {
	out := map[string]scanners.Resource{}
	for _, r := range res {
		if r.Kind == KindRecommendation {
			out[r.ID] = r
		}
	}
	return out
}

// TestSnapshotAndDeleteDiskTargetsTheDisk: Google's idle-disk
// recommendation SNAPSHOT_AND_DELETE_DISK first "add"s a snapshot, then
// "remove"s the disk, and may carry no targetResources or overview: the
// target is the disk, never the snapshot.
func TestSnapshotAndDeleteDiskTargetsTheDisk(t *testing.T) {
	t.Parallel()
	fx := newFixture(t, `
gcp:
  billing_accounts:
    - id: 012345-567890-ABCDEF
      projects:
        - id: acme-prod
          recommendations:
            - {id: bare, recommender: google.compute.disk.IdleResourceRecommender, location: us-central1-a, subtype: SNAPSHOT_AND_DELETE_DISK,
               omit_target_resources: true, target: //compute.googleapis.com/projects/acme-prod/zones/us-central1-a/disks/old-data, cost: "-20"}
            - {id: full, recommender: google.compute.disk.IdleResourceRecommender, location: us-central1-b, subtype: SNAPSHOT_AND_DELETE_DISK,
               target: //compute.googleapis.com/projects/acme-prod/zones/us-central1-b/disks/other, cost: "-20"}
            - {id: vm, recommender: google.compute.instance.IdleResourceRecommender, location: us-central1-a, subtype: STOP_VM,
               omit_target_resources: true, target: //compute.googleapis.com/projects/acme-prod/zones/us-central1-a/instances/vm-1, cost: "-20"}
`, nil, func(o *Options) { o.Compute = false })
	res, gaps := fx.scan(t)
	if len(gaps) != 0 {
		t.Fatalf("gaps: %+v", gaps)
	}
	recs := recommendationsByID(res)
	for id, want := range map[string][2]string{
		"bare": {"//compute.googleapis.com/projects/acme-prod/zones/us-central1-a/disks/old-data", "compute.googleapis.com/Disk"},
		"full": {"//compute.googleapis.com/projects/acme-prod/zones/us-central1-b/disks/other", "compute.googleapis.com/Disk"},
		"vm":   {"//compute.googleapis.com/projects/acme-prod/zones/us-central1-a/instances/vm-1", "compute.googleapis.com/Instance"},
	} {
		r, ok := recs[id]
		if !ok {
			t.Errorf("%s: not scanned", id)
			continue
		}
		if r.Attr(AttrTarget) != want[0] || r.Attr(AttrResourceType) != want[1] || r.Name != lastSegment(want[0]) {
			t.Errorf("%s: target %q type %q name %q, want %q %q", id, r.Attr(AttrTarget), r.Attr(AttrResourceType), r.Name, want[0], want[1])
		}
	}
}
