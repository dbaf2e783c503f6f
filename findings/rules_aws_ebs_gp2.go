package findings

import (
	"fmt"

	"github.com/ghostaudit/ghostaudit/scanners"
)

// gp2Baseline returns the IOPS and throughput a gp2 volume delivers, which
// a gp3 replacement must match: 3 IOPS per GiB between 100 and 16,000, and
// 128 MiB/s up to 170 GiB, 250 MiB/s above (EBS User Guide, "General
// Purpose SSD volumes"; 170-334 GiB reach 250 MiB/s only with burst
// credits, so matching it is the conservative choice).
func gp2Baseline(size int64) (iops, throughput int64) {
	iops = min(max(3*size, 100), 16000)
	throughput = 128
	if size > 170 {
		throughput = 250
	}
	return iops, throughput
}

// ruleEBSGp2ToGp3 flags gp2 volumes in use: gp3 costs 20% less per GiB and
// includes a 3,000 IOPS / 125 MiB/s baseline; the estimate adds the gp3
// IOPS and throughput needed to match the gp2 volume's own baseline.
var ruleEBSGp2ToGp3 = Rule{
	ID:          "aws.ebs.gp2_to_gp3",
	Category:    CategoryRightsizing,
	Title:       "gp2 volume that would cost less as gp3",
	Description: "A gp2 volume can be changed to gp3 in place, without detaching it (ModifyVolume). gp3 storage is 20% cheaper and includes 3,000 IOPS and 125 MiB/s; the estimate provisions extra gp3 IOPS and throughput to match the gp2 baseline (3 IOPS/GiB, 128 or 250 MiB/s), so performance does not drop. Unattached gp2 volumes, and volumes attached only to instances stopped for aws.ebs.on_stopped_instance's `min_stopped_days`, are left to aws.ebs.unattached and aws.ebs.on_stopped_instance so that no saving is counted twice; a volume on an instance stopped for less time still gets this finding.",
	Confidence:  High, Effort: Low, Risk: Low,
	Eval: func(inv *scanners.Inventory, rc *RuleContext) []Finding {
		x := newAWSIndex(inv)
		var out []Finding
		for i := range inv.Resources {
			r := &inv.Resources[i]
			if r.Kind != kindAWSVolume || r.Attr("volume_type") != "gp2" || r.State == "available" || reportedOnStopped(x, r, rc) {
				continue
			}
			size, _ := r.AttrInt("size_gib")
			iops, tp := gp2Baseline(size)
			now := newBill(rc, r.Provider, r.Region)
			volumeCost(now, "gp2", size, 0, 0)
			after := newBill(rc, r.Provider, r.Region)
			volumeCost(after, "gp3", size, iops, tp)
			f := resourceFinding(r, fmt.Sprintf("gp2 volume %s (%d GiB) can move to gp3", r.ID, size),
				fmt.Sprintf("Change the type in place (no downtime): aws ec2 modify-volume --volume-id %s --volume-type gp3 --iops %d --throughput %d --region %s", r.ID, max(iops, 3000), max(tp, 125), r.Region))
			f.Evidence = []Evidence{{"volume_type", "gp2"}, {"size_gib", fmt.Sprint(size)}, {"state", r.State},
				{"gp2_baseline_iops", fmt.Sprint(iops)}, {"gp2_baseline_throughput_mibps", fmt.Sprint(tp)},
				{"gp3_iops_to_provision", fmt.Sprint(max(iops, 3000))}, {"gp3_throughput_to_provision_mibps", fmt.Sprint(max(tp, 125))}}
			costNow, okNow, whyNow := now.result()
			costAfter, okAfter, whyAfter := after.result()
			f.Prices = append(now.prices, after.prices...)
			switch {
			case !okNow:
				f.Unpriced = whyNow
			case !okAfter:
				f.Unpriced = whyAfter
				f.MonthlyCost = Money(costNow)
			default:
				saving := costNow.Sub(costAfter)
				if !saving.IsPositive() {
					continue // matching the gp2 baseline on gp3 would cost as much or more
				}
				f.MonthlyCost = Money(costNow)
				f.MonthlySavings = Money(saving)
				f.Evidence = append(f.Evidence, Evidence{"gp2_monthly_cost", costNow.StringFixed(2)}, Evidence{"gp3_monthly_cost", costAfter.StringFixed(2)})
			}
			out = append(out, f)
		}
		return out
	},
}
