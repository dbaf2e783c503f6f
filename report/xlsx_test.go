package report

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/shopspring/decimal"
	"github.com/xuri/excelize/v2"

	"github.com/ghostaudit/ghostaudit/findings"
	"github.com/ghostaudit/ghostaudit/report/sanitize"
)

// writeXLSX renders the fixture and returns the workbook bytes.
func writeXLSX(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := (XLSX{}).Write(&buf, testResult()); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// demoResult loads the demo-like fixture: the findings JSON the engine
// wrote for the demo estate (go run ./cmd/ghostaudit demo -o
// json=report/testdata/demo-result.json), so its totals are the engine's.
func demoResult(t testing.TB) *findings.Result {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "demo-result.json"))
	if err != nil {
		t.Fatal(err)
	}
	var res findings.Result
	if err := json.Unmarshal(b, &res); err != nil {
		t.Fatal(err)
	}
	return &res
}

var goldenName = regexp.MustCompile(`[^a-z0-9]+`)

func TestXLSXGolden(t *testing.T) {
	t.Parallel()
	for _, fx := range []struct {
		prefix string
		res    func(testing.TB) *findings.Result
	}{
		{"xlsx", func(testing.TB) *findings.Result { return testResult() }},
		{"demo-xlsx", demoResult},
	} {
		t.Run(fx.prefix, func(t *testing.T) {
			var buf bytes.Buffer
			if err := (XLSX{}).Write(&buf, fx.res(t)); err != nil {
				t.Fatal(err)
			}
			goldenSheets(t, fx.prefix, buf.Bytes())
		})
	}
}

func goldenSheets(t *testing.T, prefix string, data []byte) {
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got, want := strings.Join(f.GetSheetList(), ","), strings.Join(Sheets, ","); got != want {
		t.Errorf("sheets = %s, want %s", got, want)
	}
	props, err := f.GetDocProps()
	if err != nil {
		t.Fatal(err)
	}
	if props.Creator != "ghostaudit" || props.Title == "" {
		t.Errorf("doc props: creator %q title %q", props.Creator, props.Title)
	}
	for i, name := range f.GetSheetList() {
		t.Run(name, func(t *testing.T) {
			// Not parallel: excelize's File is not safe for concurrent reads.
			slug := strings.Trim(goldenName.ReplaceAllString(strings.ToLower(name), "-"), "-")
			assertGolden(t, fmt.Sprintf("%s-%02d-%s.golden", prefix, i+1, slug), dumpSheet(t, f, name))
		})
	}
}

// dumpSheet renders every non-empty cell of a sheet as
// "ref  type  value  format", one per line, plus panes and tables.
func dumpSheet(t *testing.T, f *excelize.File, sheet string) []byte {
	t.Helper()
	var b strings.Builder
	panes, err := f.GetPanes(sheet)
	if err != nil {
		t.Fatal(err)
	}
	if panes.Freeze {
		fmt.Fprintf(&b, "# panes: freeze ySplit=%d xSplit=%d topLeft=%s\n", panes.YSplit, panes.XSplit, panes.TopLeftCell)
	}
	tables, err := f.GetTables(sheet)
	if err != nil {
		t.Fatal(err)
	}
	for _, tb := range tables {
		fmt.Fprintf(&b, "# table: %s %s\n", tb.Name, tb.Range)
	}
	dvs, err := f.GetDataValidations(sheet)
	if err != nil {
		t.Fatal(err)
	}
	for _, dv := range dvs {
		fmt.Fprintf(&b, "# validation: %s %s %s\n", dv.Sqref, dv.Type, dv.Formula1)
	}
	for _, dn := range f.GetDefinedName() {
		if strings.Contains(dn.RefersTo, "'"+sheet+"'!") {
			fmt.Fprintf(&b, "# name: %s = %s\n", dn.Name, dn.RefersTo)
		}
	}
	rows, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	for r, row := range rows {
		for c, v := range row {
			if v == "" {
				continue
			}
			ref, _ := excelize.CoordinatesToCellName(c+1, r+1)
			typ, err := f.GetCellType(sheet, ref)
			if err != nil {
				t.Fatal(err)
			}
			styleID, err := f.GetCellStyle(sheet, ref)
			if err != nil {
				t.Fatal(err)
			}
			style, err := f.GetStyle(styleID)
			if err != nil {
				t.Fatal(err)
			}
			format := fmt.Sprint(style.NumFmt)
			if style.CustomNumFmt != nil {
				format = *style.CustomNumFmt
			}
			formula, err := f.GetCellFormula(sheet, ref)
			if err != nil {
				t.Fatal(err)
			}
			if formula != "" {
				formula = "\t=" + formula
			}
			fmt.Fprintf(&b, "%s\t%s\t%q\t%s%s\n", ref, cellTypeName(typ), v, format, formula)
		}
	}
	return []byte(b.String())
}

func cellTypeName(t excelize.CellType) string {
	switch t {
	case excelize.CellTypeSharedString:
		return "s"
	case excelize.CellTypeInlineString:
		return "inlineStr"
	case excelize.CellTypeNumber, excelize.CellTypeUnset:
		return "n"
	case excelize.CellTypeFormula:
		return "f"
	default:
		return fmt.Sprintf("type%d", t)
	}
}

// xmlCell is a <c> element of a worksheet.
type xmlCell struct {
	Ref   string    `xml:"r,attr"`
	Type  string    `xml:"t,attr"`
	F     *string   `xml:"f"`
	V     *string   `xml:"v"`
	Is    *richText `xml:"is"`
	Sheet string    `xml:"-"`
	Text  string    `xml:"-"` // resolved string value
}

type richText struct {
	T string `xml:"t"`
	R []struct {
		T string `xml:"t"`
	} `xml:"r"`
}

func (r *richText) text() string {
	s := r.T
	for _, run := range r.R {
		s += run.T
	}
	return s
}

// zipCells reads every cell of every worksheet straight from the package,
// resolving shared strings, so the checks do not depend on excelize.
func zipCells(t *testing.T, data []byte) []xmlCell {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	read := func(name string) []byte {
		for _, zf := range zr.File {
			if zf.Name == name {
				rc, err := zf.Open()
				if err != nil {
					t.Fatal(err)
				}
				defer rc.Close()
				b, err := io.ReadAll(rc)
				if err != nil {
					t.Fatal(err)
				}
				return b
			}
		}
		return nil
	}
	var sst struct {
		SI []richText `xml:"si"`
	}
	if b := read("xl/sharedStrings.xml"); b != nil {
		if err := xml.Unmarshal(b, &sst); err != nil {
			t.Fatal(err)
		}
	}
	var cells []xmlCell
	for _, zf := range zr.File {
		if !strings.HasPrefix(zf.Name, "xl/worksheets/sheet") {
			continue
		}
		raw := read(zf.Name)
		dec := xml.NewDecoder(bytes.NewReader(raw))
		for {
			tok, err := dec.Token()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("%s: %v", zf.Name, err)
			}
			se, ok := tok.(xml.StartElement)
			if !ok || se.Name.Local != "c" {
				continue
			}
			var c xmlCell
			if err := dec.DecodeElement(&c, &se); err != nil {
				t.Fatalf("%s: %v", zf.Name, err)
			}
			c.Sheet = zf.Name
			switch {
			case c.Type == "s" && c.V != nil:
				var idx int
				fmt.Sscan(*c.V, &idx)
				c.Text = sst.SI[idx].text()
			case c.Type == "inlineStr" && c.Is != nil:
				c.Text = c.Is.text()
			}
			cells = append(cells, c)
		}
	}
	if len(cells) == 0 {
		t.Fatal("no cells found in the package")
	}
	return cells
}

// formulaLiteral finds the string literals of a formula.
var formulaLiteral = regexp.MustCompile(`"[^"]*"`)

// allowedLiterals are the only string literals a workbook formula may hold:
// our own enum values, never scanned text.
var allowedLiterals = map[string]bool{`"high"`: true, `"medium"`: true, `"yes"`: true, `"<"`: true}

func TestXLSXFormulasAllowListedAndHostileCellsNeutralised(t *testing.T) {
	t.Parallel()
	cells := zipCells(t, writeXLSX(t))
	formulas := 0
	for _, c := range cells {
		if c.F != nil {
			formulas++
			// Only the Executive Summary (sheet1.xml) holds formulas, each
			// with a cached numeric value and only enum literals.
			if !strings.HasSuffix(c.Sheet, "/sheet1.xml") {
				t.Errorf("%s %s: formula outside the Executive Summary: %q", c.Sheet, c.Ref, *c.F)
			}
			if c.V == nil || (c.Type != "" && c.Type != "n" && c.Type != "str") {
				t.Errorf("%s %s: formula %q without a numeric cached value (type %q)", c.Sheet, c.Ref, *c.F, c.Type)
			}
			for _, lit := range formulaLiteral.FindAllString(*c.F, -1) {
				if !allowedLiterals[lit] {
					t.Errorf("%s %s: formula %q has literal %s", c.Sheet, c.Ref, *c.F, lit)
				}
			}
			for _, h := range append(hostileCells, hostileBreakout, "aws", "gcp", "m365") {
				if strings.Contains(*c.F, h) {
					t.Errorf("%s %s: formula %q contains data %q", c.Sheet, c.Ref, *c.F, h)
				}
			}
			continue
		}
		switch c.Type {
		case "s", "inlineStr":
			if !sanitize.Safe(c.Text) {
				t.Errorf("%s %s: %q starts with a formula trigger", c.Sheet, c.Ref, c.Text)
			}
		case "", "n":
		default:
			t.Errorf("%s %s: unexpected cell type %q", c.Sheet, c.Ref, c.Type)
		}
	}
	for _, h := range hostileCells {
		want, _ := sanitize.Text(h)
		if !strings.HasPrefix(want, "'") {
			t.Fatalf("fixture: %q is not hostile", h)
		}
		found := 0
		for _, c := range cells {
			if c.Text == want {
				found++
				if c.Type != "s" && c.Type != "inlineStr" {
					t.Errorf("%s %s: hostile %q written as type %q", c.Sheet, c.Ref, h, c.Type)
				}
			}
			if c.Text == h {
				t.Errorf("%s %s: hostile %q written verbatim", c.Sheet, c.Ref, h)
			}
		}
		if found == 0 {
			t.Errorf("hostile %q: no cell holds the neutralised %q", h, want)
		}
	}
	// A value that only contains a trigger mid-string stays as it was.
	found := false
	for _, c := range cells {
		found = found || c.Text == hostileBreakout
	}
	if !found {
		t.Errorf("%q was altered or lost", hostileBreakout)
	}
}

func TestXLSXFindingsSheet(t *testing.T) {
	t.Parallel()
	data := writeXLSX(t)
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()

	panes, err := f.GetPanes(SheetFindings)
	if err != nil {
		t.Fatal(err)
	}
	if !panes.Freeze || panes.YSplit != 1 || panes.TopLeftCell != "A2" {
		t.Errorf("panes = %+v, want the header row frozen", panes)
	}
	tables, err := f.GetTables(SheetFindings)
	if err != nil {
		t.Fatal(err)
	}
	lastCol, _ := excelize.ColumnNumberToName(len(findingColumns))
	if len(tables) != 1 || tables[0].Range != "A1:"+lastCol+"6" {
		t.Fatalf("tables = %+v, want one table over A1:V6", tables)
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	autofilter := false
	for _, zf := range zr.File {
		if strings.HasPrefix(zf.Name, "xl/tables/") {
			rc, _ := zf.Open()
			b, _ := io.ReadAll(rc)
			rc.Close()
			autofilter = autofilter || bytes.Contains(b, []byte(`<autoFilter ref="A1:`+lastCol+`6"`))
		}
	}
	if !autofilter {
		t.Error("the Findings table has no autofilter over A1:V6")
	}

	// Header and column positions come from findingColumns.
	col := map[string]string{}
	for i, c := range findingColumns {
		name, _ := excelize.ColumnNumberToName(i + 1)
		col[c.Name] = name
		if got, _ := f.GetCellValue(SheetFindings, name+"1"); got != c.Name {
			t.Errorf("header %s1 = %q, want %q", name, got, c.Name)
		}
	}
	// Row 4 is rank 3, the unpriced finding: money cells empty, not 0.
	if got, _ := f.GetCellValue(SheetFindings, col["Rank"]+"4"); got != "3" {
		t.Fatalf("row 4 rank = %q, want 3", got)
	}
	cells := zipCells(t, data)
	for _, name := range []string{"Monthly cost", "Monthly savings", "Annual savings"} {
		ref := col[name] + "4"
		for _, c := range cells {
			if c.Ref == ref && strings.Contains(c.Sheet, "sheet3.xml") && (c.V != nil || c.Is != nil || c.Type != "") {
				t.Errorf("unpriced %s (%s) has a value: type %q v %v", name, ref, c.Type, c.V)
			}
		}
	}
	if got, _ := f.GetCellValue(SheetFindings, col["Unpriced reason"]+"4"); !strings.HasPrefix(got, "unpriced: no price") {
		t.Errorf("unpriced reason = %q", got)
	}
	// A priced finding's savings are numbers with a currency format.
	if typ, _ := f.GetCellType(SheetFindings, col["Monthly savings"]+"2"); typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset {
		t.Errorf("monthly savings type = %v, want a number", typ)
	}
	if got, _ := f.GetCellValue(SheetFindings, col["Monthly savings"]+"5"); got != "$925.92" {
		t.Errorf("formatted savings = %q, want $925.92", got)
	}
}

func TestXLSXEmptyResult(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	res := testResult()
	res.Findings, res.Gaps, res.Status, res.Prices, res.Missing, res.Thresholds = nil, nil, nil, nil, nil, nil
	if err := (XLSX{}).Write(&buf, res); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for sheet, want := range map[string]string{SheetSummary: "No findings.", SheetCoverage: "No gaps recorded.", SheetAssumptions: "No prices used.",
		SheetWins: "No 30-day wins in this run.", SheetGhost: "None in this run.", SheetIdle: "None in this run.", SheetSuppressed: "No suppressed findings in this run."} {
		rows, err := f.GetRows(sheet)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, row := range rows {
			found = found || (len(row) > 0 && row[0] == want)
		}
		if !found {
			t.Errorf("%s: no %q line", sheet, want)
		}
	}
	// The table needs two rows; the second is left empty.
	lastCol, _ := excelize.ColumnNumberToName(len(findingColumns))
	if tables, _ := f.GetTables(SheetFindings); len(tables) != 1 || tables[0].Range != "A1:"+lastCol+"2" {
		t.Errorf("tables = %+v, want one over A1:V2", tables)
	}
}

func TestXLSXTruncatesLongText(t *testing.T) {
	t.Parallel()
	res := testResult()
	res.Findings[0].Evidence = []findings.Evidence{{Name: "log", Value: strings.Repeat("x", 40000)}}
	var buf bytes.Buffer
	if err := (XLSX{}).Write(&buf, res); err != nil {
		t.Fatal(err)
	}
	for _, c := range zipCells(t, buf.Bytes()) {
		if strings.HasPrefix(c.Text, "log: xxx") {
			if len(utf16.Encode([]rune(c.Text))) > sanitize.MaxCellLen || !strings.HasSuffix(c.Text, sanitize.TruncatedMarker) {
				t.Errorf("evidence cell: %d UTF-16 units, marker %v", len(utf16.Encode([]rune(c.Text))), strings.HasSuffix(c.Text, sanitize.TruncatedMarker))
			}
			return
		}
	}
	t.Error("evidence cell not found")
}

// TestXLSXLiveTotalsMatchEngine holds the cached values of the live
// formulas to the engine's totals for the demo fixture.
func TestXLSXLiveTotalsMatchEngine(t *testing.T) {
	t.Parallel()
	res := demoResult(t)
	lt := computeLive(res)
	tt := res.Totals
	for _, c := range []struct {
		name      string
		got, want decimal.Decimal
	}{
		{"spend monthly", lt.SpendMonthly, tt.SpendMonthly},
		{"spend annual", lt.SpendAnnual, tt.SpendAnnual},
		{"monthly", lt.Monthly, tt.MonthlySavings},
		{"annual", lt.Annual, tt.AnnualSavings},
		{"risk-adjusted annual", lt.RiskAnnual, tt.RiskAdjustedAnnual},
		{"in-year", lt.InYear, tt.InYearImpact},
		{"EBITDA", lt.EBITDA, tt.EBITDAAnnual},
		{"EBITDA risk-adjusted", lt.EBITDARisk, tt.EBITDARiskAdjusted},
		{"EV", lt.EV, tt.EVImpact},
		{"one-time cost", lt.OneTime, tt.OneTimeCost},
		{"wins monthly", lt.WinsMonthly, tt.WinsMonthly},
	} {
		if !c.got.Equal(c.want) {
			t.Errorf("%s: workbook %s, engine %s", c.name, c.got, c.want)
		}
	}
	if (lt.Payback == nil) != (tt.PaybackMonths == nil) || (lt.Payback != nil && !lt.Payback.Equal(*tt.PaybackMonths)) {
		t.Errorf("payback: workbook %v, engine %v", lt.Payback, tt.PaybackMonths)
	}
	for _, sub := range tt.ByCategory {
		if got := lt.ByCategory[sub.Name]; !got.Equal(sub.AnnualSavings) {
			t.Errorf("category %s: workbook %s, engine %s", sub.Name, got, sub.AnnualSavings)
		}
	}
	for _, sub := range tt.ByProvider {
		if got := lt.ByProvider[sub.Name]; !got.Equal(sub.AnnualSavings) {
			t.Errorf("provider %s: workbook %s, engine %s", sub.Name, got, sub.AnnualSavings)
		}
	}
	// A richer mix than the demo: medium/low confidence and EBITDA findings.
	res.Settings.Haircuts = findings.Haircuts{High: 90, Medium: 50, Low: 20}
	res.Findings[0].Confidence, res.Findings[1].Confidence = findings.Medium, findings.Low
	res.Findings[0].EBITDA, res.Findings[2].EBITDA = true, true
	lt = computeLive(res)
	var want, wantE decimal.Decimal
	for i := range res.Findings {
		f := &res.Findings[i]
		if !f.Counted() {
			continue
		}
		h := map[string]int64{findings.High: 90, findings.Medium: 50}[f.Confidence]
		if f.Confidence == findings.Low {
			h = 20
		}
		ra := f.MonthlySavings.Mul(decimal.NewFromInt(h)).Div(decimal.NewFromInt(100)).Mul(decimal.NewFromInt(12))
		want = want.Add(ra)
		if f.EBITDA {
			wantE = wantE.Add(ra)
		}
	}
	if !lt.RiskAnnual.Equal(want) || !lt.EBITDARisk.Equal(wantE) || !lt.EV.Equal(wantE.Mul(decimal.NewFromInt(10))) {
		t.Errorf("risk-adjusted %s (want %s), EBITDA risk-adjusted %s (want %s), EV %s", lt.RiskAnnual, want, lt.EBITDARisk, wantE, lt.EV)
	}
}

// TestFormulaArgumentsMustBeReferences: the template filler refuses text.
func TestFormulaArgumentsMustBeReferences(t *testing.T) {
	t.Parallel()
	for _, bad := range append(hostileCells, "aws", `A1"&"x`, "Findings[Nope]", "A1;B2") {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("fx accepted %q", bad)
				}
			}()
			fx(fmlTimes, bad, "B2")
		}()
	}
	if got := fx(fmlTimes, "$B$17", NameEVMultiple); got != "$B$17*EVMultiple" {
		t.Errorf("fx = %q", got)
	}
}

// TestXLSXLicenceWasteUnknown: a priced SKU whose waste is unknown (a
// trial of unknown size: Waste nil) is written as "unknown", not a crash,
// and a licence line's note is shown.
func TestXLSXLicenceWasteUnknown(t *testing.T) {
	t.Parallel()
	res := testResult()
	res.Licences = []findings.LicenceSummary{
		{Provider: "m365", Tenant: "t1", SKU: "SPE_E5", Name: "Microsoft 365 E5", Purchased: 25, Assigned: 5, Unused: 20, UnitPrice: usd("60"),
			Note: "a trial subscription of unknown size: the unused paid seats are unknown"},
		{Provider: "m365", Tenant: "t2", SKU: "SPE_E5", Name: "Microsoft 365 E5", Purchased: 10, Assigned: 8, Unused: 2, UnitPrice: usd("60"), Waste: usd("120"),
			Note: "directory/subscriptions was not readable: trial seats (not billed), if any, are counted, so this is an upper bound"},
	}
	var buf bytes.Buffer
	if err := (XLSX{}).Write(&buf, res); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, _ := f.GetRows(SheetGhost)
	var got []string
	for _, row := range rows {
		if len(row) >= 11 && row[0] == "m365" {
			got = append(got, row[1]+" "+row[8]+" "+row[10])
		}
	}
	if len(got) != 2 || !strings.HasPrefix(got[0], "t1 unknown a trial") || !strings.Contains(got[1], "upper bound") || strings.Contains(got[1], "unknown") {
		t.Errorf("licence lines %q", got)
	}
}
