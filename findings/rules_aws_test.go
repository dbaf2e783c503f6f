package findings

import (
	"testing"
	"time"

	"github.com/ghostaudit/ghostaudit/scanners"
)

// res builds a resource in account 1, us-east-1.
func res(kind, id, state string, created *time.Time, attrs map[string]string, metrics ...scanners.Metric) scanners.Resource {
	return scanners.Resource{Provider: "aws", Account: "1", Region: "us-east-1", Kind: kind, ID: id, Name: id, State: state,
		Created: created, Attributes: attrs, Metrics: metrics}
}

func series(name, stat string, v float64, days int) scanners.Metric {
	daily := make([]float64, days)
	for i := range daily {
		daily[i] = v
	}
	return scanners.Metric{Name: name, Stat: stat, WindowDays: days, Points: days, Daily: daily}
}

func withDay(m scanners.Metric, i int, v float64) scanners.Metric {
	m.Daily = append([]float64(nil), m.Daily...)
	m.Daily[i] = v
	return m
}

func key(kind, id string) string { return scanners.MakeKey("aws", "1", "us-east-1", kind, id) }

// TestAWSRules runs every AWS rule over one inventory with positives and
// the tricky negatives, and checks each saving against hand-computed
// us-east-1 list prices.
func TestAWSRules(t *testing.T) {
	t.Parallel()
	stoppedAt := func(days int) map[string]string {
		return map[string]string{"instance_type": "t3.large", "stopped_at": testNow.Add(-time.Duration(days) * 24 * time.Hour).Format(time.RFC3339)}
	}
	quietNet := series("NetworkIn", "Sum", 1e6, 14)
	inv := &scanners.Inventory{ScannedAt: testNow, Resources: []scanners.Resource{
		// EC2 idle: peak CPU 2 %, 2 MB/day → 0.096 × 730 = 70.08.
		res(kindAWSInstance, "i-idle", "running", daysAgo(100), map[string]string{"instance_type": "m5.large"},
			series("CPUUtilization", "Maximum", 2, 14), quietNet, series("NetworkOut", "Sum", 1e6, 14)),
		// one busy day: not idle
		res(kindAWSInstance, "i-busy", "running", daysAgo(100), map[string]string{"instance_type": "m5.large"},
			withDay(series("CPUUtilization", "Maximum", 2, 14), 6, 60), quietNet, series("NetworkOut", "Sum", 1e6, 14)),
		// younger than the lookback: skipped
		res(kindAWSInstance, "i-young", "running", daysAgo(5), map[string]string{"instance_type": "m5.large"},
			series("CPUUtilization", "Maximum", 0, 14), quietNet, series("NetworkOut", "Sum", 0, 14)),
		// no metrics (GetMetricData denied): never guessed idle
		res(kindAWSInstance, "i-nometrics", "running", daysAgo(100), map[string]string{"instance_type": "m5.large"}),
		// stopped 45 days with a 100 GiB gp2 volume and an EIP
		res(kindAWSInstance, "i-stopped", "stopped", daysAgo(300), stoppedAt(45)),
		{Provider: "aws", Account: "1", Region: "us-east-1", Kind: kindAWSVolume, ID: "vol-onstopped", State: "in-use", Created: daysAgo(300),
			Attributes: map[string]string{"volume_type": "gp2", "size_gib": "100"}, Relations: []scanners.Relation{{Type: "attached-to", Key: key(kindAWSInstance, "i-stopped")}}},
		res(kindAWSAddress, "eipalloc-stopped", "associated", nil, map[string]string{"instance_id": "i-stopped", "public_ip": "198.51.100.9"}),
		// stopped only 3 days: nothing yet
		res(kindAWSInstance, "i-pause", "stopped", daysAgo(300), stoppedAt(3)),
		res(kindAWSAddress, "eipalloc-pause", "associated", nil, map[string]string{"instance_id": "i-pause", "public_ip": "198.51.100.8"}),
		// previous generation: m4.large 0.10 vs m5.large 0.096 → 0.004 × 730 = 2.92
		res(kindAWSInstance, "i-old", "running", daysAgo(900), map[string]string{"instance_type": "m4.large"}),
		// Windows with SQL Server Enterprise: licence inventory, $0
		res(kindAWSInstance, "i-sql", "running", daysAgo(900), map[string]string{"instance_type": "r5.xlarge", "usage_operation": "RunInstances:0102"}),
		// io1 → gp3: 12.50 + 3000 × 0.065 = 207.50 vs 8.00 → 199.50
		res(kindAWSVolume, "vol-io1", "in-use", daysAgo(100), map[string]string{"volume_type": "io1", "size_gib": "100", "iops": "3000"}),
		// io1 above gp3's limit: io2, hygiene at $0
		res(kindAWSVolume, "vol-io1big", "in-use", daysAgo(100), map[string]string{"volume_type": "io1", "size_gib": "100", "iops": "20000"}),
		// snapshots: orphaned (5.00), used by a disabled AMI, used by a launch template, old (2.50), young orphan
		res(kindAWSSnapshot, "snap-orphan", "completed", daysAgo(30), map[string]string{"volume_id": "vol-gone", "size_gib": "100"}),
		res(kindAWSSnapshot, "snap-ami", "completed", daysAgo(400), map[string]string{"volume_id": "vol-gone2", "size_gib": "100"}),
		res(kindAWSImage, "ami-disabled", "disabled", daysAgo(400), map[string]string{"state": "disabled", "snapshot_ids": "snap-ami"}),
		res(kindAWSSnapshot, "snap-lt", "completed", daysAgo(400), map[string]string{"volume_id": "vol-gone3", "size_gib": "100"}),
		res(kindAWSLaunchTemplate, "lt-1", "", daysAgo(400), map[string]string{"snapshot_ids": "snap-lt,snap-other"}),
		res(kindAWSSnapshot, "snap-old", "completed", daysAgo(200), map[string]string{"volume_id": "vol-onstopped", "size_gib": "50"}),
		res(kindAWSSnapshot, "snap-young", "completed", daysAgo(2), map[string]string{"volume_id": "vol-gone4", "size_gib": "100"}),
		// NAT: 30 days without a byte → 0.045 × 730 = 32.85; one with traffic
		res(kindAWSNatGateway, "nat-idle", "available", daysAgo(60), nil, series("BytesOutToDestination", "Sum", 0, 30),
			series("BytesInFromSource", "Sum", 0, 30), series("BytesInFromDestination", "Sum", 0, 30), series("BytesOutToSource", "Sum", 0, 30)),
		res(kindAWSNatGateway, "nat-busy", "available", daysAgo(60), nil, withDay(series("BytesOutToDestination", "Sum", 0, 30), 29, 1000),
			series("BytesInFromSource", "Sum", 0, 30), series("BytesInFromDestination", "Sum", 0, 30), series("BytesOutToSource", "Sum", 0, 30)),
		// load balancers: no targets (16.425), quiet NLB (16.425, medium), busy ALB, Classic with no instance (18.25)
		res(kindAWSLoadBalancer, "alb-empty", "active", daysAgo(60), map[string]string{"type": "application", "targets": "0", "healthy_targets": "0"}),
		res(kindAWSLoadBalancer, "nlb-quiet", "active", daysAgo(60), map[string]string{"type": "network", "targets": "2", "healthy_targets": "2"},
			series("NewFlowCount", "Sum", 10, 7)),
		res(kindAWSLoadBalancer, "alb-busy", "active", daysAgo(60), map[string]string{"type": "application", "targets": "2", "healthy_targets": "2"},
			series("RequestCount", "Sum", 5000, 7)),
		res(kindAWSClassicLB, "clb-empty", "", daysAgo(60), map[string]string{"instances": "0", "healthy_instances": "0"}),
		// RDS (us-east-1 postgres db.t3.micro, 20 GiB gp2 by default): idle = 0.018 x 730 + 20 x 0.115 = 15.44;
		// stopped = storage only, 20 x 0.115 = 2.30
		res(kindAWSDBInstance, "db-idle", "available", daysAgo(60), map[string]string{"status": "available", "engine": "postgres", "class": "db.t3.micro", "allocated_gib": "20"},
			series("DatabaseConnections", "Maximum", 0, 14)),
		res(kindAWSDBInstance, "db-stopped", "stopped", daysAgo(60), map[string]string{"status": "stopped", "engine": "postgres", "class": "db.t3.micro", "allocated_gib": "20"}),
		// logs: 10 GB kept forever → 10 × 0.03 = 0.30; one with retention
		res(kindAWSLogGroup, "/app/big", "", daysAgo(400), map[string]string{"stored_bytes": "10000000000"}),
		res(kindAWSLogGroup, "/app/kept", "", daysAgo(400), map[string]string{"stored_bytes": "10000000000", "retention_days": "30"}),
	}}
	e, _ := engine(t, nil)
	r := e.Run(inv)
	got := byResource(r)
	want := map[string]string{
		"aws.ec2.idle i-idle":                          "70.08",
		"aws.ec2.stopped_long i-stopped":               "0",
		"aws.ebs.on_stopped_instance vol-onstopped":    "10",
		"aws.eip.on_stopped_instance eipalloc-stopped": "3.65",
		"aws.ec2.previous_gen i-old":                   "2.92",
		"aws.license.windows_sql i-sql":                "0",
		"aws.ebs.io1_to_gp3 vol-io1":                   "199.5",
		"aws.ebs.io1_to_io2 vol-io1big":                "0",
		"aws.ebs.snapshot_orphaned snap-orphan":        "5",
		"aws.ebs.snapshot_old snap-old":                "2.5",
		"aws.nat.idle nat-idle":                        "32.85",
		"aws.elb.idle alb-empty":                       "16.425",
		"aws.elb.idle nlb-quiet":                       "16.425",
		"aws.elb.classic_idle clb-empty":               "18.25",
		"aws.rds.idle db-idle":                         "15.44",
		"aws.rds.stopped db-stopped":                   "2.3",
		"aws.logs.no_retention /app/big":               "0.3",
	}
	for k, w := range want {
		f, ok := got[k]
		if !ok {
			t.Errorf("missing finding %s", k)
			continue
		}
		if w == "" {
			if f.Priced() || f.Unpriced == "" {
				t.Errorf("%s: want unpriced with a reason, got %v", k, f.MonthlySavings)
			}
			continue
		}
		wantSavings(t, f, w)
	}
	for k := range got {
		if _, ok := want[k]; !ok && k[:4] == "aws." {
			t.Errorf("unexpected finding %s", k)
		}
	}
	if c := got["aws.elb.idle nlb-quiet"].Confidence; c != Medium {
		t.Errorf("a low-traffic NLB is %s confidence, want medium", c)
	}
	if c := got["aws.elb.idle alb-empty"].Confidence; c != High {
		t.Errorf("an ALB with no targets is %s confidence, want high", c)
	}
	if m := got["aws.ec2.stopped_long i-stopped"].MonthlyCost; m == nil || !m.Equal(d("13.65")) {
		t.Errorf("stopped instance's monthly cost (volume + EIP) = %v, want 13.65", m)
	}
}

// TestMissingDaysAreNotIdle: a day without a datapoint reads 0 but is
// not an idle day (the instance may have been stopped).
func TestMissingDaysAreNotIdle(t *testing.T) {
	t.Parallel()
	cpu := series("CPUUtilization", "Maximum", 0, 14)
	cpu.Points = 10
	inv := &scanners.Inventory{ScannedAt: testNow, Resources: []scanners.Resource{
		res(kindAWSInstance, "i-gappy", "running", daysAgo(100), map[string]string{"instance_type": "m5.large"},
			cpu, series("NetworkIn", "Sum", 0, 14), series("NetworkOut", "Sum", 0, 14)),
	}}
	e, _ := engine(t, nil)
	if fs := e.Run(inv).Findings; len(fs) != 0 {
		t.Errorf("an instance with missing days was called idle: %+v", fs)
	}
}

// TestOrphanedSnapshotNeedsCoverage: a volume we could not list is not a deleted volume.
func TestOrphanedSnapshotNeedsCoverage(t *testing.T) {
	t.Parallel()
	inv := &scanners.Inventory{ScannedAt: testNow,
		Resources: []scanners.Resource{res(kindAWSSnapshot, "snap-1", "completed", daysAgo(30), map[string]string{"volume_id": "vol-1", "size_gib": "10"})},
		Gaps:      []scanners.Gap{{Scanner: "aws", Account: "1", Region: "us-east-1", Scope: "account 1 region us-east-1", Operation: "ec2:DescribeVolumes", Reason: scanners.ReasonDenied, Message: "denied"}},
	}
	e, _ := engine(t, nil)
	if fs := e.Run(inv).Findings; len(fs) != 0 {
		t.Errorf("a snapshot in an uncovered scope was reported: %+v", fs)
	}
}
