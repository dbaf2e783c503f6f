package awssim

// moreHandlers serves the operations added for the issue 4 checks.
func (s *Sim) moreHandlers(service, action string) func(*call) (any, *apiError) {
	switch service + "/" + action {
	case "ec2/DescribeSnapshots":
		return s.describeSnapshots
	case "ec2/DescribeImages":
		return s.describeImages
	case "ec2/DescribeLaunchTemplates":
		return s.describeLaunchTemplates
	case "ec2/DescribeLaunchTemplateVersions":
		return s.describeLaunchTemplateVersions
	case "ec2/DescribeNatGateways":
		return s.describeNatGateways
	case "elbv2/DescribeLoadBalancers":
		return s.elbv2DescribeLoadBalancers
	case "elbv2/DescribeTargetGroups":
		return s.elbv2DescribeTargetGroups
	case "elbv2/DescribeTargetHealth":
		return s.elbv2DescribeTargetHealth
	case "elbv2/DescribeListeners":
		return s.elbv2DescribeListeners
	case "elb/DescribeLoadBalancers":
		return s.elbDescribeLoadBalancers
	case "elb/DescribeInstanceHealth":
		return s.elbDescribeInstanceHealth
	case "elbv2/DescribeTags":
		return s.elbv2DescribeTags
	case "elb/DescribeTags":
		return s.elbDescribeTags
	case "logs/ListTagsForResource":
		return s.listTagsForResource
	case "rds/DescribeDBInstances":
		return s.describeDBInstances
	case "rds/DescribeDBSnapshots":
		return s.describeDBSnapshots
	case "logs/DescribeLogGroups":
		return s.describeLogGroups
	case "organizations/ListAccounts":
		return s.listAccounts
	}
	return s.pricingHandler(service, action) // pricing.go
}
