package report

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"testing"
	"unicode/utf16"

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

func TestXLSXGolden(t *testing.T) {
	t.Parallel()
	f, err := excelize.OpenReader(bytes.NewReader(writeXLSX(t)))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got, want := strings.Join(f.GetSheetList(), ","), "Summary,Findings,Coverage,Assumptions"; got != want {
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
			assertGolden(t, fmt.Sprintf("xlsx-%d-%s.golden", i+1, strings.ToLower(name)), dumpSheet(t, f, name))
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
			fmt.Fprintf(&b, "%s\t%s\t%q\t%s\n", ref, cellTypeName(typ), v, format)
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
		return "FORMULA"
	default:
		return fmt.Sprintf("type%d", t)
	}
}

// xmlCell is a <c> element of a worksheet.
type xmlCell struct {
	Ref   string    `xml:"r,attr"`
	Type  string    `xml:"t,attr"`
	F     *struct{} `xml:"f"`
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
		if bytes.Contains(raw, []byte("<f>")) || bytes.Contains(raw, []byte("<f ")) {
			t.Errorf("%s contains a formula element", zf.Name)
		}
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

func TestXLSXNoFormulasAndHostileCellsNeutralised(t *testing.T) {
	t.Parallel()
	cells := zipCells(t, writeXLSX(t))
	for _, c := range cells {
		if c.F != nil {
			t.Errorf("%s %s: formula cell", c.Sheet, c.Ref)
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
			if c.Ref == ref && strings.Contains(c.Sheet, "sheet2.xml") && (c.V != nil || c.Is != nil || c.Type != "") {
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
	for sheet, want := range map[string]string{SheetSummary: "No findings.", SheetCoverage: "No gaps recorded.", SheetAssumptions: "No prices used."} {
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
