package findings

import (
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/shopspring/decimal"

	"github.com/ghostaudit/ghostaudit/findings/pricing"
	"github.com/ghostaudit/ghostaudit/scanners"
)

// Param is a documented, configurable rule threshold.
type Param struct {
	Name        string
	Default     string
	Description string
}

// Rule is one check: a pure function over the inventory.
type Rule struct {
	ID          string // "aws.ebs.unattached"
	Category    string
	Title       string
	Description string // what it flags and why, for docs/rules.md
	Confidence  string
	Effort      string
	Risk        string
	Params      []Param
	Eval        func(inv *scanners.Inventory, rc *RuleContext) []Finding
}

// RuleContext is what a rule may use besides the inventory.
type RuleContext struct {
	Now     time.Time
	Catalog pricing.Catalog
	rule    *Rule
	params  map[string]string
}

// Param returns the value of a rule parameter (configured or default).
func (rc *RuleContext) Param(name string) string {
	if v, ok := rc.params[name]; ok {
		return v
	}
	for _, p := range rc.rule.Params {
		if p.Name == name {
			return p.Default
		}
	}
	panic(fmt.Sprintf("findings: rule %s reads undeclared parameter %q", rc.rule.ID, name))
}

// IntParam returns an integer parameter; values are validated when the
// engine is built, so a parse failure here is a programming error.
func (rc *RuleContext) IntParam(name string) int {
	n, err := strconv.Atoi(rc.Param(name))
	if err != nil {
		panic(fmt.Sprintf("findings: rule %s parameter %s: %v", rc.rule.ID, name, err))
	}
	return n
}

// Engine runs rules over an inventory and prices, ranks and totals the
// findings.
type Engine struct {
	Rules       []Rule
	Catalog     *pricing.Layered
	Now         func() time.Time
	ToolVersion string
	// Params overrides rule parameters: rule ID → name → value.
	Params map[string]map[string]string
}

// NewEngine builds an engine with the given rules and catalog and checks
// the configured parameters against the rules' declarations.
func NewEngine(rules []Rule, catalog *pricing.Layered, params map[string]map[string]string) (*Engine, error) {
	byID := map[string]*Rule{}
	for i := range rules {
		if _, dup := byID[rules[i].ID]; dup {
			return nil, fmt.Errorf("findings: duplicate rule %s", rules[i].ID)
		}
		byID[rules[i].ID] = &rules[i]
	}
	for id, ps := range params {
		r, ok := byID[id]
		if !ok {
			return nil, fmt.Errorf("rules.%s: no such rule", id)
		}
		for name, v := range ps {
			found := false
			for _, p := range r.Params {
				if p.Name == name {
					found = true
					if _, err := strconv.Atoi(p.Default); err == nil {
						if n, err := strconv.Atoi(v); err != nil || n < 0 {
							return nil, fmt.Errorf("rules.%s.%s: %q is not a non-negative whole number", id, name, v)
						}
					}
				}
			}
			if !found {
				return nil, fmt.Errorf("rules.%s.%s: no such parameter", id, name)
			}
		}
	}
	return &Engine{Rules: rules, Catalog: catalog, Params: params, Now: time.Now}, nil
}

// Run evaluates every rule and returns the ranked, totalled result.
func (e *Engine) Run(inv *scanners.Inventory) *Result {
	now := inv.ScannedAt
	if now.IsZero() {
		now = e.Now().UTC()
	}
	res := &Result{
		Schema:      ResultSchema,
		ToolVersion: e.ToolVersion,
		ScannedAt:   now,
		Status:      inv.Status,
		Gaps:        inv.Gaps,
		Resources:   len(inv.Resources),
		Seats:       len(inv.Seats),
	}
	for i := range e.Rules {
		r := &e.Rules[i]
		rc := &RuleContext{Now: now, Catalog: e.Catalog, rule: r, params: e.Params[r.ID]}
		for _, p := range r.Params {
			res.Thresholds = append(res.Thresholds, Threshold{Rule: r.ID, Name: p.Name, Value: rc.Param(p.Name), Description: p.Description})
		}
		for _, f := range r.Eval(inv, rc) {
			f.Rule, f.Category = r.ID, r.Category
			f.ID = FindingID(r.ID, f.ResourceKey)
			if f.Confidence == "" {
				f.Confidence = r.Confidence
			}
			if f.Effort == "" {
				f.Effort = r.Effort
			}
			if f.Risk == "" {
				f.Risk = r.Risk
			}
			if f.Currency == "" {
				f.Currency = "USD"
			}
			if f.Class == "" {
				f.Class, f.ClassRationale = "OpEx", "Pay-as-you-go cloud usage, billed monthly and expensed as incurred; nothing is capitalised or prepaid."
			}
			if f.MonthlySavings != nil {
				f.AnnualSavings = Money(f.MonthlySavings.Mul(decimal.NewFromInt(12)))
			} else if f.Unpriced == "" {
				f.Unpriced = "no price available"
			}
			res.Findings = append(res.Findings, f)
		}
	}
	rank(res.Findings, now)
	res.Totals = totals(res.Findings)
	if e.Catalog != nil {
		res.Prices = e.Catalog.Used()
		res.Missing = e.Catalog.Missed()
	}
	return res
}

var effortWeights = map[string]int64{Low: 1, Medium: 2, High: 4}

// effortWeight is the divisor used to rank findings that are not 30-day
// wins: low effort 1, medium 2, high 4 (unknown counts as low).
func effortWeight(effort string) int64 {
	if w, ok := effortWeights[effort]; ok {
		return w
	}
	return 1
}

// IsWin reports whether a finding is a 30-day win: high confidence, low
// effort, priced with a positive saving, and realisable within 30 days.
func IsWin(f *Finding, now time.Time) bool {
	if f.Confidence != High || f.Effort != Low || !f.Priced() || !f.MonthlySavings.IsPositive() {
		return false
	}
	return f.RealisableFrom == nil || !f.RealisableFrom.After(now.Add(30*24*time.Hour))
}

// rank orders findings: 30-day wins first by monthly savings, then the
// rest by savings per unit of effort, unpriced findings last; ties by ID.
func rank(fs []Finding, now time.Time) {
	for i := range fs {
		fs[i].Win = IsWin(&fs[i], now)
	}
	score := func(f *Finding) decimal.Decimal {
		if !f.Priced() {
			return decimal.NewFromInt(-1)
		}
		return f.MonthlySavings.Div(decimal.NewFromInt(effortWeight(f.Effort)))
	}
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := &fs[i], &fs[j]
		if a.Win != b.Win {
			return a.Win
		}
		if a.Priced() != b.Priced() {
			return a.Priced()
		}
		var ka, kb decimal.Decimal
		if a.Win {
			ka, kb = *a.MonthlySavings, *b.MonthlySavings
		} else {
			ka, kb = score(a), score(b)
		}
		if c := ka.Cmp(kb); c != 0 {
			return c > 0
		}
		return a.ID < b.ID
	})
	for i := range fs {
		f := &fs[i]
		f.Rank = i + 1
		switch {
		case f.Win:
			f.WhyRank = fmt.Sprintf("30-day win: %s confidence, %s effort, realisable now; ranked by monthly savings", f.Confidence, f.Effort)
		case !f.Priced():
			f.WhyRank = "unpriced: ranked after every priced finding"
		default:
			f.WhyRank = fmt.Sprintf("not a 30-day win (%s confidence, %s effort); ranked by monthly savings per unit of effort (%s effort = %d)",
				f.Confidence, f.Effort, f.Effort, effortWeight(f.Effort))
		}
	}
}

func totals(fs []Finding) Totals {
	t := Totals{Currency: "USD", Findings: len(fs)}
	cats, provs := map[string]*Subtotal{}, map[string]*Subtotal{}
	add := func(m map[string]*Subtotal, name string, f *Finding) {
		s := m[name]
		if s == nil {
			s = &Subtotal{Name: name}
			m[name] = s
		}
		s.Findings++
		if f.Priced() {
			s.MonthlySavings = s.MonthlySavings.Add(*f.MonthlySavings)
			s.AnnualSavings = s.AnnualSavings.Add(*f.AnnualSavings)
		} else {
			s.Unpriced++
		}
	}
	for i := range fs {
		f := &fs[i]
		add(cats, f.Category, f)
		add(provs, f.Provider, f)
		if !f.Priced() {
			t.Unpriced++
			continue
		}
		t.Priced++
		t.MonthlySavings = t.MonthlySavings.Add(*f.MonthlySavings)
		t.AnnualSavings = t.AnnualSavings.Add(*f.AnnualSavings)
		if f.Win {
			t.Wins++
			t.WinsMonthly = t.WinsMonthly.Add(*f.MonthlySavings)
		}
	}
	t.ByCategory, t.ByProvider = sortedSubtotals(cats), sortedSubtotals(provs)
	return t
}

func sortedSubtotals(m map[string]*Subtotal) []Subtotal {
	out := make([]Subtotal, 0, len(m))
	for _, s := range m {
		out = append(out, *s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}
