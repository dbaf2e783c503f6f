package findings

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/ghostaudit/ghostaudit/scanners"
)

const (
	kindGCPDisk     = "gcp.compute.disk"
	kindGCPAddress  = "gcp.compute.address"
	kindGCPInstance = "gcp.compute.instance"
	// gcpInstancesOp is the Compute list the stopped-VM rules depend on.
	gcpInstancesOp = "compute.instances.aggregatedList"
)

// gcpRecommended returns the ACTIVE recommendations by target resource
// (gcpResourceKey), so a resource both flagged by Google and found by a
// direct check is counted once (as the recommendation).
func gcpRecommended(inv *scanners.Inventory) map[string]*scanners.Resource {
	out := map[string]*scanners.Resource{}
	for i := range inv.Resources {
		r := &inv.Resources[i]
		if gcpSavingRecommendation(r) && r.Attr("target_resource") != "" {
			out[gcpResourceKey(r.Account, r.Attr("target_resource"))] = r
		}
	}
	return out
}

// gcpResourceKey names a resource of project account by what follows the
// project in its full resource name (zones/z/disks/d, regions/r/addresses/a,
// global/images/i), on its service. Recommendation names carry the project
// number, Compute self links the project id, and Google documents
// targetResources only as "Fully qualified resource names": either may
// appear, so the project segment is not compared; the account (the project
// id the scanner asked about) is.
func gcpResourceKey(account, name string) string {
	if name == "" {
		return ""
	}
	service, rest, ok := strings.Cut(strings.TrimPrefix(name, "//"), "/projects/")
	if !ok {
		return account + " " + name
	}
	if _, path, ok := strings.Cut(rest, "/"); ok {
		return account + " " + service + " " + path
	}
	return account + " " + name
}

// gcpDiskBill prices a persistent disk from the catalog: size × the
// GB-month price of its type in its region. A regional disk (no zone: its
// data is replicated in two zones) is billed under its own SKUs ("Regional
// Storage PD Capacity", about twice the zonal rate), so it is the item
// disk.regional.<type>, never the zonal price.
func gcpDiskBill(rc *RuleContext, r *scanners.Resource) *bill {
	size, _ := r.AttrInt("size_gb")
	b := newBill(rc, "gcp", r.Attr("region"))
	if size <= 0 {
		// A zero quantity would add nothing and read as $0: unknown instead.
		b.missing = append(b.missing, fmt.Sprintf("the size of disk %s is unknown", r.Name))
		return b
	}
	if r.Attr("zone") == "" {
		b.add("disk.regional."+r.Attr("type"), dec(size), fmt.Sprintf("regional %s %d GB", r.Attr("type"), size))
		return b
	}
	b.add("disk."+r.Attr("type"), dec(size), fmt.Sprintf("%s %d GB", r.Attr("type"), size))
	return b
}

// ruleGCPDiskUnattached flags persistent disks attached to no VM.
var ruleGCPDiskUnattached = Rule{
	ID:          "gcp.compute.disk_unattached",
	Category:    CategoryIdleInfrastructure,
	Title:       "Unattached GCP persistent disk",
	Description: "A READY persistent disk with no user (attached to no VM), older than `min_age_days`, found by listing disks directly (Compute API). A disk that Google's idle-disk recommender also flags is reported once, as the recommendation. Saving: size × the catalog's GB-month list price for its type and region; a regional disk (replicated in two zones) is priced at the regional SKU, never the zonal one (unpriced where the snapshot has no price and --prices live is not used).",
	Confidence:  High, Effort: Low, Risk: Medium,
	Params: []Param{{Name: "min_age_days", Default: "7", Description: "skip disks created fewer than this many days ago"}},
	Eval: func(inv *scanners.Inventory, rc *RuleContext) []Finding {
		recs := gcpRecommended(inv)
		minAge := rc.IntParam("min_age_days")
		var out []Finding
		for i := range inv.Resources {
			r := &inv.Resources[i]
			if r.Kind != kindGCPDisk || r.Attr("users") != "0" || orDefault(r.Attr("status"), "READY") != "READY" || youngerThan(r, rc.Now, minAge) {
				continue
			}
			if _, dup := recs[gcpResourceKey(r.Account, r.Attr("resource_name"))]; dup {
				continue
			}
			where := gcpDiskLocationFlag(r)
			f := resourceFinding(r, fmt.Sprintf("Unattached %s disk %s (%s GB)", r.Attr("type"), r.Name, r.Attr("size_gb")),
				fmt.Sprintf("Snapshot it if needed, then: gcloud compute disks delete %s %s --project %s", r.Name, where, r.Account))
			f.Evidence = []Evidence{{"users", "none"}, {"type", r.Attr("type")}, {"size_gb", r.Attr("size_gb")}, {"last_detach", orDefault(r.Attr("last_detach"), "never attached")}}
			price(&f, gcpDiskBill(rc, r), func(cost decimal.Decimal) decimal.Decimal { return cost })
			out = append(out, f)
		}
		return out
	},
}

// ruleGCPAddressUnused flags reserved external addresses nothing uses.
var ruleGCPAddressUnused = Rule{
	ID:          "gcp.compute.address_unused",
	Category:    CategoryIdleInfrastructure,
	Title:       "Unused static external IP (GCP)",
	Description: "An external static address in status RESERVED (not IN_USE) is billed by the hour while unused. An address Google's idle-address recommender also flags is reported once, as the recommendation. Saving: the catalog's hourly static-IP price × 730.",
	Confidence:  High, Effort: Low, Risk: Low,
	Eval: func(inv *scanners.Inventory, rc *RuleContext) []Finding {
		recs := gcpRecommended(inv)
		var out []Finding
		for i := range inv.Resources {
			r := &inv.Resources[i]
			if r.Kind != kindGCPAddress || r.Attr("status") != "RESERVED" || orDefault(r.Attr("address_type"), "EXTERNAL") != "EXTERNAL" {
				continue
			}
			if _, dup := recs[gcpResourceKey(r.Account, r.Attr("resource_name"))]; dup {
				continue
			}
			where := "--region " + r.Attr("region")
			if r.Attr("region") == "global" {
				where = "--global"
			}
			f := resourceFinding(r, fmt.Sprintf("Static IP %s (%s) is reserved but unused", r.Attr("address"), r.Name),
				fmt.Sprintf("gcloud compute addresses delete %s %s --project %s", r.Name, where, r.Account))
			f.Evidence = []Evidence{{"status", "RESERVED"}, {"address", r.Attr("address")}, {"users", "none"}}
			b := newBill(rc, "gcp", r.Attr("region"))
			b.add("address.static_unused", decimal.NewFromInt(1), "static IP, 730 h")
			price(&f, b, func(cost decimal.Decimal) decimal.Decimal { return cost })
			out = append(out, f)
		}
		return out
	},
}

// gcpInstances indexes the listed VM instances by full resource name, and
// by account and external IP.
type gcpInstances struct {
	inv    *scanners.Inventory
	byName map[string]*scanners.Resource
	byIP   map[string][]*scanners.Resource // account + " " + natIP
}

func newGCPInstances(inv *scanners.Inventory) *gcpInstances {
	x := &gcpInstances{inv: inv, byName: map[string]*scanners.Resource{}, byIP: map[string][]*scanners.Resource{}}
	for i := range inv.Resources {
		r := &inv.Resources[i]
		if r.Kind != kindGCPInstance {
			continue
		}
		if n := r.Attr("resource_name"); n != "" {
			x.byName[n] = r
		}
		for _, ip := range splitList(r.Attr("nat_ips")) {
			x.byIP[r.Account+" "+ip] = append(x.byIP[r.Account+" "+ip], r)
		}
	}
	return x
}

// covered reports whether the project's instances were listed completely
// in zone: no gap of the instances list (or of no operation: a failed
// scanner) for the project, or the whole project, or that zone. Without
// it an instance may be missing or its state unknown, so the stopped-VM
// rules say nothing about the project.
func (x *gcpInstances) covered(account, zone string) bool {
	for _, g := range x.inv.Gaps {
		if g.Scanner != "gcp" || g.Account != "" && g.Account != account || g.Region != "" && g.Region != zone {
			continue
		}
		if g.Operation == "" || g.Operation == gcpInstancesOp {
			return false
		}
	}
	return true
}

// gcpStoppedFor returns how long a VM instance has been stopped: its
// status is TERMINATED (Compute Engine's status of a stopped VM) and its
// lastStopTimestamp is known and not older than its lastStartTimestamp.
// Without lastStopTimestamp nothing bounds the stop time (creation and the
// last start only say it was running after them), so the instance is
// skipped rather than guessed at.
func gcpStoppedFor(r *scanners.Resource, now time.Time) (time.Duration, time.Time, bool) {
	if r.State != "TERMINATED" {
		return 0, time.Time{}, false
	}
	stop, ok := attrTime(r, "last_stop")
	if !ok {
		return 0, time.Time{}, false
	}
	if start, ok := attrTime(r, "last_start"); ok && start.After(stop) {
		return 0, time.Time{}, false // started again after that stop: the stop time of the current state is unknown
	}
	return now.Sub(stop), stop, true
}

// longStopped returns the instances named by users when every one of them
// is a listed instance, fully covered, stopped for at least min; nil
// otherwise (a user that is not a listed instance may be running, or not
// be a VM at all).
func (x *gcpInstances) longStopped(users []*scanners.Resource, now time.Time, min time.Duration) ([]*scanners.Resource, []time.Duration) {
	if len(users) == 0 {
		return nil, nil
	}
	var days []time.Duration
	for _, in := range users {
		if in == nil || !x.covered(in.Account, in.Attr("zone")) {
			return nil, nil
		}
		d, _, ok := gcpStoppedFor(in, now)
		if !ok || d < min {
			return nil, nil
		}
		days = append(days, d)
	}
	return users, days
}

func (x *gcpInstances) named(names []string) []*scanners.Resource {
	out := make([]*scanners.Resource, 0, len(names))
	for _, n := range names {
		out = append(out, x.byName[n])
	}
	return out
}

// stoppedSince names a stopped instance, where it is, and since when.
func stoppedSince(in *scanners.Resource, now time.Time) string {
	d, at, _ := gcpStoppedFor(in, now)
	return fmt.Sprintf("%s (%s, stopped %d days, since %s)", in.Name, in.Attr("zone"), int(d.Hours()/24), at.Format("2006-01-02"))
}

// ruleGCPDiskOnStoppedInstance flags persistent disks whose every user is
// a VM stopped for a long time: a stopped VM's disks are billed in full.
var ruleGCPDiskOnStoppedInstance = Rule{
	ID:          "gcp.compute.disk_on_stopped_instance",
	Category:    CategoryIdleInfrastructure,
	Title:       "GCP persistent disk attached only to long-stopped VMs",
	Description: "A persistent disk whose every user is a VM instance in status TERMINATED (stopped) for at least `min_stopped_days` days, by its lastStopTimestamp. \"Stopped instances do not incur VM usage charges\", but their persistent disks \"will continue to be charged until they are deleted\" (Compute Engine API, instances.stop). A VM without lastStopTimestamp, or started again after it, is skipped: nothing else tells how long it has been stopped. A project whose instances list failed (a coverage gap) is not examined. A disk that Google's idle-disk recommender also flags is reported once, as the recommendation. Saving: priced as gcp.compute.disk_unattached prices a disk (size × the catalog's GB-month price of its type; a regional disk at the regional SKU, or unpriced). Snapshot it first if its data may be needed.",
	Confidence:  High, Effort: Low, Risk: Medium,
	Params: []Param{{Name: "min_stopped_days", Default: "30", Description: "days every VM using the disk must have been stopped"}},
	Eval: func(inv *scanners.Inventory, rc *RuleContext) []Finding {
		recs := gcpRecommended(inv)
		x := newGCPInstances(inv)
		min := time.Duration(rc.IntParam("min_stopped_days")) * 24 * time.Hour
		var out []Finding
		for i := range inv.Resources {
			r := &inv.Resources[i]
			if r.Kind != kindGCPDisk || orDefault(r.Attr("status"), "READY") != "READY" {
				continue
			}
			users, _ := x.longStopped(x.named(splitList(r.Attr("user_names"))), rc.Now, min)
			if users == nil {
				continue
			}
			if _, dup := recs[gcpResourceKey(r.Account, r.Attr("resource_name"))]; dup {
				continue
			}
			var on []string
			for _, in := range users {
				on = append(on, stoppedSince(in, rc.Now))
			}
			where := gcpDiskLocationFlag(r)
			f := resourceFinding(r, fmt.Sprintf("%s disk %s (%s GB) on stopped VM %s", r.Attr("type"), r.Name, r.Attr("size_gb"), users[0].Name),
				fmt.Sprintf("Snapshot it if needed (gcloud compute snapshots create %s-final --source-disk %s --source-disk-%s --project %s), then delete the stopped VM or detach and delete the disk",
					r.Name, r.Name, strings.TrimPrefix(where, "--"), r.Account))
			f.Evidence = []Evidence{{"attached_to", strings.Join(on, ", ")}, {"type", r.Attr("type")}, {"size_gb", r.Attr("size_gb")}}
			price(&f, gcpDiskBill(rc, r), func(cost decimal.Decimal) decimal.Decimal { return cost })
			out = append(out, f)
		}
		return out
	},
}

// ruleGCPAddressOnStoppedInstance flags static external addresses held
// by a VM stopped for a long time.
var ruleGCPAddressOnStoppedInstance = Rule{
	ID:          "gcp.compute.address_on_stopped_instance",
	Category:    CategoryIdleInfrastructure,
	Title:       "Static external IP on a stopped VM (GCP)",
	Description: "A static external address IN_USE whose every user is a VM instance in status TERMINATED (stopped) for at least `min_stopped_days` days, by its lastStopTimestamp (an address without users is matched by the VMs' natIP). A stopped VM's static IP addresses \"will continue to be charged until they are deleted\" (Compute Engine API, instances.stop), at the static-IP rate of an address no running resource uses. VMs without lastStopTimestamp are skipped, and a project whose instances list failed is not examined. An address Google's idle-address recommender also flags is reported once, as the recommendation. Saving: the catalog's hourly static-IP price × 730, as for gcp.compute.address_unused. Release it unless the VM must keep the same address when it restarts.",
	Confidence:  Medium, Effort: Low, Risk: Medium,
	Params: []Param{{Name: "min_stopped_days", Default: "7", Description: "days the VM holding the address must have been stopped"}},
	Eval: func(inv *scanners.Inventory, rc *RuleContext) []Finding {
		recs := gcpRecommended(inv)
		x := newGCPInstances(inv)
		min := time.Duration(rc.IntParam("min_stopped_days")) * 24 * time.Hour
		var out []Finding
		for i := range inv.Resources {
			r := &inv.Resources[i]
			if r.Kind != kindGCPAddress || r.Attr("status") != "IN_USE" || orDefault(r.Attr("address_type"), "EXTERNAL") != "EXTERNAL" {
				continue
			}
			named := x.named(splitList(r.Attr("user_names")))
			if len(named) == 0 && r.Attr("address") != "" {
				named = slices.Clone(x.byIP[r.Account+" "+r.Attr("address")])
			}
			users, days := x.longStopped(named, rc.Now, min)
			if users == nil {
				continue
			}
			if _, dup := recs[gcpResourceKey(r.Account, r.Attr("resource_name"))]; dup {
				continue
			}
			in := users[0]
			f := resourceFinding(r, fmt.Sprintf("Static IP %s (%s) on stopped VM %s", r.Attr("address"), r.Name, in.Name),
				fmt.Sprintf("Release it if the VM will not need the same address: gcloud compute instances delete-access-config %s --zone %s --project %s, then gcloud compute addresses delete %s --region %s --project %s",
					in.Name, in.Attr("zone"), r.Account, r.Name, r.Attr("region"), r.Account))
			_, at, _ := gcpStoppedFor(in, rc.Now)
			f.Evidence = []Evidence{{"status", "IN_USE"}, {"address", r.Attr("address")}, {"instance", in.Name + " (" + in.Attr("zone") + ")"},
				{"instance_status", in.State}, {"instance_stopped_at", at.Format(time.RFC3339)}, {"instance_stopped_days", fmt.Sprint(int(days[0].Hours() / 24))}}
			b := newBill(rc, "gcp", r.Attr("region"))
			b.add("address.static_unused", decimal.NewFromInt(1), "static IP, 730 h")
			price(&f, b, func(cost decimal.Decimal) decimal.Decimal { return cost })
			out = append(out, f)
		}
		return out
	},
}

// gcpDiskLocationFlag is the gcloud flag naming a disk's location:
// --zone for a zonal disk, --region for a regional one.
func gcpDiskLocationFlag(r *scanners.Resource) string {
	if z := r.Attr("zone"); z != "" {
		return "--zone " + z
	}
	return "--region " + r.Attr("region")
}
