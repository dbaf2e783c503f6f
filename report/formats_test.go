package report

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/ghostaudit/ghostaudit/findings"
	"github.com/ghostaudit/ghostaudit/report/sanitize"
)

func TestLookup(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"xlsx", "json", "csv", "md", "table"} {
		w, err := Lookup(name)
		if err != nil {
			t.Fatalf("Lookup(%q): %v", name, err)
		}
		if w.Format() != name {
			t.Errorf("Lookup(%q).Format() = %q", name, w.Format())
		}
	}
	_, err := Lookup("pdf")
	if !errors.Is(err, ErrUnknownFormat) {
		t.Fatalf("Lookup(pdf) = %v, want ErrUnknownFormat", err)
	}
	if !strings.Contains(err.Error(), "csv, json, md, table, xlsx") {
		t.Errorf("error %q does not list the formats", err)
	}
}

// TestEveryWriterDoesNotModifyResult feeds the shared fixture to every
// format and checks the input is untouched.
func TestEveryWriterDoesNotModifyResult(t *testing.T) {
	t.Parallel()
	var want bytes.Buffer
	if err := (JSON{}).Write(&want, testResult()); err != nil {
		t.Fatal(err)
	}
	for _, name := range Formats() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			res := testResult()
			w, _ := Lookup(name)
			if err := w.Write(io.Discard, res); err != nil {
				t.Fatal(err)
			}
			var got bytes.Buffer
			_ = (JSON{}).Write(&got, res)
			if !bytes.Equal(got.Bytes(), want.Bytes()) {
				t.Errorf("%s writer modified the result", name)
			}
		})
	}
}

func TestCSV(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	if err := (CSV{}).Write(&buf, testResult()); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	assertGolden(t, "findings.csv.golden", buf.Bytes())
	if !strings.HasPrefix(out, "\uFEFF") {
		t.Fatal("no UTF-8 byte-order mark")
	}
	body := strings.TrimPrefix(out, "\uFEFF")
	if !strings.HasSuffix(body, "\r\n") {
		t.Error("records do not end in CRLF")
	}
	// Every field is quoted: walk the raw text with an RFC 4180 scanner.
	lines := strings.Split(strings.TrimSuffix(body, "\r\n"), "\r\n")
	if len(lines) != 1+5 {
		t.Fatalf("%d lines, want header + 5 (a line break leaked into a field?)", len(lines))
	}
	for i, line := range lines {
		n, err := countQuotedFields(line)
		if err != nil {
			t.Errorf("line %d: %v: %s", i+1, err, line)
		}
		if n != len(findingColumns) {
			t.Errorf("line %d: %d fields, want %d", i+1, n, len(findingColumns))
		}
	}
	if !strings.Contains(body, `"a"",""=1+1"`) {
		t.Errorf("the cell break-out value is not escaped by doubling its quotes")
	}
	records, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for i, rec := range records {
		for j, field := range rec {
			if !sanitize.Safe(field) {
				t.Errorf("record %d %s = %q starts with a formula trigger", i, findingColumns[j].Name, field)
			}
			for _, h := range hostileCells {
				if field == h {
					t.Errorf("record %d %s: hostile %q written verbatim", i, findingColumns[j].Name, h)
				}
			}
		}
	}
	// Rank 3 is unpriced: empty money, the reason says so, never 0.
	unpriced := records[3]
	for j, c := range findingColumns {
		switch c.Name {
		case "Monthly cost", "Monthly savings", "Annual savings":
			if unpriced[j] != "" {
				t.Errorf("unpriced %s = %q, want empty", c.Name, unpriced[j])
			}
		case "Unpriced reason":
			if !strings.HasPrefix(unpriced[j], "unpriced") {
				t.Errorf("unpriced reason = %q", unpriced[j])
			}
		case "Resource name":
			if unpriced[j] != hostileBreakout {
				t.Errorf("resource name = %q, want %q back", unpriced[j], hostileBreakout)
			}
		}
	}
}

// countQuotedFields checks that every field of a CSV line is quoted and
// returns how many there are.
func countQuotedFields(line string) (int, error) {
	n := 0
	for i := 0; i < len(line); {
		if line[i] != '"' {
			return n, errors.New("unquoted field at byte " + strconv.Itoa(i))
		}
		i++
		for {
			j := strings.IndexByte(line[i:], '"')
			if j < 0 {
				return n, errors.New("unterminated quote")
			}
			i += j + 1
			if i < len(line) && line[i] == '"' { // doubled quote
				i++
				continue
			}
			break
		}
		n++
		if i == len(line) {
			return n, nil
		}
		if line[i] != ',' {
			return n, errors.New("junk after a closing quote at byte " + strconv.Itoa(i))
		}
		i++
		if i == len(line) {
			return n, errors.New("trailing comma")
		}
	}
	return n, nil
}

func TestJSONRoundTrip(t *testing.T) {
	t.Parallel()
	var first bytes.Buffer
	if err := (JSON{}).Write(&first, testResult()); err != nil {
		t.Fatal(err)
	}
	assertGolden(t, "findings.json.golden", first.Bytes())
	var back findings.Result
	dec := json.NewDecoder(bytes.NewReader(first.Bytes()))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&back); err != nil {
		t.Fatal(err)
	}
	if back.Schema != findings.ResultSchema {
		t.Errorf("schema = %q", back.Schema)
	}
	want := testResult()
	for i := range want.Findings {
		if got := back.Findings[i].ResourceName; got != want.Findings[i].ResourceName {
			t.Errorf("finding %d name = %q, want %q unchanged", i, got, want.Findings[i].ResourceName)
		}
	}
	if back.Findings[2].MonthlySavings != nil {
		t.Errorf("unpriced savings came back as %v", back.Findings[2].MonthlySavings)
	}
	// The hostile name is a plain JSON string, not altered or prefixed.
	if !strings.Contains(first.String(), `"resource_name": "=HYPERLINK(\"http://x\",\"y\")"`) {
		t.Error("hostile name is not a plain JSON string")
	}
	var second bytes.Buffer
	if err := (JSON{}).Write(&second, &back); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(first.Bytes(), second.Bytes()) {
		t.Errorf("JSON does not round-trip:\n%s", lineDiff(first.String(), second.String()))
	}
}

func TestJSONEmptyListsAndSchema(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	if err := (JSON{}).Write(&buf, &findings.Result{}); err != nil {
		t.Fatal(err)
	}
	// Lists are [], never null; null is kept only for amounts that do not exist (unpriced, no payback).
	if regexp.MustCompile(`"(findings|scanners|gaps|prices|missing_prices|thresholds|cost_lines|by_category|by_provider|spend_by_class)": null`).MatchString(buf.String()) ||
		!strings.Contains(buf.String(), `"findings": []`) {
		t.Errorf("empty lists not written as []:\n%s", buf.String())
	}
	if !strings.Contains(buf.String(), findings.ResultSchema) {
		t.Error("schema not filled in")
	}
	if err := (JSON{}).Write(io.Discard, &findings.Result{Schema: "ghostaudit.findings/v0"}); err == nil {
		t.Error("a foreign schema was written")
	}
}

func TestTable(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		golden string
		opts   TableOptions
	}{
		{"table-tty.golden", TableOptions{TTY: true}},
		{"table-piped.golden", TableOptions{}},
	} {
		t.Run(tc.golden, func(t *testing.T) {
			t.Parallel()
			var a, b bytes.Buffer
			if err := NewTable(tc.opts).Write(&a, testResult()); err != nil {
				t.Fatal(err)
			}
			_ = NewTable(tc.opts).Write(&b, testResult())
			if !bytes.Equal(a.Bytes(), b.Bytes()) {
				t.Error("output is not deterministic")
			}
			assertGolden(t, tc.golden, a.Bytes())
			if bytes.ContainsRune(a.Bytes(), '\x1b') {
				t.Error("escape character reached the terminal")
			}
			if !strings.Contains(a.String(), "unpriced") {
				t.Error("the unpriced finding is not shown as unpriced")
			}
		})
	}
	t.Run("piped fields", func(t *testing.T) {
		t.Parallel()
		var buf bytes.Buffer
		_ = NewTable(TableOptions{}).Write(&buf, testResult())
		for _, line := range strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n") {
			fields := strings.Split(line, "\t")
			switch fields[0] {
			case "summary", "finding", "scanner", "gap":
			default:
				t.Errorf("unknown record type in %q", line)
			}
			for _, f := range fields {
				if !sanitize.Safe(f) && !isNumber(f) {
					t.Errorf("field %q in %q starts with a trigger", f, line)
				}
			}
		}
	})
	t.Run("color", func(t *testing.T) {
		t.Parallel()
		var buf bytes.Buffer
		_ = NewTable(TableOptions{TTY: true, Color: true}).Write(&buf, testResult())
		if !strings.HasPrefix(buf.String(), "\x1b[1mGHOSTAUDIT SAVINGS\x1b[0m\n") {
			t.Errorf("no bold title: %q", buf.String()[:30])
		}
	})
}

func isNumber(s string) bool {
	return s != "" && strings.Trim(s, "-0123456789.") == ""
}

// failingWriter writes some bytes, then fails (or panics).
type failingWriter struct{ panics bool }

func (failingWriter) Format() string { return "failing" }
func (fw failingWriter) Write(w io.Writer, _ *findings.Result) error {
	if _, err := io.WriteString(w, "partial output"); err != nil {
		return err
	}
	if fw.panics {
		panic("writer crashed")
	}
	return errors.New("disk on fire")
}

func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func TestWriteFile(t *testing.T) {
	t.Parallel()
	t.Run("failure leaves nothing", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		path := filepath.Join(dir, "audit.xlsx")
		err := WriteFile(path, failingWriter{}, testResult())
		if err == nil || !strings.Contains(err.Error(), "disk on fire") {
			t.Fatalf("err = %v", err)
		}
		if names := dirNames(t, dir); len(names) != 0 {
			t.Errorf("left behind: %v", names)
		}
	})
	t.Run("panic leaves nothing", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		func() {
			defer func() { _ = recover() }()
			_ = WriteFile(filepath.Join(dir, "audit.csv"), failingWriter{panics: true}, testResult())
		}()
		if names := dirNames(t, dir); len(names) != 0 {
			t.Errorf("left behind: %v", names)
		}
	})
	t.Run("existing file replaced only on success", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		path := filepath.Join(dir, "findings.json")
		if err := os.WriteFile(path, []byte("old"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := WriteFile(path, failingWriter{}, testResult()); err == nil {
			t.Fatal("no error")
		}
		if b, _ := os.ReadFile(path); string(b) != "old" {
			t.Fatalf("after a failure the file holds %q", b)
		}
		if err := WriteFile(path, JSON{}, testResult()); err != nil {
			t.Fatal(err)
		}
		b, _ := os.ReadFile(path)
		if !bytes.HasPrefix(b, []byte("{\n")) {
			t.Errorf("file not replaced: %.40q", b)
		}
		if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
			t.Errorf("mode = %v, want the old 0600 kept", fi.Mode().Perm())
		}
		if names := dirNames(t, dir); len(names) != 1 {
			t.Errorf("directory holds %v, want only findings.json", names)
		}
	})
	t.Run("xlsx to a new file", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		path := filepath.Join(dir, "audit.xlsx")
		if err := WriteFile(path, XLSX{}, testResult()); err != nil {
			t.Fatal(err)
		}
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o644 || fi.Size() == 0 {
			t.Errorf("mode %v size %d", fi.Mode().Perm(), fi.Size())
		}
	})
	t.Run("missing directory", func(t *testing.T) {
		t.Parallel()
		if err := WriteFile(filepath.Join(t.TempDir(), "no", "such", "x.json"), JSON{}, testResult()); err == nil {
			t.Error("no error for a missing directory")
		}
	})
}

func TestMarkdown(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	if err := (Markdown{}).Write(&buf, testResult()); err != nil {
		t.Fatal(err)
	}
	assertGolden(t, "summary.md.golden", buf.Bytes())
	out := buf.String()
	for _, want := range []string{"## ghostaudit: savings audit", "### Top 30-day wins", "### Coverage", "$12,507.84", "| aws | ok |"} {
		if !strings.Contains(out, want) {
			t.Errorf("markdown lacks %q", want)
		}
	}
	// Scanned text cannot open a link, an image or HTML, nor break a table row.
	for _, bad := range []string{"<", "](", "![", "\x1b"} {
		if strings.Contains(out, bad) {
			t.Errorf("markdown contains %q unescaped", bad)
		}
	}
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "| ") && strings.Count(strings.ReplaceAll(line, `\|`, ""), "|") < 3 {
			t.Errorf("broken table row %q", line)
		}
	}
}
