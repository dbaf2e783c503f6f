package report

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/shopspring/decimal"
	"github.com/xuri/excelize/v2"

	"github.com/ghostaudit/ghostaudit/findings"
	"github.com/ghostaudit/ghostaudit/report/sanitize"
)

// Sheet names of the workbook, in order. They are constants: a sheet name
// is never derived from scanned data (see research/report-finance.md §4.2).
const (
	SheetSummary     = "Summary"
	SheetFindings    = "Findings"
	SheetCoverage    = "Coverage"
	SheetAssumptions = "Assumptions"
)

// FindingsTable is the name of the Excel table on the Findings sheet.
const FindingsTable = "Findings"

// PricingStatement is the basis of every price in the workbook.
const PricingStatement = "On-demand list prices before RI/SP/EDP discounts; monthly = 730 hours"

// XLSX writes the CFO workbook: Summary, Findings, Coverage, Assumptions.
// Money is written as numbers with a currency format, text as sanitized
// strings with the Text number format, and no cell holds a formula.
type XLSX struct{}

// Format implements Writer.
func (XLSX) Format() string { return "xlsx" }

// Write implements Writer. excelize assembles the whole zip in memory
// before writing it (qax-os/excelize#2357), so w receives it in one go.
func (XLSX) Write(w io.Writer, res *findings.Result) error {
	f := excelize.NewFile()
	defer func() { _ = f.Close() }() // removes the StreamWriter's temp files
	st := &styles{f: f, money: map[string]int{}}
	if err := st.init(); err != nil {
		return fmt.Errorf("xlsx: styles: %w", err)
	}
	if err := f.SetSheetName("Sheet1", SheetSummary); err != nil {
		return fmt.Errorf("xlsx: %w", err)
	}
	for _, name := range []string{SheetFindings, SheetCoverage, SheetAssumptions} {
		if _, err := f.NewSheet(name); err != nil {
			return fmt.Errorf("xlsx: %w", err)
		}
	}
	// The stream sheet first, then the small sheets with the normal API
	// (research §5.3 build order).
	if err := writeFindingsSheet(f, st, res); err != nil {
		return fmt.Errorf("xlsx: %s: %w", SheetFindings, err)
	}
	for _, s := range []struct {
		name  string
		write func(*sheet, *findings.Result)
	}{
		{SheetSummary, writeSummary},
		{SheetCoverage, writeCoverage},
		{SheetAssumptions, writeAssumptions},
	} {
		sh := &sheet{f: f, st: st, name: s.name}
		s.write(sh, res)
		if sh.err != nil {
			return fmt.Errorf("xlsx: %s: %w", s.name, sh.err)
		}
	}
	f.SetActiveSheet(0)
	title, _ := sanitize.Text("ghostaudit savings audit " + scanTime(res.ScannedAt))
	if err := f.SetDocProps(&excelize.DocProperties{
		Title:       title,
		Subject:     "Cloud and SaaS savings: 30-day wins",
		Creator:     "ghostaudit",
		Description: PricingStatement,
		Created:     createdProp(res),
		Modified:    createdProp(res),
		Version:     cleanText(res.ToolVersion),
	}); err != nil {
		return fmt.Errorf("xlsx: document properties: %w", err)
	}
	if err := f.Write(w); err != nil {
		return fmt.Errorf("xlsx: %w", err)
	}
	return nil
}

// createdProp keeps the core properties deterministic: the scan time, not
// the wall clock.
func createdProp(res *findings.Result) string {
	if res.ScannedAt.IsZero() {
		return ""
	}
	return scanTime(res.ScannedAt)
}

// cleanText is sanitize.Text without the changed flag.
func cleanText(s string) string {
	out, _ := sanitize.Text(s)
	return out
}

// styles caches the workbook's cell styles.
type styles struct {
	f                                         *excelize.File
	text, header, title, bold, count, seconds int
	unitPrice, decimal2                       int
	money                                     map[string]int // by currency and decimals
}

// textFormat is Excel's built-in "@" (Text) number format: a re-entered
// value stays text.
const textFormat = 49

func (s *styles) init() error {
	var err error
	mk := func(st *excelize.Style) int {
		if err != nil {
			return 0
		}
		var id int
		id, err = s.f.NewStyle(st)
		return id
	}
	top := &excelize.Alignment{Vertical: "top"}
	s.text = mk(&excelize.Style{NumFmt: textFormat, Alignment: top})
	s.header = mk(&excelize.Style{NumFmt: textFormat, Font: &excelize.Font{Bold: true},
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"D9E1F2"}},
		Alignment: &excelize.Alignment{Vertical: "top", WrapText: true}})
	s.title = mk(&excelize.Style{NumFmt: textFormat, Font: &excelize.Font{Bold: true, Size: 14}})
	s.bold = mk(&excelize.Style{NumFmt: textFormat, Font: &excelize.Font{Bold: true}})
	s.count = mk(&excelize.Style{NumFmt: 3, Alignment: top}) // #,##0
	secs := "0.000"
	s.seconds = mk(&excelize.Style{CustomNumFmt: &secs, Alignment: top})
	unit := "#,##0.00####"
	s.unitPrice = mk(&excelize.Style{CustomNumFmt: &unit, Alignment: top})
	dec2 := "#,##0.00"
	s.decimal2 = mk(&excelize.Style{CustomNumFmt: &dec2, Alignment: top})
	return err
}

// moneyStyle returns the style for amounts in currency with the given
// number of decimals. The format is built from a fixed table or a checked
// ISO code, never from arbitrary scanned text.
func (s *styles) moneyStyle(currency string, decimals int) (int, error) {
	key := fmt.Sprintf("%s/%d", currency, decimals)
	if id, ok := s.money[key]; ok {
		return id, nil
	}
	num := "#,##0"
	if decimals > 0 {
		num += "." + strings.Repeat("0", decimals)
	}
	var code string
	switch sym, ok := currencySymbols[currency]; {
	case ok:
		code = `"` + sym + `"` + num + `;-"` + sym + `"` + num
	case isoCurrency.MatchString(currency):
		code = num + ` "` + currency + `";-` + num + ` "` + currency + `"`
	default:
		code = num
	}
	id, err := s.f.NewStyle(&excelize.Style{CustomNumFmt: &code, Alignment: &excelize.Alignment{Vertical: "top"}})
	if err != nil {
		return 0, err
	}
	s.money[key] = id
	return id, nil
}

// writeFindingsSheet streams one row per finding, in rank order, under a
// frozen header, as an Excel table (which carries the autofilter).
// StreamWriter order: widths and panes, rows, table, Flush.
func writeFindingsSheet(f *excelize.File, st *styles, res *findings.Result) error {
	sw, err := f.NewStreamWriter(SheetFindings)
	if err != nil {
		return err
	}
	for i, c := range findingColumns {
		if err := sw.SetColWidth(i+1, i+1, c.Width); err != nil {
			return err
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft",
		Selection: []excelize.Selection{{SQRef: "A2", ActiveCell: "A2", Pane: "bottomLeft"}}}); err != nil {
		return err
	}
	header := make([]any, len(findingColumns))
	for i, c := range findingColumns {
		header[i] = excelize.Cell{StyleID: st.header, Value: c.Name}
	}
	if err := sw.SetRow("A1", header, excelize.RowOpts{Height: 30}); err != nil {
		return err
	}
	for i := range res.Findings {
		fd := &res.Findings[i]
		vals := findingRow(fd)
		row := make([]any, len(vals))
		for j, v := range vals {
			switch v.Kind {
			case kindText:
				row[j] = excelize.Cell{StyleID: st.text, Value: cleanText(v.Text)}
			case kindInt:
				row[j] = excelize.Cell{StyleID: st.count, Value: v.Int}
			case kindMoney:
				id, err := st.moneyStyle(fd.Currency, 2)
				if err != nil {
					return err
				}
				if v.Money == nil {
					row[j] = excelize.Cell{StyleID: id} // empty: unpriced is never 0
				} else {
					row[j] = excelize.Cell{StyleID: id, Value: v.Money.InexactFloat64()}
				}
			case kindDecimal:
				if v.Money == nil {
					row[j] = excelize.Cell{StyleID: st.decimal2}
				} else {
					row[j] = excelize.Cell{StyleID: st.decimal2, Value: v.Money.InexactFloat64()}
				}
			}
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		if err := sw.SetRow(cell, row); err != nil {
			return err
		}
	}
	last, _ := excelize.CoordinatesToCellName(len(findingColumns), max(len(res.Findings)+1, 2))
	stripes := true
	if err := sw.AddTable(&excelize.Table{Range: "A1:" + last, Name: FindingsTable,
		StyleName: "TableStyleLight9", ShowRowStripes: &stripes}); err != nil {
		return err
	}
	if err := f.SetPageLayout(SheetFindings, landscape()); err != nil {
		return err
	}
	return sw.Flush()
}

func landscape() *excelize.PageLayoutOptions {
	o, one, zero := "landscape", 1, 0
	return &excelize.PageLayoutOptions{Orientation: &o, FitToWidth: &one, FitToHeight: &zero}
}

// sheet writes a small sheet with the normal API, one row at a time. The
// first error sticks and stops further writes.
type sheet struct {
	f    *excelize.File
	st   *styles
	name string
	row  int
	err  error
}

// cells a sheet row accepts besides string (sanitized text) and int.
type (
	heading string // our own label, bold
	title   string // the sheet's title
	amount  struct {
		d        decimal.Decimal
		currency string
		decimals int
	}
	seconds   float64
	unitPrice decimal.Decimal
	// decnum is a plain decimal shown with two places (months, multiples).
	decnum decimal.Decimal
	blank  struct{}
)

// line writes the next row; nil and blank{} leave a cell empty.
func (s *sheet) line(cells ...any) {
	s.row++
	for i, c := range cells {
		if s.err != nil {
			return
		}
		ref, err := excelize.CoordinatesToCellName(i+1, s.row)
		if err != nil {
			s.err = err
			return
		}
		style := 0
		switch v := c.(type) {
		case nil, blank:
			continue
		case string:
			s.err, style = s.f.SetCellStr(s.name, ref, cleanText(v)), s.st.text
		case heading:
			s.err, style = s.f.SetCellStr(s.name, ref, cleanText(string(v))), s.st.bold
		case title:
			s.err, style = s.f.SetCellStr(s.name, ref, cleanText(string(v))), s.st.title
		case int:
			s.err, style = s.f.SetCellInt(s.name, ref, int64(v)), s.st.count
		case seconds:
			s.err, style = s.f.SetCellFloat(s.name, ref, float64(v), -1, 64), s.st.seconds
		case unitPrice:
			s.err, style = s.f.SetCellFloat(s.name, ref, decimal.Decimal(v).InexactFloat64(), -1, 64), s.st.unitPrice
		case decnum:
			s.err, style = s.f.SetCellFloat(s.name, ref, decimal.Decimal(v).InexactFloat64(), -1, 64), s.st.decimal2
		case amount:
			style, s.err = s.st.moneyStyle(v.currency, v.decimals)
			if s.err == nil {
				s.err = s.f.SetCellFloat(s.name, ref, v.d.InexactFloat64(), -1, 64)
			}
		default:
			s.err = fmt.Errorf("internal: cell type %T", c)
		}
		if s.err == nil {
			s.err = s.f.SetCellStyle(s.name, ref, ref, style)
		}
	}
}

// header writes a row of bold column headings.
func (s *sheet) header(names ...string) {
	s.row++
	for i, n := range names {
		if s.err != nil {
			return
		}
		ref, _ := excelize.CoordinatesToCellName(i+1, s.row)
		if s.err = s.f.SetCellStr(s.name, ref, n); s.err == nil {
			s.err = s.f.SetCellStyle(s.name, ref, ref, s.st.header)
		}
	}
}

// widths sets the column widths from A onwards.
func (s *sheet) widths(w ...float64) {
	for i, width := range w {
		if s.err != nil {
			return
		}
		col, _ := excelize.ColumnNumberToName(i + 1)
		s.err = s.f.SetColWidth(s.name, col, col, width)
	}
}

func writeSummary(s *sheet, res *findings.Result) {
	t := &res.Totals
	cur := t.Currency
	money0 := func(d decimal.Decimal) amount { return amount{d, cur, 0} }
	money2 := func(d decimal.Decimal) amount { return amount{d, cur, 2} }
	s.widths(36, 40, 30, 16, 16, 40, 11, 9)
	s.line(title("ghostaudit: cloud and SaaS savings audit"))
	s.line("Draft for management discussion. " + PricingStatement + ".")
	s.line(heading("Scan time"), scanTime(res.ScannedAt))
	s.line(heading("Tool version"), res.ToolVersion)
	s.line(heading("Currency"), cur)
	s.line()
	s.line(heading("Savings (priced findings only)"))
	s.line("Monthly savings", money0(t.MonthlySavings))
	s.line("Annual savings", money0(t.AnnualSavings))
	s.line("30-day wins: monthly savings", money0(t.WinsMonthly))
	s.line("Findings", t.Findings)
	s.line("Priced findings", t.Priced)
	s.line("Unpriced findings (not in the savings)", t.Unpriced)
	s.line("30-day wins", t.Wins)
	s.line("Resources scanned", res.Resources)
	s.line("Seats scanned", res.Seats)
	s.line()
	s.line(heading("For the CFO"))
	s.line("Spend in scope (monthly, priced resources)", money0(t.SpendMonthly), fmt.Sprintf("%d priced, %d unpriced resources", t.SpendPriced, t.SpendUnpriced))
	s.line("Spend in scope (annualised)", money0(t.SpendAnnual))
	s.line("Identified savings (annualised run-rate)", money0(t.AnnualSavings))
	s.line("Risk-adjusted savings (annualised)", money0(t.RiskAdjustedAnnual), fmt.Sprintf("haircuts high %d%%, medium %d%%, low %d%%", res.Settings.Haircuts.High, res.Settings.Haircuts.Medium, res.Settings.Haircuts.Low))
	s.line("In-year impact (to fiscal year end)", money0(t.InYearImpact), "fiscal year ends "+t.FiscalYearEnd.AddDate(0, 0, -1).Format("2006-01-02"))
	s.line("EBITDA impact (recurring OpEx, annualised)", money0(t.EBITDAAnnual))
	s.line("EBITDA impact, risk-adjusted", money0(t.EBITDARiskAdjusted))
	s.line("Enterprise-value impact (illustrative)", money0(t.EVImpact), "risk-adjusted EBITDA × "+t.EVMultiple.String()+" EV/EBITDA")
	s.line("One-time cost to implement", money0(t.OneTimeCost), "effort hours × engineering rate "+res.Settings.HourlyRate+" "+cur+"/h")
	if t.PaybackMonths != nil {
		s.line("Payback (months)", decnum(*t.PaybackMonths))
	} else {
		s.line("Payback (months)", "n/a: nothing to pay back")
	}
	s.line("Suppressed findings (not in the totals)", t.Suppressed, money2(t.SuppressedMonthly), "monthly savings suppressed")
	if len(t.SpendByClass) > 0 {
		s.line()
		s.line(heading("Spend in scope by accounting class"))
		s.header("Class", "Items", "Unpriced", "Monthly", "Annual")
		for _, c := range t.SpendByClass {
			s.line(c.Class, c.Items, c.Unpriced, money2(c.Monthly), money2(c.Annual))
		}
	}
	for _, g := range []struct {
		label, col string
		subs       []findings.Subtotal
	}{{"By category", "Category", t.ByCategory}, {"By provider", "Provider", t.ByProvider}} {
		s.line()
		s.line(heading(g.label))
		s.header(g.col, "Findings", "Unpriced", "Monthly savings", "Annual savings")
		for _, sub := range g.subs {
			s.line(sub.Name, sub.Findings, sub.Unpriced, money2(sub.MonthlySavings), money2(sub.AnnualSavings))
		}
	}
	top, wins := topFindings(res, 10)
	s.line()
	if wins {
		s.line(heading("Top 30-day wins"))
	} else {
		s.line(heading("Top findings (no 30-day wins in this run)"))
	}
	s.header("Rank", "Title", "Resource", "Monthly savings", "Annual savings", "Action", "Confidence", "Effort")
	for _, f := range top {
		var monthly, annual any = "unpriced", "unpriced"
		if f.Priced() {
			monthly = amount{*f.MonthlySavings, f.Currency, 2}
			if f.AnnualSavings != nil {
				annual = amount{*f.AnnualSavings, f.Currency, 2}
			}
		}
		s.line(f.Rank, f.Title, resourceLabel(f), monthly, annual, f.Action, f.Confidence, f.Effort)
	}
	if len(top) == 0 {
		s.line("No findings.")
	}
	s.line()
	s.line(heading("Coverage"))
	s.line(coverageLine(res) + " Details on the Coverage sheet.")
	if s.err == nil {
		s.err = s.f.SetPageLayout(s.name, landscape())
	}
}

func writeCoverage(s *sheet, res *findings.Result) {
	s.widths(14, 14, 16, 30, 28, 14, 60, 40)
	s.line(title("Coverage: what this audit saw and what it did not"))
	s.line(coverageLine(res))
	s.line()
	s.line(heading("Scanners"))
	s.header("Scanner", "Succeeded", "Duration (s)", "Error", "No credentials", "Counts")
	for _, st := range res.Status {
		s.line(st.Scanner, yesNo(st.Succeeded), seconds(st.Duration.Seconds()), st.Err, yesNo(st.NoCreds), joinCounts(st.Counts))
	}
	if len(res.Status) == 0 {
		s.line("No scanner status recorded.")
	}
	s.line()
	s.line(heading("Gaps"))
	s.header("Scanner", "Account", "Region", "Scope", "Operation", "Reason", "Message")
	for _, g := range res.Gaps {
		s.line(g.Scanner, g.Account, g.Region, g.Scope, g.Operation, g.Reason, g.Message)
	}
	if len(res.Gaps) == 0 {
		s.line("No gaps recorded.")
	}
}

func writeAssumptions(s *sheet, res *findings.Result) {
	s.widths(28, 16, 30, 14, 14, 10, 12, 12, 50)
	s.line(title("Assumptions"))
	s.line(PricingStatement + ".")
	s.line(heading("Scan time"), scanTime(res.ScannedAt))
	s.line(heading("Tool version"), res.ToolVersion)
	s.line(heading("Currency"), res.Totals.Currency)
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
	st := res.Settings
	s.line(heading("Finance assumptions"))
	s.header("Setting", "Value", "Meaning")
	s.line("Reporting currency", st.Currency, "prices in other currencies are converted with the FX rates below")
	for _, c := range sortedFX(st.FX) {
		s.line("FX "+c+" → "+st.Currency, st.FX[c], "units of "+st.Currency+" per "+c)
	}
	s.line("Fiscal year starts (month)", st.FiscalYearStartMonth, "in-year impact runs to the end of the fiscal year")
	s.line("Haircut, high confidence (%)", st.Haircuts.High, "share of savings kept in risk-adjusted figures")
	s.line("Haircut, medium confidence (%)", st.Haircuts.Medium, "")
	s.line("Haircut, low confidence (%)", st.Haircuts.Low, "")
	s.line("EV/EBITDA multiple", st.EVMultiple, "illustrative enterprise-value impact")
	s.line("Engineering hourly rate", st.HourlyRate, "one-time cost = effort hours × rate")
	s.line("Effort hours (low / medium / high)", st.EffortHours.Low+" / "+st.EffortHours.Medium+" / "+st.EffortHours.High, "")
	s.line("30-day win window (days)", st.WinWindowDays, "")
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

func sortedFX(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
