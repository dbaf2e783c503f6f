package report

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/ghostaudit/ghostaudit/findings"
)

// The workbook's only formulas. Each is a fixed template over cell
// references, defined names and Findings-table column names; the only
// string literals are our own enum values ("high", "medium", "yes").
// Nothing scanned is ever interpolated (research/report-finance.md §4.4):
// fx panics when an argument is not a reference or a known name, so a
// template can only be filled with references.
const (
	fmlSumCounted   = "SUMPRODUCT(%[1]s,%[2]s)"                                             // column, In totals
	fmlRiskAdjusted = "SUMPRODUCT(%[1]s*%[2]s*%[3]s)"                                       // column, In totals, haircut
	fmlEBITDA       = `SUMPRODUCT(%[1]s*%[2]s*(%[3]s="yes"))`                               // column, In totals, EBITDA
	fmlEBITDARisk   = `SUMPRODUCT(%[1]s*%[2]s*(%[3]s="yes")*%[4]s)`                         // + haircut
	fmlWins         = `SUMIFS(%[1]s,%[2]s,"yes",%[3]s,1)`                                   // monthly, 30-day win, In totals
	fmlSumIfsCell   = "SUMIFS(%[1]s,%[2]s,%[3]s,%[4]s,1)"                                   // sum column, criteria column, criteria cell, In totals
	fmlRunRate      = `SUMIFS(%[1]s,%[2]s,"<"&%[3]s,%[4]s,1)`                               // monthly, Effective from, month-end cell, In totals
	fmlTimes        = "%[1]s*%[2]s"                                                         // ref × ref
	fmlTimes12      = "%[1]s*12"                                                            // ref × 12
	fmlShare        = "IF(%[2]s>0,%[1]s/%[2]s,0)"                                           // a ÷ b, 0 when b is 0
	fmlPayback      = "IF(%[2]s>0,ROUND(%[1]s/%[2]s,2),0)"                                  // one-time ÷ monthly, 2 places
	fmlSum          = "SUM(%[1]s)"                                                          // a range or name
	fmlPlus         = "%[1]s+%[2]s"                                                         // running total
	fmlHaircut      = `(%[1]s+(%[2]s="high")*(%[3]s-%[1]s)+(%[2]s="medium")*(%[4]s-%[1]s))` // low, Confidence, high, medium
)

// Defined names of the Assumptions sheet's input cells.
const (
	NameHaircutHigh     = "HaircutHigh"
	NameHaircutMedium   = "HaircutMedium"
	NameHaircutLow      = "HaircutLow"
	NameEVMultiple      = "EVMultiple"
	NameEngineeringRate = "EngineeringRate"
	NameFiscalYearStart = "FiscalYearStartMonth"
	NameEffortLow       = "EffortHoursLow"
	NameEffortMedium    = "EffortHoursMedium"
	NameEffortHigh      = "EffortHoursHigh"
	NameWinWindow       = "WinWindowDays"
	// NameCostLineMonthly is the monthly-cost column of the cost lines on
	// the CapEx vs OpEx sheet: the spend in scope sums it.
	NameCostLineMonthly = "CostLineMonthly"
	// NameFXPrefix + an ISO 4217 code names an FX rate, e.g. FX_EUR.
	NameFXPrefix = "FX_"
)

var (
	cellRefRE = regexp.MustCompile(`^('[A-Za-z0-9 &-]{1,31}'!)?\$?[A-Z]{1,3}\$?[0-9]{1,7}(:\$?[A-Z]{1,3}\$?[0-9]{1,7})?$`)
	fxNameRE  = regexp.MustCompile(`^FX_[A-Z]{3}$`)
)

var knownNames = map[string]bool{
	NameHaircutHigh: true, NameHaircutMedium: true, NameHaircutLow: true, NameEVMultiple: true,
	NameEngineeringRate: true, NameFiscalYearStart: true, NameEffortLow: true, NameEffortMedium: true,
	NameEffortHigh: true, NameWinWindow: true, NameCostLineMonthly: true,
}

// tableCol is a structured reference to a Findings-table column; it
// panics for a name that is not one of findingColumns.
func tableCol(name string) string {
	for _, c := range findingColumns {
		if c.Name == name {
			return FindingsTable + "[" + name + "]"
		}
	}
	panic(fmt.Sprintf("report: formula refers to unknown Findings column %q", name))
}

// fx fills a template from the allow-list; every argument must be a cell
// reference, a known defined name, a structured reference built by
// tableCol, or a sub-expression built by fx itself (marked by expr).
func fx(tmpl string, args ...any) string {
	vals := make([]any, len(args))
	for i, a := range args {
		switch v := a.(type) {
		case expr:
			vals[i] = string(v)
		case string:
			if !validRef(v) {
				panic(fmt.Sprintf("report: formula argument %q is not a reference", v))
			}
			vals[i] = v
		default:
			panic(fmt.Sprintf("report: formula argument of type %T", a))
		}
	}
	return fmt.Sprintf(tmpl, vals...)
}

// expr is a formula fragment built by fx.
type expr string

func validRef(s string) bool {
	if cellRefRE.MatchString(s) || knownNames[s] || fxNameRE.MatchString(s) {
		return true
	}
	if name, ok := strings.CutPrefix(s, FindingsTable+"["); ok {
		name, ok = strings.CutSuffix(name, "]")
		if ok {
			for _, c := range findingColumns {
				if c.Name == name {
					return true
				}
			}
		}
	}
	return false
}

// haircutExpr is the haircut of each finding by its confidence, as the
// engine applies it: high, medium, anything else low.
func haircutExpr() expr {
	return expr(fx(fmlHaircut, NameHaircutLow, tableCol(ColConfidence), NameHaircutHigh, NameHaircutMedium))
}

// live is a formula with the value Go computed for it from the Result:
// previews and pandas read the cached value, spreadsheets recompute.
type live struct {
	formula string
	value   decimal.Decimal
	kind    liveKind
	cur     string
}

type liveKind int

const (
	liveMoney liveKind = iota
	livePercent
	liveDecimal
)

// liveTotals are the headline figures recomputed in Go exactly as the
// formulas compute them over the Findings table and the Assumptions; for a
// Result from the engine they equal its Totals (a test holds them to it).
type liveTotals struct {
	SpendMonthly, SpendAnnual                           decimal.Decimal
	Monthly, Annual, RiskAnnual, InYear                 decimal.Decimal
	EBITDA, EBITDARisk, EV, OneTime, WinsMonthly, Share decimal.Decimal
	Payback                                             *decimal.Decimal
	ByCategory, ByProvider                              map[string]decimal.Decimal // annual
	RunRate                                             []monthRunRate
}

type monthRunRate struct {
	Start, End          time.Time
	RunRate, Cumulative decimal.Decimal
}

// haircutOf mirrors the Assumptions haircuts (percent ÷ 100).
func haircutOf(s *findings.Settings, confidence string) decimal.Decimal {
	p := s.Haircuts.Low
	switch confidence {
	case findings.High:
		p = s.Haircuts.High
	case findings.Medium:
		p = s.Haircuts.Medium
	}
	return decimal.NewFromInt(int64(p)).Div(decimal.NewFromInt(100))
}

func decOr(s string, def decimal.Decimal) decimal.Decimal {
	d, err := decimal.NewFromString(s)
	if err != nil {
		return def
	}
	return d
}

// computeLive evaluates the live formulas in Go.
func computeLive(res *findings.Result) liveTotals {
	var t liveTotals
	t.ByCategory, t.ByProvider = map[string]decimal.Decimal{}, map[string]decimal.Decimal{}
	for _, l := range res.CostLines {
		if l.MonthlyCost != nil {
			t.SpendMonthly = t.SpendMonthly.Add(*l.MonthlyCost)
		}
	}
	t.SpendAnnual = t.SpendMonthly.Mul(decimal.NewFromInt(12))
	months := runRateMonths(res.ScannedAt)
	t.RunRate = make([]monthRunRate, len(months))
	for i, m := range months {
		t.RunRate[i] = monthRunRate{Start: m, End: m.AddDate(0, 1, 0)}
	}
	for i := range res.Findings {
		f := &res.Findings[i]
		if !f.Counted() {
			continue
		}
		annual := decimal.Zero
		if f.AnnualSavings != nil {
			annual = *f.AnnualSavings
		}
		h := haircutOf(&res.Settings, f.Confidence)
		t.Monthly = t.Monthly.Add(*f.MonthlySavings)
		t.Annual = t.Annual.Add(annual)
		t.RiskAnnual = t.RiskAnnual.Add(annual.Mul(h))
		if f.InYearImpact != nil {
			t.InYear = t.InYear.Add(*f.InYearImpact)
		}
		if f.EBITDA {
			t.EBITDA = t.EBITDA.Add(annual)
			t.EBITDARisk = t.EBITDARisk.Add(annual.Mul(h))
		}
		t.OneTime = t.OneTime.Add(f.OneTimeCost)
		if f.Win {
			t.WinsMonthly = t.WinsMonthly.Add(*f.MonthlySavings)
		}
		t.ByCategory[f.Category] = t.ByCategory[f.Category].Add(annual)
		t.ByProvider[f.Provider] = t.ByProvider[f.Provider].Add(annual)
		eff := excelSerial(f.EffectiveFrom)
		for j := range t.RunRate {
			if eff < excelSerial(t.RunRate[j].End) {
				t.RunRate[j].RunRate = t.RunRate[j].RunRate.Add(*f.MonthlySavings)
			}
		}
	}
	cum := decimal.Zero
	for j := range t.RunRate {
		cum = cum.Add(t.RunRate[j].RunRate)
		t.RunRate[j].Cumulative = cum
	}
	t.EV = t.EBITDARisk.Mul(decOr(res.Settings.EVMultiple, decimal.Zero))
	if t.Monthly.IsPositive() {
		t.Payback = findings.Money(t.OneTime.Div(t.Monthly).Round(2))
	}
	if t.SpendAnnual.IsPositive() {
		t.Share = t.Annual.Div(t.SpendAnnual)
	}
	return t
}

// runRateMonths are the 12 calendar months from the scan's month.
func runRateMonths(scanned time.Time) []time.Time {
	if scanned.IsZero() {
		scanned = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	s := scanned.UTC()
	first := time.Date(s.Year(), s.Month(), 1, 0, 0, 0, 0, time.UTC)
	out := make([]time.Time, 12)
	for i := range out {
		out[i] = first.AddDate(0, i, 0)
	}
	return out
}

// excelSerial is t as an Excel 1900-system serial day number.
func excelSerial(t time.Time) float64 {
	if t.IsZero() {
		return 0
	}
	return float64(t.UTC().Unix())/86400 + 25569
}

// plainLabel reports whether a data value may serve as a SUMIFS criteria
// cell: lower-case letters, digits and dashes only, so SUMIFS matches it
// literally (no wildcards, no comparison operators).
var plainLabel = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,40}$`)
