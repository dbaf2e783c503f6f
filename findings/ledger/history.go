package ledger

import (
	"context"
	"time"

	"github.com/shopspring/decimal"
)

// Point is one run on the trend: what is open, what was realised so far.
type Point struct {
	Run       RunID     `json:"run"`
	ScannedAt time.Time `json:"scanned_at"`
	Findings  int       `json:"findings"`
	// OpenMonthly is the monthly savings of the findings this run saw.
	OpenMonthly decimal.Decimal `json:"open_monthly_savings"`
	// PendingMonthly is the last estimate of findings this run could not
	// see because of a gap: presumed still open, not realised.
	PendingMonthly decimal.Decimal `json:"pending_monthly_savings"`
	// RealisedMonthly is cumulative: the last estimate of every finding
	// resolved since the series began and not seen again.
	RealisedMonthly decimal.Decimal `json:"realised_monthly_savings"`
	// IdentifiedMonthly is cumulative too: open + pending + realised.
	IdentifiedMonthly decimal.Decimal `json:"identified_monthly_savings"`
}

// findingState follows one finding along a series.
type findingState struct {
	entry    Entry
	resolved bool
}

// History walks the complete runs of scope's series, oldest first, and
// returns one point per run for the Trend chart. A finding that vanishes is
// realised at its last estimate, unless the run did not cover its scope; it
// is then pending until a covering run confirms it gone (realised) or sees
// it again (open). A resolved finding that comes back is open again and no
// longer counts as realised.
func (l *Ledger) History(ctx context.Context, scope Scope) ([]Point, error) {
	runs, err := l.SeriesRuns(ctx, scope.Name)
	if err != nil {
		return nil, err
	}
	state := map[string]*findingState{}
	var out []Point
	for _, r := range runs {
		snap, err := l.RunSnapshot(ctx, r.ID)
		if err != nil {
			return nil, err
		}
		seen := make(map[string]bool, len(snap.Findings))
		p := Point{Run: r.ID, ScannedAt: r.ScannedAt, Findings: len(snap.Findings)}
		for _, e := range snap.Findings {
			seen[e.ID] = true
			state[e.ID] = &findingState{entry: e}
			if v, ok := e.counted(); ok {
				p.OpenMonthly = p.OpenMonthly.Add(v)
			}
		}
		for id, st := range state {
			if seen[id] {
				continue
			}
			v, counted := st.entry.counted()
			if !st.resolved && snap.uncoveredBy(&st.entry) != "" {
				if counted {
					p.PendingMonthly = p.PendingMonthly.Add(v)
				}
				continue
			}
			st.resolved = true
			if counted {
				p.RealisedMonthly = p.RealisedMonthly.Add(v)
			}
		}
		p.IdentifiedMonthly = p.OpenMonthly.Add(p.PendingMonthly).Add(p.RealisedMonthly)
		out = append(out, p)
	}
	return out, nil
}
