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
			if got := includedIn(supersedes(), c.sku, held, nil); got != c.want {
				t.Fatalf("includedIn(%s, %v) = %q, want %q", c.sku, c.held, got, c.want)
			}
		}
	}
}

// TestIncludedInHonoursDisabledPlans: a plan turned off in the including
// licence's assignment can make the "redundant" licence the one that
// actually gives the user that service.
func TestIncludedInHonoursDisabledPlans(t *testing.T) {
	t.Parallel()
	const (
		powerBI = "70d33638-9c74-4d01-bfd3-562de28bd4ba" // BI_AZURE_P2, in E5 and in Power BI Pro
		teams   = "57ff2da0-773e-42df-b2af-ffb7a2317929" // TEAMS1, in E5, not in Power BI Pro
		exFound = "113feb6c-3fe4-4440-bddc-54d774bf0318" // EXCHANGE_S_FOUNDATION, ignored plumbing
	)
	cases := []struct {
		name     string
		sku      string
		held     []string
		disabled map[string]map[string]bool
		want     string
	}{
		{"Power BI off in E5: Power BI Pro is what gives it", "POWER_BI_PRO", []string{"SPE_E5", "POWER_BI_PRO"},
			map[string]map[string]bool{"SPE_E5": {powerBI: true}}, ""},
		{"Teams off in E5 does not touch Power BI", "POWER_BI_PRO", []string{"SPE_E5", "POWER_BI_PRO"},
			map[string]map[string]bool{"SPE_E5": {teams: true}}, "SPE_E5"},
		{"plumbing plans do not count", "POWER_BI_PRO", []string{"SPE_E5", "POWER_BI_PRO"},
			map[string]map[string]bool{"SPE_E5": {exFound: true}}, "SPE_E5"},
		{"a curated tier pair cannot match plans: any plan off in E5 keeps E3", "SPE_E3", []string{"SPE_E3", "SPE_E5"},
			map[string]map[string]bool{"SPE_E5": {teams: true}}, ""},
		{"a plan off in the redundant licence itself changes nothing", "POWER_BI_PRO", []string{"SPE_E5", "POWER_BI_PRO"},
			map[string]map[string]bool{"POWER_BI_PRO": {powerBI: true}}, "SPE_E5"},
		{"another including licence still covers it", "POWER_BI_PRO", []string{"SPE_E5", "ENTERPRISEPREMIUM", "POWER_BI_PRO"},
			map[string]map[string]bool{"SPE_E5": {powerBI: true}}, "ENTERPRISEPREMIUM"},
	}
	for _, c := range cases {
		held := map[string]bool{}
		for _, h := range c.held {
			held[h] = true
		}
		if got := includedIn(supersedes(), c.sku, held, c.disabled); got != c.want {
			t.Errorf("%s: includedIn(%s, %v, %v) = %q, want %q", c.name, c.sku, c.held, c.disabled, got, c.want)
		}
	}
}
