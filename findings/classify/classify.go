// Package classify decides whether a cost line, resource, seat or finding is
// OpEx, CapEx, Prepaid-amortised or needs a controller's Review, under US GAAP
// or IFRS, with the rule that decided, a rationale and a citation.
//
// The policy is an ordered table of rules (R1–R18, from
// shared/research/report-finance.md §6.2); the first rule that matches an
// Item decides. Anything unmatched, any tag that cannot be parsed and any
// set of tags that contradict each other or the rule are classed Review:
// the package never guesses and never silently capitalises.
//
// The classification is for management reporting (what a saving does to
// EBITDA, cash and future D&A), not for booking entries: impairment, lease
// identification and the final policy stay with the controller.
//
// The package is pure: no SDK, no network, no files.
package classify

import (
	"time"

	"github.com/shopspring/decimal"
)

// Class is the accounting treatment of a cost.
type Class string

// The four classes. Their string values are what findings.Finding.Class
// carries and what the workbook shows.
const (
	// OpEx is expensed as incurred, inside EBITDA.
	OpEx Class = "OpEx"
	// CapEx is PP&E or an intangible asset, depreciated or amortised in D&A,
	// outside EBITDA.
	CapEx Class = "CapEx"
	// PrepaidAmortised is an asset now, expensed straight-line over the
	// service term in the same OpEx line, inside EBITDA.
	PrepaidAmortised Class = "Prepaid-amortised"
	// Review needs judgment: route to the controller.
	Review Class = "Review"
)

// Sources of an Item.
const (
	SourceCloudBill       = "cloud_bill"
	SourceSaaSInvoice     = "saas_invoice"
	SourceHardwareInvoice = "hardware_invoice"
	SourceLabor           = "labor"
	SourceLicenseInvoice  = "license_invoice"
)

// Charge categories (FOCUS ChargeCategory).
const (
	ChargeUsage      = "Usage"
	ChargePurchase   = "Purchase"
	ChargeTax        = "Tax"
	ChargeCredit     = "Credit"
	ChargeAdjustment = "Adjustment"
)

// Charge frequencies (FOCUS ChargeFrequency).
const (
	FrequencyOneTime    = "One-Time"
	FrequencyRecurring  = "Recurring"
	FrequencyUsageBased = "Usage-Based"
)

// Pricing categories (FOCUS PricingCategory): Standard is on-demand,
// Dynamic is spot, Committed is usage covered by a commitment.
const (
	PricingStandard  = "Standard"
	PricingDynamic   = "Dynamic"
	PricingCommitted = "Committed"
)

// Payment options of a commitment (RI, Savings Plan, CUD).
const (
	PaymentAllUpfront     = "All Upfront"
	PaymentPartialUpfront = "Partial Upfront"
	PaymentNoUpfront      = "No Upfront"
)

// Arrangements: what the contract gives the customer.
const (
	// ArrangementIaaSPaaS is cloud infrastructure or platform consumption.
	ArrangementIaaSPaaS = "iaas_paas"
	// ArrangementSaaS is a SaaS subscription: access to hosted software.
	ArrangementSaaS = "saas_subscription"
	// ArrangementHostedWithLicense is a hosting arrangement that meets both
	// ASC 350-40-15-4A criteria, so it contains a software licence.
	ArrangementHostedWithLicense = "hosted_with_license"
	ArrangementOnPremPerpetual   = "onprem_perpetual"
	ArrangementOnPremTerm        = "onprem_term"
	// ArrangementSupport is maintenance, support or post-contract support.
	ArrangementSupport  = "support_pcs"
	ArrangementHardware = "hardware"
	// ArrangementLeaseCandidate is a dedicated host, bare metal or colocation
	// with an identified asset: always Review.
	ArrangementLeaseCandidate = "lease_candidate"
)

// Cost natures: what the money bought.
const (
	NatureFee            = "fee"
	NatureImplementation = "implementation"
	NatureDevelopment    = "development"
	NatureTraining       = "training"
	NatureDataConversion = "data_conversion"
	NatureMaintenance    = "maintenance"
)

// Licence types, checked against the arrangement for consistency.
const (
	LicencePerpetual    = "perpetual"
	LicenceTerm         = "term"
	LicenceSubscription = "subscription"
)

// Implementers of cloud-computing-arrangement implementation work; IFRS
// treats supplier work differently (IFRIC April 2021).
const (
	// ImplementerSupplier is the SaaS supplier or its subcontractor doing
	// configuration that is not distinct from the SaaS access (IFRS 15).
	ImplementerSupplier   = "supplier"
	ImplementerThirdParty = "third_party"
	ImplementerInternal   = "internal"
)

// Asset classes with a configured useful life (Settings.UsefulLives).
const (
	AssetLaptop  = "laptop"
	AssetServer  = "server"
	AssetNetwork = "network"
)

// Phases of a software project under the ASC 350-40 stage model (also used
// under IFRS: preliminary is research, application_development is
// development).
const (
	PhasePreliminary            = "preliminary"
	PhaseApplicationDevelopment = "application_development"
	PhasePostImplementation     = "post_implementation"
)

// Item is what gets classified: the attributes of one cost line, resource,
// seat or finding. Enumerated fields use the constants above; they are
// compared case-insensitively with '-', '_' and ' ' treated alike. Empty
// means unknown. Tag values are untrusted and parsed strictly.
type Item struct {
	Source          string // SourceCloudBill, ...
	Provider        string // informational: "aws", "m365", ...
	ChargeCategory  string // ChargeUsage, ...; AWS "Refund" and "EdpDiscount" read as Credit
	ChargeFrequency string // FrequencyOneTime, ...
	PricingCategory string // PricingStandard, ...

	// CommitmentType names the commitment ("Reserved Instance",
	// "Savings Plan", "CUD"); empty when the line is not a commitment.
	CommitmentType string
	PaymentOption  string // PaymentAllUpfront, ...
	// TermMonths is the commitment, licence or hosting term.
	TermMonths int
	// BilledInAdvanceMonths is how many months of service one invoice pays
	// for ahead; 0 or 1 means billed monthly or in arrears.
	BilledInAdvanceMonths int

	Arrangement string // ArrangementIaaSPaaS, ...
	CostNature  string // NatureFee, ...
	LicenceType string // LicencePerpetual, ...
	Implementer string // ImplementerSupplier, ... (CCA implementation only)
	AssetClass  string // AssetLaptop, ... (hardware only)

	Amount   decimal.Decimal
	Currency string // ISO 4217; must equal Settings.Currency for threshold rules
	// ProjectCost is the total capitalisable cost of the software project the
	// item belongs to; when zero, Amount is compared with the project
	// threshold instead.
	ProjectCost decimal.Decimal
	// UsefulLifeMonths overrides the configured life of the asset class.
	UsefulLifeMonths int

	// ServiceDate is when the cost was incurred (the scan clock for a
	// finding). Under ASU 2025-06 it picks the model: before
	// Settings.ASUAdoption the stage model applies.
	ServiceDate time.Time

	// Tags are the resource's or line's tags; Settings.TagKeys says which
	// keys carry project, phase, capex_eligible, project_authorized,
	// probable_to_complete and cost_center.
	Tags map[string]string

	// Underlying is the charge a Credit, Adjustment or Tax line applies to;
	// corrections and non-recoverable tax follow it (R5, R6). Nil when
	// unknown, which makes such lines Review.
	Underlying *Item
}

// Framework names.
const (
	FrameworkUSGAAP = "us-gaap"
	FrameworkIFRS   = "ifrs"
)

// Decision is the classification of one Item.
type Decision struct {
	Class Class
	// Rule is the ID of the deciding rule, "R1" … "R18".
	Rule      string
	Rationale string
	Citation  string
	Framework string // FrameworkUSGAAP or FrameworkIFRS
	// EBITDA reports whether eliminating the cost changes EBITDA: true for
	// OpEx and Prepaid-amortised (from the next term), false for CapEx,
	// Review, and capitalised implementation costs the company adds back.
	EBITDA bool
	// Months is the amortisation term (Prepaid-amortised) or useful life
	// (CapEx) in months; 0 when expensed or under review.
	Months int
}

// Summary is the decision in one line, for Finding.ClassRationale:
// "R3: <rationale> [<citation>]".
func (d Decision) Summary() string {
	return d.Rule + ": " + d.Rationale + " [" + d.Citation + "]"
}
