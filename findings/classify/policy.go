package classify

import (
	"fmt"
	"strings"

	"github.com/shopspring/decimal"
)

// Policy classifies items under one company's Settings. It is immutable
// and safe for concurrent use.
type Policy struct {
	s     Settings
	rules []rule
}

// NewPolicy validates the settings and builds a policy.
func NewPolicy(s Settings) (*Policy, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	s.TagKeys = TagKeys{
		Project:            clone(s.TagKeys.Project),
		Phase:              clone(s.TagKeys.Phase),
		CapexEligible:      clone(s.TagKeys.CapexEligible),
		ProjectAuthorized:  clone(s.TagKeys.ProjectAuthorized),
		ProbableToComplete: clone(s.TagKeys.ProbableToComplete),
		CostCenter:         clone(s.TagKeys.CostCenter),
	}
	return &Policy{s: s, rules: newRules()}, nil
}

func clone(s []string) []string { return append([]string(nil), s...) }

// Settings returns the policy's settings, e.g. for the Assumptions sheet
// or for the engine to read AddBackImplementationAmortisation.
func (p *Policy) Settings() Settings {
	s := p.s
	s.TagKeys = TagKeys{
		Project:            clone(s.TagKeys.Project),
		Phase:              clone(s.TagKeys.Phase),
		CapexEligible:      clone(s.TagKeys.CapexEligible),
		ProjectAuthorized:  clone(s.TagKeys.ProjectAuthorized),
		ProbableToComplete: clone(s.TagKeys.ProbableToComplete),
		CostCenter:         clone(s.TagKeys.CostCenter),
	}
	return s
}

// maxDepth bounds how far Credit, Adjustment and Tax lines follow their
// Underlying chain.
const maxDepth = 3

// Classify returns the decision of the first rule that matches the item.
// Items whose tags cannot be parsed or contradict each other, items no rule
// matches, and items whose tags contradict the matching rule are Review.
func (p *Policy) Classify(it Item) Decision {
	return p.classify(it, 0)
}

// ctx is one item being classified.
type ctx struct {
	p     *Policy
	it    Item
	tags  tagSet
	ifrs  bool
	asu   bool // ASU 2025-06 in force for this item (US GAAP only)
	depth int
}

// outcome is what a rule decided; finish turns it into a Decision.
type outcome struct {
	class    Class
	why      string // item-specific detail, appended to the rule's rationale
	months   int
	noEBITDA bool // prepaid amortisation the company adds back
	// deMinimis marks OpEx because the amount is below a capitalisation
	// threshold: capex_eligible=true does not contradict that, since the
	// threshold is the company's own policy.
	deMinimis bool
	// framework names the framework-specific half of a rationale that
	// covers both (R9), so a decision only explains its own framework.
	framework string
}

func (p *Policy) classify(it Item, depth int) Decision {
	c := &ctx{p: p, it: it, ifrs: p.s.Framework == FrameworkIFRS, depth: depth}
	c.asu = !c.ifrs && p.s.Model == ModelASU202506 &&
		(it.ServiceDate.IsZero() || !it.ServiceDate.Before(p.s.ASUAdoption))
	c.tags = readTags(it.Tags, p.s.TagKeys)
	problems := append(c.tags.problems, c.conflicts()...)
	if len(problems) > 0 {
		return p.finish(p.rules[len(p.rules)-1], outcome{class: Review,
			why: "Conflicting or unparseable inputs: " + strings.Join(problems, "; ") + "."})
	}
	for _, r := range p.rules {
		o, ok := r.apply(c)
		if !ok {
			continue
		}
		if why := c.contradicts(r, o); why != "" {
			return p.finish(p.rules[len(p.rules)-1], outcome{class: Review, why: why})
		}
		return p.finish(r, o)
	}
	// the table ends with R18, which matches everything; this is unreachable.
	return p.finish(p.rules[len(p.rules)-1], outcome{class: Review})
}

// conflicts lists tag combinations that cannot all be true, and licence
// types that contradict the arrangement.
func (c *ctx) conflicts() []string {
	var out []string
	t := c.tags
	if t.capex == yes {
		if c.asu {
			if t.authorized == no || t.probable == no {
				out = append(out, fmt.Sprintf("capex_eligible=true but project_authorized=%s and probable_to_complete=%s: ASU 2025-06 does not allow capitalisation yet", t.authorized, t.probable))
			}
		} else if t.phase == PhasePreliminary || t.phase == PhasePostImplementation {
			out = append(out, fmt.Sprintf("capex_eligible=true but phase=%s, which is expensed", t.phase))
		}
	}
	lt, arr := c.it.LicenceType, c.it.Arrangement
	switch {
	case is(lt, LicencePerpetual) && is(arr, ArrangementOnPremTerm, ArrangementSaaS):
		out = append(out, fmt.Sprintf("licence type %s contradicts arrangement %s", clip(lt), clip(arr)))
	case is(lt, LicenceTerm, LicenceSubscription) && is(arr, ArrangementOnPremPerpetual):
		out = append(out, fmt.Sprintf("licence type %s contradicts arrangement %s", clip(lt), clip(arr)))
	}
	return out
}

// contradicts reports an explicit capex_eligible tag that the matching
// rule's class contradicts. US GAAP R9 capitalises implementation costs
// and presents them as prepaid, so capex_eligible=true agrees with it.
func (c *ctx) contradicts(r rule, o outcome) string {
	switch {
	case c.tags.capex == yes && (o.class == OpEx || o.class == PrepaidAmortised) && !o.deMinimis &&
		!(r.ID == "R9" && !c.ifrs && o.class == PrepaidAmortised):
		return fmt.Sprintf("Rule %s classes this %s (%s), but the capex_eligible tag says it is capitalisable; the tag and the rule conflict.", r.ID, o.class, r.Citation)
	case c.tags.capex == no && o.class == CapEx:
		return fmt.Sprintf("Rule %s classes this CapEx (%s), but the capex_eligible tag says it is not capitalisable; the tag and the rule conflict.", r.ID, r.Citation)
	}
	return ""
}

func (p *Policy) finish(r rule, o outcome) Decision {
	d := Decision{
		Class:     o.class,
		Rule:      r.ID,
		Rationale: r.Rationale,
		Citation:  r.Citation,
		Framework: p.s.Framework,
		Months:    o.months,
	}
	base := r.Rationale
	if o.framework != "" {
		base = o.framework
	}
	d.Rationale = base
	if o.why != "" {
		d.Rationale = o.why + " " + base
	}
	switch o.class {
	case OpEx:
		d.EBITDA = true
	case PrepaidAmortised:
		d.EBITDA = !o.noEBITDA
	}
	if o.class == OpEx || o.class == Review {
		d.Months = 0
	}
	return d
}

// trigger reports whether capitalisation of software work has begun: the
// application-development stage (stage model), authorised and probable to
// complete (ASU 2025-06), or the development phase (IFRS, IAS 38.57).
func (c *ctx) trigger() (tri, string) {
	t := c.tags
	if c.asu {
		switch {
		case t.authorized == yes && t.probable == yes:
			return yes, "the project is authorised, funded and probable to complete (ASU 2025-06)"
		case t.authorized == no || t.probable == no:
			return no, "the project is not both authorised and probable to complete (ASU 2025-06)"
		}
		return unset, "ASU 2025-06 applies and the project_authorized and probable_to_complete tags are missing"
	}
	model := "stage model"
	if c.ifrs {
		model = "IAS 38"
	}
	switch t.phase {
	case PhaseApplicationDevelopment:
		return yes, "phase is application development (" + model + ")"
	case PhasePreliminary, PhasePostImplementation:
		return no, "phase is " + t.phase + " (" + model + ")"
	}
	return unset, "the phase tag is missing (" + model + ")"
}

// compare checks amount against a threshold in the settings' currency;
// ok is false, with a reason, when they cannot be compared.
func (c *ctx) compare(amount, threshold decimal.Decimal, name string) (atLeast, ok bool, reason string) {
	cur := strings.TrimSpace(c.it.Currency)
	switch {
	case cur == "":
		return false, false, fmt.Sprintf("The currency is unknown, so the amount cannot be compared with the %s of %s %s.", name, threshold, c.p.s.Currency)
	case !strings.EqualFold(cur, c.p.s.Currency):
		return false, false, fmt.Sprintf("The amount is in %s but the %s is in %s; convert before classifying.", clip(cur), name, c.p.s.Currency)
	case amount.IsNegative():
		return false, false, fmt.Sprintf("The amount %s is negative; a credit needs its original charge.", amount)
	}
	return amount.GreaterThanOrEqual(threshold), true, ""
}

func (c *ctx) prepaidTerm(months int, what string) (int, string) {
	if months > 0 && months <= maxMonths {
		return months, fmt.Sprintf("Amortised over the %d-month %s.", months, what)
	}
	return c.p.s.PrepaidTermMonths, fmt.Sprintf("The %s is unknown; amortised over the default %d months.", what, c.p.s.PrepaidTermMonths)
}
