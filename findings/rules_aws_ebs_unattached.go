package findings

import (
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/ghostaudit/ghostaudit/scanners"
)

// Resource kinds and attribute keys the AWS rules read. They mirror the
// constants of scanners/aws, which rules must not import (it pulls in the SDK).
const (
	kindAWSVolume  = "aws.ebs.volume"
	kindAWSAddress = "aws.ec2.address"
)

// volumeCost prices an EBS volume per month from its type, size and
// provisioned IOPS and throughput, following the EBS pricing model: gp3
// includes 3,000 IOPS and 125 MiB/s; io1/io2 charge every provisioned IOPS
// (io2 in tiers above 32,000 and 64,000); gp2, st1, sc1 and standard charge
// storage only (standard's per-I/O charge is usage and not included).
func volumeCost(b *bill, vtype string, size, iops, throughput int64) {
	b.add("ebs."+vtype+".storage", dec(size), fmt.Sprintf("%s storage %d GiB", vtype, size))
	switch vtype {
	case "gp3":
		b.add("ebs.gp3.iops", dec(max(0, iops-3000)), "gp3 IOPS above 3,000")
		b.add("ebs.gp3.throughput", dec(max(0, throughput-125)), "gp3 throughput above 125 MiB/s")
	case "io1":
		b.add("ebs.io1.iops", dec(iops), "io1 provisioned IOPS")
	case "io2":
		b.add("ebs.io2.iops", dec(min(iops, 32000)), "io2 IOPS up to 32,000")
		b.add("ebs.io2.iops.tier2", dec(min(max(0, iops-32000), 32000)), "io2 IOPS 32,001-64,000")
		b.add("ebs.io2.iops.tier3", dec(max(0, iops-64000)), "io2 IOPS above 64,000")
	}
}

func resourceFinding(r *scanners.Resource, title, action string) Finding {
	return Finding{
		Provider: r.Provider, Account: r.Account, Region: r.Region,
		ResourceKind: r.Kind, ResourceID: r.ID, ResourceName: r.Name, ResourceKey: r.Key(), Tags: r.Tags,
		Title: title, Action: action,
	}
}

func ageDays(created *time.Time, now time.Time) (int, bool) {
	if created == nil {
		return 0, false
	}
	return int(now.Sub(*created).Hours() / 24), true
}

// ruleEBSUnattached flags volumes that no instance uses: they are billed
// for every provisioned GiB, IOPS and MiB/s all the same.
var ruleEBSUnattached = Rule{
	ID:          "aws.ebs.unattached",
	Category:    CategoryIdleInfrastructure,
	Title:       "Unattached EBS volume",
	Description: "An EBS volume in state `available` is attached to no instance but is billed for its provisioned storage, IOPS and throughput. Volumes younger than `min_age_days` are skipped (they may be between attachments). Saving: the whole monthly cost of the volume, after an optional final snapshot.",
	Confidence:  High, Effort: Low, Risk: Medium,
	Params: []Param{{Name: "min_age_days", Default: "7", Description: "skip volumes created fewer than this many days ago"}},
	Eval: func(inv *scanners.Inventory, rc *RuleContext) []Finding {
		minAge := rc.IntParam("min_age_days")
		var out []Finding
		for i := range inv.Resources {
			r := &inv.Resources[i]
			if r.Kind != kindAWSVolume || r.State != "available" {
				continue
			}
			age, known := ageDays(r.Created, rc.Now)
			if known && age < minAge {
				continue
			}
			f := resourceFinding(r, fmt.Sprintf("Unattached %s volume %s (%s GiB)", r.Attr("volume_type"), r.ID, r.Attr("size_gib")),
				fmt.Sprintf("Snapshot it if the data may be needed, then delete it: aws ec2 create-snapshot --volume-id %s --region %s; aws ec2 delete-volume --volume-id %s --region %s", r.ID, r.Region, r.ID, r.Region))
			f.Evidence = []Evidence{{"state", "available (no attachments)"}, {"volume_type", r.Attr("volume_type")}, {"size_gib", r.Attr("size_gib")}}
			if iops := r.Attr("iops"); iops != "" {
				f.Evidence = append(f.Evidence, Evidence{"iops", iops})
			}
			if tp := r.Attr("throughput_mibps"); tp != "" {
				f.Evidence = append(f.Evidence, Evidence{"throughput_mibps", tp})
			}
			if known {
				f.Evidence = append(f.Evidence, Evidence{"created", r.Created.Format("2006-01-02")}, Evidence{"age_days", fmt.Sprint(age)})
			}
			b, _ := resourceBill(rc, r)
			price(&f, b, func(cost decimal.Decimal) decimal.Decimal { return cost })
			out = append(out, f)
		}
		return out
	},
}

// price fills a finding's cost and savings from a bill; savings derives
// the monthly saving from the monthly cost.
func price(f *Finding, b *bill, savings func(cost decimal.Decimal) decimal.Decimal) {
	cost, ok, why := b.result()
	f.Prices = b.prices
	for _, l := range b.lines {
		f.Evidence = append(f.Evidence, Evidence{"price", l})
	}
	if !ok {
		f.Unpriced = why
		return
	}
	f.MonthlyCost = Money(cost)
	f.MonthlySavings = Money(savings(cost))
}
