package report

import (
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/ghostaudit/ghostaudit/findings"
)

// kind is how a column's values are typed in the output.
type kind int

const (
	kindText    kind = iota // untrusted or free text: sanitized, Text format
	kindInt                 // a count or rank
	kindMoney               // a decimal amount in the finding's currency; empty when nil
	kindDecimal             // a plain decimal (months, ratios); empty when nil
	kindDate                // a date (UTC day); empty when zero
)

// ColConsole is the Findings column with the provider console link.
const ColConsole = "Console"

// column describes one column of the findings detail (xlsx and CSV).
type column struct {
	Name  string
	Kind  kind
	Width float64 // xlsx column width in characters
}

// findingColumns are the columns of the Findings sheet and of the CSV, in
// order. Tags is not in the list; it is here because tags are
// attacker-settable text a reader needs to see (owner, cost centre).
var findingColumns = []column{
	{"Rank", kindInt, 6},
	{"ID", kindText, 17},
	{"Rule", kindText, 24},
	{"Category", kindText, 20},
	{"Provider", kindText, 10},
	{"Account", kindText, 16},
	{"Region", kindText, 12},
	{"Resource ID", kindText, 26},
	{"Resource name", kindText, 26},
	{"Tags", kindText, 30},
	{"Title", kindText, 40},
	{"Evidence", kindText, 50},
	{"Action", kindText, 40},
	{"Monthly cost", kindMoney, 14},
	{"Monthly savings", kindMoney, 15},
	{"Annual savings", kindMoney, 15},
	{"Risk-adjusted monthly", kindMoney, 15},
	{"In-year impact", kindMoney, 14},
	{"One-time cost", kindMoney, 13},
	{"Payback (months)", kindDecimal, 11},
	{"Confidence", kindText, 11},
	{"Effort", kindText, 9},
	{"Risk", kindText, 9},
	{"30-day win", kindText, 10},
	{"Why this rank", kindText, 40},
	{"Class", kindText, 16},
	{"Class rationale", kindText, 40},
	{"EBITDA", kindText, 8},
	{"Suppressed", kindText, 30},
	{"Price source", kindText, 40},
	{"Unpriced reason", kindText, 40},
	{ColConsole, kindText, 18},
	{ColEffectiveFrom, kindDate, 12},
	{"Treatment", kindText, 11},
	{ColInTotals, kindInt, 9},
}

// Findings-table columns the workbook's live formulas refer to by name
// (structured references such as Findings[In totals]).
const (
	ColMonthlySavings = "Monthly savings"
	ColAnnualSavings  = "Annual savings"
	ColInYear         = "In-year impact"
	ColOneTimeCost    = "One-time cost"
	ColConfidence     = "Confidence"
	ColCategory       = "Category"
	ColProvider       = "Provider"
	ColWin            = "30-day win"
	ColEBITDA         = "EBITDA"
	ColEffectiveFrom  = "Effective from"
	// ColInTotals is 1 when the finding's savings enter the totals (priced
	// and not suppressed), else 0: every total is a SUMPRODUCT over it.
	ColInTotals = "In totals"
)

// value is one typed cell of the findings detail.
type value struct {
	Kind  kind
	Text  string           // kindText, unsanitized
	Int   int              // kindInt
	Money *decimal.Decimal // kindMoney; nil writes an empty cell, never 0
	Date  time.Time        // kindDate
}

func txt(s string) value             { return value{Kind: kindText, Text: s} }
func money(d *decimal.Decimal) value { return value{Kind: kindMoney, Money: d} }

// findingRow returns the values of one finding in findingColumns order.
func findingRow(f *findings.Finding) []value {
	return []value{
		{Kind: kindInt, Int: f.Rank},
		txt(f.ID),
		txt(f.Rule),
		txt(f.Category),
		txt(f.Provider),
		txt(f.Account),
		txt(f.Region),
		txt(f.ResourceID),
		txt(f.ResourceName),
		txt(joinTags(f.Tags)),
		txt(f.Title),
		txt(joinEvidence(f.Evidence)),
		txt(f.Action),
		money(f.MonthlyCost),
		money(f.MonthlySavings),
		money(f.AnnualSavings),
		money(f.RiskAdjustedMonthly),
		money(f.InYearImpact),
		money(&f.OneTimeCost),
		{Kind: kindDecimal, Money: f.PaybackMonths},
		txt(f.Confidence),
		txt(f.Effort),
		txt(f.Risk),
		txt(yesNo(f.Win)),
		txt(f.WhyRank),
		txt(f.Class),
		txt(classRationale(f.ClassRule, f.ClassRationale, f.ClassCitation)),
		txt(yesNo(f.EBITDA)),
		txt(suppression(f)),
		txt(priceSources(f)),
		txt(unpricedReason(f)),
		txt(ConsoleURL(f)),
		{Kind: kindDate, Date: f.EffectiveFrom},
		txt(f.Treatment),
		{Kind: kindInt, Int: inTotals(f)},
	}
}

// inTotals is the In totals column: 1 when the finding counts.
func inTotals(f *findings.Finding) int {
	if f.Counted() {
		return 1
	}
	return 0
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// unpricedReason is what the reason column says: empty for a priced
// finding, otherwise "unpriced" and the engine's reason.
func unpricedReason(f *findings.Finding) string {
	if f.Priced() {
		return ""
	}
	if f.Unpriced == "" {
		return "unpriced"
	}
	return "unpriced: " + f.Unpriced
}

// joinEvidence renders evidence as "name: value; name: value".
func joinEvidence(ev []findings.Evidence) string {
	parts := make([]string, len(ev))
	for i, e := range ev {
		parts[i] = e.Name + ": " + e.Value
	}
	return strings.Join(parts, "; ")
}

// joinTags renders tags as "key=value; ..." sorted by key.
func joinTags(tags map[string]string) string {
	keys := make([]string, 0, len(tags))
	for k := range tags {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + tags[k]
	}
	return strings.Join(parts, "; ")
}

// priceSources renders each price's provenance: "item: source as-of".
func priceSources(f *findings.Finding) string {
	parts := make([]string, len(f.Prices))
	for i, p := range f.Prices {
		parts[i] = strings.TrimSpace(p.Item + ": " + p.Source + " " + p.AsOf)
	}
	return strings.Join(parts, "; ")
}

// resourceLabel is how a finding's resource is named in short outputs.
func resourceLabel(f *findings.Finding) string {
	if f.ResourceName != "" && f.ResourceName != f.ResourceID {
		return f.ResourceName + " (" + f.ResourceID + ")"
	}
	return f.ResourceID
}

// topFindings returns up to n 30-day wins in rank order, or, when there are
// none, the first n findings; wins reports which.
func topFindings(res *findings.Result, n int) (top []*findings.Finding, wins bool) {
	for i := range res.Findings {
		if f := &res.Findings[i]; f.Win && len(top) < n {
			top = append(top, f)
		}
	}
	if len(top) > 0 {
		return top, true
	}
	for i := range res.Findings {
		if len(top) == n {
			break
		}
		top = append(top, &res.Findings[i])
	}
	return top, false
}

// coverageLine says in one sentence what the result does not cover.
func coverageLine(res *findings.Result) string {
	ok := 0
	var failed []string
	for _, s := range res.Status {
		if s.Succeeded {
			ok++
		} else {
			failed = append(failed, s.Scanner)
		}
	}
	var b strings.Builder
	b.WriteString(strconv.Itoa(len(res.Status)) + " scanners: " + strconv.Itoa(ok) + " succeeded, " + strconv.Itoa(len(failed)) + " failed")
	if len(failed) > 0 {
		b.WriteString(" (" + strings.Join(failed, ", ") + ")")
	}
	b.WriteString("; " + strconv.Itoa(len(res.Gaps)) + " gaps.")
	if len(failed) > 0 || len(res.Gaps) > 0 {
		b.WriteString(" Savings exclude what failed scanners and gaps could not see.")
	}
	return b.String()
}

// scanTime renders the scan time in UTC, RFC 3339.
func scanTime(t time.Time) string {
	if t.IsZero() {
		return "unknown"
	}
	return t.UTC().Format(time.RFC3339)
}

// joinCounts renders per-kind counts as "kind=n; ..." sorted by kind.
func joinCounts(c map[string]int) string {
	keys := make([]string, 0, len(c))
	for k := range c {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + strconv.Itoa(c[k])
	}
	return strings.Join(parts, "; ")
}

var isoCurrency = regexp.MustCompile(`^[A-Z]{3}$`)

// currencySymbols are the symbols shown for common currencies; any other
// ISO 4217 code is shown as a suffix.
var currencySymbols = map[string]string{"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "CAD": "CA$", "AUD": "A$"}

// formatMoney renders d for people: symbol or code, thousands separators
// and two decimals, e.g. "$1,234.50" or "1,234.50 CHF".
func formatMoney(d decimal.Decimal, currency string) string {
	s := d.StringFixed(2)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	intPart, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	for i, c := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	num := b.String() + "." + frac
	sign := ""
	if neg {
		sign = "-"
	}
	if sym, ok := currencySymbols[currency]; ok {
		return sign + sym + num
	}
	if isoCurrency.MatchString(currency) {
		return sign + num + " " + currency
	}
	return sign + num
}

// classRationale joins a class decision's rule, rationale and citation.
func classRationale(rule, rationale, citation string) string {
	out := rationale
	if rule != "" {
		out = rule + ": " + out
	}
	if citation != "" {
		out += " (" + citation + ")"
	}
	return out
}

// suppression says why a finding is left out of the totals, or that a
// suppression expired.
func suppression(f *findings.Finding) string {
	if s := f.Suppression; s != nil {
		out := "suppressed by " + s.Source + ": " + s.Reason
		if s.Owner != "" {
			out += "; owner " + s.Owner
		}
		if s.Expires != "" {
			out += "; until " + s.Expires
		}
		return out
	}
	return f.SuppressionNote
}
