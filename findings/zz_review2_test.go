package findings

import (
	"testing"

	"github.com/ghostaudit/ghostaudit/scanners"
)

func TestReviewCoverage(t *testing.T) {
	snap := res(kindAWSSnapshot, "snap-orphan", "completed", daysAgo(30), map[string]string{"volume_id": "vol-gone", "size_gib": "100"})
	for _, g := range []scanners.Gap{
		{Scanner: "aws", Account: "1", Region: "", Operation: "organizations:ListAccounts", Reason: scanners.ReasonDenied, Message: "not the management account"},
		{Scanner: "aws", Account: "1", Region: "us-east-1", Operation: "logs:DescribeLogGroups", Reason: scanners.ReasonDenied, Message: "denied"},
		{Scanner: "aws", Account: "1", Region: "us-east-1", Operation: "cloudwatch:GetMetricData", Reason: scanners.ReasonThrottled, Message: "throttled"},
	} {
		got := reviewRun(t, nil, []scanners.Resource{snap}, g)
		_, ok := got["aws.ebs.snapshot_orphaned snap-orphan"]
		t.Logf("gap %-28s → orphaned snapshot reported: %v", g.Operation, ok)
	}
}
