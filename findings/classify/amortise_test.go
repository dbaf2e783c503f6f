package classify

import (
	"errors"
	"testing"
	"time"

	"github.com/shopspring/decimal"
)

func TestAmortisationSchedule(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	got, err := AmortisationSchedule(dec("1000.00"), start, 12)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 12 {
		t.Fatalf("%d periods", len(got))
	}
	for i, p := range got[:11] {
		if !p.Amount.Equal(dec("83.33")) {
			t.Errorf("period %d: %s", i, p.Amount)
		}
	}
	if !got[11].Amount.Equal(dec("83.37")) {
		t.Errorf("last period: %s", got[11].Amount)
	}
	for i, p := range got {
		if want := time.Date(2026, time.Month(1+i), 1, 0, 0, 0, 0, time.UTC); !p.Start.Equal(want) {
			t.Errorf("period %d starts %s, want %s", i, p.Start, want)
		}
		if i > 0 && !p.Start.Equal(got[i-1].End) {
			t.Errorf("period %d does not start where %d ends", i, i-1)
		}
	}
	if want := time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC); !got[11].End.Equal(want) {
		t.Errorf("ends %s, want %s", got[11].End, want)
	}
}

func TestAmortisationSumsExactly(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 3, 15, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		amount string
		months int
	}{
		{"1000.00", 12}, {"9000", 36}, {"0.01", 3}, {"0", 5}, {"-500", 7},
		{"123456789.987654", 13}, {"2000", 3}, {"1", 1200}, {"99.99", 1},
	} {
		ps, err := AmortisationSchedule(dec(tc.amount), start, tc.months)
		if err != nil {
			t.Fatal(err)
		}
		sum := decimal.Zero
		for _, p := range ps {
			sum = sum.Add(p.Amount)
		}
		if !sum.Equal(dec(tc.amount)) || len(ps) != tc.months {
			t.Errorf("%s over %d: %d periods summing to %s", tc.amount, tc.months, len(ps), sum)
		}
		// Every period but the last is the same, to the cent.
		for _, p := range ps[:len(ps)-1] {
			if !p.Amount.Equal(ps[0].Amount) || p.Amount.Exponent() < -2 {
				t.Errorf("%s over %d: uneven period %s", tc.amount, tc.months, p.Amount)
			}
		}
	}
}

func TestAmortisationMonthEnds(t *testing.T) {
	t.Parallel()
	ps, err := AmortisationSchedule(dec("300"), time.Date(2028, 1, 31, 0, 0, 0, 0, time.UTC), 3)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"2028-01-31", "2028-02-29", "2028-03-31", "2028-04-30"}
	for i, p := range ps {
		if p.Start.Format(time.DateOnly) != want[i] || p.End.Format(time.DateOnly) != want[i+1] {
			t.Errorf("period %d: %s – %s", i, p.Start.Format(time.DateOnly), p.End.Format(time.DateOnly))
		}
	}
}

func TestAmortisationRejectsMonths(t *testing.T) {
	t.Parallel()
	for _, m := range []int{0, -1, -12, 1201} {
		ps, err := AmortisationSchedule(dec("1000"), time.Now(), m)
		if !errors.Is(err, ErrMonths) || ps != nil {
			t.Errorf("%d months: %v, %v", m, ps, err)
		}
	}
}
