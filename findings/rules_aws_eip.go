package findings

import (
	"fmt"

	"github.com/shopspring/decimal"

	"github.com/ghostaudit/ghostaudit/scanners"
)

// ruleEIPUnassociated flags Elastic IPs associated with nothing. Since
// 2024-02-01 AWS bills every public IPv4 address, idle or in use, per hour.
var ruleEIPUnassociated = Rule{
	ID:          "aws.eip.unassociated",
	Category:    CategoryIdleInfrastructure,
	Title:       "Elastic IP not associated with anything",
	Description: "An Elastic IP with no association (no instance, no network interface) is billed as an idle public IPv4 address. Saving: the hourly public IPv4 price × 730. Release it unless the address itself must be kept (allow-listed by a partner, for example).",
	Confidence:  High, Effort: Low, Risk: Low,
	Eval: func(inv *scanners.Inventory, rc *RuleContext) []Finding {
		var out []Finding
		for i := range inv.Resources {
			r := &inv.Resources[i]
			if r.Kind != kindAWSAddress || r.State != "unassociated" {
				continue
			}
			f := resourceFinding(r, fmt.Sprintf("Elastic IP %s is not associated", r.Attr("public_ip")),
				fmt.Sprintf("Release it if the address is not reserved for a reason: aws ec2 release-address --allocation-id %s --region %s", r.ID, r.Region))
			f.Evidence = []Evidence{{"public_ip", r.Attr("public_ip")}, {"association", "none (no instance, no network interface)"}}
			b, _ := resourceBill(rc, r)
			price(&f, b, func(cost decimal.Decimal) decimal.Decimal { return cost })
			out = append(out, f)
		}
		return out
	},
}

// Rules returns the built-in rules, in documentation order.
func Rules() []Rule {
	return []Rule{
		ruleEBSUnattached, ruleEBSOnStoppedInstance, ruleEBSGp2ToGp3, ruleEBSIo1ToGp3, ruleEBSIo1ToIo2,
		ruleSnapshotOrphaned, ruleSnapshotOld,
		ruleEC2Idle, ruleEC2StoppedLong, ruleEC2PreviousGen, ruleLicenceInventory,
		ruleEIPUnassociated, ruleEIPOnStoppedInstance, ruleNATIdle, ruleELBIdle, ruleCLBIdle,
		ruleRDSIdle, ruleRDSStopped, ruleRDSSnapshot, ruleLogsNoRetention,
		ruleGCPIdle, ruleGCPMachineType, ruleGCPDiskUnattached, ruleGCPDiskOnStoppedInstance, ruleGCPAddressUnused, ruleGCPAddressOnStoppedInstance,
		ruleM365Unassigned, ruleM365Disabled, ruleM365Guest, ruleM365NeverSignedIn, ruleM365Inactive, ruleM365Redundant, ruleM365DirectAndGroup,
	}
}
