package classify

import (
	"errors"
	"fmt"
	"time"

	"github.com/shopspring/decimal"
)

// Period is one month of an amortisation schedule: [Start, End).
type Period struct {
	Start  time.Time
	End    time.Time
	Amount decimal.Decimal
}

// ErrMonths is returned for a schedule of zero, negative or more than 1200
// months.
var ErrMonths = errors.New("classify: amortisation months must be between 1 and 1200")

// AmortisationSchedule spreads amount straight-line over months monthly
// periods from start. Each period is amount/months truncated to cents; the
// last period takes the remainder, so the periods sum exactly to amount
// (1000.00 over 12 months is 11 × 83.33 and 83.37). A period starting on
// the 31st runs to the last day of shorter months (clamped, not rolled
// over). Negative amounts (refunds) are spread the same way.
func AmortisationSchedule(amount decimal.Decimal, start time.Time, months int) ([]Period, error) {
	if months <= 0 || months > maxMonths {
		return nil, fmt.Errorf("%w, got %d", ErrMonths, months)
	}
	per := amount.Div(decimal.NewFromInt(int64(months))).Truncate(2)
	out := make([]Period, months)
	rest := amount
	for i := range out {
		out[i] = Period{Start: addMonths(start, i), End: addMonths(start, i+1), Amount: per}
		rest = rest.Sub(per)
	}
	out[months-1].Amount = per.Add(rest)
	return out, nil
}

// addMonths adds n calendar months, clamping the day to the end of the
// target month (31 Jan + 1 month = 28 or 29 Feb), unlike time.AddDate,
// which would roll over into March.
func addMonths(t time.Time, n int) time.Time {
	y, m, d := t.Date()
	first := time.Date(y, m+time.Month(n), 1, t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), t.Location())
	last := first.AddDate(0, 1, -1).Day()
	if d > last {
		d = last
	}
	return first.AddDate(0, 0, d-1)
}
