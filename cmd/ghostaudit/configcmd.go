package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/ghostaudit/ghostaudit/findings"
)

func (a *app) configCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "config",
		Short: "Check or print the configuration file",
		Args:  cobra.NoArgs,
	}
	var path string
	var sets []string
	validate := &cobra.Command{
		Use:   "validate [FILE]",
		Short: "Check ghostaudit.yaml: keys, types, values, scanner options and rule parameters",
		Long: `validate reads the config file (--config, GHOSTAUDIT_CONFIG or ./ghostaudit.yaml),
applies the GHOSTAUDIT_* environment, and checks everything a scan would check,
without contacting any provider. A problem is reported as file:line:column:
key: problem with exit code 2.`,
		Example: `  ghostaudit config validate
  ghostaudit config validate prod.yaml
  ghostaudit config validate --config prod.yaml`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				if path != "" && path != args[0] {
					return usagef("config validate: a file argument (%s) and --config (%s) name different files", args[0], path)
				}
				path = args[0]
			}
			cfg, err := a.loadConfig(path, sets...)
			if err != nil {
				return err
			}
			for _, info := range a.registry.All() {
				if _, err := a.scannerOptions(info, cfg, nil); err != nil {
					return err
				}
			}
			if _, err := findings.NewEngine(findings.Rules(), nil, cfg.Rules); err != nil {
				return &usageError{cfg.locate(err, "")}
			}
			name := cfg.path
			if name == "" {
				name = "defaults (no config file)"
			}
			_, err = fmt.Fprintf(cmd.OutOrStdout(), "%s: ok\n", name)
			return err
		},
	}
	validate.Flags().StringVar(&path, "config", "", "config file (default ./ghostaudit.yaml when present; env GHOSTAUDIT_CONFIG)")
	validate.Flags().StringArrayVar(&sets, "set", nil, "override a finance setting, KEY=VALUE")
	example := &cobra.Command{
		Use:     "example",
		Short:   "Print a fully commented ghostaudit.yaml with every option at its default",
		Example: `  ghostaudit config example > ghostaudit.yaml`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := fmt.Fprint(cmd.OutOrStdout(), a.exampleConfig())
			return err
		},
	}
	cmd.AddCommand(validate, example)
	return cmd
}
