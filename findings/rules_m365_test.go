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
