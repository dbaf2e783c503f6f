package report

import (
	"fmt"
	"time"

	"github.com/shopspring/decimal"
	"github.com/xuri/excelize/v2"

	"github.com/ghostaudit/ghostaudit/findings"
)

// streamSheet writes a sheet through a StreamWriter one row at a time, so
// formula cells can carry cached values (excelize.Cell{Formula, Value}).
type streamSheet struct {
	sw  *excelize.StreamWriter
	st  *styles
	row int
	err error
}

func (s *streamSheet) line(cells ...any) {
	s.row++
	if s.err != nil {
		return
	}
	row := make([]any, len(cells))
	for i, c := range cells {
		var cell excelize.Cell
		switch v := c.(type) {
		case nil, blank:
			continue
		case string:
			cell = excelize.Cell{StyleID: s.st.text, Value: cleanText(v)}
		case heading:
			cell = excelize.Cell{StyleID: s.st.bold, Value: cleanText(string(v))}
		case title:
			cell = excelize.Cell{StyleID: s.st.title, Value: cleanText(string(v))}
		case hdr:
			cell = excelize.Cell{StyleID: s.st.header, Value: string(v)}
		case int:
			cell = excelize.Cell{StyleID: s.st.count, Value: v}
		case amount:
			id, err := s.st.moneyStyle(v.currency, v.decimals)
			if err != nil {
				s.err = err
				return
			}
			cell = excelize.Cell{StyleID: id, Value: v.d.InexactFloat64()}
		case date:
			cell = excelize.Cell{StyleID: s.st.date, Value: excelSerial(time.Time(v))}
		case live:
			style := s.st.decimal2
			switch v.kind {
			case liveMoney:
				id, err := s.st.moneyStyle(v.cur, 0)
				if err != nil {
					s.err = err
					return
				}
				style = id
			case livePercent:
				style = s.st.percent
			}
			cell = excelize.Cell{StyleID: style, Formula: v.formula, Value: v.value.InexactFloat64()}
		default:
			s.err = fmt.Errorf("internal: cell type %T", c)
			return
		}
		row[i] = cell
	}
	ref, _ := excelize.CoordinatesToCellName(1, s.row)
	s.err = s.sw.SetRow(ref, row)
}

type (
	hdr string // a column heading in a stream sheet
)

// sumRowFirstKPI is the Executive Summary row of the first headline figure.
const sumRowFirstKPI = 8

// abs is an absolute reference to a cell of the Executive Summary.
func abs(col string, row int) string { return fmt.Sprintf("$%s$%d", col, row) }

// sref is an absolute reference with the sheet name, for charts.
func sref(col string, from, to int) string {
	return fmt.Sprintf("'%s'!$%s$%d:$%s$%d", SheetSummary, col, from, col, to)
}

// writeSummary streams the Executive Summary: headline figures as live
// formulas with cached values, the chart data blocks (also live) and
// three charts, added before Flush so Excel shows them (excelize#1766).
// It prints landscape on one page.
func writeSummary(f *excelize.File, st *styles, res *findings.Result, lt *liveTotals) error {
	if err := fitToPage(f, SheetSummary); err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(SheetSummary)
	if err != nil {
		return err
	}
	for i, w := range []float64{44, 18, 46, 3, 14, 14, 14, 14, 14, 14, 14, 14} {
		if err := sw.SetColWidth(i+1, i+1, w); err != nil {
			return err
		}
	}
	t := &res.Totals
	cur := t.Currency
	mon := func(formula string, v decimal.Decimal) live {
		return live{formula: formula, value: v, kind: liveMoney, cur: cur}
	}
	s := &streamSheet{sw: sw, st: st}
	col := tableCol
	in := col(ColInTotals)
	s.line(title("ghostaudit: cloud and SaaS savings audit"))
	s.line("Draft for management discussion. " + PricingStatement + ". " + Disclaimer)
	s.line(heading("Scan time"), scanTime(res.ScannedAt))
	s.line(heading("Scope"), fmt.Sprintf("%d resources and %d seats scanned; %s", res.Resources, res.Seats, coverageLine(res)))
	s.line(heading("Tool version"), res.ToolVersion)
	s.line()
	s.line(heading("Headline (live: formulas over the Findings table and the Assumptions)"), hdr(cur), hdr("How"))
	// Row 8 onwards: the KPIs. The row numbers are fixed so the formulas
	// below can refer to each other.
	r := sumRowFirstKPI
	rows := map[string]int{}
	kpi := func(key, label string, v live, how string) {
		rows[key] = r
		s.line(label, v, how)
		r++
	}
	kpi("spendM", "Spend in scope (monthly, priced resources)", mon(spendFormula(res), lt.SpendMonthly),
		fmt.Sprintf("%d priced, %d unpriced resources (CapEx vs OpEx sheet)", t.SpendPriced, t.SpendUnpriced))
	kpi("spendA", "Spend in scope (annualised)", mon(fx(fmlTimes12, abs("B", rows["spendM"])), lt.SpendAnnual), "monthly × 12")
	kpi("monthly", "Identified savings (monthly)", mon(fx(fmlSumCounted, col(ColMonthlySavings), in), lt.Monthly), "priced, unsuppressed findings")
	kpi("annual", "Identified savings (annualised run-rate)", mon(fx(fmlSumCounted, col(ColAnnualSavings), in), lt.Annual), "")
	// No "savings as a share of spend" KPI: spend in scope covers only the
	// resources we can cost today, while savings also come from provider
	// estimates (GCP Recommender), so the ratio would overstate.
	kpi("risk", "Risk-adjusted savings (annualised)", mon(fx(fmlRiskAdjusted, col(ColAnnualSavings), in, haircutExpr()), lt.RiskAnnual),
		"× haircut by confidence (Assumptions)")
	kpi("inyear", "In-year impact (to fiscal year end)", mon(fx(fmlSumCounted, col(ColInYear), in), lt.InYear),
		"fiscal year ends "+t.FiscalYearEnd.AddDate(0, 0, -1).Format(time.DateOnly))
	kpi("ebitda", "EBITDA impact (recurring OpEx, annualised)", mon(fx(fmlEBITDA, col(ColAnnualSavings), in, col(ColEBITDA)), lt.EBITDA), "")
	kpi("ebitdaR", "EBITDA impact, risk-adjusted", mon(fx(fmlEBITDARisk, col(ColAnnualSavings), in, col(ColEBITDA), haircutExpr()), lt.EBITDARisk), "")
	kpi("ev", "Enterprise-value impact (illustrative)", mon(fx(fmlTimes, abs("B", rows["ebitdaR"]), NameEVMultiple), lt.EV), "risk-adjusted EBITDA × EVMultiple")
	kpi("onetime", "One-time cost to implement", mon(fx(fmlSumCounted, col(ColOneTimeCost), in), lt.OneTime), "effort hours × EngineeringRate")
	payback := decimal.Zero
	if lt.Payback != nil {
		payback = *lt.Payback
	}
	kpi("payback", "Payback (months)", live{formula: fx(fmlPayback, abs("B", rows["onetime"]), abs("B", rows["monthly"])), value: payback, kind: liveDecimal},
		"one-time cost ÷ monthly savings; 0 when nothing is saved")
	kpi("wins", "30-day wins (monthly savings)", mon(fx(fmlWins, col(ColMonthlySavings), col(ColWin), in), lt.WinsMonthly),
		fmt.Sprintf("%d wins: see the 30-Day Wins sheet", t.Wins))
	s.line("Findings: total / priced / unpriced / suppressed", fmt.Sprintf("%d / %d / %d / %d", t.Findings, t.Priced, t.Unpriced, t.Suppressed))
	r++
	s.line()
	r++

	// Chart data: by category, by provider, run-rate vs cumulative.
	s.line(heading("Annual savings by category"), hdr("Annual savings"))
	r++
	catFirst := r
	for _, c := range Categories {
		s.line(c, mon(fx(fmlSumIfsCell, col(ColAnnualSavings), col(ColCategory), abs("A", r), in), lt.ByCategory[c]))
		r++
	}
	catLast := r - 1
	s.line()
	r++
	s.line(heading("Annual savings by provider"), hdr("Annual savings"))
	r++
	provFirst := r
	for _, p := range t.ByProvider {
		v := lt.ByProvider[p.Name]
		if plainLabel.MatchString(p.Name) {
			s.line(p.Name, mon(fx(fmlSumIfsCell, col(ColAnnualSavings), col(ColProvider), abs("A", r), in), v))
		} else { // not a safe criteria: the value only
			s.line(p.Name, amount{v, cur, 0})
		}
		r++
	}
	if len(t.ByProvider) == 0 {
		s.line("none", amount{decimal.Zero, cur, 0})
		r++
	}
	provLast := r - 1
	s.line()
	r++
	s.line(heading("Savings ramp, next 12 months"), hdr("Monthly run-rate"), hdr("Cumulative"), nil, hdr("Month ends"))
	r++
	rampFirst := r
	for i, m := range lt.RunRate {
		cum := mon(fx(fmlPlus, abs("C", r-1), abs("B", r)), m.Cumulative)
		if i == 0 {
			cum = mon(fx(fmlSum, abs("B", r)), m.Cumulative)
		}
		s.line(m.Start.Format("Jan 2006"), mon(fx(fmlRunRate, col(ColMonthlySavings), col(ColEffectiveFrom), abs("E", r), in), m.RunRate), cum, nil, date(m.End))
		r++
	}
	rampLast := r - 1
	s.line()
	r++
	top, wins := topFindings(res, 10)
	if wins {
		s.line(heading("Top 30-day wins"))
	} else {
		s.line(heading("Top findings (no 30-day wins in this run)"))
	}
	s.line(hdr("Action"), hdr("Annual savings"), hdr("Resource"))
	for _, f := range top {
		var annual any = "unpriced"
		if f.AnnualSavings != nil {
			annual = amount{*f.AnnualSavings, f.Currency, 0}
		}
		s.line(f.Title, annual, resourceLabel(f))
	}
	if len(top) == 0 {
		s.line("No findings.")
	}
	if s.err != nil {
		return s.err
	}

	// Charts on the stream sheet, before Flush.
	zero := 0.0
	chartTitle := func(t string) excelize.ChartTitle {
		return excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: t}}}
	}
	moneyAxis := excelize.ChartAxis{Minimum: &zero, MajorGridLines: true, NumFmt: excelize.ChartNumFmt{CustomNumFmt: "#,##0"}}
	if err := f.AddChart(SheetSummary, "E7", &excelize.Chart{
		Type:      excelize.Col,
		Title:     chartTitle("Annual savings by category (" + cur + ")"),
		Series:    []excelize.ChartSeries{{Name: "Annual savings", Categories: sref("A", catFirst, catLast), Values: sref("B", catFirst, catLast)}},
		YAxis:     moneyAxis,
		Legend:    excelize.ChartLegend{Position: "none"},
		Dimension: excelize.ChartDimension{Width: 560, Height: 300},
	}); err != nil {
		return fmt.Errorf("chart by category: %w", err)
	}
	if err := f.AddChart(SheetSummary, "E23", &excelize.Chart{
		Type:      excelize.Doughnut,
		Title:     chartTitle("Annual savings by provider"),
		Series:    []excelize.ChartSeries{{Name: "Annual savings", Categories: sref("A", provFirst, provLast), Values: sref("B", provFirst, provLast)}},
		Legend:    excelize.ChartLegend{Position: "right"},
		PlotArea:  excelize.ChartPlotArea{ShowPercent: true},
		HoleSize:  50,
		Dimension: excelize.ChartDimension{Width: 560, Height: 300},
	}); err != nil {
		return fmt.Errorf("chart by provider: %w", err)
	}
	secondary := moneyAxis
	secondary.Secondary = true
	if err := f.AddChart(SheetSummary, "E39", &excelize.Chart{
		Type:      excelize.Col,
		Title:     chartTitle("Monthly run-rate (bars) and cumulative savings (line, right axis)"),
		Series:    []excelize.ChartSeries{{Name: sref("B", rampFirst-1, rampFirst-1), Categories: sref("A", rampFirst, rampLast), Values: sref("B", rampFirst, rampLast)}},
		YAxis:     moneyAxis,
		Legend:    excelize.ChartLegend{Position: "bottom"},
		Dimension: excelize.ChartDimension{Width: 560, Height: 300},
	}, &excelize.Chart{
		Type:   excelize.Line,
		Series: []excelize.ChartSeries{{Name: sref("C", rampFirst-1, rampFirst-1), Categories: sref("A", rampFirst, rampLast), Values: sref("C", rampFirst, rampLast)}},
		YAxis:  secondary,
	}); err != nil {
		return fmt.Errorf("chart run-rate: %w", err)
	}
	if err := f.SetPageLayout(SheetSummary, onePage()); err != nil {
		return err
	}
	return sw.Flush()
}

// spendFormula sums the cost lines' monthly cost, or is a plain 0 when
// there are none (no range to name).
func spendFormula(res *findings.Result) string {
	if len(res.CostLines) == 0 {
		return "0"
	}
	return fx(fmlSum, NameCostLineMonthly)
}
