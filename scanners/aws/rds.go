package aws

import (
	"context"
	"fmt"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/ghostaudit/ghostaudit/findings/pricing"
	"github.com/ghostaudit/ghostaudit/scanners"
)

// Attribute keys of aws.rds.instance and aws.rds.snapshot resources.
const (
	AttrDBClass        = "class"
	AttrEngine         = "engine"
	AttrStatus         = "status"
	AttrAllocatedGiB   = "allocated_gib"
	AttrStorageType    = "storage_type"
	AttrMultiAZ        = "multi_az"
	AttrDBInstanceID   = "db_instance_id"
	AttrSnapshotType   = "snapshot_type"
	AttrSourceSnapshot = "source_snapshot" // SourceDBSnapshotIdentifier: the ARN a cross-account or cross-region copy was copied from
	AttrSourceRegion   = "source_region"   // SourceRegion: the region the snapshot was created in or copied from
	RelationSourceInst = "source-instance"
)

// dbWindowDays is the idle RDS look-back (Custodian's and Compute
// Optimizer's 14 days, research/aws.md §2.4).
const dbWindowDays = 14

// dbInstances lists RDS DB instances.
//
// aws.rds.instance (ID = DBInstanceIdentifier): class, engine, status,
// allocated_gib, storage_type, multi_az, iops; Created =
// InstanceCreateTime; for available instances DatabaseConnections Maximum
// over dbWindowDays (AWS/RDS, DBInstanceIdentifier).
func (sc *scope) dbInstances(ctx context.Context) error {
	p := rds.NewDescribeDBInstancesPaginator(sc.rds, &rds.DescribeDBInstancesInput{MaxRecords: sc.pageSizeIn(20, 100)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("rds DescribeDBInstances %s: %w", sc.region, err)
		}
		for _, db := range page.DBInstances {
			tags, name := rdsTags(db.TagList)
			id := aws.ToString(db.DBInstanceIdentifier)
			if name == "" {
				name = id
			}
			status := aws.ToString(db.DBInstanceStatus)
			attrs := map[string]string{
				AttrDBClass:     aws.ToString(db.DBInstanceClass),
				AttrEngine:      aws.ToString(db.Engine),
				AttrStatus:      status,
				AttrStorageType: aws.ToString(db.StorageType),
			}
			if db.AllocatedStorage != nil {
				attrs[AttrAllocatedGiB] = strconv.Itoa(int(*db.AllocatedStorage))
			}
			if db.MultiAZ != nil {
				attrs[AttrMultiAZ] = strconv.FormatBool(*db.MultiAZ)
			}
			if db.Iops != nil {
				attrs[AttrIOPS] = strconv.Itoa(int(*db.Iops))
			}
			r := scanners.Resource{
				Kind: KindDBInstance, ID: id, Name: name, Tags: tags, State: status,
				Created: timePtr(db.InstanceCreateTime), Attributes: clean(attrs),
			}
			// Only an instance whose compute is billed (available, backing-up,
			// storage-optimization...) can be idle at a cost.
			if !pricing.DBInstanceComputeBilled(status) {
				sc.emit(r)
				continue
			}
			sc.withMetrics(r, "AWS/RDS", "DBInstanceIdentifier", id, dbWindowDays, metricSpec{"DatabaseConnections", "Maximum", "Count"})
		}
	}
	return nil
}

// dbSnapshots lists manual DB snapshots (automated ones expire with the
// instance's backup retention and are not the audit's concern).
//
// aws.rds.snapshot (ID = DBSnapshotIdentifier): db_instance_id,
// allocated_gib, storage_type, status, snapshot_type, source_snapshot,
// source_region; Created = SnapshotCreateTime; relation source-instance →
// the aws.rds.instance key, except for a cross-account or cross-region
// copy, whose DBInstanceIdentifier names an instance of the account or
// region it was copied from (dbSnapshotCopy).
func (sc *scope) dbSnapshots(ctx context.Context) error {
	p := rds.NewDescribeDBSnapshotsPaginator(sc.rds, &rds.DescribeDBSnapshotsInput{
		SnapshotType: aws.String("manual"), MaxRecords: sc.pageSizeIn(20, 100),
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("rds DescribeDBSnapshots %s: %w", sc.region, err)
		}
		for _, sn := range page.DBSnapshots {
			tags, name := rdsTags(sn.TagList)
			id := aws.ToString(sn.DBSnapshotIdentifier)
			if name == "" {
				name = id
			}
			src := aws.ToString(sn.DBInstanceIdentifier)
			attrs := map[string]string{
				AttrDBInstanceID:   src,
				AttrStorageType:    aws.ToString(sn.StorageType),
				AttrStatus:         aws.ToString(sn.Status),
				AttrSnapshotType:   aws.ToString(sn.SnapshotType),
				AttrSourceSnapshot: aws.ToString(sn.SourceDBSnapshotIdentifier),
				AttrSourceRegion:   aws.ToString(sn.SourceRegion),
			}
			if sn.AllocatedStorage != nil {
				attrs[AttrAllocatedGiB] = strconv.Itoa(int(*sn.AllocatedStorage))
			}
			var rels []scanners.Relation
			if src != "" && !dbSnapshotCopy(aws.ToString(sn.SourceDBSnapshotIdentifier), aws.ToString(sn.SourceRegion), sc.region) {
				rels = append(rels, scanners.Relation{Type: RelationSourceInst, Key: sc.key(KindDBInstance, src)})
			}
			sc.emit(scanners.Resource{
				Kind: KindDBSnapshot, ID: id, Name: name, Tags: tags, State: aws.ToString(sn.Status),
				Created: timePtr(sn.SnapshotCreateTime), Attributes: clean(attrs), Relations: rels,
			})
		}
	}
	return nil
}

// dbSnapshotCopy reports whether a DB snapshot was copied from another
// account or region: SourceDBSnapshotIdentifier "only has a value in the
// case of a cross-account or cross-Region copy", and SourceRegion is "The
// Amazon Web Services Region that the DB snapshot was created in or
// copied from" (DBSnapshot data type).
func dbSnapshotCopy(sourceSnapshot, sourceRegion, region string) bool {
	return sourceSnapshot != "" || sourceRegion != "" && sourceRegion != region
}

func rdsTags(tags []rdstypes.Tag) (map[string]string, string) {
	m := keyValues(tags, func(t rdstypes.Tag) (*string, *string) { return t.Key, t.Value })
	return m, m["Name"]
}
