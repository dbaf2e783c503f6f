package findings

import (
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/ghostaudit/ghostaudit/findings/pricing"
	"github.com/ghostaudit/ghostaudit/scanners"
)

var testNow = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

func daysAgo(n int) *time.Time { t := testNow.Add(-time.Duration(n) * 24 * time.Hour); return &t }

func vol(region, id, vtype, state string, size, iops, tp string, created *time.Time) scanners.Resource {
	attrs := map[string]string{"volume_type": vtype, "size_gib": size}
	if iops != "" {
		attrs["iops"] = iops
	}
	if tp != "" {
		attrs["throughput_mibps"] = tp
	}
	return scanners.Resource{Provider: "aws", Account: "111111111111", Region: region, Kind: kindAWSVolume,
		ID: id, State: state, Created: created, Attributes: attrs}
}

func engine(t *testing.T, params map[string]map[string]string) (*Engine, *pricing.Layered) {
	t.Helper()
	snap, err := pricing.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	cat := &pricing.Layered{Layers: []pricing.Catalog{snap}}
	e, err := NewEngine(Rules(), cat, params)
	if err != nil {
		t.Fatal(err)
	}
	return e, cat
}

func byResource(res *Result) map[string]Finding {
	m := map[string]Finding{}
	for _, f := range res.Findings {
		m[f.Rule+" "+f.ResourceID] = f
	}
	return m
}

func wantSavings(t *testing.T, f Finding, want string) {
	t.Helper()
	if f.MonthlySavings == nil {
		t.Fatalf("%s %s: unpriced (%s), want %s", f.Rule, f.ResourceID, f.Unpriced, want)
	}
	if !f.MonthlySavings.Equal(decimal.RequireFromString(want)) {
		t.Errorf("%s %s: monthly savings %s, want %s", f.Rule, f.ResourceID, f.MonthlySavings, want)
	}
	if !f.AnnualSavings.Equal(f.MonthlySavings.Mul(decimal.NewFromInt(12))) {
		t.Errorf("%s %s: annual %s is not 12 × monthly", f.Rule, f.ResourceID, f.AnnualSavings)
	}
}

func TestEBSRulesPriceEveryVolumeType(t *testing.T) {
	t.Parallel()
	inv := &scanners.Inventory{ScannedAt: testNow, Resources: []scanners.Resource{
		vol("us-east-1", "vol-gp3", "gp3", "available", "200", "6000", "250", daysAgo(30)),  // 16 + 15 + 5
		vol("us-east-1", "vol-io1", "io1", "available", "100", "3000", "", daysAgo(30)),     // 12.5 + 195
		vol("us-east-1", "vol-io2", "io2", "available", "100", "1000", "", daysAgo(30)),     // 12.5 + 65
		vol("us-east-1", "vol-st1", "st1", "available", "1000", "", "", daysAgo(30)),        // 45
		vol("us-east-1", "vol-young", "gp2", "available", "100", "", "", daysAgo(2)),        // grace
		vol("us-east-1", "vol-noage", "sc1", "available", "100", "", "", nil),               // 1.50, age unknown: reported
		vol("us-east-1", "vol-gp2big", "gp2", "in-use", "6000", "16000", "", daysAgo(300)),  // 600 vs 480 + 13000×0.005 + 125×0.04 = 550 → 50
		vol("us-east-1", "vol-gp2tiny", "gp2", "in-use", "10", "100", "", daysAgo(300)),     // 1.00 vs 0.80 + 3×0.04 = 0.92 → 0.08
		vol("us-east-1", "vol-gp2free", "gp2", "available", "100", "300", "", daysAgo(300)), // unattached: only the unattached rule
		vol("af-south-1", "vol-nowhere", "gp2", "available", "100", "", "", daysAgo(300)),   // unpriced
	}}
	e, cat := engine(t, nil)
	res := e.Run(inv)
	got := byResource(res)
	wantSavings(t, got["aws.ebs.unattached vol-gp3"], "36")
	wantSavings(t, got["aws.ebs.unattached vol-io1"], "207.5")
	wantSavings(t, got["aws.ebs.unattached vol-io2"], "77.5")
	wantSavings(t, got["aws.ebs.unattached vol-st1"], "45")
	wantSavings(t, got["aws.ebs.unattached vol-noage"], "1.5")
	wantSavings(t, got["aws.ebs.gp2_to_gp3 vol-gp2big"], "50")
	wantSavings(t, got["aws.ebs.gp2_to_gp3 vol-gp2tiny"], "0.08")
	wantSavings(t, got["aws.ebs.unattached vol-gp2free"], "10")
	if _, ok := got["aws.ebs.gp2_to_gp3 vol-gp2free"]; ok {
		t.Error("an unattached gp2 volume is also counted as gp2→gp3: its saving would be counted twice")
	}
	if _, ok := got["aws.ebs.unattached vol-young"]; ok {
		t.Error("a 2-day-old volume is inside the 7-day grace period")
	}
	un := got["aws.ebs.unattached vol-nowhere"]
	if un.Priced() || un.Unpriced == "" || un.MonthlyCost != nil {
		t.Errorf("af-south-1 volume: want unpriced with a reason, got %+v", un)
	}
	if res.Totals.Unpriced != 1 || res.Totals.Findings != len(res.Findings) {
		t.Errorf("totals: %+v", res.Totals)
	}
	if len(cat.Missed()) == 0 {
		t.Error("the missing af-south-1 price is not recorded")
	}
	for _, f := range res.Findings {
		if f.Priced() && len(f.Prices) == 0 {
			t.Errorf("%s %s: priced without a price source", f.Rule, f.ResourceID)
		}
	}
}

func TestGraceParameterIsConfigurable(t *testing.T) {
	t.Parallel()
	inv := &scanners.Inventory{ScannedAt: testNow, Resources: []scanners.Resource{
		vol("us-east-1", "vol-young", "gp2", "available", "100", "", "", daysAgo(2)),
	}}
	e, _ := engine(t, map[string]map[string]string{"aws.ebs.unattached": {"min_age_days": "0"}})
	if n := len(e.Run(inv).Findings); n != 1 {
		t.Fatalf("with min_age_days 0: %d findings, want 1", n)
	}
	if _, err := NewEngine(Rules(), nil, map[string]map[string]string{"aws.ebs.unattached": {"min_age_days": "soon"}}); err == nil {
		t.Error("a non-numeric threshold was accepted")
	}
	if _, err := NewEngine(Rules(), nil, map[string]map[string]string{"aws.ebs.nope": {}}); err == nil {
		t.Error("an unknown rule was accepted")
	}
	if _, err := NewEngine(Rules(), nil, map[string]map[string]string{"aws.ebs.unattached": {"max_age": "1"}}); err == nil {
		t.Error("an unknown parameter was accepted")
	}
}

func TestEIPUnassociated(t *testing.T) {
	t.Parallel()
	inv := &scanners.Inventory{ScannedAt: testNow, Resources: []scanners.Resource{
		{Provider: "aws", Account: "1", Region: "eu-west-1", Kind: kindAWSAddress, ID: "eipalloc-1", State: "unassociated", Attributes: map[string]string{"public_ip": "198.51.100.1"}},
		{Provider: "aws", Account: "1", Region: "eu-west-1", Kind: kindAWSAddress, ID: "eipalloc-2", State: "associated"},
	}}
	e, _ := engine(t, nil)
	res := e.Run(inv)
	if len(res.Findings) != 1 {
		t.Fatalf("findings: %+v", res.Findings)
	}
	wantSavings(t, res.Findings[0], "3.65")
}

func TestRankingWinsFirstThenSavingsPerEffort(t *testing.T) {
	t.Parallel()
	m := func(s string) *decimal.Decimal { return Money(decimal.RequireFromString(s)) }
	settings := DefaultSettings()
	later := testNow.Add(90 * 24 * time.Hour)
	fs := []Finding{
		{ID: "a", Confidence: High, Effort: Low, MonthlySavings: m("10")},
		{ID: "b", Confidence: High, Effort: Low, MonthlySavings: m("50")},
		{ID: "c", Confidence: Medium, Effort: Low, MonthlySavings: m("100")},                       // not a win: 100/1
		{ID: "d", Confidence: High, Effort: High, MonthlySavings: m("300")},                        // 300/4 = 75
		{ID: "e", Confidence: High, Effort: Low},                                                   // unpriced: last
		{ID: "f", Confidence: High, Effort: Low, MonthlySavings: m("500"), RealisableFrom: &later}, // not within 30 days: 500
		{ID: "g", Confidence: High, Effort: Medium, MonthlySavings: m("140")},                      // 70
	}
	for i := range fs {
		savingsModel(&fs[i], Classification{Class: "OpEx", EBITDA: true}, &settings, testNow)
	}
	rank(fs, testNow, 30)
	var order string
	for _, f := range fs {
		order += f.ID
	}
	if order != "bafdgce" { // wins by savings; then risk-adjusted ÷ effort: f 500, d 75, g 70, c 60; unpriced last
		t.Errorf("order %s, want bafdgce", order)
	}
	if !fs[0].Win || !fs[1].Win || fs[2].Win {
		t.Errorf("wins: %v %v %v", fs[0].Win, fs[1].Win, fs[2].Win)
	}
	if fs[0].WhyRank == "" || fs[6].WhyRank == "" {
		t.Error("ranking is not explained")
	}
}

func TestFindingIDIsStable(t *testing.T) {
	t.Parallel()
	a := FindingID("aws.ebs.unattached", "aws/1/us-east-1/aws.ebs.volume/vol-1")
	if a != FindingID("aws.ebs.unattached", "aws/1/us-east-1/aws.ebs.volume/vol-1") || a == FindingID("aws.ebs.gp2_to_gp3", "aws/1/us-east-1/aws.ebs.volume/vol-1") {
		t.Error("finding IDs are not a stable function of rule and resource")
	}
}
