package m365plans

import (
	"bytes"
	_ "embed"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"sync"
)

// ignoredPlans are left out of the subset check. Exchange Foundation is a
// no-charge back-end plan Microsoft attaches to most SKUs, add-ons included
// (Power BI Pro lists it, Microsoft 365 E5 does not), so it grants nothing a
// user would pay for and, if counted, would hide real containment: without
// it ignored, Power BI Pro is not a subset of Microsoft 365 E5. The
// government cloud variant plays the same role. saas.md §1.e: "ignoring
// EXCHANGE_S_FOUNDATION". Keyed by Service_Plan_Id; the names are checked
// against the vendored rows by the tests.
var ignoredPlans = map[string]string{
	"113feb6c-3fe4-4440-bddc-54d774bf0318": "EXCHANGE_S_FOUNDATION",
	"922ba911-5694-4e99-a794-73aed9bfeec8": "EXCHANGE_S_FOUNDATION_GOV",
}

// Basis says why a pair is in the table.
const (
	BasisPlans      = "plans"      // Sub's service plan ids are a strict subset of Sup's
	BasisException  = "exception"  // curated: suite tiers whose plans are named differently
	BasisTransitive = "transitive" // Sup includes a licence that includes Sub
)

// Pair is one supersedes fact: licence Sup includes everything licence Sub
// gives, so a user holding both pays for Sub twice.
type Pair struct {
	Sup, Sub string // part numbers
	Basis    string
}

// Exception is a curated supersedes fact the plan ids cannot show: higher
// suite tiers carry differently named (higher-tier) variants of the lower
// tier's plans, e.g. FORMS_PLAN_E5 for FORMS_PLAN_E3, so "Sub ⊆ Sup" fails
// although Sup gives everything Sub does (saas.md §1.e, "subset checks alone
// are known to be wrong").
type Exception struct {
	Sup, Sub string
	Reason   string   // one line
	Differs  []string // Sub's plans (by name) Sup does not list; the tests check this against the rows
}

// exceptions are the suite chains of saas.md §1.e ("Keep an explicit, curated
// 'suite supersedes suite' list": SPE_E5 ⊃ SPE_E3, SPE_E5 ⊃ ENTERPRISEPREMIUM
// ⊃ ENTERPRISEPACK ⊃ STANDARDPACK, SPB ⊃ O365_BUSINESS_PREMIUM ⊃
// O365_BUSINESS_ESSENTIALS, SPE_E5 ⊃ EMSPREMIUM ⊃ EMS ⊃ AAD_PREMIUM, SPE_E5 ⊃
// POWER_BI_PRO) and its overlap table (AAD_PREMIUM_P2 in SPE_E5), less the
// links the plan ids already prove (SPE_E5 ⊃ ENTERPRISEPREMIUM, SPE_E5 ⊃
// EMSPREMIUM, EMS ⊃ AAD_PREMIUM, SPE_E5 ⊃ POWER_BI_PRO, SPE_E3 ⊃
// ENTERPRISEPACK, SPE_E3 ⊃ EMS): a test fails if an exception becomes
// provable from the rows, so the list stays what the data cannot say.
// Not here: the "(no Teams)" variants, whose rows are not vendored.
var exceptions = []Exception{
	{
		Sup: "SPE_E5", Sub: "SPE_E3",
		Reason: "Microsoft 365 E5 is E3 at a higher tier: each E3 plan it lacks has its E5 counterpart (_E3/_P2 → _E5/_P3, MDE_LITE → WINDEFATP, ADALLOM_S_DISCOVERY → ADALLOM_S_STANDALONE), bar the no-charge partner Lighthouse plan",
		Differs: []string{"ADALLOM_S_DISCOVERY", "BPOS_S_TODO_2", "CDS_O365_P2", "DYN365_CDS_O365_P2", "FLOW_O365_P2", "FORMS_PLAN_E3",
			"KAIZALA_O365_P3", "M365_LIGHTHOUSE_PARTNER_PLAN1", "MDE_LITE", "POWERAPPS_O365_P2", "POWER_VIRTUAL_AGENTS_O365_P2",
			"PROJECT_O365_P2", "STREAM_O365_E3", "WHITEBOARD_PLAN2"},
	},
	{
		Sup: "ENTERPRISEPREMIUM", Sub: "ENTERPRISEPACK",
		Reason: "Office 365 E5 is E3 at a higher tier (_E3/_P2 plans → _E5/_P3); the rest are no-charge plans the reference lists for E3 only (Teams avatars and immersive spaces, Nucleus, Lighthouse, the retired Bing Chat Enterprise)",
		Differs: []string{"BPOS_S_TODO_2", "Bing_Chat_Enterprise", "CDS_O365_P2", "DYN365_CDS_O365_P2", "FLOW_O365_P2", "FORMS_PLAN_E3",
			"KAIZALA_O365_P3", "M365_LIGHTHOUSE_CUSTOMER_PLAN1", "MESH_AVATARS_ADDITIONAL_FOR_TEAMS", "MESH_AVATARS_FOR_TEAMS",
			"MESH_IMMERSIVE_FOR_TEAMS", "Nucleus", "POWERAPPS_O365_P2", "POWER_VIRTUAL_AGENTS_O365_P2", "PROJECT_O365_P2",
			"STREAM_O365_E3", "WHITEBOARD_PLAN2"},
	},
	{
		Sup: "ENTERPRISEPACK", Sub: "STANDARDPACK",
		Reason: "Office 365 E3 is E1 at a higher tier: Exchange and SharePoint Plan 1 → Plan 2, mobile Office → Microsoft 365 Apps, RMS_S_BASIC → RMS_S_ENTERPRISE, _E1/_P1 plans → _E3/_P2",
		Differs: []string{"BPOS_S_TODO_1", "CDS_O365_P1", "DYN365_CDS_O365_P1", "EXCHANGE_S_STANDARD", "FLOW_O365_P1", "FORMS_PLAN_E1",
			"KAIZALA_O365_P2", "OFFICEMOBILE_SUBSCRIPTION", "POWERAPPS_O365_P1", "POWER_VIRTUAL_AGENTS_O365_P1", "PROJECT_O365_P1",
			"RMS_S_BASIC", "SHAREPOINTSTANDARD", "STREAM_O365_E1", "WHITEBOARD_PLAN1"},
	},
	{
		Sup: "SPB", Sub: "O365_BUSINESS_PREMIUM",
		Reason:  "Business Premium is Business Standard plus security: its _P2 plans are _P3 there, RMS_S_BASIC → RMS_S_ENTERPRISE, STREAM_O365_SMB → STREAM_O365_E1",
		Differs: []string{"CDS_O365_P2", "DYN365_CDS_O365_P2", "POWER_VIRTUAL_AGENTS_O365_P2", "PROJECT_O365_P2", "RMS_S_BASIC", "STREAM_O365_SMB"},
	},
	{
		Sup: "O365_BUSINESS_PREMIUM", Sub: "O365_BUSINESS_ESSENTIALS",
		Reason:  "Business Standard is Business Basic plus the Office apps: Basic's mobile Office (OFFICEMOBILE_SUBSCRIPTION) is covered by Microsoft 365 Apps for business (OFFICE_BUSINESS)",
		Differs: []string{"OFFICEMOBILE_SUBSCRIPTION"},
	},
	{
		Sup: "EMSPREMIUM", Sub: "EMS",
		Reason:  "EMS E5 carries the full Defender for Cloud Apps (ADALLOM_S_STANDALONE) where EMS E3 has only its Discovery plan",
		Differs: []string{"ADALLOM_S_DISCOVERY"},
	},
	{
		Sup: "SPE_E5", Sub: "AAD_PREMIUM_P2",
		Reason:  "Microsoft 365 E5 includes Entra ID P2; P2's only other plan, Cloud App Security Discovery, is covered by E5's full ADALLOM_S_STANDALONE",
		Differs: []string{"ADALLOM_S_DISCOVERY"},
	},
}

// Table is the supersedes relation the redundant-licence rule uses: the
// containment the plan ids prove, the curated exceptions, and their
// transitive closure.
//
// The closure is sound because every pair means "Sup gives at least what Sub
// gives", and that relation is transitive: if E5 gives all of E3 and E3
// gives all of Office 365 E3, E5 gives all of Office 365 E3. Build refuses a
// cycle (A ⊃ B ⊃ … ⊃ A), which would mean the data or an exception is wrong.
type Table struct {
	pairs  map[string]map[string]Pair // Sup → Sub → pair (closed transitively)
	by     map[string][]string        // Sub → the Sups including it, sorted
	direct map[string]map[string]Pair // Sup → Sub → the pairs before the closure
	cat    *Catalog
}

// Covers reports whether a user's sup licence, with the service plans
// disabled (plan ids, lower case) turned off in that assignment, still
// gives everything sub gives. An admin who turns off, say, Power BI in a
// user's E5 and buys them Power BI Pro is not paying twice.
//
// The disabled plans belong to sup's assignment only, so sup covers sub
// when one of sup's direct pairs sup ⊃ M is intact and M is sub or
// includes sub (M's own pairs then hold as they are). A direct pair the
// plan ids prove (BasisPlans) is intact unless one of M's plans is
// disabled in sup; a curated pair maps suite tiers whose plans are named
// differently, so a disabled plan cannot be matched to M's and any
// disabled plan other than the ignored plumbing ones breaks it.
//
// why says which plan made it false.
func (t *Table) Covers(sup, sub string, disabled map[string]bool) (ok bool, why string) {
	if !t.Includes(sup, sub) {
		return false, ""
	}
	off := map[string]bool{}
	for id := range disabled {
		if _, plumbing := ignoredPlans[id]; !plumbing {
			off[id] = true
		}
	}
	if len(off) == 0 {
		return true, ""
	}
	for _, m := range slices.Sorted(maps.Keys(t.direct[sup])) {
		if m != sub && !t.Includes(m, sub) {
			continue
		}
		intact, reason := t.directIntact(sup, m, off)
		if intact {
			return true, ""
		}
		if why == "" {
			why = reason
		}
	}
	if why == "" {
		why = fmt.Sprintf("%s has plans disabled and no intact path to %s", sup, sub)
	}
	return false, why
}

// directIntact reports whether the direct pair sup ⊃ m still holds with
// the plans in off (no plumbing) turned off in sup.
func (t *Table) directIntact(sup, m string, off map[string]bool) (bool, string) {
	p := t.direct[sup][m]
	s, b := t.cat.SKUs[sup], t.cat.SKUs[m]
	name := func(id string) string {
		if s != nil && s.Plans[id] != "" {
			return s.Plans[id]
		}
		return id
	}
	for _, id := range slices.Sorted(maps.Keys(off)) {
		if p.Basis != BasisPlans {
			return false, fmt.Sprintf("%s has plan %s disabled, and %s ⊃ %s is a suite-tier match the plan ids cannot check", sup, name(id), sup, m)
		}
		if b != nil && b.Plans[id] != "" {
			return false, fmt.Sprintf("%s has plan %s disabled, which %s provides", sup, name(id), m)
		}
	}
	return true, ""
}

// Includes reports whether licence sup includes everything licence sub gives.
func (t *Table) Includes(sup, sub string) bool {
	_, ok := t.pairs[sup][sub]
	return ok
}

// Pair returns the pair for sup ⊃ sub, if there is one.
func (t *Table) Pair(sup, sub string) (Pair, bool) {
	p, ok := t.pairs[sup][sub]
	return p, ok
}

// IncludedBy lists the licences that include sub, sorted. The caller must
// not modify the slice.
func (t *Table) IncludedBy(sub string) []string { return t.by[sub] }

// Pairs lists every pair, sorted by Sup then Sub.
func (t *Table) Pairs() []Pair {
	var out []Pair
	for _, sup := range slices.Sorted(maps.Keys(t.pairs)) {
		for _, sub := range slices.Sorted(maps.Keys(t.pairs[sup])) {
			out = append(out, t.pairs[sup][sub])
		}
	}
	return out
}

// effectivePlans is a SKU's plan ids less the ignored ones.
func effectivePlans(s *SKU, ignore map[string]string) map[string]bool {
	out := map[string]bool{}
	for id := range s.Plans {
		if _, skip := ignore[id]; !skip {
			out[id] = true
		}
	}
	return out
}

// derive lists the pairs the plan ids prove: B's plans (less ignore) are a
// subset of A's and A has strictly more, A ≠ B. A SKU left with no plans
// after ignore is skipped: an empty set is a subset of everything and would
// prove nothing.
func derive(cat *Catalog, ignore map[string]string) []Pair {
	parts := slices.Sorted(maps.Keys(cat.SKUs))
	eff := map[string]map[string]bool{}
	for _, p := range parts {
		eff[p] = effectivePlans(cat.SKUs[p], ignore)
	}
	var out []Pair
	for _, a := range parts {
		for _, b := range parts {
			A, B := eff[a], eff[b]
			if a == b || len(B) == 0 || len(A) <= len(B) {
				continue
			}
			subset := true
			for id := range B {
				if !A[id] {
					subset = false
					break
				}
			}
			if subset {
				out = append(out, Pair{Sup: a, Sub: b, Basis: BasisPlans})
			}
		}
	}
	return out
}

// Derive lists the pairs the catalog's plan ids prove, ignoring the
// plumbing plans (see ignoredPlans), sorted.
func Derive(cat *Catalog) []Pair { return derive(cat, ignoredPlans) }

// Build makes the table from the catalog's plan ids and the exceptions,
// closed transitively. An exception naming a SKU the catalog lacks is an
// error, as is a cycle.
func Build(cat *Catalog, ex []Exception) (*Table, error) {
	direct := map[string]map[string]Pair{}
	add := func(p Pair) {
		if direct[p.Sup] == nil {
			direct[p.Sup] = map[string]Pair{}
		}
		if _, ok := direct[p.Sup][p.Sub]; !ok {
			direct[p.Sup][p.Sub] = p
		}
	}
	for _, p := range Derive(cat) {
		add(p)
	}
	for _, e := range ex {
		for _, part := range []string{e.Sup, e.Sub} {
			if cat.SKUs[part] == nil {
				return nil, fmt.Errorf("m365plans: exception %s ⊃ %s: %s is not in the service-plan reference", e.Sup, e.Sub, part)
			}
		}
		if e.Sup == e.Sub {
			return nil, fmt.Errorf("m365plans: exception %s ⊃ %s: a licence cannot supersede itself", e.Sup, e.Sub)
		}
		add(Pair{Sup: e.Sup, Sub: e.Sub, Basis: BasisException})
	}

	t := &Table{pairs: map[string]map[string]Pair{}, by: map[string][]string{}, direct: direct, cat: cat}
	for _, sup := range slices.Sorted(maps.Keys(direct)) {
		// Everything reachable from sup through direct pairs.
		seen := map[string]bool{}
		stack := slices.Sorted(maps.Keys(direct[sup]))
		for len(stack) > 0 {
			n := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if seen[n] {
				continue
			}
			seen[n] = true
			stack = append(stack, slices.Sorted(maps.Keys(direct[n]))...)
		}
		if seen[sup] {
			return nil, fmt.Errorf("m365plans: %s supersedes itself through a cycle of pairs", sup)
		}
		t.pairs[sup] = map[string]Pair{}
		for sub := range seen {
			p, ok := direct[sup][sub]
			if !ok {
				p = Pair{Sup: sup, Sub: sub, Basis: BasisTransitive}
			}
			t.pairs[sup][sub] = p
			t.by[sub] = append(t.by[sub], sup)
		}
	}
	for sub := range t.by {
		sort.Strings(t.by[sub])
	}
	return t, nil
}

//go:embed service-plans.csv
var servicePlansCSV []byte

var (
	defaultOnce    sync.Once
	defaultCatalog *Catalog
	defaultTable   *Table
	defaultErr     error
)

func loadDefault() {
	defaultOnce.Do(func() {
		defaultCatalog, defaultErr = Parse("service-plans.csv", bytes.NewReader(servicePlansCSV))
		if defaultErr != nil {
			return
		}
		defaultTable, defaultErr = Build(defaultCatalog, exceptions)
	})
}

// Default returns the table built once from the embedded reference and the
// curated exceptions.
func Default() (*Table, error) {
	loadDefault()
	return defaultTable, defaultErr
}

// DefaultCatalog returns the embedded reference, parsed once.
func DefaultCatalog() (*Catalog, error) {
	loadDefault()
	return defaultCatalog, defaultErr
}

// Exceptions returns a copy of the curated exceptions.
func Exceptions() []Exception {
	out := make([]Exception, len(exceptions))
	for i, e := range exceptions {
		e.Differs = slices.Clone(e.Differs)
		out[i] = e
	}
	return out
}

// WithTenant returns a copy of the catalog in which the SKUs a tenant
// reported (subscribedSkus: part number and service plan ids) replace or
// add to the reference's. saas.md §1.e prefers the tenant's own plan lists:
// they are what the tenant actually bought (Microsoft's CSV lags new SKUs
// such as the "(no Teams)" suites, and plan lists change). A plan name the
// tenant did not give is taken from the reference when it knows the id.
func (c *Catalog) WithTenant(tenant []SKU) *Catalog {
	out := &Catalog{SKUs: make(map[string]*SKU, len(c.SKUs)+len(tenant)), Ambiguous: c.Ambiguous}
	maps.Copy(out.SKUs, c.SKUs)
	names := map[string]string{}
	for _, s := range c.SKUs {
		maps.Copy(names, s.Plans)
	}
	for _, t := range tenant {
		if t.PartNumber == "" || len(t.Plans) == 0 {
			continue
		}
		s := &SKU{PartNumber: t.PartNumber, ID: strings.ToLower(t.ID), Name: t.Name, Plans: map[string]string{}}
		if ref := c.SKUs[t.PartNumber]; ref != nil && s.Name == "" {
			s.Name = ref.Name
		}
		for id, name := range t.Plans {
			id = strings.ToLower(id)
			if name == "" {
				name = names[id]
			}
			s.Plans[id] = name
		}
		out.SKUs[t.PartNumber] = s
	}
	return out
}

// ForTenant builds the table for one tenant: the embedded reference with
// the tenant's SKUs laid over it (WithTenant), and the curated exceptions.
// If the tenant's data cannot be built into a table (a cycle), the
// embedded table is returned with the error, so the caller can say so and
// still use the reference.
func ForTenant(tenant []SKU) (*Table, error) {
	cat, err := DefaultCatalog()
	if err != nil {
		return nil, err
	}
	if len(tenant) == 0 {
		return Default()
	}
	t, err := Build(cat.WithTenant(tenant), exceptions)
	if err != nil {
		def, _ := Default()
		return def, err
	}
	return t, nil
}
