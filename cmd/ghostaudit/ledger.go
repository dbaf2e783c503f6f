package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/ghostaudit/ghostaudit/findings"
	"github.com/ghostaudit/ghostaudit/findings/ledger"
)

// ledgerFlags are the CI-tracking flags of scan, demo and report.
type ledgerFlags struct {
	dsn    string
	scope  string
	failOn []string
}

func (l *ledgerFlags) add(fs *pflag.FlagSet, getenv func(string) string) {
	fs.StringVar(&l.dsn, "ledger", getenv("GHOSTAUDIT_LEDGER"), "record the run in a savings ledger: a SQLite file path, or postgres://… (env GHOSTAUDIT_LEDGER)")
	fs.StringVar(&l.scope, "ledger-scope", envOr(getenv, "GHOSTAUDIT_LEDGER_SCOPE", "default"), "name of the run series in the ledger, e.g. prod (env GHOSTAUDIT_LEDGER_SCOPE)")
	fs.StringArrayVar(&l.failOn, "fail-on", splitList(getenv("GHOSTAUDIT_FAIL_ON")), "exit 3 when crossed: new-savings>=N, total-savings>=N, new-findings>=N or rule=<rule id> (repeatable; env GHOSTAUDIT_FAIL_ON, comma-separated)")
}

// thresholds parses --fail-on; a bad expression is a usage error.
func (l *ledgerFlags) thresholds() ([]ledger.Threshold, error) {
	ts, err := ledger.ParseFailOnAll(l.failOn)
	if err != nil {
		return nil, usagef("--fail-on: %v", err)
	}
	return ts, nil
}

func openLedger(ctx context.Context, dsn string) (*ledger.Ledger, error) {
	l, err := ledger.Open(ctx, dsn)
	if err != nil {
		return nil, fmt.Errorf("ledger: %w", err)
	}
	return l, nil
}

// track records the run in the ledger (when one is configured), diffs it
// against the series' previous run and attaches the history to the result
// for the Trend sheet. It returns the diff, nil without a ledger.
func (a *app) track(ctx context.Context, lf *ledgerFlags, res *findings.Result) (*ledger.Diff, error) {
	if lf.dsn == "" {
		return nil, nil
	}
	l, err := openLedger(ctx, lf.dsn)
	if err != nil {
		return nil, err
	}
	defer l.Close()
	scope := ledger.Scope{Name: lf.scope}
	for _, s := range res.Status {
		scope.Scanners = append(scope.Scanners, s.Scanner)
	}
	// The series' first run has no baseline: it records and establishes
	// one, and new-* thresholds do not apply to it (nil diff).
	base, err := l.Baseline(ctx, "previous", scope)
	first := errors.Is(err, ledger.ErrNoRun)
	if err != nil && !first {
		return nil, fmt.Errorf("ledger: baseline: %w", err)
	}
	id, err := l.Record(ctx, res, scope)
	if err != nil {
		return nil, fmt.Errorf("ledger: record: %w", err)
	}
	a.logger.Info("run recorded in the ledger", "run", id, "ledger", l.String())
	hist, err := l.History(ctx, scope)
	if err != nil {
		return nil, fmt.Errorf("ledger: history: %w", err)
	}
	res.Trend = res.Trend[:0]
	for _, p := range hist {
		res.Trend = append(res.Trend, findings.TrendPoint{Run: fmt.Sprint(p.Run), ScannedAt: p.ScannedAt, Findings: p.Findings,
			Identified: p.IdentifiedMonthly, Realised: p.RealisedMonthly, Open: p.OpenMonthly})
	}
	if first {
		a.logger.Info("first run of the series: it is the baseline of the next", "series", scope.Name)
		return nil, nil
	}
	return ledger.Compare(base, ledger.FromResult(res)), nil
}

// failOn applies --fail-on to a run: exit 3, after the reports are written.
func failOn(ts []ledger.Threshold, d *ledger.Diff, res *findings.Result) error {
	if len(ts) == 0 {
		return nil
	}
	crossed := ledger.Evaluate(d, res, ts)
	if len(crossed) == 0 {
		return nil
	}
	msgs := make([]string, len(crossed))
	for i, c := range crossed {
		msgs[i] = c.Message
	}
	return &codedError{exitThreshold, fmt.Errorf("--fail-on threshold crossed:\n  %s", strings.Join(msgs, "\n  "))}
}

func (a *app) diffCommand() *cobra.Command {
	var lf ledgerFlags
	var baseline, current, format string
	cmd := &cobra.Command{
		Use:   "diff",
		Short: "Compare two audits: new, resolved, changed and still-open findings, and savings realised",
		Long: `diff compares a run with a baseline from the savings ledger (or with findings
JSON files): what is new, what was resolved since (realised savings, at their last
estimate), what changed and what is still open. A finding that vanished only
because its account or region was not covered by the current run (a coverage gap)
is not counted as realised. With --fail-on, crossing a threshold exits 3.`,
		Example: `  # The latest run against the one before it
  ghostaudit diff --ledger ghostaudit-ledger.db

  # Markdown for a CI job summary, failing on new waste
  ghostaudit diff --ledger "$LEDGER" --format md --fail-on new-savings>=500 >> "$GITHUB_STEP_SUMMARY"

  # Two findings files, no ledger
  ghostaudit diff --baseline last-week.json --current findings.json --format json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ts, err := lf.thresholds()
			if err != nil {
				return err
			}
			switch format {
			case "table", "md", "json":
			default:
				return usagef("--format %q: want table, md or json", format)
			}
			base, cur, err := a.diffSides(cmd.Context(), &lf, baseline, current)
			if err != nil {
				return err
			}
			d := ledger.Compare(base, cur)
			out := cmd.OutOrStdout()
			switch format {
			case "json":
				err = d.WriteJSON(out)
			case "md":
				err = d.WriteMarkdown(out)
			default:
				err = writeDiffTable(out, d)
			}
			if err != nil {
				return err
			}
			return failOn(ts, d, nil)
		},
	}
	lf.add(cmd.Flags(), a.getenv)
	cmd.Flags().StringVar(&baseline, "baseline", "previous", "baseline: previous (the run before the current one), latest, a run ID, or a findings JSON file")
	cmd.Flags().StringVar(&current, "current", "latest", "current side: latest, a run ID, or a findings JSON file")
	cmd.Flags().StringVar(&format, "format", "table", "output: table, md or json")
	return cmd
}

// diffSides resolves the two sides of a diff. "previous" with "latest"
// means the two newest runs of the series.
func (a *app) diffSides(ctx context.Context, lf *ledgerFlags, baseRef, curRef string) (*ledger.Snapshot, *ledger.Snapshot, error) {
	isFile := func(ref string) bool { return strings.HasSuffix(ref, ".json") }
	if isFile(baseRef) && isFile(curRef) {
		b, err := ledger.ReadFindingsFile(baseRef)
		if err != nil {
			return nil, nil, &usageError{err}
		}
		c, err := ledger.ReadFindingsFile(curRef)
		if err != nil {
			return nil, nil, &usageError{err}
		}
		return b, c, nil
	}
	if lf.dsn == "" {
		return nil, nil, usagef("--ledger is required unless --baseline and --current are both findings JSON files")
	}
	l, err := openLedger(ctx, lf.dsn)
	if err != nil {
		return nil, nil, err
	}
	defer l.Close()
	scope := ledger.Scope{Name: lf.scope}
	if baseRef == "previous" && curRef == "latest" {
		runs, err := l.SeriesRuns(ctx, scope.Name)
		if err != nil {
			return nil, nil, fmt.Errorf("ledger: %w", err)
		}
		if len(runs) == 0 {
			return nil, nil, usagef("the ledger has no run in series %q yet", scope.Name)
		}
		cur, err := l.RunSnapshot(ctx, runs[len(runs)-1].ID)
		if err != nil {
			return nil, nil, fmt.Errorf("ledger: %w", err)
		}
		if len(runs) == 1 {
			return ledger.Empty(), cur, nil
		}
		base, err := l.RunSnapshot(ctx, runs[len(runs)-2].ID)
		if err != nil {
			return nil, nil, fmt.Errorf("ledger: %w", err)
		}
		return base, cur, nil
	}
	base, err := l.Baseline(ctx, baseRef, scope)
	if err != nil {
		return nil, nil, usagef("--baseline %s: %v", baseRef, err)
	}
	cur, err := l.Baseline(ctx, curRef, scope)
	if err != nil {
		return nil, nil, usagef("--current %s: %v", curRef, err)
	}
	return base, cur, nil
}

// writeDiffTable prints the diff's headline for a terminal or a log.
func writeDiffTable(w io.Writer, d *ledger.Diff) error {
	cur := d.Currency
	_, err := fmt.Fprintf(w, "new\t%d\t%s %s/month\nresolved (realised)\t%d\t%s %s/month\nchanged\t%d\t%s %s/month\nstill open\t%d\t%s %s/month\nnot covered (not realised)\t%d\t%s %s/month\n",
		d.Counts.New, d.NewMonthly.StringFixed(2), cur,
		d.Counts.Resolved, d.RealisedMonthly.StringFixed(2), cur,
		d.Counts.Changed, d.ChangedMonthly.StringFixed(2), cur,
		d.Counts.Open, d.OpenMonthly.StringFixed(2), cur,
		len(d.NotRealisedUncovered), d.UncoveredMonthly.StringFixed(2), cur)
	return err
}
