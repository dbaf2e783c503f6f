package findings

import (
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

// covered reports whether the scope was seen completely: an absence there
// means the resource is really gone, not that we could not look.
func (x *awsIndex) covered(account, region string) bool {
	return x.inv.Covered("aws", account, region)
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
// A day without a datapoint reads 0 in Daily, so a series with missing
// days (Points < window) is never judged: a stopped day is not an idle one.
func dailyAll(r *scanners.Resource, name, stat string, days int, ok func(float64) bool) (bool, []float64) {
	m, found := r.Metric(name, stat)
	if !found || !complete(m, days) {
		return false, nil
	}
	pts := m.Daily[len(m.Daily)-days:]
	for _, v := range pts {
		if !ok(v) {
			return false, pts
		}
	}
	return true, pts
}

// complete reports whether a metric has at least days daily values and a
// datapoint on every day of its window (the scanner writes 0 for a day
// without data and counts only real days in Points).
func complete(m scanners.Metric, days int) bool {
	return len(m.Daily) >= days && m.Points >= len(m.Daily)
}
