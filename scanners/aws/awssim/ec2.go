package awssim

import (
	"encoding/xml"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
)

// EC2 Query protocol responses. Element names and nesting follow the
// example responses of the EC2 API Reference
// (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeVolumes.html,
// API_DescribeAddresses.html, API_DescribeInstances.html, API_DescribeRegions.html):
// lowerCamel names, lists as <xxxSet><item>...</item></xxxSet>, a
// <requestId> first and <nextToken> last.

type xmlTag struct {
	Key   string `xml:"key"`
	Value string `xml:"value"`
}

type xmlTagSet struct {
	Items []xmlTag `xml:"item"`
}

func tagSet(tags map[string]string) *xmlTagSet {
	if len(tags) == 0 {
		return nil
	}
	ts := &xmlTagSet{}
	for _, k := range sortedKeys(tags) {
		ts.Items = append(ts.Items, xmlTag{Key: k, Value: tags[k]})
	}
	return ts
}

// account and region of the call; region is nil when the account has no
// such region in the estate, which reads as a region with nothing in it.
func (s *Sim) scope(c *call) (*Account, *Region) {
	a := s.accounts[c.account]
	return a, findRegion(a, c.region)
}

// xmlOperator is the operator element (OperatorResponse) of a resource
// managed by an AWS service.
type xmlOperator struct {
	Managed         bool   `xml:"managed"`
	Principal       string `xml:"principal,omitempty"`
	HiddenByDefault bool   `xml:"hiddenByDefault"`
}

// managedVisibility is the managed resource visibility of the call's
// account and region: the region's setting, else the account's, else
// visible (AWS's default).
func (s *Sim) managedVisibility(c *call) string {
	a, r := s.scope(c)
	switch {
	case r != nil && r.ManagedResourceVisibility != "":
		return r.ManagedResourceVisibility
	case a != nil && a.ManagedResourceVisibility != "":
		return a.ManagedResourceVisibility
	}
	return "visible"
}

// hidesManaged reports whether this DescribeInstances, DescribeVolumes,
// DescribeLaunchTemplates or DescribeLaunchTemplateVersions call leaves
// managed resources out: visibility is hidden and the request does not
// set IncludeManagedResources=true ("If this parameter is set to true,
// the output includes resources that are managed by Amazon Web Services
// services, even if managed resource visibility is set to hidden").
func (s *Sim) hidesManaged(c *call) bool {
	return s.managedVisibility(c) == "hidden" && !strings.EqualFold(c.r.Form.Get("IncludeManagedResources"), "true")
}

// operator is the operator element of a resource; nil for one that no
// AWS service manages.
func (s *Sim) operator(c *call, managed bool, by string) *xmlOperator {
	if !managed {
		return nil
	}
	return &xmlOperator{Managed: true, Principal: by, HiddenByDefault: s.managedVisibility(c) == "hidden"}
}

// DescribeRegions

type describeRegionsResponse struct {
	XMLName   xml.Name        `xml:"DescribeRegionsResponse"`
	Xmlns     string          `xml:"xmlns,attr"`
	RequestID string          `xml:"requestId"`
	Regions   []xmlRegionInfo `xml:"regionInfo>item"`
}

type xmlRegionInfo struct {
	RegionName     string `xml:"regionName"`
	RegionEndpoint string `xml:"regionEndpoint"`
	OptInStatus    string `xml:"optInStatus"`
}

func (s *Sim) describeRegions(c *call) (any, *apiError) {
	a, _ := s.scope(c)
	out := describeRegionsResponse{Xmlns: ec2Namespace, RequestID: c.requestID, Regions: []xmlRegionInfo{}}
	var names []string
	if a != nil {
		for _, r := range a.Regions {
			names = append(names, r.Name)
		}
	}
	sort.Strings(names)
	want := listParam(c.r.Form, "RegionName")
	for _, w := range want {
		if !contains(names, w) {
			return nil, errorf(http.StatusBadRequest, "InvalidParameterValue", "Invalid region: %s", w)
		}
	}
	fs, err := filters(c.r.Form)
	if err != nil {
		return nil, err
	}
	for _, f := range fs {
		switch f.name {
		case "region-name", "endpoint", "opt-in-status":
		default:
			return nil, unsupportedFilter(f.name)
		}
	}
next:
	for _, n := range names {
		info := xmlRegionInfo{RegionName: n, RegionEndpoint: "ec2." + n + ".amazonaws.com", OptInStatus: "opt-in-not-required"}
		if len(want) > 0 && !contains(want, n) {
			continue
		}
		for _, f := range fs {
			v := map[string]string{"region-name": info.RegionName, "endpoint": info.RegionEndpoint, "opt-in-status": info.OptInStatus}[f.name]
			if !matchAny(f.values, v) {
				continue next
			}
		}
		out.Regions = append(out.Regions, info)
	}
	return out, nil
}

// DescribeVolumes

type describeVolumesResponse struct {
	XMLName   xml.Name    `xml:"DescribeVolumesResponse"`
	Xmlns     string      `xml:"xmlns,attr"`
	RequestID string      `xml:"requestId"`
	Volumes   []xmlVolume `xml:"volumeSet>item"`
	NextToken string      `xml:"nextToken,omitempty"`
}

type xmlVolume struct {
	VolumeID           string           `xml:"volumeId"`
	Size               int32            `xml:"size"`
	SnapshotID         string           `xml:"snapshotId"`
	AvailabilityZone   string           `xml:"availabilityZone"`
	Status             string           `xml:"status"`
	CreateTime         string           `xml:"createTime"`
	AttachmentSet      xmlAttachmentSet `xml:"attachmentSet"`
	VolumeType         string           `xml:"volumeType"`
	Iops               int32            `xml:"iops,omitempty"`
	Throughput         int32            `xml:"throughput,omitempty"`
	Encrypted          bool             `xml:"encrypted"`
	MultiAttachEnabled bool             `xml:"multiAttachEnabled"`
	TagSet             *xmlTagSet       `xml:"tagSet"`
	Operator           *xmlOperator     `xml:"operator"`
}

type xmlAttachmentSet struct {
	Items []xmlAttachment `xml:"item"`
}

type xmlAttachment struct {
	VolumeID            string `xml:"volumeId"`
	InstanceID          string `xml:"instanceId"`
	Device              string `xml:"device"`
	Status              string `xml:"status"`
	AttachTime          string `xml:"attachTime"`
	DeleteOnTermination bool   `xml:"deleteOnTermination"`
}

func (s *Sim) describeVolumes(c *call) (any, *apiError) {
	_, r := s.scope(c)
	var vols []*Volume
	if r != nil {
		hide := s.hidesManaged(c)
		for i := range r.Volumes {
			if !(hide && r.Volumes[i].Managed) {
				vols = append(vols, &r.Volumes[i])
			}
		}
	}
	sort.Slice(vols, func(i, j int) bool { return vols[i].ID < vols[j].ID })
	byID := map[string]*Volume{}
	for _, v := range vols {
		byID[v.ID] = v
	}
	ids := listParam(c.r.Form, "VolumeId")
	for _, id := range ids {
		if !strings.HasPrefix(id, "vol-") {
			return nil, errorf(http.StatusBadRequest, "InvalidVolumeID.Malformed", "Invalid id: \"%s\" (expecting \"vol-...\")", id)
		}
		if byID[id] == nil {
			return nil, errorf(http.StatusBadRequest, "InvalidVolume.NotFound", "The volume '%s' does not exist.", id)
		}
	}
	fs, err := filters(c.r.Form)
	if err != nil {
		return nil, err
	}
	var matched []*Volume
	var matchedIDs []string
	for _, v := range vols {
		if len(ids) > 0 && !contains(ids, v.ID) {
			continue
		}
		ok, err := volumeMatches(v, fs)
		if err != nil {
			return nil, err
		}
		if ok {
			matched = append(matched, v)
			matchedIDs = append(matchedIDs, v.ID)
		}
	}
	start, end, next, err := paginate(c, pageSpec{min: 5, max: 500, idsParam: "VolumeId"}, matchedIDs)
	if err != nil {
		return nil, err
	}
	now := s.now()
	out := describeVolumesResponse{Xmlns: ec2Namespace, RequestID: c.requestID, Volumes: []xmlVolume{}, NextToken: next}
	for _, v := range matched[start:end] {
		created := v.Created.At(now)
		if created.IsZero() {
			created = now.Add(-365 * 24 * time.Hour).UTC().Truncate(time.Second)
		}
		xv := xmlVolume{
			VolumeID: v.ID, Size: v.SizeGiB, SnapshotID: v.SnapshotID, AvailabilityZone: v.AZ,
			Status: v.State, CreateTime: isoTime(created), VolumeType: v.Type,
			Iops: v.IOPS, Throughput: v.Throughput, Encrypted: v.Encrypted, TagSet: tagSet(v.Tags),
			Operator: s.operator(c, v.Managed, v.ManagedBy),
		}
		if v.AttachedTo != "" {
			xv.AttachmentSet.Items = []xmlAttachment{{
				VolumeID: v.ID, InstanceID: v.AttachedTo, Device: v.Device, Status: "attached",
				AttachTime: isoTime(created), DeleteOnTermination: false,
			}}
		}
		out.Volumes = append(out.Volumes, xv)
	}
	return out, nil
}

func volumeMatches(v *Volume, fs []filter) (bool, *apiError) {
	for _, f := range fs {
		if ok, handled := tagFilter(f, v.Tags); handled {
			if !ok {
				return false, nil
			}
			continue
		}
		var got []string
		switch f.name {
		case "status":
			got = []string{v.State}
		case "volume-type":
			got = []string{v.Type}
		case "volume-id":
			got = []string{v.ID}
		case "availability-zone":
			got = []string{v.AZ}
		case "size":
			got = []string{strconv.Itoa(int(v.SizeGiB))}
		case "encrypted":
			got = []string{strconv.FormatBool(v.Encrypted)}
		case "snapshot-id":
			got = []string{v.SnapshotID}
		case "multi-attach-enabled":
			got = []string{"false"}
		case "attachment.instance-id":
			got = nonEmpty(v.AttachedTo)
		case "attachment.device":
			got = nonEmpty(v.Device)
		case "attachment.status":
			if v.AttachedTo != "" {
				got = []string{"attached"}
			}
		case "attachment.delete-on-termination":
			if v.AttachedTo != "" {
				got = []string{"false"}
			}
		default:
			return false, unsupportedFilter(f.name)
		}
		if !anyMatch(f.values, got) {
			return false, nil
		}
	}
	return true, nil
}

func nonEmpty(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}

func anyMatch(patterns, values []string) bool {
	for _, v := range values {
		if matchAny(patterns, v) {
			return true
		}
	}
	return false
}

// DescribeAddresses is not paginated: the API Reference documents no
// MaxResults or NextToken for it.

type describeAddressesResponse struct {
	XMLName   xml.Name     `xml:"DescribeAddressesResponse"`
	Xmlns     string       `xml:"xmlns,attr"`
	RequestID string       `xml:"requestId"`
	Addresses []xmlAddress `xml:"addressesSet>item"`
}

type xmlAddress struct {
	PublicIP                string     `xml:"publicIp"`
	AllocationID            string     `xml:"allocationId"`
	Domain                  string     `xml:"domain"`
	InstanceID              string     `xml:"instanceId,omitempty"`
	AssociationID           string     `xml:"associationId,omitempty"`
	NetworkInterfaceID      string     `xml:"networkInterfaceId,omitempty"`
	NetworkInterfaceOwnerID string     `xml:"networkInterfaceOwnerId,omitempty"`
	PrivateIPAddress        string     `xml:"privateIpAddress,omitempty"`
	TagSet                  *xmlTagSet `xml:"tagSet"`
	PublicIpv4Pool          string     `xml:"publicIpv4Pool"`
	NetworkBorderGroup      string     `xml:"networkBorderGroup"`
}

func (s *Sim) describeAddresses(c *call) (any, *apiError) {
	for _, p := range []string{"MaxResults", "NextToken"} {
		if _, ok := c.r.Form[p]; ok {
			// UnknownParameter: "An unknown or unrecognized parameter was supplied."
			return nil, errorf(http.StatusBadRequest, "UnknownParameter", "The parameter %s is not recognized", p)
		}
	}
	_, r := s.scope(c)
	var addrs []*Address
	if r != nil {
		for i := range r.Addresses {
			addrs = append(addrs, &r.Addresses[i])
		}
	}
	sort.Slice(addrs, func(i, j int) bool { return addrs[i].AllocationID < addrs[j].AllocationID })
	allocs := listParam(c.r.Form, "AllocationId")
	ips := listParam(c.r.Form, "PublicIp")
	for _, id := range allocs {
		if !containsFunc(addrs, func(a *Address) bool { return a.AllocationID == id }) {
			return nil, errorf(http.StatusBadRequest, "InvalidAllocationID.NotFound", "The allocation ID '%s' does not exist", id)
		}
	}
	for _, ip := range ips {
		if !containsFunc(addrs, func(a *Address) bool { return a.PublicIP == ip }) {
			return nil, errorf(http.StatusBadRequest, "InvalidAddress.NotFound", "Address '%s' not found.", ip)
		}
	}
	fs, err := filters(c.r.Form)
	if err != nil {
		return nil, err
	}
	out := describeAddressesResponse{Xmlns: ec2Namespace, RequestID: c.requestID, Addresses: []xmlAddress{}}
next:
	for _, a := range addrs {
		if len(allocs) > 0 && !contains(allocs, a.AllocationID) {
			continue
		}
		if len(ips) > 0 && !contains(ips, a.PublicIP) {
			continue
		}
		for _, f := range fs {
			if ok, handled := tagFilter(f, a.Tags); handled {
				if !ok {
					continue next
				}
				continue
			}
			var got []string
			switch f.name {
			case "domain":
				got = []string{"vpc"}
			case "allocation-id":
				got = []string{a.AllocationID}
			case "public-ip":
				got = []string{a.PublicIP}
			case "association-id":
				got = nonEmpty(a.AssociationID)
			case "instance-id":
				got = nonEmpty(a.InstanceID)
			case "network-interface-id":
				got = nonEmpty(a.NetworkInterfaceID)
			case "network-interface-owner-id":
				if a.NetworkInterfaceID != "" {
					got = []string{c.account}
				}
			case "private-ip-address":
				got = nonEmpty(a.PrivateIP)
			case "network-border-group":
				got = []string{c.region}
			case "public-ipv4-pool":
				got = []string{"amazon"}
			default:
				return nil, unsupportedFilter(f.name)
			}
			if !anyMatch(f.values, got) {
				continue next
			}
		}
		xa := xmlAddress{
			PublicIP: a.PublicIP, AllocationID: a.AllocationID, Domain: "vpc",
			InstanceID: a.InstanceID, AssociationID: a.AssociationID, NetworkInterfaceID: a.NetworkInterfaceID,
			PrivateIPAddress: a.PrivateIP, TagSet: tagSet(a.Tags), PublicIpv4Pool: "amazon", NetworkBorderGroup: c.region,
		}
		if a.NetworkInterfaceID != "" {
			xa.NetworkInterfaceOwnerID = c.account
		}
		out.Addresses = append(out.Addresses, xa)
	}
	return out, nil
}

func containsFunc[T any](list []T, f func(T) bool) bool {
	for _, x := range list {
		if f(x) {
			return true
		}
	}
	return false
}

// DescribeInstances

type describeInstancesResponse struct {
	XMLName      xml.Name         `xml:"DescribeInstancesResponse"`
	Xmlns        string           `xml:"xmlns,attr"`
	RequestID    string           `xml:"requestId"`
	Reservations []xmlReservation `xml:"reservationSet>item"`
	NextToken    string           `xml:"nextToken,omitempty"`
}

type xmlReservation struct {
	ReservationID string        `xml:"reservationId"`
	OwnerID       string        `xml:"ownerId"`
	GroupSet      struct{}      `xml:"groupSet"`
	Instances     []xmlInstance `xml:"instancesSet>item"`
}

type xmlInstance struct {
	InstanceID    string `xml:"instanceId"`
	ImageID       string `xml:"imageId"`
	InstanceState struct {
		Code int32  `xml:"code"`
		Name string `xml:"name"`
	} `xml:"instanceState"`
	PrivateDNSName string `xml:"privateDnsName"`
	DNSName        string `xml:"dnsName"`
	// StateTransitionReason travels as <reason> on the wire.
	Reason         string `xml:"reason"`
	AmiLaunchIndex int    `xml:"amiLaunchIndex"`
	InstanceType   string `xml:"instanceType"`
	LaunchTime     string `xml:"launchTime"`
	Placement      struct {
		AvailabilityZone string `xml:"availabilityZone"`
		GroupName        string `xml:"groupName"`
		Tenancy          string `xml:"tenancy"`
	} `xml:"placement"`
	Platform   string `xml:"platform,omitempty"`
	Monitoring struct {
		State string `xml:"state"`
	} `xml:"monitoring"`
	StateReason *struct {
		Code    string `xml:"code"`
		Message string `xml:"message"`
	} `xml:"stateReason"`
	Architecture       string           `xml:"architecture"`
	RootDeviceType     string           `xml:"rootDeviceType"`
	RootDeviceName     string           `xml:"rootDeviceName"`
	BlockDeviceMapping []xmlBlockDevice `xml:"blockDeviceMapping>item"`
	VirtualizationType string           `xml:"virtualizationType"`
	TagSet             *xmlTagSet       `xml:"tagSet"`
	Hypervisor         string           `xml:"hypervisor"`
	PlatformDetails    string           `xml:"platformDetails"`
	UsageOperation     string           `xml:"usageOperation"`
	Operator           *xmlOperator     `xml:"operator"`
}

type xmlBlockDevice struct {
	DeviceName string `xml:"deviceName"`
	Ebs        struct {
		VolumeID            string `xml:"volumeId"`
		Status              string `xml:"status"`
		AttachTime          string `xml:"attachTime"`
		DeleteOnTermination bool   `xml:"deleteOnTermination"`
	} `xml:"ebs"`
}

func (s *Sim) describeInstances(c *call) (any, *apiError) {
	_, r := s.scope(c)
	var insts []*Instance
	if r != nil {
		hide := s.hidesManaged(c)
		for i := range r.Instances {
			if !(hide && r.Instances[i].Managed) {
				insts = append(insts, &r.Instances[i])
			}
		}
	}
	sort.Slice(insts, func(i, j int) bool { return insts[i].ID < insts[j].ID })
	ids := listParam(c.r.Form, "InstanceId")
	for _, id := range ids {
		if !strings.HasPrefix(id, "i-") {
			return nil, errorf(http.StatusBadRequest, "InvalidInstanceID.Malformed", "Invalid id: \"%s\"", id)
		}
		if !containsFunc(insts, func(in *Instance) bool { return in.ID == id }) {
			return nil, errorf(http.StatusBadRequest, "InvalidInstanceID.NotFound", "The instance ID '%s' does not exist", id)
		}
	}
	fs, err := filters(c.r.Form)
	if err != nil {
		return nil, err
	}
	var matched []*Instance
	var matchedIDs []string
next:
	for _, in := range insts {
		if len(ids) > 0 && !contains(ids, in.ID) {
			continue
		}
		for _, f := range fs {
			if ok, handled := tagFilter(f, in.Tags); handled {
				if !ok {
					continue next
				}
				continue
			}
			var got []string
			switch f.name {
			case "instance-id":
				got = []string{in.ID}
			case "instance-state-name":
				got = []string{in.State}
			case "instance-state-code":
				got = []string{strconv.Itoa(int(instanceStates[in.State]))}
			case "instance-type":
				got = []string{in.Type}
			case "availability-zone":
				got = []string{in.AZ}
			case "image-id":
				got = []string{in.ImageID}
			case "platform":
				got = nonEmpty(in.Platform)
			case "owner-id":
				got = []string{c.account}
			default:
				return nil, unsupportedFilter(f.name)
			}
			if !anyMatch(f.values, got) {
				continue next
			}
		}
		matched = append(matched, in)
		matchedIDs = append(matchedIDs, in.ID)
	}
	start, end, next, apiErr := paginate(c, pageSpec{min: 5, max: 1000, idsParam: "InstanceId"}, matchedIDs)
	if apiErr != nil {
		return nil, apiErr
	}
	now := s.now()
	out := describeInstancesResponse{Xmlns: ec2Namespace, RequestID: c.requestID, Reservations: []xmlReservation{}, NextToken: next}
	for _, in := range matched[start:end] {
		out.Reservations = append(out.Reservations, xmlReservation{
			ReservationID: "r-" + stableHex(17, c.account, in.ID),
			OwnerID:       c.account,
			Instances:     []xmlInstance{s.instanceXML(r, in, now)},
		})
		out.Reservations[len(out.Reservations)-1].Instances[0].Operator = s.operator(c, in.Managed, in.ManagedBy)
	}
	return out, nil
}

func (s *Sim) instanceXML(r *Region, in *Instance, now time.Time) xmlInstance {
	x := xmlInstance{
		InstanceID: in.ID, ImageID: in.ImageID, InstanceType: in.Type, Platform: in.Platform,
		Architecture: "x86_64", RootDeviceType: "ebs", RootDeviceName: "/dev/xvda",
		VirtualizationType: "hvm", Hypervisor: "xen", TagSet: tagSet(in.Tags),
		PlatformDetails: usageOperations[in.UsageOperation], UsageOperation: in.UsageOperation,
	}
	x.InstanceState.Code = instanceStates[in.State]
	x.InstanceState.Name = in.State
	launched := in.Launched.At(now)
	if launched.IsZero() {
		launched = now.Add(-365 * 24 * time.Hour).UTC().Truncate(time.Second)
	}
	x.LaunchTime = isoTime(launched)
	x.Placement.AvailabilityZone = in.AZ
	x.Placement.Tenancy = "default"
	x.Monitoring.State = "disabled"
	if in.State != "terminated" {
		n, _ := strconv.ParseUint(stableHex(2, in.ID), 16, 8)
		x.PrivateDNSName = "ip-10-0-0-" + strconv.FormatUint(n, 10) + "." + regionDNS(in.AZ)
	}
	// StateTransitionReason: "User initiated (YYYY-MM-DD HH:MM:SS GMT)" for
	// an instance stopped or terminated by a user, as the EC2 console and
	// the API Reference's Instance data type show it.
	switch in.State {
	case "stopped", "stopping", "terminated", "shutting-down":
		x.Reason = "User initiated"
		if !in.StoppedAt.IsZero() {
			x.Reason = "User initiated (" + in.StoppedAt.At(now).UTC().Format("2006-01-02 15:04:05") + " GMT)"
		}
		x.StateReason = &struct {
			Code    string `xml:"code"`
			Message string `xml:"message"`
		}{"Client.UserInitiatedShutdown", "Client.UserInitiatedShutdown: User initiated shutdown"}
	}
	if r != nil {
		vols := append([]Volume(nil), r.Volumes...)
		sort.Slice(vols, func(i, j int) bool { return vols[i].ID < vols[j].ID })
		for _, v := range vols {
			if v.AttachedTo != in.ID {
				continue
			}
			var bd xmlBlockDevice
			bd.DeviceName = v.Device
			bd.Ebs.VolumeID = v.ID
			bd.Ebs.Status = "attached"
			created := v.Created.At(now)
			if created.IsZero() {
				created = launched
			}
			bd.Ebs.AttachTime = isoTime(created)
			x.BlockDeviceMapping = append(x.BlockDeviceMapping, bd)
		}
	}
	return x
}

// regionDNS is the private DNS suffix of an availability zone's region.
func regionDNS(az string) string {
	region := strings.TrimRight(az, "abcdefghijklmnopqrstuvwxyz")
	if region == "us-east-1" {
		return "ec2.internal"
	}
	return region + ".compute.internal"
}

// usageOperations maps each usage operation of AWS's "AMI billing
// information fields" table to its platform details
// (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/billing-info-fields.html).
var usageOperations = map[string]string{
	"RunInstances":      "Linux/UNIX",
	"RunInstances:00g0": "Red Hat BYOL Linux",
	"RunInstances:0010": "Red Hat Enterprise Linux",
	"RunInstances:1010": "Red Hat Enterprise Linux with HA",
	"RunInstances:1014": "Red Hat Enterprise Linux with SQL Server Standard and HA",
	"RunInstances:1110": "Red Hat Enterprise Linux with SQL Server Enterprise and HA",
	"RunInstances:0014": "Red Hat Enterprise Linux with SQL Server Standard",
	"RunInstances:0210": "Red Hat Enterprise Linux with SQL Server Web",
	"RunInstances:0110": "Red Hat Enterprise Linux with SQL Server Enterprise",
	"RunInstances:0100": "SQL Server Enterprise",
	"RunInstances:0004": "SQL Server Standard",
	"RunInstances:0200": "SQL Server Web",
	"RunInstances:000g": "SUSE Linux",
	"RunInstances:0g00": "Ubuntu Pro",
	"RunInstances:0002": "Windows",
	"RunInstances:0800": "Windows BYOL",
	"RunInstances:0102": "Windows with SQL Server Enterprise",
	"RunInstances:0006": "Windows with SQL Server Standard",
	"RunInstances:0202": "Windows with SQL Server Web",
}

// windowsOperations are the usage operations of Windows AMIs, whose
// instances DescribeInstances reports with platform "windows".
var windowsOperations = map[string]bool{
	"RunInstances:0002": true, "RunInstances:0800": true, "RunInstances:0102": true,
	"RunInstances:0006": true, "RunInstances:0202": true,
}
