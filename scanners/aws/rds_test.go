package aws

import (
	"testing"
	"time"
)

const rdsEstate = `
aws:
  accounts:
    - id: "111111111111"
      regions:
        - name: eu-west-1
          db_instances:
            - id: orders
              class: db.m5.large
              engine: mysql
              allocated_gib: 200
              storage_type: io1
              multi_az: true
              created: -300d
              metrics:
                DatabaseConnections: {daily: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2]}
            - {id: reports, class: db.t3.micro, status: stopped, created: -300d}
          db_snapshots:
            - {id: orders-final, db_instance_id: orders-old, created: -100d, allocated_gib: 50}
            - {id: rds-auto-1, db_instance_id: orders, type: automated, created: -1d}
`

// TestRDS checks DB instances (with DatabaseConnections for available
// ones) and manual DB snapshots.
func TestRDS(t *testing.T) {
	t.Parallel()
	r := scanEstate(t, rdsEstate, nil)
	noGaps(t, r)

	db := r.get(t, KindDBInstance, "orders")
	wantAttrs(t, db, map[string]string{AttrDBClass: "db.m5.large", AttrEngine: "mysql", AttrStatus: "available", AttrAllocatedGiB: "200",
		AttrStorageType: "io1", AttrMultiAZ: "true"})
	if db.Created == nil || !db.Created.Equal(testNow.Add(-300*24*time.Hour)) || db.Region != "eu-west-1" {
		t.Errorf("orders: %+v", db)
	}
	m, ok := db.Metric("DatabaseConnections", "Maximum")
	if !ok || m.WindowDays != 14 || m.Points != 14 || m.Value != 2 || m.Daily[12] != 0 || m.Daily[13] != 2 {
		t.Errorf("DatabaseConnections: %+v %v", m, ok)
	}

	stopped := r.get(t, KindDBInstance, "reports")
	wantAttrs(t, stopped, map[string]string{AttrStatus: "stopped", AttrMultiAZ: "false", AttrAllocatedGiB: "20", AttrStorageType: "gp2"})
	if len(stopped.Metrics) != 0 {
		t.Errorf("a stopped instance was given metrics: %+v", stopped.Metrics)
	}

	sn := r.get(t, KindDBSnapshot, "orders-final")
	wantAttrs(t, sn, map[string]string{AttrDBInstanceID: "orders-old", AttrAllocatedGiB: "50", AttrStatus: "available", AttrSnapshotType: "manual"})
	if sn.Created == nil || len(sn.Relations) != 1 || sn.Relations[0].Type != RelationSourceInst ||
		sn.Relations[0].Key != "aws/111111111111/eu-west-1/aws.rds.instance/orders-old" {
		t.Errorf("snapshot: %+v", sn)
	}
	if _, ok := r.byID[KindDBSnapshot+"/rds-auto-1"]; ok {
		t.Error("an automated snapshot was listed")
	}
}
