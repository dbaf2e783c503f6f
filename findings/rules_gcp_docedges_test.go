package findings

import (
	"testing"

	"github.com/shopspring/decimal"

	"github.com/ghostaudit/ghostaudit/findings/pricing"
	"github.com/ghostaudit/ghostaudit/scanners"
)

func gcpDisk(id, zone, region string) scanners.Resource {
	old := testNow.AddDate(0, 0, -90)
	loc, path := zone, "zones/"+zone
	if zone == "" {
		loc, path = region, "regions/"+region
	}
	attrs := map[string]string{"users": "0", "status": "READY", "type": "pd-standard", "region": region, "size_gb": "100",
		"resource_name": "//compute.googleapis.com/projects/acme-prod/" + path + "/disks/" + id}
	if zone != "" {
		attrs["zone"] = zone
	}
	return scanners.Resource{Provider: "gcp", Account: "acme-prod", Region: loc, Kind: kindGCPDisk, ID: id, Name: id, Created: &old, Attributes: attrs}
}

// TestGCPRegionalDiskIsNotPricedAtTheZonalRate: a regional persistent disk
// is billed under its own SKUs (about twice the zonal price). Without a
// sourced regional price it is unpriced, never the zonal 0.044; with one
// (here an override, as --prices live supplies from "Regional Storage PD
// Capacity") it is priced at it.
func TestGCPRegionalDiskIsNotPricedAtTheZonalRate(t *testing.T) {
	t.Parallel()
	inv := &scanners.Inventory{ScannedAt: testNow, Resources: []scanners.Resource{
		gcpDisk("zonal", "us-east4-a", "us-east4"),
		gcpDisk("regional", "", "us-east4"),
	}}
	e, cat := engine(t, nil)
	got := byResource(e.Run(inv))
	wantSavings(t, got["gcp.compute.disk_unattached zonal"], "4.40")
	if f := got["gcp.compute.disk_unattached regional"]; f.Priced() || f.Unpriced == "" {
		t.Errorf("regional disk: savings %v, unpriced %q; want unpriced", f.MonthlySavings, f.Unpriced)
	}
	live, err := pricing.NewTable([]pricing.Price{{Provider: "gcp", Region: "us-east4", Item: "disk.regional.pd-standard", Unit: pricing.UnitGBMonth,
		Amount: decimal.RequireFromString("0.088"), Currency: "USD", Source: pricing.SourceLive, Ref: "test", AsOf: "2026-12-01"}})
	if err != nil {
		t.Fatal(err)
	}
	cat.Layers = append([]pricing.Catalog{live}, cat.Layers...)
	got = byResource(e.Run(inv))
	wantSavings(t, got["gcp.compute.disk_unattached regional"], "8.80")
	wantSavings(t, got["gcp.compute.disk_unattached zonal"], "4.40")
}

// TestGCPDedupeIgnoresProjectNumberVsID: recommendation names carry the
// project number and Compute self links the project id; a target written
// with either is the same disk (or address, or VM), counted once.
func TestGCPDedupeIgnoresProjectNumberVsID(t *testing.T) {
	t.Parallel()
	byNumber := rec("r1", "google.compute.disk.IdleResourceRecommender", "ACTIVE", "12", "USD")
	byNumber.Account = "acme-prod"
	byNumber.Attributes["target_resource"] = "//compute.googleapis.com/projects/123456789012/zones/us-east4-a/disks/scratch"
	idle := rec("idle", "google.compute.instance.IdleResourceRecommender", "ACTIVE", "70", "USD")
	mt := rec("mt", "google.compute.instance.MachineTypeRecommender", "ACTIVE", "30", "USD")
	idle.Account, mt.Account = "acme-prod", "acme-prod"
	idle.Attributes["target_resource"] = "//compute.googleapis.com/projects/123456789012/zones/us-east4-a/instances/vm-1"
	mt.Attributes["target_resource"] = "//compute.googleapis.com/projects/acme-prod/zones/us-east4-a/instances/vm-1"
	other := gcpDisk("scratch", "us-east4-a", "us-east4")
	other.Account = "another-project" // same path, another project: not the same disk
	inv := &scanners.Inventory{ScannedAt: testNow, Resources: []scanners.Resource{byNumber, idle, mt, gcpDisk("scratch", "us-east4-a", "us-east4"), other}}
	e, _ := engine(t, nil)
	res := e.Run(inv)
	got := map[string]int{}
	for _, f := range res.Findings {
		got[f.Rule+" "+f.Account]++
	}
	if got["gcp.compute.disk_unattached acme-prod"] != 0 || got["gcp.compute.disk_unattached another-project"] != 1 ||
		got["gcp.recommender.idle acme-prod"] != 2 || got["gcp.recommender.machine_type acme-prod"] != 0 {
		t.Errorf("findings per rule and project: %v", got)
	}
}
