package findings

import (
	"fmt"
	"strings"
)

// RulesMarkdown renders docs/rules.md from the rule definitions, so the
// reference cannot drift from the code.
func RulesMarkdown() string {
	var b strings.Builder
	b.WriteString("# Rules\n\n")
	b.WriteString("<!-- Generated from the rule definitions in findings/ by `go test ./findings -run TestRulesDoc -update`; do not edit. -->\n\n")
	b.WriteString("Every finding carries its rule's confidence, effort and risk. Confidence sets the haircut applied for risk-adjusted savings ")
	b.WriteString("(defaults: high 100%, medium 60%, low 30%; `finance.haircuts`); effort sets the one-time cost (`finance.effort_hours` × ")
	b.WriteString("`finance.engineering_hourly_rate`) and the ranking weight (low 1, medium 2, high 4). A **30-day win** is high confidence, low effort, ")
	b.WriteString("priced, not suppressed and realisable within `finance.win_window_days`; wins are ranked by monthly savings, everything else by ")
	b.WriteString("risk-adjusted monthly savings ÷ effort weight, then unpriced and suppressed findings.\n\n")
	b.WriteString("| rule | category | confidence | effort | risk |\n|---|---|---|---|---|\n")
	for _, r := range Rules() {
		fmt.Fprintf(&b, "| [`%s`](#%s) | %s | %s | %s | %s |\n", r.ID, strings.ReplaceAll(r.ID, ".", ""), r.Category, r.Confidence, r.Effort, r.Risk)
	}
	for _, r := range Rules() {
		fmt.Fprintf(&b, "\n## %s\n\n**%s.** %s\n\n", r.ID, r.Title, r.Description)
		fmt.Fprintf(&b, "- Category: %s\n- Confidence: %s; effort: %s; risk: %s\n", r.Category, r.Confidence, r.Effort, r.Risk)
		if len(r.Includes) > 0 {
			fmt.Fprintf(&b, "- Its saving includes that of `%s`: on a resource with both findings, the %s finding carries no saving\n", strings.Join(r.Includes, "`, `"), strings.Join(r.Includes, ", "))
		}
		for _, p := range r.Params {
			bounds := ""
			if p.Max > 0 {
				bounds = fmt.Sprintf(", at most %d: %s", p.Max, p.MaxWhy)
			}
			fmt.Fprintf(&b, "- Parameter `rules.%s.%s` (default %s%s): %s\n", r.ID, p.Name, p.Default, bounds, p.Description)
		}
	}
	return b.String()
}
