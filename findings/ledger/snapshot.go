package ledger

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/ghostaudit/ghostaudit/findings"
	"github.com/ghostaudit/ghostaudit/scanners"
)

// Snapshot sources.
const (
	SourceRun    = "run"    // a run read back from the ledger
	SourceFile   = "file"   // a findings JSON file
	SourceResult = "result" // a findings.Result in memory (the current scan)
	SourceEmpty  = "empty"  // no baseline: everything is new
)

// Snapshot is one side of a diff: the findings a run produced and what it
// covered (scanner status and gaps).
type Snapshot struct {
	Source    string
	Run       RunID  // SourceRun only
	Path      string // SourceFile only
	Series    string // SourceRun only
	ScannedAt time.Time
	Currency  string
	Findings  []Entry
	Gaps      []scanners.Gap
	// Scanners are the scanners that ran, with their outcome; empty when
	// unknown (a hand-built result), in which case only Gaps decide coverage.
	Scanners []ScannerState
}

// ScannerState is one scanner's outcome in a run.
type ScannerState struct {
	Name      string
	Succeeded bool
}

// FromResult returns the snapshot of a result: the current side of a diff.
func FromResult(res *findings.Result) *Snapshot {
	s := &Snapshot{Source: SourceResult, ScannedAt: res.ScannedAt, Currency: res.Totals.Currency}
	for i := range res.Findings {
		f := &res.Findings[i]
		s.Findings = append(s.Findings, entryOf(f))
	}
	s.Gaps = append(s.Gaps, res.Gaps...)
	for _, st := range res.Status {
		s.Scanners = append(s.Scanners, ScannerState{Name: st.Scanner, Succeeded: st.Succeeded})
	}
	return s
}

// Empty returns a baseline with nothing in it, for a first run.
func Empty() *Snapshot { return &Snapshot{Source: SourceEmpty} }

func entryOf(f *findings.Finding) Entry {
	e := Entry{
		ID: f.ID, Rule: f.Rule, Category: f.Category, Provider: f.Provider, Account: f.Account, Region: f.Region,
		ResourceKind: f.ResourceKind, ResourceID: f.ResourceID, ResourceKey: f.ResourceKey, Title: f.Title,
		Suppressed: f.Suppressed(),
	}
	if f.MonthlySavings != nil {
		d := *f.MonthlySavings
		e.MonthlySavings = &d
	}
	return e
}

// Baseline resolves a baseline reference:
//   - "previous" (or "latest"): the newest complete run of scope's series;
//     resolve it before recording the current run;
//   - a run ID ("12" or "run:12");
//   - a path to a findings JSON file (ghostaudit.findings/v1).
//
// An existing file wins over a run ID of the same spelling.
func (l *Ledger) Baseline(ctx context.Context, ref string, scope Scope) (*Snapshot, error) {
	switch ref {
	case "":
		return nil, l.errf("baseline: empty reference: give previous, a run ID or a findings JSON file")
	case "previous", "latest":
		var id int64
		err := l.db.QueryRowContext(ctx, l.q(`SELECT id FROM runs WHERE complete = TRUE AND series = ? ORDER BY id DESC LIMIT 1`),
			scope.Name).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, l.errf("baseline %s: series %q has no complete run: %w", ref, scope.Name, ErrNoRun)
		}
		if err != nil {
			return nil, l.errf("baseline %s: %w", ref, err)
		}
		return l.RunSnapshot(ctx, RunID(id))
	}
	if st, err := os.Stat(ref); err == nil && st.Mode().IsRegular() {
		return ReadFindingsFile(ref)
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("ledger: baseline %s: %w", ref, err)
	}
	if n, err := strconv.ParseInt(strings.TrimPrefix(ref, "run:"), 10, 64); err == nil && n > 0 {
		return l.RunSnapshot(ctx, RunID(n))
	}
	return nil, l.errf("baseline %q: not \"previous\", a run ID or an existing findings JSON file", ref)
}

// ReadFindingsFile reads a findings JSON file (a findings.Result) as a baseline.
func ReadFindingsFile(path string) (*Snapshot, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("ledger: baseline: %w", err)
	}
	var res findings.Result
	if err := json.Unmarshal(data, &res); err != nil {
		return nil, fmt.Errorf("ledger: baseline %s: not a findings JSON file: %w", path, err)
	}
	if res.Schema != findings.ResultSchema {
		return nil, fmt.Errorf("ledger: baseline %s: schema: got %q, this version reads %q", path, res.Schema, findings.ResultSchema)
	}
	s := FromResult(&res)
	s.Source, s.Path = SourceFile, path
	return s, nil
}

// RunSnapshot reads a complete run back from the ledger.
func (l *Ledger) RunSnapshot(ctx context.Context, id RunID) (*Snapshot, error) {
	var (
		series, scanned, currency string
	)
	err := l.db.QueryRowContext(ctx, l.q(`SELECT series, scanned_at, currency FROM runs WHERE complete = TRUE AND id = ?`), int64(id)).
		Scan(&series, &scanned, &currency)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, l.errf("run %d: %w", id, ErrNoRun)
	}
	if err != nil {
		return nil, l.errf("run %d: %w", id, err)
	}
	s := &Snapshot{Source: SourceRun, Run: id, Series: series, Currency: currency}
	if s.ScannedAt, err = parseTime(scanned); err != nil {
		return nil, l.errf("run %d: scanned_at: %w", id, err)
	}
	rows, err := l.db.QueryContext(ctx, l.q(`SELECT f.id, f.rule, f.category, f.provider, f.account, f.region,
		f.resource_kind, f.resource_id, f.resource_key, f.title, f.first_seen_at, s.monthly_savings, s.suppressed
		FROM sightings s JOIN findings f ON f.id = s.finding_id WHERE s.run_id = ? ORDER BY f.id`), int64(id))
	if err != nil {
		return nil, l.errf("run %d: findings: %w", id, err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			e     Entry
			first string
			money sql.NullString
		)
		if err := rows.Scan(&e.ID, &e.Rule, &e.Category, &e.Provider, &e.Account, &e.Region, &e.ResourceKind,
			&e.ResourceID, &e.ResourceKey, &e.Title, &first, &money, &e.Suppressed); err != nil {
			return nil, l.errf("run %d: findings: %w", id, err)
		}
		if e.MonthlySavings, err = scanMoney(money); err != nil {
			return nil, l.errf("run %d: finding %s: %w", id, e.ID, err)
		}
		t, err := parseTime(first)
		if err != nil {
			return nil, l.errf("run %d: finding %s: first_seen_at: %w", id, e.ID, err)
		}
		e.FirstSeen = &t
		s.Findings = append(s.Findings, e)
	}
	if err := rows.Err(); err != nil {
		return nil, l.errf("run %d: findings: %w", id, err)
	}
	if s.Gaps, err = l.runGaps(ctx, id); err != nil {
		return nil, err
	}
	if s.Scanners, err = l.runScanners(ctx, id); err != nil {
		return nil, err
	}
	return s, nil
}

func (l *Ledger) runGaps(ctx context.Context, id RunID) ([]scanners.Gap, error) {
	rows, err := l.db.QueryContext(ctx, l.q(`SELECT scanner, account, region, scope, operation, reason, message
		FROM run_gaps WHERE run_id = ? ORDER BY seq`), int64(id))
	if err != nil {
		return nil, l.errf("run %d: gaps: %w", id, err)
	}
	defer rows.Close()
	var out []scanners.Gap
	for rows.Next() {
		var g scanners.Gap
		if err := rows.Scan(&g.Scanner, &g.Account, &g.Region, &g.Scope, &g.Operation, &g.Reason, &g.Message); err != nil {
			return nil, l.errf("run %d: gaps: %w", id, err)
		}
		out = append(out, g)
	}
	if err := rows.Err(); err != nil {
		return nil, l.errf("run %d: gaps: %w", id, err)
	}
	return out, nil
}

func (l *Ledger) runScanners(ctx context.Context, id RunID) ([]ScannerState, error) {
	rows, err := l.db.QueryContext(ctx, l.q(`SELECT scanner, succeeded FROM run_scanners WHERE run_id = ? ORDER BY scanner`), int64(id))
	if err != nil {
		return nil, l.errf("run %d: scanners: %w", id, err)
	}
	defer rows.Close()
	var out []ScannerState
	for rows.Next() {
		var s ScannerState
		if err := rows.Scan(&s.Name, &s.Succeeded); err != nil {
			return nil, l.errf("run %d: scanners: %w", id, err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, l.errf("run %d: scanners: %w", id, err)
	}
	return out, nil
}

// uncoveredBy reports why a finding's scope was not fully seen in s, or ""
// when it was. A gap of scanner S covers findings whose Provider is S, in
// the gap's account and region (an empty gap account or region means all).
// When s knows which scanners ran, a provider whose scanner did not run or
// failed is uncovered too.
func (s *Snapshot) uncoveredBy(e *Entry) string {
	gaps := append([]scanners.Gap(nil), s.Gaps...)
	sort.SliceStable(gaps, func(i, j int) bool { return gaps[i].Key() < gaps[j].Key() })
	for _, g := range gaps {
		if g.Scanner != e.Provider {
			continue
		}
		if (g.Account == "" || g.Account == e.Account) && (g.Region == "" || g.Region == e.Region) {
			scope := g.Scope
			if scope == "" {
				scope = "scanner " + g.Scanner
			}
			return fmt.Sprintf("gap: %s (%s)", scope, g.Reason)
		}
	}
	if len(s.Scanners) == 0 {
		return ""
	}
	for _, st := range s.Scanners {
		if st.Name == e.Provider {
			if !st.Succeeded {
				return "scanner " + st.Name + " failed"
			}
			return ""
		}
	}
	return "scanner " + e.Provider + " did not run"
}

// counted is the amount a finding adds to savings totals: priced and not
// suppressed, as findings.Finding.Counted.
func (e *Entry) counted() (decimal.Decimal, bool) {
	if e.MonthlySavings == nil || e.Suppressed {
		return decimal.Zero, false
	}
	return *e.MonthlySavings, true
}
