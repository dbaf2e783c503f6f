package aws

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/ghostaudit/ghostaudit/scanners"
)

// Attribute keys of aws.ec2.instance resources.
const (
	AttrInstanceType    = "instance_type"
	AttrPlatform        = "platform"
	AttrAvailabilityZ   = "availability_zone"
	AttrStateReason     = "state_transition_reason"
	AttrUsageOperation  = "usage_operation"
	AttrArchitecture    = "architecture"
	AttrLifecycle       = "lifecycle"
	AttrVolumeType      = "volume_type"
	AttrSizeGiB         = "size_gib"
	AttrIOPS            = "iops"
	AttrThroughput      = "throughput_mibps"
	AttrSnapshotID      = "snapshot_id"
	AttrEncrypted       = "encrypted"
	AttrAttachedTo      = "attached_instances"
	AttrPublicIP        = "public_ip"
	AttrAllocationID    = "allocation_id"
	AttrAssociationID   = "association_id"
	AttrInstanceID      = "instance_id"
	AttrNetworkIfaceID  = "network_interface_id"
	AttrDomain          = "domain"
	AttrPrivateIP       = "private_ip"
	RelationAttachedTo  = "attached-to"
	RelationAssociateTo = "associated-with"
)

func tagMap(tags []types.Tag) (map[string]string, string) {
	if len(tags) == 0 {
		return nil, ""
	}
	m := make(map[string]string, len(tags))
	for _, t := range tags {
		m[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return m, m["Name"]
}

func timePtr(t *time.Time) *time.Time {
	if t == nil || t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

func (s *Scanner) instances(ctx context.Context, c *ec2.Client, acct, region string, now time.Time, sink scanners.Sink) error {
	p := ec2.NewDescribeInstancesPaginator(c, &ec2.DescribeInstancesInput{MaxResults: aws.Int32(int32(s.opts.PageSize))})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("ec2 DescribeInstances %s: %w", region, err)
		}
		for _, res := range page.Reservations {
			for _, in := range res.Instances {
				tags, name := tagMap(in.Tags)
				attrs := map[string]string{
					AttrInstanceType: string(in.InstanceType),
					AttrPlatform:     string(in.Platform),
				}
				if in.Placement != nil {
					attrs[AttrAvailabilityZ] = aws.ToString(in.Placement.AvailabilityZone)
				}
				if r := aws.ToString(in.StateTransitionReason); r != "" {
					attrs[AttrStateReason] = r
				}
				if op := aws.ToString(in.UsageOperation); op != "" {
					attrs[AttrUsageOperation] = op
				}
				if in.Architecture != "" {
					attrs[AttrArchitecture] = string(in.Architecture)
				}
				if in.InstanceLifecycle != "" {
					attrs[AttrLifecycle] = string(in.InstanceLifecycle)
				}
				state := ""
				if in.State != nil {
					state = string(in.State.Name)
				}
				sink.Resource(scanners.Resource{
					Provider: "aws", Account: acct, Region: region, Kind: KindInstance,
					ID: aws.ToString(in.InstanceId), Name: name, Tags: tags, State: state,
					Created: timePtr(in.LaunchTime), Attributes: clean(attrs), ObservedAt: now,
				})
			}
		}
	}
	return nil
}

func (s *Scanner) volumes(ctx context.Context, c *ec2.Client, acct, region string, now time.Time, sink scanners.Sink) error {
	p := ec2.NewDescribeVolumesPaginator(c, &ec2.DescribeVolumesInput{MaxResults: aws.Int32(int32(s.opts.PageSize))})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("ec2 DescribeVolumes %s: %w", region, err)
		}
		for _, v := range page.Volumes {
			tags, name := tagMap(v.Tags)
			attrs := map[string]string{
				AttrVolumeType:    string(v.VolumeType),
				AttrAvailabilityZ: aws.ToString(v.AvailabilityZone),
				AttrSnapshotID:    aws.ToString(v.SnapshotId),
			}
			if v.Size != nil {
				attrs[AttrSizeGiB] = strconv.Itoa(int(*v.Size))
			}
			if v.Iops != nil {
				attrs[AttrIOPS] = strconv.Itoa(int(*v.Iops))
			}
			if v.Throughput != nil {
				attrs[AttrThroughput] = strconv.Itoa(int(*v.Throughput))
			}
			if v.Encrypted != nil {
				attrs[AttrEncrypted] = strconv.FormatBool(*v.Encrypted)
			}
			var attached []string
			var rels []scanners.Relation
			for _, att := range v.Attachments {
				id := aws.ToString(att.InstanceId)
				if id == "" {
					continue
				}
				attached = append(attached, id)
				rels = append(rels, scanners.Relation{Type: RelationAttachedTo,
					Key: scanners.MakeKey("aws", acct, region, KindInstance, id)})
			}
			sort.Strings(attached)
			if len(attached) > 0 {
				attrs[AttrAttachedTo] = strings.Join(attached, ",")
			}
			sink.Resource(scanners.Resource{
				Provider: "aws", Account: acct, Region: region, Kind: KindVolume,
				ID: aws.ToString(v.VolumeId), Name: name, Tags: tags, State: string(v.State),
				Created: timePtr(v.CreateTime), Attributes: clean(attrs), Relations: rels, ObservedAt: now,
			})
		}
	}
	return nil
}

// addresses lists Elastic IPs. DescribeAddresses is not paginated: AWS
// documents no MaxResults or NextToken for it.
func (s *Scanner) addresses(ctx context.Context, c *ec2.Client, acct, region string, now time.Time, sink scanners.Sink) error {
	out, err := c.DescribeAddresses(ctx, &ec2.DescribeAddressesInput{})
	if err != nil {
		return fmt.Errorf("ec2 DescribeAddresses %s: %w", region, err)
	}
	for _, a := range out.Addresses {
		tags, name := tagMap(a.Tags)
		attrs := map[string]string{
			AttrPublicIP:       aws.ToString(a.PublicIp),
			AttrAllocationID:   aws.ToString(a.AllocationId),
			AttrAssociationID:  aws.ToString(a.AssociationId),
			AttrInstanceID:     aws.ToString(a.InstanceId),
			AttrNetworkIfaceID: aws.ToString(a.NetworkInterfaceId),
			AttrDomain:         string(a.Domain),
			AttrPrivateIP:      aws.ToString(a.PrivateIpAddress),
		}
		id := aws.ToString(a.AllocationId)
		if id == "" {
			id = aws.ToString(a.PublicIp)
		}
		state := "unassociated"
		var rels []scanners.Relation
		if aws.ToString(a.AssociationId) != "" || aws.ToString(a.InstanceId) != "" || aws.ToString(a.NetworkInterfaceId) != "" {
			state = "associated"
		}
		if iid := aws.ToString(a.InstanceId); iid != "" {
			rels = append(rels, scanners.Relation{Type: RelationAssociateTo, Key: scanners.MakeKey("aws", acct, region, KindInstance, iid)})
		}
		sink.Resource(scanners.Resource{
			Provider: "aws", Account: acct, Region: region, Kind: KindAddress,
			ID: id, Name: name, Tags: tags, State: state, Attributes: clean(attrs), Relations: rels, ObservedAt: now,
		})
	}
	return nil
}

// clean drops empty attributes so inventories stay small and stable.
func clean(m map[string]string) map[string]string {
	for k, v := range m {
		if v == "" {
			delete(m, k)
		}
	}
	if len(m) == 0 {
		return nil
	}
	return m
}
