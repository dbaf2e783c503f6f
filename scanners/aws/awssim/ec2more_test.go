package awssim

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

func TestDescribeSnapshotsPagesAndFields(t *testing.T) {
	t.Parallel()
	_, srv := newTestSim(t)
	c := ec2Client(srv, "us-east-1", nil)
	p := ec2.NewDescribeSnapshotsPaginator(c, &ec2.DescribeSnapshotsInput{OwnerIds: []string{"self"}, MaxResults: aws.Int32(5)})
	var snaps []ec2types.Snapshot
	pages := 0
	for p.HasMorePages() {
		out, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		pages++
		snaps = append(snaps, out.Snapshots...)
	}
	if len(snaps) != 7 || pages != 2 {
		t.Fatalf("%d snapshots in %d pages", len(snaps), pages)
	}
	s2 := snaps[1]
	if aws.ToString(s2.SnapshotId) != "snap-00000000000000002" || s2.StorageTier != ec2types.StorageTierArchive || aws.ToInt32(s2.VolumeSize) != 20 ||
		aws.ToString(s2.VolumeId) != "vol-0ffffffffffffff99" || !aws.ToTime(s2.StartTime).Equal(testNow.Add(-200*24*time.Hour)) ||
		aws.ToString(s2.OwnerId) != "111111111111" || s2.State != ec2types.SnapshotStateCompleted {
		t.Errorf("snapshot %+v", s2)
	}
	out, err := c.DescribeSnapshots(context.Background(), &ec2.DescribeSnapshotsInput{OwnerIds: []string{"123456789012"}})
	if err != nil || len(out.Snapshots) != 0 {
		t.Errorf("other owner: %v %v", out, err)
	}
	out, err = c.DescribeSnapshots(context.Background(), &ec2.DescribeSnapshotsInput{Filters: []ec2types.Filter{{Name: aws.String("storage-tier"), Values: []string{"standard"}}, {Name: aws.String("tag:team"), Values: []string{"ml"}}}})
	if err != nil || len(out.Snapshots) != 1 {
		t.Errorf("filters: %v %v", out, err)
	}
	_, err = c.DescribeSnapshots(context.Background(), &ec2.DescribeSnapshotsInput{MaxResults: aws.Int32(1001)})
	wantAPIError(t, err, "InvalidParameterValue", 400)
}

func TestDescribeImagesIncludeDisabled(t *testing.T) {
	t.Parallel()
	_, srv := newTestSim(t)
	c := ec2Client(srv, "us-east-1", nil)
	out, err := c.DescribeImages(context.Background(), &ec2.DescribeImagesInput{Owners: []string{"self"}})
	if err != nil || len(out.Images) != 1 {
		t.Fatalf("without IncludeDisabled: %v %v", out, err)
	}
	im := out.Images[0]
	if im.State != ec2types.ImageStateAvailable || len(im.BlockDeviceMappings) != 1 || aws.ToString(im.BlockDeviceMappings[0].Ebs.SnapshotId) != "snap-00000000000000004" ||
		aws.ToInt32(im.BlockDeviceMappings[0].Ebs.VolumeSize) != 40 || aws.ToString(im.Name) != "web-2026" || aws.ToString(im.OwnerId) != "111111111111" {
		t.Errorf("image %+v", im)
	}
	out, err = c.DescribeImages(context.Background(), &ec2.DescribeImagesInput{Owners: []string{"self"}, IncludeDisabled: aws.Bool(true)})
	if err != nil || len(out.Images) != 2 || out.Images[1].State != ec2types.ImageStateDisabled {
		t.Fatalf("with IncludeDisabled: %v %v", out, err)
	}
}

func TestDescribeLaunchTemplatesAndVersions(t *testing.T) {
	t.Parallel()
	_, srv := newTestSim(t)
	c := ec2Client(srv, "us-east-1", nil)
	ctx := context.Background()
	lts, err := c.DescribeLaunchTemplates(ctx, &ec2.DescribeLaunchTemplatesInput{})
	if err != nil || len(lts.LaunchTemplates) != 1 {
		t.Fatalf("%v %v", lts, err)
	}
	lt := lts.LaunchTemplates[0]
	if aws.ToInt64(lt.DefaultVersionNumber) != 1 || aws.ToInt64(lt.LatestVersionNumber) != 2 || aws.ToString(lt.LaunchTemplateName) != "web" {
		t.Errorf("template %+v", lt)
	}
	p := ec2.NewDescribeLaunchTemplateVersionsPaginator(c, &ec2.DescribeLaunchTemplateVersionsInput{LaunchTemplateId: lt.LaunchTemplateId, MaxResults: aws.Int32(1)})
	var vers []ec2types.LaunchTemplateVersion
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		vers = append(vers, out.LaunchTemplateVersions...)
	}
	if len(vers) != 2 || !aws.ToBool(vers[0].DefaultVersion) || aws.ToInt64(vers[1].VersionNumber) != 2 {
		t.Fatalf("versions %+v", vers)
	}
	bdm := vers[1].LaunchTemplateData.BlockDeviceMappings
	if len(bdm) != 1 || aws.ToString(bdm[0].Ebs.SnapshotId) != "snap-00000000000000006" || aws.ToString(vers[1].LaunchTemplateData.ImageId) != "ami-00000000000000001" {
		t.Errorf("version 2 data %+v", vers[1].LaunchTemplateData)
	}
	out, err := c.DescribeLaunchTemplateVersions(ctx, &ec2.DescribeLaunchTemplateVersionsInput{LaunchTemplateName: aws.String("web"), Versions: []string{"$Latest"}})
	if err != nil || len(out.LaunchTemplateVersions) != 1 || aws.ToInt64(out.LaunchTemplateVersions[0].VersionNumber) != 2 {
		t.Errorf("$Latest: %v %v", out, err)
	}
}

func TestDescribeNatGateways(t *testing.T) {
	t.Parallel()
	_, srv := newTestSim(t)
	c := ec2Client(srv, "us-east-1", nil)
	p := ec2.NewDescribeNatGatewaysPaginator(c, &ec2.DescribeNatGatewaysInput{MaxResults: aws.Int32(5)})
	var gws []ec2types.NatGateway
	pages := 0
	for p.HasMorePages() {
		out, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		pages++
		gws = append(gws, out.NatGateways...)
	}
	if len(gws) != 6 || pages != 2 {
		t.Fatalf("%d gateways in %d pages", len(gws), pages)
	}
	g := gws[0]
	if g.State != ec2types.NatGatewayStateAvailable || len(g.NatGatewayAddresses) != 1 || aws.ToString(g.NatGatewayAddresses[0].PublicIp) != "198.51.100.1" ||
		aws.ToString(g.NatGatewayAddresses[0].AllocationId) != "eipalloc-00000000000000001" || g.ConnectivityType != ec2types.ConnectivityTypePublic ||
		aws.ToString(g.VpcId) == "" || aws.ToString(g.SubnetId) == "" || g.CreateTime == nil {
		t.Errorf("gateway %+v", g)
	}
	out, err := c.DescribeNatGateways(context.Background(), &ec2.DescribeNatGatewaysInput{Filter: []ec2types.Filter{{Name: aws.String("state"), Values: []string{"available"}}}})
	if err != nil || len(out.NatGateways) != 5 {
		t.Errorf("state filter: %v %v", out, err)
	}
}
