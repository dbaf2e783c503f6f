package awssim

import (
	"fmt"
	"math"
	"net/netip"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"

	"github.com/ghostaudit/ghostaudit/scanners/estate"
	"github.com/ghostaudit/ghostaudit/scanners/strictyaml"
)

// Load decodes and validates the aws section of a parsed estate. ok is
// false when the estate has no aws section. Validation errors name the
// file, the line when it is known, and the field, e.g.
// "demo.yaml:12:17: aws.accounts[1].regions[0].volumes[2].type: "gp9" is not a volume type".
//
// The returned Estate has its defaults filled in (availability zones,
// volume states, gp2/gp3 IOPS and throughput, attachment devices).
func Load(e *estate.Estate) (est *Estate, ok bool, err error) {
	if e == nil {
		return nil, false, nil
	}
	est = &Estate{}
	ok, err = e.DecodeSection("aws", est)
	if !ok || err != nil {
		return nil, ok, err
	}
	v := &validator{file: e.File, node: e.Sections["aws"]}
	if err := v.estate(est); err != nil {
		return nil, true, err
	}
	return est, true, nil
}

// Volume types and states as documented for the EC2 Volume data type
// (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_Volume.html).
var (
	volumeTypes    = []string{"standard", "io1", "io2", "gp2", "gp3", "sc1", "st1"}
	volumeStates   = []string{"creating", "available", "in-use", "deleting", "deleted", "error"}
	instanceStates = map[string]int32{ // API_InstanceState.html: the low byte of the state code
		"pending": 0, "running": 16, "shutting-down": 32, "terminated": 48, "stopping": 64, "stopped": 80,
	}
	faultOps = []string{"*", "DescribeRegions", "DescribeVolumes", "DescribeAddresses", "DescribeInstances", "GetCallerIdentity", "AssumeRole",
		"GetMetricData", "DescribeSnapshots", "DescribeImages", "DescribeLaunchTemplates", "DescribeLaunchTemplateVersions", "DescribeNatGateways",
		"DescribeLoadBalancers", "DescribeTargetGroups", "DescribeTargetHealth", "DescribeListeners", "DescribeInstanceHealth",
		"DescribeDBInstances", "DescribeDBSnapshots", "DescribeLogGroups", "ListAccounts",
		"DescribeTags", "ListTagsForResource", // DescribeTags: ELBv2 and Classic ELB alike
		"GetProducts"} // GetProducts: pricing.go
)

// faultStatuses are the MetricDataResult StatusCodes a series can be
// given (Series.Status). PartialData is not among them: for a MetricStat
// query CloudWatch sends it with a NextToken, which the simulator does
// when a response reaches MaxDatapoints.
var faultStatuses = []string{"InternalError", "Forbidden"}

// rateServices are the service keys of the rate fault (IAM prefixes).
var rateServices = []string{"ec2", "sts", "cloudwatch", "elasticloadbalancing", "rds", "logs", "organizations"}

var (
	accountRE  = regexp.MustCompile(`^\d{12}$`)
	regionRE   = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-\d+$`)
	resourceRE = regexp.MustCompile(`^[a-z]+-[0-9a-zA-Z]+$`)
)

type validator struct {
	file string
	node ast.Node // the aws section, for line numbers
}

// fail builds a located error for field (a path below "aws").
func (v *validator) fail(field, format string, args ...any) error {
	problem := fmt.Sprintf(format, args...)
	var node ast.Node
	if v.node != nil && field != "" {
		if p, err := yaml.PathString("$." + field); err == nil {
			if n, err := p.FilterNode(v.node); err == nil && n != nil {
				node = n
			}
		}
	}
	full := "aws"
	if field != "" {
		full += "." + field
	}
	return strictyaml.At(v.file, node, full, problem)
}

func (v *validator) estate(est *Estate) error {
	if len(est.Accounts) == 0 {
		return v.fail("accounts", "at least one account is required")
	}
	seenAcct := map[string]bool{}
	ids := map[string]string{} // resource id -> field that declared it
	for i := range est.Accounts {
		a := &est.Accounts[i]
		f := fmt.Sprintf("accounts[%d]", i)
		if !accountRE.MatchString(a.ID) {
			return v.fail(f+".id", "%q is not a 12-digit account id", a.ID)
		}
		if seenAcct[a.ID] {
			return v.fail(f+".id", "account %s is listed twice", a.ID)
		}
		seenAcct[a.ID] = true
		switch a.AssumeRole {
		case "", "allow", "deny":
		default:
			return v.fail(f+".assume_role", "%q is not allow or deny", a.AssumeRole)
		}
		if err := v.faults(f+".faults", &a.Faults); err != nil {
			return err
		}
		if err := v.visibility(f+".managed_resource_visibility", a.ManagedResourceVisibility); err != nil {
			return err
		}
		seenRegion := map[string]bool{}
		for j := range a.Regions {
			if err := v.region(fmt.Sprintf("%s.regions[%d]", f, j), a.ID, &a.Regions[j], seenRegion, ids); err != nil {
				return err
			}
		}
	}
	if err := v.organization(est); err != nil {
		return err
	}
	if err := v.priceList(est); err != nil { // pricing.go
		return err
	}
	switch est.CloudWatchProtocol {
	case "", CloudWatchBoth, CloudWatchCBOR, CloudWatchQuery:
	default:
		return v.fail("cloudwatch_protocol", "%q is not both, cbor or query", est.CloudWatchProtocol)
	}
	if est.CallerAccount == "" {
		est.CallerAccount = est.Accounts[0].ID
	} else if !seenAcct[est.CallerAccount] {
		return v.fail("caller_account", "%q is not one of the accounts", est.CallerAccount)
	}
	return nil
}

func (v *validator) faults(f string, fl *Faults) error {
	for i, op := range fl.Deny {
		if !contains(faultOps, op) {
			return v.fail(fmt.Sprintf("%s.deny[%d]", f, i), "%q is not a simulated operation (want one of %s)", op, strings.Join(faultOps, ", "))
		}
	}
	for name, m := range map[string]map[string]int{"throttle": fl.Throttle, "unavailable": fl.Unavailable} {
		for _, op := range sortedKeys(m) {
			if !contains(faultOps, op) {
				return v.fail(f+"."+name, "%q is not a simulated operation (want one of %s)", op, strings.Join(faultOps, ", "))
			}
			if m[op] < 0 {
				return v.fail(f+"."+name, "%s: count %d is negative", op, m[op])
			}
		}
	}
	for _, k := range sortedKeys(fl.Rate) {
		if !contains(faultOps, k) && !contains(rateServices, k) || k == "*" {
			return v.fail(f+".rate", "%q is neither a simulated service (%s) nor operation", k, strings.Join(rateServices, ", "))
		}
		if !(fl.Rate[k] > 0) || math.IsInf(fl.Rate[k], 0) {
			return v.fail(f+".rate", "%s: %v is not a positive number of requests per second", k, fl.Rate[k])
		}
	}
	for _, k := range sortedKeys(fl.Burst) {
		if fl.Burst[k] < 1 {
			return v.fail(f+".burst", "%s: %d is not a positive number of tokens", k, fl.Burst[k])
		}
	}
	for i, p := range fl.UnknownParameters {
		if !paramNameRE.MatchString(p) {
			return v.fail(fmt.Sprintf("%s.unknown_parameters[%d]", f, i), "%q is not a request parameter name such as IncludeManagedResources", p)
		}
	}
	if fl.Latency != "" {
		d, err := time.ParseDuration(fl.Latency)
		if err != nil || d < 0 {
			return v.fail(f+".latency", "%q is not a duration such as 25ms", fl.Latency)
		}
	}
	return nil
}

// paramNameRE matches a Query API parameter name (UpperCamel).
var paramNameRE = regexp.MustCompile(`^[A-Z][A-Za-z0-9]*$`)

// visibility checks a managed resource visibility setting.
func (v *validator) visibility(field, s string) error {
	switch s {
	case "", "visible", "hidden":
		return nil
	}
	return v.fail(field, "%q is not visible or hidden", s)
}

// managed checks a resource's managed_by and fills in its default.
func (v *validator) managed(f string, managed bool, by *string) error {
	switch {
	case !managed && *by != "":
		return v.fail(f+".managed_by", "only a managed resource (managed: true) has managed_by")
	case managed && *by == "":
		*by = "eks.amazonaws.com"
	}
	return nil
}

func (v *validator) region(f, account string, r *Region, seen map[string]bool, ids map[string]string) error {
	if strings.TrimSpace(r.Name) == "" {
		return v.fail(f+".name", "a region name is required")
	}
	if !regionRE.MatchString(r.Name) {
		return v.fail(f+".name", "%q is not a region name such as us-east-1", r.Name)
	}
	if seen[r.Name] {
		return v.fail(f+".name", "region %s is listed twice for account %s", r.Name, account)
	}
	seen[r.Name] = true
	if err := v.faults(f+".faults", &r.Faults); err != nil {
		return err
	}
	if err := v.visibility(f+".managed_resource_visibility", r.ManagedResourceVisibility); err != nil {
		return err
	}
	claim := func(field, kind, prefix, id string) error {
		if id == "" {
			return v.fail(field, "an id is required")
		}
		if !strings.HasPrefix(id, prefix) || !resourceRE.MatchString(id) {
			return v.fail(field, "%q is not a %s id (%s...)", id, kind, prefix)
		}
		if prev, dup := ids[id]; dup {
			return v.fail(field, "%s is also declared at aws.%s", id, prev)
		}
		ids[id] = field
		return nil
	}
	az := func(field string, s *string) error {
		if *s == "" {
			*s = r.Name + "a"
			return nil
		}
		if !strings.HasPrefix(*s, r.Name) || len(*s) <= len(r.Name) {
			return v.fail(field, "%q is not an availability zone of %s", *s, r.Name)
		}
		return nil
	}
	instances := map[string]*Instance{}
	for i := range r.Instances {
		in := &r.Instances[i]
		fi := fmt.Sprintf("%s.instances[%d]", f, i)
		if err := claim(fi+".id", "instance", "i-", in.ID); err != nil {
			return err
		}
		instances[in.ID] = in
		if in.Type == "" {
			return v.fail(fi+".type", "an instance type such as m5.large is required")
		}
		if in.State == "" {
			in.State = "running"
		}
		if _, ok := instanceStates[in.State]; !ok {
			return v.fail(fi+".state", "%q is not an instance state (pending, running, stopping, stopped, shutting-down, terminated)", in.State)
		}
		if !in.StoppedAt.IsZero() && in.State != "stopped" && in.State != "stopping" {
			return v.fail(fi+".stopped_at", "only a stopped instance has stopped_at (state is %s)", in.State)
		}
		switch in.Platform {
		case "", "windows":
		default:
			return v.fail(fi+".platform", "%q is not \"\" or windows", in.Platform)
		}
		switch {
		case in.UsageOperation == "" && in.Platform == "windows":
			in.UsageOperation = "RunInstances:0002"
		case in.UsageOperation == "":
			in.UsageOperation = "RunInstances"
		}
		if _, ok := usageOperations[in.UsageOperation]; !ok {
			return v.fail(fi+".usage_operation", "%q is not a usage operation of AWS's AMI billing information table (RunInstances, RunInstances:0002, ...)", in.UsageOperation)
		}
		if windowsOperations[in.UsageOperation] != (in.Platform == "windows") {
			return v.fail(fi+".usage_operation", "%s (%s) needs platform windows exactly when it is a Windows operation (platform is %q)", in.UsageOperation, usageOperations[in.UsageOperation], in.Platform)
		}
		if in.ImageID == "" {
			in.ImageID = "ami-0abcdef1234567890"
		} else if !strings.HasPrefix(in.ImageID, "ami-") {
			return v.fail(fi+".image_id", "%q is not an AMI id (ami-...)", in.ImageID)
		}
		if err := az(fi+".az", &in.AZ); err != nil {
			return err
		}
		if err := v.metrics(fi+".metrics", "AWS/EC2", in.Metrics); err != nil {
			return err
		}
		if err := v.managed(fi, in.Managed, &in.ManagedBy); err != nil {
			return err
		}
	}
	// Attachment devices default per instance, in volume id order.
	nextDevice := map[string]byte{}
	order := make([]int, len(r.Volumes))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return r.Volumes[order[a]].ID < r.Volumes[order[b]].ID })
	for _, i := range order {
		vol := &r.Volumes[i]
		fv := fmt.Sprintf("%s.volumes[%d]", f, i)
		if err := claim(fv+".id", "volume", "vol-", vol.ID); err != nil {
			return err
		}
		if vol.SizeGiB <= 0 || vol.SizeGiB > 65536 {
			return v.fail(fv+".size_gib", "%d is not a volume size in GiB (1-65536)", vol.SizeGiB)
		}
		if vol.Type == "" {
			return v.fail(fv+".type", "a volume type is required (%s)", strings.Join(volumeTypes, ", "))
		}
		if !contains(volumeTypes, vol.Type) {
			return v.fail(fv+".type", "%q is not a volume type", vol.Type)
		}
		if vol.IOPS < 0 || vol.Throughput < 0 {
			return v.fail(fv, "iops and throughput cannot be negative")
		}
		switch vol.Type {
		case "io1", "io2":
			if vol.IOPS == 0 {
				return v.fail(fv+".iops", "provisioned IOPS are required for %s volumes", vol.Type)
			}
		case "gp3":
			if vol.IOPS == 0 {
				vol.IOPS = 3000 // gp3 baseline, https://docs.aws.amazon.com/ebs/latest/userguide/general-purpose.html
			}
			if vol.Throughput == 0 {
				vol.Throughput = 125
			}
		case "gp2":
			if vol.IOPS == 0 {
				vol.IOPS = min(max(3*vol.SizeGiB, 100), 16000) // 3 IOPS/GiB, 100 minimum, 16,000 maximum
			}
		default:
			if vol.IOPS != 0 {
				return v.fail(fv+".iops", "%s volumes have no provisioned IOPS", vol.Type)
			}
		}
		if vol.Throughput != 0 && vol.Type != "gp3" {
			return v.fail(fv+".throughput", "throughput is set only for gp3 volumes, not %s", vol.Type)
		}
		if vol.SnapshotID != "" && !strings.HasPrefix(vol.SnapshotID, "snap-") {
			return v.fail(fv+".snapshot_id", "%q is not a snapshot id (snap-...)", vol.SnapshotID)
		}
		if err := az(fv+".az", &vol.AZ); err != nil {
			return err
		}
		if err := v.metrics(fv+".metrics", "AWS/EBS", vol.Metrics); err != nil {
			return err
		}
		if err := v.managed(fv, vol.Managed, &vol.ManagedBy); err != nil {
			return err
		}
		if vol.State == "" {
			vol.State = "available"
			if vol.AttachedTo != "" {
				vol.State = "in-use"
			}
		}
		if !contains(volumeStates, vol.State) {
			return v.fail(fv+".state", "%q is not a volume state (%s)", vol.State, strings.Join(volumeStates, ", "))
		}
		if vol.AttachedTo != "" {
			in, ok := instances[vol.AttachedTo]
			if !ok {
				return v.fail(fv+".attached_to", "%q is not an instance in %s", vol.AttachedTo, r.Name)
			}
			if vol.State != "in-use" {
				return v.fail(fv+".state", "an attached volume is in-use, not %s", vol.State)
			}
			if in.AZ != vol.AZ {
				return v.fail(fv+".az", "volume in %s cannot be attached to %s in %s", vol.AZ, in.ID, in.AZ)
			}
			if vol.Device == "" {
				n := nextDevice[in.ID]
				vol.Device = "/dev/sd" + string(rune('f'+n))
				if n < 20 {
					nextDevice[in.ID] = n + 1
				}
			}
		} else {
			if vol.State == "in-use" {
				return v.fail(fv+".state", "an in-use volume needs attached_to")
			}
			if vol.Device != "" {
				return v.fail(fv+".device", "device is set only for an attached volume")
			}
		}
	}
	for i := range r.Addresses {
		ad := &r.Addresses[i]
		fa := fmt.Sprintf("%s.addresses[%d]", f, i)
		if err := claim(fa+".allocation_id", "allocation", "eipalloc-", ad.AllocationID); err != nil {
			return err
		}
		ip, err := netip.ParseAddr(ad.PublicIP)
		if err != nil || !ip.Is4() {
			return v.fail(fa+".public_ip", "%q is not an IPv4 address", ad.PublicIP)
		}
		if prev, dup := ids[ad.PublicIP]; dup {
			return v.fail(fa+".public_ip", "%s is also declared at aws.%s", ad.PublicIP, prev)
		}
		ids[ad.PublicIP] = fa + ".public_ip"
		if ad.InstanceID != "" {
			if _, ok := instances[ad.InstanceID]; !ok {
				return v.fail(fa+".instance_id", "%q is not an instance in %s", ad.InstanceID, r.Name)
			}
		}
		if ad.NetworkInterfaceID != "" && !strings.HasPrefix(ad.NetworkInterfaceID, "eni-") {
			return v.fail(fa+".network_interface_id", "%q is not a network interface id (eni-...)", ad.NetworkInterfaceID)
		}
		if ad.PrivateIP != "" {
			if ip, err := netip.ParseAddr(ad.PrivateIP); err != nil || !ip.Is4() {
				return v.fail(fa+".private_ip", "%q is not an IPv4 address", ad.PrivateIP)
			}
		}
		associated := ad.InstanceID != "" || ad.NetworkInterfaceID != ""
		if ad.AssociationID != "" && !associated {
			return v.fail(fa+".association_id", "an association needs instance_id or network_interface_id")
		}
		if ad.AssociationID != "" && !strings.HasPrefix(ad.AssociationID, "eipassoc-") {
			return v.fail(fa+".association_id", "%q is not an association id (eipassoc-...)", ad.AssociationID)
		}
		if associated {
			// An associated address always has an association, an ENI and a
			// private address; fill in stable values derived from the id.
			suffix := strings.TrimPrefix(ad.AllocationID, "eipalloc-")
			if ad.AssociationID == "" {
				ad.AssociationID = "eipassoc-" + suffix
			}
			if ad.NetworkInterfaceID == "" {
				ad.NetworkInterfaceID = "eni-" + suffix
			}
			if ad.PrivateIP == "" {
				ad.PrivateIP = fmt.Sprintf("10.0.%d.%d", (i/250)%250, i%250+4)
			}
		} else if ad.PrivateIP != "" {
			return v.fail(fa+".private_ip", "an unassociated address has no private IP")
		}
	}
	return v.regionMore(f, account, r, instances, claim)
}

// metrics checks a resource's CloudWatch series against the namespace's
// catalog.
func (v *validator) metrics(f, ns string, m Metrics) error {
	for _, name := range sortedKeys(m) {
		if _, ok := metricCatalog[ns].metrics[name]; !ok {
			return v.fail(f+"."+name, "%s is not a simulated %s metric (want one of %s)", name, ns, strings.Join(sortedMetricNames(ns), ", "))
		}
		s := m[name]
		fs := f + "." + name
		switch {
		case s.Avg != nil && len(s.Daily) > 0:
			return v.fail(fs, "set either daily or avg, not both")
		case s.Status != "" && !contains(faultStatuses, s.Status):
			return v.fail(fs+".status", "%q is not a fault status (%s)", s.Status, strings.Join(faultStatuses, ", "))
		case s.Message != "" && s.Status == "":
			return v.fail(fs+".message", "message goes with status")
		case s.Avg == nil && len(s.Daily) == 0 && s.Status == "":
			return v.fail(fs, "a series needs daily values or avg")
		case s.Avg == nil && s.Days != 0:
			return v.fail(fs+".days", "days goes with avg")
		case s.Days < 0 || s.Days > 455:
			return v.fail(fs+".days", "%d is not a number of days (1-455, CloudWatch keeps hourly data 455 days)", s.Days)
		case len(s.Daily) > 455:
			return v.fail(fs+".daily", "%d days is more than the 455 CloudWatch keeps", len(s.Daily))
		}
		for i, x := range s.Daily {
			if x < 0 || math.IsNaN(x) || math.IsInf(x, 0) {
				return v.fail(fmt.Sprintf("%s.daily[%d]", fs, i), "%v is not a non-negative metric value", x)
			}
		}
		if s.Avg != nil && (*s.Avg < 0 || math.IsNaN(*s.Avg) || math.IsInf(*s.Avg, 0)) {
			return v.fail(fs+".avg", "%v is not a non-negative metric value", *s.Avg)
		}
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
