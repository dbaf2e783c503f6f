package findings

import (
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
