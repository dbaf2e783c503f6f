package ledger

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// DiffSchema versions the diff JSON document.
const DiffSchema = "ghostaudit.diff/v1"

// Entry is one finding in a snapshot or a diff.
type Entry struct {
	ID           string `json:"id"`
	Rule         string `json:"rule"`
	Category     string `json:"category"`
	Provider     string `json:"provider"`
	Account      string `json:"account"`
	Region       string `json:"region"`
	ResourceKind string `json:"resource_kind"`
	ResourceID   string `json:"resource_id"`
	ResourceKey  string `json:"resource_key"`
	Title        string `json:"title"`
	// MonthlySavings is the current estimate (new, changed, open) or the
	// last estimate before the finding went away (resolved, uncovered); nil
	// when unpriced.
	MonthlySavings *decimal.Decimal `json:"monthly_savings"`
	// PreviousMonthlySavings is the baseline estimate of a changed finding
	// (null for other lists, and for a changed finding that was unpriced).
	PreviousMonthlySavings *decimal.Decimal `json:"previous_monthly_savings"`
	Suppressed             bool             `json:"suppressed,omitempty"`
	WasSuppressed          bool             `json:"was_suppressed,omitempty"`
	// FirstSeen is when the ledger first saw the finding (baseline runs only).
	FirstSeen *time.Time `json:"first_seen,omitempty"`
	// UncoveredBy says which gap hid a finding missing from the current run.
	UncoveredBy string `json:"uncovered_by,omitempty"`
}

// Side describes one snapshot of a diff.
type Side struct {
	Source    string    `json:"source"`
	Run       RunID     `json:"run,omitempty"`
	Path      string    `json:"path,omitempty"`
	Series    string    `json:"series,omitempty"`
	ScannedAt time.Time `json:"scanned_at"`
	Findings  int       `json:"findings"`
	Monthly   string    `json:"monthly_savings"`
}

// Counts are the sizes of a diff's lists.
type Counts struct {
	New                  int `json:"new"`
	Resolved             int `json:"resolved"`
	Changed              int `json:"changed"`
	Open                 int `json:"open"`
	NotRealisedUncovered int `json:"not_realised_uncovered"`
}

// Diff compares a current snapshot with a baseline. Lists are disjoint:
// Open holds findings present on both sides and unchanged, Changed those
// present on both sides whose savings or suppression moved. Amounts count
// priced, unsuppressed findings only. The JSON is deterministic: lists are
// ordered by savings (largest first) then ID, and only the scan times vary
// between two runs over the same estate.
type Diff struct {
	Schema   string `json:"schema"`
	Currency string `json:"currency"`
	Baseline Side   `json:"baseline"`
	Current  Side   `json:"current"`
	Counts   Counts `json:"counts"`

	// NewMonthly is the monthly savings of the new findings.
	NewMonthly decimal.Decimal `json:"new_monthly_savings"`
	// RealisedMonthly is the last estimated monthly savings of the findings
	// resolved since the baseline; RealisedAnnual is 12 × that.
	RealisedMonthly decimal.Decimal `json:"realised_monthly_savings"`
	RealisedAnnual  decimal.Decimal `json:"realised_annual_savings"`
	// ChangedMonthly is the net change in monthly savings of changed findings.
	ChangedMonthly decimal.Decimal `json:"changed_monthly_savings"`
	// OpenMonthly is the current monthly savings of open and changed findings.
	OpenMonthly decimal.Decimal `json:"open_monthly_savings"`
	// UncoveredMonthly is the last estimate of findings hidden by a gap:
	// not realised, still presumed open.
	UncoveredMonthly decimal.Decimal `json:"uncovered_monthly_savings"`
	BaselineMonthly  decimal.Decimal `json:"baseline_monthly_savings"`
	CurrentMonthly   decimal.Decimal `json:"current_monthly_savings"`

	New                  []Entry `json:"new"`
	Resolved             []Entry `json:"resolved"`
	Changed              []Entry `json:"changed"`
	Open                 []Entry `json:"open"`
	NotRealisedUncovered []Entry `json:"not_realised_uncovered"`

	Warnings []string `json:"warnings"`
}

func sideOf(s *Snapshot) Side {
	total := decimal.Zero
	for i := range s.Findings {
		if d, ok := s.Findings[i].counted(); ok {
			total = total.Add(d)
		}
	}
	return Side{Source: s.Source, Run: s.Run, Path: s.Path, Series: s.Series, ScannedAt: s.ScannedAt.UTC(),
		Findings: len(s.Findings), Monthly: total.String()}
}

func sameMoney(a, b *decimal.Decimal) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return a.Equal(*b)
}

// Compare diffs current against baseline. A finding missing from current
// is resolved (and realised at its baseline savings) unless current's
// coverage says its provider, account or region was not fully seen, in
// which case it is listed in NotRealisedUncovered instead.
func Compare(baseline, current *Snapshot) *Diff {
	if baseline == nil {
		baseline = Empty()
	}
	if current == nil {
		current = Empty()
	}
	d := &Diff{
		Schema:   DiffSchema,
		Currency: current.Currency,
		Baseline: sideOf(baseline),
		Current:  sideOf(current),
		New:      []Entry{}, Resolved: []Entry{}, Changed: []Entry{}, Open: []Entry{}, NotRealisedUncovered: []Entry{},
		Warnings: []string{},
	}
	if baseline.Currency != "" && current.Currency != "" && baseline.Currency != current.Currency {
		d.Warnings = append(d.Warnings, fmt.Sprintf("currency changed from %s to %s: realised savings are in %s",
			baseline.Currency, current.Currency, baseline.Currency))
	}
	base := make(map[string]*Entry, len(baseline.Findings))
	for i := range baseline.Findings {
		base[baseline.Findings[i].ID] = &baseline.Findings[i]
	}
	cur := make(map[string]bool, len(current.Findings))
	for i := range current.Findings {
		c := current.Findings[i]
		cur[c.ID] = true
		b, ok := base[c.ID]
		if !ok {
			d.New = append(d.New, c)
			continue
		}
		c.FirstSeen = b.FirstSeen
		if !sameMoney(b.MonthlySavings, c.MonthlySavings) || b.Suppressed != c.Suppressed {
			c.PreviousMonthlySavings, c.WasSuppressed = b.MonthlySavings, b.Suppressed
			d.Changed = append(d.Changed, c)
			continue
		}
		d.Open = append(d.Open, c)
	}
	for i := range baseline.Findings {
		b := baseline.Findings[i]
		if cur[b.ID] {
			continue
		}
		if why := current.uncoveredBy(&b); why != "" {
			b.UncoveredBy = why
			d.NotRealisedUncovered = append(d.NotRealisedUncovered, b)
			continue
		}
		d.Resolved = append(d.Resolved, b)
	}
	d.NewMonthly = sum(d.New)
	d.RealisedMonthly = sum(d.Resolved)
	d.RealisedAnnual = d.RealisedMonthly.Mul(decimal.NewFromInt(12))
	d.OpenMonthly = sum(d.Open).Add(sum(d.Changed))
	d.UncoveredMonthly = sum(d.NotRealisedUncovered)
	d.ChangedMonthly = sum(d.Changed)
	for i := range d.Changed {
		p := d.Changed[i]
		p.MonthlySavings, p.Suppressed = p.PreviousMonthlySavings, p.WasSuppressed
		if v, ok := p.counted(); ok {
			d.ChangedMonthly = d.ChangedMonthly.Sub(v)
		}
	}
	d.BaselineMonthly, _ = decimal.NewFromString(d.Baseline.Monthly)
	d.CurrentMonthly, _ = decimal.NewFromString(d.Current.Monthly)
	for _, l := range [][]Entry{d.New, d.Resolved, d.Changed, d.Open, d.NotRealisedUncovered} {
		sortEntries(l)
	}
	d.Counts = Counts{New: len(d.New), Resolved: len(d.Resolved), Changed: len(d.Changed), Open: len(d.Open),
		NotRealisedUncovered: len(d.NotRealisedUncovered)}
	return d
}

func sum(es []Entry) decimal.Decimal {
	t := decimal.Zero
	for i := range es {
		if v, ok := es[i].counted(); ok {
			t = t.Add(v)
		}
	}
	return t
}

// sortEntries orders by monthly savings, largest first, unpriced last, then ID.
func sortEntries(es []Entry) {
	sort.SliceStable(es, func(i, j int) bool {
		a, b := es[i].MonthlySavings, es[j].MonthlySavings
		switch {
		case a != nil && b != nil && !a.Equal(*b):
			return a.GreaterThan(*b)
		case a != nil && b == nil:
			return true
		case a == nil && b != nil:
			return false
		}
		return es[i].ID < es[j].ID
	})
}

// WriteJSON writes the diff as indented JSON with a trailing newline.
func (d *Diff) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(d)
}

// WriteMarkdown writes a short Markdown summary of the diff, for a CI job
// summary or a pull-request comment.
func (d *Diff) WriteMarkdown(w io.Writer) error {
	var b strings.Builder
	cur := d.Currency
	fmt.Fprintf(&b, "## ghostaudit diff\n\n")
	fmt.Fprintf(&b, "Baseline: %s. Current: %s.\n\n", describe(d.Baseline), describe(d.Current))
	fmt.Fprintf(&b, "| | Findings | Monthly savings (%s) |\n|---|---:|---:|\n", cur)
	fmt.Fprintf(&b, "| New | %d | %s |\n", d.Counts.New, d.NewMonthly.StringFixed(2))
	fmt.Fprintf(&b, "| Resolved (realised) | %d | %s |\n", d.Counts.Resolved, d.RealisedMonthly.StringFixed(2))
	fmt.Fprintf(&b, "| Changed | %d | %s |\n", d.Counts.Changed, d.ChangedMonthly.StringFixed(2))
	fmt.Fprintf(&b, "| Still open | %d | %s |\n", d.Counts.Open+d.Counts.Changed, d.OpenMonthly.StringFixed(2))
	fmt.Fprintf(&b, "| Not seen: scope not covered (not realised) | %d | %s |\n", d.Counts.NotRealisedUncovered, d.UncoveredMonthly.StringFixed(2))
	for _, sec := range []struct {
		title string
		list  []Entry
	}{{"New", d.New}, {"Resolved", d.Resolved}, {"Changed", d.Changed}, {"Not covered in this run", d.NotRealisedUncovered}} {
		if len(sec.list) == 0 {
			continue
		}
		fmt.Fprintf(&b, "\n### %s\n\n| Finding | Rule | Resource | Monthly savings |\n|---|---|---|---:|\n", sec.title)
		for _, e := range sec.list {
			fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", mdEscape(e.Title), e.Rule, mdEscape(e.ResourceKey), money(e.MonthlySavings))
		}
	}
	for _, wmsg := range d.Warnings {
		fmt.Fprintf(&b, "\n> Warning: %s\n", mdEscape(wmsg))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func describe(s Side) string {
	switch s.Source {
	case SourceRun:
		return fmt.Sprintf("run %d (%s)", s.Run, s.ScannedAt.Format(time.RFC3339))
	case SourceFile:
		return fmt.Sprintf("%s (%s)", s.Path, s.ScannedAt.Format(time.RFC3339))
	case SourceEmpty:
		return "none"
	}
	return "this scan (" + s.ScannedAt.Format(time.RFC3339) + ")"
}

func money(d *decimal.Decimal) string {
	if d == nil {
		return "unpriced"
	}
	return d.StringFixed(2)
}

func mdEscape(s string) string { return strings.ReplaceAll(s, "|", `\|`) }
