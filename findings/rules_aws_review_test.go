package findings

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ghostaudit/ghostaudit/scanners"
)

func evidence(f Finding, name string) string {
	for _, e := range f.Evidence {
		if e.Name == name {
			return e.Value
		}
	}
	return ""
}

// sparse is a Sum series of window days whose only datapoints are the
// given days (others read 0 and are not counted in Points), as the scanner
// writes an ELB counter that AWS publishes only on days with traffic.
func sparse(name string, window int, days map[int]float64) scanners.Metric {
	m := scanners.Metric{Name: name, Stat: "Sum", WindowDays: window, Daily: make([]float64, window)}
	for d, v := range days {
		m.Daily[d] = v
		m.Points++
	}
	return m
}

// TestLBHealthUnknownIsNotZero: a target or instance health count the
// scanner left out (the call failed) is unknown, not "none healthy".
func TestLBHealthUnknownIsNotZero(t *testing.T) {
	t.Parallel()
	busy := series("RequestCount", "Sum", 5000, 7)
	inv := &scanners.Inventory{ScannedAt: testNow, Resources: []scanners.Resource{
		// DescribeTargetHealth throttled: targets and healthy_targets absent, busy
		res(kindAWSLoadBalancer, "alb-throttled", "active", daysAgo(60), map[string]string{"type": "application", "target_groups": "1"}, busy),
		// only healthy_targets absent, busy
		res(kindAWSLoadBalancer, "alb-nohealth", "active", daysAgo(60), map[string]string{"type": "application", "target_groups": "1", "targets": "3"}, busy),
		// health unknown and quiet: the traffic check still applies (medium)
		res(kindAWSLoadBalancer, "alb-quiet", "active", daysAgo(60), map[string]string{"type": "application"}, series("RequestCount", "Sum", 1, 7)),
		// gateway LB, health unknown: no traffic metric, so no finding
		res(kindAWSLoadBalancer, "gwlb", "active", daysAgo(60), map[string]string{"type": "gateway"}),
		// Classic: DescribeInstanceHealth failed, busy
		res(kindAWSClassicLB, "clb-throttled", "", daysAgo(60), map[string]string{"instances": "2"}, busy),
	}}
	e, _ := engine(t, nil)
	got := byResource(e.Run(inv))
	for _, k := range []string{"aws.elb.idle alb-throttled", "aws.elb.idle alb-nohealth", "aws.elb.idle gwlb", "aws.elb.classic_idle clb-throttled"} {
		if f, ok := got[k]; ok {
			t.Errorf("%s reported from an unknown health count: %+v", k, f.Evidence)
		}
	}
	f, ok := got["aws.elb.idle alb-quiet"]
	if !ok {
		t.Fatal("a quiet ALB of unknown health was not reported by the traffic check")
	}
	if f.Confidence != Medium || !strings.Contains(evidence(f, "targets"), "unknown") {
		t.Errorf("alb-quiet: confidence %s, targets %q; want medium and unknown", f.Confidence, evidence(f, "targets"))
	}
}

// TestLBMissingDaysCountAsNoTraffic: ELB publishes RequestCount and
// NewFlowCount only on days with traffic, so an idle balancer that existed
// for the whole window is judged from a sparse series; one created inside
// the window, or whose metrics fetch failed, is not.
func TestLBMissingDaysCountAsNoTraffic(t *testing.T) {
	t.Parallel()
	inv := &scanners.Inventory{ScannedAt: testNow, Resources: []scanners.Resource{
		// no datapoint at all in 7 days
		res(kindAWSLoadBalancer, "alb-silent", "active", daysAgo(60), map[string]string{"type": "application", "targets": "2", "healthy_targets": "2"},
			sparse("RequestCount", 7, nil)),
		// a few requests on two days
		res(kindAWSLoadBalancer, "nlb-sparse", "active", daysAgo(60), map[string]string{"type": "network", "targets": "2", "healthy_targets": "2"},
			sparse("NewFlowCount", 7, map[int]float64{2: 3, 5: 4})),
		// sparse but one busy day
		res(kindAWSLoadBalancer, "alb-oneday", "active", daysAgo(60), map[string]string{"type": "application", "targets": "2", "healthy_targets": "2"},
			sparse("RequestCount", 7, map[int]float64{6: 50000})),
		// metrics fetch failed: no metrics at all, not judged
		res(kindAWSLoadBalancer, "alb-nometrics", "active", daysAgo(60), map[string]string{"type": "application", "targets": "2", "healthy_targets": "2"}),
		// creation unknown: cannot say it existed on the missing days
		res(kindAWSLoadBalancer, "alb-noage", "active", nil, map[string]string{"type": "application", "targets": "2", "healthy_targets": "2"},
			sparse("RequestCount", 7, nil)),
		// Classic, silent for a week
		res(kindAWSClassicLB, "clb-silent", "", daysAgo(60), map[string]string{"instances": "2", "healthy_instances": "2"}, sparse("RequestCount", 7, nil)),
	}}
	e, _ := engine(t, nil)
	got := byResource(e.Run(inv))
	for _, k := range []string{"aws.elb.idle alb-silent", "aws.elb.idle nlb-sparse", "aws.elb.classic_idle clb-silent"} {
		f, ok := got[k]
		if !ok {
			t.Errorf("%s not reported: days without a datapoint must count as no traffic", k)
			continue
		}
		if !strings.Contains(evidence(f, "missing_days"), "count as 0") {
			t.Errorf("%s: evidence does not say missing days count as 0: %+v", k, f.Evidence)
		}
	}
	for _, k := range []string{"aws.elb.idle alb-oneday", "aws.elb.idle alb-nometrics", "aws.elb.idle alb-noage"} {
		if _, ok := got[k]; ok {
			t.Errorf("%s reported", k)
		}
	}
}

// TestLBCreatedInsideTheWindowNeedsEveryDay: the missing days before a
// balancer existed are not quiet days. Created 7 days and 6 hours before
// the scan (noon), it passes the 7-day grace period but was created after
// the first day checked began (midnight, 7 days before the scan day).
func TestLBCreatedInsideTheWindowNeedsEveryDay(t *testing.T) {
	t.Parallel()
	created := testNow.Add(-(7*24 + 6) * time.Hour)
	inv := &scanners.Inventory{ScannedAt: testNow, Resources: []scanners.Resource{
		res(kindAWSLoadBalancer, "alb-new", "active", &created, map[string]string{"type": "application", "targets": "2", "healthy_targets": "2"},
			sparse("RequestCount", 7, nil)),
		res(kindAWSLoadBalancer, "alb-new-complete", "active", &created, map[string]string{"type": "application", "targets": "2", "healthy_targets": "2"},
			series("RequestCount", "Sum", 1, 7)),
	}}
	e, _ := engine(t, nil)
	got := byResource(e.Run(inv))
	if _, ok := got["aws.elb.idle alb-new-complete"]; !ok {
		t.Error("a quiet balancer with a datapoint every day was not reported")
	}
	if f, ok := got["aws.elb.idle alb-new"]; ok {
		t.Errorf("a balancer created inside the window was judged from missing days: %+v", f.Evidence)
	}
}

// TestOrphanChecksIgnoreUnrelatedGaps: an organizations, CloudWatch or logs
// gap says nothing about volumes, AMIs or DB instances.
func TestOrphanChecksIgnoreUnrelatedGaps(t *testing.T) {
	t.Parallel()
	inv := &scanners.Inventory{ScannedAt: testNow,
		Resources: []scanners.Resource{
			res(kindAWSSnapshot, "snap-1", "completed", daysAgo(30), map[string]string{"volume_id": "vol-1", "size_gib": "10"}),
			res(kindAWSDBSnapshot, "rds-snap-1", "available", daysAgo(40), map[string]string{"db_instance_id": "gone-db", "allocated_gib": "20"}),
		},
		Gaps: []scanners.Gap{
			{Scanner: "aws", Account: "1", Scope: "organization of account 1", Operation: "organizations:ListAccounts", Reason: scanners.ReasonDenied},
			{Scanner: "aws", Account: "1", Region: "us-east-1", Operation: "cloudwatch:GetMetricData", Reason: scanners.ReasonThrottled},
			{Scanner: "aws", Account: "1", Region: "us-east-1", Operation: "logs:DescribeLogGroups", Reason: scanners.ReasonDenied},
			{Scanner: "aws", Account: "1", Region: "us-east-1", Operation: "elasticloadbalancing:DescribeTargetGroups", Reason: scanners.ReasonError},
		},
	}
	e, _ := engine(t, nil)
	got := byResource(e.Run(inv))
	for _, k := range []string{"aws.ebs.snapshot_orphaned snap-1", "aws.rds.snapshot_old_or_orphaned rds-snap-1"} {
		if _, ok := got[k]; !ok {
			t.Errorf("%s hidden by an unrelated gap", k)
		}
	}
}

// TestOrphanChecksHonourRelevantGaps: each operation an orphan check
// depends on switches it off, and so does a gap naming no operation.
func TestOrphanChecksHonourRelevantGaps(t *testing.T) {
	t.Parallel()
	for _, op := range []string{"ec2:DescribeSnapshots", "ec2:DescribeVolumes", "ec2:DescribeImages", "ec2:DescribeLaunchTemplates", "ec2:DescribeLaunchTemplateVersions", ""} {
		inv := &scanners.Inventory{ScannedAt: testNow,
			Resources: []scanners.Resource{
				res(kindAWSSnapshot, "snap-orphan", "completed", daysAgo(30), map[string]string{"volume_id": "vol-1", "size_gib": "10"}),
				res(kindAWSVolume, "vol-2", "in-use", daysAgo(300), map[string]string{"volume_type": "gp3", "size_gib": "10"}),
				res(kindAWSSnapshot, "snap-old", "completed", daysAgo(200), map[string]string{"volume_id": "vol-2", "size_gib": "10"}),
			},
			Gaps: []scanners.Gap{{Scanner: "aws", Account: "1", Region: "us-east-1", Operation: op, Reason: scanners.ReasonThrottled}},
		}
		e, _ := engine(t, nil)
		got := byResource(e.Run(inv))
		for _, k := range []string{"aws.ebs.snapshot_orphaned snap-orphan", "aws.ebs.snapshot_old snap-old"} {
			if _, ok := got[k]; ok {
				t.Errorf("gap %q: %s still reported", op, k)
			}
		}
	}
	inv := &scanners.Inventory{ScannedAt: testNow,
		Resources: []scanners.Resource{res(kindAWSDBSnapshot, "rds-snap-1", "available", daysAgo(40), map[string]string{"db_instance_id": "gone-db", "allocated_gib": "20"})},
		Gaps:      []scanners.Gap{{Scanner: "aws", Account: "1", Region: "us-east-1", Operation: "rds:DescribeDBInstances", Reason: scanners.ReasonDenied}},
	}
	e, _ := engine(t, nil)
	if fs := e.Run(inv).Findings; len(fs) != 0 {
		t.Errorf("an RDS snapshot was called orphaned without the DB instance list: %s", fs[0].Title)
	}
}

// TestSnapshotOldArchiveTier: an archived snapshot is not told to archive.
func TestSnapshotOldArchiveTier(t *testing.T) {
	t.Parallel()
	inv := &scanners.Inventory{ScannedAt: testNow, Resources: []scanners.Resource{
		res(kindAWSVolume, "vol-2", "in-use", daysAgo(300), map[string]string{"volume_type": "gp3", "size_gib": "10"}),
		res(kindAWSSnapshot, "snap-archived", "completed", daysAgo(200), map[string]string{"volume_id": "vol-2", "size_gib": "10", "storage_tier": "archive"}),
		res(kindAWSSnapshot, "snap-standard", "completed", daysAgo(200), map[string]string{"volume_id": "vol-2", "size_gib": "10"}),
	}}
	e, _ := engine(t, nil)
	got := byResource(e.Run(inv))
	if a := got["aws.ebs.snapshot_old snap-archived"].Action; a == "" || strings.Contains(a, "--storage-tier archive") {
		t.Errorf("archived snapshot's action: %q", a)
	}
	if a := got["aws.ebs.snapshot_old snap-standard"].Action; !strings.Contains(a, "--storage-tier archive") {
		t.Errorf("standard snapshot's action: %q", a)
	}
}

// TestRDSOrphanedSnapshotMinAge: a snapshot of a deleted instance is an
// orphan only once older than min_age_days (30 by default).
func TestRDSOrphanedSnapshotMinAge(t *testing.T) {
	t.Parallel()
	inv := &scanners.Inventory{ScannedAt: testNow, Resources: []scanners.Resource{
		res(kindAWSDBSnapshot, "rds-snap-young", "available", daysAgo(10), map[string]string{"db_instance_id": "gone-db", "allocated_gib": "20"}),
		res(kindAWSDBSnapshot, "rds-snap-40d", "available", daysAgo(40), map[string]string{"db_instance_id": "gone-db", "allocated_gib": "20"}),
	}}
	e, _ := engine(t, nil)
	got := byResource(e.Run(inv))
	if _, ok := got["aws.rds.snapshot_old_or_orphaned rds-snap-young"]; ok {
		t.Error("a 10-day-old snapshot of a deleted instance was reported")
	}
	if f, ok := got["aws.rds.snapshot_old_or_orphaned rds-snap-40d"]; !ok {
		t.Error("a 40-day-old snapshot of a deleted instance was not reported")
	} else {
		wantSavings(t, f, "1.9") // 20 × 0.095
	}
	e, _ = engine(t, map[string]map[string]string{"aws.rds.snapshot_old_or_orphaned": {"min_age_days": "5"}})
	if _, ok := byResource(e.Run(inv))["aws.rds.snapshot_old_or_orphaned rds-snap-young"]; !ok {
		t.Error("min_age_days 5 did not report the 10-day-old orphan")
	}
}

// TestRDSMultiAZDoublesIOPS: a Multi-AZ standby has its own provisioned
// IOPS as well as its own storage.
func TestRDSMultiAZDoublesIOPS(t *testing.T) {
	t.Parallel()
	inv := &scanners.Inventory{ScannedAt: testNow, Resources: []scanners.Resource{
		// 2 × (100 GiB × 0.125 + 1000 IOPS × 0.10) = 225
		res(kindAWSDBInstance, "db-maz", "stopped", daysAgo(60), map[string]string{"status": "stopped", "engine": "postgres", "class": "db.t3.micro",
			"allocated_gib": "100", "storage_type": "io1", "iops": "1000", "multi_az": "true"}),
		// single-AZ: 12.5 + 100 = 112.5
		res(kindAWSDBInstance, "db-saz", "stopped", daysAgo(60), map[string]string{"status": "stopped", "engine": "postgres", "class": "db.t3.micro",
			"allocated_gib": "100", "storage_type": "io1", "iops": "1000"}),
	}}
	e, _ := engine(t, nil)
	got := byResource(e.Run(inv))
	wantSavings(t, got["aws.rds.stopped db-maz"], "225")
	wantSavings(t, got["aws.rds.stopped db-saz"], "112.5")
}

// TestLookbackWithinScannerWindow: lookback_days above the window the AWS
// scanner fetches is a configuration error naming the rule and parameter.
func TestLookbackWithinScannerWindow(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ rule, value, want string }{
		{"aws.ec2.idle", "30", "rules.aws.ec2.idle.lookback_days: 30 is more than 14, the days of CloudWatch history the AWS scanner fetches (scanners/aws instanceWindowDays)"},
		{"aws.nat.idle", "31", "rules.aws.nat.idle.lookback_days: 31 is more than 30"},
		{"aws.elb.idle", "8", "rules.aws.elb.idle.lookback_days: 8 is more than 7"},
		{"aws.elb.classic_idle", "14", "rules.aws.elb.classic_idle.lookback_days: 14 is more than 7"},
		{"aws.rds.idle", "15", "rules.aws.rds.idle.lookback_days: 15 is more than 14"},
		{"aws.rds.idle", "0", "rules.aws.rds.idle.lookback_days: 0 is less than 1"},
	} {
		_, err := NewEngine(Rules(), nil, map[string]map[string]string{c.rule: {"lookback_days": c.value}})
		if err == nil || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("%s lookback_days %s: error %v, want %q", c.rule, c.value, err, c.want)
		}
	}
	if _, err := NewEngine(Rules(), nil, map[string]map[string]string{"aws.ec2.idle": {"lookback_days": "14"}, "aws.nat.idle": {"lookback_days": "7"}}); err != nil {
		t.Errorf("lookback_days within the window rejected: %v", err)
	}
}

// TestScannerWindowsMatch keeps the copied windows in step with the
// constants of scanners/aws, read from its source (findings must not
// import the package: it pulls in the SDK).
func TestScannerWindowsMatch(t *testing.T) {
	t.Parallel()
	for file, want := range map[string]struct {
		name string
		days int
	}{
		"ec2.go": {"instanceWindowDays", awsInstanceWindowDays},
		"nat.go": {"natWindowDays", awsNATWindowDays},
		"elb.go": {"lbWindowDays", awsLBWindowDays},
		"rds.go": {"dbWindowDays", awsDBWindowDays},
	} {
		src, err := os.ReadFile(filepath.Join("..", "scanners", "aws", file))
		if err != nil {
			t.Fatal(err)
		}
		m := regexp.MustCompile(`(?m)^const ` + want.name + ` = (\d+)`).FindSubmatch(src)
		if m == nil {
			t.Errorf("scanners/aws/%s: const %s not found", file, want.name)
			continue
		}
		if got, _ := strconv.Atoi(string(m[1])); got != want.days {
			t.Errorf("scanners/aws %s = %d, findings has %d", want.name, got, want.days)
		}
	}
}

// TestLookbackShorterThanWindow: with lookback_days below the fetched
// window, only the last lookback_days days are judged: days missing
// before them (the instance was stopped) do not matter, a missing day
// among them does, and a series shorter than the lookback is not judged.
func TestLookbackShorterThanWindow(t *testing.T) {
	t.Parallel()
	gappy := func(name, stat string, v float64) scanners.Metric {
		m := series(name, stat, v, 14)
		for d := 0; d < 4; d++ { // stopped for the first 4 days of the window
			m.Daily[d] = 0
		}
		m.Points = 10
		return m
	}
	lateGap := series("CPUUtilization", "Maximum", 2, 14)
	lateGap.Daily[12], lateGap.Points = 0, 13
	inv := &scanners.Inventory{ScannedAt: testNow, Resources: []scanners.Resource{
		res(kindAWSInstance, "i-early-gap", "running", daysAgo(100), map[string]string{"instance_type": "m5.large"},
			gappy("CPUUtilization", "Maximum", 2), gappy("NetworkIn", "Sum", 1e6), gappy("NetworkOut", "Sum", 1e6)),
		res(kindAWSInstance, "i-late-gap", "running", daysAgo(100), map[string]string{"instance_type": "m5.large"},
			lateGap, series("NetworkIn", "Sum", 1e6, 14), series("NetworkOut", "Sum", 1e6, 14)),
		res(kindAWSInstance, "i-short", "running", daysAgo(100), map[string]string{"instance_type": "m5.large"},
			series("CPUUtilization", "Maximum", 2, 5), series("NetworkIn", "Sum", 1e6, 5), series("NetworkOut", "Sum", 1e6, 5)),
	}}
	e, _ := engine(t, map[string]map[string]string{"aws.ec2.idle": {"lookback_days": "7"}})
	got := byResource(e.Run(inv))
	if _, ok := got["aws.ec2.idle i-early-gap"]; !ok {
		t.Error("days missing before the lookback stopped the idle check")
	}
	for _, k := range []string{"aws.ec2.idle i-late-gap", "aws.ec2.idle i-short"} {
		if _, ok := got[k]; ok {
			t.Errorf("%s judged idle", k)
		}
	}
}

// TestIdleInstanceIsNotAlsoPricedAsPreviousGen: an idle m4.large saves its
// whole cost once; the previous-generation finding keeps no saving (unless
// the idle finding is suppressed, when the instance stays and moving it
// still saves).
func TestIdleInstanceIsNotAlsoPricedAsPreviousGen(t *testing.T) {
	t.Parallel()
	idle := func(id string, tags map[string]string) scanners.Resource {
		r := res(kindAWSInstance, id, "running", daysAgo(100), map[string]string{"instance_type": "m4.large"},
			series("CPUUtilization", "Maximum", 1, 14), series("NetworkIn", "Sum", 1e5, 14), series("NetworkOut", "Sum", 1e5, 14))
		r.Tags = tags
		return r
	}
	inv := &scanners.Inventory{ScannedAt: testNow, Resources: []scanners.Resource{idle("i-old-idle", nil)}}
	e, _ := engine(t, nil)
	r := e.Run(inv)
	got := byResource(r)
	wantSavings(t, got["aws.ec2.idle i-old-idle"], "73") // m4.large 0.10 × 730
	pg := got["aws.ec2.previous_gen i-old-idle"]
	wantSavings(t, pg, "0")
	if !strings.Contains(evidence(pg, "saving"), "aws.ec2.idle") {
		t.Errorf("previous_gen evidence does not say why its saving is not counted: %+v", pg.Evidence)
	}
	if !r.Totals.MonthlySavings.Equal(d("73")) {
		t.Errorf("total monthly savings %s, want 73 (the instance's cost, once)", r.Totals.MonthlySavings)
	}

	e.Suppressions = []Suppression{{Rule: "aws.ec2.idle", Resource: "i-old-idle", Reason: "standby host"}}
	wantSavings(t, byResource(e.Run(inv))["aws.ec2.previous_gen i-old-idle"], "2.92")
}

// TestSpotInstances: an idle spot instance is priced at on-demand as an
// upper bound with low confidence; its previous-generation finding is
// unpriced.
func TestSpotInstances(t *testing.T) {
	t.Parallel()
	inv := &scanners.Inventory{ScannedAt: testNow, Resources: []scanners.Resource{
		res(kindAWSInstance, "i-spot-idle", "running", daysAgo(100), map[string]string{"instance_type": "m5.large", "lifecycle": "spot"},
			series("CPUUtilization", "Maximum", 1, 14), series("NetworkIn", "Sum", 1e5, 14), series("NetworkOut", "Sum", 1e5, 14)),
		res(kindAWSInstance, "i-spot-old", "running", daysAgo(100), map[string]string{"instance_type": "m4.large", "lifecycle": "spot"}),
	}}
	e, _ := engine(t, nil)
	got := byResource(e.Run(inv))
	f := got["aws.ec2.idle i-spot-idle"]
	if f.Confidence != Low || !strings.Contains(evidence(f, "lifecycle"), "upper bound") {
		t.Errorf("idle spot instance: confidence %s, evidence %+v", f.Confidence, f.Evidence)
	}
	if pg, ok := got["aws.ec2.previous_gen i-spot-old"]; !ok || pg.Priced() || pg.Unpriced == "" {
		t.Errorf("previous-generation spot instance: want unpriced with a reason, got %+v", pg)
	}
}

// TestConversionOnBrieflyStoppedInstance: a volume on an instance stopped
// for less than aws.ebs.on_stopped_instance's min_stopped_days is not
// reported by that rule, so the conversion rules report it; past the
// threshold only that rule does, whatever the threshold is configured to.
func TestConversionOnBrieflyStoppedInstance(t *testing.T) {
	t.Parallel()
	stopped := func(id string, days int) scanners.Resource {
		return res(kindAWSInstance, id, "stopped", daysAgo(300), map[string]string{"instance_type": "t3.large",
			"stopped_at": testNow.Add(-time.Duration(days) * 24 * time.Hour).Format(time.RFC3339)})
	}
	on := func(r scanners.Resource, inst string) scanners.Resource {
		r.Relations = []scanners.Relation{{Type: "attached-to", Key: key(kindAWSInstance, inst)}}
		return r
	}
	inv := &scanners.Inventory{ScannedAt: testNow, Resources: []scanners.Resource{
		stopped("i-2d", 2), stopped("i-45d", 45),
		on(res(kindAWSVolume, "vol-gp2-2d", "in-use", daysAgo(300), map[string]string{"volume_type": "gp2", "size_gib": "100"}), "i-2d"),
		on(res(kindAWSVolume, "vol-io1-2d", "in-use", daysAgo(300), map[string]string{"volume_type": "io1", "size_gib": "100", "iops": "3000"}), "i-2d"),
		on(res(kindAWSVolume, "vol-gp2-45d", "in-use", daysAgo(300), map[string]string{"volume_type": "gp2", "size_gib": "100"}), "i-45d"),
		on(res(kindAWSVolume, "vol-io1big-45d", "in-use", daysAgo(300), map[string]string{"volume_type": "io1", "size_gib": "100", "iops": "40000"}), "i-45d"),
	}}
	e, _ := engine(t, nil)
	got := byResource(e.Run(inv))
	for _, k := range []string{"aws.ebs.gp2_to_gp3 vol-gp2-2d", "aws.ebs.io1_to_gp3 vol-io1-2d", "aws.ebs.on_stopped_instance vol-gp2-45d", "aws.ebs.on_stopped_instance vol-io1big-45d"} {
		if _, ok := got[k]; !ok {
			t.Errorf("missing %s", k)
		}
	}
	for _, k := range []string{"aws.ebs.on_stopped_instance vol-gp2-2d", "aws.ebs.gp2_to_gp3 vol-gp2-45d", "aws.ebs.io1_to_io2 vol-io1big-45d"} {
		if _, ok := got[k]; ok {
			t.Errorf("unexpected %s", k)
		}
	}
	// min_stopped_days 1: the 2-day volume moves to on_stopped_instance, once
	e, _ = engine(t, map[string]map[string]string{"aws.ebs.on_stopped_instance": {"min_stopped_days": "1"}})
	got = byResource(e.Run(inv))
	if _, ok := got["aws.ebs.on_stopped_instance vol-gp2-2d"]; !ok {
		t.Error("min_stopped_days 1: vol-gp2-2d not on a stopped instance")
	}
	if _, ok := got["aws.ebs.gp2_to_gp3 vol-gp2-2d"]; ok {
		t.Error("min_stopped_days 1: vol-gp2-2d priced twice")
	}
}

// TestPreviousGenTargetsExist: every target is a real type; sizes that
// the current family lacks map to a real larger one.
func TestPreviousGenTargetsExist(t *testing.T) {
	t.Parallel()
	for from, want := range map[string]string{"c4.8xlarge": "c5.9xlarge", "m4.10xlarge": "m5.12xlarge", "m4.16xlarge": "m5.16xlarge",
		"m3.medium": "t3.medium", "m1.small": "t3.small", "m4.large": "m5.large", "t2.micro": "t3.micro"} {
		if got := previousGen[from]; got != want {
			t.Errorf("%s → %q, want %s", from, got, want)
		}
	}
	for from, to := range previousGen {
		for _, bad := range []string{"m5.small", "m5.medium", "m5.10xlarge", "c5.8xlarge", "r5.medium"} {
			if to == bad {
				t.Errorf("%s → %s, which does not exist", from, to)
			}
		}
	}
	inv := &scanners.Inventory{ScannedAt: testNow, Resources: []scanners.Resource{
		res(kindAWSInstance, "i-m3", "running", daysAgo(900), map[string]string{"instance_type": "m3.medium"}),
	}}
	e, _ := engine(t, nil)
	f, ok := byResource(e.Run(inv))["aws.ec2.previous_gen i-m3"]
	if !ok || !strings.Contains(f.Action, "t3.medium") || !strings.Contains(evidence(f, "note"), "burstable") || f.Confidence != Low {
		t.Errorf("m3.medium: %+v", f)
	}
}
