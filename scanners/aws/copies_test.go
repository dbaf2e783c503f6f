package aws

import "testing"

const copiesEstate = `
aws:
  accounts:
    - id: "111111111111"
      regions:
        - name: eu-west-1
          volumes:
            - {id: vol-0000000000000001, size_gib: 8, type: gp3}
          snapshots:
            - {id: snap-0000000000000001, volume_id: vol-0000000000000001, size_gib: 8}
            - {id: snap-0000000000000002, volume_id: vol-0a1b2c3d4e5f60718, size_gib: 8, transfer_type: standard}
            - {id: snap-0000000000000003, volume_id: vol-0a1b2c3d4e5f60719, size_gib: 8, transfer_type: time-based}
            - {id: snap-0000000000000004, volume_id: vol-ffffffff, size_gib: 8}
            - {id: snap-0000000000000005, volume_id: vol-0a1b2c3d4e5f60720, size_gib: 8}
          db_snapshots:
            - {id: cross-account, db_instance_id: orders, source_snapshot: "arn:aws:rds:eu-west-1:222222222222:snapshot:orders-nightly"}
            - {id: cross-region, db_instance_id: orders, source_region: us-east-1}
            - {id: created-here, db_instance_id: reports, source_region: eu-west-1}
            - {id: plain, db_instance_id: reports}
`

// TestSnapshotCopies: a snapshot copy's VolumeId is arbitrary, so a
// snapshot with a TransferType (set only on copies) or vol-ffffffff gets
// no source-volume relation, whatever its volume id; transfer_type is kept.
func TestSnapshotCopies(t *testing.T) {
	t.Parallel()
	r := scanEstate(t, copiesEstate, nil)
	noGaps(t, r)
	for id, want := range map[string]struct {
		transfer string
		rel      bool
	}{
		"snap-0000000000000001": {"", true},
		"snap-0000000000000002": {"standard", false},
		"snap-0000000000000003": {"time-based", false},
		"snap-0000000000000004": {"", false},
		"snap-0000000000000005": {"", true},
	} {
		sn := r.get(t, KindSnapshot, id)
		wantAttrs(t, sn, map[string]string{AttrTransferType: want.transfer})
		if got := len(sn.Relations) == 1 && sn.Relations[0].Type == RelationSourceVolume; got != want.rel || len(sn.Relations) > 1 {
			t.Errorf("%s: relations %+v, want a source volume: %v", id, sn.Relations, want.rel)
		}
	}
}

// TestDBSnapshotCopies: a cross-account or cross-region copy (a
// SourceDBSnapshotIdentifier, or a SourceRegion other than the scope's)
// names a source instance of another account or region: no
// source-instance relation to this scope; source_snapshot and
// source_region are kept.
func TestDBSnapshotCopies(t *testing.T) {
	t.Parallel()
	r := scanEstate(t, copiesEstate, nil)
	noGaps(t, r)
	for id, want := range map[string]struct {
		source, region string
		rel            bool
	}{
		"cross-account": {"arn:aws:rds:eu-west-1:222222222222:snapshot:orders-nightly", "eu-west-1", false},
		"cross-region":  {"", "us-east-1", false},
		"created-here":  {"", "eu-west-1", true},
		"plain":         {"", "", true},
	} {
		sn := r.get(t, KindDBSnapshot, id)
		wantAttrs(t, sn, map[string]string{AttrSourceSnapshot: want.source, AttrSourceRegion: want.region})
		if got := len(sn.Relations) == 1 && sn.Relations[0].Type == RelationSourceInst; got != want.rel || len(sn.Relations) > 1 {
			t.Errorf("%s: relations %+v, want a source instance: %v", id, sn.Relations, want.rel)
		}
	}
}
