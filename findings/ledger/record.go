package ledger

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/shopspring/decimal"

	"github.com/ghostaudit/ghostaudit/findings"
)

// RunID identifies a recorded run; IDs grow with each run in a store.
type RunID int64

// String returns the decimal ID, as Baseline accepts it.
func (id RunID) String() string { return strconv.FormatInt(int64(id), 10) }

// Scope says what a run covered, as the caller configured it. Runs with the
// same Name form one series: "previous" baselines and History follow the
// series, so one shared ledger can hold several estates (prod, staging).
// The empty Name is the default series.
type Scope struct {
	Name     string   `json:"name"`
	Scanners []string `json:"scanners,omitempty"`
	Accounts []string `json:"accounts,omitempty"`
	Regions  []string `json:"regions,omitempty"`
}

// Run is one recorded run.
type Run struct {
	ID          RunID           `json:"id"`
	Scope       Scope           `json:"scope"`
	ToolVersion string          `json:"tool_version"`
	ScannedAt   time.Time       `json:"scanned_at"`
	RecordedAt  time.Time       `json:"recorded_at"`
	Currency    string          `json:"currency"`
	Findings    int             `json:"findings"`
	Priced      int             `json:"priced"`
	Unpriced    int             `json:"unpriced"`
	Suppressed  int             `json:"suppressed"`
	Monthly     decimal.Decimal `json:"monthly_savings"`
	Annual      decimal.Decimal `json:"annual_savings"`
	Resources   int             `json:"resources_scanned"`
	Seats       int             `json:"seats_scanned"`
	Gaps        int             `json:"gaps"` // coverage gaps recorded for the run
	Complete    bool            `json:"complete"`
}

const timeFormat = time.RFC3339Nano

func fmtTime(t time.Time) string { return t.UTC().Format(timeFormat) }

func parseTime(s string) (time.Time, error) { return time.Parse(timeFormat, s) }

// nullMoney renders an optional amount for a TEXT/NUMERIC column.
func nullMoney(d *decimal.Decimal) any {
	if d == nil {
		return nil
	}
	return d.String()
}

// scanMoney reads a TEXT/NUMERIC column written by nullMoney.
func scanMoney(ns sql.NullString) (*decimal.Decimal, error) {
	if !ns.Valid {
		return nil, nil
	}
	d, err := decimal.NewFromString(ns.String)
	if err != nil {
		return nil, fmt.Errorf("amount %q: %w", ns.String, err)
	}
	return &d, nil
}

// Record writes a run, its findings, its scanner status and its gaps in one
// transaction. The run row is inserted incomplete and marked complete just
// before the commit, so a writer killed mid-way leaves nothing a reader sees.
func (l *Ledger) Record(ctx context.Context, res *findings.Result, scope Scope) (RunID, error) {
	if res == nil {
		return 0, l.errf("record: nil result")
	}
	seen := make(map[string]bool, len(res.Findings))
	for i := range res.Findings {
		f := &res.Findings[i]
		if f.ID == "" {
			return 0, l.errf("record: finding %d (%s %s) has no ID", i, f.Rule, f.ResourceKey)
		}
		if seen[f.ID] {
			return 0, l.errf("record: duplicate finding ID %s (%s %s)", f.ID, f.Rule, f.ResourceKey)
		}
		seen[f.ID] = true
	}
	scopeJSON, err := json.Marshal(scope)
	if err != nil {
		return 0, l.errf("record: scope: %w", err)
	}
	totalsJSON, err := json.Marshal(res.Totals)
	if err != nil {
		return 0, l.errf("record: totals: %w", err)
	}
	scanned := fmtTime(res.ScannedAt)
	recorded := fmtTime(l.Now())

	tx, err := l.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, l.errf("record: begin: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit

	t := res.Totals
	var id RunID
	err = tx.QueryRowContext(ctx, l.q(`INSERT INTO runs (series, scope, tool_version, scanned_at, recorded_at, currency,
		findings, priced, unpriced, suppressed, monthly_savings, annual_savings, resources, seats, totals, complete)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, FALSE) RETURNING id`),
		scope.Name, string(scopeJSON), res.ToolVersion, scanned, recorded, t.Currency,
		len(res.Findings), t.Priced, t.Unpriced, t.Suppressed, t.MonthlySavings.String(), t.AnnualSavings.String(),
		res.Resources, res.Seats, string(totalsJSON)).Scan(&id)
	if err != nil {
		return 0, l.errf("record: insert run: %w", err)
	}

	upsert, err := tx.PrepareContext(ctx, l.q(`INSERT INTO findings (id, rule, category, provider, account, region,
		resource_kind, resource_id, resource_key, title, first_seen_run, first_seen_at, last_seen_run, last_seen_at, last_monthly_savings)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET title = excluded.title, last_seen_run = excluded.last_seen_run,
		last_seen_at = excluded.last_seen_at, last_monthly_savings = excluded.last_monthly_savings`))
	if err != nil {
		return 0, l.errf("record: %w", err)
	}
	defer upsert.Close()
	sight, err := tx.PrepareContext(ctx, l.q(`INSERT INTO sightings (run_id, finding_id, monthly_savings, currency, suppressed)
		VALUES (?, ?, ?, ?, ?)`))
	if err != nil {
		return 0, l.errf("record: %w", err)
	}
	defer sight.Close()
	// Upsert in ID order: two PostgreSQL writers touching the same findings
	// then lock rows in the same order and wait for each other instead of
	// deadlocking.
	order := make([]int, len(res.Findings))
	for i := range order {
		order[i] = i
	}
	sort.Slice(order, func(a, b int) bool { return res.Findings[order[a]].ID < res.Findings[order[b]].ID })
	for _, i := range order {
		f := &res.Findings[i]
		if _, err := upsert.ExecContext(ctx, f.ID, f.Rule, f.Category, f.Provider, f.Account, f.Region,
			f.ResourceKind, f.ResourceID, f.ResourceKey, f.Title, id, scanned, id, scanned, nullMoney(f.MonthlySavings)); err != nil {
			return 0, l.errf("record: finding %s: %w", f.ID, err)
		}
		cur := f.Currency
		if cur == "" {
			cur = t.Currency
		}
		if _, err := sight.ExecContext(ctx, id, f.ID, nullMoney(f.MonthlySavings), cur, f.Suppressed()); err != nil {
			return 0, l.errf("record: sighting %s: %w", f.ID, err)
		}
	}
	for _, s := range res.Status {
		if _, err := tx.ExecContext(ctx, l.q(`INSERT INTO run_scanners (run_id, scanner, succeeded, error) VALUES (?, ?, ?, ?)`),
			id, s.Scanner, s.Succeeded, s.Err); err != nil {
			return 0, l.errf("record: scanner %s: %w", s.Scanner, err)
		}
	}
	for i, g := range res.Gaps {
		if _, err := tx.ExecContext(ctx, l.q(`INSERT INTO run_gaps (run_id, seq, scanner, account, region, scope, operation, reason, message)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`),
			id, i, g.Scanner, g.Account, g.Region, g.Scope, g.Operation, g.Reason, g.Message); err != nil {
			return 0, l.errf("record: gap %d: %w", i, err)
		}
	}
	if l.midRecord != nil {
		l.midRecord(ctx, id)
	}
	if _, err := tx.ExecContext(ctx, l.q(`UPDATE runs SET complete = TRUE, completed_at = ? WHERE id = ?`), fmtTime(l.Now()), id); err != nil {
		return 0, l.errf("record: complete run %d: %w", id, err)
	}
	if err := tx.Commit(); err != nil {
		return 0, l.errf("record: commit run %d: %w", id, err)
	}
	return id, nil
}

const runColumns = `id, scope, tool_version, scanned_at, recorded_at, currency, findings, priced, unpriced, suppressed,
	monthly_savings, annual_savings, resources, seats, complete,
	(SELECT COUNT(*) FROM run_gaps g WHERE g.run_id = runs.id)`

func scanRun(rows interface{ Scan(...any) error }) (Run, error) {
	var (
		r                 Run
		scope             string
		scanned, recorded string
		monthly, annual   sql.NullString
	)
	if err := rows.Scan(&r.ID, &scope, &r.ToolVersion, &scanned, &recorded, &r.Currency, &r.Findings, &r.Priced,
		&r.Unpriced, &r.Suppressed, &monthly, &annual, &r.Resources, &r.Seats, &r.Complete, &r.Gaps); err != nil {
		return r, err
	}
	if err := json.Unmarshal([]byte(scope), &r.Scope); err != nil {
		return r, fmt.Errorf("run %d: scope: %w", r.ID, err)
	}
	var err error
	if r.ScannedAt, err = parseTime(scanned); err != nil {
		return r, fmt.Errorf("run %d: scanned_at: %w", r.ID, err)
	}
	if r.RecordedAt, err = parseTime(recorded); err != nil {
		return r, fmt.Errorf("run %d: recorded_at: %w", r.ID, err)
	}
	for _, m := range []struct {
		dst *decimal.Decimal
		src sql.NullString
	}{{&r.Monthly, monthly}, {&r.Annual, annual}} {
		d, err := scanMoney(m.src)
		if err != nil {
			return r, fmt.Errorf("run %d: %w", r.ID, err)
		}
		if d != nil {
			*m.dst = *d
		}
	}
	return r, nil
}

// Runs lists the complete runs of every series, oldest first. A run whose
// writer died before its commit is never listed.
func (l *Ledger) Runs(ctx context.Context) ([]Run, error) {
	return l.runs(ctx, `WHERE complete = TRUE ORDER BY id`)
}

// SeriesRuns lists the complete runs of one series, oldest first.
func (l *Ledger) SeriesRuns(ctx context.Context, series string) ([]Run, error) {
	return l.runs(ctx, `WHERE complete = TRUE AND series = ? ORDER BY id`, series)
}

func (l *Ledger) runs(ctx context.Context, where string, args ...any) ([]Run, error) {
	rows, err := l.db.QueryContext(ctx, l.q(`SELECT `+runColumns+` FROM runs `+where), args...)
	if err != nil {
		return nil, l.errf("runs: %w", err)
	}
	defer rows.Close()
	var out []Run
	for rows.Next() {
		r, err := scanRun(rows)
		if err != nil {
			return nil, l.errf("runs: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, l.errf("runs: %w", err)
	}
	return out, nil
}

// ErrNoRun is returned (wrapped) when a run reference matches no complete run.
var ErrNoRun = errors.New("no such run")

// Run returns one complete run.
func (l *Ledger) Run(ctx context.Context, id RunID) (Run, error) {
	r, err := scanRun(l.db.QueryRowContext(ctx, l.q(`SELECT `+runColumns+` FROM runs WHERE complete = TRUE AND id = ?`), int64(id)))
	if errors.Is(err, sql.ErrNoRows) {
		return Run{}, l.errf("run %d: %w", id, ErrNoRun)
	}
	if err != nil {
		return Run{}, l.errf("run %d: %w", id, err)
	}
	return r, nil
}
