package classify

import (
	"fmt"
	"strings"
)

// RuleInfo describes one rule of the table, for generated docs and the
// workbook's Assumptions sheet.
type RuleInfo struct {
	ID        string // "R1" … "R18"
	When      string // the inputs that select the rule
	USGAAP    string // the class under US GAAP
	IFRS      string // the class under IFRS
	Citation  string // the standards and sources, as in the research table
	Rationale string
}

// rule is a row of the table: its description and its matcher. apply
// returns ok=false when the rule does not select the item; a rule that
// selects the item but lacks an input to decide returns Review with why.
type rule struct {
	RuleInfo
	apply func(c *ctx) (outcome, bool)
}

// Rules returns the table in evaluation order.
func (p *Policy) Rules() []RuleInfo {
	out := make([]RuleInfo, len(p.rules))
	for i, r := range p.rules {
		out[i] = r.RuleInfo
	}
	return out
}

const citeHosting = "ASC 350-40-15-4A/4C (ASU 2015-05); IFRIC Mar 2019"

// newRules builds the table in evaluation order; R18 is last and matches
// everything. The citations are verbatim from
// shared/research/report-finance.md §6.2, except R4's "as R1", which is
// spelled out. (A function, not a package variable, because R5 and R6
// classify the underlying charge through the table.)
func newRules() []rule {
	return []rule{
		{RuleInfo{"R1",
			"cloud_bill, charge_category=Usage, pricing_category Standard or Dynamic (on-demand, spot)",
			"OpEx", "OpEx", citeHosting,
			"Cloud hosting without a software licence is a service, so consumption is expensed as it is received."},
			func(c *ctx) (outcome, bool) {
				it := c.it
				return outcome{class: OpEx}, cloudService(it) && is(it.ChargeCategory, ChargeUsage) &&
					is(it.PricingCategory, PricingStandard, PricingDynamic)
			}},
		{RuleInfo{"R2",
			"cloud_bill, charge_category=Usage, pricing_category=Committed (usage covered by an RI, Savings Plan or CUD)",
			"OpEx at EffectiveCost (includes the amortised upfront share)", "OpEx at EffectiveCost",
			"FOCUS EffectiveCost; AWS CUR amortization columns",
			"Usage covered by a commitment is still service consumption; count it at effective cost, which already includes the amortised upfront share, and do not count the purchase (R3) again."},
			func(c *ctx) (outcome, bool) {
				it := c.it
				return outcome{class: OpEx}, cloudService(it) && is(it.ChargeCategory, ChargeUsage) &&
					is(it.PricingCategory, PricingCommitted)
			}},
		{RuleInfo{"R3",
			"cloud_bill, charge_category=Purchase, charge_frequency=One-Time, a commitment (All or Partial Upfront RI, Savings Plan, CUD)",
			"Prepaid-amortised over the term", "Prepaid-amortised (prepayment, IAS 38.70)",
			"ASC 340-10 prepaid expenses; FOCUS EffectiveCost = 0 on the purchase row; practitioner consensus",
			"An upfront commitment fee is a payment in advance for a right to a service, not PP&E or an intangible asset: it is a prepaid expense amortised over the term, and never CapEx."},
			func(c *ctx) (outcome, bool) {
				it := c.it
				if !(cloudService(it) && is(it.ChargeCategory, ChargePurchase) && is(it.ChargeFrequency, FrequencyOneTime) && commitment(it)) {
					return outcome{}, false
				}
				m, why := c.prepaidTerm(it.TermMonths, "commitment term")
				return outcome{class: PrepaidAmortised, months: m, why: why}, true
			}},
		{RuleInfo{"R4",
			"cloud_bill, charge_category=Purchase, charge_frequency=Recurring, a commitment (RI or Savings Plan recurring fee, No Upfront monthly)",
			"OpEx (the unused portion is waste, still OpEx)", "OpEx", citeHosting,
			"The recurring fee of a commitment is a periodic service fee; any unused portion is waste, but still OpEx."},
			func(c *ctx) (outcome, bool) {
				it := c.it
				return outcome{class: OpEx}, cloudService(it) && is(it.ChargeCategory, ChargePurchase) &&
					is(it.ChargeFrequency, FrequencyRecurring) && commitment(it)
			}},
		{RuleInfo{"R5",
			"charge_category Credit or Adjustment (refunds, credits, discounts), any source",
			"Follows the original charge (contra-OpEx, or reduces the prepaid for purchase refunds)", "Follows the original charge",
			"FOCUS ChargeCategory",
			"Credits and adjustments follow the charge they correct: contra-OpEx, or a reduction of the prepaid when a purchase is refunded."},
			func(c *ctx) (outcome, bool) {
				if !is(c.it.ChargeCategory, ChargeCredit, ChargeAdjustment, "Refund", "EdpDiscount") {
					return outcome{}, false
				}
				return c.follow("credit or adjustment"), true
			}},
		{RuleInfo{"R6",
			"charge_category=Tax, any source",
			"Follows the underlying charge (non-recoverable tax); recoverable VAT is excluded", "Follows the underlying charge",
			"FOCUS",
			"Tax is part of the cost only when it is not recoverable; non-recoverable tax follows the charge it is levied on."},
			func(c *ctx) (outcome, bool) {
				if !is(c.it.ChargeCategory, ChargeTax) {
					return outcome{}, false
				}
				if c.p.s.TaxRecoverable {
					return outcome{class: Review, why: "Tax is configured as recoverable VAT/GST, which is not a cost: exclude it from spend and savings."}, true
				}
				return c.follow("tax"), true
			}},
		{RuleInfo{"R7",
			"saas_invoice (or cloud marketplace SaaS), arrangement=saas_subscription, billed monthly or in arrears",
			"OpEx", "OpEx", "ASC 350-40-15-4C; IFRIC Mar 2019",
			"A SaaS subscription is a service: its fees are expensed as the service is received."},
			func(c *ctx) (outcome, bool) {
				return outcome{class: OpEx}, saas(c.it) && c.it.BilledInAdvanceMonths <= 1
			}},
		{RuleInfo{"R8",
			"saas_invoice or cloud marketplace SaaS, arrangement=saas_subscription, billed in advance for more than one month",
			"Prepaid-amortised, ratably over the service period", "Prepaid-amortised",
			"ASC 340-10; IAS 38.70",
			"Cash paid before the service is received is a prepayment, expensed ratably over the service period."},
			func(c *ctx) (outcome, bool) {
				if !(saas(c.it) && c.it.BilledInAdvanceMonths > 1) {
					return outcome{}, false
				}
				m, why := c.prepaidTerm(c.it.BilledInAdvanceMonths, "period billed in advance")
				return outcome{class: PrepaidAmortised, months: m, why: why}, true
			}},
		{RuleInfo{"R9",
			"cost_nature=implementation of a cloud computing arrangement that is a service (saas_subscription or iaas_paas); US GAAP also needs the trigger: phase=application_development (stage model) or project_authorized and probable_to_complete (ASU 2025-06)",
			"Capitalised implementation asset, amortised straight-line over the hosting term in the hosting-fee line: Prepaid-amortised, inside EBITDA unless added back",
			"OpEx when the services are received; Prepaid-amortised over the SaaS term if the supplier's configuration is not distinct; Review if it creates separately controlled code",
			"ASU 2018-15 (ASC 350-40-25, -35, -45); ASU 2025-06; IFRIC Apr 2021; IAS 38.69–70",
			"US GAAP treats implementation of a hosted service like internal-use software but presents it like the service; IFRS sees no asset the customer controls."},
			func(c *ctx) (outcome, bool) {
				o, ok := r9(c)
				if c.ifrs {
					o.framework = "IFRS sees no asset the customer controls."
				} else {
					o.framework = "US GAAP treats implementation of a hosted service like internal-use software but presents it like the service."
				}
				return o, ok
			}},
		{RuleInfo{"R10",
			"project work (implementation, development, labor) that is not capitalisable: phase preliminary or post_implementation, ASU 2025-06 threshold not met, or capex_eligible=false; or cost_nature training, data_conversion or maintenance (outside support contracts)",
			"OpEx", "OpEx", "ASC 350-40 (stages / ASU 2025-06); IAS 38.69",
			"Planning, training, data conversion and upkeep are not capitalisable: they are expensed."},
			func(c *ctx) (outcome, bool) {
				it := c.it
				if is(it.Arrangement, ArrangementSupport, ArrangementLeaseCandidate) {
					return outcome{}, false
				}
				if is(it.CostNature, NatureTraining, NatureDataConversion, NatureMaintenance) {
					return outcome{class: OpEx, why: fmt.Sprintf("Cost nature is %s.", norm(it.CostNature))}, true
				}
				if !projectWork(it) {
					return outcome{}, false
				}
				if c.tags.capex == no {
					return outcome{class: OpEx, why: "Tagged not capitalisable."}, true
				}
				if c.ifrs && is(it.CostNature, NatureImplementation) && is(it.Arrangement, ArrangementSaaS, ArrangementIaaSPaaS) {
					return outcome{}, false // IFRS implementation of a service is R9 whatever the phase
				}
				if trig, about := c.trigger(); trig == no {
					return outcome{class: OpEx, why: "Not capitalisable because " + about + "."}, true
				}
				return outcome{}, false
			}},
		{RuleInfo{"R11",
			"labor or development invoice for internal-use software with capex_eligible=true and the trigger met (phase=application_development; ASU 2025-06: authorised and probable to complete; IFRS: development phase), project cost at or above the software project threshold",
			"CapEx (intangible), amortised over the useful life from ready-for-use (D&A); OpEx below the project threshold",
			"CapEx only if the IAS 38.57 criteria are met; research is OpEx (IAS 38.54)",
			"ASC 350-40-25; ASU 2025-06; IAS 38.54/57",
			"Building internal-use software creates an asset the company controls: it is capitalised and amortised over its useful life, in D&A."},
			func(c *ctx) (outcome, bool) {
				it := c.it
				if !projectWork(it) || is(it.Arrangement, ArrangementSupport, ArrangementLeaseCandidate) {
					return outcome{}, false
				}
				var missing []string
				if c.tags.capex != yes {
					missing = append(missing, "the capex_eligible tag is missing")
				}
				trig, about := c.trigger()
				if trig != yes {
					missing = append(missing, about)
				}
				if len(missing) > 0 {
					return outcome{class: Review, why: "Software project work, but capitalisation cannot be decided: " + strings.Join(missing, "; ") + "."}, true
				}
				base, what := it.Amount, "amount"
				if !it.ProjectCost.IsZero() {
					base, what = it.ProjectCost, "project cost"
				}
				atLeast, ok, reason := c.compare(base, c.p.s.SoftwareProjectThreshold, "software project threshold")
				if !ok {
					return outcome{class: Review, why: reason}, true
				}
				if !atLeast {
					return outcome{class: OpEx, deMinimis: true, why: fmt.Sprintf("The %s %s is below the software project threshold of %s %s, so it is expensed under the company's capitalisation policy.", what, base, c.p.s.SoftwareProjectThreshold, c.p.s.Currency)}, true
				}
				life, lifeWhy := lifeOr(it.UsefulLifeMonths, c.p.s.UsefulLives.InternalUseSoftware, "internal-use software")
				why := "Capitalised because " + about + " and the company asserts eligibility"
				if c.ifrs {
					why += " (IAS 38.57 criteria)"
				}
				return outcome{class: CapEx, months: life, why: why + ". " + lifeWhy}, true
			}},
		{RuleInfo{"R12",
			"arrangement=onprem_perpetual licence purchase, or hosted_with_license meeting both ASC 350-40-15-4A criteria",
			"CapEx (intangible, ASC 350-30/350-40) at or above the threshold; else OpEx",
			"CapEx (IAS 38 acquired intangible) at or above the threshold; else OpEx",
			"PwC SW 3.1; ASC 350-40-15-4A; IAS 38",
			"The customer controls the licence, so it is an intangible asset when at or above the capitalisation threshold."},
			func(c *ctx) (outcome, bool) {
				it := c.it
				if !(is(it.Arrangement, ArrangementOnPremPerpetual, ArrangementHostedWithLicense) && feeLike(it)) {
					return outcome{}, false
				}
				atLeast, ok, reason := c.compare(it.Amount, c.p.s.LicenceThreshold, "licence threshold")
				if !ok {
					return outcome{class: Review, why: reason}, true
				}
				if !atLeast {
					return outcome{class: OpEx, deMinimis: true, why: fmt.Sprintf("The amount %s is below the licence threshold of %s %s.", it.Amount, c.p.s.LicenceThreshold, c.p.s.Currency)}, true
				}
				life, lifeWhy := lifeOr(it.UsefulLifeMonths, c.p.s.UsefulLives.PerpetualLicence, "perpetual licence")
				return outcome{class: CapEx, months: life, why: lifeWhy}, true
			}},
		{RuleInfo{"R13",
			"arrangement=onprem_term licence (1–3 year term, customer-installed)",
			"CapEx (intangible plus a liability for unpaid fees) at or above the threshold with a term over 12 months; otherwise Review (many policies expense short or low-value terms)",
			"Review (IAS 38 intangible vs prepayment)",
			"PwC SW 3.1",
			"A term licence is an asset, but materiality and company policy dominate."},
			func(c *ctx) (outcome, bool) {
				it := c.it
				if !(is(it.Arrangement, ArrangementOnPremTerm) && feeLike(it)) {
					return outcome{}, false
				}
				if c.ifrs {
					return outcome{class: Review, why: "Under IFRS a term licence may be an IAS 38 intangible or a prepayment."}, true
				}
				atLeast, ok, reason := c.compare(it.Amount, c.p.s.LicenceThreshold, "licence threshold")
				if !ok {
					return outcome{class: Review, why: reason}, true
				}
				switch {
				case it.TermMonths <= 0 || it.TermMonths > maxMonths:
					return outcome{class: Review, why: "The licence term is unknown."}, true
				case !atLeast:
					return outcome{class: Review, why: fmt.Sprintf("The amount %s is below the licence threshold of %s %s; many policies expense low-value term licences.", it.Amount, c.p.s.LicenceThreshold, c.p.s.Currency)}, true
				case it.TermMonths <= 12:
					return outcome{class: Review, why: fmt.Sprintf("The %d-month term is short; many policies expense short term licences.", it.TermMonths)}, true
				}
				return outcome{class: CapEx, months: it.TermMonths, why: fmt.Sprintf("Amortised over the %d-month licence term.", it.TermMonths)}, true
			}},
		{RuleInfo{"R14",
			"arrangement=support_pcs (maintenance, support plans, cloud support fees)",
			"OpEx; Prepaid-amortised when paid in advance for several months", "same",
			"ASC 340-10 / IAS 38.70",
			"Support is a service over time."},
			func(c *ctx) (outcome, bool) {
				if !is(c.it.Arrangement, ArrangementSupport) {
					return outcome{}, false
				}
				if c.it.BilledInAdvanceMonths > 1 {
					m, why := c.prepaidTerm(c.it.BilledInAdvanceMonths, "period paid in advance")
					return outcome{class: PrepaidAmortised, months: m, why: why}, true
				}
				return outcome{class: OpEx, why: "Billed monthly or in arrears, so expensed as received."}, true
			}},
		{RuleInfo{"R15",
			"hardware_invoice or arrangement=hardware (servers, network, laptops), amount at or above the hardware threshold and useful life over 12 months",
			"CapEx (PP&E), depreciated over the class useful life (D&A)", "CapEx (IAS 16)",
			"ASC 360-10; IAS 16",
			"Hardware at or above the capitalisation threshold with a useful life over 12 months is a tangible long-lived asset, depreciated over its useful life."},
			func(c *ctx) (outcome, bool) {
				it := c.it
				if !hardware(it) {
					return outcome{}, false
				}
				atLeast, ok, reason := c.compare(it.Amount, c.p.s.HardwareThreshold, "hardware threshold")
				if !ok {
					return outcome{class: Review, why: reason}, true
				}
				if !atLeast {
					return outcome{}, false // R16
				}
				life, lifeWhy := c.hardwareLife()
				switch {
				case life == 0:
					return outcome{class: Review, why: lifeWhy}, true
				case life <= 12:
					return outcome{}, false // R16
				}
				return outcome{class: CapEx, months: life, why: lifeWhy}, true
			}},
		{RuleInfo{"R16",
			"hardware below the hardware threshold or with a useful life of 12 months or less, consumables, accessories",
			"OpEx", "OpEx",
			"company capitalization policy",
			"Hardware below the capitalisation threshold, consumables and accessories are expensed under the company's de minimis policy."},
			func(c *ctx) (outcome, bool) {
				it := c.it
				if !hardware(it) {
					return outcome{}, false
				}
				if it.Amount.LessThan(c.p.s.HardwareThreshold) {
					return outcome{class: OpEx, deMinimis: true, why: fmt.Sprintf("The amount %s is below the hardware threshold of %s %s.", it.Amount, c.p.s.HardwareThreshold, c.p.s.Currency)}, true
				}
				life, _ := c.hardwareLife()
				return outcome{class: OpEx, why: fmt.Sprintf("The useful life of %d months is not over 12 months.", life)}, true
			}},
		{RuleInfo{"R17",
			"arrangement=lease_candidate (dedicated host, bare metal or colocation with an identified asset, long term)",
			"Review (possible right-of-use asset, ASC 842)", "Review (IFRS 16)",
			"ASC 842 / IFRS 16",
			"An identified asset plus the right to direct its use is a lease; that needs a contract review."},
			func(c *ctx) (outcome, bool) {
				return outcome{class: Review}, is(c.it.Arrangement, ArrangementLeaseCandidate)
			}},
		{RuleInfo{"R18",
			"anything unmatched, or conflicting tags",
			"Review", "Review", "—",
			"Judgment is required, so a person classifies it; nothing is capitalised by default."},
			func(c *ctx) (outcome, bool) {
				it := c.it
				return outcome{class: Review, why: fmt.Sprintf("No rule matches source=%s, charge_category=%s, charge_frequency=%s, pricing_category=%s, arrangement=%s, cost_nature=%s.",
					clip(it.Source), clip(it.ChargeCategory), clip(it.ChargeFrequency), clip(it.PricingCategory), clip(it.Arrangement), clip(it.CostNature))}, true
			}},
	}
}

// r9 decides implementation costs of a cloud computing arrangement.
func r9(c *ctx) (outcome, bool) {
	it := c.it
	if !(is(it.CostNature, NatureImplementation) && is(it.Arrangement, ArrangementSaaS, ArrangementIaaSPaaS)) || c.tags.capex == no {
		return outcome{}, false
	}
	if c.ifrs {
		switch {
		case c.tags.capex == yes:
			return outcome{class: Review, why: "Tagged capitalisable: under IFRS that is only possible when the work creates separately identifiable code the company controls, which needs review."}, true
		case is(it.Implementer, ImplementerSupplier):
			m, why := c.prepaidTerm(it.TermMonths, "SaaS term")
			return outcome{class: PrepaidAmortised, months: m, why: "Configuration by the SaaS supplier that is not distinct from the access is expensed over the SaaS term. " + why}, true
		}
		return outcome{class: OpEx, why: "Expensed when the implementer performs the services."}, true
	}
	trig, about := c.trigger()
	switch trig {
	case no:
		return outcome{}, false // R10
	case unset:
		return outcome{class: Review, why: "Implementation cost, but capitalisation cannot be decided: " + about + "."}, true
	}
	m, why := c.prepaidTerm(it.TermMonths, "hosting term")
	o := outcome{class: PrepaidAmortised, months: m, why: "Capitalised because " + about + ", and presented in the hosting-fee line. " + why}
	if c.p.s.AddBackImplementationAmortisation {
		o.noEBITDA = true
		o.why += " Adjusted EBITDA adds this amortisation back."
	}
	return o, true
}

// follow classifies a correction or tax line as its underlying charge.
func (c *ctx) follow(what string) outcome {
	u := c.it.Underlying
	if u == nil {
		return outcome{class: Review, why: fmt.Sprintf("The %s does not say which charge it applies to.", what)}
	}
	if c.depth+1 >= maxDepth {
		return outcome{class: Review, why: fmt.Sprintf("The %s applies to a chain of corrections too deep to follow.", what)}
	}
	d := c.p.classify(*u, c.depth+1)
	o := outcome{class: d.Class, months: d.Months, noEBITDA: d.Class == PrepaidAmortised && !d.EBITDA,
		why: fmt.Sprintf("The %s follows its charge, classed %s by %s: %s", what, d.Class, d.Rule, d.Rationale)}
	return o
}

// cloudService is a cloud-bill fee line for infrastructure or platform.
func cloudService(it Item) bool {
	return is(it.Source, SourceCloudBill) && (strings.TrimSpace(it.Arrangement) == "" || is(it.Arrangement, ArrangementIaaSPaaS)) && feeLike(it)
}

// saas is a SaaS subscription fee on an invoice or a cloud marketplace bill.
func saas(it Item) bool {
	return is(it.Source, SourceSaaSInvoice, SourceCloudBill) && is(it.Arrangement, ArrangementSaaS) && feeLike(it)
}

// commitment says the line belongs to an RI, Savings Plan or CUD.
func commitment(it Item) bool {
	return strings.TrimSpace(it.CommitmentType) != "" || is(it.PaymentOption, PaymentAllUpfront, PaymentPartialUpfront, PaymentNoUpfront)
}

// feeLike is a fee, or a line that does not say what it bought.
func feeLike(it Item) bool {
	return strings.TrimSpace(it.CostNature) == "" || is(it.CostNature, NatureFee)
}

// projectWork is software project work: implementation, development, or
// labour not otherwise described.
func projectWork(it Item) bool {
	return is(it.CostNature, NatureImplementation, NatureDevelopment) ||
		(is(it.Source, SourceLabor) && feeLike(it))
}

// hardware is a hardware purchase, not a lease candidate.
func hardware(it Item) bool {
	return (is(it.Source, SourceHardwareInvoice) || is(it.Arrangement, ArrangementHardware)) &&
		(strings.TrimSpace(it.Arrangement) == "" || is(it.Arrangement, ArrangementHardware)) && feeLike(it)
}

// hardwareLife is the item's useful life, or its asset class's; 0 with a
// reason when neither is known.
func (c *ctx) hardwareLife() (int, string) {
	lives := c.p.s.UsefulLives
	var class int
	switch norm(c.it.AssetClass) {
	case AssetLaptop:
		class = lives.Laptop
	case AssetServer:
		class = lives.Server
	case AssetNetwork:
		class = lives.Network
	}
	if (c.it.UsefulLifeMonths <= 0 || c.it.UsefulLifeMonths > maxMonths) && class == 0 {
		return 0, fmt.Sprintf("The useful life is unknown: the asset class %s has no configured life and the item gives none.", clip(c.it.AssetClass))
	}
	return lifeOr(c.it.UsefulLifeMonths, class, norm(c.it.AssetClass))
}

// lifeOr returns the item's own life when given and sane, else the
// class default.
func lifeOr(own, class int, name string) (int, string) {
	if own > 0 && own <= maxMonths {
		return own, fmt.Sprintf("Useful life %d months (from the item).", own)
	}
	return class, fmt.Sprintf("Useful life %d months (%s policy).", class, name)
}
