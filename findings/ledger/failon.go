package ledger

import (
	"fmt"
	"sort"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/ghostaudit/ghostaudit/findings"
)

// Fail-on metrics.
const (
	MetricNewSavings   = "new-savings"   // monthly savings of new findings
	MetricTotalSavings = "total-savings" // monthly savings of the current run
	MetricNewFindings  = "new-findings"  // number of new findings
	MetricRule         = "rule"          // an unsuppressed finding of a rule exists
)

// Threshold is one parsed --fail-on expression.
type Threshold struct {
	Expr   string          `json:"expr"`
	Metric string          `json:"metric"`
	Op     string          `json:"op"` // ">=", ">" or "=" (rule)
	Value  decimal.Decimal `json:"value"`
	Rule   string          `json:"rule,omitempty"`
}

// Crossed is a threshold a run crossed, with the figure that crossed it.
type Crossed struct {
	Threshold Threshold `json:"threshold"`
	Actual    string    `json:"actual"`
	Message   string    `json:"message"`
}

// ParseFailOn parses one --fail-on expression: new-savings>=N,
// total-savings>=N (monthly amounts in the run's currency), new-findings>=N,
// or rule=<rule id>; ">" is accepted in place of ">=". Errors name the
// expression.
func ParseFailOn(expr string) (Threshold, error) {
	s := strings.TrimSpace(expr)
	bad := func(format string, args ...any) (Threshold, error) {
		return Threshold{}, fmt.Errorf("--fail-on %q: %s (want new-savings>=N, total-savings>=N, new-findings>=N or rule=<id>)",
			expr, fmt.Sprintf(format, args...))
	}
	var metric, op, val string
	for _, o := range []string{">=", ">", "="} {
		if i := strings.Index(s, o); i >= 0 {
			metric, op, val = strings.TrimSpace(s[:i]), o, strings.TrimSpace(s[i+len(o):])
			break
		}
	}
	if op == "" {
		return bad("no operator")
	}
	t := Threshold{Expr: s, Metric: strings.ToLower(metric), Op: op}
	switch t.Metric {
	case MetricRule:
		if op != "=" {
			return bad("rule takes =, not %s", op)
		}
		if val == "" || strings.ContainsAny(val, " \t=<>") {
			return bad("rule id %q is not a rule id", val)
		}
		t.Rule = val
		return t, nil
	case MetricNewSavings, MetricTotalSavings, MetricNewFindings:
		if op == "=" {
			return bad("%s takes >= or >, not =", t.Metric)
		}
		v, err := decimal.NewFromString(val)
		if err != nil {
			return bad("%q is not a number", val)
		}
		if v.IsNegative() {
			return bad("%s is negative", val)
		}
		if t.Metric == MetricNewFindings && !v.IsInteger() {
			return bad("new-findings takes a whole number, not %s", val)
		}
		t.Value = v
		return t, nil
	case "":
		return bad("no metric before %s", op)
	}
	return bad("unknown metric %q", metric)
}

// ParseFailOnAll parses several expressions, each of which may itself be a
// comma-separated list.
func ParseFailOnAll(exprs []string) ([]Threshold, error) {
	var out []Threshold
	for _, e := range exprs {
		for _, part := range strings.Split(e, ",") {
			if strings.TrimSpace(part) == "" {
				continue
			}
			t, err := ParseFailOn(part)
			if err != nil {
				return nil, err
			}
			out = append(out, t)
		}
	}
	return out, nil
}

func (t Threshold) crosses(v decimal.Decimal) bool {
	if t.Op == ">" {
		return v.GreaterThan(t.Value)
	}
	return v.GreaterThanOrEqual(t.Value)
}

// Evaluate returns the thresholds the run crossed, in the order given. The
// diff may be nil (no baseline), in which case new-savings and new-findings
// are not evaluated; res may be nil, in which case total-savings and rule
// use the diff's current side.
func Evaluate(d *Diff, res *findings.Result, ts []Threshold) []Crossed {
	var out []Crossed
	cur := ""
	if res != nil {
		cur = res.Totals.Currency
	} else if d != nil {
		cur = d.Currency
	}
	for _, t := range ts {
		switch t.Metric {
		case MetricNewSavings:
			if d != nil && t.crosses(d.NewMonthly) {
				out = append(out, Crossed{t, d.NewMonthly.String(),
					fmt.Sprintf("%s: %d new findings save %s %s/month", t.Expr, len(d.New), d.NewMonthly.StringFixed(2), cur)})
			}
		case MetricNewFindings:
			if d != nil && t.crosses(decimal.NewFromInt(int64(len(d.New)))) {
				out = append(out, Crossed{t, fmt.Sprint(len(d.New)), fmt.Sprintf("%s: %d new findings", t.Expr, len(d.New))})
			}
		case MetricTotalSavings:
			var total decimal.Decimal
			switch {
			case res != nil:
				total = res.Totals.MonthlySavings
			case d != nil:
				total = d.CurrentMonthly
			default:
				continue
			}
			if t.crosses(total) {
				out = append(out, Crossed{t, total.String(),
					fmt.Sprintf("%s: findings save %s %s/month in total", t.Expr, total.StringFixed(2), cur)})
			}
		case MetricRule:
			ids := ruleHits(d, res, t.Rule)
			if len(ids) > 0 {
				out = append(out, Crossed{t, fmt.Sprint(len(ids)),
					fmt.Sprintf("%s: %d unsuppressed findings (%s)", t.Expr, len(ids), strings.Join(firstN(ids, 5), ", "))})
			}
		}
	}
	return out
}

// ruleHits lists the IDs of the current unsuppressed findings of a rule.
func ruleHits(d *Diff, res *findings.Result, rule string) []string {
	var ids []string
	if res != nil {
		for i := range res.Findings {
			if f := &res.Findings[i]; f.Rule == rule && !f.Suppressed() {
				ids = append(ids, f.ID)
			}
		}
	} else if d != nil {
		for _, l := range [][]Entry{d.New, d.Changed, d.Open} {
			for _, e := range l {
				if e.Rule == rule && !e.Suppressed {
					ids = append(ids, e.ID)
				}
			}
		}
	}
	sort.Strings(ids)
	return ids
}

func firstN(s []string, n int) []string {
	if len(s) <= n {
		return s
	}
	return append(append([]string(nil), s[:n]...), fmt.Sprintf("and %d more", len(s)-n))
}
