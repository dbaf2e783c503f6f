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

	"github.com/ghostaudit/ghostaudit/findings/pricing"
	"github.com/ghostaudit/ghostaudit/internal/strictyaml"
	"github.com/ghostaudit/ghostaudit/scanners"
)

// defaultConfigFile is read when present and --config is not given.
const defaultConfigFile = "ghostaudit.yaml"

// fileConfig is ghostaudit.yaml. Precedence: file < env GHOSTAUDIT_* < flags.
//
//	scanners:            # per-scanner options, keyed by scanner name
//	  aws: {regions: [eu-west-1], accounts: ["222222222222"], role_name: ghostaudit-readonly}
//	rules:               # rule parameters, keyed by rule ID
//	  aws.ebs.unattached: {min_age_days: 14}
//	prices:              # negotiated prices that override list prices
//	  - {provider: aws, region: us-east-1, item: ebs.gp3.storage, unit: GB-Mo, price: "0.07", currency: USD, as_of: 2026-10-01, ref: "EDP contract"}
type fileConfig struct {
	path     string
	scanners map[string]ast.Node
	nodes    map[string]ast.Node // dotted path -> node, for locating validation errors
	Rules    map[string]map[string]string
	Prices   []priceOverride
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

// loadConfig reads the config file: path when given (it must exist),
// else ./ghostaudit.yaml when present, else an empty config.
func (a *app) loadConfig(path string) (*fileConfig, error) {
	explicit := path != ""
	if !explicit {
		path = a.getenv("GHOSTAUDIT_CONFIG")
		explicit = path != ""
	}
	if !explicit {
		path = defaultConfigFile
	}
	data, err := os.ReadFile(path)
	if err != nil {
		if !explicit && errors.Is(err, os.ErrNotExist) {
			return &fileConfig{scanners: map[string]ast.Node{}}, nil
		}
		return nil, usagef("config: %v", err)
	}
	cfg, err := parseConfig(path, data)
	if err != nil {
		return nil, &usageError{err}
	}
	return cfg, nil
}

func parseConfig(path string, data []byte) (*fileConfig, error) {
	cfg := &fileConfig{path: path, scanners: map[string]ast.Node{}, nodes: map[string]ast.Node{}}
	f, err := parser.ParseBytes(data, 0)
	if err != nil {
		return nil, strictyaml.Unmarshal(path, data, &struct{}{})
	}
	if len(f.Docs) == 0 || f.Docs[0].Body == nil {
		return cfg, nil
	}
	root, ok := f.Docs[0].Body.(*ast.MappingNode)
	if !ok {
		return nil, strictyaml.At(path, f.Docs[0].Body, "", "the config is a mapping with scanners, rules and prices")
	}
	for _, mv := range root.Values {
		key := mv.Key.String()
		switch key {
		case "scanners":
			m, ok := mv.Value.(*ast.MappingNode)
			if !ok {
				return nil, strictyaml.At(path, mv.Value, "scanners", "want a mapping of scanner name to options")
			}
			for _, s := range m.Values {
				cfg.scanners[s.Key.String()] = s.Value
				indexNodes(cfg.nodes, s.Key.String(), s.Value)
			}
		case "rules":
			if err := strictyaml.NodeToValue(path, mv.Value, &cfg.Rules); err != nil {
				return nil, err
			}
		case "prices":
			if err := strictyaml.NodeToValue(path, mv.Value, &cfg.Prices); err != nil {
				return nil, err
			}
		default:
			return nil, strictyaml.At(path, mv.Key, key, "unknown key (want scanners, rules or prices)")
		}
	}
	return cfg, nil
}

// indexNodes records the nodes of a scanner section under "<scanner>.<key>"
// so that an Options.Validate error such as "aws.regions: ..." can be
// reported at its line.
func indexNodes(idx map[string]ast.Node, prefix string, n ast.Node) {
	idx[prefix] = n
	if m, ok := n.(*ast.MappingNode); ok {
		for _, mv := range m.Values {
			idx[prefix+"."+mv.Key.String()] = mv.Value
		}
	}
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
		return nil, &usageError{cfg.locate(err)}
	}
	return opts, nil
}

// locate prefixes a validation error "aws.regions: ..." with the config
// file position of that key, when the value came from the file.
func (c *fileConfig) locate(err error) error {
	msg := err.Error()
	field, _, ok := strings.Cut(msg, ": ")
	if !ok || c.nodes == nil {
		return err
	}
	if n, found := c.nodes[field]; found {
		loc := strictyaml.At(c.path, n, "", "")
		return fmt.Errorf("%s:%d:%d: scanners.%s", c.path, loc.Line, loc.Column, msg)
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
