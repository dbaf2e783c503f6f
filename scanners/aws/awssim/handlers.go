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
	}
	return nil
}
