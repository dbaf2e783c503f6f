package aws

import (
	"context"
	"fmt"
	"sort"

	"github.com/aws/smithy-go/middleware"

	"github.com/ghostaudit/ghostaudit/scanners"
)

// readOperations is the allow-list of every AWS operation the scanner may
// send, keyed by the SDK's service ID and operation name, with the IAM
// action that authorises it. The read-only guard refuses anything else
// before it is signed or sent, and docs/permissions/aws-iam-policy.json
// must grant exactly these actions (a test checks both directions).
var readOperations = map[string]string{
	"EC2.DescribeRegions":                "ec2:DescribeRegions",
	"EC2.DescribeInstances":              "ec2:DescribeInstances",
	"EC2.DescribeVolumes":                "ec2:DescribeVolumes",
	"EC2.DescribeAddresses":              "ec2:DescribeAddresses",
	"EC2.DescribeSnapshots":              "ec2:DescribeSnapshots",
	"EC2.DescribeImages":                 "ec2:DescribeImages",
	"EC2.DescribeLaunchTemplates":        "ec2:DescribeLaunchTemplates",
	"EC2.DescribeLaunchTemplateVersions": "ec2:DescribeLaunchTemplateVersions",
	"EC2.DescribeNatGateways":            "ec2:DescribeNatGateways",
	// ELBv2 and Classic ELB share the elasticloadbalancing IAM prefix.
	"Elastic Load Balancing v2.DescribeLoadBalancers": "elasticloadbalancing:DescribeLoadBalancers",
	"Elastic Load Balancing v2.DescribeListeners":     "elasticloadbalancing:DescribeListeners",
	"Elastic Load Balancing v2.DescribeTargetGroups":  "elasticloadbalancing:DescribeTargetGroups",
	"Elastic Load Balancing v2.DescribeTargetHealth":  "elasticloadbalancing:DescribeTargetHealth",
	"Elastic Load Balancing.DescribeLoadBalancers":    "elasticloadbalancing:DescribeLoadBalancers",
	"Elastic Load Balancing.DescribeInstanceHealth":   "elasticloadbalancing:DescribeInstanceHealth",
	"Elastic Load Balancing v2.DescribeTags":          "elasticloadbalancing:DescribeTags",
	"Elastic Load Balancing.DescribeTags":             "elasticloadbalancing:DescribeTags",
	"CloudWatch Logs.ListTagsForResource":             "logs:ListTagsForResource",
	"RDS.DescribeDBInstances":                         "rds:DescribeDBInstances",
	"RDS.DescribeDBSnapshots":                         "rds:DescribeDBSnapshots",
	"CloudWatch Logs.DescribeLogGroups":               "logs:DescribeLogGroups",
	"CloudWatch.GetMetricData":                        "cloudwatch:GetMetricData",
	"Organizations.ListAccounts":                      "organizations:ListAccounts",
	"STS.GetCallerIdentity":                           "sts:GetCallerIdentity",
	// AssumeRole changes nothing in the target account: it only issues
	// short-lived credentials for the audit role in a member account.
	"STS.AssumeRole": "sts:AssumeRole",
}

// IAMActions returns the IAM actions the scanner needs, sorted and
// without duplicates (two SDK services can share one IAM action).
func IAMActions() []string {
	seen := map[string]bool{}
	var out []string
	for _, a := range readOperations {
		if !seen[a] {
			seen[a] = true
			out = append(out, a)
		}
	}
	sort.Strings(out)
	return out
}

// IAMActionFor returns the IAM action for an SDK service ID and operation.
func IAMActionFor(serviceID, operation string) (string, bool) {
	a, ok := readOperations[serviceID+"."+operation]
	return a, ok
}

const guardID = "ghostaudit.ReadOnlyGuard"

// readOnlyGuard is an API option that installs, first in the Initialize
// step of every operation, a middleware refusing any operation that is not
// on the read allow-list. It runs before serialisation, signing and
// sending, so a refused call never leaves the process.
func readOnlyGuard(stack *middleware.Stack) error {
	return stack.Initialize.Add(middleware.InitializeMiddlewareFunc(guardID, func(
		ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler,
	) (middleware.InitializeOutput, middleware.Metadata, error) {
		svc, op := middleware.GetServiceID(ctx), middleware.GetOperationName(ctx)
		if _, ok := IAMActionFor(svc, op); !ok {
			return middleware.InitializeOutput{}, middleware.Metadata{},
				fmt.Errorf("aws: %s %s: %w", svc, op, scanners.ErrReadOnly)
		}
		return next.HandleInitialize(ctx, in)
	}), middleware.Before)
}
