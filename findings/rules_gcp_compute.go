package findings

import (
	"fmt"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/ghostaudit/ghostaudit/scanners"
)

const (
	kindGCPDisk    = "gcp.compute.disk"
	kindGCPAddress = "gcp.compute.address"
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
			where := "--zone " + r.Attr("zone")
			if r.Attr("zone") == "" { // a regional disk
				where = "--region " + r.Attr("region")
			}
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
