package aws

import (
	"context"
	"fmt"
	"regexp"
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
	AttrStoppedAt       = "stopped_at" // RFC 3339, parsed from state_transition_reason
	AttrImageID         = "image_id"
	AttrUsageOperation  = "usage_operation"
	AttrPlatformDetails = "platform_details" // the label of the usage operation (Windows, Red Hat Enterprise Linux, ...)
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

// keyValues turns an SDK tag list (each service has its own Tag type with
// Key and Value) into a map; nil when there are none.
func keyValues[T any](tags []T, kv func(T) (key, value *string)) map[string]string {
	if len(tags) == 0 {
		return nil
	}
	m := make(map[string]string, len(tags))
	for _, t := range tags {
		k, v := kv(t)
		m[aws.ToString(k)] = aws.ToString(v)
	}
	return m
}

func tagMap(tags []types.Tag) (map[string]string, string) {
	m := keyValues(tags, func(t types.Tag) (*string, *string) { return t.Key, t.Value })
	return m, m["Name"]
}

func timePtr(t *time.Time) *time.Time {
	if t == nil || t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

// instanceWindowDays is the look-back of a running instance's metrics
// (research/aws.md §2.1: Trusted Advisor's and Compute Optimizer's 14 days).
const instanceWindowDays = 14

// instanceMetrics are queried for running instances (AWS/EC2, InstanceId).
var instanceMetrics = []metricSpec{
	{"CPUUtilization", "Average", "Percent"},
	{"CPUUtilization", "Maximum", "Percent"},
	{"NetworkIn", "Sum", "Bytes"},
	{"NetworkOut", "Sum", "Bytes"},
}

// stoppedAtRE matches the time EC2 puts in StateTransitionReason when a
// user stops an instance: "User initiated (2026-10-22 12:00:00 GMT)".
var stoppedAtRE = regexp.MustCompile(`\((\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}) GMT\)`)

// stoppedAt returns the RFC 3339 stop time in an instance's
// StateTransitionReason, or "" when it has none.
func stoppedAt(reason string) string {
	m := stoppedAtRE.FindStringSubmatch(reason)
	if m == nil {
		return ""
	}
	t, err := time.Parse("2006-01-02 15:04:05", m[1])
	if err != nil {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func (sc *scope) instances(ctx context.Context) error {
	input := &ec2.DescribeInstancesInput{MaxResults: aws.Int32(sc.pageSize), IncludeManagedResources: sc.includeManaged()}
	p := ec2.NewDescribeInstancesPaginator(sc.ec2, input)
	for p.HasMorePages() {
		page, err := withoutManagedOnRefusal(sc, &input.IncludeManagedResources, func() (*ec2.DescribeInstancesOutput, error) { return p.NextPage(ctx) })
		if err != nil {
			return fmt.Errorf("ec2 DescribeInstances %s: %w", sc.region, err)
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
					attrs[AttrStoppedAt] = stoppedAt(r)
				}
				attrs[AttrImageID] = aws.ToString(in.ImageId)
				if op := aws.ToString(in.UsageOperation); op != "" {
					attrs[AttrUsageOperation] = op
				}
				if pd := aws.ToString(in.PlatformDetails); pd != "" {
					attrs[AttrPlatformDetails] = pd
				}
				if in.Architecture != "" {
					attrs[AttrArchitecture] = string(in.Architecture)
				}
				if in.InstanceLifecycle != "" {
					attrs[AttrLifecycle] = string(in.InstanceLifecycle)
				}
				attrs[AttrManagedBy] = managedBy(in.Operator)
				state := ""
				if in.State != nil {
					state = string(in.State.Name)
				}
				r := scanners.Resource{
					Kind: KindInstance, ID: aws.ToString(in.InstanceId), Name: name, Tags: tags, State: state,
					Created: timePtr(in.LaunchTime), Attributes: clean(attrs),
				}
				if in.State != nil && in.State.Name == types.InstanceStateNameRunning {
					sc.withMetrics(r, "AWS/EC2", "InstanceId", r.ID, instanceWindowDays, instanceMetrics...)
					continue
				}
				sc.emit(r)
			}
		}
	}
	return nil
}

func (sc *scope) volumes(ctx context.Context) error {
	input := &ec2.DescribeVolumesInput{MaxResults: aws.Int32(sc.pageSize), IncludeManagedResources: sc.includeManaged()}
	p := ec2.NewDescribeVolumesPaginator(sc.ec2, input)
	for p.HasMorePages() {
		page, err := withoutManagedOnRefusal(sc, &input.IncludeManagedResources, func() (*ec2.DescribeVolumesOutput, error) { return p.NextPage(ctx) })
		if err != nil {
			return fmt.Errorf("ec2 DescribeVolumes %s: %w", sc.region, err)
		}
		for _, v := range page.Volumes {
			tags, name := tagMap(v.Tags)
			attrs := map[string]string{
				AttrVolumeType:    string(v.VolumeType),
				AttrAvailabilityZ: aws.ToString(v.AvailabilityZone),
				AttrSnapshotID:    aws.ToString(v.SnapshotId),
				AttrManagedBy:     managedBy(v.Operator),
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
					Key: sc.key(KindInstance, id)})
			}
			sort.Strings(attached)
			if len(attached) > 0 {
				attrs[AttrAttachedTo] = strings.Join(attached, ",")
			}
			sc.emit(scanners.Resource{
				Kind: KindVolume, ID: aws.ToString(v.VolumeId), Name: name, Tags: tags, State: string(v.State),
				Created: timePtr(v.CreateTime), Attributes: clean(attrs), Relations: rels,
			})
		}
	}
	return nil
}

// addresses lists Elastic IPs. DescribeAddresses is not paginated: AWS
// documents no MaxResults or NextToken for it.
func (sc *scope) addresses(ctx context.Context) error {
	out, err := sc.ec2.DescribeAddresses(ctx, &ec2.DescribeAddressesInput{})
	if err != nil {
		return fmt.Errorf("ec2 DescribeAddresses %s: %w", sc.region, err)
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
			rels = append(rels, scanners.Relation{Type: RelationAssociateTo, Key: sc.key(KindInstance, iid)})
		}
		sc.emit(scanners.Resource{
			Kind: KindAddress, ID: id, Name: name, Tags: tags, State: state, Attributes: clean(attrs), Relations: rels,
		})
	}
	return nil
}

// managedBy is the service principal managing a resource, "" for one
// that no service manages. A managed resource whose principal is not
// given reads "aws".
func managedBy(op *types.OperatorResponse) string {
	if op == nil || !aws.ToBool(op.Managed) {
		return ""
	}
	if p := aws.ToString(op.Principal); p != "" {
		return p
	}
	return "aws"
}

// clean drops empty attributes so inventories stay small and stable.
func clean(m map[string]string) map[string]string {
	n := 0
	for _, v := range m {
		if v != "" {
			n++
		}
	}
	if n == 0 {
		return nil
	}
	// A fresh map of exactly the kept entries: the inventory holds one per
	// resource for the whole run, and a map literal sized for every
	// optional key (then emptied of the unset ones) stays that large.
	out := make(map[string]string, n)
	for k, v := range m {
		if v != "" {
			out[k] = v
		}
	}
	return out
}
