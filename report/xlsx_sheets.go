package report

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/shopspring/decimal"
	"github.com/xuri/excelize/v2"

	"github.com/ghostaudit/ghostaudit/findings"
)

// Drop-down values of the 30-Day Wins sheet (research §5.2 Status).
var (
	WinStatuses  = []string{"Identified", "Approved", "Implemented", "Verified", "Rejected"}
	WinApprovals = []string{"Y", "N"}
)

// ownerOf is the owner tag of a finding's resource, if any.
func ownerOf(f *findings.Finding) string {
	for _, k := range []string{"Owner", "owner", "OWNER", "Team", "team"} {
		if v, ok := f.Tags[k]; ok {
			return v
		}
	}
	return ""
}

func optMoney(d *decimal.Decimal, cur string) any {
	if d == nil {
		return "unpriced"
	}
	return amount{*d, cur, 2}
}

func optDec(d *decimal.Decimal, none string) any {
	if d == nil {
		return none
	}
	return decnum(*d)
}

// writeWins is the action plan: one row per 30-day win with drop-downs
// for status and CFO approval (research §5.3 item 2).
func writeWins(s *sheet, res *findings.Result) {
	s.widths(5, 44, 34, 18, 14, 14, 13, 10, 14, 12, 13, 11, 30)
	s.line(title("30-day wins: the action plan"))
	s.line(fmt.Sprintf("High confidence, low effort, realisable within %d days; ranked by monthly savings. Set Status and CFO approval from the drop-downs.", res.Settings.WinWindowDays))
	s.line()
	s.header("#", "Action", "System / resource", "Owner", "Annualised", "Risk-adjusted", "One-time cost", "Payback (months)", "Reversible?", "Due date", "Status", "CFO approval", "Notes")
	first := s.row + 1
	due := res.ScannedAt.AddDate(0, 0, res.Settings.WinWindowDays)
	n := 0
	for i := range res.Findings {
		f := &res.Findings[i]
		if !f.Win {
			continue
		}
		n++
		var risk any = "unpriced"
		if f.RiskAdjustedAnnual != nil {
			risk = amount{*f.RiskAdjustedAnnual, f.Currency, 2}
		}
		s.line(n, f.Action, f.Provider+" "+f.ResourceKind+" "+resourceLabel(f), ownerOf(f),
			optMoney(f.AnnualSavings, f.Currency), risk, amount{f.OneTimeCost, f.Currency, 2},
			optDec(f.PaybackMonths, "n/a"), "not assessed", date(due), WinStatuses[0], nil, nil)
	}
	if n == 0 {
		s.line("No 30-day wins in this run.")
		return
	}
	for _, dd := range []struct {
		col  string
		keys []string
	}{{"K", WinStatuses}, {"L", WinApprovals}} {
		if s.err != nil {
			return
		}
		dv := excelize.NewDataValidation(true)
		dv.Sqref = fmt.Sprintf("%s%d:%s%d", dd.col, first, dd.col, s.row)
		if s.err = dv.SetDropList(dd.keys); s.err == nil {
			s.err = s.f.AddDataValidation(s.name, dv)
		}
	}
}

// writeCategory lists the findings of one category; an empty category
// still gets its header and a line saying so.
func writeCategory(s *sheet, res *findings.Result, category string) {
	s.widths(6, 17, 10, 16, 12, 26, 26, 40, 50, 40, 14, 15, 15, 11, 12, 30)
	label := map[string]string{
		findings.CategoryGhostLicense:       "Ghost licences: paid seats nobody uses",
		findings.CategoryIdleInfrastructure: "Idle infrastructure: resources that run or are kept without use",
	}[category]
	s.line(title(label))
	if category == findings.CategoryGhostLicense && len(res.Licences) > 0 {
		s.line(heading("Licences by SKU"))
		s.header("Provider", "Tenant", "SKU", "Product", "Purchased", "Assigned", "Unused", "Unit price / month", "Monthly waste", "Renewal", "Note")
		for _, l := range res.Licences {
			var renewal any = ""
			if l.Renewal != nil {
				renewal = date(*l.Renewal)
			}
			unit, waste := any("unpriced"), any("unpriced")
			if l.UnitPrice != nil {
				unit, waste = amount{*l.UnitPrice, res.Totals.Currency, 2}, "unknown"
				if l.Waste != nil { // nil: a trial of unknown size
					waste = amount{*l.Waste, res.Totals.Currency, 2}
				}
			}
			s.line(l.Provider, l.Tenant, l.SKU, l.Name, int(l.Purchased), int(l.Assigned), int(l.Unused), unit, waste, renewal, l.Note)
		}
		s.line()
		s.line(heading("Per-user and per-SKU findings"))
	}
	s.line("Findings of category " + category + ", in rank order. Suppressed findings are listed on the Suppressed sheet and are not in any total.")
	s.line()
	s.header("Rank", "ID", "Provider", "Account", "Region", "Resource ID", "Resource name", "Title", "Evidence", "Action",
		"Monthly cost", "Monthly savings", "Annual savings", "Confidence", "Realisable from", "Suppressed")
	n := 0
	for i := range res.Findings {
		f := &res.Findings[i]
		if f.Category != category {
			continue
		}
		n++
		var from any = "now"
		if f.RealisableFrom != nil {
			from = date(*f.RealisableFrom)
		}
		s.line(f.Rank, f.ID, f.Provider, f.Account, f.Region, f.ResourceID, f.ResourceName, f.Title, joinEvidence(f.Evidence), f.Action,
			optMoney(f.MonthlyCost, f.Currency), optMoney(f.MonthlySavings, f.Currency), optMoney(f.AnnualSavings, f.Currency),
			f.Confidence, from, yesNo(f.Suppressed()))
	}
	if n == 0 {
		s.line("None in this run.")
	}
}

// Classes are the accounting classes, in display order.
var Classes = []string{"OpEx", "Prepaid-amortised", "CapEx", "Review"}

// Categories are the finding categories, in display order.
var Categories = []string{findings.CategoryGhostLicense, findings.CategoryIdleInfrastructure, findings.CategoryRightsizing, findings.CategoryHygiene}

// writeClass is the CapEx vs OpEx sheet: every cost line and finding with
// its class and the rule, rationale and citation that decided it, a
// class × category summary, and the prepaid amortisation schedule.
func writeClass(s *sheet, res *findings.Result) {
	cur := res.Totals.Currency
	s.widths(20, 16, 14, 22, 26, 14, 18, 8, 60, 30, 50)
	s.line(title("CapEx vs OpEx: how each cost is classified"))
	s.line("Per cost line and per finding: the class, the policy rule that decided it, its rationale and citation. " + Disclaimer)
	s.line()
	s.line(heading("Summary: counted annual savings by class and category"))
	hdr := append(append([]string{"Class"}, Categories...), "Total")
	s.header(hdr...)
	sum := map[string]map[string]decimal.Decimal{}
	classes := append([]string{}, Classes...)
	for i := range res.Findings {
		f := &res.Findings[i]
		if !f.Counted() || f.AnnualSavings == nil {
			continue
		}
		if sum[f.Class] == nil {
			sum[f.Class] = map[string]decimal.Decimal{}
			if !contains(classes, f.Class) {
				classes = append(classes, f.Class)
			}
		}
		sum[f.Class][f.Category] = sum[f.Class][f.Category].Add(*f.AnnualSavings)
	}
	for _, c := range classes {
		row := []any{c}
		total := decimal.Zero
		for _, cat := range Categories {
			row = append(row, amount{sum[c][cat], cur, 2})
			total = total.Add(sum[c][cat])
		}
		s.line(append(row, amount{total, cur, 2})...)
	}
	s.line()
	s.line(heading("Spend in scope by cost line (the Executive Summary's spend sums the Monthly cost column)"))
	s.header("Provider", "Account", "Region", "Kind", "Resource ID", "Monthly cost", "Class", "Rule", "Rationale", "Citation", "Cost note")
	first := s.row + 1
	for _, l := range res.CostLines {
		var m any = "unpriced"
		if l.MonthlyCost != nil {
			m = amount{*l.MonthlyCost, cur, 2}
		}
		s.line(l.Provider, l.Account, l.Region, l.Kind, l.ResourceID, m, l.Class, l.ClassRule, l.ClassRationale, l.ClassCitation, l.Note)
	}
	if len(res.CostLines) == 0 {
		s.line("No cost lines in this run.")
	} else {
		s.names.add(NameCostLineMonthly, s.name, fmt.Sprintf("$F$%d:$F$%d", first, s.row))
	}
	s.line()
	s.line(heading("Findings by class"))
	s.header("Rank", "ID", "Title", "Class", "Rule", "Annual savings", "EBITDA", "Treatment", "Rationale", "Citation")
	for i := range res.Findings {
		f := &res.Findings[i]
		s.line(f.Rank, f.ID, f.Title, f.Class, f.ClassRule, optMoney(f.AnnualSavings, f.Currency), yesNo(f.EBITDA), f.Treatment, f.ClassRationale, f.ClassCitation)
	}
	if len(res.Findings) == 0 {
		s.line("No findings.")
	}
	s.line()
	s.line(heading("Prepaid amortisation schedule (RIs, Savings Plans, CUDs, annual SaaS paid in advance)"))
	s.line("Section reserved: filled when the result carries prepaid items. This run has none: the upfront balance of a prepaid term is sunk, and its savings start at renewal.")
	s.header("Item", "Term start", "Term end", "Upfront", "Monthly amortisation", "Remaining balance")
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// writeSuppressed lists findings accepted on purpose, and findings whose
// suppression expired (they are back in the totals).
func writeSuppressed(s *sheet, res *findings.Result) {
	s.widths(6, 17, 40, 30, 15, 40, 16, 12, 20)
	s.line(title("Suppressed findings: accepted on purpose, left out of every total"))
	s.line()
	s.header("Rank", "ID", "Title", "Resource", "Monthly savings", "Reason", "Owner", "Expires", "Source")
	n := 0
	for i := range res.Findings {
		f := &res.Findings[i]
		if sp := f.Suppression; sp != nil {
			n++
			exp := "never"
			if sp.Expires != "" {
				exp = sp.Expires
			}
			s.line(f.Rank, f.ID, f.Title, resourceLabel(f), optMoney(f.MonthlySavings, f.Currency), sp.Reason, sp.Owner, exp, sp.Source)
		}
	}
	if n == 0 {
		s.line("No suppressed findings in this run.")
	}
	s.line()
	s.line(heading("Suppressions that expired (these findings count again)"))
	s.header("Rank", "ID", "Title", "Resource", "Monthly savings", "Note")
	n = 0
	for i := range res.Findings {
		f := &res.Findings[i]
		if f.SuppressionNote != "" {
			n++
			s.line(f.Rank, f.ID, f.Title, resourceLabel(f), optMoney(f.MonthlySavings, f.Currency), f.SuppressionNote)
		}
	}
	if n == 0 {
		s.line("None in this run.")
	}
}

// writeAssumptions lists the inputs; the finance ones are named cells the
// live formulas use, so a CFO who edits a haircut sees the totals move.
func writeAssumptions(s *sheet, res *findings.Result) {
	s.widths(34, 16, 30, 14, 14, 10, 12, 12, 50)
	s.line(title("Assumptions"))
	s.line(PricingStatement + ". Yellow cells are inputs: edit them and the Executive Summary recalculates.")
	s.line(heading("Scan time"), scanTime(res.ScannedAt))
	s.line(heading("Tool version"), res.ToolVersion)
	s.line(heading("Currency"), res.Totals.Currency)
	s.line()
	st := res.Settings
	s.line(heading("Finance assumptions"))
	s.header("Setting", "Value", "Defined name", "Meaning")
	named := func(label string, v input, name, meaning string) {
		s.line(label, v, name, meaning)
		s.names.add(name, s.name, fmt.Sprintf("$B$%d", s.row))
	}
	pct := func(p int) input { return input{decimal.NewFromInt(int64(p)).Div(decimal.NewFromInt(100)), true} }
	num := func(v string) input { return input{d: decOr(v, decimal.Zero)} }
	named("Haircut, high confidence", pct(st.Haircuts.High), NameHaircutHigh, "share of savings kept in risk-adjusted figures")
	named("Haircut, medium confidence", pct(st.Haircuts.Medium), NameHaircutMedium, "")
	named("Haircut, low confidence", pct(st.Haircuts.Low), NameHaircutLow, "also used for an unknown confidence")
	named("EV/EBITDA multiple", num(st.EVMultiple), NameEVMultiple, "illustrative enterprise-value impact")
	named("Engineering hourly rate ("+st.Currency+")", num(st.HourlyRate), NameEngineeringRate, "one-time cost = effort hours × rate")
	named("Effort hours, low", num(st.EffortHours.Low), NameEffortLow, "")
	named("Effort hours, medium", num(st.EffortHours.Medium), NameEffortMedium, "")
	named("Effort hours, high", num(st.EffortHours.High), NameEffortHigh, "")
	named("Fiscal year starts (month 1-12)", input{d: decimal.NewFromInt(int64(st.FiscalYearStartMonth))}, NameFiscalYearStart, "in-year impact runs to the end of the fiscal year")
	named("30-day win window (days)", input{d: decimal.NewFromInt(int64(st.WinWindowDays))}, NameWinWindow, "")
	s.line("Reporting currency", st.Currency, "", "prices in other currencies are converted with the FX rates below")
	for _, c := range sortedFX(st.FX) {
		if isoCurrency.MatchString(c) { // a defined name is built from it
			named("FX "+c+" → "+st.Currency, num(st.FX[c]), NameFXPrefix+c, "units of "+st.Currency+" per "+c)
		}
	}
	s.line()
	s.line(heading("Prices used"))
	s.header("Provider", "Region", "Item", "Unit", "Amount", "Currency", "Source", "As of", "Ref")
	for _, p := range res.Prices {
		s.line(p.Provider, p.Region, p.Item, p.Unit, unitPrice(p.Amount), p.Currency, p.Source, p.AsOf, p.Ref)
	}
	if len(res.Prices) == 0 {
		s.line("No prices used.")
	}
	s.line()
	s.line(heading("Missing prices (findings that needed them are unpriced)"))
	for _, m := range res.Missing {
		s.line(m)
	}
	if len(res.Missing) == 0 {
		s.line("None.")
	}
	s.line()
	s.line(heading("Thresholds in force"))
	s.header("Rule", "Name", "Value", "Description")
	for _, th := range res.Thresholds {
		s.line(th.Rule, th.Name, th.Value, th.Description)
	}
	if len(res.Thresholds) == 0 {
		s.line("No thresholds recorded.")
	}
}

// methodology is how each figure is computed; it mirrors findings/engine.go
// and the formulas of formulas.go.
var methodology = [][2]string{
	{"Monthly savings", "Per finding, from the rule: what the resource or seats cost now minus what they cost after the action, at the prices below; 730 hours per month."},
	{"Annualised savings", "Monthly savings × 12: an annualised run-rate, not this year's money."},
	{"In totals", "A finding counts when it is priced and not suppressed (Findings column In totals = 1). Every total is SUMPRODUCT over that column."},
	{"Identified savings", "SUMPRODUCT(Findings[Annual savings], Findings[In totals])."},
	{"Risk-adjusted savings", "Σ annualised savings × haircut by confidence (HaircutHigh, HaircutMedium, HaircutLow on the Assumptions sheet; an unknown confidence takes the low haircut)."},
	{"In-year impact", "Per finding: monthly savings × months from the effective date (now, or the realisable-from date such as a renewal) to the fiscal year end, months = days ÷ 30.4375, rounded to cents; the total sums the counted findings."},
	{"One-time cost", "Per finding: the rule's cost, or effort hours (EffortHoursLow/Medium/High) × EngineeringRate; the total sums the counted findings."},
	{"Payback (months)", "Total one-time cost ÷ total monthly savings, rounded to 2 places."},
	{"EBITDA impact", "Annualised savings of counted, recurring findings whose class is OpEx (the EBITDA column says yes); the risk-adjusted figure applies the haircuts."},
	{"Enterprise-value impact", "Risk-adjusted EBITDA impact × EVMultiple. Illustrative: one-time items get no multiple."},
	{"Spend in scope", "Sum of the monthly cost of every scanned resource we can price (CapEx vs OpEx sheet, named range CostLineMonthly); annualised × 12."},
	{"Run-rate vs cumulative", "For each of the 12 months from the scan month: run-rate = monthly savings of counted findings effective before the month ends; cumulative = running sum of the run-rates (assumes each action is done on its effective date)."},
	{"30-day win", "High confidence, low effort, priced with a positive saving, not suppressed, realisable within WinWindowDays."},
	{"Classification", "Each cost line and finding is classified OpEx, Prepaid-amortised, CapEx or Review by the configured policy; the rule, rationale and citation are on the CapEx vs OpEx sheet. Cloud commitments are never CapEx; unmatched items go to Review."},
}

// writeMethodology explains every figure, where prices come from, and the
// disclaimer.
func writeMethodology(s *sheet, res *findings.Result) {
	s.widths(28, 110)
	s.line(title("Methodology & Sources"))
	s.line(Disclaimer)
	s.line()
	s.line(heading("How each figure is computed"))
	s.header("Figure", "Computation")
	for _, m := range methodology {
		s.line(m[0], m[1])
	}
	s.line()
	s.line(heading("Where prices come from"))
	s.line("Pricing basis", PricingStatement+".")
	s.line("Sources, by precedence", "config overrides (negotiated prices) > billing actuals > live price APIs > the embedded dated snapshot. Each price used, with its source, date and reference, is on the Assumptions sheet.")
	sources := map[string]int{}
	for _, p := range res.Prices {
		sources[p.Source]++
	}
	keys := make([]string, 0, len(sources))
	for k := range sources {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s: %d", k, sources[k])
	}
	s.line("Prices used in this run", strings.Join(parts, "; "))
	s.line()
	s.line(heading("Rules and thresholds"))
	rules := map[string]int{}
	for i := range res.Findings {
		rules[res.Findings[i].Rule]++
	}
	rk := make([]string, 0, len(rules))
	for k := range rules {
		rk = append(rk, k)
	}
	sort.Strings(rk)
	for _, r := range rk {
		s.line(r, fmt.Sprintf("%d findings; thresholds on the Assumptions sheet; docs/rules.md describes the rule.", rules[r]))
	}
	s.line()
	s.line(heading("This run"))
	s.line("Scan time", scanTime(res.ScannedAt))
	s.line("Tool version", res.ToolVersion)
	s.line("Coverage", coverageLine(res))
	s.line("Fiscal year ends", res.Totals.FiscalYearEnd.AddDate(0, 0, -1).Format(time.DateOnly))
}
