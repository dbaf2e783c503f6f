package findings

import (
	"fmt"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/ghostaudit/ghostaudit/findings/pricing"
	"github.com/ghostaudit/ghostaudit/scanners"
)

// bill accumulates the cost components of an estimate in the reporting
// currency and remembers the unit prices it used, or what it could not price.
type bill struct {
	rc       *RuleContext
	provider string
	region   string
	total    decimal.Decimal
	prices   []pricing.Price
	missing  []string
	lines    []string
	// notes are caveats on the total (e.g. a lower bound), kept on the
	// cost line; each is also said on the estimate line it concerns.
	notes []string
}

// note records a caveat on the bill's total once.
func (b *bill) note(s string) {
	for _, n := range b.notes {
		if n == s {
			return
		}
	}
	b.notes = append(b.notes, s)
}

func newBill(rc *RuleContext, provider, region string) *bill {
	return &bill{rc: rc, provider: provider, region: region}
}

// add prices quantity units of item; a zero quantity adds nothing and needs no price.
func (b *bill) add(item string, quantity decimal.Decimal, what string) {
	if quantity.IsZero() {
		return
	}
	if b.rc == nil || b.rc.Catalog == nil {
		b.missing = append(b.missing, fmt.Sprintf("no %s price for %s in %s", b.provider, item, b.region))
		return
	}
	p, ok := b.rc.Catalog.Lookup(b.provider, b.region, item)
	if !ok {
		b.missing = append(b.missing, fmt.Sprintf("no %s price for %s in %s", b.provider, item, b.region))
		return
	}
	cost := p.Monthly(quantity)
	if b.rc.Settings != nil {
		converted, err := b.rc.Settings.convert(cost, p.Currency)
		if err != nil {
			b.missing = append(b.missing, err.Error())
			return
		}
		cost = converted
	}
	b.total = b.total.Add(cost)
	b.prices = appendPrice(b.prices, p)
	line := fmt.Sprintf("%s: %s × %s %s/%s = %s/month", what, quantity.String(), p.Amount.String(), p.Currency, p.Unit, cost.StringFixed(2))
	if strings.HasPrefix(p.Ref, "derived:") {
		// Not read from a regional source: the reader should know (the
		// Prices sheet gives the derivation).
		line += " (derived price, not read for " + p.Region + ")"
	}
	b.lines = append(b.lines, line)
}

// result returns the monthly total, or ok=false with the reason when a
// component could not be priced: a partial sum would understate the cost.
func (b *bill) result() (decimal.Decimal, bool, string) {
	if len(b.missing) > 0 {
		return decimal.Zero, false, strings.Join(b.missing, "; ")
	}
	return b.total, true, ""
}

func appendPrice(ps []pricing.Price, p pricing.Price) []pricing.Price {
	for _, q := range ps {
		if q.Item == p.Item && q.Region == p.Region && q.Provider == p.Provider {
			return ps
		}
	}
	return append(ps, p)
}

func dec(n int64) decimal.Decimal { return decimal.NewFromInt(n) }

// costers price a scanned resource of a kind as it runs today, for the
// spend in scope; rules reuse them for "delete it" savings.
var costers = map[string]func(b *bill, r *scanners.Resource){
	kindAWSVolume: func(b *bill, r *scanners.Resource) {
		size, _ := r.AttrInt("size_gib")
		iops, _ := r.AttrInt("iops")
		tp, _ := r.AttrInt("throughput_mibps")
		volumeCost(b, r.Attr("volume_type"), size, iops, tp)
	},
	kindAWSAddress: func(b *bill, r *scanners.Resource) {
		// Every public IPv4 address is billed hourly since 2024-02-01, in use or idle.
		b.add("vpc.public_ipv4", decimal.NewFromInt(1), "public IPv4 address, 730 h")
	},
	kindAWSInstance: func(b *bill, r *scanners.Resource) {
		// Compute is billed only while running; volumes and addresses are
		// cost lines of their own.
		if r.State == "running" {
			instanceCompute(b, r)
		}
	},
	kindAWSSnapshot: func(b *bill, r *scanners.Resource) {
		size, _ := r.AttrInt("size_gib")
		tier := orDefault(r.Attr("storage_tier"), "standard")
		b.add("ebs.snapshot."+tier, dec(size), fmt.Sprintf("snapshot %s tier, %d GiB (upper bound)", tier, size))
	},
	kindAWSNatGateway: func(b *bill, r *scanners.Resource) {
		if r.State == "available" {
			b.add("natgw.hour", decimal.NewFromInt(1), "NAT gateway, 730 h")
		}
	},
	kindAWSLoadBalancer: func(b *bill, r *scanners.Resource) {
		typ := orDefault(r.Attr("type"), "application")
		b.add(lbItem[typ], decimal.NewFromInt(1), typ+" load balancer, 730 h")
	},
	kindAWSClassicLB: func(b *bill, r *scanners.Resource) {
		b.add("elb.clb.hour", decimal.NewFromInt(1), "Classic Load Balancer, 730 h")
	},
	kindAWSDBInstance: func(b *bill, r *scanners.Resource) {
		// Compute is billed in the statuses the RDS status table marks
		// "Billed" (backing-up, modifying...), storage in all of them.
		if pricing.DBInstanceComputeBilled(r.Attr("status")) {
			rdsComputeBill(b, r)
		}
		rdsStorageBill(b, r)
	},
	kindAWSDBSnapshot: func(b *bill, r *scanners.Resource) {
		size, _ := r.AttrInt("allocated_gib")
		b.add("rds.snapshot", dec(size), fmt.Sprintf("manual snapshot %d GiB", size))
	},
	kindGCPDisk: func(b *bill, r *scanners.Resource) {
		size, _ := r.AttrInt("size_gb")
		b.add("disk."+r.Attr("type"), dec(size), fmt.Sprintf("%s %d GB", r.Attr("type"), size))
	},
	kindGCPAddress: func(b *bill, r *scanners.Resource) {
		if r.Attr("status") == "RESERVED" && orDefault(r.Attr("address_type"), "EXTERNAL") == "EXTERNAL" {
			b.add("address.static_unused", decimal.NewFromInt(1), "static IP, 730 h")
		}
	},
	// A Microsoft 365 SKU costs its purchased seats (prepaid enabled
	// units) at the licence's list price. Warning units belong to an
	// expired subscription in its grace period (licenseUnitsDetail.warning)
	// and are not renewed; suspended or deleted subscriptions are no
	// longer billed.
	kindM365SKU: func(b *bill, r *scanners.Resource) {
		switch r.Attr("capability_status") {
		case "Suspended", "Deleted", "LockedOut":
			return
		}
		part := orDefault(r.Attr("sku_part_number"), r.Name)
		// Trial seats are not billed: they are taken off when their number
		// is known (directory/subscriptions totalLicenses); otherwise the
		// paid seats cannot be told from the trial's and the cost is unknown.
		var trial int64
		if r.Attr("subscriptions") == "unavailable" {
			b.note(fmt.Sprintf("%s: directory/subscriptions was not readable, so trial seats (not billed), if any, are counted: an upper bound", part))
		}
		if r.Attr("is_trial") == "true" {
			n, ok := r.AttrInt("trial_units")
			if !ok {
				b.missing = append(b.missing, fmt.Sprintf("%s has a trial subscription of unknown size: its paid seats cannot be told from the trial's", part))
				return
			}
			trial = n
		}
		enabled, ok := r.AttrInt("enabled_units")
		if !ok {
			b.missing = append(b.missing, fmt.Sprintf("%s: no purchased-seat count (prepaidUnits)", part))
			return
		}
		if n := max(enabled-trial, 0); n > 0 {
			note := ""
			if w, _ := r.AttrInt("warning_units"); w > 0 {
				note = fmt.Sprintf(", %d expired seats in grace left out", w)
			}
			b.add("m365."+part, dec(n), fmt.Sprintf("%s, %d purchased seats (trial seats excluded%s)", part, n, note))
		}
	},
	kindAWSLogGroup: func(b *bill, r *scanners.Resource) {
		stored, _ := r.AttrInt("stored_bytes")
		b.add("logs.storage", decimal.NewFromInt(stored).Div(decimal.NewFromInt(1_000_000_000)), "stored data")
	},
}

// resourceBill prices a resource with its kind's coster; ok is false when
// no coster exists for the kind.
func resourceBill(rc *RuleContext, r *scanners.Resource) (*bill, bool) {
	c, ok := costers[r.Kind]
	if !ok {
		return nil, false
	}
	region := r.Region
	if reg := r.Attr("region"); r.Provider == "gcp" && reg != "" {
		region = reg // GCP disks live in zones; prices are per region
	}
	if r.Provider == "m365" {
		region = "global" // licences are priced per user, not per region
	}
	b := newBill(rc, r.Provider, region)
	c(b, r)
	return b, true
}

// costLines prices every resource of a kind we can cost and classifies it.
func costLines(inv *scanners.Inventory, rc *RuleContext, classify ClassifyFunc) []CostLine {
	var out []CostLine
	for i := range inv.Resources {
		r := &inv.Resources[i]
		b, ok := resourceBill(rc, r)
		if !ok {
			continue
		}
		if r.Kind == kindAWSInstance && r.State == "running" && r.Attr("lifecycle") == "spot" {
			// The Spot price moves hourly and is not in the list-price
			// snapshot: the spend is unknown, not the on-demand rate (the
			// idle rule prices a Spot instance at on-demand only as an
			// upper bound, and says so).
			b = newBill(rc, r.Provider, r.Region)
			b.missing = append(b.missing, "Spot instance: billed at the hourly Spot price, which the list-price snapshot does not hold")
		}
		c := classify(r)
		l := CostLine{ResourceKey: r.Key(), Provider: r.Provider, Account: r.Account, Region: r.Region, Kind: r.Kind,
			ResourceID: r.ID, ResourceName: r.Name, Class: c.Class, ClassRule: c.Rule, ClassRationale: c.Rationale, ClassCitation: c.Citation}
		if cost, ok, why := b.result(); ok {
			l.MonthlyCost = Money(cost)
			l.Note = strings.Join(b.notes, "; ")
		} else {
			l.Unpriced = why
		}
		out = append(out, l)
	}
	return out
}
