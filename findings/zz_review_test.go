package findings

import (
	"testing"

	"github.com/ghostaudit/ghostaudit/scanners"
)

func reviewRun(t *testing.T, params map[string]map[string]string, rs []scanners.Resource, gaps ...scanners.Gap) map[string]Finding {
	inv := &scanners.Inventory{ScannedAt: testNow, Resources: rs, Gaps: gaps}
	e, _ := engine(t, params)
	return byResource(e.Run(inv))
}

func partial(m scanners.Metric, points int) scanners.Metric { m.Points = points; return m }

func TestReview(t *testing.T) {
	gap := scanners.Gap{Scanner: "aws", Account: "1", Region: "us-east-1", Operation: "elasticloadbalancing:DescribeTargetGroups", Reason: scanners.ReasonThrottled, Message: "throttled"}
	got := reviewRun(t, nil, []scanners.Resource{
		// 1. DescribeTargetHealth failed: scanner keeps target_groups but drops targets/healthy_targets
		res(kindAWSLoadBalancer, "alb-tgh-failed", "active", daysAgo(60), map[string]string{"type": "application", "target_groups": "3"},
			series("RequestCount", "Sum", 1e6, 7)),
		// DescribeTargetGroups failed: no counts at all
		res(kindAWSLoadBalancer, "alb-tg-failed", "active", daysAgo(60), map[string]string{"type": "application"},
			series("RequestCount", "Sum", 1e6, 7)),
		// 2. CLB DescribeInstanceHealth failed: instances known, healthy_instances absent
		res(kindAWSClassicLB, "clb-health-failed", "", daysAgo(60), map[string]string{"instances": "4"}, series("RequestCount", "Sum", 1e6, 7)),
		// 3. ALB with healthy targets and zero traffic on 3 of 7 days: CloudWatch publishes no datapoint on those days
		res(kindAWSLoadBalancer, "alb-quiet-real", "active", daysAgo(60), map[string]string{"type": "application", "targets": "2", "healthy_targets": "2"},
			partial(series("RequestCount", "Sum", 0, 7), 4)),
		// ... and no request at all for 7 days: no datapoints at all (Points 0)
		res(kindAWSLoadBalancer, "alb-dead-real", "active", daysAgo(60), map[string]string{"type": "application", "targets": "2", "healthy_targets": "2"},
			partial(series("RequestCount", "Sum", 0, 7), 0)),
		res(kindAWSClassicLB, "clb-dead-real", "", daysAgo(60), map[string]string{"instances": "2", "healthy_instances": "2"},
			partial(series("RequestCount", "Sum", 0, 7), 0)),
		// 5. RDS final snapshot taken yesterday when the instance was deleted
		res(kindAWSDBSnapshot, "db-final", "available", daysAgo(1), map[string]string{"db_instance_id": "db-deleted", "allocated_gib": "100", "snapshot_type": "manual"}),
		// 6. gp2 volume on an instance stopped for 2 days (nightly/weekend stop): no gp2->gp3, no on_stopped
		res(kindAWSInstance, "i-weekend", "stopped", daysAgo(300), map[string]string{"instance_type": "m5.large", "stopped_at": daysAgo(2).Format("2006-01-02T15:04:05Z07:00")}),
		{Provider: "aws", Account: "1", Region: "us-east-1", Kind: kindAWSVolume, ID: "vol-gp2-weekend", State: "in-use", Created: daysAgo(300),
			Attributes: map[string]string{"volume_type": "gp2", "size_gib": "500"}, Relations: []scanners.Relation{{Type: "attached-to", Key: key(kindAWSInstance, "i-weekend")}}},
		// 7. RDS Multi-AZ io1: IOPS not doubled
		res(kindAWSDBInstance, "db-maz-io1", "stopped", daysAgo(60), map[string]string{"status": "stopped", "engine": "postgres", "class": "db.t3.micro", "allocated_gib": "100", "storage_type": "io1", "iops": "1000", "multi_az": "true"}),
	})
	for k, f := range got {
		t.Logf("FINDING %-45s conf=%s save=%v cost=%v unpriced=%q ev=%v", k, f.Confidence, f.MonthlySavings, f.MonthlyCost, f.Unpriced, f.Evidence)
	}
	_ = gap
	// 4. lookback params larger / smaller than the scanner's fixed window
	got2 := reviewRun(t, map[string]map[string]string{"aws.ec2.idle": {"lookback_days": "30"}, "aws.nat.idle": {"lookback_days": "7"}}, []scanners.Resource{
		res(kindAWSInstance, "i-idle-30", "running", daysAgo(100), map[string]string{"instance_type": "m5.large"},
			series("CPUUtilization", "Maximum", 0, 14), series("NetworkIn", "Sum", 0, 14), series("NetworkOut", "Sum", 0, 14)),
		// NAT created 10 days ago, zero every day since: scanner's 30-day window has 10 points
		res(kindAWSNatGateway, "nat-10d", "available", daysAgo(10), nil, partial(series("BytesOutToDestination", "Sum", 0, 30), 10),
			partial(series("BytesInFromSource", "Sum", 0, 30), 10), partial(series("BytesInFromDestination", "Sum", 0, 30), 10), partial(series("BytesOutToSource", "Sum", 0, 30), 10)),
	})
	t.Logf("lookback variants: %d findings: %v", len(got2), got2)
}
