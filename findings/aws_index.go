package findings

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ghostaudit/ghostaudit/scanners"
)

// Resource kinds the AWS rules read. They mirror scanners/aws, which rules
// must not import (it pulls in the SDK).
const (
	kindAWSInstance       = "aws.ec2.instance"
	kindAWSSnapshot       = "aws.ebs.snapshot"
	kindAWSImage          = "aws.ec2.image"
	kindAWSLaunchTemplate = "aws.ec2.launch_template"
	kindAWSNatGateway     = "aws.ec2.nat_gateway"
	kindAWSLoadBalancer   = "aws.elb.load_balancer"
	kindAWSClassicLB      = "aws.elb.classic_load_balancer"
	kindAWSDBInstance     = "aws.rds.instance"
	kindAWSDBSnapshot     = "aws.rds.snapshot"
	kindAWSLogGroup       = "aws.logs.log_group"
)

// Days of daily CloudWatch history the AWS scanner fetches, per kind. They
// are copies of constants of scanners/aws, which findings cannot import:
// instanceWindowDays (ec2.go), natWindowDays (nat.go), lbWindowDays
// (elb.go) and dbWindowDays (rds.go); TestScannerWindowsMatch reads that
// source to keep them in step. A rule's lookback_days may not exceed its
// kind's window (checked when the engine is built), and a series shorter
// than the lookback is never judged (an inventory from another version).
const (
	awsInstanceWindowDays = 14
	awsNATWindowDays      = 30
	awsLBWindowDays       = 7
	awsDBWindowDays       = 14
)

// lookbackParam is the lookback_days parameter of a rule over metrics the
// AWS scanner fetches for window days.
func lookbackParam(def string, window int, constName, desc string) Param {
	return Param{Name: "lookback_days", Default: def, Description: desc, Min: 1, Max: window,
		MaxWhy: fmt.Sprintf("the days of CloudWatch history the AWS scanner fetches (scanners/aws %s)", constName)}
}

// awsIndex answers the cross-resource questions the AWS rules ask: which
// volumes an instance has, whether a volume still exists, which snapshots
// an AMI or launch template uses.
type awsIndex struct {
	inv       *scanners.Inventory
	byKey     map[string]*scanners.Resource
	volumesOf map[string][]*scanners.Resource // instance key → attached volumes
	eipsOf    map[string][]*scanners.Resource // instance key → associated addresses
	ids       map[string]bool                 // provider/account/region/kind/id of everything seen
	usedSnaps map[string]string               // account/region/snapshot id → "image ami-…" or "launch template lt-…"
}

func newAWSIndex(inv *scanners.Inventory) *awsIndex {
	x := &awsIndex{inv: inv, byKey: inv.ResourceByKey(), volumesOf: map[string][]*scanners.Resource{},
		eipsOf: map[string][]*scanners.Resource{}, ids: map[string]bool{}, usedSnaps: map[string]string{}}
	for i := range inv.Resources {
		r := &inv.Resources[i]
		if r.Provider != "aws" {
			continue
		}
		x.ids[r.Key()] = true
		switch r.Kind {
		case kindAWSVolume:
			for _, rel := range r.Relations {
				if rel.Type == "attached-to" {
					x.volumesOf[rel.Key] = append(x.volumesOf[rel.Key], r)
				}
			}
		case kindAWSAddress:
			if id := r.Attr("instance_id"); id != "" {
				k := scanners.MakeKey("aws", r.Account, r.Region, kindAWSInstance, id)
				x.eipsOf[k] = append(x.eipsOf[k], r)
			}
		case kindAWSImage:
			for _, s := range splitList(r.Attr("snapshot_ids")) {
				x.usedSnaps[r.Account+"/"+r.Region+"/"+s] = "AMI " + r.ID + " (" + orDefault(r.Attr("state"), "available") + ")"
			}
		case kindAWSLaunchTemplate:
			for _, s := range splitList(r.Attr("snapshot_ids")) {
				if _, ok := x.usedSnaps[r.Account+"/"+r.Region+"/"+s]; !ok {
					x.usedSnaps[r.Account+"/"+r.Region+"/"+s] = "launch template " + r.ID
				}
			}
		}
	}
	return x
}

// exists reports whether a resource of kind with id was seen in the scope.
func (x *awsIndex) exists(account, region, kind, id string) bool {
	return x.ids[scanners.MakeKey("aws", account, region, kind, id)]
}

// snapshotUser names what uses a snapshot, or "".
func (x *awsIndex) snapshotUser(account, region, id string) string {
	return x.usedSnaps[account+"/"+region+"/"+id]
}

// Operations whose failure leaves an orphan check blind: a resource that
// one of them would have listed cannot be told from a deleted one.
var (
	// snapshotOrphanOps: the snapshot itself, the volume it came from, and
	// the AMIs and launch template versions that may still use it.
	snapshotOrphanOps = []string{"ec2:DescribeSnapshots", "ec2:DescribeVolumes", "ec2:DescribeImages",
		"ec2:DescribeLaunchTemplates", "ec2:DescribeLaunchTemplateVersions"}
	// dbSnapshotOrphanOps: the DB instance a snapshot was taken from.
	dbSnapshotOrphanOps = []string{"rds:DescribeDBInstances"}
)

// covered reports whether the account × region was seen completely for the
// given operations: an absence there means the resource is really gone,
// not that we could not look. Only a gap of one of ops, or a gap that names
// no operation (a crashed or failed scanner), counts: an
// organizations:ListAccounts, CloudWatch or logs gap says nothing about
// volumes. scanners.Inventory.Covered ignores the operation, hence this.
func (x *awsIndex) covered(account, region string, ops ...string) bool {
	for _, g := range x.inv.Gaps {
		if g.Scanner != "aws" || g.Account != "" && g.Account != account || g.Region != "" && g.Region != region {
			continue
		}
		if g.Operation == "" || slices.Contains(ops, g.Operation) {
			return false
		}
	}
	return true
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// attrTime parses an RFC 3339 attribute.
func attrTime(r *scanners.Resource, name string) (time.Time, bool) {
	v := r.Attr(name)
	if v == "" {
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339, v)
	return t, err == nil
}

// youngerThan reports whether a resource was created less than days ago;
// an unknown creation time counts as old enough.
func youngerThan(r *scanners.Resource, now time.Time, days int) bool {
	age, known := ageDays(r.Created, now)
	return known && age < days
}

// dailyAll reports whether a metric has data for each of the last days
// and every daily value satisfies ok; it also returns the values checked.
// A day without a datapoint reads 0 in Daily, so a series that may miss a
// day among the last days is never judged: a stopped day is not an idle one.
func dailyAll(r *scanners.Resource, name, stat string, days int, ok func(float64) bool) (bool, []float64) {
	m, found := r.Metric(name, stat)
	if !found || !complete(m, days) {
		return false, nil
	}
	return allOf(m.Daily[len(m.Daily)-days:], ok)
}

func allOf(pts []float64, ok func(float64) bool) (bool, []float64) {
	for _, v := range pts {
		if !ok(v) {
			return false, pts
		}
	}
	return true, pts
}

// complete reports whether a metric has a datapoint on each of its last
// days daily values. The scanner writes 0 for a day without data and
// counts only real days in Points, over its whole window (which may be
// longer than days): when some day of the window had no datapoint, the
// last days are known complete only if none of them reads 0 (a missing
// day is one of the zeros). A series shorter than days (the scanner
// fetched a shorter window than the rule's lookback) is never complete.
func complete(m scanners.Metric, days int) bool {
	if days <= 0 || len(m.Daily) < days {
		return false
	}
	if m.Points >= len(m.Daily) {
		return true
	}
	for _, v := range m.Daily[len(m.Daily)-days:] {
		if v == 0 {
			return false
		}
	}
	return true
}

// lbQuiet reports whether a load balancer's traffic stayed below limit on
// each of the last days: the daily Sum of the named counters added up
// (ALB RequestCount + HTTP_Redirect_Count + HTTP_Fixed_Response_Count,
// NLB NewFlowCount, Classic RequestCount). See lbTraffic for when nothing
// is judged.
func lbQuiet(r *scanners.Resource, names []string, days int, limit float64, now time.Time) (quiet bool, pts []float64, gaps int) {
	pts, gaps, ok := lbTraffic(r, names, days, now)
	if !ok {
		return false, nil, 0
	}
	quiet, pts = allOf(pts, func(v float64) bool { return v < limit })
	return quiet, pts, gaps
}

// lbTraffic returns the daily total of the named ELB counters (Sum) over
// the last days, oldest first. ELB publishes these counters only when
// there is traffic ("only when requests are flowing"; each of them is
// "reported if there is a nonzero value" or only while targets are
// registered), so an idle balancer's series has no datapoint on its quiet
// days: a missing day counts as 0 when the balancer existed before the
// first day checked. A balancer of unknown or later creation needs a
// datapoint on every day. ok is false, and nothing is judged, without the
// first counter (the metrics fetch failed: the scanner then emits no
// metrics at all); a later counter the inventory lacks adds nothing. gaps
// says how many days of the fetched window had no datapoint for any
// counter (0 when every day had one).
func lbTraffic(r *scanners.Resource, names []string, days int, now time.Time) (pts []float64, gaps int, ok bool) {
	if len(names) == 0 {
		return nil, 0, false
	}
	m, found := r.Metric(names[0], "Sum")
	if !found || days <= 0 || len(m.Daily) < days {
		return nil, 0, false
	}
	total := scanners.Metric{Name: m.Name, Stat: m.Stat, End: m.End, Points: m.Points, Daily: slices.Clone(m.Daily)}
	for _, name := range names[1:] {
		o, found := r.Metric(name, "Sum")
		if !found {
			continue
		}
		// Align on the last day: both windows end at the same midnight.
		for d := 1; d <= min(len(o.Daily), len(total.Daily)); d++ {
			total.Daily[len(total.Daily)-d] += o.Daily[len(o.Daily)-d]
		}
		if o.Points >= len(o.Daily) && len(o.Daily) >= len(total.Daily) {
			total.Points = len(total.Daily) // a datapoint every day
		} else if total.Points < len(total.Daily) {
			// A day without a datapoint reads 0 in every counter; the
			// counters publish no zero, so the days that had one are the
			// days whose total is not 0.
			total.Points = len(total.Daily) - zeros(total.Daily)
		}
	}
	end := total.End
	if end.IsZero() {
		end = now.UTC().Truncate(24 * time.Hour)
	}
	existed := r.Created != nil && !r.Created.After(end.AddDate(0, 0, -days))
	if !existed && !complete(total, days) {
		return nil, 0, false
	}
	return total.Daily[len(total.Daily)-days:], max0(len(total.Daily) - total.Points), true
}

func zeros(xs []float64) int {
	n := 0
	for _, x := range xs {
		if x == 0 {
			n++
		}
	}
	return n
}

func max0(n int) int { return max(n, 0) }
