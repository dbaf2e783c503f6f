package findings

import "testing"

func TestIncludedInIsStableAndPrefersTheKeptLicence(t *testing.T) {
	t.Parallel()
	cases := []struct {
		sku  string
		held []string
		want string
	}{
		{"POWER_BI_PRO", []string{"SPE_E5", "POWER_BI_PRO"}, "SPE_E5"},
		// E3 is itself included in E5, so P1 is reported as included in E5, the licence kept.
		{"AAD_PREMIUM", []string{"SPE_E3", "SPE_E5", "AAD_PREMIUM"}, "SPE_E5"},
		{"AAD_PREMIUM", []string{"SPB", "SPE_E3", "AAD_PREMIUM"}, "SPB"},
		{"SPE_E3", []string{"SPE_E3", "SPE_E5"}, "SPE_E5"},
		{"O365_BUSINESS_ESSENTIALS", []string{"SPB", "O365_BUSINESS_PREMIUM", "O365_BUSINESS_ESSENTIALS"}, "SPB"},
		{"SPE_E5", []string{"SPE_E3", "SPE_E5"}, ""},
		{"POWER_BI_PRO", []string{"POWER_BI_PRO"}, ""},
		// E5 lacks P1's Cloud App Security Discovery plan, so this holds only
		// through the curated chain E5 ⊃ EMS E5 ⊃ EMS E3 ⊃ P1.
		{"AAD_PREMIUM", []string{"SPE_E5", "AAD_PREMIUM"}, "SPE_E5"},
		// EMS E5 is itself in E5: the user keeps E5.
		{"EMS", []string{"EMSPREMIUM", "SPE_E5", "EMS"}, "SPE_E5"},
		{"EMS", []string{"EMSPREMIUM", "EMS"}, "EMSPREMIUM"},
		// Curated tiers: plan names differ (FORMS_PLAN_E3 vs FORMS_PLAN_E5).
		{"ENTERPRISEPACK", []string{"ENTERPRISEPREMIUM", "ENTERPRISEPACK"}, "ENTERPRISEPREMIUM"},
		{"STANDARDPACK", []string{"SPE_E3", "STANDARDPACK"}, "SPE_E3"},
		// Derived from plan ids alone.
		{"EMS", []string{"SPE_F1", "EMS"}, "SPE_F1"},
		// Genuinely separate products (saas.md §1.e) and the reverse direction.
		{"VISIOCLIENT", []string{"SPE_E5", "VISIOCLIENT"}, ""},
		{"PROJECTPROFESSIONAL", []string{"SPE_E5", "PROJECTPROFESSIONAL"}, ""},
		{"ENTERPRISEPREMIUM", []string{"ENTERPRISEPACK", "ENTERPRISEPREMIUM"}, ""},
		{"UNKNOWN_SKU", []string{"SPE_E5", "UNKNOWN_SKU"}, ""},
	}
	for _, c := range cases {
		held := map[string]bool{}
		for _, h := range c.held {
			held[h] = true
		}
		for range 50 { // map order varies between iterations; the answer must not
			if got := includedIn(c.sku, held); got != c.want {
				t.Fatalf("includedIn(%s, %v) = %q, want %q", c.sku, c.held, got, c.want)
			}
		}
	}
}
