package classify

// Effect is what eliminating a cost does to the numbers a CFO reads.
type Effect string

// The effects of a saving, by class (report-finance.md §6.2, last list).
const (
	// EffectEBITDAUplift: eliminating OpEx is a recurring EBITDA uplift,
	// realisable now.
	EffectEBITDAUplift Effect = "recurring-ebitda-uplift"
	// EffectRenewalAvoidance: a prepaid term's balance is sunk; the saving
	// is avoidance realisable at the next renewal (or via exchange/resale).
	EffectRenewalAvoidance Effect = "avoidance-at-renewal"
	// EffectCashAvoidance: avoiding CapEx saves cash/FCF and future D&A,
	// with no EBITDA uplift.
	EffectCashAvoidance Effect = "cash-avoidance"
	// EffectNotCounted: a Review item is not counted in EBITDA until a
	// person has classified it.
	EffectNotCounted Effect = "not-counted-until-reviewed"
)

// Savings says how the engine should count a saving on a classified cost.
type Savings struct {
	Effect Effect
	// EBITDA is true when the annualised saving counts towards EBITDA
	// impact (and so towards enterprise value).
	EBITDA bool
	// Avoidance is true for prevented future spend (prepaid renewals,
	// CapEx), false for a reduction of spend that exists today.
	Avoidance bool
	// AtRenewal is true when the saving is realisable only from the next
	// renewal or true-down; the engine sets Finding.RealisableFrom.
	AtRenewal   bool
	Explanation string
}

// Savings maps the decision to the effect of eliminating the cost. A
// capitalised implementation cost whose amortisation adjusted EBITDA adds
// back (Decision.EBITDA false) is still avoidance at renewal, but does
// not count towards EBITDA.
func (d Decision) Savings() Savings {
	switch d.Class {
	case OpEx:
		return Savings{Effect: EffectEBITDAUplift, EBITDA: true,
			Explanation: "Eliminating OpEx is a recurring EBITDA uplift."}
	case PrepaidAmortised:
		s := Savings{Effect: EffectRenewalAvoidance, EBITDA: d.EBITDA, Avoidance: true, AtRenewal: true,
			Explanation: "The current prepaid term is sunk: the saving is avoidance realisable at the next renewal, or through exchange or resale."}
		if !d.EBITDA {
			s.Explanation += " Adjusted EBITDA adds this amortisation back, so it does not count towards EBITDA."
		}
		return s
	case CapEx:
		return Savings{Effect: EffectCashAvoidance, Avoidance: true,
			Explanation: "Avoiding CapEx saves cash (free cash flow) and future D&A; it does not change EBITDA."}
	}
	return Savings{Effect: EffectNotCounted,
		Explanation: "Not counted in EBITDA until the controller has classified it."}
}
