package pricing

import (
	"strings"
	"testing"
)

// EC2, network and logs items. The EC2 families below were sourced for
// >= 10 of the major regions; the rest are us-east-1 only and listed in
// ec2USEast1Only, so a finding elsewhere is shown unpriced, never guessed.
var (
	ec2TenRegions = []string{
		"t2.micro", "t2.small", "t2.medium", "t2.large", "t2.xlarge",
		"t3.micro", "t3.small", "t3.medium", "t3.large", "t3.xlarge",
		"m4.large", "m4.xlarge", "m5.large", "m5.xlarge",
		"c4.large", "c4.xlarge", "c5.large", "c5.xlarge",
		"r4.large", "r4.xlarge", "r5.large", "r5.xlarge",
		// Pass prices6 (SkyPilot's AWS catalog): 13 major regions besides
		// Karpenter's us-east-1 row; t3a has no eu-north-1 rows in that catalog.
		"t3a.micro", "t3a.small", "t3a.medium", "t3a.large", "t3a.xlarge",
		"t4g.micro", "t4g.small", "t4g.medium", "t4g.large", "t4g.xlarge",
		"m6i.large", "m6i.xlarge", "m7i.large", "m7i.xlarge",
		"m6g.large", "m6g.xlarge", "m7g.large", "m7g.xlarge",
		"c6i.large", "c6i.xlarge", "c6g.large", "c6g.xlarge",
		"r6i.large", "r6i.xlarge", "r6g.large", "r6g.xlarge",
	}
	// Types priced in us-east-1 only (Karpenter table), shown unpriced
	// elsewhere. Empty since pass prices6 sourced the newer families for
	// 13 major regions; a new type without a regional source goes here.
	ec2USEast1Only = []string{}
	// Exception: sourced in fewer than 10 major regions, so findings in the
	// other regions stay unpriced. Each needs a us-east-1 row; the floors in
	// networkPartialRegions keep the regional rows that were found. Empty
	// since pass lb-derived: elb.nlb.hour (8 regions read) and elb.clb.hour
	// (9 read) reached 14 and 13 major regions with rows derived from the
	// same region's ALB hour (TestSnapshotLBHourRelations); an item without
	// a regional source goes here.
	networkUSEast1Only    = map[string]string{}
	networkPartialRegions = map[string]int{}
	// Sourced (read, or derived as listed in TestSnapshotDerivedRowsAreMarked)
	// for >= 10 of the major regions.
	networkTenRegions = map[string]string{"natgw.hour": UnitHour, "natgw.data": UnitGB,
		"elb.alb.hour": UnitHour, "elb.alb.lcu": UnitHour, "logs.storage": UnitGBMonth,
		"elb.nlb.hour": UnitHour, "elb.clb.hour": UnitHour}
	// Not in the snapshot at all (no source verified): findings are unpriced.
	// The RDS storage items (rds.storage.*, rds.iops.io1, rds.snapshot) left
	// this list in pass rds-storage: they are priced in a few regions and
	// tested in snapshot_rds_test.go (rdsStorageMinMajorRegions).
	knownMissing = []string{"elb.gwlb.hour", "rds.multi_az_factor"}
)

func TestSnapshotEC2Coverage(t *testing.T) {
	tab := mustSnapshot(t)
	for _, it := range ec2TenRegions {
		var missing []string
		n := 0
		for _, r := range majorRegions {
			if _, ok := tab.Lookup("aws", r, "ec2."+it); ok {
				n++
			} else {
				missing = append(missing, r)
			}
		}
		if n < 10 {
			t.Errorf("ec2.%s priced in %d major regions, want >= 10 (missing %v)", it, n, missing)
		}
	}
	for _, it := range ec2USEast1Only {
		if _, ok := tab.Lookup("aws", "us-east-1", "ec2."+it); !ok {
			t.Errorf("ec2.%s missing in us-east-1", it)
		}
	}
	for item, unit := range networkUSEast1Only {
		p, ok := tab.Lookup("aws", "us-east-1", item)
		if !ok {
			t.Errorf("%s missing in us-east-1", item)
			continue
		}
		if p.Unit != unit {
			t.Errorf("%s unit %q, want %q", item, p.Unit, unit)
		}
	}
	for item, floor := range networkPartialRegions {
		if _, ok := networkUSEast1Only[item]; !ok {
			t.Errorf("%s has a partial-coverage floor but is not in networkUSEast1Only", item)
		}
		n := 0
		for _, r := range majorRegions {
			if p, ok := tab.Lookup("aws", r, item); ok {
				n++
				if p.Unit != networkUSEast1Only[item] {
					t.Errorf("%s %s unit %q, want %q", r, item, p.Unit, networkUSEast1Only[item])
				}
			}
		}
		if n < floor {
			t.Errorf("%s priced in %d major regions, want >= %d", item, n, floor)
		}
		if n >= 10 {
			t.Errorf("%s priced in %d major regions: move it to networkTenRegions", item, n)
		}
	}
	for item, unit := range networkTenRegions {
		var missing []string
		for _, r := range majorRegions {
			p, ok := tab.Lookup("aws", r, item)
			if !ok {
				missing = append(missing, r)
			} else if p.Unit != unit {
				t.Errorf("%s %s unit %q, want %q", r, item, p.Unit, unit)
			}
		}
		if len(majorRegions)-len(missing) < 10 {
			t.Errorf("%s priced in %d major regions, want >= 10 (missing %v)", item, len(majorRegions)-len(missing), missing)
		}
	}
	for _, item := range knownMissing {
		for _, r := range regionsOf(tab) {
			if p, ok := tab.Lookup("aws", r, item); ok {
				t.Errorf("%s %s is now priced (%s): move it out of knownMissing and test it", r, item, p.Amount)
			}
		}
	}
}

func TestSnapshotEC2Invariants(t *testing.T) {
	tab := mustSnapshot(t)
	// c4 and t2 sizes are not exact doublings in the Price List itself (us-east-1
	// c4 0.100 / 0.199, t2.micro 0.0116 / t2.small 0.023; eu-west-1 t2.medium
	// 0.05 / t2.large 0.1008); nor are some regional c6g, m7g and t3a sizes in
	// SkyPilot's catalog (eu-west-1 c6g.large 0.073 / c6g.xlarge 0.1459;
	// ca-central-1, eu-central-1, eu-west-1, eu-west-2 m7g.xlarge, e.g. 0.091 /
	// 0.1819; t3a in ap-northeast-1, ap-south-1, ap-southeast-2, ca-central-1,
	// eu-west-2, eu-west-3, us-west-1, e.g. 0.0122 / 0.0245, at most 0.81% off).
	// Allow those within 2%. All other families are exact.
	inexactPairs := map[string]bool{"c4": true, "t2": true, "c6g": true, "m7g": true, "t3a": true}
	for _, p := range tab.All() {
		if !strings.HasPrefix(p.Item, "ec2.") {
			continue
		}
		k := Key(p.Provider, p.Region, p.Item)
		if p.Unit != UnitHour {
			t.Errorf("%s: unit %q, want Hrs", k, p.Unit)
		}
		// Hourly instance prices for these sizes are cents to dollars, never more.
		if p.Amount.LessThan(d("0.002")) || p.Amount.GreaterThan(d("1")) {
			t.Errorf("%s: %s outside 0.002..1 per hour", k, p.Amount)
		}
		typ := strings.TrimPrefix(p.Item, "ec2.")
		fam, size, _ := strings.Cut(typ, ".")
		double := map[string]string{"micro": "small", "small": "medium", "medium": "large", "large": "xlarge"}
		next, ok := double[size]
		if !ok {
			continue
		}
		q, ok := tab.Lookup("aws", p.Region, "ec2."+fam+"."+next)
		if !ok {
			continue
		}
		want := p.Amount.Mul(d("2"))
		if inexactPairs[fam] {
			if q.Amount.Sub(want).Abs().GreaterThan(want.Mul(d("0.02"))) {
				t.Errorf("%s %s.%s = %s, want within 2%% of 2 x %s.%s (%s)", p.Region, fam, next, q.Amount, fam, size, want)
			}
		} else if !q.Amount.Equal(want) {
			t.Errorf("%s %s.%s = %s, want 2 x %s.%s = %s", p.Region, fam, next, q.Amount, fam, size, want)
		}
	}
	for _, r := range regionsOf(tab) {
		// Previous generation costs more than its successor in every region
		// where both are priced; t3 < t2; Graviton < Intel same generation.
		for _, c := range [][2]string{
			{"m5.large", "m4.large"}, {"c5.large", "c4.large"}, {"r5.large", "r4.large"},
			{"t3.micro", "t2.micro"}, {"t3.large", "t2.large"}, {"t3a.large", "t3.large"},
			{"m6g.large", "m6i.large"}, {"c6g.large", "c6i.large"}, {"r6g.large", "r6i.large"},
			{"m7g.large", "m7i.large"}, {"t4g.micro", "t3.micro"}, {"t4g.large", "t3.large"},
			{"m6g.xlarge", "m6i.xlarge"}, {"c6g.xlarge", "c6i.xlarge"}, {"r6g.xlarge", "r6i.xlarge"},
			{"c5.large", "m5.large"}, {"m5.large", "r5.large"},
		} {
			lo, ok1 := tab.Lookup("aws", r, "ec2."+c[0])
			hi, ok2 := tab.Lookup("aws", r, "ec2."+c[1])
			if ok1 && ok2 && !lo.Amount.LessThan(hi.Amount) {
				t.Errorf("%s: %s %s not < %s %s", r, c[0], lo.Amount, c[1], hi.Amount)
			}
		}
		// Regional prices are never below the us-east-1 price, except that
		// ap-south-1 prices Graviton (c6g, m6g, m7g, r6g, t4g) and t3a below it
		// (c6g.large 0.0426 vs 0.068; ec2instances.info's rounded .043 agrees).
		belowOK := map[string]bool{"c6g": true, "m6g": true, "m7g": true, "r6g": true, "t4g": true, "t3a": true}
		for _, it := range ec2TenRegions {
			fam, _, _ := strings.Cut(it, ".")
			if r == "ap-south-1" && belowOK[fam] {
				continue
			}
			base, ok1 := tab.Lookup("aws", "us-east-1", "ec2."+it)
			p, ok2 := tab.Lookup("aws", r, "ec2."+it)
			if ok1 && ok2 && p.Amount.LessThan(base.Amount) {
				t.Errorf("%s ec2.%s %s below us-east-1 %s", r, it, p.Amount, base.Amount)
			}
		}
		if v, ok := tab.Lookup("aws", r, "natgw.hour"); ok && v.Amount.LessThan(d("0.045")) {
			t.Errorf("%s natgw.hour %s < 0.045", r, v.Amount)
		}
		if v, ok := tab.Lookup("aws", r, "logs.storage"); ok && (v.Amount.LessThan(d("0.02")) || v.Amount.GreaterThan(d("0.1"))) {
			t.Errorf("%s logs.storage %s outside 0.02..0.1 per GB-month", r, v.Amount)
		}
		for _, lb := range []string{"elb.alb.hour", "elb.nlb.hour", "elb.clb.hour", "elb.gwlb.hour"} {
			if v, ok := tab.Lookup("aws", r, lb); ok && (v.Amount.LessThan(d("0.01")) || v.Amount.GreaterThan(d("0.05"))) {
				t.Errorf("%s %s %s outside 0.01..0.05 per hour", r, lb, v.Amount)
			}
		}
	}
}

func TestSnapshotEC2KnownFigures(t *testing.T) {
	tab := mustSnapshot(t)
	for _, c := range []struct{ region, item, want string }{
		// us-east-1, research doc section 4.2 (Infracost goldens / outputs).
		{"us-east-1", "ec2.t3.micro", "0.0104"},
		{"us-east-1", "ec2.t3.medium", "0.0416"},
		{"us-east-1", "ec2.m5.large", "0.096"},
		{"us-east-1", "ec2.t2.medium", "0.0464"},
		{"us-east-1", "natgw.hour", "0.045"},
		{"us-east-1", "natgw.data", "0.045"},
		{"us-east-1", "elb.alb.hour", "0.0225"},
		{"us-east-1", "elb.clb.hour", "0.025"},
		{"us-east-1", "logs.storage", "0.03"},
		// Regional figures also quoted by independent public tables.
		{"eu-west-1", "ec2.m5.large", "0.107"},
		{"eu-west-2", "ec2.m5.large", "0.111"},
		{"us-west-1", "ec2.m5.large", "0.112"},
		{"us-west-2", "ec2.m5.large", "0.096"},
		{"ap-northeast-1", "ec2.t3.micro", "0.0136"},
		// ALB hour by region (2017-12-18 transcription of the ELB pricing page).
		{"eu-west-1", "elb.alb.hour", "0.0252"},
		{"eu-central-1", "elb.alb.hour", "0.027"},
		{"eu-west-2", "elb.alb.hour", "0.02646"},
		{"ca-central-1", "elb.alb.hour", "0.02475"},
		{"ap-northeast-1", "elb.alb.hour", "0.0243"},
		{"us-west-2", "elb.alb.hour", "0.0225"},
		{"ap-northeast-1", "elb.nlb.hour", "0.0243"},
		{"ap-northeast-1", "elb.alb.lcu", "0.008"},
		// Pass prices6, SkyPilot's AWS catalog (full-precision Price List figures).
		{"eu-west-1", "ec2.m6i.large", "0.107"},
		{"us-west-1", "ec2.r6i.xlarge", "0.28"},
		{"ap-southeast-2", "ec2.c6i.large", "0.111"},
		{"eu-central-1", "ec2.m7i.large", "0.12075"},
		{"ap-south-1", "ec2.m7i.large", "0.10605"},
		{"eu-west-2", "ec2.m6g.xlarge", "0.1776"},
		{"ap-southeast-1", "ec2.m7g.large", "0.102"},
		{"ca-central-1", "ec2.m7g.xlarge", "0.1819"},
		{"eu-west-1", "ec2.c6g.xlarge", "0.1459"},
		{"eu-north-1", "ec2.r6g.large", "0.107"},
		{"ap-south-1", "ec2.t4g.micro", "0.0056"},
		{"us-west-2", "ec2.t4g.medium", "0.0336"},
		{"ap-northeast-1", "ec2.t3a.small", "0.0245"},
		{"eu-west-3", "ec2.t3a.xlarge", "0.1699"},
		// Pass ec2-gaps, the same SkyPilot catalog: older families' regional gaps.
		{"us-west-2", "ec2.t3.micro", "0.0104"},
		{"us-west-2", "ec2.t2.medium", "0.0464"},
		{"us-west-2", "ec2.r4.large", "0.133"},
		{"us-west-2", "ec2.r5.xlarge", "0.252"},
		{"us-east-2", "ec2.c4.xlarge", "0.199"},
		{"us-east-2", "ec2.c5.large", "0.085"},
		// CloudWatch Logs storage by region (Duckbill table, as of 2025-04-30);
		// eu-west-2 also in an independent note quoting the London Price List.
		{"eu-west-2", "logs.storage", "0.0315"},
		{"eu-central-1", "logs.storage", "0.0324"},
		{"eu-north-1", "logs.storage", "0.028"},
		{"ap-northeast-1", "logs.storage", "0.033"},
		{"us-west-2", "logs.storage", "0.03"},
		{"sa-east-1", "logs.storage", "0.0408"},
		// Classic LB hour (legacy pricing-elb.min.js via agilestacks/korral;
		// us-west-1 also a Price List row effective 2023-08-01).
		{"eu-central-1", "elb.clb.hour", "0.03"},
		{"ap-south-1", "elb.clb.hour", "0.0266"},
		{"ap-northeast-1", "elb.clb.hour", "0.027"},
		{"us-west-1", "elb.clb.hour", "0.028"},
		// Single-region Price List quotes for ALB LCU-hours and NLB hours.
		{"eu-west-2", "elb.alb.lcu", "0.0084"},
		{"ca-central-1", "elb.alb.lcu", "0.0088"},
		{"eu-west-1", "elb.alb.lcu", "0.008"},
		{"eu-west-2", "elb.nlb.hour", "0.02646"},
		// Pass elb-prices2: regional cost notes quoting the AWS Price List.
		{"eu-west-3", "elb.alb.lcu", "0.0084"},
		{"us-east-2", "elb.alb.lcu", "0.008"},
		{"us-west-2", "elb.alb.lcu", "0.008"},
		{"eu-central-1", "elb.alb.lcu", "0.008"},
		{"ap-southeast-1", "elb.alb.lcu", "0.008"},
		{"ap-south-1", "elb.alb.lcu", "0.008"},
		{"eu-west-3", "elb.alb.hour", "0.02646"},
		{"ap-south-1", "elb.alb.hour", "0.0239"},
		{"eu-central-1", "elb.nlb.hour", "0.027"},
		{"eu-west-1", "elb.nlb.hour", "0.0252"},
		{"ap-south-1", "elb.nlb.hour", "0.0239"},
		{"ap-southeast-2", "elb.nlb.hour", "0.0252"},
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

func TestParseCSVAcceptsGBUnit(t *testing.T) {
	in := "provider,region,item,unit,price,currency,as_of,ref\naws,us-east-1,natgw.data,GB,0.045,USD,2026-12-02,some specific source ref\n"
	ps, err := ParseCSV("t.csv", strings.NewReader(in), SourceSnapshot)
	if err != nil || len(ps) != 1 || ps[0].Unit != UnitGB {
		t.Fatalf("GB unit: %v %+v", err, ps)
	}
	// Monthly() multiplies only hourly prices by 730: 100 GB x 0.045 = 4.50.
	if got := ps[0].Monthly(d("100")); !got.Equal(d("4.5")) {
		t.Errorf("100 GB at 0.045 = %s, want 4.5", got)
	}
	bad := strings.Replace(in, ",GB,", ",GiB,", 1)
	if _, err := ParseCSV("t.csv", strings.NewReader(bad), SourceSnapshot); err == nil {
		t.Error("unit GiB accepted")
	}
}

// Pass prices6 took the newer families' regional rows from SkyPilot's AWS
// catalog (skypilot-org/skypilot-catalog catalogs/v7/aws/vms.csv at commit
// 001367d2). Its figures for the same keys elsewhere are recorded here.
func TestSnapshotEC2SkyPilotCrossChecks(t *testing.T) {
	tab := mustSnapshot(t)
	const commit = "001367d22a0033fac286a8c71aeac7109e431bcb"
	// (1) The catalog's us-east-1 Price for all 26 types, as read; each must
	// equal the Karpenter row (2026-01-19) the snapshot keeps for us-east-1.
	useast1 := map[string]string{
		"t3a.micro": "0.0094", "t3a.small": "0.0188", "t3a.medium": "0.0376", "t3a.large": "0.0752", "t3a.xlarge": "0.1504",
		"t4g.micro": "0.0084", "t4g.small": "0.0168", "t4g.medium": "0.0336", "t4g.large": "0.0672", "t4g.xlarge": "0.1344",
		"m6i.large": "0.096", "m6i.xlarge": "0.192", "m7i.large": "0.1008", "m7i.xlarge": "0.2016",
		"m6g.large": "0.077", "m6g.xlarge": "0.154", "m7g.large": "0.0816", "m7g.xlarge": "0.1632",
		"c6i.large": "0.085", "c6i.xlarge": "0.17", "c6g.large": "0.068", "c6g.xlarge": "0.136",
		"r6i.large": "0.126", "r6i.xlarge": "0.252", "r6g.large": "0.1008", "r6g.xlarge": "0.2016",
	}
	for typ, want := range useast1 {
		p, ok := tab.Lookup("aws", "us-east-1", "ec2."+typ)
		if !ok {
			t.Errorf("us-east-1 ec2.%s missing", typ)
			continue
		}
		if !p.Amount.Equal(d(want)) || p.AsOf != "2026-01-19" || !strings.Contains(p.Ref, "Karpenter") {
			t.Errorf("us-east-1 ec2.%s = %s (%s, %.40q), want the Karpenter row equal to SkyPilot's %s", typ, p.Amount, p.AsOf, p.Ref, want)
		}
	}
	// (2) ec2instances.info's www/c6g.large.html (vantage-sh/ec2instances.info
	// commit 136b6119d544e5249b39256c1d2871af2952903a) shows Linux on-demand
	// rounded to 3 decimals; the full-precision rows must round to it.
	rounded := map[string]string{
		"us-east-1": "0.068", "us-east-2": "0.068", "us-west-1": "0.085", "us-west-2": "0.068",
		"ca-central-1": "0.074", "eu-west-1": "0.073", "eu-west-2": "0.081", "eu-west-3": "0.081",
		"eu-central-1": "0.078", "eu-north-1": "0.073", "ap-southeast-1": "0.078", "ap-southeast-2": "0.089",
		"ap-northeast-1": "0.086", "ap-south-1": "0.043",
	}
	for r, want := range rounded {
		p, ok := tab.Lookup("aws", r, "ec2.c6g.large")
		if !ok {
			t.Errorf("%s ec2.c6g.large missing", r)
			continue
		}
		if !p.Amount.Round(3).Equal(d(want)) {
			t.Errorf("%s ec2.c6g.large %s does not round to ec2instances.info's %s", r, p.Amount, want)
		}
	}
	// (3) The catalog has no t3a rows for eu-north-1: unpriced, not guessed.
	for _, typ := range []string{"t3a.micro", "t3a.small", "t3a.medium", "t3a.large", "t3a.xlarge"} {
		if p, ok := tab.Lookup("aws", "eu-north-1", "ec2."+typ); ok {
			t.Errorf("eu-north-1 ec2.%s is priced (%s) but the source has no such row", typ, p.Amount)
		}
	}
	// (4) Every SkyPilot row is undated (as_of = date read) and none is in us-east-1.
	n := 0
	for _, p := range tab.All() {
		if !strings.Contains(p.Ref, commit) {
			continue
		}
		n++
		if p.AsOf != "2026-12-02" || p.Region == "us-east-1" || !strings.HasPrefix(p.Item, "ec2.") {
			t.Errorf("%s %s: as_of %s; want 2026-12-02, an ec2 item, not us-east-1", p.Region, p.Item, p.AsOf)
		}
	}
	// 333 from pass prices6 (26 types x 13 regions, less t3a x eu-north-1)
	// plus 18 from pass ec2-gaps.
	if n != 351 {
		t.Errorf("%d SkyPilot rows, want 351 (333 prices6 + 18 ec2-gaps)", n)
	}
}

// Pass ec2-gaps filled the older families' gaps from the same SkyPilot
// catalog (catalogs/v7/aws/vms.csv at commit 001367d2). For each type used,
// the catalog's Price in every major region read is recorded below as read
// (all availability-zone rows of a region equal). The gap region must be the
// SkyPilot row with that figure; every other region must already be priced
// from another source (Karpenter for us-east-1, kube-resource-report
// elsewhere) with exactly the same figure.
func TestSnapshotEC2SkyPilotGapCrossChecks(t *testing.T) {
	tab := mustSnapshot(t)
	const commit = "001367d22a0033fac286a8c71aeac7109e431bcb"
	type read struct {
		gap string            // region the row was added for
		fig map[string]string // region -> SkyPilot Price, as read
	}
	cases := map[string]read{
		"t2.micro": {"us-west-2", map[string]string{"us-west-2": "0.0116",
			"ap-northeast-1": "0.0152", "ap-south-1": "0.0124", "ap-southeast-1": "0.0146", "ap-southeast-2": "0.0146",
			"ca-central-1": "0.0128", "eu-central-1": "0.0134", "eu-west-1": "0.0126", "eu-west-2": "0.0132",
			"eu-west-3": "0.0132", "us-east-1": "0.0116", "us-east-2": "0.0116", "us-west-1": "0.0138"}},
		"t2.small": {"us-west-2", map[string]string{"us-west-2": "0.023",
			"ap-northeast-1": "0.0304", "ap-south-1": "0.0248", "ap-southeast-1": "0.0292", "ap-southeast-2": "0.0292",
			"ca-central-1": "0.0256", "eu-central-1": "0.0268", "eu-west-1": "0.025", "eu-west-2": "0.026",
			"eu-west-3": "0.0264", "us-east-1": "0.023", "us-east-2": "0.023", "us-west-1": "0.0276"}},
		"t2.medium": {"us-west-2", map[string]string{"us-west-2": "0.0464",
			"ap-northeast-1": "0.0608", "ap-south-1": "0.0496", "ap-southeast-1": "0.0584", "ap-southeast-2": "0.0584",
			"ca-central-1": "0.0512", "eu-central-1": "0.0536", "eu-west-1": "0.05", "eu-west-2": "0.052",
			"eu-west-3": "0.0528", "us-east-1": "0.0464", "us-east-2": "0.0464", "us-west-1": "0.0552"}},
		"t2.large": {"us-west-2", map[string]string{"us-west-2": "0.0928",
			"ap-northeast-1": "0.1216", "ap-south-1": "0.0992", "ap-southeast-1": "0.1168", "ap-southeast-2": "0.1168",
			"ca-central-1": "0.1024", "eu-central-1": "0.1072", "eu-west-1": "0.1008", "eu-west-2": "0.1056",
			"eu-west-3": "0.1056", "us-east-1": "0.0928", "us-east-2": "0.0928", "us-west-1": "0.1104"}},
		"t2.xlarge": {"us-west-2", map[string]string{"us-west-2": "0.1856",
			"ap-northeast-1": "0.2432", "ap-south-1": "0.1984", "ap-southeast-1": "0.2336", "ap-southeast-2": "0.2336",
			"ca-central-1": "0.2048", "eu-central-1": "0.2144", "eu-west-1": "0.2016", "eu-west-2": "0.2112",
			"eu-west-3": "0.2112", "us-east-1": "0.1856", "us-east-2": "0.1856", "us-west-1": "0.2208"}},
		"t3.micro": {"us-west-2", map[string]string{"us-west-2": "0.0104",
			"ap-northeast-1": "0.0136", "ap-south-1": "0.0112", "ap-southeast-1": "0.0132", "ap-southeast-2": "0.0132",
			"ca-central-1": "0.0116", "eu-central-1": "0.012", "eu-north-1": "0.0108", "eu-west-1": "0.0114",
			"eu-west-2": "0.0118", "eu-west-3": "0.0118", "us-east-1": "0.0104", "us-east-2": "0.0104", "us-west-1": "0.0124"}},
		"t3.small": {"us-west-2", map[string]string{"us-west-2": "0.0208",
			"ap-northeast-1": "0.0272", "ap-south-1": "0.0224", "ap-southeast-1": "0.0264", "ap-southeast-2": "0.0264",
			"ca-central-1": "0.0232", "eu-central-1": "0.024", "eu-north-1": "0.0216", "eu-west-1": "0.0228",
			"eu-west-2": "0.0236", "eu-west-3": "0.0236", "us-east-1": "0.0208", "us-east-2": "0.0208", "us-west-1": "0.0248"}},
		"t3.medium": {"us-west-2", map[string]string{"us-west-2": "0.0416",
			"ap-northeast-1": "0.0544", "ap-south-1": "0.0448", "ap-southeast-1": "0.0528", "ap-southeast-2": "0.0528",
			"ca-central-1": "0.0464", "eu-central-1": "0.048", "eu-north-1": "0.0432", "eu-west-1": "0.0456",
			"eu-west-2": "0.0472", "eu-west-3": "0.0472", "us-east-1": "0.0416", "us-east-2": "0.0416", "us-west-1": "0.0496"}},
		"t3.large": {"us-west-2", map[string]string{"us-west-2": "0.0832",
			"ap-northeast-1": "0.1088", "ap-south-1": "0.0896", "ap-southeast-1": "0.1056", "ap-southeast-2": "0.1056",
			"ca-central-1": "0.0928", "eu-central-1": "0.096", "eu-north-1": "0.0864", "eu-west-1": "0.0912",
			"eu-west-2": "0.0944", "eu-west-3": "0.0944", "us-east-1": "0.0832", "us-east-2": "0.0832", "us-west-1": "0.0992"}},
		"t3.xlarge": {"us-west-2", map[string]string{"us-west-2": "0.1664",
			"ap-northeast-1": "0.2176", "ap-south-1": "0.1792", "ap-southeast-1": "0.2112", "ap-southeast-2": "0.2112",
			"ca-central-1": "0.1856", "eu-central-1": "0.192", "eu-north-1": "0.1728", "eu-west-1": "0.1824",
			"eu-west-2": "0.1888", "eu-west-3": "0.1888", "us-east-1": "0.1664", "us-east-2": "0.1664", "us-west-1": "0.1984"}},
		"r4.large": {"us-west-2", map[string]string{"us-west-2": "0.133",
			"ap-northeast-1": "0.16", "ap-south-1": "0.137", "ap-southeast-1": "0.16", "ap-southeast-2": "0.1596",
			"ca-central-1": "0.146", "eu-central-1": "0.16005", "eu-west-1": "0.1482", "eu-west-2": "0.156",
			"eu-west-3": "0.156", "us-east-1": "0.133", "us-east-2": "0.133", "us-west-1": "0.1482"}},
		"r4.xlarge": {"us-west-2", map[string]string{"us-west-2": "0.266",
			"ap-northeast-1": "0.32", "ap-south-1": "0.274", "ap-southeast-1": "0.32", "ap-southeast-2": "0.3192",
			"ca-central-1": "0.292", "eu-central-1": "0.3201", "eu-west-1": "0.2964", "eu-west-2": "0.312",
			"eu-west-3": "0.312", "us-east-1": "0.266", "us-east-2": "0.266", "us-west-1": "0.2964"}},
		"r5.large": {"us-west-2", map[string]string{"us-west-2": "0.126",
			"ap-northeast-1": "0.152", "ap-south-1": "0.13", "ap-southeast-1": "0.152", "ap-southeast-2": "0.151",
			"ca-central-1": "0.138", "eu-central-1": "0.152", "eu-north-1": "0.134", "eu-west-1": "0.141",
			"eu-west-2": "0.148", "eu-west-3": "0.148", "us-east-1": "0.126", "us-east-2": "0.126", "us-west-1": "0.14"}},
		"r5.xlarge": {"us-west-2", map[string]string{"us-west-2": "0.252",
			"ap-northeast-1": "0.304", "ap-south-1": "0.26", "ap-southeast-1": "0.304", "ap-southeast-2": "0.302",
			"ca-central-1": "0.276", "eu-central-1": "0.304", "eu-north-1": "0.268", "eu-west-1": "0.282",
			"eu-west-2": "0.296", "eu-west-3": "0.296", "us-east-1": "0.252", "us-east-2": "0.252", "us-west-1": "0.28"}},
		"c4.large": {"us-east-2", map[string]string{"us-east-2": "0.1",
			"ap-northeast-1": "0.126", "ap-south-1": "0.1", "ap-southeast-1": "0.115", "ap-southeast-2": "0.13",
			"ca-central-1": "0.11", "eu-central-1": "0.114", "eu-west-1": "0.113", "eu-west-2": "0.119",
			"us-east-1": "0.1", "us-west-1": "0.124", "us-west-2": "0.1"}},
		"c4.xlarge": {"us-east-2", map[string]string{"us-east-2": "0.199",
			"ap-northeast-1": "0.252", "ap-south-1": "0.2", "ap-southeast-1": "0.231", "ap-southeast-2": "0.261",
			"ca-central-1": "0.218", "eu-central-1": "0.227", "eu-west-1": "0.226", "eu-west-2": "0.237",
			"us-east-1": "0.199", "us-west-1": "0.249", "us-west-2": "0.199"}},
		"c5.large": {"us-east-2", map[string]string{"us-east-2": "0.085",
			"ap-northeast-1": "0.107", "ap-south-1": "0.085", "ap-southeast-1": "0.098", "ap-southeast-2": "0.111",
			"ca-central-1": "0.093", "eu-central-1": "0.097", "eu-north-1": "0.091", "eu-west-1": "0.096",
			"eu-west-2": "0.101", "eu-west-3": "0.101", "us-east-1": "0.085", "us-west-1": "0.106", "us-west-2": "0.085"}},
		"c5.xlarge": {"us-east-2", map[string]string{"us-east-2": "0.17",
			"ap-northeast-1": "0.214", "ap-south-1": "0.17", "ap-southeast-1": "0.196", "ap-southeast-2": "0.222",
			"ca-central-1": "0.186", "eu-central-1": "0.194", "eu-north-1": "0.182", "eu-west-1": "0.192",
			"eu-west-2": "0.202", "eu-west-3": "0.202", "us-east-1": "0.17", "us-west-1": "0.212", "us-west-2": "0.17"}},
	}
	if len(cases) != 18 {
		t.Fatalf("%d types recorded, want 18", len(cases))
	}
	for typ, c := range cases {
		item := "ec2." + typ
		want, ok := c.fig[c.gap]
		if !ok {
			t.Errorf("%s: no figure recorded for the gap region %s", typ, c.gap)
			continue
		}
		p, ok := tab.Lookup("aws", c.gap, item)
		if !ok {
			t.Errorf("%s %s missing", c.gap, item)
		} else if !p.Amount.Equal(d(want)) || p.AsOf != "2026-12-02" || !strings.Contains(p.Ref, commit) {
			t.Errorf("%s %s = %s (%s), want the SkyPilot row %s", c.gap, item, p.Amount, p.AsOf, want)
		}
		n := 0
		for r, fig := range c.fig {
			if r == c.gap {
				continue
			}
			q, ok := tab.Lookup("aws", r, item)
			if !ok {
				t.Errorf("%s %s: SkyPilot has %s but the snapshot has no row to compare", r, item, fig)
				continue
			}
			if strings.Contains(q.Ref, commit) {
				t.Errorf("%s %s: compared row is itself from SkyPilot, not an independent source", r, item)
				continue
			}
			if !q.Amount.Equal(d(fig)) {
				t.Errorf("%s %s: SkyPilot %s != snapshot %s (%.40q)", r, item, fig, q.Amount, q.Ref)
				continue
			}
			n++
		}
		if n < 2 {
			t.Errorf("%s: %d independent cross-checks, want >= 2", typ, n)
		}
	}
	// Types the catalog has no rows for in these major regions (the block of
	// each type lists its regions in order and skips them): not offered there,
	// so they stay unpriced.
	absent := map[string][]string{
		"eu-north-1": {"t2.micro", "t2.small", "t2.medium", "t2.large", "t2.xlarge",
			"r4.large", "r4.xlarge", "m4.large", "m4.xlarge", "c4.large", "c4.xlarge",
			"t3a.micro", "t3a.small", "t3a.medium", "t3a.large", "t3a.xlarge"},
		"eu-west-3": {"c4.large", "c4.xlarge", "m4.large", "m4.xlarge"},
	}
	for r, typs := range absent {
		for _, typ := range typs {
			if p, ok := tab.Lookup("aws", r, "ec2."+typ); ok {
				t.Errorf("%s ec2.%s is priced (%s) but the source has no such row", r, typ, p.Amount)
			}
		}
	}
}

// The relations the derived load-balancer rows rest on (pass lb-derived):
// wherever both figures were read from a source, the NLB hour equals the
// ALB hour, and the ALB hour is 90% of the Classic LB hour (AWS rounds to
// four decimals: ap-south-1 0.0266 × 0.9 = 0.02394, published 0.0239). A
// read row that breaks either relation fails here, and so does a derived
// row whose figure is not its formula.
func TestSnapshotLBHourRelations(t *testing.T) {
	tab := mustSnapshot(t)
	derived := func(p Price) bool { return strings.HasPrefix(p.Ref, "derived:") }
	readNLB, readCLB := 0, 0
	regions := map[string]bool{}
	for _, p := range tab.All() {
		if p.Provider == "aws" {
			regions[p.Region] = true
		}
	}
	for r := range regions {
		alb, okA := tab.Lookup("aws", r, "elb.alb.hour")
		nlb, okN := tab.Lookup("aws", r, "elb.nlb.hour")
		clb, okC := tab.Lookup("aws", r, "elb.clb.hour")
		if okN && derived(nlb) && (!okA || derived(alb) || !nlb.Amount.Equal(alb.Amount)) {
			t.Errorf("%s: derived elb.nlb.hour %s is not the read ALB hour", r, nlb.Amount)
		}
		if okC && derived(clb) && (!okA || derived(alb) || !clb.Amount.Mul(d("0.9")).Equal(alb.Amount)) {
			t.Errorf("%s: derived elb.clb.hour %s is not the read ALB hour / 0.9", r, clb.Amount)
		}
		if okA && okN && !derived(alb) && !derived(nlb) {
			readNLB++
			if !nlb.Amount.Equal(alb.Amount) {
				t.Errorf("%s: read elb.nlb.hour %s != elb.alb.hour %s", r, nlb.Amount, alb.Amount)
			}
		}
		if okA && okC && !derived(alb) && !derived(clb) {
			readCLB++
			if diff := clb.Amount.Mul(d("0.9")).Sub(alb.Amount).Abs(); diff.GreaterThan(d("0.00005")) {
				t.Errorf("%s: read elb.alb.hour %s is not 0.9 × elb.clb.hour %s", r, alb.Amount, clb.Amount)
			}
		}
	}
	// The CSV comment quotes these counts.
	if readNLB < 8 || readCLB < 10 {
		t.Errorf("relations checked on %d NLB and %d CLB regions read, want >= 8 and >= 10", readNLB, readCLB)
	}
}
