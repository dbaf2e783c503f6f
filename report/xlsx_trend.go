package report

import (
	"fmt"

	"github.com/xuri/excelize/v2"

	"github.com/ghostaudit/ghostaudit/findings"
)

// SheetTrend is written only when the result carries a ledger history.
const SheetTrend = "Trend"

// writeTrend lists each ledger run's identified and realised monthly
// savings and charts them as two lines, so the CFO sees what was found and
// what was actually cut, run after run.
func writeTrend(f *excelize.File, st *styles, res *findings.Result) error {
	if len(res.Trend) == 0 {
		return nil
	}
	if _, err := f.NewSheet(SheetTrend); err != nil {
		return err
	}
	// Place it before Coverage, as the design orders the sheets.
	if err := f.MoveSheet(SheetTrend, SheetCoverage); err != nil {
		return err
	}
	s := &sheet{f: f, st: st, name: SheetTrend}
	cur := res.Totals.Currency
	s.widths(22, 14, 10, 22, 22, 22)
	s.line(title("Trend: savings identified and realised, run by run"))
	s.line("From the savings ledger. Realised = findings gone since an earlier run (cumulative, at their last estimate); identified = open + pending behind a coverage gap + realised.")
	s.line()
	s.header("Scanned", "Run", "Findings", "Identified (monthly)", "Realised (monthly)", "Open (monthly)")
	first := s.row + 1
	for _, p := range res.Trend {
		s.line(scanTime(p.ScannedAt), p.Run, p.Findings, amount{p.Identified, cur, 2}, amount{p.Realised, cur, 2}, amount{p.Open, cur, 2})
	}
	last := s.row
	if s.err != nil {
		return s.err
	}
	ref := func(col string) string { return fmt.Sprintf("'%s'!$%s$%d:$%s$%d", SheetTrend, col, first, col, last) }
	zero := 0.0
	if err := f.AddChart(SheetTrend, fmt.Sprintf("H%d", first-1), &excelize.Chart{
		Type:  excelize.Line,
		Title: excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: "Monthly savings: identified vs realised (" + cur + ")"}}},
		Series: []excelize.ChartSeries{
			{Name: fmt.Sprintf("'%s'!$D$%d", SheetTrend, first-1), Categories: ref("A"), Values: ref("D")},
			{Name: fmt.Sprintf("'%s'!$E$%d", SheetTrend, first-1), Categories: ref("A"), Values: ref("E")},
		},
		YAxis:     excelize.ChartAxis{Minimum: &zero, MajorGridLines: true, NumFmt: excelize.ChartNumFmt{CustomNumFmt: "#,##0"}},
		Legend:    excelize.ChartLegend{Position: "bottom"},
		Dimension: excelize.ChartDimension{Width: 640, Height: 320},
	}); err != nil {
		return fmt.Errorf("trend chart: %w", err)
	}
	if err := fitToPage(f, SheetTrend); err != nil {
		return err
	}
	return f.SetPageLayout(SheetTrend, landscape())
}
