package findings

import (
	"fmt"
	"path"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// Settings are the company's finance assumptions: config section `finance`.
// Every value is shown on the workbook's Assumptions sheet.
type Settings struct {
	// Currency is the reporting currency (ISO 4217). Prices in another
	// currency are converted with FX; a missing rate makes a finding unpriced.
	Currency string `yaml:"currency" json:"currency"`
	// FX gives, per currency, how many units of the reporting currency one
	// unit is worth, e.g. {USD: "0.92"} when reporting in EUR.
	FX map[string]string `yaml:"fx" json:"fx,omitempty"`
	// FiscalYearStartMonth is the first month of the fiscal year (1-12).
	FiscalYearStartMonth int `yaml:"fiscal_year_start_month" json:"fiscal_year_start_month"`
	// Haircuts are the percentages of identified savings kept for each
	// confidence level when computing risk-adjusted savings.
	Haircuts Haircuts `yaml:"haircuts" json:"haircuts"`
	// EVMultiple is the EV/EBITDA multiple for the (illustrative)
	// enterprise-value impact.
	EVMultiple string `yaml:"ev_ebitda_multiple" json:"ev_ebitda_multiple"`
	// HourlyRate is the loaded cost of one engineering hour in the
	// reporting currency, for the one-time cost of each change.
	HourlyRate string `yaml:"engineering_hourly_rate" json:"engineering_hourly_rate"`
	// EffortHours are the engineering hours one change of each effort level takes.
	EffortHours EffortHours `yaml:"effort_hours" json:"effort_hours"`
	// WinWindowDays is how soon a saving must be realisable to be a 30-day win.
	WinWindowDays int `yaml:"win_window_days" json:"win_window_days"`
}

// Haircuts are percentages (0-100) per confidence level.
type Haircuts struct {
	High   int `yaml:"high" json:"high"`
	Medium int `yaml:"medium" json:"medium"`
	Low    int `yaml:"low" json:"low"`
}

// EffortHours are hours per effort level.
type EffortHours struct {
	Low    string `yaml:"low" json:"low"`
	Medium string `yaml:"medium" json:"medium"`
	High   string `yaml:"high" json:"high"`
}

// DefaultSettings are the documented defaults. The haircuts follow
// research/report-finance.md §5.2 (a proposal, not a standard).
func DefaultSettings() Settings {
	return Settings{
		Currency:             "USD",
		FiscalYearStartMonth: 1,
		Haircuts:             Haircuts{High: 100, Medium: 60, Low: 30},
		EVMultiple:           "10",
		HourlyRate:           "120",
		EffortHours:          EffortHours{Low: "1", Medium: "8", High: "40"},
		WinWindowDays:        30,
	}
}

var currencyRE = regexp.MustCompile(`^[A-Z]{3}$`)

// knownCurrencies are ISO 4217 codes accepted for reporting and FX; a
// typo such as "USS" is an error rather than a silent new currency.
var knownCurrencies = map[string]bool{
	"USD": true, "EUR": true, "GBP": true, "JPY": true, "CHF": true, "CAD": true, "AUD": true, "NZD": true,
	"SEK": true, "NOK": true, "DKK": true, "PLN": true, "CZK": true, "HUF": true, "INR": true, "SGD": true,
	"HKD": true, "CNY": true, "KRW": true, "BRL": true, "MXN": true, "ZAR": true, "ILS": true, "AED": true,
	"SAR": true, "TRY": true, "IDR": true, "THB": true, "MYR": true, "PHP": true, "TWD": true, "CLP": true,
	"COP": true, "ARS": true, "RON": true, "BGN": true, "ISK": true,
}

// Validate reports the first invalid setting, naming its key under finance.
func (s *Settings) Validate() error {
	if !currencyRE.MatchString(s.Currency) || !knownCurrencies[s.Currency] {
		return fmt.Errorf("finance.currency: %q is not a known ISO 4217 currency code", s.Currency)
	}
	for _, c := range sortedStrings(s.FX) {
		if !knownCurrencies[c] {
			return fmt.Errorf("finance.fx.%s: %q is not a known ISO 4217 currency code", c, c)
		}
		if d, err := decimal.NewFromString(s.FX[c]); err != nil || !d.IsPositive() {
			return fmt.Errorf("finance.fx.%s: %q is not a positive decimal rate", c, s.FX[c])
		}
	}
	if s.FiscalYearStartMonth < 1 || s.FiscalYearStartMonth > 12 {
		return fmt.Errorf("finance.fiscal_year_start_month: %d is not a month 1-12", s.FiscalYearStartMonth)
	}
	for name, v := range map[string]int{"high": s.Haircuts.High, "medium": s.Haircuts.Medium, "low": s.Haircuts.Low} {
		if v < 0 || v > 100 {
			return fmt.Errorf("finance.haircuts.%s: %d is not a percentage 0-100", name, v)
		}
	}
	if d, err := decimal.NewFromString(s.EVMultiple); err != nil || d.IsNegative() {
		return fmt.Errorf("finance.ev_ebitda_multiple: %q is not a non-negative decimal", s.EVMultiple)
	}
	if d, err := decimal.NewFromString(s.HourlyRate); err != nil || d.IsNegative() {
		return fmt.Errorf("finance.engineering_hourly_rate: %q is not a non-negative decimal", s.HourlyRate)
	}
	for name, v := range map[string]string{"low": s.EffortHours.Low, "medium": s.EffortHours.Medium, "high": s.EffortHours.High} {
		if d, err := decimal.NewFromString(v); err != nil || d.IsNegative() {
			return fmt.Errorf("finance.effort_hours.%s: %q is not a non-negative number of hours", name, v)
		}
	}
	if s.WinWindowDays < 0 || s.WinWindowDays > 366 {
		return fmt.Errorf("finance.win_window_days: %d is outside 0-366", s.WinWindowDays)
	}
	return nil
}

func (s *Settings) haircut(confidence string) decimal.Decimal {
	p := s.Haircuts.Low
	switch confidence {
	case High:
		p = s.Haircuts.High
	case Medium:
		p = s.Haircuts.Medium
	}
	return decimal.NewFromInt(int64(p)).Div(decimal.NewFromInt(100))
}

func (s *Settings) effortHours(effort string) decimal.Decimal {
	v := s.EffortHours.Low
	switch effort {
	case Medium:
		v = s.EffortHours.Medium
	case High:
		v = s.EffortHours.High
	}
	return decimal.RequireFromString(v)
}

// convert turns an amount in currency into the reporting currency.
func (s *Settings) convert(amount decimal.Decimal, currency string) (decimal.Decimal, error) {
	if currency == s.Currency {
		return amount, nil
	}
	rate, ok := s.FX[currency]
	if !ok {
		return decimal.Zero, fmt.Errorf("no FX rate from %s to %s (set finance.fx.%s)", currency, s.Currency, currency)
	}
	return amount.Mul(decimal.RequireFromString(rate)), nil
}

// FiscalYearEnd returns the first instant after the fiscal year that contains t.
func (s *Settings) FiscalYearEnd(t time.Time) time.Time {
	t = t.UTC()
	start := time.Date(t.Year(), time.Month(s.FiscalYearStartMonth), 1, 0, 0, 0, 0, time.UTC)
	if start.After(t) {
		start = start.AddDate(-1, 0, 0)
	}
	return start.AddDate(1, 0, 0)
}

// daysPerMonth converts days to months for in-year impact: 365.25 / 12.
var daysPerMonth = decimal.RequireFromString("30.4375")

// monthsUntil is the number of months, fractional by days, from t to end.
func monthsUntil(t, end time.Time) decimal.Decimal {
	if !end.After(t) {
		return decimal.Zero
	}
	days := decimal.NewFromInt(int64(end.Sub(t) / time.Second)).Div(decimal.NewFromInt(86400))
	return days.Div(daysPerMonth)
}

// Suppression silences a finding on purpose: config section `suppressions`.
type Suppression struct {
	Rule     string `yaml:"rule" json:"rule"`         // rule ID, or "*" for any rule
	Resource string `yaml:"resource" json:"resource"` // glob over the resource key or ID, e.g. "aws/*/us-east-1/*/vol-0abc*"
	Reason   string `yaml:"reason" json:"reason"`
	Owner    string `yaml:"owner" json:"owner,omitempty"`
	Expires  string `yaml:"expires" json:"expires,omitempty"` // YYYY-MM-DD; empty = never
	Source   string `yaml:"-" json:"source"`                  // "config" or "tag"
}

// IgnoreTag is the resource tag that suppresses every finding on it; its
// value is the reason.
const IgnoreTag = "ghostaudit:ignore"

// ValidateSuppressions checks the configured suppressions; i-th errors are
// named suppressions[i].field.
func ValidateSuppressions(ss []Suppression) error {
	for i, s := range ss {
		f := fmt.Sprintf("suppressions[%d]", i)
		if s.Rule == "" {
			return fmt.Errorf("%s.rule: required (a rule ID or \"*\")", f)
		}
		if s.Resource == "" {
			return fmt.Errorf("%s.resource: required (a resource key or ID, globs allowed)", f)
		}
		if _, err := path.Match(s.Resource, ""); err != nil {
			return fmt.Errorf("%s.resource: %q is not a valid pattern: %v", f, s.Resource, err)
		}
		if strings.TrimSpace(s.Reason) == "" {
			return fmt.Errorf("%s.reason: required: say why the finding is accepted", f)
		}
		if s.Expires != "" {
			if _, err := time.Parse("2006-01-02", s.Expires); err != nil {
				return fmt.Errorf("%s.expires: %q is not a date YYYY-MM-DD", f, s.Expires)
			}
		}
	}
	return nil
}

func sortedStrings[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
