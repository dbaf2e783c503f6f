package pricing

import (
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/shopspring/decimal"
)

const hdr = "provider,region,item,unit,price,currency,as_of,ref\n"

func TestParseCSVErrors(t *testing.T) {
	good := "aws,us-east-1,ebs.gp3.storage,GB-Mo,0.08,USD,2026-07-19,https://aws.amazon.com/ebs/pricing/\n"
	for _, c := range []struct {
		name, in string
		want     []string // substrings the error must contain
	}{
		{"empty", "", []string{"f.csv:1:", "header"}},
		{"bad header", "provider,region,item,unit,cost,currency,as_of,ref\n" + good, []string{"f.csv:1:", "header", "cost"}},
		{"bad header after comment", "# note\nprovider,region\n", []string{"f.csv:2:", "header"}},
		{"bad price", hdr + good + "aws,us-east-1,x,GB-Mo,0.1O,USD,2026-01-01,ref\n", []string{"f.csv:3:", "price", `"0.1O"`}},
		{"negative price", hdr + "aws,us-east-1,x,GB-Mo,-1,USD,2026-01-01,ref\n", []string{"f.csv:2:", "price"}},
		{"empty price", hdr + "aws,us-east-1,x,GB-Mo,,USD,2026-01-01,ref\n", []string{"f.csv:2:", "price"}},
		{"bad unit", hdr + "aws,us-east-1,x,GB-month,0.1,USD,2026-01-01,ref\n", []string{"f.csv:2:", "unit", `"GB-month"`}},
		{"bad currency", hdr + "aws,us-east-1,x,GB-Mo,0.1,usd,2026-01-01,ref\n", []string{"f.csv:2:", "currency"}},
		{"bad date", hdr + "aws,us-east-1,x,GB-Mo,0.1,USD,2026-1-1,ref\n", []string{"f.csv:2:", "as_of", `"2026-1-1"`}},
		{"missing ref", hdr + "aws,us-east-1,x,GB-Mo,0.1,USD,2026-01-01,\n", []string{"f.csv:2:", "ref"}},
		{"blank ref", hdr + "aws,us-east-1,x,GB-Mo,0.1,USD,2026-01-01,  \n", []string{"f.csv:2:", "ref"}},
		{"missing provider", hdr + ",us-east-1,x,GB-Mo,0.1,USD,2026-01-01,ref\n", []string{"f.csv:2:", "provider"}},
		{"missing item", hdr + "aws,us-east-1,,GB-Mo,0.1,USD,2026-01-01,ref\n", []string{"f.csv:2:", "item"}},
		{"too few fields", hdr + good + "aws,us-east-1,x,GB-Mo,0.1,USD,2026-01-01\n", []string{"f.csv:3:", "fields", "got 7, want 8"}},
		{"too many fields", hdr + "# c\n" + "aws,us-east-1,x,GB-Mo,0.1,USD,2026-01-01,ref,extra\n", []string{"f.csv:3:", "fields", "got 9"}},
		{"bad quoting", hdr + "aws,us-east-1,x,GB-Mo,0.1,USD,2026-01-01,\"ref\n", []string{"f.csv"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseCSV("f.csv", strings.NewReader(c.in), SourceSnapshot)
			if err == nil {
				t.Fatalf("no error for %q", c.in)
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

func TestParseCSVGood(t *testing.T) {
	in := hdr + "# comment\n" +
		"aws,us-east-1,ebs.gp3.storage,GB-Mo,0.08,USD,2026-07-19,\"https://x/, with comma\"\n" +
		"aws,,support.seat,User-Mo,29,EUR,2026-01-01,contract 12\n"
	got, err := ParseCSV("f.csv", strings.NewReader(in), SourceOverride)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("got %d prices", len(got))
	}
	want := Price{Provider: "aws", Region: "us-east-1", Item: "ebs.gp3.storage", Unit: UnitGBMonth,
		Amount: decimal.RequireFromString("0.08"), Currency: "USD", Source: SourceOverride,
		Ref: "https://x/, with comma", AsOf: "2026-07-19"}
	if !got[0].Amount.Equal(want.Amount) {
		t.Errorf("amount %s", got[0].Amount)
	}
	got[0].Amount = want.Amount
	if !reflect.DeepEqual(got[0], want) {
		t.Errorf("got %+v\nwant %+v", got[0], want)
	}
	if got[1].Region != "" || got[1].Currency != "EUR" {
		t.Errorf("global price: %+v", got[1])
	}
}

func FuzzParseCSV(f *testing.F) {
	f.Add(hdr + "aws,us-east-1,ebs.gp3.storage,GB-Mo,0.08,USD,2026-07-19,ref\n")
	f.Add(hdr + "aws,us-east-1,x,GB-Mo,1e400,USD,2026-07-19,ref\n")
	f.Add(hdr + "# c\n\"a\"\"b\",,,,,,,\n")
	f.Add("")
	f.Add("\"")
	f.Add(hdr + "aws,r,i,Hrs,0.005,USD,2026-01-01,r,x\n")
	f.Fuzz(func(t *testing.T, in string) {
		prices, err := ParseCSV("fuzz.csv", strings.NewReader(in), SourceSnapshot)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz.csv") {
				t.Errorf("error does not name the file: %v", err)
			}
			return
		}
		for _, p := range prices {
			if p.Ref == "" || p.Amount.IsNegative() || !knownUnit(p.Unit) || !dateRE.MatchString(p.AsOf) {
				t.Errorf("accepted an invalid row: %+v", p)
			}
			_ = p.Monthly(decimal.NewFromInt(3))
		}
	})
}

func TestMonthly(t *testing.T) {
	for _, c := range []struct {
		unit, amount, qty, want string
	}{
		{UnitHour, "0.005", "1", "3.65"},      // idle public IPv4
		{UnitHour, "0.045", "2", "65.7"},      // two NAT gateways
		{UnitGBMonth, "0.08", "40", "3.2"},    // gp3 40 GB
		{UnitGBMonth, "0.10", "100", "10"},    // gp2 100 GB
		{UnitIOPSMonth, "0.005", "1000", "5"}, // gp3 IOPS above 3000
		{UnitMiBpsMonth, "0.04", "5", "0.2"},  // gp3 throughput above 125
		{UnitGBMonth, "0.0952", "0", "0"},
	} {
		p := Price{Unit: c.unit, Amount: decimal.RequireFromString(c.amount)}
		got := p.Monthly(decimal.RequireFromString(c.qty))
		if !got.Equal(decimal.RequireFromString(c.want)) {
			t.Errorf("%s %s x %s = %s, want %s", c.amount, c.unit, c.qty, got, c.want)
		}
	}
	// Decimal, not float: 0.1 + 0.2 style drift must not appear.
	p := Price{Unit: UnitGBMonth, Amount: decimal.RequireFromString("0.0836")}
	if got := p.Monthly(decimal.NewFromInt(3)); got.String() != "0.2508" {
		t.Errorf("0.0836 x 3 = %s, want exactly 0.2508", got)
	}
}

func table(t *testing.T, source string, prices ...Price) *Table {
	t.Helper()
	for i := range prices {
		prices[i].Source = source
	}
	tab, err := NewTable(prices)
	if err != nil {
		t.Fatal(err)
	}
	return tab
}

func px(region, item, amount string) Price {
	return Price{Provider: "aws", Region: region, Item: item, Unit: UnitGBMonth,
		Amount: decimal.RequireFromString(amount), Currency: "USD", Ref: "test", AsOf: "2026-01-01"}
}

func TestLayered(t *testing.T) {
	over := table(t, SourceOverride, px("us-east-1", "ebs.gp3.storage", "0.06"))
	snap := table(t, SourceSnapshot,
		px("us-east-1", "ebs.gp3.storage", "0.08"),
		px("us-east-1", "ebs.gp2.storage", "0.10"),
		px("eu-west-1", "ebs.gp3.storage", "0.088"))
	l := &Layered{Layers: []Catalog{over, snap}}

	p, ok := l.Lookup("aws", "us-east-1", "ebs.gp3.storage")
	if !ok || p.Source != SourceOverride || !p.Amount.Equal(decimal.RequireFromString("0.06")) {
		t.Errorf("override did not win: %+v %v", p, ok)
	}
	p, ok = l.Lookup("aws", "us-east-1", "ebs.gp2.storage")
	if !ok || p.Source != SourceSnapshot {
		t.Errorf("snapshot fallback: %+v %v", p, ok)
	}
	// Unknown item, unknown region, unknown provider: not found, never a zero price.
	for _, q := range [][3]string{
		{"aws", "us-east-1", "ebs.gp4.storage"},
		{"aws", "mars-north-1", "ebs.gp3.storage"},
		{"gcp", "us-east-1", "ebs.gp3.storage"},
	} {
		p, ok := l.Lookup(q[0], q[1], q[2])
		if ok {
			t.Errorf("%v found: %+v", q, p)
		}
		if !p.Amount.IsZero() || p.Source != "" {
			t.Errorf("%v: miss returned a usable-looking price %+v", q, p)
		}
	}
	// Repeated look-ups are listed once.
	l.Lookup("aws", "us-east-1", "ebs.gp3.storage")
	l.Lookup("aws", "us-east-1", "ebs.gp4.storage")

	used := l.Used()
	if len(used) != 2 {
		t.Fatalf("Used() = %d prices, want 2: %+v", len(used), used)
	}
	if used[0].Item != "ebs.gp2.storage" || used[1].Item != "ebs.gp3.storage" || used[1].Source != SourceOverride {
		t.Errorf("Used() = %+v", used)
	}
	wantMissed := []string{"aws mars-north-1 ebs.gp3.storage", "aws us-east-1 ebs.gp4.storage", "gcp us-east-1 ebs.gp3.storage"}
	if got := l.Missed(); !reflect.DeepEqual(got, wantMissed) {
		t.Errorf("Missed() = %q, want %q", got, wantMissed)
	}
	if got := (&Layered{}).Used(); len(got) != 0 {
		t.Errorf("fresh Used() = %v", got)
	}
	if got := (&Layered{}).Missed(); len(got) != 0 {
		t.Errorf("fresh Missed() = %v", got)
	}
}

func TestLayeredConcurrent(t *testing.T) {
	snap := table(t, SourceSnapshot, px("us-east-1", "a", "1"))
	l := &Layered{Layers: []Catalog{snap}}
	var wg sync.WaitGroup
	for i := 0; i < 16; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 100; j++ {
				l.Lookup("aws", "us-east-1", "a")
				l.Lookup("aws", "us-east-1", "b")
				_ = l.Used()
				_ = l.Missed()
			}
		}()
	}
	wg.Wait()
	if len(l.Used()) != 1 || len(l.Missed()) != 1 {
		t.Errorf("used %v missed %v", l.Used(), l.Missed())
	}
}

func TestLayeredOverSnapshot(t *testing.T) {
	snap, err := Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	over, err := NewOverrides([]Price{{Provider: "aws", Region: "eu-west-1", Item: "ebs.gp3.storage",
		Unit: UnitGBMonth, Amount: decimal.RequireFromString("0.07"), Currency: "USD", AsOf: "2026-12-01"}})
	if err != nil {
		t.Fatal(err)
	}
	l := &Layered{Layers: []Catalog{over, snap}}
	p, ok := l.Lookup("aws", "eu-west-1", "ebs.gp3.storage")
	if !ok || p.Source != SourceOverride || p.Ref == "" {
		t.Errorf("override: %+v", p)
	}
	p, ok = l.Lookup("aws", "eu-west-1", "ebs.gp2.storage")
	if !ok || p.Source != SourceSnapshot || !p.Amount.Equal(decimal.RequireFromString("0.11")) {
		t.Errorf("snapshot: %+v", p)
	}
}

func TestNewOverrides(t *testing.T) {
	ok := Price{Provider: "aws", Region: "us-east-1", Item: "vpc.public_ipv4", Unit: UnitHour,
		Amount: decimal.RequireFromString("0.004"), Currency: "USD", Source: SourceSnapshot, Ref: "EDP 2026"}
	tab, err := NewOverrides([]Price{ok})
	if err != nil {
		t.Fatal(err)
	}
	p, found := tab.Lookup("aws", "us-east-1", "vpc.public_ipv4")
	if !found || p.Source != SourceOverride || p.Ref != "EDP 2026" {
		t.Errorf("got %+v", p)
	}
	bad := func(mut func(*Price)) Price { p := ok; mut(&p); return p }
	for name, in := range map[string][]Price{
		"no provider": {bad(func(p *Price) { p.Provider = "" })},
		"no item":     {bad(func(p *Price) { p.Item = "" })},
		"bad unit":    {bad(func(p *Price) { p.Unit = "hour" })},
		"negative":    {bad(func(p *Price) { p.Amount = decimal.NewFromInt(-1) })},
		"currency":    {bad(func(p *Price) { p.Currency = "" })},
		"duplicate":   {ok, ok},
	} {
		if _, err := NewOverrides(in); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
