package report

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/ghostaudit/ghostaudit/findings"
)

// Markdown writes a short GitHub-flavoured summary for $GITHUB_STEP_SUMMARY
// or a pull request: the headline figures, the top wins and the coverage.
// Scanned text is escaped so it can neither break the tables nor add
// links, images or HTML.
type Markdown struct {
	// Top is how many wins (or findings) the table lists; 0 means 10.
	Top int
}

// Format implements Writer.
func (Markdown) Format() string { return "md" }

// Write implements Writer.
func (m Markdown) Write(w io.Writer, res *findings.Result) error {
	n := m.Top
	if n <= 0 {
		n = 10
	}
	t := &res.Totals
	cur := t.Currency
	money := func(d decimal.Decimal) string { return formatMoney(d, cur) }
	b := bufio.NewWriter(w)
	fmt.Fprintf(b, "## ghostaudit: savings audit\n\n")
	fmt.Fprintf(b, "Scanned %s · %d resources, %d seats · %s.\n\n", scanTime(res.ScannedAt), res.Resources, res.Seats, mdText(PricingStatement))
	fmt.Fprintf(b, "| Figure | %s |\n|---|---:|\n", cur)
	rows := [][2]string{
		{"Spend in scope (annualised)", money(t.SpendAnnual)},
		{"Identified savings (annualised run-rate)", money(t.AnnualSavings)},
		{"Risk-adjusted savings (annualised)", money(t.RiskAdjustedAnnual)},
		{"In-year impact (to fiscal year end)", money(t.InYearImpact)},
		{"EBITDA impact, risk-adjusted", money(t.EBITDARiskAdjusted)},
		{"Enterprise-value impact (illustrative, × " + t.EVMultiple.String() + ")", money(t.EVImpact)},
		{"One-time cost to implement", money(t.OneTimeCost)},
	}
	payback := "n/a"
	if t.PaybackMonths != nil {
		payback = t.PaybackMonths.StringFixed(2) + " months"
	}
	rows = append(rows, [2]string{"Payback", payback},
		[2]string{"Findings (priced / unpriced / suppressed)", fmt.Sprintf("%d (%d / %d / %d)", t.Findings, t.Priced, t.Unpriced, t.Suppressed)},
		[2]string{"30-day wins", fmt.Sprintf("%d, %s/month", t.Wins, money(t.WinsMonthly))})
	for _, r := range rows {
		fmt.Fprintf(b, "| %s | %s |\n", r[0], r[1])
	}
	top, wins := topFindings(res, n)
	if wins {
		fmt.Fprintf(b, "\n### Top 30-day wins\n\n")
	} else {
		fmt.Fprintf(b, "\n### Top findings (no 30-day wins in this run)\n\n")
	}
	if len(top) == 0 {
		fmt.Fprintf(b, "No findings.\n")
	} else {
		fmt.Fprintf(b, "| # | Finding | Resource | Monthly | Annual | Action |\n|---:|---|---|---:|---:|---|\n")
		for _, f := range top {
			monthly, annual := "unpriced", "unpriced"
			if f.MonthlySavings != nil {
				monthly = formatMoney(*f.MonthlySavings, f.Currency)
			}
			if f.AnnualSavings != nil {
				annual = formatMoney(*f.AnnualSavings, f.Currency)
			}
			fmt.Fprintf(b, "| %d | %s | %s | %s | %s | %s |\n", f.Rank, mdText(f.Title), mdCode(resourceLabel(f)), monthly, annual, mdText(f.Action))
		}
	}
	fmt.Fprintf(b, "\n### Coverage\n\n%s\n\n", mdText(coverageLine(res)))
	if len(res.Status) > 0 {
		fmt.Fprintf(b, "| Scanner | Status | Duration (s) | Error |\n|---|---|---:|---|\n")
		for _, s := range res.Status {
			status := "ok"
			if !s.Succeeded {
				status = "failed"
			}
			fmt.Fprintf(b, "| %s | %s | %.3f | %s |\n", mdText(s.Scanner), status, s.Duration.Seconds(), mdText(s.Err))
		}
	}
	if len(res.Gaps) > 0 {
		fmt.Fprintf(b, "\n| Gap: scanner | Scope | Reason | Message |\n|---|---|---|---|\n")
		for _, g := range res.Gaps {
			fmt.Fprintf(b, "| %s | %s | %s | %s |\n", mdText(g.Scanner), mdText(g.Scope), mdText(g.Reason), mdText(g.Message))
		}
	}
	fmt.Fprintf(b, "\n_%s_\n", mdText(Disclaimer))
	if err := b.Flush(); err != nil {
		return fmt.Errorf("md: %w", err)
	}
	return nil
}

// mdEscaper neutralises Markdown and HTML in scanned text: no table break
// (|), no link or image (brackets), no emphasis or code spans, no HTML.
var mdEscaper = strings.NewReplacer(
	`\`, `\\`, "|", `\|`, "[", `\[`, "]", `\]`,
	"`", "\\`", "*", `\*`, "_", `\_`, "~", `\~`,
	"<", "&lt;", ">", "&gt;", "&", "&amp;",
	"\r\n", " ", "\n", " ", "\r", " ",
)

func mdText(s string) string {
	return mdEscaper.Replace(stripC0(s))
}

// mdCode renders an identifier as inline code; backticks inside are
// dropped (a code span cannot escape them) and pipes escaped.
func mdCode(s string) string {
	s = strings.NewReplacer("`", "", "|", `\|`, "\n", " ", "\r", " ").Replace(stripC0(s))
	if s == "" {
		return ""
	}
	return "`" + s + "`"
}

func stripC0(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 && r != '\n' && r != '\r' {
			if r == '\t' {
				return ' '
			}
			return -1
		}
		return r
	}, s)
}
