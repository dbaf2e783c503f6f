package findings

import (
	"fmt"
	"strconv"

	"github.com/shopspring/decimal"

	"github.com/ghostaudit/ghostaudit/scanners"
)

// ruleEBSIo1ToGp3 flags io1 volumes whose provisioned IOPS gp3 can serve.
var ruleEBSIo1ToGp3 = Rule{
	ID:          "aws.ebs.io1_to_gp3",
	Category:    CategoryRightsizing,
	Title:       "io1 volume that gp3 can serve for less",
	Description: "An io1 volume provisioned with at most `max_iops` IOPS (gp3's limit) can move to gp3 in place (ModifyVolume): gp3 storage is cheaper and its first 3,000 IOPS are free, where io1 charges every provisioned IOPS. The estimate provisions the same IOPS on gp3 at the 125 MiB/s baseline throughput; check the workload's throughput and latency needs first (io1 targets sub-millisecond latency). Volumes above the limit are left to aws.ebs.io1_to_io2, and volumes that aws.ebs.on_stopped_instance reports (attached only to instances stopped for its `min_stopped_days`) to that rule, so that no saving is counted twice.",
	Confidence:  Medium, Effort: Low, Risk: Medium,
	Params: []Param{{Name: "max_iops", Default: "16000", Description: "most IOPS a gp3 volume is provisioned with in this estimate"}},
	Eval: func(inv *scanners.Inventory, rc *RuleContext) []Finding {
		maxIOPS := int64(rc.IntParam("max_iops"))
		x := newAWSIndex(inv)
		var out []Finding
		for i := range inv.Resources {
			r := &inv.Resources[i]
			if r.Kind != kindAWSVolume || r.Attr("volume_type") != "io1" || r.State == "available" || reportedOnStopped(x, r, rc) {
				continue
			}
			size, _ := r.AttrInt("size_gib")
			iops, _ := r.AttrInt("iops")
			if iops > maxIOPS {
				continue
			}
			now, after := newBill(rc, r.Provider, r.Region), newBill(rc, r.Provider, r.Region)
			volumeCost(now, "io1", size, iops, 0)
			volumeCost(after, "gp3", size, iops, 125)
			f := resourceFinding(r, fmt.Sprintf("io1 volume %s (%d GiB, %d IOPS) can move to gp3", r.ID, size, iops),
				fmt.Sprintf("After checking throughput and latency needs: aws ec2 modify-volume --volume-id %s --volume-type gp3 --iops %d --region %s", r.ID, max(iops, 3000), r.Region))
			f.Evidence = []Evidence{{"volume_type", "io1"}, {"size_gib", fmt.Sprint(size)}, {"iops", fmt.Sprint(iops)}}
			if !delta(&f, now, after) {
				continue
			}
			out = append(out, f)
		}
		return out
	},
}

// delta prices a change as cost now − cost after; it returns false when
// the change would not save anything (no finding).
func delta(f *Finding, now, after *bill) bool {
	costNow, okNow, whyNow := now.result()
	costAfter, okAfter, whyAfter := after.result()
	f.Prices = append(append(f.Prices, now.prices...), after.prices...)
	switch {
	case !okNow:
		f.Unpriced = whyNow
	case !okAfter:
		f.MonthlyCost, f.Unpriced = Money(costNow), whyAfter
	case !costNow.GreaterThan(costAfter):
		return false
	default:
		f.MonthlyCost, f.MonthlySavings = Money(costNow), Money(costNow.Sub(costAfter))
		f.Evidence = append(f.Evidence, Evidence{"monthly_cost_now", costNow.StringFixed(2)}, Evidence{"monthly_cost_after", costAfter.StringFixed(2)})
	}
	return true
}

// ruleEBSIo1ToIo2 flags io1 volumes that should be io2: same price for
// the first tier, 100x the durability, cheaper above 32,000 IOPS.
var ruleEBSIo1ToIo2 = Rule{
	ID:          "aws.ebs.io1_to_io2",
	Category:    CategoryHygiene,
	Title:       "io1 volume that should be io2",
	Description: "An io1 volume above gp3's IOPS limit: io2 costs the same per GiB and per IOPS up to 32,000 (cheaper above, in tiers) with 99.999% durability instead of 99.8-99.9%. Hygiene: no saving is claimed below 32,000 IOPS. Volumes that aws.ebs.on_stopped_instance reports are left to it.",
	Confidence:  High, Effort: Low, Risk: Low,
	Params: []Param{{Name: "min_iops", Default: "16001", Description: "fewest IOPS for which io2 is recommended rather than gp3"}},
	Eval: func(inv *scanners.Inventory, rc *RuleContext) []Finding {
		minIOPS := int64(rc.IntParam("min_iops"))
		x := newAWSIndex(inv)
		var out []Finding
		for i := range inv.Resources {
			r := &inv.Resources[i]
			iops, _ := r.AttrInt("iops")
			if r.Kind != kindAWSVolume || r.Attr("volume_type") != "io1" || iops < minIOPS || r.State == "available" || reportedOnStopped(x, r, rc) {
				continue
			}
			size, _ := r.AttrInt("size_gib")
			now, after := newBill(rc, r.Provider, r.Region), newBill(rc, r.Provider, r.Region)
			volumeCost(now, "io1", size, iops, 0)
			volumeCost(after, "io2", size, iops, 0)
			f := resourceFinding(r, fmt.Sprintf("io1 volume %s (%d IOPS) should be io2", r.ID, iops),
				fmt.Sprintf("aws ec2 modify-volume --volume-id %s --volume-type io2 --region %s", r.ID, r.Region))
			f.Evidence = []Evidence{{"volume_type", "io1"}, {"iops", fmt.Sprint(iops)}, {"why", "io2: same price up to 32,000 IOPS, higher durability"}}
			if !delta(&f, now, after) {
				f.Prices, f.Unpriced = nil, ""
				f.MonthlySavings = Money(decimal.Zero)
			}
			out = append(out, f)
		}
		return out
	},
}

// snapshotBill prices a snapshot at its tier's rate for its full volume
// size: an upper bound, since snapshots are incremental and AWS bills only
// the blocks unique to each.
func snapshotBill(rc *RuleContext, r *scanners.Resource) *bill {
	b, _ := resourceBill(rc, r)
	return b
}

// ruleSnapshotOrphaned flags snapshots whose source volume is gone and
// that no AMI (including disabled AMIs) or launch template uses.
var ruleSnapshotOrphaned = Rule{
	ID:          "aws.ebs.snapshot_orphaned",
	Category:    CategoryIdleInfrastructure,
	Title:       "Orphaned EBS snapshot",
	Description: "A snapshot whose source volume no longer exists and that no AMI — **including disabled AMIs** — and no launch template version references. Account × regions where listing snapshots, volumes, AMIs, launch templates or their versions failed (a coverage gap of ec2:DescribeSnapshots, DescribeVolumes, DescribeImages, DescribeLaunchTemplates or DescribeLaunchTemplateVersions) are skipped, so a volume or AMI we could not list is never taken for a deleted one; gaps of other operations (CloudWatch, logs, organizations) do not matter here. Snapshots younger than `min_age_days` are skipped. A snapshot copy has no source volume and is never taken for an orphan: AWS gives a copy an arbitrary volume id, so one with a `transfer_type` (set only on copies) or the volume id vol-ffffffff is skipped. Saving: an upper bound, the full volume size at the snapshot tier's rate (snapshots are incremental: deleting one frees only its unique blocks).",
	Confidence:  Medium, Effort: Low, Risk: Medium,
	Params: []Param{{Name: "min_age_days", Default: "7", Description: "skip snapshots younger than this"}},
	Eval: func(inv *scanners.Inventory, rc *RuleContext) []Finding {
		x := newAWSIndex(inv)
		minAge := rc.IntParam("min_age_days")
		var out []Finding
		for i := range inv.Resources {
			r := &inv.Resources[i]
			if !orphanedSnapshot(x, r) || youngerThan(r, rc.Now, minAge) {
				continue
			}
			f := resourceFinding(r, fmt.Sprintf("Snapshot %s of deleted volume %s (%s GiB)", r.ID, r.Attr("volume_id"), r.Attr("size_gib")),
				fmt.Sprintf("Check it is not a backup someone relies on, then: aws ec2 delete-snapshot --snapshot-id %s --region %s", r.ID, r.Region))
			f.Evidence = []Evidence{{"source_volume", r.Attr("volume_id") + " (no longer exists)"}, {"used_by", "no AMI (incl. disabled) and no launch template"},
				{"size_gib", r.Attr("size_gib")}, {"storage_tier", orDefault(r.Attr("storage_tier"), "standard")}}
			if r.Created != nil {
				f.Evidence = append(f.Evidence, Evidence{"started", r.Created.Format("2006-01-02")})
			}
			price(&f, snapshotBill(rc, r), func(cost decimal.Decimal) decimal.Decimal { return cost })
			out = append(out, f)
		}
		return out
	},
}

func orphanedSnapshot(x *awsIndex, r *scanners.Resource) bool {
	if r.Kind != kindAWSSnapshot || !x.covered(r.Account, r.Region, snapshotOrphanOps...) || x.snapshotUser(r.Account, r.Region, r.ID) != "" {
		return false
	}
	vol := r.Attr("volume_id")
	return vol != "" && !snapshotCopy(r) && !x.exists(r.Account, r.Region, kindAWSVolume, vol)
}

// snapshotCopy reports whether an EBS snapshot is a copy, which has no
// source volume: AWS gives a copy "an arbitrary volume ID that you should
// not use for any purpose" and sets TransferType "Only for snapshot
// copies" (Snapshot data type); vol-ffffffff is the id copies and
// snapshots created from an AMI have long shown.
func snapshotCopy(r *scanners.Resource) bool {
	return r.Attr("transfer_type") != "" || r.Attr("volume_id") == "vol-ffffffff"
}

// ruleSnapshotOld flags old snapshots that nothing uses (orphaned ones are
// reported by aws.ebs.snapshot_orphaned instead, never twice).
var ruleSnapshotOld = Rule{
	ID:          "aws.ebs.snapshot_old",
	Category:    CategoryHygiene,
	Title:       "Old EBS snapshot",
	Description: "A snapshot older than `max_age_days` that no AMI (including disabled AMIs) or launch template uses, whose source volume still exists. Account × regions with a coverage gap of the operations aws.ebs.snapshot_orphaned depends on are skipped: without the AMI or launch template list, \"nothing uses it\" cannot be said. Review the retention policy (Data Lifecycle Manager, AWS Backup) or move it to the archive tier (a snapshot already archived is only pointed at the retention policy). Saving: an upper bound, its full size at its tier's rate; confidence is low because snapshots are incremental.",
	Confidence:  Low, Effort: Low, Risk: Medium,
	Params: []Param{{Name: "max_age_days", Default: "90", Description: "age beyond which a snapshot is old"}},
	Eval: func(inv *scanners.Inventory, rc *RuleContext) []Finding {
		x := newAWSIndex(inv)
		maxAge := rc.IntParam("max_age_days")
		var out []Finding
		for i := range inv.Resources {
			r := &inv.Resources[i]
			if r.Kind != kindAWSSnapshot || !youngerThan(r, rc.Now, 1<<30) {
				continue
			}
			age, known := ageDays(r.Created, rc.Now)
			if !known || age <= maxAge || !x.covered(r.Account, r.Region, snapshotOrphanOps...) ||
				x.snapshotUser(r.Account, r.Region, r.ID) != "" || orphanedSnapshot(x, r) {
				continue
			}
			tier := orDefault(r.Attr("storage_tier"), "standard")
			action := fmt.Sprintf("Apply a retention policy, or archive it: aws ec2 modify-snapshot-tier --snapshot-id %s --storage-tier archive --region %s", r.ID, r.Region)
			if tier == "archive" {
				// Already archived: archiving again is no action. Deleting
				// within 90 days of archiving is billed for the 90 days.
				action = fmt.Sprintf("Already in the archive tier: apply a retention policy, or delete it if no longer needed (archived snapshots are billed for at least 90 days): aws ec2 delete-snapshot --snapshot-id %s --region %s", r.ID, r.Region)
			}
			f := resourceFinding(r, fmt.Sprintf("Snapshot %s is %d days old", r.ID, age), action)
			source := r.Attr("volume_id")
			if snapshotCopy(r) {
				source = "none (a snapshot copy)"
			}
			f.Evidence = []Evidence{{"age_days", fmt.Sprint(age)}, {"source_volume", source}, {"size_gib", r.Attr("size_gib")}, {"storage_tier", tier}}
			price(&f, snapshotBill(rc, r), func(cost decimal.Decimal) decimal.Decimal { return cost })
			out = append(out, f)
		}
		return out
	},
}

// ruleLogsNoRetention flags log groups kept forever.
var ruleLogsNoRetention = Rule{
	ID:          "aws.logs.no_retention",
	Category:    CategoryHygiene,
	Title:       "CloudWatch log group kept forever",
	Description: "A log group with no retention policy keeps every event forever and is billed per GB stored each month. Saving: an upper bound, the monthly storage cost of its stored bytes: setting a retention (e.g. 30 or 90 days) deletes only the data older than that, which the API does not break down. Groups with less than `min_stored_mb` MB are skipped, and so are DELIVERY-class groups, whose events CloudWatch Logs keeps for one day. INFREQUENT_ACCESS groups are reported: they keep data forever too, and their storage is billed at the Standard per-GB rate (only their ingestion is cheaper).",
	Confidence:  Low, Effort: Low, Risk: Low,
	Params: []Param{{Name: "min_stored_mb", Default: "100", Description: "skip log groups storing less than this"}},
	Eval: func(inv *scanners.Inventory, rc *RuleContext) []Finding {
		min := int64(rc.IntParam("min_stored_mb")) * 1_000_000
		var out []Finding
		for i := range inv.Resources {
			r := &inv.Resources[i]
			// A DELIVERY-class group keeps its events one day whatever
			// retentionInDays says (API LogGroup.logGroupClass).
			if r.Kind != kindAWSLogGroup || r.Attr("retention_days") != "" || r.Attr("log_group_class") == "DELIVERY" {
				continue
			}
			stored, _ := strconv.ParseInt(r.Attr("stored_bytes"), 10, 64)
			if stored < min {
				continue
			}
			gb := decimal.NewFromInt(stored).Div(decimal.NewFromInt(1_000_000_000))
			f := resourceFinding(r, fmt.Sprintf("Log group %s has no retention (%s GB stored)", r.ID, gb.StringFixed(1)),
				fmt.Sprintf("aws logs put-retention-policy --log-group-name '%s' --retention-in-days 90 --region %s", r.ID, r.Region))
			f.Evidence = []Evidence{{"retention", "never expire"}, {"stored_bytes", r.Attr("stored_bytes")}}
			if c := r.Attr("log_group_class"); c == "INFREQUENT_ACCESS" {
				f.Evidence = append(f.Evidence, Evidence{"log_group_class", c + ": cheaper to ingest, but stored data is billed at the same per-GB rate as STANDARD"})
			}
			b := newBill(rc, r.Provider, r.Region)
			b.add("logs.storage", gb, fmt.Sprintf("stored %s GB", gb.StringFixed(2)))
			price(&f, b, func(cost decimal.Decimal) decimal.Decimal { return cost })
			out = append(out, f)
		}
		return out
	},
}
