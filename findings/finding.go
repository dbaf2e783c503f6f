// Package findings turns an inventory into priced, ranked findings: the
// rules, the savings model, the 30-day-wins ranking and the totals a CFO
// reads. It is pure: no SDK, no network, no files except explicit inputs.
package findings

import (
	"crypto/sha256"
	"encoding/hex"
	"time"

	"github.com/shopspring/decimal"

	"github.com/ghostaudit/ghostaudit/findings/pricing"
	"github.com/ghostaudit/ghostaudit/scanners"
)

// Categories of findings.
const (
	CategoryGhostLicense       = "ghost-license"
	CategoryIdleInfrastructure = "idle-infrastructure"
	CategoryRightsizing        = "rightsizing"
	CategoryHygiene            = "hygiene"
)

// Confidence, effort and risk levels.
const (
	High   = "high"
	Medium = "medium"
	Low    = "low"
)

// Evidence is one number or fact that triggered a finding.
type Evidence struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// Finding is one thing that can be cut, with what it saves and how sure we are.
type Finding struct {
	ID       string `json:"id"` // stable: hash of rule and resource key
	Rule     string `json:"rule"`
	Category string `json:"category"`

	Provider     string            `json:"provider"`
	Account      string            `json:"account"`
	Region       string            `json:"region"`
	ResourceKind string            `json:"resource_kind"`
	ResourceID   string            `json:"resource_id"`
	ResourceName string            `json:"resource_name,omitempty"`
	ResourceKey  string            `json:"resource_key"`
	Tags         map[string]string `json:"tags,omitempty"`

	Title    string     `json:"title"`
	Evidence []Evidence `json:"evidence"`
	Action   string     `json:"action"`

	Currency string `json:"currency"`
	// MonthlyCost is what the resource costs now per month; nil when unpriced.
	MonthlyCost *decimal.Decimal `json:"monthly_cost"`
	// MonthlySavings is the estimated monthly saving; nil when unpriced.
	MonthlySavings *decimal.Decimal `json:"monthly_savings"`
	// AnnualSavings is 12 × MonthlySavings; nil when unpriced.
	AnnualSavings *decimal.Decimal `json:"annual_savings"`
	OneTimeCost   decimal.Decimal  `json:"one_time_cost"`
	// Unpriced says why no saving could be computed; empty when priced.
	Unpriced string `json:"unpriced,omitempty"`
	// Prices are the unit prices the estimate used, each with its source and date.
	Prices []pricing.Price `json:"prices,omitempty"`

	Confidence     string     `json:"confidence"`
	Effort         string     `json:"effort"`
	Risk           string     `json:"risk"`
	RealisableFrom *time.Time `json:"realisable_from,omitempty"` // e.g. a licence renewal; nil = now

	// The savings model (nil when unpriced).
	Haircut             decimal.Decimal  `json:"haircut"` // share kept for the confidence level, 0-1
	RiskAdjustedMonthly *decimal.Decimal `json:"risk_adjusted_monthly"`
	RiskAdjustedAnnual  *decimal.Decimal `json:"risk_adjusted_annual"`
	EffectiveFrom       time.Time        `json:"effective_from"` // when the saving starts
	InYearImpact        *decimal.Decimal `json:"in_year_impact"` // run-rate × months left in the fiscal year
	PaybackMonths       *decimal.Decimal `json:"payback_months"` // one-time cost ÷ monthly saving
	Recurring           bool             `json:"recurring"`
	Treatment           string           `json:"treatment"` // "reduction" (spend today) or "avoidance" (future spend)
	EBITDA              bool             `json:"ebitda"`    // counts toward the EBITDA impact

	Class          string `json:"class"` // OpEx, CapEx, Prepaid-amortised, Review
	ClassRule      string `json:"class_rule,omitempty"`
	ClassRationale string `json:"class_rationale,omitempty"`
	ClassCitation  string `json:"class_citation,omitempty"`

	// Suppression is set when the finding is accepted on purpose; it is then
	// kept in the outputs but left out of every total.
	Suppression *Suppression `json:"suppression,omitempty"`
	// SuppressionNote says why a suppression no longer applies (expired).
	SuppressionNote string `json:"suppression_note,omitempty"`

	// Win is true for a 30-day win; Rank orders all findings (1 = first).
	Win  bool `json:"win"`
	Rank int  `json:"rank"`
	// WhyRank explains the position in the ranking.
	WhyRank string `json:"why_rank"`
}

// Priced reports whether the finding has a savings estimate.
func (f *Finding) Priced() bool { return f.MonthlySavings != nil }

// Suppressed reports whether the finding is accepted on purpose.
func (f *Finding) Suppressed() bool { return f.Suppression != nil }

// Counted reports whether the finding's savings enter the totals.
func (f *Finding) Counted() bool { return f.Priced() && !f.Suppressed() }

// FindingID derives the stable ID of a finding from its rule and resource key.
func FindingID(rule, resourceKey string) string {
	sum := sha256.Sum256([]byte(rule + "\x00" + resourceKey))
	return "GA-" + hex.EncodeToString(sum[:])[:12]
}

// Money is a convenience for a decimal pointer.
func Money(d decimal.Decimal) *decimal.Decimal { return &d }

// Totals are the headline figures of a result. Savings count priced,
// unsuppressed findings only.
type Totals struct {
	Currency       string          `json:"currency"`
	Findings       int             `json:"findings"`
	Priced         int             `json:"priced"`
	Unpriced       int             `json:"unpriced"`
	Suppressed     int             `json:"suppressed"`
	Wins           int             `json:"wins"`
	MonthlySavings decimal.Decimal `json:"monthly_savings"`
	AnnualSavings  decimal.Decimal `json:"annual_savings"`
	WinsMonthly    decimal.Decimal `json:"wins_monthly_savings"`

	RiskAdjustedMonthly decimal.Decimal `json:"risk_adjusted_monthly"`
	RiskAdjustedAnnual  decimal.Decimal `json:"risk_adjusted_annual"`
	InYearImpact        decimal.Decimal `json:"in_year_impact"`
	FiscalYearEnd       time.Time       `json:"fiscal_year_end"`
	OneTimeCost         decimal.Decimal `json:"one_time_cost"`
	// PaybackMonths is total one-time cost ÷ total monthly savings; nil when nothing is saved.
	PaybackMonths *decimal.Decimal `json:"payback_months"`
	// EBITDAAnnual is the annualised recurring OpEx savings; EBITDARiskAdjusted applies the haircuts.
	EBITDAAnnual       decimal.Decimal `json:"ebitda_annual"`
	EBITDARiskAdjusted decimal.Decimal `json:"ebitda_risk_adjusted"`
	EVMultiple         decimal.Decimal `json:"ev_ebitda_multiple"`
	EVImpact           decimal.Decimal `json:"ev_impact"` // illustrative: risk-adjusted EBITDA × multiple

	// Spend in scope: the monthly cost of every scanned resource we can price.
	SpendMonthly      decimal.Decimal `json:"spend_monthly"`
	SpendAnnual       decimal.Decimal `json:"spend_annual"`
	SpendPriced       int             `json:"spend_priced_items"`
	SpendUnpriced     int             `json:"spend_unpriced_items"`
	SpendByClass      []ClassSpend    `json:"spend_by_class"`
	SuppressedMonthly decimal.Decimal `json:"suppressed_monthly_savings"`
	// ByCategory and ByProvider split the priced monthly savings.
	ByCategory []Subtotal `json:"by_category"`
	ByProvider []Subtotal `json:"by_provider"`
}

// Subtotal is a group's count and monthly savings.
type Subtotal struct {
	Name           string          `json:"name"`
	Findings       int             `json:"findings"`
	Unpriced       int             `json:"unpriced"`
	MonthlySavings decimal.Decimal `json:"monthly_savings"`
	AnnualSavings  decimal.Decimal `json:"annual_savings"`
}

// Threshold is a rule parameter in force for a run, for the Assumptions sheet.
type Threshold struct {
	Rule        string `json:"rule"`
	Name        string `json:"name"`
	Value       string `json:"value"`
	Description string `json:"description"`
}

// ResultSchema versions the findings JSON document.
const ResultSchema = "ghostaudit.findings/v1"

// Result is everything a report needs: every writer is fed from it, so
// formats can never disagree.
type Result struct {
	Schema      string                `json:"schema"`
	ToolVersion string                `json:"tool_version"`
	ScannedAt   time.Time             `json:"scanned_at"`
	Findings    []Finding             `json:"findings"` // in rank order
	Totals      Totals                `json:"totals"`
	Status      []scanners.ScanStatus `json:"scanners"`
	Gaps        []scanners.Gap        `json:"gaps"`
	Prices      []pricing.Price       `json:"prices"`         // every price used
	Missing     []string              `json:"missing_prices"` // look-ups no source answered
	Thresholds  []Threshold           `json:"thresholds"`
	Settings    Settings              `json:"settings"`   // the finance assumptions in force
	CostLines   []CostLine            `json:"cost_lines"` // every scanned resource we know how to cost, with its class
	// Licences summarises each SaaS SKU: bought, assigned, unused and what
	// the unused seats cost (the Ghost Licences sheet).
	Licences []LicenceSummary `json:"licences,omitempty"`
	// Trend is the savings history from the ledger, oldest run first; empty
	// when no ledger is kept.
	Trend     []TrendPoint `json:"trend,omitempty"`
	Resources int          `json:"resources_scanned"`
	Seats     int          `json:"seats_scanned"`
}

// CostLine is one scanned resource's monthly cost and classification, for
// the spend in scope and the CapEx/OpEx split.
type CostLine struct {
	ResourceKey  string           `json:"resource_key"`
	Provider     string           `json:"provider"`
	Account      string           `json:"account"`
	Region       string           `json:"region"`
	Kind         string           `json:"kind"`
	ResourceID   string           `json:"resource_id"`
	ResourceName string           `json:"resource_name,omitempty"`
	MonthlyCost  *decimal.Decimal `json:"monthly_cost"` // nil when unpriced
	Unpriced     string           `json:"unpriced,omitempty"`
	// Note is a caveat on MonthlyCost, e.g. a lower bound when a licence
	// is not included; empty when there is none.
	Note           string `json:"note,omitempty"`
	Class          string `json:"class"`
	ClassRule      string `json:"class_rule,omitempty"`
	ClassRationale string `json:"class_rationale,omitempty"`
	ClassCitation  string `json:"class_citation,omitempty"`
}

// ClassSpend is the monthly cost of the priced cost lines of one class.
type ClassSpend struct {
	Class    string          `json:"class"`
	Items    int             `json:"items"`
	Unpriced int             `json:"unpriced"`
	Monthly  decimal.Decimal `json:"monthly"`
	Annual   decimal.Decimal `json:"annual"`
}

// TrendPoint is one ledger run: the monthly savings identified so far
// (open, pending behind a gap, and realised) and those realised, cumulative.
type TrendPoint struct {
	Run        string          `json:"run"`
	ScannedAt  time.Time       `json:"scanned_at"`
	Findings   int             `json:"findings"`
	Identified decimal.Decimal `json:"identified_monthly"`
	Realised   decimal.Decimal `json:"realised_monthly"`
	Open       decimal.Decimal `json:"open_monthly"`
}

// LicenceSummary is one SaaS SKU in one tenant.
type LicenceSummary struct {
	Provider  string           `json:"provider"`
	Tenant    string           `json:"tenant"`
	SKU       string           `json:"sku"`
	Name      string           `json:"name"`
	Purchased int64            `json:"purchased"`
	Assigned  int64            `json:"assigned"`
	Unused    int64            `json:"unused"`
	UnitPrice *decimal.Decimal `json:"unit_price"`    // per user per month; nil when unpriced
	Waste     *decimal.Decimal `json:"monthly_waste"` // unused × unit price; nil when unpriced or unknown
	Renewal   *time.Time       `json:"renewal,omitempty"`
	// Note is a caveat on Unused and Waste, e.g. an upper bound when the
	// tenant's trial seats could not be read.
	Note string `json:"note,omitempty"`
}
