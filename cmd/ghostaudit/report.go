package main

import (
	"os"

	"github.com/spf13/cobra"

	"github.com/ghostaudit/ghostaudit/scanners"
)

func (a *app) reportCommand() *cobra.Command {
	var of outputFlags
	var invPath string
	cmd := &cobra.Command{
		Use:   "report",
		Short: "Re-analyse a saved inventory offline and write reports",
		Long: `report reads an inventory saved by 'scan -o inventory=FILE' and runs the
findings engine again, with the current rules, thresholds and prices, without
contacting any provider.`,
		Example: `  ghostaudit scan -o inventory=inv.json --format none
  ghostaudit report --inventory inv.json -o xlsx=audit.xlsx`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if invPath == "" {
				return usagef("--inventory is required")
			}
			specs, err := of.parse()
			if err != nil {
				return err
			}
			cfg, err := a.loadConfig(of.config, of.sets...)
			if err != nil {
				return err
			}
			f, err := os.Open(invPath)
			if err != nil {
				return usagef("--inventory: %v", err)
			}
			defer f.Close()
			inv, err := scanners.DecodeInventory(invPath, f)
			if err != nil {
				return &usageError{err}
			}
			res, err := a.analyse(cmd.Context(), inv, cfg, &of, nil)
			if err != nil {
				return err
			}
			return a.emit(cmd, &of, specs, inv, res)
		},
	}
	of.add(cmd.Flags(), "table", a.getenv)
	cmd.Flags().StringVar(&invPath, "inventory", "", "inventory JSON written by scan -o inventory=FILE (required)")
	return cmd
}
