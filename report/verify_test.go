package report

import (
	"bytes"
	"encoding/csv"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// TestVerifyWorkbook checks the workbook with LibreOffice, independently
// of excelize (research/report-finance.md §3.2). Opt-in, as it needs
// libreoffice-calc and poppler-utils and takes ~30 s:
//
//	GHOSTAUDIT_VERIFY_WORKBOOK=1 go test ./report/ -run TestVerifyWorkbook -v
//
// GHOSTAUDIT_VERIFY_XLSX names the workbook to check (make verify-workbook
// passes the demo's); without it the demo fixture is rendered.
// GHOSTAUDIT_VERIFY_OUT keeps the PDF, PNG and CSV files there.
//
// It checks that each sheet prints on its intended pages (the Executive
// Summary on exactly one), that every cached value equals LibreOffice's
// own recalculation (CSV export with the default profile, which trusts
// cached values, diffed against a profile set to always recalculate), and
// that this diff does catch a wrong cached value.
func TestVerifyWorkbook(t *testing.T) {
	if os.Getenv("GHOSTAUDIT_VERIFY_WORKBOOK") == "" {
		t.Skip("set GHOSTAUDIT_VERIFY_WORKBOOK=1 to check the workbook with LibreOffice")
	}
	soffice := lookFirst("soffice", "libreoffice")
	if soffice == "" {
		t.Skip("SKIPPED: LibreOffice (soffice) is not installed: apt-get install -y libreoffice-calc poppler-utils")
	}
	for _, tool := range []string{"pdftotext", "pdftoppm"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("SKIPPED: %s is not installed: apt-get install -y poppler-utils", tool)
		}
	}
	out := os.Getenv("GHOSTAUDIT_VERIFY_OUT")
	if out == "" {
		out = t.TempDir()
	}
	out, _ = filepath.Abs(out)
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	book := os.Getenv("GHOSTAUDIT_VERIFY_XLSX")
	if book == "" {
		book = filepath.Join(out, "demo.xlsx")
		if err := WriteFile(book, XLSX{}, demoResult(t)); err != nil {
			t.Fatal(err)
		}
	}
	lo := &libreOffice{t: t, bin: soffice, dir: out}
	cached := lo.profile("profile-default", "")
	recalc := lo.profile("profile-recalc", recalcAlways)

	// 1. Print: each sheet's pages, found by the title line that starts it.
	pdf := lo.convert(cached, book, "pdf", "pdf")
	pages := pdfPages(t, pdf)
	f, err := excelize.OpenFile(book)
	if err != nil {
		t.Fatal(err)
	}
	titles := make([]string, len(Sheets))
	for i, name := range Sheets {
		v, _ := f.GetCellValue(name, "A1")
		titles[i] = strings.Join(strings.Fields(v), " ")
	}
	f.Close()
	sheetPages := make([]int, len(Sheets))
	cur := -1
	for p, text := range pages {
		first := strings.Join(strings.Fields(firstLine(text)), " ")
		for i := cur + 1; i < len(titles); i++ {
			if titles[i] != "" && strings.HasPrefix(first, titles[i]) {
				cur = i
				break
			}
		}
		if cur < 0 {
			t.Fatalf("page %d does not start a sheet: %q", p+1, first)
		}
		sheetPages[cur]++
	}
	for i, name := range Sheets {
		t.Logf("print: %-22s %d page(s)", name, sheetPages[i])
		if sheetPages[i] == 0 {
			t.Errorf("sheet %s prints no page (or its title was not found)", name)
		}
	}
	if sheetPages[0] != 1 {
		t.Errorf("Executive Summary prints on %d pages, want 1", sheetPages[0])
	}
	run(t, "pdftoppm", "-png", "-r", "90", "-f", "1", "-l", "1", pdf, filepath.Join(out, "executive-summary"))
	t.Logf("Executive Summary image: %s", filepath.Join(out, "executive-summary-01.png"))

	// 2. Cached values = LibreOffice's recalculation.
	if diff := lo.cacheDiff(cached, recalc, book, "book"); diff != "" {
		t.Errorf("cached values differ from LibreOffice's recalculation:\n%s", diff)
	}

	// 3. The check works: a deliberately wrong cache is caught.
	bad := excelize.NewFile()
	sw, _ := bad.NewStreamWriter("Sheet1")
	_ = sw.SetRow("A1", []any{2, 3, excelize.Cell{Formula: "A1+B1", Value: 99}})
	_ = sw.Flush()
	badPath := filepath.Join(out, "wrong-cache.xlsx")
	if err := bad.SaveAs(badPath); err != nil {
		t.Fatal(err)
	}
	if lo.cacheDiff(cached, recalc, badPath, "control") == "" {
		t.Error("control: a wrong cached value (99 for 2+3) was not detected; the recalculation profile is not in effect")
	}
}

// recalcAlways is the LibreOffice setting "recalculate on load: always"
// for OOXML files (0 = always, 1 = never, 2 = prompt).
const recalcAlways = `<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>`

type libreOffice struct {
	t   *testing.T
	bin string
	dir string
}

// profile makes an isolated user profile, optionally with settings.
func (lo *libreOffice) profile(name, items string) string {
	dir := filepath.Join(lo.dir, name)
	_ = os.RemoveAll(dir)
	if err := os.MkdirAll(filepath.Join(dir, "user"), 0o755); err != nil {
		lo.t.Fatal(err)
	}
	if items != "" {
		xcu := `<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
` + items + "\n</oor:items>\n"
		if err := os.WriteFile(filepath.Join(dir, "user", "registrymodifications.xcu"), []byte(xcu), 0o644); err != nil {
			lo.t.Fatal(err)
		}
	}
	return dir
}

// convert runs soffice --convert-to and returns the output file (for a
// CSV of every sheet, the output directory).
func (lo *libreOffice) convert(profile, src, filter, sub string) string {
	outDir := filepath.Join(lo.dir, sub)
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		lo.t.Fatal(err)
	}
	run(lo.t, lo.bin, "-env:UserInstallation=file://"+profile, "--headless", "--norestore",
		"--convert-to", filter, "--outdir", outDir, src)
	if filter == "pdf" {
		return filepath.Join(outDir, strings.TrimSuffix(filepath.Base(src), filepath.Ext(src))+".pdf")
	}
	return outDir
}

// csvAll exports every sheet as UTF-8 CSV, cells as shown.
const csvAll = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,-1"

// cacheDiff exports src to CSV with both profiles and returns the
// differing lines, per sheet.
func (lo *libreOffice) cacheDiff(cached, recalc, src, tag string) string {
	a := lo.convert(cached, src, csvAll, tag+"-cached")
	b := lo.convert(recalc, src, csvAll, tag+"-recalc")
	files, _ := filepath.Glob(filepath.Join(a, "*.csv"))
	if len(files) == 0 {
		lo.t.Fatalf("%s: LibreOffice wrote no CSV", tag)
	}
	sort.Strings(files)
	var diff strings.Builder
	for _, fa := range files {
		x, _ := os.ReadFile(fa)
		// LibreOffice's own CSV export must carry no cell that a spreadsheet
		// would take for a formula when the CSV is opened again: scanned
		// text is exported with its ' prefix.
		r := csv.NewReader(bytes.NewReader(x))
		r.FieldsPerRecord, r.LazyQuotes = -1, true
		if recs, err := r.ReadAll(); err == nil {
			for _, rec := range recs {
				for _, field := range rec {
					if v := strings.TrimLeft(field, " \u00a0\t"); v != "" && strings.ContainsRune("=+@＝＋＠", []rune(v)[0]) {
						diff.WriteString(filepath.Base(fa) + ": a field would be read as a formula from the CSV: " + field + "\n")
					}
				}
			}
		}
		y, err := os.ReadFile(filepath.Join(b, filepath.Base(fa)))
		if err != nil {
			diff.WriteString(filepath.Base(fa) + ": missing from the recalculated export\n")
			continue
		}
		if !bytes.Equal(x, y) {
			xl, yl := strings.Split(string(x), "\n"), strings.Split(string(y), "\n")
			for i := 0; i < max(len(xl), len(yl)); i++ {
				var l1, l2 string
				if i < len(xl) {
					l1 = xl[i]
				}
				if i < len(yl) {
					l2 = yl[i]
				}
				if l1 != l2 {
					diff.WriteString(filepath.Base(fa) + " line " + strconv.Itoa(i+1) + ":\n  cached: " + l1 + "\n  recalc: " + l2 + "\n")
				}
			}
		}
	}
	lo.t.Logf("%s: compared %d sheets' CSV, cached vs recalculated", tag, len(files))
	return diff.String()
}

func pdfPages(t *testing.T, pdf string) []string {
	text := run(t, "pdftotext", "-layout", pdf, "-")
	pages := strings.Split(text, "\f")
	if len(pages) > 0 && strings.TrimSpace(pages[len(pages)-1]) == "" {
		pages = pages[:len(pages)-1]
	}
	return pages
}

func firstLine(s string) string {
	for _, l := range strings.Split(s, "\n") {
		if strings.TrimSpace(l) != "" {
			return l
		}
	}
	return ""
}

func run(t *testing.T, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, stderr.String())
	}
	return string(out)
}

func lookFirst(names ...string) string {
	for _, n := range names {
		if p, err := exec.LookPath(n); err == nil {
			return p
		}
	}
	return ""
}
