package pricing

import (
	"strings"
	"testing"

	"github.com/shopspring/decimal"
)

// The regions the snapshot must cover and the items findings price.
var (
	majorRegions = []string{"us-east-1", "us-east-2", "us-west-1", "us-west-2", "ca-central-1",
		"eu-west-1", "eu-west-2", "eu-west-3", "eu-central-1", "eu-north-1",
		"ap-southeast-1", "ap-southeast-2", "ap-northeast-1", "ap-south-1"}
	requiredItems = map[string]string{
		"ebs.gp2.storage": UnitGBMonth, "ebs.gp3.storage": UnitGBMonth,
		"ebs.gp3.iops": UnitIOPSMonth, "ebs.gp3.throughput": UnitMiBpsMonth,
		"ebs.io1.storage": UnitGBMonth, "ebs.io1.iops": UnitIOPSMonth,
		"ebs.io2.storage": UnitGBMonth, "ebs.io2.iops": UnitIOPSMonth,
		"ebs.st1.storage": UnitGBMonth, "ebs.sc1.storage": UnitGBMonth,
		"ebs.standard.storage":  UnitGBMonth,
		"ebs.snapshot.standard": UnitGBMonth, "ebs.snapshot.archive": UnitGBMonth,
		"vpc.public_ipv4": UnitHour,
	}
	// Items that could not be sourced for 10 regions; the snapshot leaves
	// the rest unpriced rather than guess. Raise these when rows are added.
	minRegionsException = map[string]int{
		// ebs.snapshot.standard left this map in pass prices-a (us-east-2 and
		// ap-south-1 sourced: 10 major regions, the default floor).
		"ebs.snapshot.archive": 9, // pass prices-a: +us-east-2, read from its source
	}
)

func mustSnapshot(t *testing.T) *Table {
	t.Helper()
	tab, err := Snapshot()
	if err != nil {
		t.Fatalf("Snapshot: %v", err)
	}
	return tab
}

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func TestSnapshotLoadsWithProvenance(t *testing.T) {
	tab := mustSnapshot(t)
	all := tab.All()
	if len(all) < 150 {
		t.Fatalf("snapshot has %d prices, want >= 150", len(all))
	}
	for _, p := range all {
		k := Key(p.Provider, p.Region, p.Item)
		if (p.Provider != "aws" && p.Provider != "gcp" && p.Provider != "m365") || p.Region == "" {
			t.Errorf("%s: provider/region missing", k)
		}
		if p.Currency != "USD" {
			t.Errorf("%s: currency %q, want USD", k, p.Currency)
		}
		if p.Source != SourceSnapshot {
			t.Errorf("%s: source %q", k, p.Source)
		}
		if len(p.Ref) < 20 {
			t.Errorf("%s: ref %q is not a specific source", k, p.Ref)
		}
		if !dateRE.MatchString(p.AsOf) || p.AsOf < "2013-01-01" || p.AsOf > "2026-12-31" {
			t.Errorf("%s: as_of %q implausible", k, p.AsOf)
		}
		if !p.Amount.IsPositive() {
			t.Errorf("%s: price %s must be > 0", k, p.Amount)
		}
		if want, ok := requiredItems[p.Item]; ok && p.Unit != want {
			t.Errorf("%s: unit %q, want %q", k, p.Unit, want)
		}
	}
}

func TestSnapshotNoDuplicateKeys(t *testing.T) {
	// NewTable rejects duplicates; check the raw rows too so a duplicate
	// in a second CSV file is reported with its name.
	entries, err := snapshotFS.ReadDir("snapshot")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]string{}
	for _, e := range entries {
		data, _ := snapshotFS.ReadFile("snapshot/" + e.Name())
		prices, err := ParseCSV(e.Name(), strings.NewReader(string(data)), SourceSnapshot)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range prices {
			k := Key(p.Provider, p.Region, p.Item)
			if prev, dup := seen[k]; dup {
				t.Errorf("duplicate %s in %s (first in %s)", k, e.Name(), prev)
			}
			seen[k] = e.Name()
		}
	}
}

func TestSnapshotCoverage(t *testing.T) {
	tab := mustSnapshot(t)
	for item := range requiredItems {
		n := 0
		var missing []string
		for _, r := range majorRegions {
			if _, ok := tab.Lookup("aws", r, item); ok {
				n++
			} else {
				missing = append(missing, r)
			}
		}
		min := 10
		if m, ok := minRegionsException[item]; ok {
			min = m
		}
		if n < min {
			t.Errorf("%s priced in %d of the major regions, want >= %d (missing %v)", item, n, min, missing)
		}
	}
	// The core storage prices must be in every one of the 14 regions.
	for _, item := range []string{"ebs.gp2.storage", "ebs.gp3.storage", "ebs.io1.storage",
		"ebs.st1.storage", "ebs.sc1.storage", "vpc.public_ipv4"} {
		for _, r := range majorRegions {
			if _, ok := tab.Lookup("aws", r, item); !ok {
				t.Errorf("%s missing in %s", item, r)
			}
		}
	}
}

func regionsOf(tab *Table) []string {
	set := map[string]bool{}
	for _, p := range tab.All() {
		set[p.Region] = true
	}
	var out []string
	for r := range set {
		out = append(out, r)
	}
	return out
}

func TestSnapshotInvariants(t *testing.T) {
	tab := mustSnapshot(t)
	get := func(r, item string) (decimal.Decimal, bool) {
		p, ok := tab.Lookup("aws", r, item)
		return p.Amount, ok
	}
	for _, r := range regionsOf(tab) {
		// gp3 storage is 20% below gp2 in every commercial region.
		if gp2, ok := get(r, "ebs.gp2.storage"); ok {
			if gp3, ok := get(r, "ebs.gp3.storage"); ok && !gp3.Equal(gp2.Mul(d("0.8"))) {
				t.Errorf("%s: gp3 %s != 0.8 x gp2 %s", r, gp3, gp2)
			}
		}
		// io2 storage is priced as io1 storage.
		if io1, ok := get(r, "ebs.io1.storage"); ok {
			if io2, ok := get(r, "ebs.io2.storage"); ok && !io2.Equal(io1) {
				t.Errorf("%s: io2 storage %s != io1 %s", r, io2, io1)
			}
		}
		// io2 first-tier IOPS is priced as io1 IOPS; tiers step down.
		if io1, ok := get(r, "ebs.io1.iops"); ok {
			if io2, ok := get(r, "ebs.io2.iops"); ok && !io2.Equal(io1) {
				t.Errorf("%s: io2 iops %s != io1 iops %s", r, io2, io1)
			}
		}
		if t1, ok := get(r, "ebs.io2.iops"); ok {
			t2, ok2 := get(r, "ebs.io2.iops.tier2")
			t3, ok3 := get(r, "ebs.io2.iops.tier3")
			if ok2 && !t2.LessThan(t1) || ok3 && (!ok2 || !t3.LessThan(t2)) {
				t.Errorf("%s: io2 tiers not decreasing: %s %s %s", r, t1, t2, t3)
			}
		}
		// Snapshot archive is cheaper than standard (a quarter of it where sourced).
		if std, ok := get(r, "ebs.snapshot.standard"); ok {
			if arc, ok := get(r, "ebs.snapshot.archive"); ok {
				if !arc.LessThan(std) {
					t.Errorf("%s: snapshot archive %s not < standard %s", r, arc, std)
				}
				if !arc.Equal(std.Div(d("4"))) {
					t.Errorf("%s: snapshot archive %s != standard/4 (%s)", r, arc, std)
				}
			}
		}
		// HDD < SSD; sc1 < st1.
		st1, ok1 := get(r, "ebs.st1.storage")
		sc1, ok2 := get(r, "ebs.sc1.storage")
		gp2, ok3 := get(r, "ebs.gp2.storage")
		if ok1 && ok2 && ok3 && !(sc1.LessThan(st1) && st1.LessThan(gp2)) {
			t.Errorf("%s: want sc1 %s < st1 %s < gp2 %s", r, sc1, st1, gp2)
		}
		if ip, ok := get(r, "vpc.public_ipv4"); ok && !ip.Equal(d("0.005")) {
			t.Errorf("%s: public IPv4 %s != 0.005", r, ip)
		}
		// Storage prices are cents per GB-month, not dollars: catches a
		// misplaced decimal point.
		for _, item := range []string{"ebs.gp2.storage", "ebs.gp3.storage", "ebs.io1.storage",
			"ebs.io2.storage", "ebs.st1.storage", "ebs.sc1.storage", "ebs.standard.storage",
			"ebs.snapshot.standard", "ebs.snapshot.archive"} {
			if v, ok := get(r, item); ok && (v.LessThan(d("0.005")) || v.GreaterThan(d("0.3"))) {
				t.Errorf("%s %s: %s outside 0.005..0.3 per GB-month", r, item, v)
			}
		}
	}
}

func TestSnapshotKnownFigures(t *testing.T) {
	tab := mustSnapshot(t)
	for _, c := range []struct{ region, item, want string }{
		{"us-east-1", "ebs.gp2.storage", "0.10"},
		{"us-east-1", "ebs.gp3.storage", "0.08"},
		{"us-east-1", "ebs.gp3.iops", "0.005"},
		{"us-east-1", "ebs.gp3.throughput", "0.04"},
		{"us-east-1", "ebs.io1.storage", "0.125"},
		{"us-east-1", "ebs.io1.iops", "0.065"},
		{"us-east-1", "ebs.st1.storage", "0.045"},
		{"us-east-1", "ebs.sc1.storage", "0.015"},
		{"us-east-1", "ebs.snapshot.standard", "0.05"},
		{"us-east-1", "ebs.snapshot.archive", "0.0125"},
		{"us-east-2", "ebs.snapshot.standard", "0.05"},
		{"us-east-2", "ebs.snapshot.archive", "0.0125"},
		{"ap-south-1", "ebs.snapshot.standard", "0.05"},
		{"eu-west-3", "ebs.snapshot.standard", "0.053"},
		{"eu-central-1", "ebs.snapshot.standard", "0.054"},
		{"ap-southeast-2", "ebs.snapshot.standard", "0.055"},
		{"eu-west-1", "ebs.gp3.storage", "0.088"},
		{"eu-central-1", "ebs.gp2.storage", "0.119"},
		{"ap-northeast-1", "ebs.gp3.throughput", "0.048"},
		{"ap-northeast-1", "ebs.io2.iops.tier3", "0.03626"},
		{"sa-east-1", "ebs.gp2.storage", "0.19"},
	} {
		p, ok := tab.Lookup("aws", c.region, c.item)
		if !ok {
			t.Errorf("%s %s: missing", c.region, c.item)
			continue
		}
		if !p.Amount.Equal(d(c.want)) {
			t.Errorf("%s %s = %s, want %s", c.region, c.item, p.Amount, c.want)
		}
	}
}

// Derived rows must say so, and only the known kinds may be derived.
func TestSnapshotDerivedRowsAreMarked(t *testing.T) {
	tab := mustSnapshot(t)
	allowed := map[string]bool{"ebs.gp3.throughput": true, "ebs.snapshot.archive": true, "ebs.io2.storage": true,
		"natgw.data": true, "elb.nlb.hour": true, "elb.clb.hour": true, "rds.storage.gp2": true}
	n := 0
	for _, p := range tab.All() {
		if strings.HasPrefix(p.Ref, "derived:") {
			n++
			if !allowed[p.Item] {
				t.Errorf("%s %s is derived; only %v may be", p.Region, p.Item, allowed)
			}
		} else if strings.Contains(strings.ToLower(p.Ref), "derived") {
			t.Errorf("%s %s: ref mentions derivation but does not start with \"derived:\"", p.Region, p.Item)
		}
	}
	if n == 0 || n > 60 {
		t.Errorf("%d derived rows; expected a small, listed number", n)
	}
}
