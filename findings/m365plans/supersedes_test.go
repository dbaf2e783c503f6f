package m365plans

import (
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/ghostaudit/ghostaudit/findings/pricing"
)

const biAzureP2 = "70d33638-9c74-4d01-bfd3-562de28bd4ba" // BI_AZURE_P2, "Power BI Pro"

func defaults(t *testing.T) (*Catalog, *Table) {
	t.Helper()
	cat, err := DefaultCatalog()
	if err != nil {
		t.Fatal(err)
	}
	tab, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	return cat, tab
}

func hasPair(ps []Pair, sup, sub string) bool {
	return slices.ContainsFunc(ps, func(p Pair) bool { return p.Sup == sup && p.Sub == sub })
}

// missing names Sub's plans (less the ignored ones) that Sup does not list.
func missing(cat *Catalog, sup, sub string) []string {
	var out []string
	for id, name := range cat.SKUs[sub].Plans {
		if _, skip := ignoredPlans[id]; skip {
			continue
		}
		if _, ok := cat.SKUs[sup].Plans[id]; !ok {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}

func TestVendoredRowsCoverThePricedSKUs(t *testing.T) {
	t.Parallel()
	cat, _ := defaults(t)
	want := []string{"SPE_E5", "SPE_E3", "SPE_F1", "ENTERPRISEPACK", "ENTERPRISEPREMIUM", "STANDARDPACK", "SPB",
		"O365_BUSINESS_PREMIUM", "O365_BUSINESS_ESSENTIALS", "EMS", "EMSPREMIUM", "AAD_PREMIUM", "AAD_PREMIUM_P2", "POWER_BI_PRO"}
	// Every SKU the price snapshot prices is vendored, or documented as
	// absent from Microsoft's copy in service-plans.csv's header.
	notInCopy := []string{"M365_F1_COMM", "Microsoft_365_Copilot"}
	f, err := os.Open("../pricing/snapshot/m365.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	prices, err := pricing.ParseCSV("m365.csv", f, pricing.SourceSnapshot)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range prices {
		if part, ok := strings.CutPrefix(p.Item, "m365."); ok && !slices.Contains(notInCopy, part) {
			want = append(want, part)
		}
	}
	header := string(servicePlansCSV[:strings.Index(string(servicePlansCSV), "\nMicrosoft Entra ID P1,")])
	for _, part := range notInCopy {
		if !strings.Contains(header, part) {
			t.Errorf("%s is neither vendored nor explained in the header comment", part)
		}
	}
	for _, part := range want {
		if cat.SKUs[part] == nil {
			t.Errorf("%s is priced or reasoned about but not in service-plans.csv", part)
		}
	}
	// Spot checks against ids known elsewhere (testdata/estates/demo.yaml).
	for part, id := range map[string]string{
		"SPE_E5": "06ebc4ee-1bb5-47dd-8120-11324bc54e06", "SPE_E3": "05e9a617-0261-4cee-bb44-138d3ef5d965",
		"POWER_BI_PRO": "f8a1db68-be16-40ed-86d5-cb42ce701560", "O365_BUSINESS_ESSENTIALS": "3b555118-da6a-4418-894f-7df1e2096870",
	} {
		if s := cat.SKUs[part]; s == nil || s.ID != id {
			t.Errorf("%s id = %v, want %s", part, s, id)
		}
	}
}

func TestVendoredPlanIDsAreConsistent(t *testing.T) {
	t.Parallel()
	cat, _ := defaults(t)
	// A plan name has one id across all SKUs, and the reverse: a mistyped id
	// in one row shows up as a second id for the name.
	idOf, nameOf := map[string]string{}, map[string]string{}
	for part, s := range cat.SKUs {
		for id, name := range s.Plans {
			if prev, ok := idOf[name]; ok && prev != id {
				t.Errorf("%s: plan %s has id %s here and %s elsewhere", part, name, id, prev)
			}
			if prev, ok := nameOf[id]; ok && prev != name {
				t.Errorf("%s: plan id %s is %s here and %s elsewhere", part, id, name, prev)
			}
			idOf[name], nameOf[id] = id, name
		}
	}
	// The ignore list's ids are the plans it names.
	for id, name := range ignoredPlans {
		if got, ok := nameOf[id]; ok && got != name {
			t.Errorf("ignored plan %s is %s in the rows, not %s", id, got, name)
		}
	}
	if _, ok := nameOf["113feb6c-3fe4-4440-bddc-54d774bf0318"]; !ok {
		t.Error("EXCHANGE_S_FOUNDATION does not appear in the rows: the ignore list is untested")
	}
}

func TestE5IncludesPowerBIProByPlanID(t *testing.T) {
	t.Parallel()
	cat, tab := defaults(t)
	if name := cat.SKUs["SPE_E5"].Plans[biAzureP2]; name != "BI_AZURE_P2" {
		t.Fatalf("SPE_E5 plan %s = %q, want BI_AZURE_P2", biAzureP2, name)
	}
	if got := effectivePlans(cat.SKUs["POWER_BI_PRO"], ignoredPlans); len(got) != 1 || !got[biAzureP2] {
		t.Fatalf("POWER_BI_PRO plans less plumbing = %v, want only BI_AZURE_P2", got)
	}
	if p, ok := tab.Pair("SPE_E5", "POWER_BI_PRO"); !ok || p.Basis != BasisPlans {
		t.Errorf("SPE_E5 ⊃ POWER_BI_PRO = %+v, %v; want it proven by plan ids", p, ok)
	}
	// The ignore list is load-bearing: Power BI Pro lists Exchange
	// Foundation, E5 does not.
	if hasPair(derive(cat, nil), "SPE_E5", "POWER_BI_PRO") {
		t.Error("SPE_E5 ⊃ POWER_BI_PRO derived without ignoring EXCHANGE_S_FOUNDATION: the ignore list is dead weight")
	}
	// saas.md §1.e: "POWER_BI_PRO | SPE_E3 | not | BI_AZURE_P2".
	if tab.Includes("SPE_E3", "POWER_BI_PRO") {
		t.Error("SPE_E3 must not include POWER_BI_PRO")
	}
	if got := missing(cat, "SPE_E3", "POWER_BI_PRO"); !slices.Equal(got, []string{"BI_AZURE_P2"}) {
		t.Errorf("SPE_E3 lacks %v of POWER_BI_PRO, want [BI_AZURE_P2]", got)
	}
}

func TestOffice365E3IsInE5OnlyThroughTheCuratedTiers(t *testing.T) {
	t.Parallel()
	cat, tab := defaults(t)
	if hasPair(Derive(cat), "SPE_E5", "ENTERPRISEPACK") {
		t.Fatal("SPE_E5 ⊃ ENTERPRISEPACK is provable from plan ids; saas.md says it is not")
	}
	p, ok := tab.Pair("SPE_E5", "ENTERPRISEPACK")
	if !ok || p.Basis == BasisPlans {
		t.Errorf("SPE_E5 ⊃ ENTERPRISEPACK = %+v, %v; want it through the curated tiers", p, ok)
	}
}

// TestSaasMdMeasurements re-runs the overlap checks of saas.md §1.e on the
// vendored rows: "plans" pairs must be provable from plan ids, "curated"
// ones must not be but must be in the table, "no" ones must be absent.
func TestSaasMdMeasurements(t *testing.T) {
	t.Parallel()
	cat, tab := defaults(t)
	derived := Derive(cat)
	cases := []struct{ sup, sub, want string }{
		{"SPE_E5", "POWER_BI_PRO", "plans"},
		{"ENTERPRISEPREMIUM", "POWER_BI_PRO", "plans"},
		{"SPE_E3", "EMS", "plans"},
		{"SPB", "EMS", "plans"},
		{"SPE_E5", "EMSPREMIUM", "plans"},
		{"SPE_E3", "AAD_PREMIUM", "plans"},
		{"SPB", "AAD_PREMIUM", "plans"},
		{"SPE_E3", "ENTERPRISEPACK", "plans"},
		{"SPE_E5", "ENTERPRISEPREMIUM", "plans"},
		{"EMS", "AAD_PREMIUM", "plans"},
		{"SPE_E5", "AAD_PREMIUM", "curated"},
		{"SPE_E5", "AAD_PREMIUM_P2", "curated"},
		{"SPE_E5", "EMS", "curated"},
		{"ENTERPRISEPREMIUM", "ENTERPRISEPACK", "curated"},
		{"SPE_E5", "SPE_E3", "curated"},
		{"SPB", "O365_BUSINESS_PREMIUM", "curated"},
		{"ENTERPRISEPACK", "STANDARDPACK", "curated"},
		{"EMSPREMIUM", "EMS", "curated"},
		{"SPB", "O365_BUSINESS_ESSENTIALS", "curated"},
		{"O365_BUSINESS_PREMIUM", "O365_BUSINESS_ESSENTIALS", "curated"},
		{"SPE_E3", "POWER_BI_PRO", "no"},
		{"SPE_E5", "VISIOCLIENT", "no"},
		{"SPE_E5", "PROJECTPROFESSIONAL", "no"},
		{"SPE_E3", "SPE_E5", "no"},
		{"ENTERPRISEPACK", "ENTERPRISEPREMIUM", "no"},
		{"AAD_PREMIUM", "AAD_PREMIUM_P2", "no"},
	}
	for _, c := range cases {
		proven, in := hasPair(derived, c.sup, c.sub), tab.Includes(c.sup, c.sub)
		switch {
		case c.want == "plans" && !proven:
			t.Errorf("%s ⊃ %s: want it proven by plan ids; %s lacks %v", c.sup, c.sub, c.sup, missing(cat, c.sup, c.sub))
		case c.want == "curated" && proven:
			t.Errorf("%s ⊃ %s: saas.md measured it not provable by plan ids, but it is", c.sup, c.sub)
		case c.want != "no" && !in:
			t.Errorf("%s ⊃ %s missing from the table", c.sup, c.sub)
		case c.want == "no" && in:
			t.Errorf("%s ⊃ %s must not be in the table", c.sup, c.sub)
		}
	}
}

func TestExceptionsAreCheckedAgainstTheRows(t *testing.T) {
	t.Parallel()
	cat, tab := defaults(t)
	derived := Derive(cat)
	for _, e := range Exceptions() {
		if cat.SKUs[e.Sup] == nil || cat.SKUs[e.Sub] == nil {
			t.Errorf("exception %s ⊃ %s names a SKU not in service-plans.csv", e.Sup, e.Sub)
			continue
		}
		if e.Reason == "" || strings.Contains(e.Reason, "\n") {
			t.Errorf("exception %s ⊃ %s: want a one-line reason", e.Sup, e.Sub)
		}
		if hasPair(derived, e.Sup, e.Sub) {
			t.Errorf("exception %s ⊃ %s is provable from plan ids: drop it", e.Sup, e.Sub)
		}
		got, want := missing(cat, e.Sup, e.Sub), slices.Sorted(slices.Values(e.Differs))
		if !slices.Equal(got, want) {
			t.Errorf("exception %s ⊃ %s: the rows show %s lacking %v, the exception documents %v", e.Sup, e.Sub, e.Sup, got, want)
		}
		if p, ok := tab.Pair(e.Sup, e.Sub); !ok || p.Basis != BasisException {
			t.Errorf("exception %s ⊃ %s not in the table as an exception: %+v", e.Sup, e.Sub, p)
		}
	}
}

func TestTableIsAStrictOrderAndDeterministic(t *testing.T) {
	t.Parallel()
	cat, tab := defaults(t)
	pairs := tab.Pairs()
	if len(pairs) == 0 {
		t.Fatal("empty table")
	}
	for _, p := range pairs {
		if p.Sup == p.Sub {
			t.Errorf("%s supersedes itself", p.Sup)
		}
		if tab.Includes(p.Sub, p.Sup) {
			t.Errorf("%s and %s supersede each other", p.Sup, p.Sub)
		}
		// Closed: whatever Sub includes, Sup includes too.
		for _, p2 := range pairs {
			if p2.Sup == p.Sub && !tab.Includes(p.Sup, p2.Sub) {
				t.Errorf("%s ⊃ %s ⊃ %s but not %s ⊃ %s", p.Sup, p.Sub, p2.Sub, p.Sup, p2.Sub)
			}
		}
		if !slices.Contains(tab.IncludedBy(p.Sub), p.Sup) {
			t.Errorf("IncludedBy(%s) lacks %s", p.Sub, p.Sup)
		}
	}
	again, err := Build(cat, exceptions)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(again.Pairs(), pairs) {
		t.Error("building twice gives different tables")
	}
	for sub, sups := range tab.by {
		if !slices.IsSorted(sups) {
			t.Errorf("IncludedBy(%s) = %v, not sorted", sub, sups)
		}
	}
}

func TestBuildRejectsBadExceptions(t *testing.T) {
	t.Parallel()
	cat, _ := defaults(t)
	cases := []struct {
		name string
		ex   Exception
		want string
	}{
		{"unknown SKU", Exception{Sup: "SPE_E7", Sub: "SPE_E5", Reason: "x"}, "SPE_E7 is not in the service-plan reference"},
		{"itself", Exception{Sup: "SPE_E5", Sub: "SPE_E5", Reason: "x"}, "cannot supersede itself"},
		{"cycle", Exception{Sup: "POWER_BI_PRO", Sub: "SPE_E5", Reason: "x"}, "cycle"},
	}
	for _, c := range cases {
		if _, err := Build(cat, append(Exceptions(), c.ex)); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: Build error = %v, want %q", c.name, err, c.want)
		}
	}
}

func TestDeriveSkipsSKUsWithOnlyPlumbing(t *testing.T) {
	t.Parallel()
	in := testHeader +
		"Some add-on,ADDON,11111111-1111-4111-8111-111111111111,EXCHANGE_S_FOUNDATION,113feb6c-3fe4-4440-bddc-54d774bf0318,Exchange Foundation\n" +
		"Power BI Pro,POWER_BI_PRO,f8a1db68-be16-40ed-86d5-cb42ce701560,BI_AZURE_P2,70d33638-9c74-4d01-bfd3-562de28bd4ba,Power BI Pro\n" +
		"Power BI Pro,POWER_BI_PRO,f8a1db68-be16-40ed-86d5-cb42ce701560,EXCHANGE_S_FOUNDATION,113feb6c-3fe4-4440-bddc-54d774bf0318,Exchange Foundation\n"
	cat, err := Parse("t.csv", strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if got := Derive(cat); len(got) != 0 {
		t.Errorf("Derive = %v, want nothing: ADDON has no plan left to compare", got)
	}
}

// TestForTenantUsesTheTenantsPlanLists: a SKU the reference lacks is
// related through the plan ids the tenant reported, and a tenant's plan
// list replaces the reference's for the same part number.
func TestForTenantUsesTheTenantsPlanLists(t *testing.T) {
	t.Parallel()
	const powerBI = "70d33638-9c74-4d01-bfd3-562de28bd4ba" // BI_AZURE_P2
	cat, err := DefaultCatalog()
	if err != nil {
		t.Fatal(err)
	}
	e5 := cat.SKUs["SPE_E5"]
	noTeams := SKU{PartNumber: "Microsoft_365_E5_(no_Teams)", ID: "18A4BD3F-0B5B-4887-B04F-61DD0EE15F5E", Plans: map[string]string{}}
	for id, name := range e5.Plans {
		if name != "TEAMS1" {
			noTeams.Plans[strings.ToUpper(id)] = "" // ids as Graph may case them; names left to the reference
		}
	}
	tab, err := ForTenant([]SKU{noTeams})
	if err != nil {
		t.Fatal(err)
	}
	if p, ok := tab.Pair("Microsoft_365_E5_(no_Teams)", "POWER_BI_PRO"); !ok || p.Basis != BasisPlans {
		t.Errorf("E5 (no Teams) ⊃ Power BI Pro: %+v %v, want a plan-id pair", p, ok)
	}
	if !tab.Includes("SPE_E5", "Microsoft_365_E5_(no_Teams)") {
		t.Error("E5 should include E5 (no Teams): its plans are E5's less Teams")
	}
	if tab.Includes("Microsoft_365_E5_(no_Teams)", "SPE_E5") {
		t.Error("E5 (no Teams) must not include E5")
	}
	if ok, why := tab.Covers("Microsoft_365_E5_(no_Teams)", "POWER_BI_PRO", map[string]bool{powerBI: true}); ok || !strings.Contains(why, "BI_AZURE_P2") {
		t.Errorf("Covers with Power BI off = %v %q, want false naming BI_AZURE_P2 (the name comes from the reference)", ok, why)
	}

	// The tenant's own E5 without Power BI: the derived pair goes away.
	mine := SKU{PartNumber: "SPE_E5", ID: e5.ID, Plans: map[string]string{}}
	for id := range e5.Plans {
		if id != powerBI {
			mine.Plans[id] = ""
		}
	}
	tab, err = ForTenant([]SKU{mine})
	if err != nil {
		t.Fatal(err)
	}
	if tab.Includes("SPE_E5", "POWER_BI_PRO") {
		t.Error("a tenant whose E5 lacks BI_AZURE_P2 must not have E5 ⊃ Power BI Pro")
	}
	if def, _ := Default(); !def.Includes("SPE_E5", "POWER_BI_PRO") {
		t.Error("ForTenant changed the default table")
	}
	// No tenant data: the default table.
	if tab, err := ForTenant(nil); err != nil || tab == nil || !tab.Includes("SPE_E5", "POWER_BI_PRO") {
		t.Errorf("ForTenant(nil) = %v, %v", tab, err)
	}
}
