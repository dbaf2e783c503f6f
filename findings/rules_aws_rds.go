package findings

import (
	"fmt"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/ghostaudit/ghostaudit/findings/pricing"
	"github.com/ghostaudit/ghostaudit/scanners"
)

// rdsComputeBill prices a DB instance's compute: the single-AZ on-demand
// price of its engine and class, doubled for Multi-AZ (a standby of the
// same class is billed for MySQL, PostgreSQL, MariaDB, Oracle and SQL Server).
func rdsComputeBill(b *bill, r *scanners.Resource) {
	qty := decimal.NewFromInt(1)
	what := r.Attr("class") + " single-AZ, 730 h"
	if r.Attr("multi_az") == "true" {
		qty, what = decimal.NewFromInt(2), r.Attr("class")+" Multi-AZ (primary + standby), 730 h"
	}
	b.add("rds."+r.Attr("engine")+"."+r.Attr("class"), qty, what)
}

// rdsStorageBill prices a DB instance's allocated storage and io1 IOPS,
// both doubled for Multi-AZ: the standby has its own storage, billed at
// the Multi-AZ rate (twice the single-AZ rate per GiB and per IOPS).
func rdsStorageBill(b *bill, r *scanners.Resource) {
	size, _ := r.AttrInt("allocated_gib")
	st := orDefault(r.Attr("storage_type"), "gp2")
	copies, note := decimal.NewFromInt(1), ""
	if r.Attr("multi_az") == "true" {
		copies, note = decimal.NewFromInt(2), ", Multi-AZ (×2)"
	}
	b.add("rds.storage."+st, dec(size).Mul(copies), fmt.Sprintf("%s storage %d GiB%s", st, size, note))
	if st == "io1" {
		iops, _ := r.AttrInt("iops")
		b.add("rds.iops.io1", dec(iops).Mul(copies), fmt.Sprintf("provisioned IOPS %d%s", iops, note))
	}
}

// ruleRDSIdle flags DB instances nobody connected to in the lookback.
var ruleRDSIdle = Rule{
	ID:          "aws.rds.idle",
	Category:    CategoryIdleInfrastructure,
	Title:       "Idle RDS instance",
	Description: "A DB instance whose compute is billed (status available, or any other status the RDS \"DB instance status\" table marks Billed: backing-up, modifying, storage-optimization...) and whose DatabaseConnections maximum was 0 on each of the last `lookback_days` days (Trusted Advisor's idle DB check uses 7 days; 14 avoids weekly jobs). Younger instances are skipped. Saving: compute (×2 for Multi-AZ) and allocated storage; a final snapshot costs less and is not subtracted. Take a final snapshot and delete it (stopping lasts only 7 days before RDS starts it again).",
	Confidence:  Medium, Effort: Low, Risk: Medium,
	Params: []Param{lookbackParam("14", awsDBWindowDays, "dbWindowDays", "days that must all have no connection")},
	Eval: func(inv *scanners.Inventory, rc *RuleContext) []Finding {
		days := rc.IntParam("lookback_days")
		var out []Finding
		for i := range inv.Resources {
			r := &inv.Resources[i]
			if r.Kind != kindAWSDBInstance || !pricing.DBInstanceComputeBilled(r.Attr("status")) || youngerThan(r, rc.Now, days) {
				continue
			}
			idle, pts := dailyAll(r, "DatabaseConnections", "Maximum", days, func(v float64) bool { return v == 0 })
			if !idle {
				continue
			}
			f := resourceFinding(r, fmt.Sprintf("Idle %s %s instance %s", r.Attr("engine"), r.Attr("class"), r.ID),
				fmt.Sprintf("aws rds delete-db-instance --db-instance-identifier %s --final-db-snapshot-identifier %s-final --region %s", r.ID, r.ID, r.Region))
			f.Evidence = []Evidence{{"engine", r.Attr("engine")}, {"class", r.Attr("class")}, {"multi_az", orDefault(r.Attr("multi_az"), "false")},
				{"daily_max_connections", fmtDaily(pts, "")}}
			if st := r.Attr("status"); st != "available" {
				f.Evidence = append(f.Evidence, Evidence{"status", st + " (compute billed as when available)"})
			}
			b := newBill(rc, r.Provider, r.Region)
			rdsComputeBill(b, r)
			rdsStorageBill(b, r)
			price(&f, b, func(cost decimal.Decimal) decimal.Decimal { return cost })
			out = append(out, f)
		}
		return out
	},
}

// ruleRDSStopped flags stopped DB instances: storage is still billed, and
// RDS restarts a stopped instance after 7 days.
var ruleRDSStopped = Rule{
	ID:          "aws.rds.stopped",
	Category:    CategoryIdleInfrastructure,
	Title:       "Stopped RDS instance",
	Description: "A stopped DB instance is still billed for its storage, and RDS starts it again automatically after 7 days, when compute billing resumes. Saving: the allocated storage (×2 for Multi-AZ); the compute it will cost once restarted is not counted. Snapshot and delete it if it is not needed.",
	Confidence:  High, Effort: Low, Risk: Medium,
	Eval: func(inv *scanners.Inventory, rc *RuleContext) []Finding {
		var out []Finding
		for i := range inv.Resources {
			r := &inv.Resources[i]
			if r.Kind != kindAWSDBInstance || r.Attr("status") != "stopped" {
				continue
			}
			f := resourceFinding(r, fmt.Sprintf("Stopped %s instance %s still pays for storage", r.Attr("engine"), r.ID),
				fmt.Sprintf("aws rds delete-db-instance --db-instance-identifier %s --final-db-snapshot-identifier %s-final --region %s", r.ID, r.ID, r.Region))
			f.Evidence = []Evidence{{"status", "stopped"}, {"allocated_gib", r.Attr("allocated_gib")}, {"note", "RDS restarts stopped instances after 7 days"}}
			b := newBill(rc, r.Provider, r.Region)
			rdsStorageBill(b, r)
			price(&f, b, func(cost decimal.Decimal) decimal.Decimal { return cost })
			out = append(out, f)
		}
		return out
	},
}

// ruleRDSSnapshot flags manual DB snapshots that are old or whose source
// instance is gone.
var ruleRDSSnapshot = Rule{
	ID:          "aws.rds.snapshot_old_or_orphaned",
	Category:    CategoryHygiene,
	Title:       "Old or orphaned manual RDS snapshot",
	Description: "A manual DB snapshot older than `max_age_days`, or older than `min_age_days` and whose source instance no longer exists (Thrifty: source gone and age > 30 days). \"No longer exists\" is said only where rds:DescribeDBInstances had no coverage gap in the account × region, and never of a cross-account or cross-region copy (a `source_snapshot`, or a `source_region` other than its own): its source instance lives in the account or region it was copied from; such a copy can still be old. Manual snapshots are kept until deleted. Saving: an upper bound, the allocated size at the RDS snapshot storage rate (the free backup allowance is not subtracted).",
	Confidence:  Low, Effort: Low, Risk: Medium,
	Params: []Param{
		{Name: "max_age_days", Default: "90", Description: "age beyond which a manual snapshot is old"},
		{Name: "min_age_days", Default: "30", Description: "skip snapshots of deleted instances younger than this (an unknown creation time counts as old enough)"},
	},
	Eval: func(inv *scanners.Inventory, rc *RuleContext) []Finding {
		x := newAWSIndex(inv)
		maxAge, minAge := rc.IntParam("max_age_days"), rc.IntParam("min_age_days")
		var out []Finding
		for i := range inv.Resources {
			r := &inv.Resources[i]
			if r.Kind != kindAWSDBSnapshot || orDefault(r.Attr("snapshot_type"), "manual") != "manual" {
				continue
			}
			age, known := ageDays(r.Created, rc.Now)
			src := r.Attr("db_instance_id")
			orphan := src != "" && !dbSnapshotCopy(r) && !youngerThan(r, rc.Now, minAge) && x.covered(r.Account, r.Region, dbSnapshotOrphanOps...) &&
				!x.exists(r.Account, r.Region, kindAWSDBInstance, src)
			old := known && age > maxAge
			if !orphan && !old {
				continue
			}
			why := fmt.Sprintf("%d days old", age)
			if orphan {
				why = "source instance " + src + " no longer exists"
			}
			f := resourceFinding(r, fmt.Sprintf("Manual RDS snapshot %s: %s", r.ID, why),
				fmt.Sprintf("aws rds delete-db-snapshot --db-snapshot-identifier %s --region %s", r.ID, r.Region))
			if orphan {
				f.Confidence = Medium
			}
			ageText := "unknown"
			if known {
				ageText = fmt.Sprint(age)
			}
			f.Evidence = []Evidence{{"source_instance", src}, {"age_days", ageText}, {"allocated_gib", r.Attr("allocated_gib")}}
			if dbSnapshotCopy(r) {
				f.Evidence = append(f.Evidence, Evidence{"copied_from", strings.TrimSpace(r.Attr("source_snapshot") + " " + r.Attr("source_region"))})
			}
			size, _ := r.AttrInt("allocated_gib")
			b := newBill(rc, r.Provider, r.Region)
			b.add("rds.snapshot", dec(size), fmt.Sprintf("manual snapshot %d GiB (upper bound)", size))
			price(&f, b, func(cost decimal.Decimal) decimal.Decimal { return cost })
			out = append(out, f)
		}
		return out
	},
}

// dbSnapshotCopy reports whether a DB snapshot was copied from another
// account or region: SourceDBSnapshotIdentifier (source_snapshot) "only
// has a value in the case of a cross-account or cross-Region copy", and
// SourceRegion is the region it "was created in or copied from"
// (DBSnapshot data type). Its db_instance_id names an instance there.
func dbSnapshotCopy(r *scanners.Resource) bool {
	src := r.Attr("source_region")
	return r.Attr("source_snapshot") != "" || src != "" && src != r.Region
}
