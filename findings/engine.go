package findings

import (
	"fmt"
	"path"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/ghostaudit/ghostaudit/findings/classify"
	"github.com/ghostaudit/ghostaudit/findings/pricing"
	"github.com/ghostaudit/ghostaudit/scanners"
)

// Param is a documented, configurable rule threshold.
type Param struct {
	Name        string
	Default     string
	Description string
	// Min and Max bound a whole-number parameter (0: no bound); MaxWhy
	// says where Max comes from, for the error and the docs.
	Min, Max int
	MaxWhy   string
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
	// Includes lists rules whose saving on a resource this rule's saving
	// already contains (an idle instance's whole cost contains what moving
	// it to a newer type would save). Where a finding of this rule is
	// active, their findings on the same resource keep no saving of their
	// own, so nothing is counted twice.
	Includes []string
	Eval     func(inv *scanners.Inventory, rc *RuleContext) []Finding
}

// RuleContext is what a rule may use besides the inventory.
type RuleContext struct {
	Now      time.Time
	Catalog  pricing.Catalog
	Settings *Settings
	rule     *Rule
	params   map[string]string
	// ruleParams are every rule's configured parameters, for a rule that
	// must agree with another rule's threshold (ParamOf).
	ruleParams map[string]map[string]string
	rules      []Rule
}

// ParamOf returns another rule's parameter (configured or default), for
// rules that must use the same threshold so as not to count a saving
// twice; ok is false when the engine does not run that rule.
func (rc *RuleContext) ParamOf(ruleID, name string) (string, bool) {
	if v, ok := rc.ruleParams[ruleID][name]; ok {
		return v, true
	}
	for _, r := range rc.rules {
		if r.ID != ruleID {
			continue
		}
		for _, p := range r.Params {
			if p.Name == name {
				return p.Default, true
			}
		}
	}
	return "", false
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

// Classification is the accounting class of a finding or cost line.
type Classification struct {
	Class     string // OpEx, CapEx, Prepaid-amortised, Review
	Rule      string // the policy rule that decided, e.g. "R1"
	Rationale string
	Citation  string
	// EBITDA is true when eliminating the cost changes EBITDA (OpEx).
	EBITDA bool
	// Avoidance is true when the saving is future spend avoided (a prepaid
	// term runs to its end) rather than spend that stops now.
	Avoidance bool
}

// ClassifyFunc classifies a scanned resource.
type ClassifyFunc func(r *scanners.Resource) Classification

// unclassified is used when no policy is configured: judgment is needed,
// so nothing is guessed.
func unclassified(*scanners.Resource) Classification {
	return Classification{Class: "Review", Rule: "none", Rationale: "No classification policy is configured, so the item is left for review rather than guessed."}
}

// onDemandKinds are resource kinds billed as pay-as-you-go cloud usage
// (FOCUS ChargeCategory Usage, PricingCategory Standard): IaaS consumption.
var onDemandKinds = map[string]bool{
	kindAWSVolume: true, kindAWSAddress: true, kindAWSInstance: true, kindAWSSnapshot: true, kindAWSNatGateway: true,
	kindAWSLoadBalancer: true, kindAWSClassicLB: true, kindAWSDBInstance: true, kindAWSDBSnapshot: true, kindAWSLogGroup: true,
	kindAWSImage: true, kindAWSLaunchTemplate: true, kindGCPRecommendation: true, kindGCPDisk: true, kindGCPAddress: true,
}

// saasKinds are SaaS licences and seats.
var saasKinds = map[string]bool{kindM365SKU: true, "m365.license.seat": true}

// PolicyClassifier classifies resources with an accounting policy: it
// describes each resource as a classify.Item (what kind of charge it is)
// and maps the decision to its effect on EBITDA. A kind it does not know is
// described as nothing, which the policy sends to Review.
func PolicyClassifier(p *classify.Policy, now time.Time) ClassifyFunc {
	return func(r *scanners.Resource) Classification {
		it := classify.Item{ServiceDate: now}
		if r != nil {
			it.Provider, it.Tags = r.Provider, r.Tags
			if saasKinds[r.Kind] {
				// A SaaS subscription, billed monthly or per term: a service (R7).
				it.Source, it.ChargeCategory, it.Arrangement, it.CostNature = classify.SourceSaaSInvoice, classify.ChargeUsage, classify.ArrangementSaaS, classify.NatureFee
			} else if onDemandKinds[r.Kind] {
				it.Source, it.ChargeCategory, it.PricingCategory = classify.SourceCloudBill, classify.ChargeUsage, classify.PricingStandard
				it.Arrangement, it.CostNature = classify.ArrangementIaaSPaaS, classify.NatureFee
				if r.Attr("lifecycle") == "spot" {
					it.PricingCategory = classify.PricingDynamic
				}
			}
		}
		d := p.Classify(it)
		sv := d.Savings()
		return Classification{Class: string(d.Class), Rule: d.Rule, Rationale: d.Rationale, Citation: d.Citation,
			EBITDA: sv.EBITDA, Avoidance: sv.Avoidance}
	}
}

// Engine runs rules over an inventory and prices, ranks and totals the
// findings.
type Engine struct {
	Rules        []Rule
	Catalog      *pricing.Layered
	Now          func() time.Time
	ToolVersion  string
	Params       map[string]map[string]string // rule ID → name → value
	Settings     Settings
	Suppressions []Suppression
	// ExcludeTags drops every finding on a resource carrying one of these
	// tags, written "key" (any value) or "key=value" (config exclude_tags).
	ExcludeTags []string
	// Policy classifies findings and cost lines; Classify, when set,
	// replaces it (tests). With neither, everything is Review.
	Policy   *classify.Policy
	Classify ClassifyFunc
}

// NewEngine builds an engine with the given rules and catalog and checks
// the configured parameters against the rules' declarations. Settings
// start at DefaultSettings.
func NewEngine(rules []Rule, catalog *pricing.Layered, params map[string]map[string]string) (*Engine, error) {
	byID := map[string]*Rule{}
	for i := range rules {
		if _, dup := byID[rules[i].ID]; dup {
			return nil, fmt.Errorf("findings: duplicate rule %s", rules[i].ID)
		}
		byID[rules[i].ID] = &rules[i]
	}
	for _, id := range sortedStrings(params) {
		r, ok := byID[id]
		if !ok {
			return nil, fmt.Errorf("rules.%s: no such rule", id)
		}
		for _, name := range sortedStrings(params[id]) {
			v := params[id][name]
			found := false
			for _, p := range r.Params {
				if p.Name == name {
					found = true
					if _, err := strconv.Atoi(p.Default); err == nil {
						n, err := strconv.Atoi(v)
						if err != nil || n < 0 {
							return nil, fmt.Errorf("rules.%s.%s: %q is not a non-negative whole number", id, name, v)
						}
						if p.Min > 0 && n < p.Min {
							return nil, fmt.Errorf("rules.%s.%s: %d is less than %d", id, name, n, p.Min)
						}
						if p.Max > 0 && n > p.Max {
							return nil, fmt.Errorf("rules.%s.%s: %d is more than %d, %s", id, name, n, p.Max, p.MaxWhy)
						}
					}
				}
			}
			if !found {
				return nil, fmt.Errorf("rules.%s.%s: no such parameter", id, name)
			}
		}
	}
	return &Engine{Rules: rules, Catalog: catalog, Params: params, Now: time.Now, Settings: DefaultSettings()}, nil
}

// Run evaluates every rule and returns the ranked, totalled result.
func (e *Engine) Run(inv *scanners.Inventory) *Result {
	now := inv.ScannedAt
	if now.IsZero() {
		now = e.Now().UTC()
	}
	classify := e.Classify
	if classify == nil && e.Policy != nil {
		classify = PolicyClassifier(e.Policy, now)
	}
	if classify == nil {
		classify = unclassified
	}
	settings := e.Settings
	res := &Result{
		Schema:      ResultSchema,
		ToolVersion: e.ToolVersion,
		ScannedAt:   now,
		Status:      inv.Status,
		Gaps:        inv.Gaps,
		Resources:   len(inv.Resources),
		Seats:       len(inv.Seats),
		Settings:    settings,
	}
	var cat pricing.Catalog
	if e.Catalog != nil {
		cat = e.Catalog
	}
	byKey := inv.ResourceByKey()
	var classes []Classification // classes[i] is the class of res.Findings[i]
	for i := range e.Rules {
		r := &e.Rules[i]
		rc := &RuleContext{Now: now, Catalog: cat, Settings: &settings, rule: r, params: e.Params[r.ID], ruleParams: e.Params, rules: e.Rules}
		for _, p := range r.Params {
			res.Thresholds = append(res.Thresholds, Threshold{Rule: r.ID, Name: p.Name, Value: rc.Param(p.Name), Description: p.Description})
		}
		for _, f := range r.Eval(inv, rc) {
			if excluded(byKey[f.ResourceKey], e.ExcludeTags) {
				continue
			}
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
			f.Currency = settings.Currency
			subject := byKey[f.ResourceKey]
			if subject == nil { // a seat, or a finding on no single resource
				subject = &scanners.Resource{Provider: f.Provider, Account: f.Account, Kind: f.ResourceKind, Tags: f.Tags}
			}
			c := classify(subject)
			f.Class, f.ClassRule, f.ClassRationale, f.ClassCitation = c.Class, c.Rule, c.Rationale, c.Citation
			if m := byKey[f.ResourceKey]; m != nil && m.Attr("managed_by") != "" {
				managedByService(&f, m.Attr("managed_by"))
			}
			e.suppress(&f, byKey[f.ResourceKey], now)
			res.Findings = append(res.Findings, f)
			classes = append(classes, c)
		}
	}
	e.dropIncludedSavings(res.Findings)
	for i := range res.Findings {
		savingsModel(&res.Findings[i], classes[i], &settings, now)
	}
	rank(res.Findings, now, settings.WinWindowDays)
	res.CostLines = costLines(inv, &RuleContext{Now: now, Catalog: cat, Settings: &settings}, classify)
	res.Licences = licenceSummaries(inv, &RuleContext{Now: now, Catalog: cat, Settings: &settings})
	res.Totals = totals(res.Findings, res.CostLines, &settings, now)
	if e.Catalog != nil {
		res.Prices = e.Catalog.Used()
		res.Missing = e.Catalog.Missed()
	}
	return res
}

// dropIncludedSavings zeroes the saving of a finding whose resource has an
// active (not suppressed) finding of a rule that Includes its rule, with
// an evidence note, so the totals count the resource's cost once.
func (e *Engine) dropIncludedSavings(fs []Finding) {
	includes := map[string][]string{}
	for _, r := range e.Rules {
		includes[r.ID] = r.Includes
	}
	by := map[string][]string{} // resource key → rules with an active finding there that include others
	for i := range fs {
		if !fs[i].Suppressed() && len(includes[fs[i].Rule]) > 0 {
			by[fs[i].ResourceKey] = append(by[fs[i].ResourceKey], fs[i].Rule)
		}
	}
	for i := range fs {
		f := &fs[i]
		for _, other := range by[f.ResourceKey] {
			if other == f.Rule || !slices.Contains(includes[other], f.Rule) || f.MonthlySavings == nil {
				continue
			}
			f.MonthlySavings = Money(decimal.Zero)
			f.Evidence = append(f.Evidence, Evidence{"saving", "not counted: the " + other + " finding on the same resource already counts its whole cost"})
			break
		}
	}
}

// suppress applies a ghostaudit:ignore tag or the first matching config
// suppression; an expired one leaves the finding active, with a note.
func (e *Engine) suppress(f *Finding, r *scanners.Resource, now time.Time) {
	if r != nil {
		if reason, ok := r.Tags[IgnoreTag]; ok {
			if reason == "" {
				reason = "tagged " + IgnoreTag
			}
			f.Suppression = &Suppression{Rule: "*", Resource: f.ResourceKey, Reason: reason, Source: "tag " + IgnoreTag}
			return
		}
	}
	for _, s := range e.Suppressions {
		if s.Rule != "*" && s.Rule != f.Rule {
			continue
		}
		keyMatch, _ := path.Match(s.Resource, f.ResourceKey)
		idMatch, _ := path.Match(s.Resource, f.ResourceID)
		if !keyMatch && !idMatch {
			continue
		}
		if s.Expires != "" {
			exp, _ := time.Parse("2006-01-02", s.Expires)
			if !now.Before(exp.AddDate(0, 0, 1)) {
				f.SuppressionNote = fmt.Sprintf("a suppression expired on %s (reason was: %s; owner: %s)", s.Expires, s.Reason, s.Owner)
				continue
			}
		}
		s.Source = "config"
		f.Suppression = &s
		return
	}
}

// savingsModel fills the CFO figures of a priced finding.
func savingsModel(f *Finding, c Classification, s *Settings, now time.Time) {
	f.Recurring = true
	f.Treatment = "reduction"
	if c.Avoidance || (f.RealisableFrom != nil && f.RealisableFrom.After(now)) {
		f.Treatment = "avoidance"
	}
	f.EBITDA = c.EBITDA && f.Recurring
	if f.OneTimeCost.IsZero() {
		f.OneTimeCost = s.effortHours(f.Effort).Mul(decimal.RequireFromString(s.HourlyRate))
	}
	f.EffectiveFrom = now
	if f.RealisableFrom != nil && f.RealisableFrom.After(now) {
		f.EffectiveFrom = *f.RealisableFrom
	}
	if !f.Priced() {
		if f.Unpriced == "" {
			f.Unpriced = "no price available"
		}
		return
	}
	twelve := decimal.NewFromInt(12)
	f.AnnualSavings = Money(f.MonthlySavings.Mul(twelve))
	f.Haircut = s.haircut(f.Confidence)
	f.RiskAdjustedMonthly = Money(f.MonthlySavings.Mul(f.Haircut))
	f.RiskAdjustedAnnual = Money(f.RiskAdjustedMonthly.Mul(twelve))
	f.InYearImpact = Money(f.MonthlySavings.Mul(monthsUntil(f.EffectiveFrom, s.FiscalYearEnd(now))).Round(2))
	if f.MonthlySavings.IsPositive() {
		f.PaybackMonths = Money(f.OneTimeCost.Div(*f.MonthlySavings).Round(2))
	}
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
// effort, priced with a positive saving, not suppressed, and realisable
// within the window (30 days by default).
func IsWin(f *Finding, now time.Time, windowDays int) bool {
	if f.Confidence != High || f.Effort != Low || !f.Counted() || !f.MonthlySavings.IsPositive() {
		return false
	}
	return f.RealisableFrom == nil || !f.RealisableFrom.After(now.Add(time.Duration(windowDays)*24*time.Hour))
}

// rank orders findings: 30-day wins first by monthly savings, then the
// rest by risk-adjusted savings per unit of effort, then unpriced, then
// suppressed findings; ties by ID.
func rank(fs []Finding, now time.Time, windowDays int) {
	for i := range fs {
		fs[i].Win = IsWin(&fs[i], now, windowDays)
	}
	group := func(f *Finding) int {
		switch {
		case f.Win:
			return 0
		case f.Counted():
			return 1
		case !f.Suppressed():
			return 2
		}
		return 3
	}
	score := func(f *Finding) decimal.Decimal {
		switch {
		case f.Win:
			return *f.MonthlySavings
		case f.Priced() && f.RiskAdjustedMonthly != nil:
			return f.RiskAdjustedMonthly.Div(decimal.NewFromInt(effortWeight(f.Effort)))
		}
		return decimal.Zero
	}
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := &fs[i], &fs[j]
		if ga, gb := group(a), group(b); ga != gb {
			return ga < gb
		}
		if c := score(a).Cmp(score(b)); c != 0 {
			return c > 0
		}
		return a.ID < b.ID
	})
	for i := range fs {
		f := &fs[i]
		f.Rank = i + 1
		switch group(f) {
		case 0:
			f.WhyRank = fmt.Sprintf("30-day win: %s confidence, %s effort, realisable within %d days; ranked by monthly savings", f.Confidence, f.Effort, windowDays)
		case 1:
			why := fmt.Sprintf("%s confidence, %s effort", f.Confidence, f.Effort)
			if f.RealisableFrom != nil && f.RealisableFrom.After(now.Add(time.Duration(windowDays)*24*time.Hour)) {
				why += ", realisable from " + f.RealisableFrom.Format("2006-01-02")
			}
			f.WhyRank = fmt.Sprintf("not a 30-day win (%s); ranked by risk-adjusted monthly savings %s ÷ effort weight %d",
				why, f.RiskAdjustedMonthly.StringFixed(2), effortWeight(f.Effort))
		case 2:
			f.WhyRank = "unpriced: ranked after every priced finding"
		default:
			f.WhyRank = "suppressed: kept for the record, left out of every total"
		}
	}
}

func totals(fs []Finding, lines []CostLine, s *Settings, now time.Time) Totals {
	t := Totals{Currency: s.Currency, Findings: len(fs), FiscalYearEnd: s.FiscalYearEnd(now)}
	t.EVMultiple = decimal.RequireFromString(s.EVMultiple)
	cats, provs := map[string]*Subtotal{}, map[string]*Subtotal{}
	add := func(m map[string]*Subtotal, name string, f *Finding) {
		sub := m[name]
		if sub == nil {
			sub = &Subtotal{Name: name}
			m[name] = sub
		}
		sub.Findings++
		switch {
		case f.Counted():
			sub.MonthlySavings = sub.MonthlySavings.Add(*f.MonthlySavings)
			sub.AnnualSavings = sub.AnnualSavings.Add(*f.AnnualSavings)
		case !f.Priced():
			sub.Unpriced++
		}
	}
	for i := range fs {
		f := &fs[i]
		if f.Suppressed() {
			t.Suppressed++
			if f.Priced() {
				t.SuppressedMonthly = t.SuppressedMonthly.Add(*f.MonthlySavings)
			}
			continue
		}
		add(cats, f.Category, f)
		add(provs, f.Provider, f)
		if !f.Priced() {
			t.Unpriced++
			continue
		}
		t.Priced++
		t.MonthlySavings = t.MonthlySavings.Add(*f.MonthlySavings)
		t.AnnualSavings = t.AnnualSavings.Add(*f.AnnualSavings)
		t.RiskAdjustedMonthly = t.RiskAdjustedMonthly.Add(*f.RiskAdjustedMonthly)
		t.RiskAdjustedAnnual = t.RiskAdjustedAnnual.Add(*f.RiskAdjustedAnnual)
		t.InYearImpact = t.InYearImpact.Add(*f.InYearImpact)
		t.OneTimeCost = t.OneTimeCost.Add(f.OneTimeCost)
		if f.EBITDA {
			t.EBITDAAnnual = t.EBITDAAnnual.Add(*f.AnnualSavings)
			t.EBITDARiskAdjusted = t.EBITDARiskAdjusted.Add(*f.RiskAdjustedAnnual)
		}
		if f.Win {
			t.Wins++
			t.WinsMonthly = t.WinsMonthly.Add(*f.MonthlySavings)
		}
	}
	t.EVImpact = t.EBITDARiskAdjusted.Mul(t.EVMultiple)
	if t.MonthlySavings.IsPositive() {
		t.PaybackMonths = Money(t.OneTimeCost.Div(t.MonthlySavings).Round(2))
	}
	t.ByCategory, t.ByProvider = sortedSubtotals(cats), sortedSubtotals(provs)
	classes := map[string]*ClassSpend{}
	for _, l := range lines {
		cs := classes[l.Class]
		if cs == nil {
			cs = &ClassSpend{Class: l.Class}
			classes[l.Class] = cs
		}
		cs.Items++
		if l.MonthlyCost == nil {
			cs.Unpriced++
			t.SpendUnpriced++
			continue
		}
		t.SpendPriced++
		cs.Monthly = cs.Monthly.Add(*l.MonthlyCost)
		cs.Annual = cs.Monthly.Mul(decimal.NewFromInt(12))
		t.SpendMonthly = t.SpendMonthly.Add(*l.MonthlyCost)
	}
	t.SpendAnnual = t.SpendMonthly.Mul(decimal.NewFromInt(12))
	for _, name := range sortedStrings(classes) {
		t.SpendByClass = append(t.SpendByClass, *classes[name])
	}
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

// excluded reports whether a resource carries one of the excluded tags.
func excluded(r *scanners.Resource, tags []string) bool {
	if r == nil {
		return false
	}
	for _, t := range tags {
		k, v, hasValue := strings.Cut(t, "=")
		got, ok := r.Tags[k]
		if ok && (!hasValue || got == v) {
			return true
		}
	}
	return false
}

// managedByService says, on a finding about a resource an AWS service
// manages (EC2's operator.principal, e.g. EKS Auto Mode's nodes and
// volumes), that the change goes through that service: acting on the
// resource directly is refused or undone by the service.
func managedByService(f *Finding, service string) {
	f.Evidence = append(f.Evidence, Evidence{"managed_by", service + " (an AWS-managed resource)"})
	f.Action = "Managed by " + service + ": make this change through that service (e.g. the cluster's node pool or storage class), not on the resource itself. " + f.Action
	if f.Effort == Low {
		f.Effort = Medium
	}
}
