package gcpsim

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"net"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/shopspring/decimal"

	"github.com/ghostaudit/ghostaudit/scanners/estate"
	"github.com/ghostaudit/ghostaudit/scanners/strictyaml"
)

// Load decodes and validates the gcp section of a parsed estate. ok is
// false when the estate has no gcp section. Validation errors name the
// file, the line when it is known, and the field, e.g.
// "demo.yaml:12:17: gcp.billing_accounts[0].projects[1].recommendations[0].location: ...".
//
// The returned Estate has its defaults filled in (project numbers, billing
// flags, recommendation ids, states, priorities, durations, currencies).
func Load(e *estate.Estate) (est *Estate, ok bool, err error) {
	if e == nil {
		return nil, false, nil
	}
	est = &Estate{}
	ok, err = e.DecodeSection("gcp", est)
	if !ok || err != nil {
		return nil, ok, err
	}
	v := &validator{file: e.File, node: e.Sections["gcp"]}
	if err := v.estate(est); err != nil {
		return nil, true, err
	}
	return est, true, nil
}

// Methods the simulator serves, as named in fault lists.
var faultMethods = []string{"*", "ListBillingAccounts", "GetBillingAccount", "ListProjectBillingInfo", "GetProjectBillingInfo",
	"ListServices", "ListSkus", "ListRecommendations", "GetRecommendation",
	"compute.disks.aggregatedList", "compute.addresses.aggregatedList", "compute.globalAddresses.list", "compute.instances.aggregatedList"}

// LocationKind is what a recommender's location may be.
type LocationKind int

// Location kinds.
const (
	Zone LocationKind = 1 << iota
	Region
	Global
)

// KnownRecommenders maps the recommender ids the simulator checks to the
// locations Google serves them at (Recommender docs, "Recommenders" table)
// and the resource type their operations name. Other ids are accepted at
// any location.
var KnownRecommenders = map[string]struct {
	Locations    LocationKind
	ResourceType string
}{
	"google.compute.instance.IdleResourceRecommender": {Zone, "compute.googleapis.com/Instance"},
	"google.compute.instance.MachineTypeRecommender":  {Zone, "compute.googleapis.com/Instance"},
	"google.compute.disk.IdleResourceRecommender":     {Zone | Region, "compute.googleapis.com/Disk"},
	"google.compute.address.IdleResourceRecommender":  {Region | Global, "compute.googleapis.com/Address"},
	"google.compute.image.IdleResourceRecommender":    {Global, "compute.googleapis.com/Image"},
	"google.cloudsql.instance.IdleRecommender":        {Region, "sqladmin.googleapis.com/Instance"},
}

var (
	billingAccountRE = regexp.MustCompile(`^[0-9A-F]{6}-[0-9A-F]{6}-[0-9A-F]{6}$`)
	projectIDRE      = regexp.MustCompile(`^[a-z][a-z0-9-]{4,28}[a-z0-9]$`)
	projectNumberRE  = regexp.MustCompile(`^[1-9]\d{5,18}$`)
	regionRE         = regexp.MustCompile(`^[a-z]+-[a-z]+\d+$`)
	zoneRE           = regexp.MustCompile(`^[a-z]+-[a-z]+\d+-[a-z]$`)
	recommenderRE    = regexp.MustCompile(`^google\.[A-Za-z0-9.]+$`)
	serviceIDRE      = regexp.MustCompile(`^[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}$`)
	currencyRE       = regexp.MustCompile(`^[A-Z]{3}$`)
	recStates        = []string{"ACTIVE", "CLAIMED", "SUCCEEDED", "FAILED", "DISMISSED"}
	priorities       = []string{"P1", "P2", "P3", "P4"}
	categories       = []string{"COST", "SECURITY", "PERFORMANCE", "MANAGEABILITY", "SUSTAINABILITY", "RELIABILITY"}
)

// KindOf classifies a location string; 0 when it is none of them.
func KindOf(loc string) LocationKind {
	switch {
	case loc == "global":
		return Global
	case zoneRE.MatchString(loc):
		return Zone
	case regionRE.MatchString(loc):
		return Region
	}
	return 0
}

type validator struct {
	file string
	node ast.Node
}

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
	full := "gcp"
	if field != "" {
		full += "." + field
	}
	return strictyaml.At(v.file, node, full, problem)
}

func (v *validator) estate(est *Estate) error {
	if err := v.faults("faults", &est.Faults); err != nil {
		return err
	}
	accounts := map[string]bool{}
	projects := map[string]string{}
	numbers := map[string]string{}
	for i := range est.BillingAccounts {
		a := &est.BillingAccounts[i]
		f := fmt.Sprintf("billing_accounts[%d]", i)
		if !billingAccountRE.MatchString(a.ID) {
			return v.fail(f+".id", "%q is not a billing account id such as 012345-567890-ABCDEF", a.ID)
		}
		if accounts[a.ID] {
			return v.fail(f+".id", "billing account %s is listed twice", a.ID)
		}
		accounts[a.ID] = true
		if a.Currency == "" {
			a.Currency = "USD"
		} else if !currencyRE.MatchString(a.Currency) {
			return v.fail(f+".currency", "%q is not an ISO 4217 currency code", a.Currency)
		}
		if a.DisplayName == "" {
			a.DisplayName = "Billing account " + a.ID
		}
		if err := v.faults(f+".faults", &a.Faults); err != nil {
			return err
		}
		for j := range a.Projects {
			if err := v.project(fmt.Sprintf("%s.projects[%d]", f, j), a, &a.Projects[j], projects, numbers); err != nil {
				return err
			}
		}
	}
	for i := range est.BillingAccounts {
		a := &est.BillingAccounts[i]
		if m := a.MasterBillingAccount; m != "" && (!accounts[m] || m == a.ID) {
			return v.fail(fmt.Sprintf("billing_accounts[%d].master_billing_account", i), "%q is not another billing account of the estate", m)
		}
	}
	services := map[string]bool{}
	skus := map[string]bool{}
	for i := range est.Services {
		s := &est.Services[i]
		f := fmt.Sprintf("services[%d]", i)
		if !serviceIDRE.MatchString(s.ID) {
			return v.fail(f+".id", "%q is not a service id such as 6F81-5844-456A", s.ID)
		}
		if services[s.ID] {
			return v.fail(f+".id", "service %s is listed twice", s.ID)
		}
		services[s.ID] = true
		if s.DisplayName == "" {
			return v.fail(f+".display_name", "a display name such as Compute Engine is required")
		}
		for j := range s.Skus {
			if err := v.sku(fmt.Sprintf("%s.skus[%d]", f, j), &s.Skus[j], skus); err != nil {
				return err
			}
		}
	}
	return nil
}

func (v *validator) project(f string, a *BillingAccount, p *Project, ids, numbers map[string]string) error {
	if !projectIDRE.MatchString(p.ID) {
		return v.fail(f+".id", "%q is not a project id (6-30 lower-case letters, digits and hyphens, starting with a letter)", p.ID)
	}
	if prev, dup := ids[p.ID]; dup {
		return v.fail(f+".id", "project %s is also declared at gcp.%s (a project has one billing account)", p.ID, prev)
	}
	ids[p.ID] = f
	if p.Number == "" {
		p.Number = derivedNumber(p.ID)
	} else if !projectNumberRE.MatchString(p.Number) {
		return v.fail(f+".number", "%q is not a project number", p.Number)
	}
	if prev, dup := numbers[p.Number]; dup {
		return v.fail(f+".number", "project number %s is also used at gcp.%s", p.Number, prev)
	}
	numbers[p.Number] = f
	if p.BillingEnabled == nil {
		open := a.IsOpen()
		p.BillingEnabled = &open
	} else if *p.BillingEnabled && !a.IsOpen() {
		return v.fail(f+".billing_enabled", "billing cannot be enabled on a project of closed account %s", a.ID)
	}
	if err := v.faults(f+".faults", &p.Faults); err != nil {
		return err
	}
	recIDs := map[string]string{}
	for i := range p.Recommendations {
		if err := v.recommendation(fmt.Sprintf("%s.recommendations[%d]", f, i), p, &p.Recommendations[i], recIDs); err != nil {
			return err
		}
	}
	names := map[string]string{}
	for i := range p.Instances {
		if err := v.instance(fmt.Sprintf("%s.instances[%d]", f, i), p, &p.Instances[i], names); err != nil {
			return err
		}
	}
	for i := range p.Disks {
		if err := v.disk(fmt.Sprintf("%s.disks[%d]", f, i), p, &p.Disks[i], names); err != nil {
			return err
		}
	}
	for i := range p.Addresses {
		if err := v.address(fmt.Sprintf("%s.addresses[%d]", f, i), p, &p.Addresses[i], names); err != nil {
			return err
		}
	}
	linkInstances(p)
	return nil
}

// instanceStatuses are compute#instance status values (compute/v1 discovery document).
var instanceStatuses = []string{"DEPROVISIONING", "PENDING", "PROVISIONING", "REPAIRING", "RUNNING", "STAGING", "STOPPED",
	"STOPPING", "SUSPENDED", "SUSPENDING", "TERMINATED"}

// InstanceURL is the self link of an instance, as Compute Engine writes
// it in a disk's or an address's users.
func InstanceURL(project, zone, name string) string {
	return ComputeURL + "projects/" + project + "/zones/" + zone + "/instances/" + name
}

// instance validates an instance and, when its address names a static
// address of the project, adds the instance to that address's users
// (before the address is validated, so its status defaults to IN_USE).
func (v *validator) instance(f string, p *Project, in *Instance, names map[string]string) error {
	if !resourceNameRE.MatchString(in.Name) {
		return v.fail(f+".name", "%q is not a Compute Engine resource name (1-63 lower-case letters, digits and hyphens)", in.Name)
	}
	if KindOf(in.Zone) != Zone {
		return v.fail(f+".zone", "%q is not a zone such as us-central1-a", in.Zone)
	}
	key := "instance/" + in.Zone + "/" + in.Name
	if prev, dup := names[key]; dup {
		return v.fail(f+".name", "instance %s is also declared at gcp.%s", in.Name, prev)
	}
	names[key] = f
	if in.MachineType == "" {
		in.MachineType = "e2-medium"
	} else if !diskTypeRE.MatchString(in.MachineType) {
		return v.fail(f+".machine_type", "%q is not a machine type such as e2-medium", in.MachineType)
	}
	if in.Status == "" {
		in.Status = "RUNNING"
	} else if !contains(instanceStatuses, in.Status) {
		return v.fail(f+".status", "%q is not an instance status (%s)", in.Status, strings.Join(instanceStatuses, ", "))
	}
	if in.Address != "" {
		region := in.Zone[:strings.LastIndex(in.Zone, "-")]
		found := false
		for i := range p.Addresses {
			a := &p.Addresses[i]
			if a.Name != in.Address || a.Region != region {
				continue
			}
			found = true
			if u := InstanceURL(p.ID, in.Zone, in.Name); !contains(a.Users, u) {
				a.Users = append(a.Users, u)
			}
		}
		if !found {
			if net.ParseIP(in.Address) == nil {
				return v.fail(f+".address", "%q is neither a static address of project %s in %s nor an IP address", in.Address, p.ID, region)
			}
			in.NatIP = in.Address
		}
	}
	if in.IDText != "" {
		id, err := strconv.ParseUint(in.IDText, 10, 64)
		if err != nil {
			return v.fail(f+".id", "%q is not a numeric id", in.IDText)
		}
		in.ID = id
	}
	if in.ID == 0 {
		in.ID = derivedID(p.ID, "instance", in.Zone, in.Name)
	}
	return nil
}

// linkInstances gives each instance the external IP of the static address
// naming it, and serves as RUNNING instances those that a disk's or an
// address's users name in this project without the estate declaring them.
func linkInstances(p *Project) {
	byURL := map[string]*Instance{}
	for i := range p.Instances {
		in := &p.Instances[i]
		byURL[InstanceURL(p.ID, in.Zone, in.Name)] = in
	}
	prefix := ComputeURL + "projects/" + p.ID + "/zones/"
	named := func(u string, created estate.Time) *Instance {
		zone, name, ok := strings.Cut(strings.TrimPrefix(u, prefix), "/instances/")
		if !strings.HasPrefix(u, prefix) || !ok || KindOf(zone) != Zone || strings.Contains(name, "/") {
			return nil
		}
		if in := byURL[u]; in != nil {
			return in
		}
		p.Instances = append(p.Instances, Instance{Name: name, Zone: zone, MachineType: "e2-medium", Status: "RUNNING",
			Created: created, Synthesized: true, ID: derivedID(p.ID, "instance", zone, name)})
		// Re-index: append may have moved the slice.
		for i := range p.Instances {
			in := &p.Instances[i]
			byURL[InstanceURL(p.ID, in.Zone, in.Name)] = in
		}
		return byURL[u]
	}
	for i := range p.Disks {
		for _, u := range p.Disks[i].Users {
			named(u, p.Disks[i].Created)
		}
	}
	for i := range p.Addresses {
		a := &p.Addresses[i]
		for _, u := range a.Users {
			if in := named(u, a.Created); in != nil && a.AddressType != "INTERNAL" {
				in.NatIP = a.Address
			}
		}
	}
}

var (
	resourceNameRE = regexp.MustCompile(`^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$`)
	diskTypeRE     = regexp.MustCompile(`^[a-z][-a-z0-9]*$`)
	diskStatuses   = []string{"CREATING", "RESTORING", "FAILED", "READY", "DELETING"}
	addrStatuses   = []string{"RESERVED", "RESERVING", "IN_USE"}
	addrTypes      = []string{"EXTERNAL", "INTERNAL", "UNSPECIFIED_TYPE"}
	networkTiers   = []string{"PREMIUM", "STANDARD"}
)

func (v *validator) disk(f string, p *Project, d *Disk, names map[string]string) error {
	if !resourceNameRE.MatchString(d.Name) {
		return v.fail(f+".name", "%q is not a Compute Engine resource name (1-63 lower-case letters, digits and hyphens)", d.Name)
	}
	switch {
	case d.Zone != "" && d.Region != "":
		return v.fail(f, "give zone (zonal disk) or region (regional disk), not both")
	case d.Zone != "":
		if KindOf(d.Zone) != Zone {
			return v.fail(f+".zone", "%q is not a zone such as us-central1-a", d.Zone)
		}
	case d.Region != "":
		if KindOf(d.Region) != Region {
			return v.fail(f+".region", "%q is not a region such as us-central1", d.Region)
		}
	default:
		return v.fail(f+".zone", "a zone (or a region for a regional disk) is required")
	}
	key := "disk/" + d.Zone + d.Region + "/" + d.Name
	if prev, dup := names[key]; dup {
		return v.fail(f+".name", "disk %s is also declared at gcp.%s", d.Name, prev)
	}
	names[key] = f
	if d.Type == "" {
		d.Type = "pd-balanced"
	} else if !diskTypeRE.MatchString(d.Type) {
		return v.fail(f+".type", "%q is not a disk type such as pd-standard", d.Type)
	}
	if d.SizeGB == 0 {
		d.SizeGB = 10
	} else if d.SizeGB < 0 {
		return v.fail(f+".size_gb", "%d is not a positive size", d.SizeGB)
	}
	if d.Status == "" {
		d.Status = "READY"
	} else if !contains(diskStatuses, d.Status) {
		return v.fail(f+".status", "%q is not a disk status (%s)", d.Status, strings.Join(diskStatuses, ", "))
	}
	zone := d.Zone
	if zone == "" {
		// A VM using a regional disk runs in one of its region's zones.
		zone = d.Region + "-a"
		if zs := simRegions[d.Region]; len(zs) > 0 {
			zone = d.Region + "-" + zs[0]
		}
	}
	for i, u := range d.Users {
		if u == "" {
			return v.fail(fmt.Sprintf("%s.users[%d]", f, i), "an instance name or URL is required")
		}
		if !strings.Contains(u, "/") {
			d.Users[i] = InstanceURL(p.ID, zone, u)
		}
		d.Users[i] = selfLink(d.Users[i])
	}
	if d.IDText != "" {
		id, err := strconv.ParseUint(d.IDText, 10, 64)
		if err != nil {
			return v.fail(f+".id", "%q is not a numeric id", d.IDText)
		}
		d.ID = id
	}
	if d.ID == 0 {
		d.ID = derivedID(p.ID, "disk", d.Zone+d.Region, d.Name)
	}
	return nil
}

func (v *validator) address(f string, p *Project, a *Address, names map[string]string) error {
	if !resourceNameRE.MatchString(a.Name) {
		return v.fail(f+".name", "%q is not a Compute Engine resource name (1-63 lower-case letters, digits and hyphens)", a.Name)
	}
	if a.Region == "" {
		return v.fail(f+".region", "a region (or global) is required")
	}
	if k := KindOf(a.Region); k != Region && k != Global {
		return v.fail(f+".region", "%q is not a region such as us-central1, or global", a.Region)
	}
	key := "address/" + a.Region + "/" + a.Name
	if prev, dup := names[key]; dup {
		return v.fail(f+".name", "address %s is also declared at gcp.%s", a.Name, prev)
	}
	names[key] = f
	if a.AddressType == "" {
		a.AddressType = "EXTERNAL"
	} else if !contains(addrTypes, a.AddressType) {
		return v.fail(f+".address_type", "%q is not an address type (%s)", a.AddressType, strings.Join(addrTypes, ", "))
	}
	if a.Status == "" {
		a.Status = "RESERVED"
		if len(a.Users) > 0 {
			a.Status = "IN_USE"
		}
	} else if !contains(addrStatuses, a.Status) {
		return v.fail(f+".status", "%q is not an address status (%s)", a.Status, strings.Join(addrStatuses, ", "))
	}
	if a.Status == "RESERVED" && len(a.Users) > 0 {
		return v.fail(f+".status", "a RESERVED address has no users")
	}
	if a.NetworkTier == "" && a.AddressType == "EXTERNAL" {
		a.NetworkTier = "PREMIUM"
	} else if a.NetworkTier != "" && !contains(networkTiers, a.NetworkTier) {
		return v.fail(f+".network_tier", "%q is not a network tier (%s)", a.NetworkTier, strings.Join(networkTiers, ", "))
	}
	for i, u := range a.Users {
		if u == "" {
			return v.fail(fmt.Sprintf("%s.users[%d]", f, i), "a resource name or URL is required")
		}
		if !strings.Contains(u, "/") && a.Region != "global" {
			a.Users[i] = ComputeURL + "projects/" + p.ID + "/regions/" + a.Region + "/forwardingRules/" + u
		} else if !strings.Contains(u, "/") {
			a.Users[i] = ComputeURL + "projects/" + p.ID + "/global/forwardingRules/" + u
		}
		a.Users[i] = selfLink(a.Users[i])
	}
	if a.IDText != "" {
		id, err := strconv.ParseUint(a.IDText, 10, 64)
		if err != nil {
			return v.fail(f+".id", "%q is not a numeric id", a.IDText)
		}
		a.ID = id
	}
	if a.ID == 0 {
		a.ID = derivedID(p.ID, "address", a.Region, a.Name)
	}
	if a.Address == "" {
		h := derivedID(p.ID, "ip", a.Region, a.Name)
		if a.AddressType == "INTERNAL" {
			a.Address = fmt.Sprintf("10.%d.%d.%d", byte(h>>16), byte(h>>8), 2+byte(h)%250)
		} else {
			a.Address = fmt.Sprintf("34.%d.%d.%d", byte(h>>16), byte(h>>8), 1+byte(h)%254)
		}
	}
	return nil
}

// selfLink writes a full resource name (//compute.googleapis.com/projects/...)
// as the self link Compute Engine serves in users (https://www.googleapis.com/compute/v1/projects/...).
func selfLink(u string) string {
	if rest, ok := strings.CutPrefix(u, "//compute.googleapis.com/"); ok {
		return ComputeURL + rest
	}
	return u
}

// derivedID returns a stable 19-digit resource id for the parts.
func derivedID(parts ...string) uint64 {
	h := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	return 1000000000000000000 + binary.BigEndian.Uint64(h[:8])%8000000000000000000
}

func (v *validator) recommendation(f string, p *Project, r *Recommendation, ids map[string]string) error {
	if !recommenderRE.MatchString(r.Recommender) {
		return v.fail(f+".recommender", "%q is not a recommender id such as google.compute.disk.IdleResourceRecommender", r.Recommender)
	}
	kind := KindOf(r.Location)
	if kind == 0 {
		return v.fail(f+".location", "%q is not a zone (us-central1-a), a region (us-central1) or global", r.Location)
	}
	known, isKnown := KnownRecommenders[r.Recommender]
	if isKnown && known.Locations&kind == 0 {
		return v.fail(f+".location", "%s is not served at %s (want %s)", r.Recommender, r.Location, kindNames(known.Locations))
	}
	if r.Target == "" {
		return v.fail(f+".target", "a target resource name such as //compute.googleapis.com/projects/%s/zones/us-central1-a/disks/d is required", p.ID)
	}
	if !strings.HasPrefix(r.Target, "//") || !(strings.Contains(r.Target, "/projects/"+p.ID+"/") || strings.Contains(r.Target, "/projects/"+p.Number+"/")) {
		return v.fail(f+".target", "%q is not a full resource name in project %s (//service/projects/%s/... or its number %s)", r.Target, p.ID, p.ID, p.Number)
	}
	if r.ResourceType == "" && isKnown {
		r.ResourceType = known.ResourceType
	}
	if r.ID == "" {
		r.ID = derivedUUID(p.ID, r.Location, r.Recommender, r.Target)
	}
	if strings.ContainsAny(r.ID, "/ ") {
		return v.fail(f+".id", "%q is not a recommendation id (no slashes or spaces)", r.ID)
	}
	key := r.Location + "/" + r.Recommender + "/" + r.ID
	if prev, dup := ids[key]; dup {
		return v.fail(f+".id", "recommendation %s is also declared at gcp.%s", r.ID, prev)
	}
	ids[key] = f
	if r.Cost != "" {
		d, err := decimal.NewFromString(r.Cost)
		if err != nil {
			return v.fail(f+".cost", "%q is not a decimal amount (negative for a saving)", r.Cost)
		}
		if d.Exponent() < -9 {
			return v.fail(f+".cost", "%q has more than 9 decimal places (google.type.Money nanos)", r.Cost)
		}
	}
	if r.Currency == "" {
		r.Currency = "USD"
	} else if !currencyRE.MatchString(r.Currency) {
		return v.fail(f+".currency", "%q is not an ISO 4217 currency code", r.Currency)
	}
	if r.Duration == "" {
		r.Duration = "30d"
	}
	if d, err := ParseDuration(r.Duration); err != nil || d <= 0 {
		return v.fail(f+".duration", "%q is not a positive duration such as 30d or 720h", r.Duration)
	}
	if r.Category == "" {
		r.Category = "COST"
	}
	if !contains(categories, r.Category) {
		return v.fail(f+".category", "%q is not an impact category (%s)", r.Category, strings.Join(categories, ", "))
	}
	if r.State == "" {
		r.State = "ACTIVE"
	}
	if !contains(recStates, r.State) {
		return v.fail(f+".state", "%q is not a recommendation state (%s)", r.State, strings.Join(recStates, ", "))
	}
	if r.Priority == "" {
		r.Priority = "P4"
	}
	if !contains(priorities, r.Priority) {
		return v.fail(f+".priority", "%q is not a priority (P1-P4)", r.Priority)
	}
	if r.Subtype == "" {
		return v.fail(f+".subtype", "a recommender subtype such as DELETE_DISK is required")
	}
	return nil
}

func (v *validator) sku(f string, s *Sku, ids map[string]bool) error {
	if !serviceIDRE.MatchString(s.ID) {
		return v.fail(f+".id", "%q is not a SKU id such as D041-B8A1-6E0B", s.ID)
	}
	if ids[s.ID] {
		return v.fail(f+".id", "SKU %s is listed twice", s.ID)
	}
	ids[s.ID] = true
	if s.Description == "" {
		return v.fail(f+".description", "a description is required")
	}
	if s.UsageUnit == "" {
		return v.fail(f+".usage_unit", "a usage unit such as GiBy.mo or h is required")
	}
	if s.UsageType == "" {
		s.UsageType = "OnDemand"
	}
	for i, r := range s.Regions {
		if r != "global" && KindOf(r) != Region {
			return v.fail(fmt.Sprintf("%s.regions[%d]", f, i), "%q is not a region", r)
		}
	}
	switch {
	case s.UnitPrice != "" && len(s.Tiers) > 0:
		return v.fail(f, "give unit_price or tiers, not both")
	case s.UnitPrice != "":
		s.Tiers = []Tier{{Start: 0, Price: s.UnitPrice}}
	case len(s.Tiers) == 0:
		return v.fail(f+".unit_price", "a unit price (or tiers) is required")
	}
	for i, t := range s.Tiers {
		tf := fmt.Sprintf("%s.tiers[%d]", f, i)
		d, err := decimal.NewFromString(t.Price)
		if err != nil || d.IsNegative() || d.Exponent() < -9 {
			return v.fail(tf+".price", "%q is not a non-negative price with at most 9 decimal places", t.Price)
		}
		if i == 0 && t.Start != 0 {
			return v.fail(tf+".start", "the first tier starts at 0")
		}
		if i > 0 && t.Start <= s.Tiers[i-1].Start {
			return v.fail(tf+".start", "tiers must start in ascending order")
		}
	}
	return nil
}

func (v *validator) faults(f string, fl *Faults) error {
	for i, m := range fl.Deny {
		if !contains(faultMethods, m) {
			return v.fail(fmt.Sprintf("%s.deny[%d]", f, i), "%q is not a simulated method (want one of %s)", m, strings.Join(faultMethods, ", "))
		}
	}
	for name, m := range map[string]map[string]int{"throttle": fl.Throttle, "unavailable": fl.Unavailable} {
		for _, k := range sortedKeys(m) {
			if !contains(faultMethods, k) {
				return v.fail(f+"."+name, "%q is not a simulated method (want one of %s)", k, strings.Join(faultMethods, ", "))
			}
			if m[k] < 0 {
				return v.fail(f+"."+name, "%s: count %d is negative", k, m[k])
			}
		}
	}
	for i, l := range fl.Unreachable {
		if k := KindOf(l); k != Zone && k != Region {
			return v.fail(fmt.Sprintf("%s.unreachable[%d]", f, i), "%q is not a zone (us-east1-b) or a region (europe-west6)", l)
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

// ParseDuration parses a Go duration or a whole number of days ("30d").
func ParseDuration(s string) (time.Duration, error) {
	if n, ok := strings.CutSuffix(s, "d"); ok {
		var days int64
		if _, err := fmt.Sscanf(n, "%d", &days); err != nil || fmt.Sprint(days) != n {
			return 0, fmt.Errorf("duration %q: want days such as 30d", s)
		}
		return time.Duration(days) * 24 * time.Hour, nil
	}
	return time.ParseDuration(s)
}

func kindNames(k LocationKind) string {
	var out []string
	for _, x := range []struct {
		k    LocationKind
		name string
	}{{Zone, "a zone"}, {Region, "a region"}, {Global, "global"}} {
		if k&x.k != 0 {
			out = append(out, x.name)
		}
	}
	return strings.Join(out, " or ")
}

// derivedNumber returns a stable 12-digit project number for an id.
func derivedNumber(id string) string {
	h := sha256.Sum256([]byte("project-number:" + id))
	return fmt.Sprintf("%d", 100000000000+binary.BigEndian.Uint64(h[:8])%900000000000)
}

// derivedUUID returns a stable UUID-shaped id for the parts.
func derivedUUID(parts ...string) string {
	h := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	x := fmt.Sprintf("%x", h[:16])
	return x[0:8] + "-" + x[8:12] + "-" + x[12:16] + "-" + x[16:20] + "-" + x[20:32]
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
