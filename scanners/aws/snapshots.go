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

	"github.com/ghostaudit/ghostaudit/scanners"
)

// Attribute keys of aws.ebs.snapshot, aws.ec2.image and
// aws.ec2.launch_template resources (and, for state/name, of others).
const (
	AttrVolumeID       = "volume_id"
	AttrStorageTier    = "storage_tier" // standard | archive
	AttrState          = "state"
	AttrDescription    = "description"
	AttrSnapshotIDs    = "snapshot_ids" // comma-joined, sorted
	AttrImageIDs       = "image_ids"    // comma-joined, sorted
	AttrName           = "name"
	AttrDefaultVersion = "default_version"
	AttrTransferType   = "transfer_type" // standard | time-based: set only on snapshot copies

	RelationSourceVolume = "source-volume"
)

// snapshots lists the EBS snapshots the account owns (OwnerIds=self: the
// public and shared snapshots the account can see are not its cost).
//
// aws.ebs.snapshot: volume_id, size_gib, storage_tier, state, description,
// transfer_type; Created = StartTime; relation source-volume → the
// aws.ebs.volume key (which may no longer exist: that is what the
// orphaned-snapshot rule looks for), except for a copy (snapshotCopy).
func (sc *scope) snapshots(ctx context.Context) error {
	p := ec2.NewDescribeSnapshotsPaginator(sc.ec2, &ec2.DescribeSnapshotsInput{
		OwnerIds: []string{"self"}, MaxResults: sc.pageSizeIn(5, 1000),
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("ec2 DescribeSnapshots %s: %w", sc.region, err)
		}
		for _, sn := range page.Snapshots {
			tags, name := tagMap(sn.Tags)
			vol := aws.ToString(sn.VolumeId)
			attrs := map[string]string{
				AttrVolumeID:     vol,
				AttrStorageTier:  string(sn.StorageTier),
				AttrState:        string(sn.State),
				AttrDescription:  aws.ToString(sn.Description),
				AttrTransferType: string(sn.TransferType),
			}
			if sn.VolumeSize != nil {
				attrs[AttrSizeGiB] = strconv.Itoa(int(*sn.VolumeSize))
			}
			var rels []scanners.Relation
			if vol != "" && !snapshotCopy(string(sn.TransferType), vol) {
				rels = append(rels, scanners.Relation{Type: RelationSourceVolume, Key: sc.key(KindVolume, vol)})
			}
			sc.emit(scanners.Resource{
				Kind: KindSnapshot, ID: aws.ToString(sn.SnapshotId), Name: name, Tags: tags, State: string(sn.State),
				Created: timePtr(sn.StartTime), Attributes: clean(attrs), Relations: rels,
			})
		}
	}
	return nil
}

// snapshotCopy reports whether a snapshot is a copy, which has no source
// volume: "Snapshots created by a copy snapshot operation have an
// arbitrary volume ID that you should not use for any purpose", and
// TransferType is set "Only for snapshot copies" (Snapshot data type).
// vol-ffffffff is what EC2 reports for snapshots copied from another
// snapshot or created from an AMI; it is kept for a copy that carries no
// TransferType.
func snapshotCopy(transferType, volumeID string) bool {
	return transferType != "" || volumeID == "vol-ffffffff"
}

// images lists the AMIs the account owns, including disabled ones
// (IncludeDisabled): a disabled AMI still keeps its snapshots, which must
// not be reported as orphaned.
//
// aws.ec2.image: state, snapshot_ids, name; Created = CreationDate.
func (sc *scope) images(ctx context.Context) error {
	p := ec2.NewDescribeImagesPaginator(sc.ec2, &ec2.DescribeImagesInput{
		Owners: []string{"self"}, IncludeDisabled: aws.Bool(true), MaxResults: sc.pageSizeIn(6, 1000),
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("ec2 DescribeImages %s: %w", sc.region, err)
		}
		for _, im := range page.Images {
			tags, name := tagMap(im.Tags)
			if name == "" {
				name = aws.ToString(im.Name)
			}
			var snaps []string
			for _, bdm := range im.BlockDeviceMappings {
				if bdm.Ebs != nil {
					snaps = append(snaps, aws.ToString(bdm.Ebs.SnapshotId))
				}
			}
			attrs := map[string]string{
				AttrState:       string(im.State),
				AttrSnapshotIDs: joinSorted(snaps),
				AttrName:        aws.ToString(im.Name),
			}
			sc.emit(scanners.Resource{
				Kind: KindImage, ID: aws.ToString(im.ImageId), Name: name, Tags: tags, State: string(im.State),
				Created: parseTime(aws.ToString(im.CreationDate)), Attributes: clean(attrs),
			})
		}
	}
	return nil
}

// launchTemplates lists launch templates and every version of each, so
// that an AMI or snapshot referenced by any version (not only the
// default) counts as in use.
//
// aws.ec2.launch_template: snapshot_ids and image_ids over all versions,
// default_version; Created = CreateTime.
func (sc *scope) launchTemplates(ctx context.Context) error {
	input := &ec2.DescribeLaunchTemplatesInput{MaxResults: sc.pageSizeIn(1, 200), IncludeManagedResources: sc.includeManaged()}
	p := ec2.NewDescribeLaunchTemplatesPaginator(sc.ec2, input)
	for p.HasMorePages() {
		page, err := withoutManagedOnRefusal(sc, &input.IncludeManagedResources, func() (*ec2.DescribeLaunchTemplatesOutput, error) { return p.NextPage(ctx) })
		if err != nil {
			return fmt.Errorf("ec2 DescribeLaunchTemplates %s: %w", sc.region, err)
		}
		// Each template's versions at once. A template whose versions
		// cannot be read is not emitted: without them its references are
		// unknown, and emitting it would make its snapshots and AMIs look
		// unused. The first failure (in page order) is the step's error.
		lts := page.LaunchTemplates
		errs := make([]error, len(lts))
		each(len(lts), func(i int) {
			lt := lts[i]
			id := aws.ToString(lt.LaunchTemplateId)
			var snaps, images []string
			vinput := &ec2.DescribeLaunchTemplateVersionsInput{
				LaunchTemplateId: aws.String(id), MaxResults: sc.pageSizeIn(1, 200), IncludeManagedResources: sc.includeManaged(),
			}
			vp := ec2.NewDescribeLaunchTemplateVersionsPaginator(sc.ec2, vinput)
			for vp.HasMorePages() {
				vpage, err := withoutManagedOnRefusal(sc, &vinput.IncludeManagedResources, func() (*ec2.DescribeLaunchTemplateVersionsOutput, error) { return vp.NextPage(ctx) })
				if err != nil {
					errs[i] = fmt.Errorf("ec2 DescribeLaunchTemplateVersions %s %s: %w", sc.region, id, err)
					return
				}
				for _, v := range vpage.LaunchTemplateVersions {
					d := v.LaunchTemplateData
					if d == nil {
						continue
					}
					images = append(images, aws.ToString(d.ImageId))
					for _, bdm := range d.BlockDeviceMappings {
						if bdm.Ebs != nil {
							snaps = append(snaps, aws.ToString(bdm.Ebs.SnapshotId))
						}
					}
				}
			}
			tags, name := tagMap(lt.Tags)
			if name == "" {
				name = aws.ToString(lt.LaunchTemplateName)
			}
			attrs := map[string]string{
				AttrSnapshotIDs: joinSorted(snaps),
				AttrImageIDs:    joinSorted(images),
				AttrName:        aws.ToString(lt.LaunchTemplateName),
				AttrManagedBy:   managedBy(lt.Operator),
			}
			if lt.DefaultVersionNumber != nil {
				attrs[AttrDefaultVersion] = strconv.FormatInt(*lt.DefaultVersionNumber, 10)
			}
			sc.emit(scanners.Resource{
				Kind: KindLaunchTemplate, ID: id, Name: name, Tags: tags,
				Created: timePtr(lt.CreateTime), Attributes: clean(attrs),
			})
		})
		for _, err := range errs {
			if err != nil {
				return err
			}
		}
	}
	return nil
}

// joinSorted joins the distinct non-empty values, sorted, with commas.
func joinSorted(vals []string) string {
	seen := map[string]bool{}
	var out []string
	for _, v := range vals {
		if v != "" && !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	sort.Strings(out)
	return strings.Join(out, ",")
}

// parseTime parses an ISO 8601 time as EC2 renders CreationDate; nil when
// empty or malformed.
func parseTime(s string) *time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return nil
	}
	return timePtr(&t)
}
