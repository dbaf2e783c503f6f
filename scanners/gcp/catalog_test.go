package gcp

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
)

const catalogEstateYAML = `
gcp:
  services:
    - id: 6F81-5844-456A
      display_name: Compute Engine
      skus:
        - {id: 8AF1-1146-E7DA, description: Storage PD Capacity in Virginia, resource_family: Storage, resource_group: PDStandard, regions: [us-east4], usage_unit: GiBy.mo, unit_price: "0.044", effective: 2026-06-01T00:00:00Z}
        - {id: 0AF1-1146-E7DB, description: SSD backed PD Capacity in Virginia, resource_family: Storage, resource_group: SSD, regions: [us-east4], usage_unit: GiBy.mo, unit_price: "0.187"}
        - {id: 5E80-0000-0001, description: Static Ip Charge, resource_family: Network, resource_group: IpAddress, regions: [us-east4], usage_unit: h, unit_price: "0.01"}
        - {id: 5E80-0000-0002, description: Preemptible E2 Instance Ram running in Virginia, resource_family: Compute, resource_group: RAM, usage_type: Preemptible, regions: [us-east4], usage_unit: GiBy.h, unit_price: "0.000987597"}
        - {id: 9E80-0000-0003, description: Network Internet Egress from Virginia to Americas, resource_family: Network, resource_group: PremiumInternetEgress, regions: [us-east4], usage_unit: GiBy,
           tiers: [{start: 0, price: "0.12"}, {start: 1024, price: "0.11"}, {start: 10240, price: "0.08"}]}
    - id: 95FF-2EF5-5EA1
      display_name: Cloud Storage
      skus:
        - {id: 1111-2222-3333, description: Standard Storage, resource_family: Storage, usage_unit: GiBy.mo, unit_price: "0.02"}
`

func TestFetchCatalogFromSimulator(t *testing.T) {
	t.Parallel()
	fx := newFixture(t, catalogEstateYAML, nil, nil)
	cat, err := FetchCatalog(context.Background(), &fx.scanner.opts, CatalogRequest{PageSize: 2}, func() time.Time { return testNow })
	if err != nil {
		t.Fatal(err)
	}
	if cat.Service != "services/6F81-5844-456A" || cat.Name != "Compute Engine" || cat.Currency != "USD" || !cat.FetchedAt.Equal(testNow) || len(cat.Prices) != 5 {
		t.Fatalf("catalog: %+v", cat)
	}
	pages := 0
	for _, r := range fx.srv.Requests() {
		if r.Method == "ListSkus" {
			pages++
		}
	}
	if pages != 3 {
		t.Errorf("ListSkus pages: %d, want 3 (5 SKUs by 2)", pages)
	}
	by := map[string]CatalogPrice{}
	for _, p := range cat.Prices {
		by[p.SKU] = p
	}
	pd := by["8AF1-1146-E7DA"]
	if pd.ResourceGroup != "PDStandard" || pd.UsageType != "OnDemand" || pd.UsageUnit != "GiBy.mo" || !pd.InRegion("us-east4") ||
		len(pd.Tiers) != 1 || pd.Tiers[0].UnitPrice != "0.044" || !pd.Effective.Equal(time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("pd-standard: %+v", pd)
	}
	egress := by["9E80-0000-0003"]
	if len(egress.Tiers) != 3 || egress.Tiers[1].StartUsageAmount != 1024 || egress.Tiers[2].UnitPrice != "0.08" {
		t.Errorf("egress tiers: %+v", egress.Tiers)
	}
	for _, c := range []struct {
		sku, qty, want string
	}{
		{"8AF1-1146-E7DA", "500", "22"},       // 500 GiB-months × 0.044
		{"0AF1-1146-E7DB", "100", "18.7"},     // pd-ssd
		{"5E80-0000-0001", "1", "7.3"},        // one static IP: 730 h × 0.01
		{"5E80-0000-0002", "4", "2.88378324"}, // 4 GiB × 730 h × 0.000987597
	} {
		got, err := by[c.sku].Monthly(decimal.RequireFromString(c.qty))
		if err != nil || !got.Equal(decimal.RequireFromString(c.want)) {
			t.Errorf("%s × %s: %v %v, want %s", c.sku, c.qty, got, err, c.want)
		}
	}
	if _, err := egress.Monthly(decimal.NewFromInt(1)); err == nil {
		t.Error("GiBy (egress volume) is not a monthly holding, yet Monthly priced it")
	}

	if _, err := FetchCatalog(context.Background(), &fx.scanner.opts, CatalogRequest{Service: "Nope"}, nil); err == nil || !strings.Contains(err.Error(), "Nope") {
		t.Errorf("unknown service: %v", err)
	}
}

func TestMonthlyRateIsGraduated(t *testing.T) {
	t.Parallel()
	tiers := []Tier{{0, "0.12"}, {1024, "0.11"}, {10240, "0.08"}}
	for usage, want := range map[string]string{
		"0": "0", "100": "12", "1024": "122.88", "2048": "235.52", // 1024 × 0.12 + 1024 × 0.11
		"20480": "1955.84", // 122.88 + 9216 × 0.11 + 10240 × 0.08
	} {
		got, err := MonthlyRate(tiers, decimal.RequireFromString(usage))
		if err != nil || !got.Equal(decimal.RequireFromString(want)) {
			t.Errorf("usage %s: %v %v, want %s", usage, got, err, want)
		}
	}
	// A free first tier: the first 30 units cost nothing.
	got, _ := MonthlyRate([]Tier{{0, "0"}, {30, "0.04"}}, decimal.NewFromInt(100))
	if !got.Equal(decimal.RequireFromString("2.8")) {
		t.Errorf("free tier: %v", got)
	}
	if _, err := MonthlyRate([]Tier{{0, "x"}}, decimal.NewFromInt(1)); err == nil {
		t.Error("a bad price was accepted")
	}
	if u, err := MonthlyUsage("h", decimal.NewFromInt(2)); err != nil || !u.Equal(decimal.NewFromInt(1460)) {
		t.Errorf("2 h-units for a month: %v %v", u, err)
	}
}

func TestCatalogCache(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "sub", "gcp-compute-catalog.json")
	fetches := 0
	fetch := func(context.Context) (*Catalog, error) {
		fetches++
		return &Catalog{Service: "services/6F81-5844-456A", Name: "Compute Engine", Currency: "USD", FetchedAt: testNow,
			Prices: []CatalogPrice{{SKU: "8AF1-1146-E7DA", UsageUnit: "GiBy.mo", Tiers: []Tier{{0, "0.044"}}}}}, nil
	}
	ctx := context.Background()
	if _, err := LoadCatalog(path); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("missing cache: %v", err)
	}
	c, err := CachedCatalog(ctx, path, 24*time.Hour, testNow, fetch)
	if err != nil || fetches != 1 || len(c.Prices) != 1 {
		t.Fatalf("first: %v %d", err, fetches)
	}
	c, err = CachedCatalog(ctx, path, 24*time.Hour, testNow.Add(time.Hour), fetch)
	if err != nil || fetches != 1 || !c.FetchedAt.Equal(testNow) || c.Prices[0].Tiers[0].UnitPrice != "0.044" {
		t.Fatalf("fresh cache refetched or changed: %v %d %+v", err, fetches, c)
	}
	if _, err := CachedCatalog(ctx, path, 24*time.Hour, testNow.Add(25*time.Hour), fetch); err != nil || fetches != 2 {
		t.Fatalf("stale cache not refetched: %v %d", err, fetches)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("temporary files left behind: %v", entries)
	}
	if err := os.WriteFile(path, []byte(`{"service": "services/x", "prices": [`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := CachedCatalog(ctx, path, 24*time.Hour, testNow, fetch); err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "corrupt") {
		t.Errorf("corrupt cache: %v", err)
	}
}
