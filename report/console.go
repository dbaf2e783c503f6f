package report

import (
	"net/url"
	"strings"

	"github.com/ghostaudit/ghostaudit/findings"
)

// consoleHosts are the only hosts a console link may point to.
var consoleHosts = map[string]bool{
	"console.aws.amazon.com": true, "console.cloud.google.com": true, "admin.microsoft.com": true,
}

// ConsoleURL builds the provider console link of a finding's resource from
// its IDs (never from names or tags), or "" when there is none. Every ID is
// escaped, and the result must be https on a known console host.
func ConsoleURL(f *findings.Finding) string {
	q, p := url.QueryEscape, url.PathEscape
	region, id := q(f.Region), f.ResourceID
	var u string
	switch f.ResourceKind {
	case "aws.ebs.volume":
		u = "https://console.aws.amazon.com/ec2/home?region=" + region + "#VolumeDetails:volumeId=" + q(id)
	case "aws.ec2.instance":
		u = "https://console.aws.amazon.com/ec2/home?region=" + region + "#InstanceDetails:instanceId=" + q(id)
	case "aws.ec2.address":
		u = "https://console.aws.amazon.com/ec2/home?region=" + region + "#ElasticIpDetails:AllocationId=" + q(id)
	case "aws.ebs.snapshot":
		u = "https://console.aws.amazon.com/ec2/home?region=" + region + "#SnapshotDetails:snapshotId=" + q(id)
	case "aws.ec2.nat_gateway":
		u = "https://console.aws.amazon.com/vpcconsole/home?region=" + region + "#NatGatewayDetails:natGatewayId=" + q(id)
	case "aws.elb.load_balancer", "aws.elb.classic_load_balancer":
		u = "https://console.aws.amazon.com/ec2/home?region=" + region + "#LoadBalancers:search=" + q(id)
	case "aws.rds.instance":
		u = "https://console.aws.amazon.com/rds/home?region=" + region + "#database:id=" + q(id)
	case "aws.rds.snapshot":
		u = "https://console.aws.amazon.com/rds/home?region=" + region + "#db-snapshot:id=" + q(id)
	case "aws.logs.log_group":
		u = "https://console.aws.amazon.com/cloudwatch/home?region=" + region + "#logsV2:log-groups/log-group/" + q(id)
	case "gcp.recommender.recommendation":
		u = "https://console.cloud.google.com/active-assist/list/cost/recommendations?project=" + q(f.Account)
	case "gcp.compute.disk":
		u = "https://console.cloud.google.com/compute/disks?project=" + q(f.Account)
	case "gcp.compute.address":
		u = "https://console.cloud.google.com/networking/addresses/list?project=" + q(f.Account)
	case "m365.license.sku":
		u = "https://admin.microsoft.com/#/licenses"
	case "m365.license.seat":
		if _, user, ok := strings.Cut(id, ":"); ok {
			u = "https://admin.microsoft.com/#/users/:/UserDetails/" + p(user)
		}
	}
	if !safeConsoleURL(u) {
		return ""
	}
	return u
}

// safeConsoleURL accepts only https links to a known console host.
func safeConsoleURL(s string) bool {
	if s == "" {
		return false
	}
	u, err := url.Parse(s)
	return err == nil && u.Scheme == "https" && consoleHosts[u.Host] && u.User == nil
}
