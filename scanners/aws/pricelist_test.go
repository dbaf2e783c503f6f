package aws

import (
	"context"
	"errors"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/pricing"

	"github.com/ghostaudit/ghostaudit/scanners"
	"github.com/ghostaudit/ghostaudit/scanners/aws/awssim"
	"github.com/ghostaudit/ghostaudit/scanners/estate"
)

// priceSim serves the estate (its price_list, or the default table) and
// returns the simulator and a fetch config pointing at it.
func priceSim(t *testing.T, estateYAML string) (*awssim.Sim, PriceListConfig) {
	t.Helper()
	if estateYAML == "" {
		estateYAML = "aws:\n  accounts:\n    - id: \"111111111111\"\n"
	}
	est, err := estate.Parse(t.Name()+".yaml", []byte(estateYAML))
	if err != nil {
		t.Fatal(err)
	}
	awsEst, ok, err := awssim.Load(est)
	if err != nil || !ok {
		t.Fatalf("awssim.Load: %v %v", ok, err)
	}
	sim := awssim.New(awsEst, awssim.Options{Now: func() time.Time { return testNow }})
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	return sim, PriceListConfig{
		EndpointURL: srv.URL,
		Credentials: credentials.NewStaticCredentialsProvider(awssim.AccessKeyID, awssim.SecretAccessKey, ""),
		MaxBackoff:  time.Millisecond,
	}
}

func fetchOK(t *testing.T, cfg PriceListConfig, qs ...PriceQuery) map[string]ListPrice {
	t.Helper()
	prices, errs := FetchPrices(context.Background(), cfg, qs)
	for _, err := range errs {
		t.Errorf("fetch: %v", err)
	}
	out := map[string]ListPrice{}
	for _, p := range prices {
		out[p.Item+"@"+p.Region] = p
	}
	return out
}

// The default table holds, for m5.large, Windows, Dedicated, SQL Server,
// RHEL and capacity-reservation SKUs and a Reserved term besides the
// Linux shared on-demand price: only the latter is taken.
func TestFetchPricesEC2AmongDecoys(t *testing.T) {
	t.Parallel()
	sim, cfg := priceSim(t, "")
	got := fetchOK(t, cfg, PriceQuery{"ec2.m5.large", "us-east-1"}, PriceQuery{"ec2.m5.large", "eu-west-2"},
		PriceQuery{"ec2.m5.large", "us-east-1"}) // a duplicate, asked once
	p := got["ec2.m5.large@us-east-1"]
	if p.Amount != "0.096" || p.Unit != "Hrs" || p.Currency != "USD" || p.UsageType != "BoxUsage:m5.large" || p.EffectiveDate != "2026-11-01" || p.SKU == "" {
		t.Errorf("us-east-1: %+v", p)
	}
	if p := got["ec2.m5.large@eu-west-2"]; p.Amount != "0.111" || p.UsageType != "EUW2-BoxUsage:m5.large" {
		t.Errorf("eu-west-2: %+v", p)
	}
	reqs := sim.Requests()
	if len(reqs) != 2 {
		t.Errorf("%d requests, want 2 (the duplicate query is asked once)", len(reqs))
	}
	for _, r := range reqs {
		if r.Service != "pricing" || r.Action != "GetProducts" || r.Region != "us-east-1" || r.Status != 200 {
			t.Errorf("request %+v: want pricing GetProducts signed for us-east-1", r)
		}
	}
}

func TestFetchPricesEBSUnitsAndRegionPrefix(t *testing.T) {
	t.Parallel()
	_, cfg := priceSim(t, "")
	got := fetchOK(t, cfg,
		PriceQuery{"ebs.gp3.storage", "us-east-1"}, PriceQuery{"ebs.gp3.throughput", "us-east-1"},
		PriceQuery{"ebs.gp3.throughput", "eu-west-2"}, PriceQuery{"ebs.gp3.iops", "eu-west-2"},
		PriceQuery{"ebs.io2.iops", "us-east-1"}, PriceQuery{"ebs.io2.iops.tier2", "eu-west-2"},
		PriceQuery{"ebs.standard.storage", "eu-west-2"}, PriceQuery{"ebs.snapshot.archive", "eu-west-2"},
		PriceQuery{"natgw.hour", "eu-west-2"}, PriceQuery{"natgw.data", "us-east-1"}, PriceQuery{"vpc.public_ipv4", "eu-west-2"},
		PriceQuery{"elb.alb.lcu", "us-east-1"}, PriceQuery{"logs.storage", "eu-west-2"},
		PriceQuery{"rds.mysql.db.t3.micro", "us-east-1"}, PriceQuery{"rds.storage.gp2", "us-east-1"}, PriceQuery{"rds.snapshot", "eu-west-2"})
	want := map[string][3]string{ // amount, unit, usage type
		"ebs.gp3.storage@us-east-1":       {"0.08", "GB-Mo", "EBS:VolumeUsage.gp3"},
		"ebs.gp3.throughput@us-east-1":    {"0.04", "MiBps-Mo", "EBS:VolumeP-Throughput.gp3"}, // 40.96 GiBps-mo / 1024
		"ebs.gp3.throughput@eu-west-2":    {"0.0464", "MiBps-Mo", "EUW2-EBS:VolumeP-Throughput.gp3"},
		"ebs.gp3.iops@eu-west-2":          {"0.0058", "IOPS-Mo", "EUW2-EBS:VolumeP-IOPS.gp3"},
		"ebs.io2.iops@us-east-1":          {"0.065", "IOPS-Mo", "EBS:VolumeP-IOPS.io2"}, // not .tier2/.tier3
		"ebs.io2.iops.tier2@eu-west-2":    {"0.0532", "IOPS-Mo", "EUW2-EBS:VolumeP-IOPS.io2.tier2"},
		"ebs.standard.storage@eu-west-2":  {"0.058", "GB-Mo", "EUW2-EBS:VolumeUsage"},
		"ebs.snapshot.archive@eu-west-2":  {"0.01325", "GB-Mo", "EUW2-EBS:SnapshotArchiveStorage"},
		"natgw.hour@eu-west-2":            {"0.05", "Hrs", "EUW2-NatGateway-Hours"}, // not RegionalNatGateway-Hours
		"natgw.data@us-east-1":            {"0.045", "GB", "NatGateway-Bytes"},
		"vpc.public_ipv4@eu-west-2":       {"0.005", "Hrs", "EUW2-PublicIPv4:IdleAddress"},
		"elb.alb.lcu@us-east-1":           {"0.008", "Hrs", "LCUUsage"},
		"logs.storage@eu-west-2":          {"0.0315", "GB-Mo", "EUW2-TimedStorage-ByteHrs"},
		"rds.mysql.db.t3.micro@us-east-1": {"0.017", "Hrs", "InstanceUsage:db.t3.micro"},
		"rds.storage.gp2@us-east-1":       {"0.115", "GB-Mo", "RDS:GP2-Storage"},
		"rds.snapshot@eu-west-2":          {"0.095", "GB-Mo", "EUW2-RDS:ChargedBackupUsage"},
	}
	for k, w := range want {
		p, ok := got[k]
		if !ok {
			t.Errorf("%s: no price", k)
			continue
		}
		if p.Amount != w[0] || p.Unit != w[1] || p.UsageType != w[2] {
			t.Errorf("%s = %s %s (%s), want %s %s (%s)", k, p.Amount, p.Unit, p.UsageType, w[0], w[1], w[2])
		}
	}
	if n := got["ebs.gp3.throughput@us-east-1"].Note; !strings.Contains(n, "1024") {
		t.Errorf("throughput note %q does not say the unit was converted", n)
	}
}

const ambiguousEstate = `
aws:
  accounts:
    - id: "111111111111"
  price_list:
    - {service_code: AmazonEC2, product_family: NAT Gateway, unit: Hrs, usd: "0.045", attributes: {regionCode: us-east-1, usagetype: NatGateway-Hours}}
    - {service_code: AmazonEC2, product_family: NAT Gateway, unit: Hrs, usd: "0.048", attributes: {regionCode: us-east-1, usagetype: NatGateway-Hours, operation: NatGatewayV2}}
    - {service_code: AmazonEC2, product_family: Compute Instance, unit: Hrs, usd: "0.1", attributes: {regionCode: us-east-1, usagetype: BoxUsage:m5.large, instanceType: m5.large, tenancy: Dedicated, operatingSystem: Linux, preInstalledSw: NA, licenseModel: No License required, capacitystatus: Used, operation: RunInstances}}
    - {service_code: AmazonEC2, product_family: Provisioned Throughput, unit: MBps-Mo, usd: "0.04", attributes: {regionCode: us-east-1, usagetype: EBS:VolumeP-Throughput.gp3, volumeApiName: gp3}}
`

func TestFetchPricesRefusesToGuess(t *testing.T) {
	t.Parallel()
	_, cfg := priceSim(t, ambiguousEstate)
	prices, errs := FetchPrices(context.Background(), cfg, []PriceQuery{
		{"natgw.hour", "us-east-1"},         // two candidates
		{"ec2.m5.large", "us-east-1"},       // only a Dedicated SKU
		{"ebs.gp3.throughput", "us-east-1"}, // an unknown unit
		{"rds.oracle-ee.db.m5.large", "us-east-1"},
		{"ebs.gp3.storage", "us-east-1"}, // not in this table
	})
	if len(prices) != 0 {
		t.Errorf("prices %+v, want none", prices)
	}
	byItem := map[string]error{}
	for _, err := range errs {
		for _, item := range []string{"natgw.hour", "ec2.m5.large", "ebs.gp3.throughput", "rds.oracle-ee", "ebs.gp3.storage"} {
			if strings.Contains(err.Error(), "price "+item) {
				byItem[item] = err
			}
		}
	}
	for item, want := range map[string]error{"natgw.hour": ErrPriceAmbiguous, "ec2.m5.large": ErrPriceNotFound,
		"rds.oracle-ee": ErrPriceUnsupported, "ebs.gp3.storage": ErrPriceNotFound} {
		if !errors.Is(byItem[item], want) {
			t.Errorf("%s: error %v, want %v", item, byItem[item], want)
		}
	}
	if err := byItem["ebs.gp3.throughput"]; err == nil || !strings.Contains(err.Error(), `unit "MBps-Mo"`) {
		t.Errorf("throughput: %v", err)
	}
	if err := byItem["natgw.hour"]; err == nil || !strings.Contains(err.Error(), "0.045") || !strings.Contains(err.Error(), "0.048") {
		t.Errorf("the ambiguity error should list both candidates: %v", err)
	}
}

func TestFetchPricesPaging(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	b.WriteString("aws:\n  accounts:\n    - id: \"111111111111\"\n  price_list:\n")
	// 7 snapshot-family products, one of which is the one wanted.
	for _, u := range []string{"EBS:SnapshotUsage", "EBS:SnapshotArchiveStorage", "EBS:SnapshotArchiveRetrieval", "EBS:FastSnapshotRestore",
		"EBS:SnapshotUsageUnderBilling", "EBS:SnapshotOutpostUsage", "EBS:SnapshotAPIUnits"} {
		b.WriteString(`    - {service_code: AmazonEC2, product_family: Storage Snapshot, unit: GB-Mo, usd: "0.05", attributes: {regionCode: us-east-1, usagetype: "` + u + `"}}` + "\n")
	}
	sim, cfg := priceSim(t, b.String())
	cfg.PageSize = 2
	got := fetchOK(t, cfg, PriceQuery{"ebs.snapshot.standard", "us-east-1"})
	if p := got["ebs.snapshot.standard@us-east-1"]; p.Amount != "0.05" || p.UsageType != "EBS:SnapshotUsage" {
		t.Errorf("got %+v", p)
	}
	if n := len(sim.Requests()); n != 4 {
		t.Errorf("%d pages requested, want 4 (7 products, 2 per page)", n)
	}
	cfg.MaxPages = 2
	if _, errs := FetchPrices(context.Background(), cfg, []PriceQuery{{"ebs.snapshot.standard", "us-east-1"}}); len(errs) != 1 || !strings.Contains(errs[0].Error(), "more than 2 pages") {
		t.Errorf("page cap: %v", errs)
	}
}

func TestFetchPricesFaults(t *testing.T) {
	t.Parallel()
	_, cfg := priceSim(t, `
aws:
  accounts:
    - id: "111111111111"
      faults: {deny: [GetProducts]}
`)
	_, errs := FetchPrices(context.Background(), cfg, []PriceQuery{{"natgw.hour", "us-east-1"}})
	if len(errs) != 1 || !strings.Contains(errs[0].Error(), "AccessDeniedException") {
		t.Errorf("deny: %v", errs)
	}
	_, cfg = priceSim(t, `
aws:
  accounts:
    - id: "111111111111"
      faults: {throttle: {GetProducts: 2}}
`)
	got := fetchOK(t, cfg, PriceQuery{"natgw.hour", "us-east-1"})
	if got["natgw.hour@us-east-1"].Amount != "0.045" {
		t.Errorf("after throttling: %+v", got)
	}
}

// The price fetch's guard lets only the Price List reads through; any
// other operation of the client is refused before it is sent.
func TestPriceListGuardRefusesOtherCalls(t *testing.T) {
	t.Parallel()
	sim, cfg := priceSim(t, "")
	client, err := newPriceListClient(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	_, err = client.ListPriceLists(context.Background(), &pricing.ListPriceListsInput{})
	if !errors.Is(err, scanners.ErrReadOnly) {
		t.Errorf("ListPriceLists: %v, want ErrReadOnly", err)
	}
	_, err = client.GetPriceListFileUrl(context.Background(), &pricing.GetPriceListFileUrlInput{})
	if !errors.Is(err, scanners.ErrReadOnly) {
		t.Errorf("GetPriceListFileUrl: %v, want ErrReadOnly", err)
	}
	if n := len(sim.Requests()); n != 0 {
		t.Errorf("the simulator received %d request(s)", n)
	}
	// The scanner's own allow-list does not grow a pricing action.
	for _, a := range IAMActions() {
		if strings.HasPrefix(a, "pricing:") {
			t.Errorf("scanner allow-list has %s", a)
		}
	}
	if _, err := newPriceListClient(context.Background(), PriceListConfig{Region: "eu-west-1"}); err == nil {
		t.Error("a region without the Price List API was accepted")
	}
}

func TestPriceCache(t *testing.T) {
	t.Parallel()
	sim, cfg := priceSim(t, "")
	dir := t.TempDir()
	now := testNow
	cache := &PriceCache{Dir: dir, Now: func() time.Time { return now }}
	qs := []PriceQuery{{"ebs.gp3.storage", "us-east-1"}, {"natgw.hour", "eu-west-2"}}

	got, errs := FetchPricesCached(context.Background(), cfg, cache, qs)
	if len(errs) != 0 || len(got) != 2 || got[0].FromCache || got[0].Amount != "0.08" {
		t.Fatalf("miss: %+v %v", got, errs)
	}
	if n := len(sim.Requests()); n != 2 {
		t.Fatalf("%d requests on a cold cache, want 2", n)
	}
	// Hit: nothing sent.
	now = testNow.Add(6 * 24 * time.Hour)
	got, errs = FetchPricesCached(context.Background(), cfg, cache, qs)
	if len(errs) != 0 || len(got) != 2 || !got[0].FromCache || !got[0].FetchedAt.Equal(testNow) || got[1].Amount != "0.05" {
		t.Fatalf("hit: %+v %v", got, errs)
	}
	if n := len(sim.Requests()); n != 2 {
		t.Fatalf("%d requests after a cache hit, want still 2", n)
	}
	// Expiry: older than 7 days is refetched and rewritten.
	now = testNow.Add(8 * 24 * time.Hour)
	got, errs = FetchPricesCached(context.Background(), cfg, cache, qs[:1])
	if len(errs) != 0 || len(got) != 1 || got[0].FromCache || !got[0].FetchedAt.Equal(now) {
		t.Fatalf("expired: %+v %v", got, errs)
	}
	if n := len(sim.Requests()); n != 3 {
		t.Fatalf("%d requests after expiry, want 3", n)
	}
	if _, at, ok, err := cache.Get(qs[0]); !ok || err != nil || !at.Equal(now) {
		t.Errorf("rewritten entry: %v %v %v", at, ok, err)
	}
	// No temporary file is left behind.
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".tmp-") {
			t.Errorf("leftover %s", e.Name())
		}
	}
	// Corrupt file: an error naming it, no price, no fetch.
	file := filepath.Join(dir, "eu-west-2@natgw.hour.json")
	if err := os.WriteFile(file, []byte(`{"version":1,"fetched_at":"2026-12-01T00:00:00Z","price":{"item":"natgw.hour"`), 0o644); err != nil {
		t.Fatal(err)
	}
	got, errs = FetchPricesCached(context.Background(), cfg, cache, qs[1:])
	if len(got) != 0 || len(errs) != 1 || !strings.Contains(errs[0].Error(), file) || !strings.Contains(errs[0].Error(), "corrupt") {
		t.Fatalf("corrupt: %+v %v", got, errs)
	}
	if err := os.WriteFile(file, []byte(`{"version":1,"fetched_at":"2026-12-01T00:00:00Z","price":{"item":"natgw.hour","region":"eu-west-2","unit":"Hrs","currency":"USD","amount":""}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := cache.Get(qs[1]); err == nil || !strings.Contains(err.Error(), file) {
		t.Errorf("empty amount: %v", err)
	}
	if n := len(sim.Requests()); n != 3 {
		t.Errorf("%d requests, want 3: a corrupt entry is not silently refetched", n)
	}
}

func TestDefaultPriceCacheDir(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", "/x/cache")
	if d, err := DefaultPriceCacheDir(); err != nil || d != "/x/cache/ghostaudit/prices" {
		t.Errorf("XDG: %q %v", d, err)
	}
	t.Setenv("XDG_CACHE_HOME", "")
	t.Setenv("HOME", "/home/u")
	if d, err := DefaultPriceCacheDir(); err != nil || d != "/home/u/.cache/ghostaudit/prices" {
		t.Errorf("home: %q %v", d, err)
	}
}
