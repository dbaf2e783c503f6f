package scanners

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"
)

type nopOptions struct{}

func (nopOptions) AddFlags(*pflag.FlagSet) {}
func (nopOptions) Validate() error         { return nil }
func (nopOptions) Redacted() Options       { return nopOptions{} }

type scanFunc func(ctx context.Context, sink Sink) error

func (f scanFunc) Scan(ctx context.Context, sink Sink) error { return f(ctx, sink) }

func info(name string, kinds ...string) Info {
	return Info{Name: name, Kinds: kinds, NewOptions: func() Options { return nopOptions{} },
		New: func(Options, Env) (Scanner, error) { return nil, nil }}
}

func TestRegistryRejectsDuplicates(t *testing.T) {
	t.Parallel()
	r := NewRegistry()
	if err := r.Register(info("aws", "aws.ebs.volume")); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []Info{info("aws", "aws.x"), info("other", "aws.ebs.volume"), info("Bad-Name", "x.y"), info("nokinds")} {
		if err := r.Register(bad); err == nil {
			t.Errorf("Register(%s %v) accepted", bad.Name, bad.Kinds)
		}
	}
	if got := strings.Join(r.Names(), ","); got != "aws" {
		t.Errorf("names %s", got)
	}
}

func TestRunnerIsolatesFailuresAndPanics(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	jobs := []Job{
		{Name: "good", Scanner: scanFunc(func(ctx context.Context, s Sink) error {
			s.Resource(Resource{Provider: "good", Account: "1", Region: "r", Kind: "good.thing", ID: "b", ObservedAt: now})
			s.Resource(Resource{Provider: "good", Account: "1", Region: "r", Kind: "good.thing", ID: "a", ObservedAt: now})
			return nil
		})},
		{Name: "panics", Scanner: scanFunc(func(ctx context.Context, s Sink) error { panic("boom") })},
		{Name: "nocreds", Scanner: scanFunc(func(ctx context.Context, s Sink) error {
			return errors.Join(ErrNoCredentials, errors.New("set a profile"))
		})},
	}
	r := &Runner{Now: func() time.Time { return now }, Parallelism: 2}
	inv, err := r.Run(context.Background(), jobs)
	if err != nil {
		t.Fatal(err)
	}
	if len(inv.Resources) != 2 || inv.Resources[0].ID != "a" {
		t.Fatalf("resources not kept or not sorted: %+v", inv.Resources)
	}
	st := map[string]ScanStatus{}
	for _, s := range inv.Status {
		st[s.Scanner] = s
	}
	if !st["good"].Succeeded || st["good"].Counts["good.thing"] != 2 {
		t.Errorf("good: %+v", st["good"])
	}
	if st["panics"].Succeeded || !strings.Contains(st["panics"].Err, "boom") {
		t.Errorf("panics: %+v", st["panics"])
	}
	if !st["nocreds"].NoCreds {
		t.Errorf("nocreds: %+v", st["nocreds"])
	}
	reasons := map[string]string{}
	for _, g := range inv.Gaps {
		reasons[g.Scanner] = g.Reason
	}
	if reasons["panics"] != ReasonPanic || reasons["nocreds"] != ReasonNoCredentials {
		t.Errorf("gaps: %+v", inv.Gaps)
	}
}

func TestInventoryRoundTrip(t *testing.T) {
	t.Parallel()
	created := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	inv := &Inventory{Schema: InventorySchema, ToolVersion: "test", ScannedAt: created,
		Resources: []Resource{{Provider: "aws", Account: "1", Region: "us-east-1", Kind: "aws.ebs.volume", ID: "vol-1",
			Name: `=HYPERLINK("http://x","y")`, Created: &created, Attributes: map[string]string{"size_gib": "10"}, ObservedAt: created}},
		Gaps: []Gap{{Scanner: "aws", Account: "1", Region: "eu-west-3", Scope: "account 1 region eu-west-3", Reason: ReasonDenied, Message: "denied"}},
	}
	var buf bytes.Buffer
	if err := inv.Encode(&buf); err != nil {
		t.Fatal(err)
	}
	got, err := DecodeInventory("inv.json", &buf)
	if err != nil {
		t.Fatal(err)
	}
	if got.Resources[0].Name != inv.Resources[0].Name || !got.Resources[0].Created.Equal(created) || got.Gaps[0] != inv.Gaps[0] {
		t.Errorf("round trip changed the inventory: %+v", got)
	}
	if got.Covered("aws", "1", "eu-west-3") || !got.Covered("aws", "1", "us-east-1") {
		t.Error("Covered ignores the gap")
	}
}

func TestDecodeInventoryErrorsNameTheFile(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		`{"schema": "ghostaudit.inventory/v0"}`:                          "inv.json: schema",
		"{\n\"schema\": \"ghostaudit.inventory/v1\",\n\"resources\": 5}": "inv.json: line 3",
		"{\n\"schema\": \"ghostaudit.inventory/v1\",\n\"bogus\": 1}":     "inv.json: json: unknown field",
		"not json": "inv.json: not an inventory JSON file",
		`{"schema": "ghostaudit.inventory/v1", "resources": [{"provider": "aws"}]}`: "inv.json: resources[0]",
	} {
		_, err := DecodeInventory("inv.json", strings.NewReader(in))
		if err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("%q: got %v, want prefix %q", in, err, want)
		}
	}
}

func FuzzDecodeInventory(f *testing.F) {
	f.Add([]byte(`{"schema":"ghostaudit.inventory/v1","resources":[{"provider":"aws","kind":"k","id":"i"}]}`))
	f.Add([]byte(`{"schema":"ghostaudit.inventory/v1","gaps":[{}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _ = DecodeInventory("fuzz.json", bytes.NewReader(data))
	})
}
