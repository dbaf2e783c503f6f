package classify

import (
	"testing"
	"time"

	"github.com/shopspring/decimal"
)

// FuzzClassify feeds arbitrary tag strings and enumerated fields: every
// framework and model must return a known class with a rule, rationale and
// citation, and never panic.
func FuzzClassify(f *testing.F) {
	f.Add("labor", "", "", "development", "capex_eligible", "true", "phase", "application_development", "30000", 0, 0)
	f.Add("cloud_bill", "Usage", "", "", "capitalizable", "maybe", "phase", "build", "12.34", 0, 0)
	f.Add("saas_invoice", "Tax", "saas_subscription", "implementation", "project_authorized", "", "probable_to_complete", "yes", "-1", 36, 12)
	f.Add("hardware_invoice", "Purchase", "hardware", "", "CAPEX_ELIGIBLE", "No", "Phase", "research", "2500", 1, -3)
	f.Add("license_invoice", "Credit", "onprem_term", "fee", "phase", "\x00\xff", "phase", "preliminary", "1e9", 9999, 2)
	policies := map[string]*Policy{}
	for _, fw := range []string{FrameworkUSGAAP, FrameworkIFRS} {
		for _, model := range []string{ModelStages, ModelASU202506} {
			s := DefaultSettings()
			s.Framework, s.Model, s.ASUAdoption = fw, model, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
			p, err := NewPolicy(s)
			if err != nil {
				f.Fatal(err)
			}
			policies[fw+"/"+model] = p
		}
	}
	f.Fuzz(func(t *testing.T, source, charge, arrangement, nature, k1, v1, k2, v2, amount string, term, advance int) {
		amt, err := decimal.NewFromString(amount)
		if err != nil {
			amt = decimal.Zero
		}
		under := Item{Source: source, ChargeCategory: charge, Tags: map[string]string{k2: v1}}
		it := Item{
			Source: source, ChargeCategory: charge, ChargeFrequency: v2, PricingCategory: v1,
			CommitmentType: k1, PaymentOption: v2, TermMonths: term, BilledInAdvanceMonths: advance,
			Arrangement: arrangement, CostNature: nature, LicenceType: v1, Implementer: v2, AssetClass: v1,
			Amount: amt, ProjectCost: amt, Currency: v2, UsefulLifeMonths: term,
			ServiceDate: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, term),
			Tags:        map[string]string{k1: v1, k2: v2},
			Underlying:  &under,
		}
		for name, p := range policies {
			d := p.Classify(it)
			switch d.Class {
			case OpEx, CapEx, PrepaidAmortised, Review:
			default:
				t.Fatalf("%s: class %q", name, d.Class)
			}
			if d.Rule == "" || d.Rationale == "" || d.Citation == "" || d.Framework == "" {
				t.Fatalf("%s: incomplete decision %+v", name, d)
			}
			if d.Class == CapEx && d.Months <= 0 {
				t.Fatalf("%s: CapEx without a life: %+v", name, d)
			}
			if d.Class == PrepaidAmortised {
				if _, err := AmortisationSchedule(amt, it.ServiceDate, d.Months); err != nil {
					t.Fatalf("%s: prepaid over %d months: %v", name, d.Months, err)
				}
			}
		}
	})
}
