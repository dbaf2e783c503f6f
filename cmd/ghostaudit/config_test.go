package main

import (
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/ghostaudit/ghostaudit/findings"
	"github.com/ghostaudit/ghostaudit/scanners/all"
)

var update = flag.Bool("update", false, "rewrite generated docs and golden files")

func testApp() *app {
	return &app{getenv: func(string) string { return "" }, registry: all.Registry()}
}

// TestConfigDocs keeps docs/configuration.md equal to what configspec.go
// generates; -update rewrites it.
func TestConfigDocs(t *testing.T) {
	t.Parallel()
	got := testApp().configDocs()
	path := "../../docs/configuration.md"
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./cmd/ghostaudit -run TestConfigDocs -update)", err)
	}
	if string(want) != got {
		t.Errorf("docs/configuration.md is stale: run go test ./cmd/ghostaudit -run TestConfigDocs -update")
	}
}

// yamlLeaves lists the yaml keys of a struct type as dotted paths.
func yamlLeaves(prefix string, typ reflect.Type) []string {
	var out []string
	for i := 0; i < typ.NumField(); i++ {
		f := typ.Field(i)
		tag, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if tag == "" || tag == "-" {
			continue
		}
		if f.Type.Kind() == reflect.Struct {
			out = append(out, yamlLeaves(prefix+tag+".", f.Type)...)
			continue
		}
		out = append(out, prefix+tag)
	}
	return out
}

// TestConfigSpecCoversEveryKey: every yaml key of the typed config structs
// is documented, and every documented key exists.
func TestConfigSpecCoversEveryKey(t *testing.T) {
	t.Parallel()
	a := testApp()
	documented := map[string]bool{}
	for _, e := range a.configSpec() {
		if e.Doc == "" || e.Type == "" {
			t.Errorf("%s: no type or description", e.Key)
		}
		documented[e.Key] = true
	}
	var want []string
	want = append(want, yamlLeaves("finance.", reflect.TypeOf(findings.Settings{}))...)
	want = append(want, yamlLeaves("suppressions[].", reflect.TypeOf(findings.Suppression{}))...)
	want = append(want, yamlLeaves("prices[].", reflect.TypeOf(priceOverride{}))...)
	want = append(want, yamlLeaves("accounting.", reflect.TypeOf(accountingConfig{}))...)
	want = append(want, "exclude_tags")
	for _, info := range a.registry.All() {
		want = append(want, yamlLeaves("scanners."+info.Name+".", reflect.TypeOf(info.NewOptions()).Elem())...)
	}
	for _, r := range findings.Rules() {
		for _, p := range r.Params {
			want = append(want, "rules."+r.ID+"."+p.Name)
		}
	}
	for _, k := range want {
		if !documented[k] {
			t.Errorf("config key %s is not in configSpec", k)
		}
		delete(documented, k)
	}
	for k := range documented {
		t.Errorf("configSpec documents %s, which no struct decodes", k)
	}
}

func TestConfigExampleValidates(t *testing.T) {
	t.Parallel()
	r := runCLI(t, nil, "config", "example")
	if r.code != 0 {
		t.Fatalf("example: %d %s", r.code, r.stderr)
	}
	p := filepath.Join(t.TempDir(), "ghostaudit.yaml")
	os.WriteFile(p, []byte(r.stdout), 0o644)
	if v := runCLI(t, nil, "config", "validate", "--config", p); v.code != 0 || !strings.HasSuffix(v.stdout, ": ok\n") {
		t.Fatalf("validate example: %d %q %s", v.code, v.stdout, v.stderr)
	}
}

// TestMalformedConfig checks the exact message and exit code of each kind
// of bad configuration.
func TestMalformedConfig(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, tc := range []struct {
		name, body string
		env        map[string]string
		args       []string
		want       string // exact stderr after "ghostaudit: ", with FILE for the path
	}{
		{name: "unknown key", body: "finance:\n  curency: EUR\n",
			want: "FILE:2:3: finance.curency: unknown key (check the spelling; see the documented keys)"},
		{name: "unknown section", body: "financ:\n  currency: EUR\n",
			want: "FILE:1:1: financ: unknown key (want one of scanners, rules, exclude_tags, prices, finance, accounting, suppressions)"},
		{name: "unknown framework", body: "accounting:\n  framework: hgb\n",
			want: "FILE:2:14: accounting.framework: \"hgb\" is not us-gaap or ifrs"},
		{name: "asu without adoption date", body: "accounting:\n  model: asu-2025-06\n",
			want: "FILE:2:8: accounting.asu_2025_06_adoption: required when model is asu-2025-06"},
		{name: "wrong type", body: "finance:\n  fiscal_year_start_month: april\n",
			want: "FILE:2:28: finance.fiscal_year_start_month: cannot use a string here, want int"},
		{name: "negative threshold", body: "rules:\n  aws.ebs.unattached:\n    min_age_days: -3\n",
			want: "FILE:3:19: rules.aws.ebs.unattached.min_age_days: \"-3\" is not a non-negative whole number"},
		{name: "expired-suppression format", body: "suppressions:\n  - rule: aws.ebs.unattached\n    resource: vol-1\n    reason: restore test\n    expires: 31/03/2027\n",
			want: "FILE:5:14: suppressions[0].expires: \"31/03/2027\" is not a date YYYY-MM-DD"},
		{name: "unknown currency", body: "finance:\n  currency: USS\n",
			want: "FILE:2:13: finance.currency: \"USS\" is not a known ISO 4217 currency code"},
		{name: "haircut out of range", body: "finance:\n  haircuts:\n    medium: 160\n",
			want: "FILE:3:13: finance.haircuts.medium: 160 is not a percentage 0-100"},
		{name: "bad env override", body: "", env: map[string]string{"GHOSTAUDIT_FINANCE_EV_EBITDA_MULTIPLE": "lots"},
			want: "FILE: finance.ev_ebitda_multiple: \"lots\" is not a non-negative decimal"},
		{name: "bad --set", body: "", args: []string{"--set", "finance.haircuts.low=x"},
			want: "--set finance.haircuts.low: finance.haircuts.low: cannot use a string here, want int"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "-")+".yaml")
			if err := os.WriteFile(p, []byte(tc.body), 0o644); err != nil {
				t.Fatal(err)
			}
			args := append([]string{"config", "validate", "--config", p}, tc.args...)
			r := runCLI(t, tc.env, args...)
			want := "ghostaudit: " + strings.ReplaceAll(tc.want, "FILE", p) + "\n"
			if r.code != exitUsage || r.stderr != want {
				t.Errorf("exit %d, stderr\n%q\nwant exit 2 and\n%q", r.code, r.stderr, want)
			}
		})
	}
}

func TestFinanceOverridePrecedence(t *testing.T) {
	t.Parallel()
	p := filepath.Join(t.TempDir(), "c.yaml")
	os.WriteFile(p, []byte("finance:\n  ev_ebitda_multiple: \"8\"\n  haircuts: {medium: 50}\n"), 0o644)
	a := testApp()
	a.getenv = func(k string) string {
		return map[string]string{"GHOSTAUDIT_FINANCE_EV_EBITDA_MULTIPLE": "9", "GHOSTAUDIT_FINANCE_CURRENCY": "EUR"}[k]
	}
	cfg, err := a.loadConfig(p, "finance.ev_ebitda_multiple=12")
	if err != nil {
		t.Fatal(err)
	}
	f := cfg.Finance
	if f.EVMultiple != "12" || f.Currency != "EUR" || f.Haircuts.Medium != 50 || f.Haircuts.High != 100 {
		t.Errorf("file < env < --set not honoured, or defaults lost: %+v", f)
	}
}
