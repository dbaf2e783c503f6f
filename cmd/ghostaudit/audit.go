package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/ghostaudit/ghostaudit/findings"
	"github.com/ghostaudit/ghostaudit/findings/pricing"
	"github.com/ghostaudit/ghostaudit/report"
	"github.com/ghostaudit/ghostaudit/scanners"
)

// outputFlags are the flags every command that produces a report shares.
type outputFlags struct {
	config  string
	sets    []string // --set finance.KEY=VALUE
	outputs []string // FORMAT=PATH
	format  string   // stdout format
	strict  bool
	prices  priceFlags
	ledger  ledgerFlags
}

func (o *outputFlags) add(fs *pflag.FlagSet, defaultFormat string, getenv func(string) string) {
	o.ledger.add(fs, getenv)
	fs.StringVar(&o.config, "config", "", "config file (default ./ghostaudit.yaml when present; env GHOSTAUDIT_CONFIG)")
	fs.StringArrayVar(&o.sets, "set", nil, "override a finance setting, KEY=VALUE, e.g. --set finance.ev_ebitda_multiple=12 (repeatable)")
	fs.StringArrayVarP(&o.outputs, "output", "o", nil, "write a report file, FORMAT=PATH or a path ending .xlsx, .json, .csv or .md; formats: xlsx, json, csv, md, inventory (repeatable)")
	fs.StringVar(&o.format, "format", defaultFormat, "what to print on stdout: table, json, csv, md or none")
	fs.BoolVar(&o.strict, "strict", false, "exit 5 when coverage is incomplete (any scanner failed or any gap)")
	fs.StringVar(&o.prices.source, "prices", "snapshot", "list prices: snapshot (embedded, dated, offline) or live (AWS Price List API, cached on disk; needs pricing:GetProducts)")
	fs.StringVar(&o.prices.cacheDir, "price-cache", "", "directory of the live price cache (default $XDG_CACHE_HOME/ghostaudit/prices)")
}

// outputSpec is one parsed -o value.
type outputSpec struct{ format, path string }

var fileFormats = []string{"xlsx", "json", "csv", "md", "inventory"}

func (o *outputFlags) parse() ([]outputSpec, error) {
	var specs []outputSpec
	seen := map[string]bool{}
	for _, v := range o.outputs {
		format, path, ok := strings.Cut(v, "=")
		if !ok { // a bare path: the format is its extension
			format, path = strings.TrimPrefix(strings.ToLower(filepath.Ext(v)), "."), v
			if !slices.Contains([]string{"xlsx", "json", "csv", "md"}, format) {
				return nil, usagef("-o %q: cannot tell the format from the extension; want FORMAT=PATH, e.g. -o xlsx=audit.xlsx", v)
			}
		}
		if path == "" {
			return nil, usagef("-o %q: want FORMAT=PATH, e.g. -o xlsx=audit.xlsx", v)
		}
		known := false
		for _, f := range fileFormats {
			known = known || f == format
		}
		if !known {
			return nil, usagef("-o %q: unknown format %q (want one of %s)", v, format, strings.Join(fileFormats, ", "))
		}
		if seen[path] {
			return nil, usagef("-o %q: %s is written twice", v, path)
		}
		seen[path] = true
		specs = append(specs, outputSpec{format, path})
	}
	switch o.format {
	case "table", "json", "csv", "md", "none":
	default:
		return nil, usagef("--format %q: want table, json, csv, md or none", o.format)
	}
	if err := o.prices.validate(); err != nil {
		return nil, err
	}
	if _, err := o.ledger.thresholds(); err != nil {
		return nil, err
	}
	return specs, nil
}

// analyse runs the findings engine over an inventory with the config's
// rule parameters and price overrides layered over the snapshot; with
// --prices live, a first pass finds the prices the rules need, they are
// fetched, and a second pass layers them over the snapshot.
func (a *app) analyse(ctx context.Context, inv *scanners.Inventory, cfg *fileConfig, of *outputFlags, jobs []scanners.Job) (*findings.Result, error) {
	res, err := a.analyseWith(inv, cfg, nil)
	if err != nil || of == nil || of.prices.source != "live" {
		return res, err
	}
	live, err := a.livePrices(ctx, res, awsOptions(jobs), gcpOptions(jobs), of.prices.cacheDir)
	if err != nil {
		return nil, err
	}
	return a.analyseWith(inv, cfg, live)
}

func (a *app) analyseWith(inv *scanners.Inventory, cfg *fileConfig, live *pricing.Table) (*findings.Result, error) {
	snap, err := pricing.Snapshot()
	if err != nil {
		return nil, fmt.Errorf("price snapshot: %w", err)
	}
	over, err := cfg.overrides()
	if err != nil {
		return nil, err
	}
	layers := []pricing.Catalog{over}
	if live != nil {
		layers = append(layers, live)
	}
	cat := &pricing.Layered{Layers: append(layers, snap)}
	eng, err := findings.NewEngine(findings.Rules(), cat, cfg.Rules)
	if err != nil {
		return nil, &usageError{cfg.locate(err, "")}
	}
	eng.ToolVersion = version()
	eng.Settings = cfg.Finance
	eng.Suppressions = cfg.Suppressions
	eng.Policy = cfg.policy
	eng.ExcludeTags = cfg.ExcludeTags
	return eng.Run(inv), nil
}

// emit writes the report files and the stdout report, then applies
// --strict.
func (a *app) emit(cmd *cobra.Command, of *outputFlags, specs []outputSpec, inv *scanners.Inventory, res *findings.Result) error {
	diff, err := a.track(cmd.Context(), &of.ledger, res)
	if err != nil {
		return err
	}
	for _, s := range specs {
		var err error
		if s.format == "inventory" {
			err = writeInventory(s.path, inv)
		} else {
			var wr report.Writer
			wr, err = report.Lookup(s.format)
			if err == nil {
				err = report.WriteFile(s.path, wr, res)
			}
		}
		if err != nil {
			return fmt.Errorf("write %s report %s: %w", s.format, s.path, err)
		}
		a.logger.Info("report written", "format", s.format, "path", s.path)
	}
	if err := a.printReport(cmd.OutOrStdout(), of.format, res); err != nil {
		return err
	}
	ts, _ := of.ledger.thresholds()
	if err := failOn(ts, diff, res); err != nil {
		return err
	}
	if of.strict && !complete(res) {
		return &codedError{exitIncomplete, fmt.Errorf("coverage is incomplete (%d gap(s), see the coverage table) and --strict is set", len(res.Gaps))}
	}
	return nil
}

func (a *app) printReport(w io.Writer, format string, res *findings.Result) error {
	if format == "none" {
		return nil
	}
	if format == "table" {
		return report.NewTable(report.TableOptions{TTY: a.isTTY(w)}).Write(w, res)
	}
	wr, err := report.Lookup(format)
	if err != nil {
		return err
	}
	return wr.Write(w, res)
}

func complete(res *findings.Result) bool {
	if len(res.Gaps) > 0 {
		return false
	}
	for _, s := range res.Status {
		if !s.Succeeded {
			return false
		}
	}
	return true
}

// writeInventory saves the inventory atomically.
func writeInventory(path string, inv *scanners.Inventory) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := inv.Encode(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// runScanners builds the selected scanners and runs them.
func (a *app) runScanners(ctx context.Context, jobs []scanners.Job) (*scanners.Inventory, error) {
	r := &scanners.Runner{Logger: a.logger, Now: a.now, ToolVersion: version()}
	if a.progress != nil {
		r.Progress = a.progress
	}
	inv, err := r.Run(ctx, jobs)
	if a.progress != nil {
		a.progress.finish()
	}
	if err != nil {
		return nil, err
	}
	return inv, nil
}

// credentialsOutcome returns exit-4 errors: an explicitly selected scanner
// without credentials, or every scanner without them.
func credentialsOutcome(inv *scanners.Inventory, explicit bool) error {
	var missing []string
	for _, s := range inv.Status {
		if s.NoCreds {
			missing = append(missing, fmt.Sprintf("%s: %s", s.Scanner, s.Err))
		}
	}
	if len(missing) == 0 {
		return nil
	}
	if explicit || len(missing) == len(inv.Status) {
		return &codedError{exitCredentials, fmt.Errorf("%w:\n  %s", scanners.ErrNoCredentials, strings.Join(missing, "\n  "))}
	}
	return nil
}

var errNoScanner = errors.New("no scanner found credentials")

// allFailed returns an error when no scanner produced anything: a report
// of zero findings would then read as "nothing to cut", which is false.
func allFailed(inv *scanners.Inventory) error {
	var errs []string
	for _, s := range inv.Status {
		if s.Succeeded {
			return nil
		}
		errs = append(errs, fmt.Sprintf("%s: %s", s.Scanner, s.Err))
	}
	return fmt.Errorf("every scanner failed, so no report was written:\n  %s", strings.Join(errs, "\n  "))
}
