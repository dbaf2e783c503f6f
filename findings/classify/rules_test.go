package classify

import (
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
)

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func policy(t *testing.T, edit func(*Settings)) *Policy {
	t.Helper()
	s := DefaultSettings()
	if edit != nil {
		edit(&s)
	}
	p, err := NewPolicy(s)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func ifrs(s *Settings) { s.Framework = FrameworkIFRS }

// citations are the research table's citation column (report-finance.md
// §6.2), copied independently of rules.go; R4's "as R1" is R1's.
var citations = map[string]string{
	"R1":  "ASC 350-40-15-4A/4C (ASU 2015-05); IFRIC Mar 2019",
	"R2":  "FOCUS EffectiveCost; AWS CUR amortization columns",
	"R3":  "ASC 340-10 prepaid expenses; FOCUS EffectiveCost = 0 on the purchase row; practitioner consensus",
	"R4":  "ASC 350-40-15-4A/4C (ASU 2015-05); IFRIC Mar 2019",
	"R5":  "FOCUS ChargeCategory",
	"R6":  "FOCUS",
	"R7":  "ASC 350-40-15-4C; IFRIC Mar 2019",
	"R8":  "ASC 340-10; IAS 38.70",
	"R9":  "ASU 2018-15 (ASC 350-40-25, -35, -45); ASU 2025-06; IFRIC Apr 2021; IAS 38.69–70",
	"R10": "ASC 350-40 (stages / ASU 2025-06); IAS 38.69",
	"R11": "ASC 350-40-25; ASU 2025-06; IAS 38.54/57",
	"R12": "PwC SW 3.1; ASC 350-40-15-4A; IAS 38",
	"R13": "PwC SW 3.1",
	"R14": "ASC 340-10 / IAS 38.70",
	"R15": "ASC 360-10; IAS 16",
	"R16": "company capitalization policy",
	"R17": "ASC 842 / IFRS 16",
	"R18": "—",
}

var (
	usage = Item{Source: SourceCloudBill, Provider: "aws", ChargeCategory: ChargeUsage, ChargeFrequency: FrequencyUsageBased,
		PricingCategory: PricingStandard, Amount: dec("12.34"), Currency: "USD"}
	riUpfront = Item{Source: SourceCloudBill, Provider: "aws", ChargeCategory: ChargePurchase, ChargeFrequency: FrequencyOneTime,
		CommitmentType: "Reserved Instance", PaymentOption: PaymentAllUpfront, TermMonths: 36, Amount: dec("9000"), Currency: "USD"}
	saasMonthly = Item{Source: SourceSaaSInvoice, Provider: "m365", Arrangement: ArrangementSaaS, CostNature: NatureFee,
		BilledInAdvanceMonths: 1, Amount: dec("22.00"), Currency: "USD"}
)

type want struct {
	class  Class
	rule   string
	months int
}

type ruleCase struct {
	name string
	it   Item
	edit func(*Settings) // applied to both frameworks
	gaap want
	ifrs want
}

func with(it Item, f func(*Item)) Item { f(&it); return it }

func tags(kv ...string) map[string]string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}

var ruleCases = []ruleCase{
	{name: "R1 on-demand usage", it: usage,
		gaap: want{OpEx, "R1", 0}, ifrs: want{OpEx, "R1", 0}},
	{name: "R1 spot usage", it: with(usage, func(i *Item) { i.PricingCategory = "dynamic" }),
		gaap: want{OpEx, "R1", 0}, ifrs: want{OpEx, "R1", 0}},
	{name: "R2 usage covered by a savings plan", it: with(usage, func(i *Item) { i.PricingCategory = PricingCommitted }),
		gaap: want{OpEx, "R2", 0}, ifrs: want{OpEx, "R2", 0}},
	{name: "R3 all-upfront RI purchase", it: riUpfront,
		gaap: want{PrepaidAmortised, "R3", 36}, ifrs: want{PrepaidAmortised, "R3", 36}},
	{name: "R3 partial-upfront CUD, term unknown uses the default", it: with(riUpfront, func(i *Item) {
		i.CommitmentType, i.PaymentOption, i.TermMonths, i.ChargeFrequency = "CUD", "partial_upfront", 0, "one_time"
	}),
		gaap: want{PrepaidAmortised, "R3", 12}, ifrs: want{PrepaidAmortised, "R3", 12}},
	{name: "R4 no-upfront savings plan recurring fee", it: with(riUpfront, func(i *Item) {
		i.CommitmentType, i.PaymentOption, i.ChargeFrequency = "Savings Plan", PaymentNoUpfront, FrequencyRecurring
	}),
		gaap: want{OpEx, "R4", 0}, ifrs: want{OpEx, "R4", 0}},
	{name: "R5 credit on usage", it: with(usage, func(i *Item) {
		u := usage
		i.ChargeCategory, i.Amount, i.Underlying = ChargeCredit, dec("-5"), &u
	}),
		gaap: want{OpEx, "R5", 0}, ifrs: want{OpEx, "R5", 0}},
	{name: "R5 refund of an RI purchase reduces the prepaid", it: with(riUpfront, func(i *Item) {
		u := riUpfront
		i.ChargeCategory, i.Amount, i.Underlying = ChargeAdjustment, dec("-900"), &u
	}),
		gaap: want{PrepaidAmortised, "R5", 36}, ifrs: want{PrepaidAmortised, "R5", 36}},
	{name: "R5 credit without its charge", it: with(usage, func(i *Item) { i.ChargeCategory = ChargeCredit }),
		gaap: want{Review, "R5", 0}, ifrs: want{Review, "R5", 0}},
	{name: "R6 non-recoverable sales tax on SaaS", it: with(saasMonthly, func(i *Item) {
		u := saasMonthly
		i.ChargeCategory, i.Underlying = ChargeTax, &u
	}),
		gaap: want{OpEx, "R6", 0}, ifrs: want{OpEx, "R6", 0}},
	{name: "R6 recoverable VAT", it: with(saasMonthly, func(i *Item) {
		u := saasMonthly
		i.ChargeCategory, i.Underlying = ChargeTax, &u
	}), edit: func(s *Settings) { s.TaxRecoverable = true },
		gaap: want{Review, "R6", 0}, ifrs: want{Review, "R6", 0}},
	{name: "R7 monthly SaaS subscription", it: saasMonthly,
		gaap: want{OpEx, "R7", 0}, ifrs: want{OpEx, "R7", 0}},
	{name: "R7 marketplace SaaS billed in arrears", it: with(saasMonthly, func(i *Item) {
		i.Source, i.BilledInAdvanceMonths, i.CostNature = SourceCloudBill, 0, ""
	}),
		gaap: want{OpEx, "R7", 0}, ifrs: want{OpEx, "R7", 0}},
	{name: "R8 annual SaaS billed upfront", it: with(saasMonthly, func(i *Item) { i.BilledInAdvanceMonths = 12 }),
		gaap: want{PrepaidAmortised, "R8", 12}, ifrs: want{PrepaidAmortised, "R8", 12}},
	{name: "R9 SaaS implementation in application development", it: Item{Source: SourceSaaSInvoice, Arrangement: ArrangementSaaS,
		CostNature: NatureImplementation, Implementer: ImplementerThirdParty, TermMonths: 36, Amount: dec("80000"), Currency: "USD",
		Tags: tags("phase", "application_development", "project", "erp")},
		gaap: want{PrepaidAmortised, "R9", 36}, ifrs: want{OpEx, "R9", 0}},
	{name: "R9 configuration by the SaaS supplier", it: Item{Source: SourceSaaSInvoice, Arrangement: ArrangementSaaS,
		CostNature: NatureImplementation, Implementer: ImplementerSupplier, TermMonths: 24, Amount: dec("8000"), Currency: "USD",
		Tags: tags("phase", "application_development")},
		gaap: want{PrepaidAmortised, "R9", 24}, ifrs: want{PrepaidAmortised, "R9", 24}},
	{name: "R9 tagged capitalisable: possible controlled code under IFRS", it: Item{Source: SourceSaaSInvoice, Arrangement: ArrangementSaaS,
		CostNature: NatureImplementation, TermMonths: 36, Amount: dec("8000"), Currency: "USD",
		Tags: tags("phase", "application_development", "capex_eligible", "true")},
		gaap: want{PrepaidAmortised, "R9", 36}, ifrs: want{Review, "R9", 0}},
	{name: "R9 phase unknown", it: Item{Source: SourceSaaSInvoice, Arrangement: ArrangementSaaS,
		CostNature: NatureImplementation, Amount: dec("8000"), Currency: "USD"},
		gaap: want{Review, "R9", 0}, ifrs: want{OpEx, "R9", 0}},
	{name: "R10 preliminary-stage implementation", it: Item{Source: SourceSaaSInvoice, Arrangement: ArrangementSaaS,
		CostNature: NatureImplementation, Amount: dec("8000"), Currency: "USD", Tags: tags("phase", "preliminary")},
		gaap: want{OpEx, "R10", 0}, ifrs: want{OpEx, "R9", 0}},
	{name: "R10 training", it: Item{Source: SourceSaaSInvoice, Arrangement: ArrangementSaaS,
		CostNature: NatureTraining, Amount: dec("3000"), Currency: "USD", Tags: tags("phase", "application_development")},
		gaap: want{OpEx, "R10", 0}, ifrs: want{OpEx, "R10", 0}},
	{name: "R10 data conversion labour", it: Item{Source: SourceLabor, CostNature: NatureDataConversion, Amount: dec("40000"), Currency: "USD"},
		gaap: want{OpEx, "R10", 0}, ifrs: want{OpEx, "R10", 0}},
	{name: "R10 post-implementation labour", it: Item{Source: SourceLabor, Amount: dec("40000"), Currency: "USD",
		Tags: tags("phase", "post_implementation")},
		gaap: want{OpEx, "R10", 0}, ifrs: want{OpEx, "R10", 0}},
	{name: "R10 labour tagged not capitalisable", it: Item{Source: SourceLabor, Amount: dec("40000"), Currency: "USD",
		Tags: tags("phase", "application_development", "capex_eligible", "no")},
		gaap: want{OpEx, "R10", 0}, ifrs: want{OpEx, "R10", 0}},
	{name: "R11 internal-use software labour", it: Item{Source: SourceLabor, CostNature: NatureDevelopment, Amount: dec("30000"), Currency: "USD",
		Tags: tags("phase", "application_development", "capex_eligible", "yes", "project", "billing-v2")},
		gaap: want{CapEx, "R11", 36}, ifrs: want{CapEx, "R11", 36}},
	{name: "R11 capex tag missing", it: Item{Source: SourceLabor, Amount: dec("30000"), Currency: "USD",
		Tags: tags("phase", "application_development")},
		gaap: want{Review, "R11", 0}, ifrs: want{Review, "R11", 0}},
	{name: "R12 perpetual licence", it: Item{Source: SourceLicenseInvoice, Arrangement: ArrangementOnPremPerpetual, LicenceType: LicencePerpetual,
		Amount: dec("5000"), Currency: "USD"},
		gaap: want{CapEx, "R12", 36}, ifrs: want{CapEx, "R12", 36}},
	{name: "R12 hosted with licence, own life", it: Item{Source: SourceLicenseInvoice, Arrangement: ArrangementHostedWithLicense,
		Amount: dec("5000"), Currency: "usd", UsefulLifeMonths: 48},
		gaap: want{CapEx, "R12", 48}, ifrs: want{CapEx, "R12", 48}},
	{name: "R13 three-year term licence", it: Item{Source: SourceLicenseInvoice, Arrangement: ArrangementOnPremTerm, LicenceType: LicenceTerm,
		TermMonths: 36, Amount: dec("10000"), Currency: "USD"},
		gaap: want{CapEx, "R13", 36}, ifrs: want{Review, "R13", 0}},
	{name: "R13 one-year term licence", it: Item{Source: SourceLicenseInvoice, Arrangement: ArrangementOnPremTerm,
		TermMonths: 12, Amount: dec("10000"), Currency: "USD"},
		gaap: want{Review, "R13", 0}, ifrs: want{Review, "R13", 0}},
	{name: "R13 low-value term licence", it: Item{Source: SourceLicenseInvoice, Arrangement: ArrangementOnPremTerm,
		TermMonths: 36, Amount: dec("900"), Currency: "USD"},
		gaap: want{Review, "R13", 0}, ifrs: want{Review, "R13", 0}},
	{name: "R14 monthly cloud support", it: Item{Source: SourceCloudBill, Arrangement: ArrangementSupport, ChargeCategory: ChargeUsage,
		Amount: dec("100"), Currency: "USD"},
		gaap: want{OpEx, "R14", 0}, ifrs: want{OpEx, "R14", 0}},
	{name: "R14 annual maintenance paid upfront", it: Item{Source: SourceLicenseInvoice, Arrangement: ArrangementSupport, CostNature: NatureMaintenance,
		BilledInAdvanceMonths: 12, Amount: dec("2400"), Currency: "USD"},
		gaap: want{PrepaidAmortised, "R14", 12}, ifrs: want{PrepaidAmortised, "R14", 12}},
	{name: "R15 server", it: Item{Source: SourceHardwareInvoice, AssetClass: AssetServer, Amount: dec("8000"), Currency: "USD"},
		gaap: want{CapEx, "R15", 60}, ifrs: want{CapEx, "R15", 60}},
	{name: "R15 asset class unknown", it: Item{Source: SourceHardwareInvoice, Amount: dec("8000"), Currency: "USD"},
		gaap: want{Review, "R15", 0}, ifrs: want{Review, "R15", 0}},
	{name: "R16 cheap laptop", it: Item{Source: SourceHardwareInvoice, Arrangement: ArrangementHardware, AssetClass: AssetLaptop,
		Amount: dec("1200"), Currency: "USD"},
		gaap: want{OpEx, "R16", 0}, ifrs: want{OpEx, "R16", 0}},
	{name: "R16 short-lived hardware above threshold", it: Item{Source: SourceHardwareInvoice, Amount: dec("3000"), Currency: "USD",
		UsefulLifeMonths: 12},
		gaap: want{OpEx, "R16", 0}, ifrs: want{OpEx, "R16", 0}},
	{name: "R17 dedicated host", it: with(usage, func(i *Item) { i.Arrangement = ArrangementLeaseCandidate }),
		gaap: want{Review, "R17", 0}, ifrs: want{Review, "R17", 0}},
	{name: "R17 colocation cage on a hardware invoice", it: Item{Source: SourceHardwareInvoice, Arrangement: ArrangementLeaseCandidate,
		AssetClass: AssetServer, Amount: dec("50000"), Currency: "USD"},
		gaap: want{Review, "R17", 0}, ifrs: want{Review, "R17", 0}},
	{name: "R18 unknown source", it: Item{Source: "expense_report", Amount: dec("50"), Currency: "USD"},
		gaap: want{Review, "R18", 0}, ifrs: want{Review, "R18", 0}},
	{name: "R18 one-time cloud purchase that is not a commitment", it: with(usage, func(i *Item) {
		i.ChargeCategory, i.ChargeFrequency, i.PricingCategory = ChargePurchase, FrequencyOneTime, ""
	}),
		gaap: want{Review, "R18", 0}, ifrs: want{Review, "R18", 0}},
}

func TestRulesBothFrameworks(t *testing.T) {
	t.Parallel()
	covered := map[string]map[string]bool{FrameworkUSGAAP: {}, FrameworkIFRS: {}}
	for _, tc := range ruleCases {
		for _, fw := range []string{FrameworkUSGAAP, FrameworkIFRS} {
			w := tc.gaap
			if fw == FrameworkIFRS {
				w = tc.ifrs
			}
			covered[fw][w.rule] = true
			t.Run(fw+"/"+tc.name, func(t *testing.T) {
				t.Parallel()
				p := policy(t, func(s *Settings) {
					s.Framework = fw
					if tc.edit != nil {
						tc.edit(s)
					}
				})
				d := p.Classify(tc.it)
				checkDecision(t, d, w)
				if d.Framework != fw {
					t.Errorf("framework %q, want %q", d.Framework, fw)
				}
			})
		}
	}
	for fw, ids := range covered {
		for i := 1; i <= 18; i++ {
			if id := "R" + itoa(i); !ids[id] {
				t.Errorf("%s: no case decided by %s", fw, id)
			}
		}
	}
}

func itoa(i int) string { return decimal.NewFromInt(int64(i)).String() }

func checkDecision(t *testing.T, d Decision, w want) {
	t.Helper()
	if d.Class != w.class || d.Rule != w.rule || d.Months != w.months {
		t.Fatalf("got %s by %s over %d months, want %s by %s over %d months\nrationale: %s",
			d.Class, d.Rule, d.Months, w.class, w.rule, w.months, d.Rationale)
	}
	if strings.TrimSpace(d.Rationale) == "" || d.Citation == "" {
		t.Fatalf("empty rationale or citation: %+v", d)
	}
	if want := citations[d.Rule]; !strings.Contains(d.Citation, want) {
		t.Errorf("citation %q does not contain %q", d.Citation, want)
	}
	if wantEBITDA := d.Class == OpEx || d.Class == PrepaidAmortised; d.EBITDA != wantEBITDA {
		t.Errorf("EBITDA = %v for %s", d.EBITDA, d.Class)
	}
}

func TestNeverCapExWithoutRule(t *testing.T) {
	t.Parallel()
	// The only rules that capitalise are R11, R12, R13 (US GAAP), R15.
	for _, tc := range ruleCases {
		for _, w := range []want{tc.gaap, tc.ifrs} {
			if w.class == CapEx && !strings.Contains(" R11 R12 R13 R15 ", " "+w.rule+" ") {
				t.Errorf("%s: CapEx from %s", tc.name, w.rule)
			}
		}
	}
}

func TestConflictsAreReview(t *testing.T) {
	t.Parallel()
	labor := Item{Source: SourceLabor, CostNature: NatureDevelopment, Amount: dec("30000"), Currency: "USD"}
	hw := Item{Source: SourceHardwareInvoice, AssetClass: AssetServer, Amount: dec("8000"), Currency: "USD"}
	cases := []struct {
		name    string
		it      Item
		edit    func(*Settings)
		mention string // must appear in the rationale
	}{
		{"capitalisable but preliminary", with(labor, func(i *Item) { i.Tags = tags("capitalizable", "true", "phase", "preliminary") }), nil, "phase=preliminary"},
		{"capitalisable but post-implementation", with(labor, func(i *Item) { i.Tags = tags("capex_eligible", "yes", "phase", "Post-Implementation") }), nil, "phase=post_implementation"},
		{"research under IFRS", with(labor, func(i *Item) { i.Tags = tags("capex_eligible", "yes", "phase", "research") }), ifrs, "phase=preliminary"},
		{"unparseable boolean", with(labor, func(i *Item) { i.Tags = tags("capex_eligible", "maybe", "phase", "application_development") }), nil, `"maybe"`},
		{"numeric boolean", with(usage, func(i *Item) { i.Tags = tags("capex_eligible", "1") }), nil, `"1"`},
		{"empty boolean", with(usage, func(i *Item) { i.Tags = tags("project_authorized", "") }), nil, `"project_authorized"=""`},
		{"y is not yes", with(usage, func(i *Item) { i.Tags = tags("probable_to_complete", "y") }), nil, `"y"`},
		{"keys disagree", with(labor, func(i *Item) {
			i.Tags = tags("capex_eligible", "true", "capitalizable", "false", "phase", "application_development")
		}), nil, "disagree"},
		{"phase keys disagree", with(labor, func(i *Item) { i.Tags = tags("phase", "preliminary", "Phase", "application_development") }), nil, "disagree"},
		{"unknown phase", with(labor, func(i *Item) { i.Tags = tags("phase", "build") }), nil, "not a known phase"},
		{"ASU: capitalisable but not authorised", with(labor, func(i *Item) {
			i.Tags = tags("capex_eligible", "true", "project_authorized", "false", "probable_to_complete", "true")
		}), func(s *Settings) {
			s.Model, s.ASUAdoption = ModelASU202506, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		}, "project_authorized=false"},
		{"perpetual licence type on a term arrangement", Item{Source: SourceLicenseInvoice, Arrangement: ArrangementOnPremTerm,
			LicenceType: "Perpetual", TermMonths: 36, Amount: dec("10000"), Currency: "USD"}, nil, "contradicts"},
		{"subscription licence type on a perpetual arrangement", Item{Source: SourceLicenseInvoice, Arrangement: ArrangementOnPremPerpetual,
			LicenceType: LicenceSubscription, Amount: dec("10000"), Currency: "USD"}, nil, "contradicts"},
		{"cloud usage tagged capitalisable", with(usage, func(i *Item) { i.Tags = tags("capex_eligible", "true") }), nil, "Rule R1"},
		{"RI purchase tagged capitalisable", with(riUpfront, func(i *Item) { i.Tags = tags("capitalizable", "yes") }), nil, "Rule R3"},
		{"server tagged not capitalisable", with(hw, func(i *Item) { i.Tags = tags("capex_eligible", "false") }), nil, "Rule R15"},
		{"SaaS implementation tagged capitalisable but not authorised under ASU", Item{Source: SourceSaaSInvoice, Arrangement: ArrangementSaaS,
			CostNature: NatureImplementation, Amount: dec("8000"), Currency: "USD",
			Tags: tags("capex_eligible", "true", "project_authorized", "no")}, func(s *Settings) {
			s.Model, s.ASUAdoption = ModelASU202506, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		}, "ASU 2025-06"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			d := policy(t, tc.edit).Classify(tc.it)
			if d.Class != Review || d.Rule != "R18" {
				t.Fatalf("got %s by %s (%s), want Review by R18", d.Class, d.Rule, d.Rationale)
			}
			if !strings.Contains(d.Rationale, tc.mention) {
				t.Errorf("rationale %q does not mention %q", d.Rationale, tc.mention)
			}
			if d.EBITDA {
				t.Error("Review counted in EBITDA")
			}
		})
	}
}

func TestTagsParsedStrictlyButTolerantOfCaseAndSpace(t *testing.T) {
	t.Parallel()
	p := policy(t, func(s *Settings) {
		s.TagKeys.CapexEligible = []string{"CapEx"}
		s.TagKeys.Phase = []string{"Stage"}
	})
	it := Item{Source: SourceLabor, Amount: dec("30000"), Currency: "USD",
		Tags: tags("capex", " TRUE ", "stage", "Application-Development")}
	checkDecision(t, p.Classify(it), want{CapEx, "R11", 36})
	// The default key is no longer read.
	it.Tags = tags("capex_eligible", "true", "stage", "application_development")
	checkDecision(t, p.Classify(it), want{Review, "R11", 0})
}

func TestThresholdBoundaries(t *testing.T) {
	t.Parallel()
	p := policy(t, nil)
	hw := func(amount string) Item {
		return Item{Source: SourceHardwareInvoice, AssetClass: AssetLaptop, Amount: dec(amount), Currency: "USD"}
	}
	lic := func(amount string) Item {
		return Item{Source: SourceLicenseInvoice, Arrangement: ArrangementOnPremPerpetual, Amount: dec(amount), Currency: "USD"}
	}
	dev := func(amount, project string) Item {
		it := Item{Source: SourceLabor, Amount: dec(amount), Currency: "USD",
			Tags: tags("capex_eligible", "true", "phase", "application_development")}
		if project != "" {
			it.ProjectCost = dec(project)
		}
		return it
	}
	cases := []struct {
		name string
		it   Item
		want want
	}{
		{"hardware below", hw("2499.99"), want{OpEx, "R16", 0}},
		{"hardware at", hw("2500.00"), want{CapEx, "R15", 36}},
		{"hardware above", hw("2500.01"), want{CapEx, "R15", 36}},
		{"licence below", lic("2499.99"), want{OpEx, "R12", 0}},
		{"licence at", lic("2500"), want{CapEx, "R12", 36}},
		{"licence above", lic("2500.01"), want{CapEx, "R12", 36}},
		{"software project below", dev("24999.99", ""), want{OpEx, "R11", 0}},
		{"software project at", dev("25000", ""), want{CapEx, "R11", 36}},
		{"software project above", dev("25000.01", ""), want{CapEx, "R11", 36}},
		{"small timesheet line of a large project", dev("800", "400000"), want{CapEx, "R11", 36}},
		{"large line of a project below threshold", dev("24000", "24999.99"), want{OpEx, "R11", 0}},
		{"threshold in another currency", with(hw("9000"), func(i *Item) { i.Currency = "EUR" }), want{Review, "R15", 0}},
		{"currency unknown", with(lic("9000"), func(i *Item) { i.Currency = "" }), want{Review, "R12", 0}},
		{"negative hardware amount", hw("-9000"), want{Review, "R15", 0}},
		{"below threshold tagged capitalisable is still de minimis", with(hw("900"), func(i *Item) { i.Tags = tags("capex_eligible", "true") }), want{OpEx, "R16", 0}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			checkDecision(t, p.Classify(tc.it), tc.want)
		})
	}
	// Thresholds are settings.
	q := policy(t, func(s *Settings) { s.HardwareThreshold = dec("1000") })
	checkDecision(t, q.Classify(hw("1000")), want{CapEx, "R15", 36})
}

func TestASU202506VersusStages(t *testing.T) {
	t.Parallel()
	adoption := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	asu := func(s *Settings) { s.Model, s.ASUAdoption = ModelASU202506, adoption }
	before := adoption.Add(-time.Nanosecond)
	authorised := tags("capex_eligible", "true", "project_authorized", "yes", "probable_to_complete", "true")
	staged := tags("capex_eligible", "true", "phase", "application_development")
	labor := func(date time.Time, tg map[string]string) Item {
		return Item{Source: SourceLabor, Amount: dec("30000"), Currency: "USD", ServiceDate: date, Tags: tg}
	}
	impl := func(date time.Time, tg map[string]string) Item {
		return Item{Source: SourceSaaSInvoice, Arrangement: ArrangementSaaS, CostNature: NatureImplementation,
			TermMonths: 36, Amount: dec("30000"), Currency: "USD", ServiceDate: date, Tags: tg}
	}
	cases := []struct {
		name string
		edit func(*Settings)
		it   Item
		want want
	}{
		{"ASU, on adoption date, authorised", asu, labor(adoption, authorised), want{CapEx, "R11", 36}},
		{"ASU, no date, authorised", asu, labor(time.Time{}, authorised), want{CapEx, "R11", 36}},
		{"ASU, after adoption, phase is no trigger", asu, labor(adoption.AddDate(0, 6, 0), staged), want{Review, "R11", 0}},
		{"ASU, before adoption, stage model applies", asu, labor(before, staged), want{CapEx, "R11", 36}},
		{"ASU, before adoption, authorised tags are no trigger", asu, labor(before, authorised), want{Review, "R11", 0}},
		{"stages, authorised tags are no trigger", nil, labor(adoption, authorised), want{Review, "R11", 0}},
		{"ASU, not probable to complete", asu, labor(adoption, tags("project_authorized", "yes", "probable_to_complete", "no")), want{OpEx, "R10", 0}},
		{"ASU, implementation authorised", asu, impl(adoption, tags("project_authorized", "true", "probable_to_complete", "true")), want{PrepaidAmortised, "R9", 36}},
		{"ASU, implementation not authorised", asu, impl(adoption, tags("project_authorized", "false")), want{OpEx, "R10", 0}},
		{"ASU, implementation before adoption in development", asu, impl(before, tags("phase", "application_development")), want{PrepaidAmortised, "R9", 36}},
		{"ASU, implementation with preliminary phase is not a stage test", asu, impl(adoption, tags("phase", "preliminary")), want{Review, "R9", 0}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			checkDecision(t, policy(t, tc.edit).Classify(tc.it), tc.want)
		})
	}
}

func TestImplementationAddBack(t *testing.T) {
	t.Parallel()
	it := Item{Source: SourceSaaSInvoice, Arrangement: ArrangementSaaS, CostNature: NatureImplementation,
		TermMonths: 36, Amount: dec("30000"), Currency: "USD", Tags: tags("phase", "application_development")}
	d := policy(t, nil).Classify(it)
	if d.Class != PrepaidAmortised || !d.EBITDA || !d.Savings().EBITDA {
		t.Fatalf("default: %+v", d)
	}
	p := policy(t, func(s *Settings) { s.AddBackImplementationAmortisation = true })
	if !p.Settings().AddBackImplementationAmortisation {
		t.Fatal("flag not readable from the policy")
	}
	d = p.Classify(it)
	if d.Class != PrepaidAmortised || d.EBITDA || d.Savings().EBITDA || !strings.Contains(d.Rationale, "adds") {
		t.Fatalf("add-back: %+v", d)
	}
	if strings.Contains(d.Rationale, "IFRS") {
		t.Errorf("US GAAP rationale explains IFRS: %s", d.Rationale)
	}
	// A credit on it follows, add-back included.
	cr := Item{ChargeCategory: ChargeCredit, Underlying: &it, Amount: dec("-100")}
	if d := p.Classify(cr); d.Rule != "R5" || d.Class != PrepaidAmortised || d.EBITDA {
		t.Fatalf("credit on add-back implementation: %+v", d)
	}
}

func TestUnderlyingChainIsBounded(t *testing.T) {
	t.Parallel()
	it := usage
	for range 10 {
		prev := it
		it = Item{ChargeCategory: ChargeCredit, Underlying: &prev}
	}
	d := policy(t, nil).Classify(it)
	if d.Class != Review || d.Rule != "R5" || !strings.Contains(d.Rationale, "too deep") {
		t.Fatalf("%+v", d)
	}
	// A tag conflict on the underlying charge makes the credit Review too.
	bad := with(usage, func(i *Item) { i.Tags = tags("capex_eligible", "sure") })
	d = policy(t, nil).Classify(Item{ChargeCategory: ChargeCredit, Underlying: &bad})
	if d.Class != Review || d.Rule != "R5" || !strings.Contains(d.Rationale, `"sure"`) {
		t.Fatalf("%+v", d)
	}
}

func TestDeterministicRationale(t *testing.T) {
	t.Parallel()
	it := with(usage, func(i *Item) {
		i.Tags = tags("capex_eligible", "x", "capitalizable", "y", "phase", "z", "project_authorized", "w", "Probable_To_Complete", "v")
	})
	p := policy(t, nil)
	first := p.Classify(it)
	for range 20 {
		if d := p.Classify(it); d != first {
			t.Fatalf("not deterministic:\n%+v\n%+v", first, d)
		}
	}
}

func TestLongTagValuesAreClipped(t *testing.T) {
	t.Parallel()
	it := with(usage, func(i *Item) { i.Tags = tags("capex_eligible", strings.Repeat("=HYPERLINK(", 1000)) })
	d := policy(t, nil).Classify(it)
	if d.Class != Review || len(d.Rationale) > 400 {
		t.Fatalf("%d bytes: %s", len(d.Rationale), d.Rationale)
	}
}

func TestRulesTable(t *testing.T) {
	t.Parallel()
	rs := policy(t, nil).Rules()
	if len(rs) != 18 {
		t.Fatalf("%d rules", len(rs))
	}
	for i, r := range rs {
		if r.ID != "R"+itoa(i+1) {
			t.Errorf("rule %d is %s", i+1, r.ID)
		}
		if r.When == "" || r.USGAAP == "" || r.IFRS == "" || r.Rationale == "" {
			t.Errorf("%s: empty field: %+v", r.ID, r)
		}
		if r.Citation != citations[r.ID] {
			t.Errorf("%s citation %q, want %q", r.ID, r.Citation, citations[r.ID])
		}
	}
	rs[0].ID = "changed"
	if policy(t, nil).Rules()[0].ID != "R1" {
		t.Error("Rules exposes the table")
	}
}

func TestSavingsEffect(t *testing.T) {
	t.Parallel()
	cases := []struct {
		d                          Decision
		effect                     Effect
		ebitda, avoidance, renewal bool
	}{
		{Decision{Class: OpEx, EBITDA: true}, EffectEBITDAUplift, true, false, false},
		{Decision{Class: PrepaidAmortised, EBITDA: true}, EffectRenewalAvoidance, true, true, true},
		{Decision{Class: PrepaidAmortised, EBITDA: false}, EffectRenewalAvoidance, false, true, true},
		{Decision{Class: CapEx}, EffectCashAvoidance, false, true, false},
		{Decision{Class: Review}, EffectNotCounted, false, false, false},
		{Decision{}, EffectNotCounted, false, false, false},
	}
	for _, tc := range cases {
		s := tc.d.Savings()
		if s.Effect != tc.effect || s.EBITDA != tc.ebitda || s.Avoidance != tc.avoidance || s.AtRenewal != tc.renewal || s.Explanation == "" {
			t.Errorf("%s: %+v", tc.d.Class, s)
		}
	}
}

func TestSummary(t *testing.T) {
	t.Parallel()
	d := policy(t, nil).Classify(riUpfront)
	s := d.Summary()
	if !strings.HasPrefix(s, "R3: ") || !strings.HasSuffix(s, "["+citations["R3"]+"]") || !strings.Contains(s, "36-month") {
		t.Fatal(s)
	}
}
