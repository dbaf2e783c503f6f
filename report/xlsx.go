package report

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/shopspring/decimal"
	"github.com/xuri/excelize/v2"

	"github.com/ghostaudit/ghostaudit/findings"
	"github.com/ghostaudit/ghostaudit/report/sanitize"
)

// Sheet names of the workbook, in order. They are constants: a sheet name
// is never derived from scanned data (see research/report-finance.md §4.2).
const (
	SheetSummary     = "Executive Summary"
	SheetWins        = "30-Day Wins"
	SheetFindings    = "Findings"
	SheetGhost       = "Ghost Licences"
	SheetIdle        = "Idle Infrastructure"
	SheetClass       = "CapEx vs OpEx"
	SheetSuppressed  = "Suppressed"
	SheetCoverage    = "Coverage"
	SheetAssumptions = "Assumptions"
	SheetMethodology = "Methodology & Sources"
)

// Sheets are the workbook's sheets in order.
var Sheets = []string{SheetSummary, SheetWins, SheetFindings, SheetGhost, SheetIdle, SheetClass,
	SheetSuppressed, SheetCoverage, SheetAssumptions, SheetMethodology}

// FindingsTable is the name of the Excel table on the Findings sheet.
const FindingsTable = "Findings"

// PricingStatement is the basis of every price in the workbook.
const PricingStatement = "On-demand list prices before RI/SP/EDP discounts; monthly = 730 hours"

// Disclaimer is printed on the Executive Summary and the Methodology sheet.
const Disclaimer = "Not accounting or tax advice: classifications and savings are estimates for management discussion; confirm with your controller."

// XLSX writes the CFO workbook (see Sheets). Money is written as numbers
// with a currency format, text as sanitized strings with the Text number
// format. The headline figures are live formulas from a fixed allow-list
// (formulas.go) over the Findings table and the Assumptions' defined
// names, each with the value Go computed as its cached value.
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
	if err := f.SetSheetName("Sheet1", Sheets[0]); err != nil {
		return fmt.Errorf("xlsx: %w", err)
	}
	for _, name := range Sheets[1:] {
		if _, err := f.NewSheet(name); err != nil {
			return fmt.Errorf("xlsx: %w", err)
		}
	}
	// The stream sheets first (research §5.3 build order): Findings, then
	// the Executive Summary, whose formulas need cached values and whose
	// charts must be added before its Flush. Then the small sheets with the
	// normal API, then the defined names.
	if err := writeFindingsSheet(f, st, res); err != nil {
		return fmt.Errorf("xlsx: %s: %w", SheetFindings, err)
	}
	lt := computeLive(res)
	if err := writeSummary(f, st, res, &lt); err != nil {
		return fmt.Errorf("xlsx: %s: %w", SheetSummary, err)
	}
	names := &definedNames{}
	for _, s := range []struct {
		name  string
		write func(*sheet, *findings.Result)
	}{
		{SheetWins, writeWins},
		{SheetGhost, func(s *sheet, r *findings.Result) { writeCategory(s, r, findings.CategoryGhostLicense) }},
		{SheetIdle, func(s *sheet, r *findings.Result) { writeCategory(s, r, findings.CategoryIdleInfrastructure) }},
		{SheetClass, writeClass},
		{SheetSuppressed, writeSuppressed},
		{SheetCoverage, writeCoverage},
		{SheetAssumptions, writeAssumptions},
		{SheetMethodology, writeMethodology},
	} {
		sh := &sheet{f: f, st: st, name: s.name, names: names}
		sh.err = fitToPage(f, s.name)
		s.write(sh, res)
		if sh.err == nil {
			sh.err = f.SetPageLayout(s.name, landscape())
		}
		if sh.err != nil {
			return fmt.Errorf("xlsx: %s: %w", s.name, sh.err)
		}
	}
	if err := writeTrend(f, st, res); err != nil {
		return fmt.Errorf("xlsx: %s: %w", SheetTrend, err)
	}
	for _, dn := range names.list {
		if err := f.SetDefinedName(&dn); err != nil {
			return fmt.Errorf("xlsx: defined name %s: %w", dn.Name, err)
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

// definedNames collects the workbook-level names the sheets define.
type definedNames struct{ list []excelize.DefinedName }

func (d *definedNames) add(name, sheet, ref string) {
	d.list = append(d.list, excelize.DefinedName{Name: name, RefersTo: "'" + sheet + "'!" + ref})
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
	unitPrice, decimal2, date, percent        int
	input, inputPct                           int
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
	day := "yyyy-mm-dd"
	s.date = mk(&excelize.Style{CustomNumFmt: &day, Alignment: top})
	s.percent = mk(&excelize.Style{NumFmt: 10, Alignment: top}) // 0.00%
	// Input cells of the Assumptions sheet: the ones a CFO may edit.
	inFill := excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"FFF2CC"}}
	s.input = mk(&excelize.Style{CustomNumFmt: &dec2, Fill: inFill, Alignment: top})
	s.inputPct = mk(&excelize.Style{NumFmt: 9, Fill: inFill, Alignment: top}) // 0%
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
	if err := fitToPage(f, SheetFindings); err != nil {
		return err
	}
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
			case kindDate:
				if v.Date.IsZero() {
					row[j] = excelize.Cell{StyleID: st.date}
				} else {
					row[j] = excelize.Cell{StyleID: st.date, Value: excelSerial(v.Date)}
				}
			}
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		if err := sw.SetRow(cell, row); err != nil {
			return err
		}
	}
	// Console links: set before Flush (stream sheets keep hyperlinks added
	// then), https to known console hosts only, within Excel's per-sheet limit.
	consoleCol := 0
	for i, c := range findingColumns {
		if c.Name == ColConsole {
			consoleCol = i + 1
		}
	}
	for i := range res.Findings {
		if i >= 65000 || consoleCol == 0 {
			break
		}
		if link := ConsoleURL(&res.Findings[i]); link != "" {
			cell, _ := excelize.CoordinatesToCellName(consoleCol, i+2)
			display, tip := "open in console", "Provider console (link built from the resource's IDs)"
			if err := f.SetCellHyperLink(SheetFindings, cell, link, "External", excelize.HyperlinkOpts{Display: &display, Tooltip: &tip}); err != nil {
				return err
			}
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

// landscape prints a sheet landscape, one page wide (as many tall as it
// takes); fitToPage must be on for the fit to apply.
func landscape() *excelize.PageLayoutOptions {
	o, one, zero := "landscape", 1, 0
	return &excelize.PageLayoutOptions{Orientation: &o, FitToWidth: &one, FitToHeight: &zero}
}

// onePage prints a sheet landscape on exactly one page.
func onePage() *excelize.PageLayoutOptions {
	o, one := "landscape", 1
	return &excelize.PageLayoutOptions{Orientation: &o, FitToWidth: &one, FitToHeight: &one}
}

// fitToPage switches the fit on. A stream sheet writes its sheet
// properties when the StreamWriter is created, so call this first.
func fitToPage(f *excelize.File, sheet string) error {
	on := true
	return f.SetSheetProps(sheet, &excelize.SheetPropsOptions{FitToPage: &on})
}

// sheet writes a small sheet with the normal API, one row at a time. The
// first error sticks and stops further writes.
type sheet struct {
	f     *excelize.File
	st    *styles
	name  string
	row   int
	err   error
	names *definedNames
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
	// date is a day, shown yyyy-mm-dd; zero leaves the cell empty.
	date time.Time
	// input is an editable number on the Assumptions sheet (pct: a share
	// shown as a percentage).
	input struct {
		d   decimal.Decimal
		pct bool
	}
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
		case date:
			if time.Time(v).IsZero() {
				continue
			}
			s.err, style = s.f.SetCellFloat(s.name, ref, excelSerial(time.Time(v)), -1, 64), s.st.date
		case input:
			style = s.st.input
			if v.pct {
				style = s.st.inputPct
			}
			s.err = s.f.SetCellFloat(s.name, ref, v.d.InexactFloat64(), -1, 64)
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

func sortedFX(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
