package findings

import (
	"strings"
	"testing"

	"github.com/ghostaudit/ghostaudit/scanners"
)

func rec(id, recommender, state, savings, currency string) scanners.Resource {
	attrs := map[string]string{"recommender": recommender, "recommender_subtype": "X", "target_resource": "//compute/x/" + id}
	if savings != "" {
		attrs["monthly_savings"], attrs["currency"] = savings, currency
	}
	return scanners.Resource{Provider: "gcp", Account: "p", Region: "us-central1-a", Kind: kindGCPRecommendation, ID: id, State: state, Attributes: attrs}
}

func TestGCPRecommenderRules(t *testing.T) {
	t.Parallel()
	inv := &scanners.Inventory{ScannedAt: testNow, Resources: []scanners.Resource{
		rec("a", "google.compute.disk.IdleResourceRecommender", "ACTIVE", "20.277778", "USD"),
		rec("b", "google.cloudsql.instance.IdleRecommender", "ACTIVE", "152.083333", "USD"),
		rec("c", "google.compute.instance.MachineTypeRecommender", "ACTIVE", "36.5", "USD"),
		rec("d", "google.compute.disk.IdleResourceRecommender", "DISMISSED", "4", "USD"),
		rec("e", "google.compute.disk.IdleResourceRecommender", "ACTIVE", "", ""),
		rec("f", "google.compute.disk.IdleResourceRecommender", "ACTIVE", "10", "EUR"),
	}}
	e, _ := engine(t, nil)
	res := e.Run(inv)
	got := byResource(res)
	wantSavings(t, got["gcp.recommender.idle a"], "20.277778")
	wantSavings(t, got["gcp.recommender.idle b"], "152.083333")
	wantSavings(t, got["gcp.recommender.machine_type c"], "36.5")
	if _, ok := got["gcp.recommender.idle d"]; ok {
		t.Error("a dismissed recommendation is reported")
	}
	if f := got["gcp.recommender.idle e"]; f.Priced() || f.Unpriced == "" {
		t.Errorf("no projection: want unpriced, got %+v", f)
	}
	if f := got["gcp.recommender.idle f"]; f.Priced() {
		t.Errorf("an EUR projection without an FX rate is priced: %s", f.MonthlySavings)
	}
	if p := got["gcp.recommender.idle a"].Prices; len(p) != 1 || p[0].Source != "provider-estimate" {
		t.Errorf("price source: %+v", p)
	}
}

// TestGCPRecommenderCostIncreaseIsNoFinding: Google's machine-type
// recommender also proposes larger machines for performance (impact
// category PERFORMANCE, a positive cost projection). That is not an
// over-provisioned VM and saves nothing, so it is not reported, and it
// does not hide a direct-check finding either.
func TestGCPRecommenderCostIncreaseIsNoFinding(t *testing.T) {
	t.Parallel()
	up := rec("up", "google.compute.instance.MachineTypeRecommender", "ACTIVE", "0", "USD")
	up.Attributes["monthly_cost"], up.Attributes["impact_category"] = "48.666667", "COST"
	perf := rec("perf", "google.compute.instance.MachineTypeRecommender", "ACTIVE", "", "")
	perf.Attributes["impact_category"] = "PERFORMANCE"
	down := rec("down", "google.compute.instance.MachineTypeRecommender", "ACTIVE", "36.5", "USD")
	down.Attributes["monthly_cost"], down.Attributes["impact_category"] = "-36.5", "COST"
	inv := &scanners.Inventory{ScannedAt: testNow, Resources: []scanners.Resource{up, perf, down}}
	e, _ := engine(t, nil)
	got := byResource(e.Run(inv))
	for _, id := range []string{"up", "perf"} {
		if f, ok := got["gcp.recommender.machine_type "+id]; ok {
			t.Errorf("a recommendation that does not lower the bill is reported: %+v", f)
		}
	}
	wantSavings(t, got["gcp.recommender.machine_type down"], "36.5")
}

// TestGCPIdleVMNotAlsoRightsized: when Google both flags a VM as idle (stop
// it: its whole cost) and proposes a smaller machine type for it, the
// saving is counted once, as the idle recommendation.
func TestGCPIdleVMNotAlsoRightsized(t *testing.T) {
	t.Parallel()
	idle := rec("idle", "google.compute.instance.IdleResourceRecommender", "ACTIVE", "74.286597", "USD")
	mt := rec("mt", "google.compute.instance.MachineTypeRecommender", "ACTIVE", "36.5", "USD")
	idle.Attributes["target_resource"] = "//compute.googleapis.com/projects/p/zones/us-central1-a/instances/vm-1"
	mt.Attributes["target_resource"] = idle.Attributes["target_resource"]
	inv := &scanners.Inventory{ScannedAt: testNow, Resources: []scanners.Resource{idle, mt}}
	e, _ := engine(t, nil)
	got := byResource(e.Run(inv))
	wantSavings(t, got["gcp.recommender.idle idle"], "74.286597")
	if f, ok := got["gcp.recommender.machine_type mt"]; ok {
		t.Errorf("an idle VM is also reported as rightsizing: %+v", f)
	}
}

// TestGCPDirectChecksUnknownSizeAndLocations: a disk whose size the API did
// not give is unpriced (never $0), and the delete commands name a regional
// disk's region and a global address's scope correctly.
func TestGCPDirectChecksUnknownSizeAndLocations(t *testing.T) {
	t.Parallel()
	old := testNow.AddDate(0, 0, -90)
	disk := func(id, zone, region, size string) scanners.Resource {
		attrs := map[string]string{"users": "0", "status": "READY", "type": "pd-standard", "region": region,
			"resource_name": "//compute.googleapis.com/projects/p/x/disks/" + id}
		if zone != "" {
			attrs["zone"] = zone
		}
		if size != "" {
			attrs["size_gb"] = size
		}
		loc := zone
		if loc == "" {
			loc = region
		}
		return scanners.Resource{Provider: "gcp", Account: "p", Region: loc, Kind: kindGCPDisk, ID: id, Name: id, Created: &old, Attributes: attrs}
	}
	inv := &scanners.Inventory{ScannedAt: testNow, Resources: []scanners.Resource{
		disk("nosize", "us-east4-a", "us-east4", ""),
		disk("regional", "", "us-east4", "100"),
		{Provider: "gcp", Account: "p", Region: "global", Kind: kindGCPAddress, ID: "g", Name: "g-ip",
			Attributes: map[string]string{"status": "RESERVED", "region": "global", "address_type": "EXTERNAL"}},
	}}
	e, _ := engine(t, nil)
	got := byResource(e.Run(inv))
	if f := got["gcp.compute.disk_unattached nosize"]; f.Priced() || f.Unpriced == "" {
		t.Errorf("a disk of unknown size is priced: savings %v, unpriced %q", f.MonthlySavings, f.Unpriced)
	}
	if f := got["gcp.compute.disk_unattached regional"]; !strings.Contains(f.Action, "--region us-east4") || strings.Contains(f.Action, "--zone") {
		t.Errorf("regional disk action: %q", f.Action)
	}
	if f := got["gcp.compute.address_unused g"]; !strings.Contains(f.Action, "--global") || strings.Contains(f.Action, "--region") {
		t.Errorf("global address action: %q", f.Action)
	}
}

// TestGCPAlternativesCountOnce: recommendations of one recommender that
// share an xorGroupId are alternatives (only one is applied): the one that
// saves the most is reported, naming the others; alternatives of another
// group, project or recommender are not merged.
func TestGCPAlternativesCountOnce(t *testing.T) {
	t.Parallel()
	mt := "google.compute.instance.MachineTypeRecommender"
	alt := func(id, group, savings string) scanners.Resource {
		r := rec(id, mt, "ACTIVE", savings, "USD")
		r.Attributes["xor_group_id"] = group
		r.Attributes["recommendation_name"] = "projects/1/locations/us-central1-a/recommenders/" + mt + "/recommendations/" + id
		return r
	}
	other := alt("y", "g1", "50")
	other.Account = "q" // same group id in another project: its own group
	inv := &scanners.Inventory{ScannedAt: testNow, Resources: []scanners.Resource{
		alt("a", "g1", "10"), alt("b", "g1", "25"), alt("c", "g1", ""), alt("d", "g2", "7"), other,
	}}
	e, _ := engine(t, nil)
	got := byResource(e.Run(inv))
	wantSavings(t, got["gcp.recommender.machine_type b"], "25")
	wantSavings(t, got["gcp.recommender.machine_type d"], "7")
	wantSavings(t, got["gcp.recommender.machine_type y"], "50")
	for _, id := range []string{"a", "c"} {
		if _, ok := got["gcp.recommender.machine_type "+id]; ok {
			t.Errorf("alternative %s is reported besides the larger saving", id)
		}
	}
	ev := evidence(got["gcp.recommender.machine_type b"], "alternatives_not_counted")
	if !strings.Contains(ev, "recommendations/a") || !strings.Contains(ev, "recommendations/c") || strings.Contains(ev, "recommendations/y") {
		t.Errorf("alternatives evidence %q", ev)
	}
}
