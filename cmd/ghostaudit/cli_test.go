package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/spf13/cobra"
	"github.com/xuri/excelize/v2"

	"github.com/ghostaudit/ghostaudit/findings"
	"github.com/ghostaudit/ghostaudit/scanners/all"
	"github.com/ghostaudit/ghostaudit/scanners/estate"
)

// testNow is the scan clock of in-process runs; estate times are relative to it.
var testNow = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

type result struct {
	code           int
	stdout, stderr string
}

// runCLI runs the whole CLI in-process with the given environment only.
func runCLI(t *testing.T, env map[string]string, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	a := &app{stdin: strings.NewReader(""), stdout: &out, stderr: &errb,
		getenv: func(k string) string { return env[k] }, now: func() time.Time { return testNow }, registry: all.Registry()}
	code := a.run(context.Background(), args)
	return result{code, out.String(), errb.String()}
}

// expected reads an estate's expect list as rule+key → savings ("" when
// unpriced), with " (suppressed)" appended for suppressed findings.
func expected(t *testing.T, path string) map[string]string {
	t.Helper()
	est, err := estate.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{}
	for _, e := range est.Expect {
		v := e.MonthlySavings
		if e.Suppressed {
			v += suppressedMark
		}
		want[e.Rule+" "+e.Resource] = v
	}
	return want
}

const suppressedMark = " (suppressed)"

// compareFindings checks precision, recall and savings of a result
// against an expect list.
func compareFindings(t *testing.T, name string, res *findings.Result, want map[string]string) {
	t.Helper()
	got := map[string]*findings.Finding{}
	for i := range res.Findings {
		f := &res.Findings[i]
		got[f.Rule+" "+f.ResourceKey] = f
	}
	var extra, missing []string
	for k := range got {
		if _, ok := want[k]; !ok {
			extra = append(extra, k)
		}
	}
	for k, w := range want {
		f, ok := got[k]
		if !ok {
			missing = append(missing, k)
			continue
		}
		if sup := strings.HasSuffix(w, suppressedMark); sup != f.Suppressed() {
			t.Errorf("%s: %s: suppressed %v, want %v", name, k, f.Suppressed(), sup)
		}
		w = strings.TrimSuffix(w, suppressedMark)
		switch {
		case w == "" && f.Priced():
			t.Errorf("%s: %s: want unpriced, got %s", name, k, f.MonthlySavings)
		case w != "" && !f.Priced():
			t.Errorf("%s: %s: unpriced (%s), want %s", name, k, f.Unpriced, w)
		case w != "" && !f.MonthlySavings.Equal(decimal.RequireFromString(w)):
			t.Errorf("%s: %s: monthly savings %s, want %s", name, k, f.MonthlySavings, w)
		}
	}
	sort.Strings(extra)
	sort.Strings(missing)
	if len(extra) > 0 {
		t.Errorf("%s: precision: %d finding(s) not in the expect list:\n  %s", name, len(extra), strings.Join(extra, "\n  "))
	}
	if len(missing) > 0 {
		t.Errorf("%s: recall: %d expected finding(s) missing:\n  %s", name, len(missing), strings.Join(missing, "\n  "))
	}
}

func readResult(t *testing.T, path string) *findings.Result {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var res findings.Result
	if err := json.Unmarshal(data, &res); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return &res
}

// TestEveryEstateMatchesItsExpectList runs the real scanner against the
// simulator for every estate under testdata/estates and checks precision,
// recall and savings.
func TestEveryEstateMatchesItsExpectList(t *testing.T) {
	t.Parallel()
	all, err := filepath.Glob("../../testdata/estates/*.yaml")
	var files []string
	for _, f := range all {
		if !strings.HasSuffix(f, ".config.yaml") {
			files = append(files, f)
		}
	}
	if err != nil || len(files) < 2 {
		t.Fatalf("estates: %v %v", files, err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			t.Parallel()
			out := filepath.Join(t.TempDir(), "f.json")
			args := []string{"demo", "--estate", f, "--format", "none", "-o", "json=" + out}
			// An estate may come with the config it is audited under: NAME.config.yaml.
			if cfg := strings.TrimSuffix(f, ".yaml") + ".config.yaml"; fileExists(cfg) {
				args = append(args, "--config", cfg)
			}
			r := runCLI(t, nil, args...)
			if r.code != 0 {
				t.Fatalf("exit %d\n%s", r.code, r.stderr)
			}
			res := readResult(t, out)
			if res.Resources == 0 {
				t.Fatalf("%s: the scan saw no resource at all", f)
			}
			compareFindings(t, filepath.Base(f), res, expected(t, f))
		})
	}
}

// TestTroubledScanCompletes is issue 4's acceptance check: one account
// denied, one region throttled past the retry budget and one service
// failing with 5xx still give exit 0 (5 with --strict), and all three are
// on the Coverage sheet.
func TestTroubledScanCompletes(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	xlsx := filepath.Join(dir, "f.xlsx")
	args := []string{"demo", "--estate", "../../testdata/estates/failures.yaml", "--config", "../../testdata/estates/failures.config.yaml", "--format", "none", "-o", "xlsx=" + xlsx}
	if r := runCLI(t, nil, args...); r.code != 0 {
		t.Fatalf("exit %d, want 0\n%s", r.code, r.stderr)
	}
	if r := runCLI(t, nil, append(args, "--strict")...); r.code != exitIncomplete {
		t.Fatalf("--strict: exit %d, want %d", r.code, exitIncomplete)
	}
	f, err := excelize.OpenFile(xlsx)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, _ := f.GetRows("Coverage")
	cov := flatten(rows)
	for _, want := range []string{
		"666666666666\t\taccount 666666666666\tsts:AssumeRole\tdenied",
		"555555555555\teu-west-1\taccount 555555555555 region eu-west-1\tec2:DescribeInstances\tthrottled",
		"555555555555\tus-east-1\taccount 555555555555 region us-east-1\trds:DescribeDBInstances\terror",
	} {
		if !strings.Contains(cov, want) {
			t.Errorf("Coverage sheet lacks %q:\n%s", want, cov)
		}
	}
}

// TestDemoWorkbookSummaryEqualsExpect is the first acceptance check: the
// demo's workbook Summary shows exactly the savings of the expect list.
func TestDemoWorkbookSummaryEqualsExpect(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	xlsx := filepath.Join(dir, "demo.xlsx")
	r := runCLI(t, nil, "demo", "-o", xlsx) // a bare .xlsx path names its format
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	if !strings.Contains(r.stdout, "Wrote xlsx: "+xlsx) || !strings.Contains(r.stdout, "USD/month") {
		t.Errorf("the demo does not print the headline and the file:\n%s", r.stdout)
	}
	var want decimal.Decimal
	for _, s := range expected(t, "../../testdata/estates/demo.yaml") {
		if s != "" && !strings.HasSuffix(s, suppressedMark) {
			want = want.Add(decimal.RequireFromString(s))
		}
	}
	f, err := excelize.OpenFile(xlsx)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows("Executive Summary", excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	var got string
	for _, row := range rows {
		if len(row) >= 2 && row[0] == "Identified savings (monthly)" {
			got = row[1]
		}
	}
	if got == "" {
		t.Fatalf("no monthly savings row in the Executive Summary: %v", rows)
	}
	if g := decimal.RequireFromString(got); !g.Equal(want) {
		t.Errorf("Executive Summary monthly savings %s, expect list sums to %s", g, want)
	}
	// The CFO figures are on the Summary: EBITDA and EV, each with a number.
	for _, label := range []string{"EBITDA impact (recurring OpEx, annualised)", "Enterprise-value impact (illustrative)",
		"Risk-adjusted savings (annualised)", "In-year impact (to fiscal year end)", "Spend in scope (monthly, priced resources)"} {
		found := false
		for _, row := range rows {
			if len(row) >= 2 && row[0] == label {
				if _, err := decimal.NewFromString(row[1]); err != nil {
					t.Errorf("%s: %q is not a number", label, row[1])
				}
				found = true
			}
		}
		if !found {
			t.Errorf("the Executive Summary has no %q row", label)
		}
	}
	// Every finding row has its class and the rationale that decided it.
	frows, _ := f.GetRows("Findings")
	classCol, ratCol := -1, -1
	for i, h := range frows[0] {
		switch h {
		case "Class":
			classCol = i
		case "Class rationale":
			ratCol = i
		}
	}
	if classCol < 0 || ratCol < 0 {
		t.Fatalf("Findings has no Class / Class rationale column: %v", frows[0])
	}
	classes := map[string]bool{}
	for _, row := range frows[1:] {
		if len(row) <= ratCol || row[classCol] == "" || row[ratCol] == "" {
			t.Errorf("finding without class or rationale: %v", row)
			continue
		}
		classes[row[classCol]] = true
	}
	if !classes["OpEx"] || !classes["Review"] {
		t.Errorf("the demo should show OpEx findings and the Review one: %v", classes)
	}
	// The denied region is a gap on the Coverage sheet.
	cov, _ := f.GetRows("Coverage")
	if !strings.Contains(flatten(cov), "ap-southeast-2") {
		t.Error("the denied region is not on the Coverage sheet")
	}
}

func flatten(rows [][]string) string {
	var b strings.Builder
	for _, r := range rows {
		b.WriteString(strings.Join(r, "\t"))
		b.WriteByte('\n')
	}
	return b.String()
}

// TestHostileNamesStayText checks that tag values which look like formulas
// are text in the workbook and plain strings in the JSON.
func TestHostileNamesStayText(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	xlsx, js := filepath.Join(dir, "d.xlsx"), filepath.Join(dir, "d.json")
	if r := runCLI(t, nil, "demo", "--format", "none", "-o", "xlsx="+xlsx, "-o", "json="+js); r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	hostile := []string{`=HYPERLINK("http://x","y")`, `+cmd|' /C calc'!A0`}
	res := readResult(t, js)
	names := map[string]bool{}
	for _, f := range res.Findings {
		names[f.ResourceName] = true
	}
	for _, h := range hostile {
		if !names[h] {
			t.Errorf("JSON does not carry %q verbatim as a string", h)
		}
	}
	f, err := excelize.OpenFile(xlsx)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	quoted := map[string]bool{}
	for _, sheet := range f.GetSheetList() {
		rows, _ := f.GetRows(sheet)
		for i, row := range rows {
			for j, v := range row {
				cell, _ := excelize.CoordinatesToCellName(j+1, i+1)
				quoted[v] = true
				// Live totals are formulas on the Executive Summary only, and
				// none may carry scanned text.
				if formula, _ := f.GetCellFormula(sheet, cell); formula != "" {
					if sheet != "Executive Summary" {
						t.Errorf("%s!%s holds a formula %q", sheet, cell, formula)
					}
					for _, h := range append(hostile, "HYPERLINK", "cmd|") {
						if strings.Contains(formula, h) {
							t.Errorf("%s!%s formula %q carries scanned text", sheet, cell, formula)
						}
					}
				}
				if trimmed := strings.TrimLeft(v, " \t\r\n\u00a0\ufeff"); trimmed != "" && strings.ContainsRune("=+-@＝＋－＠", []rune(trimmed)[0]) {
					if typ, _ := f.GetCellType(sheet, cell); typ != excelize.CellTypeNumber {
						t.Errorf("%s!%s = %q starts with a formula trigger", sheet, cell, v)
					}
				}
			}
		}
	}
	for _, h := range hostile {
		if !quoted["'"+h] {
			t.Errorf("the workbook has no text cell %q: the hostile name was dropped or not neutralised", "'"+h)
		}
	}
}

func TestReportReanalysesASavedInventory(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	inv, first, second := filepath.Join(dir, "inv.json"), filepath.Join(dir, "a.json"), filepath.Join(dir, "b.json")
	if r := runCLI(t, nil, "demo", "--format", "none", "-o", "inventory="+inv, "-o", "json="+first); r.code != 0 {
		t.Fatalf("demo: exit %d: %s", r.code, r.stderr)
	}
	if r := runCLI(t, nil, "report", "--inventory", inv, "--format", "none", "-o", "json="+second); r.code != 0 {
		t.Fatalf("report: exit %d: %s", r.code, r.stderr)
	}
	compareFindings(t, "report", readResult(t, second), expected(t, "../../testdata/estates/demo.yaml"))
	a, b := readResult(t, first), readResult(t, second)
	if len(a.Gaps) != len(b.Gaps) || !a.Totals.MonthlySavings.Equal(b.Totals.MonthlySavings) {
		t.Error("offline re-analysis differs from the scan")
	}
	// A config threshold changes the offline result: the 3-day-old volume appears.
	cfg := filepath.Join(dir, "ghostaudit.yaml")
	os.WriteFile(cfg, []byte("rules:\n  aws.ebs.unattached:\n    min_age_days: 0\n"), 0o644)
	if r := runCLI(t, nil, "report", "--config", cfg, "--inventory", inv, "--format", "none", "-o", "json="+second); r.code != 0 {
		t.Fatalf("report with config: exit %d: %s", r.code, r.stderr)
	}
	if len(readResult(t, second).Findings) != len(a.Findings)+1 {
		t.Error("min_age_days 0 did not add the young volume")
	}
}

func TestExitCodes(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	badKey := write("bad-key.yaml", "scanners:\n  aws:\n    regoins: [eu-west-1]\n")
	badType := write("bad-type.yaml", "scanners:\n  aws:\n    max_attempts: lots\n")
	badValue := write("bad-value.yaml", "scanners:\n  aws:\n    accounts: [\"12\"]\n")
	badScanner := write("bad-scanner.yaml", "scanners:\n  azure: {}\n")
	badTop := write("bad-top.yaml", "scaners: {}\n")
	badRule := write("bad-rule.yaml", "rules:\n  aws.ebs.unattached: {min_age_days: soon}\n")
	badEstate := write("bad-estate.yaml", "aws:\n  accounts:\n    - id: \"111111111111\"\n      regions:\n        - name: us-east-1\n          volumes:\n            - {id: vol-1, size_gib: 10, type: gp9}\n")
	badInv := write("inv.json", "{\"schema\": \"ghostaudit.inventory/v1\", \"resources\": 3}")
	goodInv := write("good-inv.json", "{\"schema\": \"ghostaudit.inventory/v1\", \"resources\": []}")
	for _, tc := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"unknown flag", []string{"scan", "--bogus"}, exitUsage, "unknown flag: --bogus"},
		{"unknown command", []string{"frobnicate"}, exitUsage, "unknown command"},
		{"bad output", []string{"demo", "-o", "pdf=x.pdf"}, exitUsage, "unknown format \"pdf\""},
		{"output without format", []string{"demo", "-o", filepath.Join(dir, "report.pdf")}, exitUsage, "cannot tell the format from the extension"},
		{"validate argument and flag differ", []string{"config", "validate", badKey, "--config", badType}, exitUsage, "name different files"},
		{"validate argument", []string{"config", "validate", badKey}, exitUsage, badKey + ":3:5: scanners.aws.regoins: unknown key"},
		{"config unknown key", []string{"scan", "--config", badKey}, exitUsage, badKey + ":3:5: scanners.aws.regoins: unknown key"},
		{"config wrong type", []string{"scan", "--config", badType}, exitUsage, badType + ":3:19: scanners.aws.max_attempts: cannot use a string here, want int"},
		{"config bad value", []string{"scan", "--config", badValue}, exitUsage, badValue + ":3:15: scanners.aws.accounts: \"12\" is not a 12-digit"},
		{"config unknown scanner", []string{"scan", "--config", badScanner}, exitUsage, badScanner + ":2:10: scanners.azure: unknown scanner"},
		{"config unknown top key", []string{"scan", "--config", badTop}, exitUsage, badTop + ":1:1: scaners: unknown key"},
		{"config bad rule", []string{"report", "--config", badRule, "--inventory", goodInv}, exitUsage, "rules.aws.ebs.unattached.min_age_days: \"soon\" is not a non-negative whole number"},
		{"config missing", []string{"scan", "--config", filepath.Join(dir, "nope.yaml")}, exitUsage, "nope.yaml"},
		{"bad estate", []string{"demo", "--estate", badEstate}, exitUsage, badEstate + ":7:47: aws.accounts[0].regions[0].volumes[0].type: \"gp9\" is not a volume type"},
		{"bad inventory", []string{"report", "--inventory", badInv}, exitUsage, badInv + ": line 1"},
		{"no credentials anywhere", []string{"scan"}, exitCredentials, "AWS_PROFILE"},
		{"bad env value", []string{"scan", "--scanners", "aws"}, exitUsage, "GHOSTAUDIT_AWS_MAX_ATTEMPTS"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := map[string]string{}
			if tc.name == "bad env value" {
				env["GHOSTAUDIT_AWS_MAX_ATTEMPTS"] = "many"
			}
			r := runCLI(t, env, tc.args...)
			if r.code != tc.code {
				t.Errorf("exit %d, want %d\nstderr: %s", r.code, tc.code, r.stderr)
			}
			if !strings.Contains(r.stderr, tc.want) {
				t.Errorf("stderr does not contain %q:\n%s", tc.want, r.stderr)
			}
			if strings.Contains(r.stderr, "panic") || strings.Contains(r.stderr, "goroutine ") {
				t.Errorf("stderr shows a panic:\n%s", r.stderr)
			}
		})
	}
}

func TestStrictExitsFiveOnGaps(t *testing.T) {
	t.Parallel()
	r := runCLI(t, nil, "demo", "--strict", "--format", "none", "-o", "json="+filepath.Join(t.TempDir(), "f.json"))
	if r.code != exitIncomplete || !strings.Contains(r.stderr, "coverage is incomplete") {
		t.Errorf("exit %d, stderr %s", r.code, r.stderr)
	}
}

func TestEveryCommandHasHelpWithExamples(t *testing.T) {
	t.Parallel()
	a := &app{getenv: func(string) string { return "" }, registry: all.Registry()}
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if c.Short == "" {
			t.Errorf("%s has no short help", c.CommandPath())
		}
		if c.Runnable() && c.Example == "" {
			t.Errorf("%s has no example", c.CommandPath())
		}
		for _, sub := range c.Commands() {
			if sub.Name() != "help" && sub.Name() != "completion" {
				walk(sub)
			}
		}
	}
	walk(a.rootCommand())
	r := runCLI(t, nil, "scan", "--help")
	if r.code != 0 || !strings.Contains(r.stdout, "--aws-regions") || !strings.Contains(r.stdout, "Examples:") {
		t.Errorf("scan --help: %d\n%s", r.code, r.stdout)
	}
}

func TestScannersListAndVersion(t *testing.T) {
	t.Parallel()
	r := runCLI(t, map[string]string{}, "scanners", "list")
	if r.code != 0 || !strings.HasPrefix(r.stdout, "aws\t") {
		t.Errorf("scanners list: %d %q", r.code, r.stdout)
	}
	r = runCLI(t, nil, "version")
	if r.code != 0 || !strings.HasPrefix(r.stdout, "ghostaudit ") {
		t.Errorf("version: %d %q", r.code, r.stdout)
	}
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

func TestProgressLine(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	p := newProgress(&buf)
	p.Total("aws", 34)
	p.Step("aws", "111111111111/us-east-1")
	p.Found("aws", 12)
	p.Step("aws", "111111111111/eu-west-1")
	if !strings.Contains(buf.String(), "aws 2/34 scopes, 12 records") {
		t.Errorf("progress line: %q", buf.String())
	}
	p.finish()
	if !strings.HasSuffix(buf.String(), "\r\033[K") {
		t.Error("the progress line is not cleared at the end")
	}
}

func TestNoProgressWhenPipedOrInCI(t *testing.T) {
	t.Parallel()
	a := &app{getenv: func(k string) string { return map[string]string{"CI": "true"}[k] }}
	if a.isTTY(os.Stderr) {
		t.Error("CI=true still counts as a terminal")
	}
	if a.isTTY(&bytes.Buffer{}) {
		t.Error("a buffer counts as a terminal")
	}
}

// TestLivePrices fetches the prices the rules need from the simulator's
// Price List API, caches them, and labels each one's source.
func TestLivePrices(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cache := filepath.Join(dir, "cache")
	out := filepath.Join(dir, "f.json")
	for run := 0; run < 2; run++ {
		r := runCLI(t, nil, "demo", "--prices", "live", "--price-cache", cache, "--format", "none", "-o", "json="+out)
		if r.code != 0 {
			t.Fatalf("run %d: exit %d\n%s", run, r.code, r.stderr)
		}
		res := readResult(t, out)
		live, fromCache, gcpLive := 0, 0, 0
		for _, p := range res.Prices {
			if p.Source == "live" && p.Provider == "gcp" {
				gcpLive++ // from the Cloud Billing Catalog, also cached
				if p.Item == "disk.pd-standard" && !p.Amount.Equal(decimal.RequireFromString("0.044")) {
					t.Errorf("pd-standard in us-east4: %s, want the zonal SKU's 0.044, not the regional decoy", p.Amount)
				}
			}
			if p.Source == "live" && p.Provider == "aws" {
				live++
				if strings.Contains(p.Ref, "from the cache") {
					fromCache++
				}
			}
		}
		if live == 0 || gcpLive == 0 {
			t.Fatalf("run %d: live prices used: %d (GCP %d)", run, live, gcpLive)
		}
		if run == 1 && fromCache != live {
			t.Errorf("second run: %d of %d live prices came from the cache", fromCache, live)
		}
	}
	if entries, _ := os.ReadDir(cache); len(entries) == 0 {
		t.Error("nothing was cached")
	}
	if !fileExists(filepath.Join(cache, "gcp-compute-catalog.json")) {
		t.Error("the GCP catalog was not cached")
	}
	if r := runCLI(t, nil, "demo", "--prices", "guess"); r.code != exitUsage {
		t.Errorf("--prices guess: exit %d", r.code)
	}
}

// TestEveryTriggerStaysText is issue 7's acceptance check: names and tags
// that start with every formula trigger come out as plain text in the
// workbook (read back), the CSV and the JSON.
func TestEveryTriggerStaysText(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	xlsx, csvPath, js := filepath.Join(dir, "h.xlsx"), filepath.Join(dir, "h.csv"), filepath.Join(dir, "h.json")
	r := runCLI(t, nil, "demo", "--estate", "../../testdata/estates/hostile.yaml", "--format", "none", "-o", "xlsx="+xlsx, "-o", "csv="+csvPath, "-o", "json="+js)
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	res := readResult(t, js)
	if len(res.Findings) != 15 {
		t.Fatalf("%d findings, want 15", len(res.Findings))
	}
	triggers := "=+-@＝＋－＠\t\r\n"
	startsWithTrigger := func(v string) bool {
		v = strings.TrimLeft(v, " \u00a0\ufeff")
		return v != "" && strings.ContainsRune(triggers, []rune(v)[0])
	}
	names := map[string]bool{}
	for _, f := range res.Findings {
		if !startsWithTrigger(f.ResourceName) && !strings.HasPrefix(f.ResourceName, "\t") && !strings.HasPrefix(f.ResourceName, "\r") && !strings.HasPrefix(f.ResourceName, "\n") {
			t.Errorf("JSON: name %q lost its payload (should be verbatim)", f.ResourceName)
		}
		names[f.ResourceName] = true
	}
	f, err := excelize.OpenFile(xlsx)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, sheet := range f.GetSheetList() {
		rows, _ := f.GetRows(sheet)
		for i, row := range rows {
			for j, v := range row {
				cell, _ := excelize.CoordinatesToCellName(j+1, i+1)
				if typ, _ := f.GetCellType(sheet, cell); typ == excelize.CellTypeNumber {
					continue
				}
				if startsWithTrigger(v) {
					t.Errorf("xlsx %s!%s = %q starts with a formula trigger", sheet, cell, v)
				}
			}
		}
	}
	data, err := os.ReadFile(csvPath)
	if err != nil {
		t.Fatal(err)
	}
	for _, field := range strings.Split(strings.TrimPrefix(string(data), "\ufeff"), "\",\"") {
		field = strings.Trim(field, "\"\r\n")
		if startsWithTrigger(field) {
			t.Errorf("CSV field %q starts with a formula trigger", field)
		}
	}
}
