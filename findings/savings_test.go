package findings

import (
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/ghostaudit/ghostaudit/findings/pricing"
	"github.com/ghostaudit/ghostaudit/scanners"
)

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func eq(t *testing.T, what string, got *decimal.Decimal, want string) {
	t.Helper()
	if got == nil {
		t.Errorf("%s: nil, want %s", what, want)
		return
	}
	if !got.Equal(d(want)) {
		t.Errorf("%s: %s, want %s", what, got, want)
	}
}

// TestSavingsModelWorkedExample checks every figure of one finding against
// numbers worked out by hand.
func TestSavingsModelWorkedExample(t *testing.T) {
	t.Parallel()
	s := DefaultSettings()
	s.FiscalYearStartMonth = 4 // fiscal year April-March
	s.HourlyRate = "150"
	s.EffortHours.Medium = "6"
	now := time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC)
	f := Finding{Confidence: Medium, Effort: Medium, MonthlySavings: Money(d("200"))}
	savingsModel(&f, Classification{Class: "OpEx", EBITDA: true}, &s, now)
	// 200 × 12 = 2400; medium haircut 60% → 120/month, 1440/year.
	eq(t, "annual", f.AnnualSavings, "2400")
	eq(t, "risk-adjusted monthly", f.RiskAdjustedMonthly, "120")
	eq(t, "risk-adjusted annual", f.RiskAdjustedAnnual, "1440")
	// One-time cost 6 h × 150 = 900; payback 900 / 200 = 4.5 months.
	if !f.OneTimeCost.Equal(d("900")) {
		t.Errorf("one-time cost %s, want 900", f.OneTimeCost)
	}
	eq(t, "payback", f.PaybackMonths, "4.5")
	// 2026-12-02 → fiscal year end 2027-04-01: 120 days = 120 / 30.4375 months
	// = 3.9425051... months × 200 = 788.50 (rounded to cents).
	eq(t, "in-year impact", f.InYearImpact, "788.50")
	if !f.EBITDA || !f.Recurring || f.Treatment != "reduction" {
		t.Errorf("EBITDA %v recurring %v treatment %s", f.EBITDA, f.Recurring, f.Treatment)
	}
}

func TestInYearImpactAcrossTheFiscalYearBoundary(t *testing.T) {
	t.Parallel()
	s := DefaultSettings() // calendar fiscal year
	now := time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC)
	renewal := time.Date(2027, 2, 1, 0, 0, 0, 0, time.UTC)
	f := Finding{Confidence: High, Effort: Low, MonthlySavings: Money(d("100")), RealisableFrom: &renewal}
	savingsModel(&f, Classification{Class: "Prepaid-amortised", Avoidance: true}, &s, now)
	// Realisable only after this fiscal year ends (2027-01-01): nothing in year.
	eq(t, "in-year", f.InYearImpact, "0")
	if f.Treatment != "avoidance" || f.EBITDA || !f.EffectiveFrom.Equal(renewal) {
		t.Errorf("treatment %s EBITDA %v effective %v", f.Treatment, f.EBITDA, f.EffectiveFrom)
	}
	// A fiscal year starting in March: the saving runs from 2027-02-01 to 2027-03-01,
	// 28 days = 28 / 30.4375 months × 100 = 91.99.
	s.FiscalYearStartMonth = 3
	savingsModel(&f, Classification{Class: "Prepaid-amortised", Avoidance: true}, &s, now)
	eq(t, "in-year (March FY)", f.InYearImpact, "91.99")
	if got := s.FiscalYearEnd(now); !got.Equal(time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("fiscal year end %v", got)
	}
	if IsWin(&f, now, 30) {
		t.Error("a saving realisable in 61 days is a 30-day win")
	}
}

func TestFXConversionAndMissingRate(t *testing.T) {
	t.Parallel()
	snap, err := pricing.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	inv := &scanners.Inventory{ScannedAt: testNow, Resources: []scanners.Resource{
		{Provider: "aws", Account: "1", Region: "us-east-1", Kind: kindAWSAddress, ID: "eipalloc-1", State: "unassociated"},
	}}
	e, _ := NewEngine(Rules(), &pricing.Layered{Layers: []pricing.Catalog{snap}}, nil)
	e.Settings.Currency = "EUR"
	// No USD→EUR rate: never silently mixed, the finding is unpriced.
	res := e.Run(inv)
	if res.Findings[0].Priced() || res.Findings[0].Unpriced == "" {
		t.Fatalf("without an FX rate: %+v", res.Findings[0])
	}
	// 0.005 USD/h × 730 = 3.65 USD × 0.92 = 3.358 EUR.
	e.Settings.FX = map[string]string{"USD": "0.92"}
	res = e.Run(inv)
	eq(t, "EUR savings", res.Findings[0].MonthlySavings, "3.358")
	if res.Findings[0].Currency != "EUR" || res.Totals.Currency != "EUR" {
		t.Errorf("currency %s / %s", res.Findings[0].Currency, res.Totals.Currency)
	}
}

func TestFinanceTotals(t *testing.T) {
	t.Parallel()
	s := DefaultSettings()
	s.EVMultiple = "8"
	now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	fs := []Finding{
		{ID: "a", Confidence: High, Effort: Low, MonthlySavings: Money(d("100"))},
		{ID: "b", Confidence: Low, Effort: High, MonthlySavings: Money(d("50"))},
		{ID: "c", Confidence: High, Effort: Low, MonthlySavings: Money(d("30"))}, // CapEx: not EBITDA
		{ID: "d", Confidence: High, Effort: Low},                                 // unpriced
		{ID: "e", Confidence: High, Effort: Low, MonthlySavings: Money(d("999")), Suppression: &Suppression{Reason: "DR copy"}},
	}
	for i := range fs {
		c := Classification{Class: "OpEx", EBITDA: true}
		if fs[i].ID == "c" {
			c = Classification{Class: "CapEx"}
		}
		savingsModel(&fs[i], c, &s, now)
	}
	rank(fs, now, 30)
	tot := totals(fs, nil, &s, now)
	// Identified: 100 + 50 + 30 = 180/month, 2160/year (suppressed 999 left out).
	if !tot.MonthlySavings.Equal(d("180")) || !tot.AnnualSavings.Equal(d("2160")) {
		t.Errorf("identified %s / %s", tot.MonthlySavings, tot.AnnualSavings)
	}
	// Risk-adjusted annual: 1200 + 600 × 30% + 360 = 1740.
	if !tot.RiskAdjustedAnnual.Equal(d("1740")) {
		t.Errorf("risk-adjusted %s", tot.RiskAdjustedAnnual)
	}
	// EBITDA: OpEx only: 1200 + 600 = 1800 identified, 1200 + 180 = 1380 risk-adjusted; EV 1380 × 8 = 11040.
	if !tot.EBITDAAnnual.Equal(d("1800")) || !tot.EBITDARiskAdjusted.Equal(d("1380")) || !tot.EVImpact.Equal(d("11040")) {
		t.Errorf("EBITDA %s / %s, EV %s", tot.EBITDAAnnual, tot.EBITDARiskAdjusted, tot.EVImpact)
	}
	// One-time: 1 h × 120 + 40 h × 120 + 1 h × 120 = 5040; payback 5040 / 180 = 28.
	if !tot.OneTimeCost.Equal(d("5040")) || tot.PaybackMonths == nil || !tot.PaybackMonths.Equal(d("28")) {
		t.Errorf("one-time %s payback %v", tot.OneTimeCost, tot.PaybackMonths)
	}
	if tot.Suppressed != 1 || !tot.SuppressedMonthly.Equal(d("999")) || tot.Unpriced != 1 || tot.Wins != 2 {
		t.Errorf("counts: %+v", tot)
	}
	if fs[len(fs)-1].ID != "e" {
		t.Errorf("the suppressed finding is not ranked last: %s", fs[len(fs)-1].ID)
	}
}

func TestSuppressions(t *testing.T) {
	t.Parallel()
	inv := &scanners.Inventory{ScannedAt: testNow, Resources: []scanners.Resource{
		vol("us-east-1", "vol-tagged", "gp3", "available", "10", "", "", daysAgo(30)),
		vol("us-east-1", "vol-config", "gp3", "available", "10", "", "", daysAgo(30)),
		vol("us-east-1", "vol-expired", "gp3", "available", "10", "", "", daysAgo(30)),
		vol("us-east-1", "vol-other", "gp3", "available", "10", "", "", daysAgo(30)),
	}}
	inv.Resources[0].Tags = map[string]string{IgnoreTag: "legal hold until the audit closes"}
	e, _ := engine(t, nil)
	e.Suppressions = []Suppression{
		{Rule: "aws.ebs.unattached", Resource: "aws/*/us-east-1/aws.ebs.volume/vol-config", Reason: "restore test", Owner: "ops", Expires: "2027-01-31"},
		{Rule: "*", Resource: "vol-expired", Reason: "migration", Owner: "dba", Expires: "2026-11-30"},
	}
	res := e.Run(inv)
	got := byResource(res)
	if s := got["aws.ebs.unattached vol-tagged"].Suppression; s == nil || s.Reason != "legal hold until the audit closes" || s.Source != "tag "+IgnoreTag {
		t.Errorf("tag suppression: %+v", s)
	}
	if s := got["aws.ebs.unattached vol-config"].Suppression; s == nil || s.Owner != "ops" || s.Source != "config" {
		t.Errorf("config suppression: %+v", s)
	}
	ex := got["aws.ebs.unattached vol-expired"]
	if ex.Suppressed() || ex.SuppressionNote == "" {
		t.Errorf("an expired suppression still applies, or says nothing: %+v", ex)
	}
	// 2 unsuppressed × 10 GiB × 0.08 = 1.60.
	if res.Totals.Suppressed != 2 || !res.Totals.MonthlySavings.Equal(d("1.6")) {
		t.Errorf("totals: suppressed %d, monthly %s", res.Totals.Suppressed, res.Totals.MonthlySavings)
	}
	if err := ValidateSuppressions([]Suppression{{Rule: "x", Resource: "y", Reason: "z", Expires: "31/01/2027"}}); err == nil ||
		err.Error() != `suppressions[0].expires: "31/01/2027" is not a date YYYY-MM-DD` {
		t.Errorf("bad expiry: %v", err)
	}
}

func TestSpendInScope(t *testing.T) {
	t.Parallel()
	inv := &scanners.Inventory{ScannedAt: testNow, Resources: []scanners.Resource{
		vol("us-east-1", "vol-a", "gp3", "in-use", "100", "", "", daysAgo(30)),                                            // 8.00
		vol("us-east-1", "vol-b", "gp2", "available", "50", "", "", daysAgo(30)),                                          // 5.00
		{Provider: "aws", Account: "1", Region: "us-east-1", Kind: kindAWSAddress, ID: "eipalloc-1", State: "associated"}, // 3.65
		vol("af-south-1", "vol-c", "gp2", "in-use", "50", "", "", daysAgo(30)),                                            // unpriced
		{Provider: "aws", Account: "1", Region: "us-east-1", Kind: "aws.ec2.instance", ID: "i-1"},                         // no coster yet
	}}
	e, _ := engine(t, nil)
	res := e.Run(inv)
	if !res.Totals.SpendMonthly.Equal(d("16.65")) || res.Totals.SpendPriced != 4 || res.Totals.SpendUnpriced != 1 || len(res.CostLines) != 5 {
		t.Errorf("spend %s priced %d unpriced %d lines %d", res.Totals.SpendMonthly, res.Totals.SpendPriced, res.Totals.SpendUnpriced, len(res.CostLines))
	}
	for _, l := range res.CostLines {
		if l.Class == "" {
			t.Errorf("cost line %s has no class", l.ResourceKey)
		}
	}
}

func TestSettingsValidate(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		mod  func(*Settings)
		want string
	}{
		{func(s *Settings) { s.Currency = "USS" }, `finance.currency: "USS" is not a known ISO 4217 currency code`},
		{func(s *Settings) { s.FX = map[string]string{"USD": "-1"} }, `finance.fx.USD: "-1" is not a positive decimal rate`},
		{func(s *Settings) { s.Haircuts.Medium = 160 }, `finance.haircuts.medium: 160 is not a percentage 0-100`},
		{func(s *Settings) { s.FiscalYearStartMonth = 13 }, `finance.fiscal_year_start_month: 13 is not a month 1-12`},
		{func(s *Settings) { s.EVMultiple = "-3" }, `finance.ev_ebitda_multiple: "-3" is not a non-negative decimal`},
	} {
		s := DefaultSettings()
		tc.mod(&s)
		if err := s.Validate(); err == nil || err.Error() != tc.want {
			t.Errorf("got %v, want %s", err, tc.want)
		}
	}
	s := DefaultSettings()
	if err := s.Validate(); err != nil {
		t.Errorf("defaults: %v", err)
	}
}

func TestExcludeTags(t *testing.T) {
	t.Parallel()
	a := vol("us-east-1", "vol-a", "gp3", "available", "10", "", "", daysAgo(30))
	a.Tags = map[string]string{"env": "prod-dr"}
	b := vol("us-east-1", "vol-b", "gp3", "available", "10", "", "", daysAgo(30))
	b.Tags = map[string]string{"env": "dev"}
	c := vol("us-east-1", "vol-c", "gp3", "available", "10", "", "", daysAgo(30))
	c.Tags = map[string]string{"do-not-audit": ""}
	e, _ := engine(t, nil)
	e.ExcludeTags = []string{"env=prod-dr", "do-not-audit"}
	res := e.Run(&scanners.Inventory{ScannedAt: testNow, Resources: []scanners.Resource{a, b, c}})
	if len(res.Findings) != 1 || res.Findings[0].ResourceID != "vol-b" {
		t.Errorf("exclusions not applied: %+v", res.Findings)
	}
}
