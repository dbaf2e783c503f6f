package main

import (
	"encoding/csv"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
	"github.com/spf13/pflag"

	"github.com/ghostaudit/ghostaudit/findings"
	"github.com/ghostaudit/ghostaudit/findings/classify"
	"github.com/ghostaudit/ghostaudit/findings/pricing"
	"github.com/ghostaudit/ghostaudit/scanners"
	"github.com/ghostaudit/ghostaudit/scanners/strictyaml"
)

// defaultConfigFile is read when present and --config is not given.
const defaultConfigFile = "ghostaudit.yaml"

// fileConfig is ghostaudit.yaml, decoded. Precedence: file < env
// GHOSTAUDIT_* < flags. Every key is described in configspec.go, from
// which `config example` and docs/configuration.md are generated.
type fileConfig struct {
	path     string
	scanners map[string]ast.Node
	nodes    map[string]ast.Node // dotted path -> node, for locating validation errors

	Rules        map[string]map[string]string
	Prices       []priceOverride
	Finance      findings.Settings
	Suppressions []findings.Suppression
	Accounting   accountingConfig
	ExcludeTags  []string
	policy       *classify.Policy // built from Accounting by validate
}

type priceOverride struct {
	Provider string `yaml:"provider"`
	Region   string `yaml:"region"`
	Item     string `yaml:"item"`
	Unit     string `yaml:"unit"`
	Price    string `yaml:"price"`
	Currency string `yaml:"currency"`
	AsOf     string `yaml:"as_of"`
	Ref      string `yaml:"ref"`
}

// configSections are the top-level keys of ghostaudit.yaml.
var configSections = []string{"scanners", "rules", "exclude_tags", "prices", "finance", "accounting", "suppressions"}

func emptyConfig(path string) *fileConfig {
	return &fileConfig{path: path, scanners: map[string]ast.Node{}, nodes: map[string]ast.Node{},
		Finance: findings.DefaultSettings(), Accounting: defaultAccounting()}
}

// loadConfig reads the config file: path when given (it must exist),
// else GHOSTAUDIT_CONFIG, else ./ghostaudit.yaml when present, else the
// defaults. Env overrides of the finance section are applied, then sets
// (--set key=value), then everything is validated.
func (a *app) loadConfig(path string, sets ...string) (*fileConfig, error) {
	explicit := path != ""
	if !explicit {
		path = a.getenv("GHOSTAUDIT_CONFIG")
		explicit = path != ""
	}
	if !explicit {
		path = defaultConfigFile
	}
	cfg := emptyConfig(path)
	data, err := os.ReadFile(path)
	switch {
	case err == nil:
		if cfg, err = parseConfig(path, data); err != nil {
			return nil, &usageError{err}
		}
	case !explicit && errors.Is(err, os.ErrNotExist):
	default:
		return nil, usagef("config: %v", err)
	}
	if err := cfg.applyOverrides(a.getenv, sets); err != nil {
		return nil, err
	}
	if err := cfg.validate(a); err != nil {
		return nil, err
	}
	return cfg, nil
}

func parseConfig(path string, data []byte) (*fileConfig, error) {
	cfg := emptyConfig(path)
	f, err := parser.ParseBytes(data, 0)
	if err != nil {
		return nil, strictyaml.Unmarshal(path, data, &struct{}{})
	}
	if len(f.Docs) == 0 || f.Docs[0].Body == nil {
		return cfg, nil
	}
	root, ok := f.Docs[0].Body.(*ast.MappingNode)
	if !ok {
		return nil, strictyaml.At(path, f.Docs[0].Body, "", "the config is a mapping of "+strings.Join(configSections, ", "))
	}
	for _, mv := range root.Values {
		key := mv.Key.String()
		indexNodes(cfg.nodes, key, mv.Value)
		switch key {
		case "scanners":
			m, ok := mv.Value.(*ast.MappingNode)
			if !ok {
				return nil, strictyaml.At(path, mv.Value, "scanners", "want a mapping of scanner name to options")
			}
			for _, s := range m.Values {
				cfg.scanners[s.Key.String()] = s.Value
			}
		case "rules":
			err = strictyaml.NodeToValue(path, mv.Value, &cfg.Rules)
		case "prices":
			err = strictyaml.NodeToValue(path, mv.Value, &cfg.Prices)
		case "finance":
			err = strictyaml.NodeToValue(path, mv.Value, &cfg.Finance)
		case "suppressions":
			err = strictyaml.NodeToValue(path, mv.Value, &cfg.Suppressions)
		case "accounting":
			err = strictyaml.NodeToValue(path, mv.Value, &cfg.Accounting)
		case "exclude_tags":
			err = strictyaml.NodeToValue(path, mv.Value, &cfg.ExcludeTags)
		default:
			return nil, strictyaml.At(path, mv.Key, key, "unknown key (want one of "+strings.Join(configSections, ", ")+")")
		}
		if err != nil {
			return nil, err
		}
	}
	return cfg, nil
}

// indexNodes records every node under its dotted path ("finance.haircuts.low",
// "suppressions[0].expires", "aws.regions" for scanner sections) so that a
// validation error naming a field can be reported at its line.
func indexNodes(idx map[string]ast.Node, prefix string, n ast.Node) {
	idx[prefix] = n
	switch v := n.(type) {
	case *ast.MappingNode:
		for _, mv := range v.Values {
			indexNodes(idx, prefix+"."+mv.Key.String(), mv.Value)
		}
	case *ast.SequenceNode:
		for i, item := range v.Values {
			indexNodes(idx, fmt.Sprintf("%s[%d]", prefix, i), item)
		}
	}
}

// financeEnv are the finance keys that GHOSTAUDIT_FINANCE_<KEY> overrides.
var financeEnv = []string{"currency", "fiscal_year_start_month", "ev_ebitda_multiple", "engineering_hourly_rate", "win_window_days",
	"haircuts.high", "haircuts.medium", "haircuts.low", "effort_hours.low", "effort_hours.medium", "effort_hours.high"}

// applyOverrides applies GHOSTAUDIT_FINANCE_* variables, then --set
// finance.KEY=VALUE flags, to the finance section, each decoded with the
// same strict rules as the file.
func (c *fileConfig) applyOverrides(getenv func(string) string, sets []string) error {
	for _, key := range financeEnv {
		env := "GHOSTAUDIT_FINANCE_" + strings.ToUpper(strings.NewReplacer(".", "_").Replace(key))
		if v := getenv(env); v != "" {
			if err := setFinance(&c.Finance, env, key, v); err != nil {
				return err
			}
		}
	}
	for _, s := range sets {
		key, v, ok := strings.Cut(s, "=")
		if !ok || !strings.HasPrefix(key, "finance.") {
			return usagef("--set %q: want finance.KEY=VALUE, e.g. --set finance.ev_ebitda_multiple=12", s)
		}
		if err := setFinance(&c.Finance, "--set "+key, strings.TrimPrefix(key, "finance."), v); err != nil {
			return err
		}
	}
	return nil
}

// setFinance decodes "a.b: value" into the settings, strictly.
func setFinance(s *findings.Settings, source, key, value string) error {
	parts := strings.Split(key, ".")
	var b strings.Builder
	for i, p := range parts {
		b.WriteString(strings.Repeat("  ", i) + p + ":")
		if i < len(parts)-1 {
			b.WriteString("\n")
		}
	}
	b.WriteString(" " + yamlScalar(value) + "\n")
	if err := strictyaml.Unmarshal(source, []byte(b.String()), s); err != nil {
		var ye *strictyaml.Error
		if errors.As(err, &ye) {
			return usagef("%s: finance.%s: %s", source, key, ye.Problem)
		}
		return usagef("%s: %v", source, err)
	}
	return nil
}

// yamlScalar quotes a value unless it is a plain number.
func yamlScalar(v string) string {
	if v != "" && strings.Trim(v, "0123456789") == "" {
		return v
	}
	return fmt.Sprintf("%q", v)
}

// validate checks the finance section, the suppressions, the scanner
// names and the price overrides, reporting each at its line when it came
// from the file.
func (c *fileConfig) validate(a *app) error {
	if err := c.Finance.Validate(); err != nil {
		return &usageError{c.locate(err, "")}
	}
	if err := findings.ValidateSuppressions(c.Suppressions); err != nil {
		return &usageError{c.locate(err, "")}
	}
	for i, t := range c.ExcludeTags {
		if k, _, _ := strings.Cut(t, "="); strings.TrimSpace(k) == "" {
			return &usageError{c.locate(fmt.Errorf("exclude_tags[%d]: %q is not key or key=value", i, t), "")}
		}
	}
	p, err := c.Accounting.policy(c.Finance.Currency)
	if err != nil {
		return &usageError{c.locate(err, "")}
	}
	c.policy = p
	if _, err := c.overrides(); err != nil {
		return err
	}
	return c.checkScannerNames(a.registry)
}

// scannerOptions builds a scanner's options: defaults, then the config
// section, then GHOSTAUDIT_<SCANNER>_<OPTION> env, then the flags the user
// set on the command line (flags holds them, bound to its own Options).
func (a *app) scannerOptions(info scanners.Info, cfg *fileConfig, flags *pflag.FlagSet) (scanners.Options, error) {
	opts := info.NewOptions()
	if node, ok := cfg.scanners[info.Name]; ok {
		if err := strictyaml.NodeToValue(cfg.path, node, opts); err != nil {
			return nil, &usageError{err}
		}
	}
	fs := pflag.NewFlagSet(info.Name, pflag.ContinueOnError)
	opts.AddFlags(fs)
	var setErr error
	fs.VisitAll(func(f *pflag.Flag) {
		if setErr != nil {
			return
		}
		env := "GHOSTAUDIT_" + strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))
		if v := a.getenv(env); v != "" {
			if err := fs.Set(f.Name, v); err != nil {
				setErr = usagef("%s: %v", env, err)
			}
		}
		if flags == nil {
			return
		}
		if src := flags.Lookup(f.Name); src != nil && src.Changed {
			if sv, ok := src.Value.(pflag.SliceValue); ok {
				if dv, ok := f.Value.(pflag.SliceValue); ok {
					setErr = dv.Replace(sv.GetSlice())
					return
				}
			}
			if err := fs.Set(f.Name, src.Value.String()); err != nil {
				setErr = usagef("--%s: %v", f.Name, err)
			}
		}
	})
	if setErr != nil {
		return nil, setErr
	}
	if err := opts.Validate(); err != nil {
		return nil, &usageError{cfg.locate(err, "scanners.")}
	}
	return opts, nil
}

// locate prefixes a validation error "finance.currency: ..." with the
// config file position of that key, when the value came from the file;
// prefix maps the error's field to its config path ("scanners." for
// scanner options, whose errors say "aws.regions").
func (c *fileConfig) locate(err error, prefix string) error {
	msg := err.Error()
	field, _, ok := strings.Cut(msg, ": ")
	if !ok || c.nodes == nil {
		return err
	}
	for f := prefix + field; f != ""; {
		if n, found := c.nodes[f]; found {
			loc := strictyaml.At(c.path, n, "", "")
			return fmt.Errorf("%s:%d:%d: %s%s", c.path, loc.Line, loc.Column, prefix, msg)
		}
		i := strings.LastIndexAny(f, ".[")
		if i < 0 {
			break
		}
		f = f[:i]
	}
	if c.path != "" {
		return fmt.Errorf("%s: %s%s", c.path, prefix, msg)
	}
	return err
}

// overrides turns the config's prices into the override layer, checked
// by the same parser as the embedded snapshot.
func (c *fileConfig) overrides() (*pricing.Table, error) {
	var ps []pricing.Price
	for i, o := range c.Prices {
		var b strings.Builder
		w := csv.NewWriter(&b)
		_ = w.Write([]string{"provider", "region", "item", "unit", "price", "currency", "as_of", "ref"})
		_ = w.Write([]string{o.Provider, o.Region, o.Item, o.Unit, o.Price, o.Currency, o.AsOf, o.Ref})
		w.Flush()
		row, err := pricing.ParseCSV(fmt.Sprintf("%s: prices[%d]", c.path, i), strings.NewReader(b.String()), pricing.SourceOverride)
		if err != nil {
			return nil, &usageError{err}
		}
		ps = append(ps, row...)
	}
	t, err := pricing.NewTable(ps)
	if err != nil {
		return nil, usagef("%s: prices: %v", c.path, err)
	}
	return t, nil
}

// checkScannerNames rejects a scanners: section naming an unknown scanner.
func (c *fileConfig) checkScannerNames(reg *scanners.Registry) error {
	for _, name := range sortedKeys(c.scanners) {
		if _, ok := reg.Lookup(name); !ok {
			return &usageError{strictyaml.At(c.path, c.scanners[name], "scanners."+name,
				fmt.Sprintf("unknown scanner (known: %s)", strings.Join(reg.Names(), ", ")))}
		}
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
