package report

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"unicode"

	"github.com/ghostaudit/ghostaudit/findings"
	"github.com/ghostaudit/ghostaudit/report/sanitize"
)

// TableOptions configure the table writer.
type TableOptions struct {
	// TTY selects the human form: titled sections with aligned columns.
	// Otherwise the output is tab-separated records without headers or
	// colour, one record type per line (summary, finding, scanner, gap).
	TTY bool
	// Color adds ANSI bold to section titles; only honoured with TTY.
	Color bool
	// Top is how many findings to list; 0 means 10.
	Top int
	// Width caps long text columns on a TTY, in runes; 0 means 48.
	Width int
}

// Table writes a short summary for stdout: the headline, the top findings
// and the coverage. The output depends only on the result and the options.
type Table struct{ opts TableOptions }

// NewTable returns a table writer.
func NewTable(opts TableOptions) Table {
	if opts.Top <= 0 {
		opts.Top = 10
	}
	if opts.Width <= 0 {
		opts.Width = 48
	}
	return Table{opts: opts}
}

// Format implements Writer.
func (Table) Format() string { return "table" }

// Write implements Writer.
func (t Table) Write(w io.Writer, res *findings.Result) error {
	if t.opts.Top <= 0 || t.opts.Width <= 0 {
		t = NewTable(t.opts)
	}
	bw := bufio.NewWriter(w)
	if t.opts.TTY {
		t.writeTTY(bw, res)
	} else {
		t.writePiped(bw, res)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("table: %w", err)
	}
	return nil
}

func (t Table) writeTTY(w io.Writer, res *findings.Result) {
	tot := &res.Totals
	title := func(s string) {
		if t.opts.Color {
			s = "\x1b[1m" + s + "\x1b[0m"
		}
		fmt.Fprintln(w, s)
	}
	cell := func(s string) string { return t.ttyText(s) }
	title("GHOSTAUDIT SAVINGS")
	tw := newTabWriter(w)
	fmt.Fprintf(tw, "Scanned\t%s (ghostaudit %s)\n", scanTime(res.ScannedAt), cell(res.ToolVersion))
	fmt.Fprintf(tw, "Monthly savings\t%s\n", formatMoney(tot.MonthlySavings, tot.Currency))
	fmt.Fprintf(tw, "Annual savings\t%s\n", formatMoney(tot.AnnualSavings, tot.Currency))
	fmt.Fprintf(tw, "Findings\t%d (%d priced, %d unpriced and not in the savings)\n", tot.Findings, tot.Priced, tot.Unpriced)
	fmt.Fprintf(tw, "30-day wins\t%d (%s per month)\n", tot.Wins, formatMoney(tot.WinsMonthly, tot.Currency))
	fmt.Fprintf(tw, "Risk-adjusted\t%s per year\n", formatMoney(tot.RiskAdjustedAnnual, tot.Currency))
	fmt.Fprintf(tw, "EBITDA impact\t%s per year (recurring OpEx; %s risk-adjusted)\n", formatMoney(tot.EBITDAAnnual, tot.Currency), formatMoney(tot.EBITDARiskAdjusted, tot.Currency))
	fmt.Fprintf(tw, "EV impact\t%s at %s× EV/EBITDA (illustrative)\n", formatMoney(tot.EVImpact, tot.Currency), tot.EVMultiple.String())
	if tot.Suppressed > 0 {
		fmt.Fprintf(tw, "Suppressed\t%d findings (%s per month, not in the totals)\n", tot.Suppressed, formatMoney(tot.SuppressedMonthly, tot.Currency))
	}
	tw.Flush()

	top, wins := topFindings(res, t.opts.Top)
	fmt.Fprintln(w)
	if wins {
		title("TOP 30-DAY WINS")
	} else {
		title("TOP FINDINGS")
	}
	if len(top) == 0 {
		fmt.Fprintln(w, "No findings.")
	} else {
		tw = newTabWriter(w)
		fmt.Fprintln(tw, "RANK\tRULE\tRESOURCE\tMONTHLY SAVINGS\tACTION")
		for _, f := range top {
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\n", f.Rank, cell(f.Rule), cell(resourceLabel(f)), savingsText(f), cell(f.Action))
		}
		tw.Flush()
	}

	fmt.Fprintln(w)
	title("COVERAGE")
	fmt.Fprintln(w, t.ttyLine(coverageLine(res)))
	if len(res.Status) > 0 {
		tw = newTabWriter(w)
		fmt.Fprintln(tw, "SCANNER\tSTATUS\tDURATION\tERROR")
		for _, s := range res.Status {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", cell(s.Scanner), statusText(s.Succeeded), s.Duration.Round(1e6), cell(s.Err))
		}
		tw.Flush()
	}
	if len(res.Gaps) > 0 {
		fmt.Fprintln(w)
		title("GAPS")
		tw = newTabWriter(w)
		fmt.Fprintln(tw, "SCANNER\tSCOPE\tOPERATION\tREASON\tMESSAGE")
		for _, g := range res.Gaps {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", cell(g.Scanner), cell(g.Scope), cell(g.Operation), cell(g.Reason), cell(g.Message))
		}
		tw.Flush()
	}
}

func (t Table) writePiped(w io.Writer, res *findings.Result) {
	tot := &res.Totals
	rec := func(fields ...any) {
		for i, f := range fields {
			if i > 0 {
				io.WriteString(w, "\t")
			}
			switch v := f.(type) {
			case number: // ours, never sanitized: a -5 stays a number
				io.WriteString(w, string(v))
			case string:
				io.WriteString(w, pipedText(v))
			}
		}
		io.WriteString(w, "\n")
	}
	rec("summary", "scanned_at", scanTime(res.ScannedAt))
	rec("summary", "tool_version", res.ToolVersion)
	rec("summary", "currency", tot.Currency)
	rec("summary", "monthly_savings", number(tot.MonthlySavings.String()))
	rec("summary", "annual_savings", number(tot.AnnualSavings.String()))
	rec("summary", "findings", number(strconv.Itoa(tot.Findings)))
	rec("summary", "priced", number(strconv.Itoa(tot.Priced)))
	rec("summary", "unpriced", number(strconv.Itoa(tot.Unpriced)))
	rec("summary", "wins", number(strconv.Itoa(tot.Wins)))
	rec("summary", "wins_monthly_savings", number(tot.WinsMonthly.String()))
	rec("summary", "risk_adjusted_annual", number(tot.RiskAdjustedAnnual.String()))
	rec("summary", "ebitda_annual", number(tot.EBITDAAnnual.String()))
	rec("summary", "ebitda_risk_adjusted", number(tot.EBITDARiskAdjusted.String()))
	rec("summary", "ev_impact", number(tot.EVImpact.String()))
	rec("summary", "suppressed", number(strconv.Itoa(tot.Suppressed)))
	top, _ := topFindings(res, t.opts.Top)
	for _, f := range top {
		var savings any = "unpriced"
		if f.Priced() {
			savings = number(f.MonthlySavings.String())
		}
		rec("finding", number(strconv.Itoa(f.Rank)), f.Rule, resourceLabel(f), savings, f.Action)
	}
	for _, s := range res.Status {
		rec("scanner", s.Scanner, statusText(s.Succeeded), number(strconv.FormatFloat(s.Duration.Seconds(), 'f', 3, 64)), s.Err)
	}
	for _, g := range res.Gaps {
		rec("gap", g.Scanner, g.Account, g.Region, g.Scope, g.Operation, g.Reason, g.Message)
	}
}

// number is a field the writer formatted from a number.
type number string

func statusText(ok bool) string {
	if ok {
		return "ok"
	}
	return "failed"
}

func savingsText(f *findings.Finding) string {
	if !f.Priced() {
		return "unpriced"
	}
	return formatMoney(*f.MonthlySavings, f.Currency)
}

// alignedWriter is a tabwriter whose lines lose their trailing padding.
type alignedWriter struct {
	*tabwriter.Writer
	buf bytes.Buffer
	out io.Writer
}

func newTabWriter(out io.Writer) *alignedWriter {
	a := &alignedWriter{out: out}
	a.Writer = tabwriter.NewWriter(&a.buf, 0, 4, 2, ' ', 0)
	return a
}

// Flush aligns the buffered rows and writes them; errors surface when the
// caller flushes its bufio.Writer.
func (a *alignedWriter) Flush() {
	_ = a.Writer.Flush()
	for _, line := range strings.SplitAfter(a.buf.String(), "\n") {
		if line != "" {
			io.WriteString(a.out, strings.TrimRight(line, " \n")+"\n")
		}
	}
	a.buf.Reset()
}

// ttyLine is ttyText without the width limit, for whole lines.
func (t Table) ttyLine(s string) string {
	wide := t
	wide.opts.Width = len(s) + 1
	return wide.ttyText(s)
}

// ttyText makes untrusted text safe for a terminal and a tabwriter cell:
// no control characters (no escape sequences, tabs or line breaks) and at
// most Width runes.
func (t Table) ttyText(s string) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case r == '\t' || r == '\n' || r == '\r':
			return ' '
		case unicode.IsControl(r) || unicode.Is(unicode.Cf, r):
			return -1
		}
		return r
	}, s)
	if r := []rune(s); len(r) > t.opts.Width {
		s = string(r[:t.opts.Width-1]) + "…"
	}
	return s
}

// pipedText keeps a tab-separated field on one line and inert when the
// output is opened in a spreadsheet.
func pipedText(s string) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case r == '\t' || r == '\n' || r == '\r':
			return ' '
		case unicode.IsControl(r):
			return -1
		}
		return r
	}, s)
	out, _ := sanitize.Text(s)
	return out
}
