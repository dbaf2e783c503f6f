package aws

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"

	"github.com/ghostaudit/ghostaudit/scanners"
)

// Attribute keys of aws.ec2.nat_gateway resources.
const (
	AttrConnectivity  = "connectivity" // public | private
	AttrAllocationIDs = "allocation_ids"
	AttrVpcID         = "vpc_id"
)

// natWindowDays is Trusted Advisor's idle NAT gateway look-back
// (research/aws.md §2.3).
const natWindowDays = 30

// natMetrics are queried for every NAT gateway (AWS/NATGateway, NatGatewayId).
var natMetrics = []metricSpec{
	{"BytesOutToDestination", "Sum", "Bytes"},
	{"BytesInFromSource", "Sum", "Bytes"},
	{"BytesInFromDestination", "Sum", "Bytes"},
	{"BytesOutToSource", "Sum", "Bytes"},
	{"ActiveConnectionCount", "Maximum", "Count"},
}

// natGateways lists NAT gateways.
//
// aws.ec2.nat_gateway: state, connectivity, allocation_ids (sorted,
// comma-joined), vpc_id; Created = CreateTime; metrics natMetrics over
// natWindowDays for gateways that are not deleted.
func (sc *scope) natGateways(ctx context.Context) error {
	p := ec2.NewDescribeNatGatewaysPaginator(sc.ec2, &ec2.DescribeNatGatewaysInput{MaxResults: sc.pageSizeIn(5, 1000)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("ec2 DescribeNatGateways %s: %w", sc.region, err)
		}
		for _, n := range page.NatGateways {
			tags, name := tagMap(n.Tags)
			var allocs []string
			for _, a := range n.NatGatewayAddresses {
				allocs = append(allocs, aws.ToString(a.AllocationId))
			}
			attrs := map[string]string{
				AttrState:         string(n.State),
				AttrConnectivity:  string(n.ConnectivityType),
				AttrAllocationIDs: joinSorted(allocs),
				AttrVpcID:         aws.ToString(n.VpcId),
			}
			r := scanners.Resource{
				Kind: KindNatGateway, ID: aws.ToString(n.NatGatewayId), Name: name, Tags: tags, State: string(n.State),
				Created: timePtr(n.CreateTime), Attributes: clean(attrs),
			}
			if n.State == "deleted" || n.State == "deleting" {
				sc.emit(r) // no longer billed; its traffic is history
				continue
			}
			sc.withMetrics(r, "AWS/NATGateway", "NatGatewayId", r.ID, natWindowDays, natMetrics...)
		}
	}
	return nil
}
