package awssim

import (
	"encoding/xml"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
)

// More EC2 Query responses: DescribeSnapshots, DescribeImages,
// DescribeLaunchTemplates, DescribeLaunchTemplateVersions and
// DescribeNatGateways. Element names follow the EC2 API Reference example
// responses and match the element names the pinned SDK's ec2
// deserializers.go reads (snapshotSet, imagesSet, launchTemplates,
// launchTemplateVersionSet, natGatewaySet, natGatewayAddressSet, ...).

// owned reports whether an Owner/OwnerId list selects the caller's own
// resources: empty, "self" or the account id. The simulator holds no
// resources shared by other owners, so any other owner selects nothing.
func owned(owners []string, account string) bool {
	if len(owners) == 0 {
		return true
	}
	for _, o := range owners {
		if o == "self" || o == account {
			return true
		}
	}
	return false
}

// orDefault returns t at now, or a fixed year before now when unset.
func orDefault(t interface{ IsZero() bool }, at time.Time, now time.Time) time.Time {
	if t.IsZero() {
		return now.Add(-365 * 24 * time.Hour).UTC().Truncate(time.Second)
	}
	return at
}

// matchFilters applies EC2 filters: tag filters, then the named fields;
// an unknown filter name is InvalidParameterValue.
func matchFilters(fs []filter, tags map[string]string, fields map[string][]string) (bool, *apiError) {
	for _, f := range fs {
		if ok, handled := tagFilter(f, tags); handled {
			if !ok {
				return false, nil
			}
			continue
		}
		got, known := fields[f.name]
		if !known {
			return false, unsupportedFilter(f.name)
		}
		if !anyMatch(f.values, got) {
			return false, nil
		}
	}
	return true, nil
}

// DescribeSnapshots

type describeSnapshotsResponse struct {
	XMLName   xml.Name      `xml:"DescribeSnapshotsResponse"`
	Xmlns     string        `xml:"xmlns,attr"`
	RequestID string        `xml:"requestId"`
	Snapshots []xmlSnapshot `xml:"snapshotSet>item"`
	NextToken string        `xml:"nextToken,omitempty"`
}

type xmlSnapshot struct {
	SnapshotID  string     `xml:"snapshotId"`
	VolumeID    string     `xml:"volumeId"`
	Status      string     `xml:"status"`
	StartTime   string     `xml:"startTime"`
	Progress    string     `xml:"progress"`
	OwnerID     string     `xml:"ownerId"`
	VolumeSize  int32      `xml:"volumeSize"`
	Description string     `xml:"description"`
	Encrypted   bool       `xml:"encrypted"`
	StorageTier string     `xml:"storageTier"`
	TagSet      *xmlTagSet `xml:"tagSet"`
	// TransferType is sent only for snapshot copies (Snapshot data type).
	TransferType string `xml:"transferType,omitempty"`
}

func (s *Sim) describeSnapshots(c *call) (any, *apiError) {
	_, r := s.scope(c)
	var snaps []*Snapshot
	if r != nil && owned(listParam(c.r.Form, "Owner"), c.account) {
		for i := range r.Snapshots {
			snaps = append(snaps, &r.Snapshots[i])
		}
	}
	sort.Slice(snaps, func(i, j int) bool { return snaps[i].ID < snaps[j].ID })
	ids := listParam(c.r.Form, "SnapshotId")
	for _, id := range ids {
		if !containsFunc(snaps, func(sn *Snapshot) bool { return sn.ID == id }) {
			return nil, errorf(http.StatusBadRequest, "InvalidSnapshot.NotFound", "The snapshot '%s' does not exist.", id)
		}
	}
	fs, err := filters(c.r.Form)
	if err != nil {
		return nil, err
	}
	now := s.now()
	var matched []*Snapshot
	var matchedIDs []string
	for _, sn := range snaps {
		if len(ids) > 0 && !contains(ids, sn.ID) {
			continue
		}
		ok, err := matchFilters(fs, sn.Tags, map[string][]string{
			"snapshot-id": {sn.ID}, "volume-id": {sn.VolumeID}, "status": {sn.State}, "storage-tier": {sn.StorageTier},
			"owner-id": {c.account}, "volume-size": {strconv.Itoa(int(sn.SizeGiB))}, "encrypted": {strconv.FormatBool(sn.Encrypted)},
			"description": {sn.Description}, "progress": {"100%"},
		})
		if err != nil {
			return nil, err
		}
		if ok {
			matched = append(matched, sn)
			matchedIDs = append(matchedIDs, sn.ID)
		}
	}
	start, end, next, err := paginate(c, pageSpec{min: 5, max: 1000, idsParam: "SnapshotId"}, matchedIDs)
	if err != nil {
		return nil, err
	}
	out := describeSnapshotsResponse{Xmlns: ec2Namespace, RequestID: c.requestID, Snapshots: []xmlSnapshot{}, NextToken: next}
	for _, sn := range matched[start:end] {
		out.Snapshots = append(out.Snapshots, xmlSnapshot{
			SnapshotID: sn.ID, VolumeID: sn.VolumeID, Status: sn.State, StartTime: isoTime(orDefault(sn.Started, sn.Started.At(now), now)),
			Progress: "100%", OwnerID: c.account, VolumeSize: sn.SizeGiB, Description: sn.Description, Encrypted: sn.Encrypted,
			StorageTier: sn.StorageTier, TagSet: tagSet(sn.Tags), TransferType: sn.TransferType,
		})
	}
	return out, nil
}

// DescribeImages

type describeImagesResponse struct {
	XMLName   xml.Name   `xml:"DescribeImagesResponse"`
	Xmlns     string     `xml:"xmlns,attr"`
	RequestID string     `xml:"requestId"`
	Images    []xmlImage `xml:"imagesSet>item"`
	NextToken string     `xml:"nextToken,omitempty"`
}

type xmlImage struct {
	ImageID            string            `xml:"imageId"`
	ImageLocation      string            `xml:"imageLocation"`
	ImageState         string            `xml:"imageState"`
	ImageOwnerID       string            `xml:"imageOwnerId"`
	CreationDate       string            `xml:"creationDate"`
	IsPublic           bool              `xml:"isPublic"`
	Architecture       string            `xml:"architecture"`
	ImageType          string            `xml:"imageType"`
	Name               string            `xml:"name"`
	RootDeviceType     string            `xml:"rootDeviceType"`
	RootDeviceName     string            `xml:"rootDeviceName"`
	BlockDeviceMapping []xmlImageBlockDM `xml:"blockDeviceMapping>item"`
	VirtualizationType string            `xml:"virtualizationType"`
	Hypervisor         string            `xml:"hypervisor"`
	TagSet             *xmlTagSet        `xml:"tagSet"`
}

type xmlImageBlockDM struct {
	DeviceName string `xml:"deviceName"`
	Ebs        struct {
		SnapshotID          string `xml:"snapshotId"`
		VolumeSize          int32  `xml:"volumeSize,omitempty"`
		DeleteOnTermination bool   `xml:"deleteOnTermination"`
		VolumeType          string `xml:"volumeType"`
		Encrypted           bool   `xml:"encrypted"`
	} `xml:"ebs"`
}

// deviceNames are the block device names of snapshots in an image or
// launch template, in order.
func deviceName(i int) string {
	if i == 0 {
		return "/dev/xvda"
	}
	return "/dev/xvd" + string(rune('a'+min(i, 25)))
}

func (s *Sim) snapshotSize(r *Region, id string) int32 {
	for _, sn := range r.Snapshots {
		if sn.ID == id {
			return sn.SizeGiB
		}
	}
	return 0
}

func (s *Sim) describeImages(c *call) (any, *apiError) {
	_, r := s.scope(c)
	form := c.r.Form
	includeDisabled := form.Get("IncludeDisabled") == "true"
	var imgs []*Image
	if r != nil && owned(listParam(form, "Owner"), c.account) {
		for i := range r.Images {
			im := &r.Images[i]
			// "IncludeDisabled: Specifies whether to include disabled AMIs."
			if im.State == "disabled" && !includeDisabled {
				continue
			}
			imgs = append(imgs, im)
		}
	}
	sort.Slice(imgs, func(i, j int) bool { return imgs[i].ID < imgs[j].ID })
	ids := listParam(form, "ImageId")
	for _, id := range ids {
		if !strings.HasPrefix(id, "ami-") {
			return nil, errorf(http.StatusBadRequest, "InvalidAMIID.Malformed", "Invalid id: \"%s\" (expecting \"ami-...\")", id)
		}
		if !containsFunc(imgs, func(im *Image) bool { return im.ID == id }) {
			return nil, errorf(http.StatusBadRequest, "InvalidAMIID.NotFound", "The image id '[%s]' does not exist", id)
		}
	}
	fs, err := filters(form)
	if err != nil {
		return nil, err
	}
	var matched []*Image
	var matchedIDs []string
	for _, im := range imgs {
		if len(ids) > 0 && !contains(ids, im.ID) {
			continue
		}
		ok, err := matchFilters(fs, im.Tags, map[string][]string{
			"image-id": {im.ID}, "name": {im.Name}, "state": {im.State}, "owner-id": {c.account}, "is-public": {"false"},
			"block-device-mapping.snapshot-id": im.SnapshotIDs, "image-type": {"machine"}, "root-device-type": {"ebs"},
		})
		if err != nil {
			return nil, err
		}
		if ok {
			matched = append(matched, im)
			matchedIDs = append(matchedIDs, im.ID)
		}
	}
	start, end, next, err := paginate(c, pageSpec{min: 6, max: 1000, idsParam: "ImageId"}, matchedIDs)
	if err != nil {
		return nil, err
	}
	now := s.now()
	out := describeImagesResponse{Xmlns: ec2Namespace, RequestID: c.requestID, Images: []xmlImage{}, NextToken: next}
	for _, im := range matched[start:end] {
		x := xmlImage{
			ImageID: im.ID, ImageLocation: c.account + "/" + im.Name, ImageState: im.State, ImageOwnerID: c.account,
			CreationDate: isoTime(orDefault(im.Created, im.Created.At(now), now)), Architecture: "x86_64", ImageType: "machine",
			Name: im.Name, RootDeviceType: "ebs", RootDeviceName: "/dev/xvda", VirtualizationType: "hvm", Hypervisor: "xen",
			TagSet: tagSet(im.Tags),
		}
		for i, snap := range im.SnapshotIDs {
			var bd xmlImageBlockDM
			bd.DeviceName = deviceName(i)
			bd.Ebs.SnapshotID = snap
			bd.Ebs.VolumeSize = s.snapshotSize(r, snap)
			bd.Ebs.DeleteOnTermination = true
			bd.Ebs.VolumeType = "gp3"
			x.BlockDeviceMapping = append(x.BlockDeviceMapping, bd)
		}
		out.Images = append(out.Images, x)
	}
	return out, nil
}

// DescribeLaunchTemplates

type describeLaunchTemplatesResponse struct {
	XMLName   xml.Name            `xml:"DescribeLaunchTemplatesResponse"`
	Xmlns     string              `xml:"xmlns,attr"`
	RequestID string              `xml:"requestId"`
	Templates []xmlLaunchTemplate `xml:"launchTemplates>item"`
	NextToken string              `xml:"nextToken,omitempty"`
}

type xmlLaunchTemplate struct {
	CreateTime           string       `xml:"createTime"`
	CreatedBy            string       `xml:"createdBy"`
	DefaultVersionNumber int64        `xml:"defaultVersionNumber"`
	LatestVersionNumber  int64        `xml:"latestVersionNumber"`
	LaunchTemplateID     string       `xml:"launchTemplateId"`
	LaunchTemplateName   string       `xml:"launchTemplateName"`
	TagSet               *xmlTagSet   `xml:"tagSet"`
	Operator             *xmlOperator `xml:"operator"`
}

// launchTemplates are the templates the call can see: a managed one is
// left out when hidesManaged, whether listed or named.
func (s *Sim) launchTemplates(c *call) ([]*LaunchTemplate, *apiError) {
	_, r := s.scope(c)
	var lts []*LaunchTemplate
	if r != nil {
		hide := s.hidesManaged(c)
		for i := range r.LaunchTemplates {
			if !(hide && r.LaunchTemplates[i].Managed) {
				lts = append(lts, &r.LaunchTemplates[i])
			}
		}
	}
	sort.Slice(lts, func(i, j int) bool { return lts[i].ID < lts[j].ID })
	return lts, nil
}

func (s *Sim) describeLaunchTemplates(c *call) (any, *apiError) {
	lts, _ := s.launchTemplates(c)
	ids, names := listParam(c.r.Form, "LaunchTemplateId"), listParam(c.r.Form, "LaunchTemplateName")
	for _, id := range ids {
		if !containsFunc(lts, func(lt *LaunchTemplate) bool { return lt.ID == id }) {
			return nil, errorf(http.StatusBadRequest, "InvalidLaunchTemplateId.NotFound", "At least one of the launch templates specified in the request does not exist.")
		}
	}
	for _, n := range names {
		if !containsFunc(lts, func(lt *LaunchTemplate) bool { return lt.Name == n }) {
			return nil, errorf(http.StatusBadRequest, "InvalidLaunchTemplateName.NotFoundException", "At least one of the launch templates specified in the request does not exist.")
		}
	}
	fs, err := filters(c.r.Form)
	if err != nil {
		return nil, err
	}
	var matched []*LaunchTemplate
	var matchedIDs []string
	for _, lt := range lts {
		if (len(ids) > 0 && !contains(ids, lt.ID)) || (len(names) > 0 && !contains(names, lt.Name)) {
			continue
		}
		ok, err := matchFilters(fs, lt.Tags, map[string][]string{"launch-template-name": {lt.Name}})
		if err != nil {
			return nil, err
		}
		if ok {
			matched = append(matched, lt)
			matchedIDs = append(matchedIDs, lt.ID)
		}
	}
	start, end, next, err := paginate(c, pageSpec{min: 1, max: 200, idsParam: "LaunchTemplateId"}, matchedIDs)
	if err != nil {
		return nil, err
	}
	now := s.now()
	out := describeLaunchTemplatesResponse{Xmlns: ec2Namespace, RequestID: c.requestID, Templates: []xmlLaunchTemplate{}, NextToken: next}
	for _, lt := range matched[start:end] {
		out.Templates = append(out.Templates, xmlLaunchTemplate{
			CreateTime: isoTime(orDefault(lt.Created, lt.Created.At(now), now)), CreatedBy: "arn:aws:iam::" + c.account + ":user/" + callerUser,
			DefaultVersionNumber: lt.DefaultVersion, LatestVersionNumber: int64(len(lt.Versions)),
			LaunchTemplateID: lt.ID, LaunchTemplateName: lt.Name, TagSet: tagSet(lt.Tags),
			Operator: s.operator(c, lt.Managed, lt.ManagedBy),
		})
	}
	return out, nil
}

// DescribeLaunchTemplateVersions

type describeLaunchTemplateVersionsResponse struct {
	XMLName   xml.Name       `xml:"DescribeLaunchTemplateVersionsResponse"`
	Xmlns     string         `xml:"xmlns,attr"`
	RequestID string         `xml:"requestId"`
	Versions  []xmlLTVersion `xml:"launchTemplateVersionSet>item"`
	NextToken string         `xml:"nextToken,omitempty"`
}

type xmlLTVersion struct {
	CreateTime         string `xml:"createTime"`
	CreatedBy          string `xml:"createdBy"`
	DefaultVersion     bool   `xml:"defaultVersion"`
	LaunchTemplateData struct {
		BlockDeviceMappings []xmlImageBlockDM `xml:"blockDeviceMappingSet>item"`
		ImageID             string            `xml:"imageId,omitempty"`
		InstanceType        string            `xml:"instanceType,omitempty"`
	} `xml:"launchTemplateData"`
	LaunchTemplateID   string       `xml:"launchTemplateId"`
	LaunchTemplateName string       `xml:"launchTemplateName"`
	VersionNumber      int64        `xml:"versionNumber"`
	Operator           *xmlOperator `xml:"operator"`
}

func (s *Sim) describeLaunchTemplateVersions(c *call) (any, *apiError) {
	lts, _ := s.launchTemplates(c)
	_, r := s.scope(c)
	form := c.r.Form
	id, name := form.Get("LaunchTemplateId"), form.Get("LaunchTemplateName")
	wantVersions := listParam(form, "LaunchTemplateVersion")
	var sel []*LaunchTemplate
	switch {
	case id != "" && name != "":
		return nil, errorf(http.StatusBadRequest, "InvalidParameterCombination", "The parameters LaunchTemplateId and LaunchTemplateName cannot be used together.")
	case id != "" || name != "":
		for _, lt := range lts {
			if lt.ID == id || lt.Name == name {
				sel = append(sel, lt)
			}
		}
		if len(sel) == 0 {
			return nil, errorf(http.StatusBadRequest, "InvalidLaunchTemplateId.NotFound", "The specified launch template, with template ID %s, does not exist.", id+name)
		}
	default:
		// Without a template, EC2 describes $Latest/$Default versions of all
		// templates only when versions are named that way; the simulator
		// returns every version of every template.
		sel = lts
	}
	type row struct {
		lt *LaunchTemplate
		n  int64
	}
	var rows []row
	var keys []string
	for _, lt := range sel {
		for n := int64(1); n <= int64(len(lt.Versions)); n++ {
			if len(wantVersions) > 0 {
				ok := false
				for _, w := range wantVersions {
					if w == strconv.FormatInt(n, 10) || (w == "$Latest" && n == int64(len(lt.Versions))) || (w == "$Default" && n == lt.DefaultVersion) {
						ok = true
					}
				}
				if !ok {
					continue
				}
			}
			rows = append(rows, row{lt, n})
			keys = append(keys, lt.ID+"/"+strconv.FormatInt(1e9+n, 10))
		}
	}
	start, end, next, err := paginate(c, pageSpec{min: 1, max: 200, idsParam: "LaunchTemplateVersion"}, keys)
	if err != nil {
		return nil, err
	}
	now := s.now()
	out := describeLaunchTemplateVersionsResponse{Xmlns: ec2Namespace, RequestID: c.requestID, Versions: []xmlLTVersion{}, NextToken: next}
	for _, rw := range rows[start:end] {
		v := rw.lt.Versions[rw.n-1]
		x := xmlLTVersion{
			CreateTime: isoTime(orDefault(rw.lt.Created, rw.lt.Created.At(now), now)), CreatedBy: "arn:aws:iam::" + c.account + ":user/" + callerUser,
			DefaultVersion: rw.n == rw.lt.DefaultVersion, LaunchTemplateID: rw.lt.ID, LaunchTemplateName: rw.lt.Name, VersionNumber: rw.n,
			Operator: s.operator(c, rw.lt.Managed, rw.lt.ManagedBy),
		}
		x.LaunchTemplateData.ImageID, x.LaunchTemplateData.InstanceType = v.ImageID, v.InstanceType
		for i, snap := range v.SnapshotIDs {
			var bd xmlImageBlockDM
			bd.DeviceName = deviceName(i)
			bd.Ebs.SnapshotID = snap
			if r != nil {
				bd.Ebs.VolumeSize = s.snapshotSize(r, snap)
			}
			bd.Ebs.DeleteOnTermination = true
			bd.Ebs.VolumeType = "gp3"
			x.LaunchTemplateData.BlockDeviceMappings = append(x.LaunchTemplateData.BlockDeviceMappings, bd)
		}
		out.Versions = append(out.Versions, x)
	}
	return out, nil
}

// DescribeNatGateways

type describeNatGatewaysResponse struct {
	XMLName   xml.Name        `xml:"DescribeNatGatewaysResponse"`
	Xmlns     string          `xml:"xmlns,attr"`
	RequestID string          `xml:"requestId"`
	Gateways  []xmlNatGateway `xml:"natGatewaySet>item"`
	NextToken string          `xml:"nextToken,omitempty"`
}

type xmlNatGateway struct {
	CreateTime string `xml:"createTime"`
	Addresses  []struct {
		AllocationID       string `xml:"allocationId,omitempty"`
		NetworkInterfaceID string `xml:"networkInterfaceId"`
		PrivateIP          string `xml:"privateIp"`
		PublicIP           string `xml:"publicIp,omitempty"`
		IsPrimary          bool   `xml:"isPrimary"`
		Status             string `xml:"status"`
	} `xml:"natGatewayAddressSet>item"`
	NatGatewayID     string     `xml:"natGatewayId"`
	State            string     `xml:"state"`
	SubnetID         string     `xml:"subnetId"`
	VpcID            string     `xml:"vpcId"`
	ConnectivityType string     `xml:"connectivityType"`
	TagSet           *xmlTagSet `xml:"tagSet"`
}

func (s *Sim) describeNatGateways(c *call) (any, *apiError) {
	_, r := s.scope(c)
	var gws []*NatGateway
	if r != nil {
		for i := range r.NatGateways {
			gws = append(gws, &r.NatGateways[i])
		}
	}
	sort.Slice(gws, func(i, j int) bool { return gws[i].ID < gws[j].ID })
	ids := listParam(c.r.Form, "NatGatewayId")
	for _, id := range ids {
		if !containsFunc(gws, func(g *NatGateway) bool { return g.ID == id }) {
			return nil, errorf(http.StatusBadRequest, "NatGatewayNotFound", "The Nat Gateway %s was not found", id)
		}
	}
	// DescribeNatGateways takes Filter.N like the other actions.
	fs, err := filters(c.r.Form)
	if err != nil {
		return nil, err
	}
	var matched []*NatGateway
	var matchedIDs []string
	for _, g := range gws {
		if len(ids) > 0 && !contains(ids, g.ID) {
			continue
		}
		ok, err := matchFilters(fs, g.Tags, map[string][]string{
			"nat-gateway-id": {g.ID}, "state": {g.State}, "subnet-id": {g.SubnetID}, "vpc-id": {g.VpcID},
		})
		if err != nil {
			return nil, err
		}
		if ok {
			matched = append(matched, g)
			matchedIDs = append(matchedIDs, g.ID)
		}
	}
	start, end, next, err := paginate(c, pageSpec{min: 5, max: 1000, idsParam: "NatGatewayId"}, matchedIDs)
	if err != nil {
		return nil, err
	}
	now := s.now()
	out := describeNatGatewaysResponse{Xmlns: ec2Namespace, RequestID: c.requestID, Gateways: []xmlNatGateway{}, NextToken: next}
	for _, g := range matched[start:end] {
		x := xmlNatGateway{
			CreateTime: isoTime(orDefault(g.Created, g.Created.At(now), now)), NatGatewayID: g.ID, State: g.State,
			SubnetID: g.SubnetID, VpcID: g.VpcID, ConnectivityType: g.Connectivity, TagSet: tagSet(g.Tags),
		}
		x.Addresses = append(x.Addresses, struct {
			AllocationID       string `xml:"allocationId,omitempty"`
			NetworkInterfaceID string `xml:"networkInterfaceId"`
			PrivateIP          string `xml:"privateIp"`
			PublicIP           string `xml:"publicIp,omitempty"`
			IsPrimary          bool   `xml:"isPrimary"`
			Status             string `xml:"status"`
		}{g.AllocationID, "eni-" + stableHex(17, "nat", g.ID), g.PrivateIP, g.PublicIP, true, "succeeded"})
		out.Gateways = append(out.Gateways, x)
	}
	return out, nil
}
