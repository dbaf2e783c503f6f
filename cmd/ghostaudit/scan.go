package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/ghostaudit/ghostaudit/scanners"
)

func (a *app) scanCommand() *cobra.Command {
	var of outputFlags
	var selected string
	cmd := &cobra.Command{
		Use:   "scan",
		Short: "Audit live accounts read-only and report what can be cut",
		Long: `scan runs the selected scanners against your real accounts, read-only, then
prices and ranks the findings and writes the reports.

By default it runs every scanner that finds credentials (see 'ghostaudit scanners
list'); --scanners selects some explicitly, and then a selected scanner without
credentials is an error (exit 4). Settings come from ghostaudit.yaml, overridden
by GHOSTAUDIT_* environment variables, overridden by flags.`,
		Example: `  # Audit the account of your current AWS credentials
  ghostaudit scan --scanners aws -o xlsx=audit.xlsx

  # Several member accounts through a read-only role, two regions, JSON for CI
  ghostaudit scan --scanners aws --aws-accounts 222222222222,333333333333 \
    --aws-role-name ghostaudit-readonly --aws-regions eu-west-1,us-east-1 \
    -o json=findings.json --format none --strict

  # Keep the raw inventory to re-analyse offline later
  ghostaudit scan -o inventory=inv.json -o xlsx=audit.xlsx`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.scan(cmd, &of, selected)
		},
	}
	of.add(cmd.Flags(), "table", a.getenv)
	cmd.Flags().StringVar(&selected, "scanners", a.getenv("GHOSTAUDIT_SCANNERS"), "comma-separated scanners to run (default: every scanner that finds credentials; env GHOSTAUDIT_SCANNERS)")
	for _, info := range a.registry.All() {
		info.NewOptions().AddFlags(cmd.Flags())
	}
	return cmd
}

func (a *app) scan(cmd *cobra.Command, of *outputFlags, selected string) error {
	specs, err := of.parse()
	if err != nil {
		return err
	}
	cfg, err := a.loadConfig(of.config, of.sets...)
	if err != nil {
		return err
	}
	jobs, explicit, err := a.buildJobs(cfg, cmd.Flags(), splitList(selected), nil)
	if err != nil {
		return err
	}
	inv, err := a.runScanners(cmd.Context(), jobs)
	if err != nil {
		return err
	}
	if err := credentialsOutcome(inv, explicit); err != nil {
		return err
	}
	if err := allFailed(inv); err != nil {
		return err
	}
	res, err := a.analyse(cmd.Context(), inv, cfg, of, jobs)
	if err != nil {
		return err
	}
	return a.emit(cmd, of, specs, inv, res)
}

// buildJobs selects and builds scanners. With no explicit selection it
// takes every scanner whose credentials are detected; tweak, when not nil,
// adjusts each scanner's options (the demo points them at simulators).
func (a *app) buildJobs(cfg *fileConfig, flags *pflag.FlagSet, names []string, tweak func(name string, o scanners.Options)) (jobs []scanners.Job, explicit bool, err error) {
	explicit = len(names) > 0
	var infos []scanners.Info
	if explicit {
		for _, n := range names {
			info, ok := a.registry.Lookup(n)
			if !ok {
				return nil, true, usagef("--scanners: unknown scanner %q (known: %s)", n, strings.Join(a.registry.Names(), ", "))
			}
			infos = append(infos, info)
		}
	} else {
		infos = a.registry.All()
	}
	var why []string
	var prog scanners.Progress
	if a.isTTY(a.stderr) {
		a.progress = newProgress(a.stderr)
		prog = a.progress
	}
	for _, info := range infos {
		opts, err := a.scannerOptions(info, cfg, flags)
		if err != nil {
			return nil, explicit, err
		}
		if tweak != nil {
			tweak(info.Name, opts)
		}
		if !explicit {
			c := scanners.Credentials{}
			if info.DetectCredentials != nil {
				c = info.DetectCredentials(opts)
			}
			if !c.Found {
				why = append(why, fmt.Sprintf("%s: %s", info.Name, c.Source))
				a.logger.Info("scanner skipped: no credentials found", "scanner", info.Name)
				continue
			}
		}
		env := scanners.Env{Logger: a.logger.With("scanner", info.Name), Now: a.now, Progress: prog}
		if a.simClient != nil {
			env.HTTPClient = a.simClient(info.Name)
		}
		s, err := info.New(opts, env)
		if err != nil {
			return nil, explicit, usagef("%s: %v", info.Name, err)
		}
		jobs = append(jobs, scanners.Job{Name: info.Name, Scanner: s, Options: opts})
	}
	if len(jobs) == 0 {
		return nil, explicit, &codedError{exitCredentials, fmt.Errorf("%w; to provide them:\n  %s", errNoScanner, strings.Join(why, "\n  "))}
	}
	return jobs, explicit, nil
}
