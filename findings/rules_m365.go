package findings

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/ghostaudit/ghostaudit/findings/m365plans"
	"github.com/ghostaudit/ghostaudit/scanners"
)

const kindM365SKU = "m365.license.sku"

// m365Index is what the licence rules share: SKUs by tenant and part
// number, and each user's seats.
type m365Index struct {
	skus  map[string]*scanners.Resource // tenant/part number → SKU
	byUsr map[string][]*scanners.Seat   // tenant/user id → seats
}

func newM365Index(inv *scanners.Inventory) *m365Index {
	x := &m365Index{skus: map[string]*scanners.Resource{}, byUsr: map[string][]*scanners.Seat{}}
	for i := range inv.Resources {
		if r := &inv.Resources[i]; r.Kind == kindM365SKU {
			x.skus[r.Account+"/"+orDefault(r.Attr("sku_part_number"), r.Name)] = r
		}
	}
	for i := range inv.Seats {
		s := &inv.Seats[i]
		if s.Provider == "m365" {
			x.byUsr[s.Tenant+"/"+s.UserID] = append(x.byUsr[s.Tenant+"/"+s.UserID], s)
		}
	}
	return x
}

// renewal is when a SKU's licences can be cut: its next renewal date.
func (x *m365Index) renewal(tenant, sku string) *time.Time {
	r := x.skus[tenant+"/"+sku]
	if r == nil {
		return nil
	}
	if t, ok := attrTime(r, "next_renewal"); ok {
		return &t
	}
	return nil
}

func seatFinding(s *scanners.Seat, title, action string) Finding {
	name := s.Principal
	return Finding{
		Provider: "m365", Account: s.Tenant, Region: "", ResourceKind: "m365.license.seat",
		ResourceID: s.SKU + ":" + s.UserID, ResourceName: name + " (" + orDefault(s.SKUName, s.SKU) + ")", ResourceKey: s.Key(),
		Title: title, Action: action,
	}
}

// seatBill prices n licences of a SKU per month.
func seatBill(rc *RuleContext, sku string, n int64) *bill {
	b := newBill(rc, "m365", "global")
	b.add("m365."+sku, dec(n), fmt.Sprintf("%s licence × %d", sku, n))
	return b
}

// removalAction says how to take a licence back: from the group when it
// comes through one.
func removalAction(s *scanners.Seat) string {
	if id, ok := strings.CutPrefix(s.AssignmentSource, "group:"); ok {
		group := id
		if n := s.Attributes["assignment_group_name"]; n != "" {
			group = fmt.Sprintf("%q (%s)", n, id)
		}
		return fmt.Sprintf("The licence comes from group %s: remove %s from that group (or exclude them from its licensing), then reduce the %s seat count at renewal", group, s.Principal, s.SKU)
	}
	return fmt.Sprintf("Remove the %s licence from %s, then reduce the seat count at renewal", s.SKU, s.Principal)
}

// seatReason decides, once per seat, which reclaim rule owns it, so a
// disabled user who also never signed in is counted once.
func seatReason(s *scanners.Seat, rc *RuleContext, params map[string]int) (rule string, ev []Evidence) {
	created := s.Created
	switch {
	case s.AccountEnabled != nil && !*s.AccountEnabled:
		return "m365.license.disabled_user", []Evidence{{"account_enabled", "false"}}
	case s.UserType == "Guest":
		return "m365.license.guest", []Evidence{{"user_type", "Guest"}}
	}
	signIn := s.Attributes["sign_in"] != "unavailable"
	last := s.LastActivity
	source := "sign-in activity"
	noUsage := false
	if !signIn {
		// The scanner records the report's dates as YYYY-MM-DD.
		if t, err := time.Parse("2006-01-02", s.Attributes["usage_last_activity"]); err == nil {
			last, source = &t, "usage report (sign-in activity unavailable)"
		} else if s.Attributes["usage_report"] != "matched" {
			return "", nil // no evidence either way: never guessed
		} else {
			noUsage = true // the user's row shows no activity in any service
		}
	}
	if created != nil && rc.Now.Sub(*created) < time.Duration(params["min_account_age_days"])*24*time.Hour {
		return "", nil
	}
	if noUsage {
		// Without sign-in activity the report's empty row is the only
		// evidence: reported only for an account older than the inactivity
		// threshold (a pre-2018 account has no createdDateTime: old).
		if created != nil && rc.Now.Sub(*created) < time.Duration(params["inactive_days"])*24*time.Hour {
			return "", nil
		}
		period := orDefault(s.Attributes["usage_report_period"], "its period")
		return "m365.license.inactive", []Evidence{{"last_activity", "none in the usage report"},
			{"source", "usage report, period " + period + ": no activity in any service (sign-in activity unavailable)"}}
	}
	// The scanner's last_activity_source when lastSuccessfulSignInDateTime
	// (recorded since 2023-12-01) is null although sign-ins were attempted
	// since: they all failed, and LastActivity is 2023-12-01 at most.
	var failedOnly []Evidence
	if signIn && s.Attributes["last_activity_source"] == "noSuccessfulSignInSince2023-12-01" {
		failedOnly = []Evidence{{"last_successful_sign_in", "none since 2023-12-01 (lastSuccessfulSignInDateTime is null; the later lastSignInDateTime/lastNonInteractiveSignInDateTime are failed attempts)"}}
		if a := s.Attributes["last_sign_in"]; a != "" {
			failedOnly = append(failedOnly, Evidence{"last_sign_in_attempt", a})
		}
		if a := s.Attributes["last_non_interactive_sign_in"]; a != "" {
			failedOnly = append(failedOnly, Evidence{"last_non_interactive_sign_in_attempt", a})
		}
	}
	if last == nil && signIn {
		// Graph leaves createdDateTime null for users created before June 2018.
		c := "unknown"
		if created != nil {
			c = created.Format("2006-01-02")
		}
		return "m365.license.never_signed_in", append([]Evidence{{"last_sign_in", "never"}, {"created", c}}, failedOnly...)
	}
	if last != nil && rc.Now.Sub(*last) >= time.Duration(params["inactive_days"])*24*time.Hour {
		if failedOnly != nil {
			source = "sign-in activity (no successful sign-in since 2023-12-01: at least this long)"
		}
		return "m365.license.inactive", append([]Evidence{{"last_activity", last.Format("2006-01-02")}, {"inactive_days", fmt.Sprint(int(rc.Now.Sub(*last).Hours() / 24))}, {"source", source}}, failedOnly...)
	}
	return "", nil
}

func seatRule(id, category, title, desc, conf string) Rule {
	return Rule{ID: id, Category: category, Title: title, Description: desc, Confidence: conf, Effort: Low, Risk: Low,
		Params: []Param{
			{Name: "inactive_days", Default: "90", Description: "days without sign-in (or, without Entra ID P1, without activity in the usage report) after which a licensed user is inactive"},
			{Name: "min_account_age_days", Default: "30", Description: "skip accounts created fewer than this many days ago"},
		},
		Eval: func(inv *scanners.Inventory, rc *RuleContext) []Finding {
			x := newM365Index(inv)
			params := map[string]int{"inactive_days": rc.IntParam("inactive_days"), "min_account_age_days": rc.IntParam("min_account_age_days")}
			var out []Finding
			for i := range inv.Seats {
				s := &inv.Seats[i]
				if s.Provider != "m365" {
					continue
				}
				rule, ev := seatReason(s, rc, params)
				if rule != id {
					continue
				}
				f := seatFinding(s, fmt.Sprintf("%s licence held by %s", orDefault(s.SKUName, s.SKU), s.Principal), removalAction(s))
				f.Evidence = append(ev, Evidence{"sku", s.SKU}, Evidence{"assignment", s.AssignmentSource})
				switch {
				case s.Attributes["sign_in"] == "unavailable":
					f.Confidence = Low // no Entra ID P1: the usage report is weaker evidence
				case s.Attributes["last_activity_source"] == "noSuccessfulSignInSince2023-12-01":
					// Recent attempts, none recorded as successful: an
					// inference from a null, so not High.
					f.Confidence = Medium
				}
				f.RealisableFrom = x.renewal(s.Tenant, s.SKU)
				price(&f, seatBill(rc, s.SKU, 1), func(c decimal.Decimal) decimal.Decimal { return c })
				out = append(out, f)
			}
			return out
		},
	}
}

var (
	ruleM365Disabled = seatRule("m365.license.disabled_user", CategoryGhostLicense, "Licence held by a disabled account",
		"A licence assigned to an account that is disabled (a leaver, usually): nobody can use it. Saving: the SKU's list price per month, realisable at the subscription's next renewal (seat counts can be reduced then). Each seat is counted under one reason only: disabled, then guest, then never signed in, then inactive.", High)
	ruleM365Guest = seatRule("m365.license.guest", CategoryGhostLicense, "Licence assigned to a guest",
		"A licence assigned to a guest (B2B) account: guests are usually covered by the inviting tenant's own licences or need none. Saving: the SKU's list price per month, from the next renewal.", Medium)
	ruleM365NeverSignedIn = seatRule("m365.license.never_signed_in", CategoryGhostLicense, "Licensed user who never signed in",
		"A licensed, enabled member account older than `min_account_age_days` with no sign-in ever recorded (signInActivity), or, for an account created since 2023-12-01, only failed sign-in attempts (lastSuccessfulSignInDateTime null, at medium confidence). Saving: the SKU's list price per month, from the next renewal.", High)
	ruleM365Inactive = seatRule("m365.license.inactive", CategoryGhostLicense, "Licensed user inactive for months",
		"A licensed, enabled member account whose last successful sign-in (lastSuccessfulSignInDateTime, falling back to the later of lastSignInDateTime and lastNonInteractiveSignInDateTime for attempts before 2023-12-01, when Graph started recording successful sign-ins; a null lastSuccessfulSignInDateTime with later attempts means they all failed, and the last success is taken as 2023-12-01, at medium confidence; a tenant where no user has a lastSuccessfulSignInDateTime is read from the attempt times) is at least `inactive_days` old; accounts created in the last `min_account_age_days` days are skipped. Without Entra ID P1 signInActivity is refused (a coverage gap): the Office 365 usage report's last activity is used instead, at low confidence, and never when the tenant conceals names in reports; a user whose report row shows no activity in any service is reported too, at low confidence, once the account is older than `inactive_days`. Saving: the SKU's list price per month, from the next renewal.", High)
)

// billableUnused is how many purchased seats of a user SKU are paid for
// and held by nobody: enabled − consumed for a SKU in Enabled or Warning
// status (a suspended, deleted or locked-out SKU is not billed: 0).
// Warning units belong to an expired subscription in its grace period
// (licenseUnitsDetail.warning): they are not renewed, so they are no
// future spend, and consumed seats are taken to sit on enabled units
// first (a lower bound, like trials).
// A SKU with a trial subscription: its trial seats cost nothing, and
// subscribedSkus cannot say which seats are held, so the unassigned seats
// are taken to be trial seats first (a lower bound); known is false when
// the trial's size is unknown. When directory/subscriptions could not be
// read (subscriptions=unavailable) no SKU is known to hold trial seats, so
// every unassigned enabled seat is counted: an upper bound, which the
// unassigned rule says and rates lower (trialsUnreadable). The unassigned
// rule and the Ghost Licences sheet both count this way.
// trialsUnreadable reports whether the SKU's subscriptions (and so its
// trial seats) could not be read.
func trialsUnreadable(r *scanners.Resource) bool { return r.Attr("subscriptions") == "unavailable" }

func billableUnused(r *scanners.Resource) (unused, trial int64, known bool) {
	if st := r.Attr("capability_status"); st != "Enabled" && st != "Warning" {
		return 0, 0, true
	}
	if r.Attr("is_trial") == "true" {
		n, ok := r.AttrInt("trial_units")
		if !ok {
			return 0, 0, false
		}
		trial = n
	}
	enabled, _ := r.AttrInt("enabled_units")
	consumed, _ := r.AttrInt("consumed_units")
	return max(0, enabled-consumed-trial), trial, true
}

// ruleM365Unassigned flags purchased seats nobody holds.
var ruleM365Unassigned = Rule{
	ID:          "m365.license.unassigned",
	Category:    CategoryGhostLicense,
	Title:       "Purchased licences not assigned to anyone",
	Description: "For each user SKU (appliesTo User, status Enabled or Warning): enabled − consumed units are paid for and held by nobody. Warning units (an expired subscription in its grace period, not renewed) are no future spend and are left out; held seats are taken to sit on enabled units first. Seats of Enabled trial subscriptions (directory/subscriptions totalLicenses) are not billed and are counted among the unassigned first, so a SKU mixing trial and paid subscriptions reports only paid seats that cannot be trial ones; with the trial seat count unknown the SKU is skipped; with directory/subscriptions unreadable (no trial is known, but any SKU may hold trial seats) every unassigned enabled seat is counted, as an upper bound at medium confidence. Saving: that many × the SKU's list price per month, realisable at the subscription's next renewal (/directory/subscriptions nextLifecycleDateTime), when the seat count can be lowered.",
	Confidence:  High, Effort: Low, Risk: Low,
	Eval: func(inv *scanners.Inventory, rc *RuleContext) []Finding {
		var out []Finding
		for i := range inv.Resources {
			r := &inv.Resources[i]
			if r.Kind != kindM365SKU || r.Attr("applies_to") != "User" {
				continue
			}
			unused, trial, known := billableUnused(r)
			if !known || unused <= 0 {
				continue
			}
			enabled, _ := r.AttrInt("enabled_units")
			warning, _ := r.AttrInt("warning_units")
			consumed, _ := r.AttrInt("consumed_units")
			sku := orDefault(r.Attr("sku_part_number"), r.Name)
			f := resourceFinding(r, fmt.Sprintf("%d unassigned %s licences", unused, orDefault(r.Attr("sku_name"), sku)),
				fmt.Sprintf("Lower the %s seat count by %d at the next renewal (Microsoft 365 admin center, Billing > Your products)", sku, unused))
			f.Evidence = []Evidence{{"enabled", fmt.Sprint(enabled)}, {"warning", fmt.Sprint(warning)}, {"consumed", fmt.Sprint(consumed)}, {"unassigned", fmt.Sprint(unused)}}
			if trial > 0 {
				f.Evidence = append(f.Evidence, Evidence{"trial_seats", fmt.Sprintf("%d (not billed; counted among the unassigned first)", trial)})
			}
			if trialsUnreadable(r) {
				f.Confidence = Medium
				f.Evidence = append(f.Evidence, Evidence{"trial_seats", "unknown: directory/subscriptions was not readable (Organization.Read.All), so any of these seats may be an unbilled trial seat; the saving is an upper bound"})
			}
			if warning > 0 {
				f.Evidence = append(f.Evidence, Evidence{"warning_seats_left_out", fmt.Sprintf("%d (expired subscription in its grace period: not renewed, no future spend)", warning)})
			}
			if t, ok := attrTime(r, "next_renewal"); ok {
				f.RealisableFrom = &t
				f.Evidence = append(f.Evidence, Evidence{"next_renewal", t.Format("2006-01-02")})
			}
			price(&f, seatBill(rc, sku, unused), func(c decimal.Decimal) decimal.Decimal { return c })
			out = append(out, f)
		}
		return out
	},
}

// tenantTables builds, once per tenant, the supersedes table from the
// embedded reference with the tenant's own SKU plan lists laid over it
// (m365plans.ForTenant; the scanner records them as service_plan_ids).
type tenantTables struct {
	skus   map[string][]m365plans.SKU
	tables map[string]*m365plans.Table
	errs   map[string]error // tenant → why its own plan lists were not used
}

func newTenantTables(x *m365Index) *tenantTables {
	tt := &tenantTables{skus: map[string][]m365plans.SKU{}, tables: map[string]*m365plans.Table{}, errs: map[string]error{}}
	for _, key := range slices.Sorted(maps.Keys(x.skus)) {
		r := x.skus[key]
		ids := r.Attr("service_plan_ids")
		part := orDefault(r.Attr("sku_part_number"), r.Name)
		if ids == "" || part == "" {
			continue
		}
		k := m365plans.SKU{PartNumber: part, ID: r.Attr("sku_id"), Plans: map[string]string{}}
		for _, id := range strings.Split(ids, ",") {
			k.Plans[strings.TrimSpace(id)] = ""
		}
		tt.skus[r.Account] = append(tt.skus[r.Account], k)
	}
	return tt
}

func (tt *tenantTables) of(tenant string) *m365plans.Table {
	if t, ok := tt.tables[tenant]; ok {
		return t
	}
	t, err := m365plans.ForTenant(tt.skus[tenant])
	if t == nil {
		// The embedded data is checked by its tests: a programming error.
		panic("findings: " + err.Error())
	}
	if err != nil {
		tt.errs[tenant] = err // the embedded reference alone was used
	}
	tt.tables[tenant] = t
	return t
}

// includedIn names the held SKU that includes sku, or "". disabled holds,
// per held SKU, the service plans turned off in the user's assignment: a
// SKU with one of sku's plans turned off does not include it (see
// m365plans.Table.Covers). When several do, it prefers one that is not
// itself included in another held SKU (the licence the user keeps), then
// the first by name, so the evidence is the same on every run.
func includedIn(t *m365plans.Table, sku string, held map[string]bool, disabled map[string]map[string]bool) string {
	var cands []string
	for _, sup := range t.IncludedBy(sku) { // sorted by name
		if ok, _ := t.Covers(sup, sku, disabled[sup]); held[sup] && ok {
			cands = append(cands, sup)
		}
	}
	for _, c := range cands {
		if !slices.ContainsFunc(t.IncludedBy(c), func(sup string) bool {
			ok, _ := t.Covers(sup, c, disabled[sup])
			return held[sup] && ok
		}) {
			return c
		}
	}
	if len(cands) > 0 {
		return cands[0]
	}
	return ""
}

// ruleM365Redundant flags a licence another of the user's licences includes.
var ruleM365Redundant = Rule{
	ID:          "m365.license.redundant",
	Category:    CategoryGhostLicense,
	Title:       "Licence already included in another of the user's licences",
	Description: "A user holds a SKU that another of their SKUs already includes (e.g. Microsoft 365 E5 includes Power BI Pro, Entra ID P1 and E3; E3 includes Office 365 E3). The supersedes table is built from Microsoft's service-plan CSV, with the tenant's own plan lists from subscribedSkus laid over it (so SKUs the CSV lacks, such as the \"(no Teams)\" suites, are related too): one SKU's service plans a strict subset of another's, plumbing plans such as Exchange Foundation aside, plus curated exceptions for suite tiers whose plans are named differently, closed transitively. Service plans turned off in the including licence's assignment are honoured: with one of the redundant SKU's plans disabled (or, for a curated suite-tier pair, any plan disabled) the pair does not apply. Seats already reclaimable for another reason (disabled, guest, never signed in, inactive) are not counted again. Saving: the redundant SKU's list price per month, from its next renewal.",
	Confidence:  High, Effort: Low, Risk: Low,
	Params: []Param{
		{Name: "inactive_days", Default: "90", Description: "as m365.license.inactive: seats it claims are not counted here"},
		{Name: "min_account_age_days", Default: "30", Description: "as m365.license.inactive"},
	},
	Eval: func(inv *scanners.Inventory, rc *RuleContext) []Finding {
		x := newM365Index(inv)
		tables := newTenantTables(x)
		params := map[string]int{"inactive_days": rc.IntParam("inactive_days"), "min_account_age_days": rc.IntParam("min_account_age_days")}
		users := make([]string, 0, len(x.byUsr))
		for u := range x.byUsr {
			users = append(users, u)
		}
		sort.Strings(users)
		var out []Finding
		for _, u := range users {
			seats := x.byUsr[u]
			held, disabled := map[string]bool{}, map[string]map[string]bool{}
			for _, s := range seats {
				held[s.SKU] = true
				if ids := s.Attributes["disabled_plan_ids"]; ids != "" {
					d := map[string]bool{}
					for _, id := range strings.Split(ids, ",") {
						d[strings.ToLower(strings.TrimSpace(id))] = true
					}
					disabled[s.SKU] = d
				}
			}
			for _, s := range seats {
				by := includedIn(tables.of(s.Tenant), s.SKU, held, disabled)
				if by == "" {
					continue
				}
				if r, _ := seatReason(s, rc, params); r != "" {
					continue
				}
				f := seatFinding(s, fmt.Sprintf("%s also holds %s, which includes %s", s.Principal, by, s.SKU), removalAction(s))
				f.Evidence = []Evidence{{"redundant", s.SKU}, {"included_in", by}, {"assignment", s.AssignmentSource}}
				if err := tables.errs[s.Tenant]; err != nil {
					f.Evidence = append(f.Evidence, Evidence{"plan_reference", "Microsoft's CSV only; the tenant's own plan lists were not used: " + err.Error()})
				}
				f.RealisableFrom = x.renewal(s.Tenant, s.SKU)
				price(&f, seatBill(rc, s.SKU, 1), func(c decimal.Decimal) decimal.Decimal { return c })
				out = append(out, f)
			}
		}
		return out
	},
}

// ruleM365DirectAndGroup flags a licence assigned both directly and
// through a group: removing the group membership alone would not free it.
var ruleM365DirectAndGroup = Rule{
	ID:          "m365.license.direct_and_group",
	Category:    CategoryHygiene,
	Title:       "Licence assigned both directly and through a group",
	Description: "The same SKU is assigned to a user directly and through group-based licensing. It costs one seat, so there is no saving, but clean-ups fail silently: removing the user from the group leaves the direct assignment. Remove the direct assignment.",
	Confidence:  High, Effort: Low, Risk: Low,
	Eval: func(inv *scanners.Inventory, rc *RuleContext) []Finding {
		var out []Finding
		for i := range inv.Seats {
			s := &inv.Seats[i]
			if s.Provider != "m365" || s.Attributes["assignment_direct"] != "true" || s.Attributes["assignment_groups"] == "" {
				continue
			}
			groups := orDefault(s.Attributes["assignment_group_names"], s.Attributes["assignment_groups"])
			f := seatFinding(s, fmt.Sprintf("%s holds %s directly and through group %s", s.Principal, s.SKU, groups),
				fmt.Sprintf("Remove the direct %s assignment from %s; group-based licensing keeps it", s.SKU, s.Principal))
			f.Evidence = []Evidence{{"direct", "true"}, {"groups", s.Attributes["assignment_groups"]}}
			f.MonthlySavings = Money(decimal.Zero)
			out = append(out, f)
		}
		return out
	},
}

// licenceSummaries lists each user SKU with its seat counts and the cost
// of the seats nobody holds, counted as the unassigned rule counts them
// (billableUnused); the waste is unknown (nil) for a trial of unknown size.
func licenceSummaries(inv *scanners.Inventory, rc *RuleContext) []LicenceSummary {
	var out []LicenceSummary
	for i := range inv.Resources {
		r := &inv.Resources[i]
		if r.Kind != kindM365SKU || r.Attr("applies_to") != "User" {
			continue
		}
		enabled, _ := r.AttrInt("enabled_units")
		consumed, _ := r.AttrInt("consumed_units")
		sku := orDefault(r.Attr("sku_part_number"), r.Name)
		unused, _, known := billableUnused(r)
		// Warning units are expired (in grace): not purchased going forward.
		l := LicenceSummary{Provider: r.Provider, Tenant: r.Account, SKU: sku, Name: orDefault(r.Attr("sku_name"), sku),
			Purchased: enabled, Assigned: consumed, Unused: unused}
		if !known { // a trial of unknown size: the unused paid seats are unknown
			l.Unused = max(0, enabled-consumed)
			l.Note = "a trial subscription of unknown size: the unused paid seats are unknown"
		} else if trialsUnreadable(r) {
			l.Note = "directory/subscriptions was not readable: trial seats (not billed), if any, are counted, so this is an upper bound"
		}
		if t, ok := attrTime(r, "next_renewal"); ok {
			l.Renewal = &t
		}
		if unit, ok, _ := seatBill(rc, sku, 1).result(); ok {
			l.UnitPrice = Money(unit)
			if known {
				l.Waste = Money(unit.Mul(dec(l.Unused)))
			}
		}
		out = append(out, l)
	}
	return out
}
