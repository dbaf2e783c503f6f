package findings

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/ghostaudit/ghostaudit/findings/pricing"
	"github.com/ghostaudit/ghostaudit/scanners"
)

const kindGCPRecommendation = "gcp.recommender.recommendation"

// gcpSavingRecommendation reports whether a recommendation is one ghostaudit
// reports: ACTIVE, and not one that raises the bill. Google's machine-type
// recommender also proposes larger machines for performance (impact
// category PERFORMANCE, or a positive cost projection); those save nothing.
func gcpSavingRecommendation(r *scanners.Resource) bool {
	if r.Kind != kindGCPRecommendation || (r.State != "" && r.State != "ACTIVE") {
		return false
	}
	if c := r.Attr("impact_category"); c != "" && c != "COST" && c != "CATEGORY_UNSPECIFIED" {
		return false
	}
	if cost, err := decimal.NewFromString(r.Attr("monthly_cost")); err == nil && cost.IsPositive() {
		return false
	}
	return true
}

// gcpRecommendation turns Google Recommender recommendations of the given
// recommenders into findings priced by Google's own costProjection; targets
// in skip are left out.
func gcpRecommendation(inv *scanners.Inventory, rc *RuleContext, match func(recommender string) bool, skip map[string]bool) []Finding {
	disks := map[string]*scanners.Resource{}
	for i := range inv.Resources {
		if r := &inv.Resources[i]; r.Kind == kindGCPDisk {
			disks[gcpResourceKey(r.Account, r.Attr("resource_name"))] = r
		}
	}
	var out []Finding
	var from []*scanners.Resource
	for i := range inv.Resources {
		r := &inv.Resources[i]
		if !gcpSavingRecommendation(r) || !match(r.Attr("recommender")) || skip[gcpResourceKey(r.Account, r.Attr("target_resource"))] {
			continue
		}
		target := r.Attr("target_resource")
		f := resourceFinding(r, fmt.Sprintf("%s: %s", shortRecommender(r.Attr("recommender")), orDefault(r.Attr("description"), target)),
			fmt.Sprintf("Apply Google's recommendation (%s) to %s in project %s; review it first in the console: Recommendations hub", r.Attr("recommender_subtype"), target, r.Account))
		f.Evidence = []Evidence{{"recommender", r.Attr("recommender")}, {"subtype", r.Attr("recommender_subtype")},
			{"target", target}, {"priority", r.Attr("priority")}, {"google_description", r.Attr("description")}}
		if lr := r.Attr("last_refresh"); lr != "" {
			f.Evidence = append(f.Evidence, Evidence{"last_refresh", lr})
		}
		saving, err := decimal.NewFromString(r.Attr("monthly_savings"))
		currency := r.Attr("currency")
		switch {
		case err != nil || currency == "":
			f.Unpriced = "the recommendation carries no cost projection"
		default:
			converted, cerr := rc.Settings.convert(saving, currency)
			if cerr != nil {
				f.Unpriced = cerr.Error()
				break
			}
			f.MonthlySavings = Money(converted)
			f.Prices = []pricing.Price{{Provider: "gcp", Region: r.Region, Item: "recommender:" + r.Attr("recommender_subtype"),
				Unit: pricing.UnitMonth, Amount: saving, Currency: currency, Source: pricing.SourceProvider,
				Ref: "Google Recommender costProjection of " + r.Attr("recommendation_name"), AsOf: refreshDate(r.Attr("last_refresh"), rc.Now)}}
			f.Evidence = append(f.Evidence, Evidence{"price", fmt.Sprintf("Google estimate: %s %s/month (projection %s over %s s)",
				saving.StringFixed(2), currency, r.Attr("projection_cost"), r.Attr("projection_seconds"))})
			// When the disk was also listed directly and the catalog prices
			// it, keep both figures and show how far apart they are (>10%).
			if disk, ok := disks[gcpResourceKey(r.Account, target)]; ok {
				if list, okList, _ := gcpDiskBill(rc, disk).result(); okList && list.IsPositive() {
					gap := converted.Sub(list).Abs().Div(list).Mul(decimal.NewFromInt(100))
					if gap.GreaterThan(decimal.NewFromInt(10)) {
						f.Evidence = append(f.Evidence, Evidence{"catalog_cross_check", fmt.Sprintf("catalog list price %s vs Google estimate %s per month: %s%% apart (Google may apply contract prices)",
							list.StringFixed(2), converted.StringFixed(2), gap.StringFixed(0))})
					}
				}
			}
		}
		out = append(out, f)
		from = append(from, r)
	}
	return keepOneAlternative(out, from)
}

// keepOneAlternative keeps, of the recommendations one recommender marks
// as alternatives (a shared xorGroupId: "only one recommendation within
// the group is suggested to be applied", Recommender API reference), the
// one that saves the most (a priced one before an unpriced one; the first
// by name on a tie), and says in its evidence which were left out: their
// savings cannot add up. from[i] is the recommendation of out[i].
func keepOneAlternative(out []Finding, from []*scanners.Resource) []Finding {
	groups := map[string][]int{}
	for i, r := range from {
		if x := r.Attr("xor_group_id"); x != "" {
			k := r.Account + "|" + r.Attr("recommender") + "|" + x
			groups[k] = append(groups[k], i)
		}
	}
	drop := map[int]bool{}
	for _, idx := range groups {
		if len(idx) < 2 {
			continue
		}
		best := idx[0]
		for _, i := range idx[1:] {
			if betterAlternative(out[i], from[i], out[best], from[best]) {
				best = i
			}
		}
		var left []string
		for _, i := range idx {
			if i != best {
				drop[i] = true
				left = append(left, from[i].Attr("recommendation_name"))
			}
		}
		sort.Strings(left)
		out[best].Evidence = append(out[best].Evidence, Evidence{"alternatives_not_counted", fmt.Sprintf(
			"xorGroupId %s: %s (only one of a group is applied; the largest saving is counted)", from[best].Attr("xor_group_id"), strings.Join(left, ", "))})
	}
	kept := out[:0]
	for i, f := range out {
		if !drop[i] {
			kept = append(kept, f)
		}
	}
	return kept
}

func betterAlternative(a Finding, ra *scanners.Resource, b Finding, rb *scanners.Resource) bool {
	switch {
	case a.MonthlySavings != nil && b.MonthlySavings == nil:
		return true
	case a.MonthlySavings == nil && b.MonthlySavings != nil:
		return false
	case a.MonthlySavings != nil && !(*a.MonthlySavings).Equal((*b.MonthlySavings)):
		return (*a.MonthlySavings).GreaterThan((*b.MonthlySavings))
	}
	return ra.Attr("recommendation_name") < rb.Attr("recommendation_name")
}

func refreshDate(s string, now time.Time) string {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC().Format("2006-01-02")
	}
	return now.UTC().Format("2006-01-02")
}

func shortRecommender(id string) string {
	parts := strings.Split(id, ".")
	if len(parts) >= 3 {
		return parts[1] + " " + parts[2]
	}
	return id
}

// ruleGCPIdle reports Google's idle-resource recommendations: VMs, disks,
// addresses, images and Cloud SQL instances with no meaningful use.
var ruleGCPIdle = Rule{
	ID:          "gcp.recommender.idle",
	Category:    CategoryIdleInfrastructure,
	Title:       "Idle GCP resource (Google Recommender)",
	Description: "Google's idle-resource recommenders (`google.compute.instance|disk|address|image.IdleResourceRecommender`, `google.cloudsql.instance.IdleRecommender`) flag resources with little or no use over their observation window. Saving: Google's own costProjection, normalised to 730 hours a month (it may reflect contract prices); a recommendation without a projection is unpriced. Only ACTIVE recommendations are reported. Of recommendations a recommender marks as alternatives (a shared xorGroupId), only the one saving the most is reported, naming the others.",
	Confidence:  Medium, Effort: Low, Risk: Medium,
	Eval: func(inv *scanners.Inventory, rc *RuleContext) []Finding {
		return gcpRecommendation(inv, rc, isGCPIdleRecommender, nil)
	},
}

func isGCPIdleRecommender(id string) bool {
	return strings.HasSuffix(id, ".IdleResourceRecommender") || strings.HasSuffix(id, ".IdleRecommender")
}

// ruleGCPMachineType reports Google's VM rightsizing recommendations.
var ruleGCPMachineType = Rule{
	ID:          "gcp.recommender.machine_type",
	Category:    CategoryRightsizing,
	Title:       "Over-provisioned GCP VM (Google Recommender)",
	Description: "`google.compute.instance.MachineTypeRecommender` proposes a smaller machine type from observed CPU and memory. Only recommendations that save money count (impact category COST or unspecified, a cost projection that is not positive): the recommender also proposes larger machines for performance, which are not waste. A VM Google also flags as idle is counted once, as idle. Saving: Google's costProjection per month. Of alternatives (a shared xorGroupId) only the one saving the most is reported. Changing the machine type needs a restart.",
	Confidence:  Medium, Effort: Medium, Risk: Medium,
	Eval: func(inv *scanners.Inventory, rc *RuleContext) []Finding {
		// A VM Google also flags as idle is counted once, as the idle
		// recommendation (stopping it saves more than resizing it).
		idle := map[string]bool{}
		for i := range inv.Resources {
			r := &inv.Resources[i]
			if gcpSavingRecommendation(r) && isGCPIdleRecommender(r.Attr("recommender")) && r.Attr("target_resource") != "" {
				idle[gcpResourceKey(r.Account, r.Attr("target_resource"))] = true
			}
		}
		return gcpRecommendation(inv, rc, func(id string) bool { return strings.HasSuffix(id, ".MachineTypeRecommender") }, idle)
	},
}
