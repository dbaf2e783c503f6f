package main

import (
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"
)

func (a *app) scannersCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "scanners",
		Short: "List the built-in scanners",
		Args:  cobra.NoArgs,
	}
	var config string
	list := &cobra.Command{
		Use:   "list",
		Short: "List scanners, what they emit, and whether they find credentials",
		Long: `list shows every built-in scanner, the kinds of records it emits, and whether
it finds credentials here (without any network call). 'ghostaudit scan' without
--scanners runs exactly the scanners marked "yes".`,
		Example: `  ghostaudit scanners list`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := a.loadConfig(config)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			tty := a.isTTY(out)
			tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
			if tty {
				fmt.Fprintln(tw, "SCANNER\tCREDENTIALS\tKINDS\tDESCRIPTION")
			}
			for _, info := range a.registry.All() {
				opts, err := a.scannerOptions(info, cfg, nil)
				if err != nil {
					return err
				}
				found := "no: " + "never detected automatically"
				if info.DetectCredentials != nil {
					c := info.DetectCredentials(opts)
					if c.Found {
						found = "yes: " + c.Source
					} else {
						found = "no: " + c.Source
					}
				}
				if tty {
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", info.Name, found, strings.Join(info.Kinds, ","), info.Description)
				} else {
					fmt.Fprintf(out, "%s\t%s\t%s\t%s\n", info.Name, found, strings.Join(info.Kinds, ","), info.Description)
				}
			}
			return tw.Flush()
		},
	}
	list.Flags().StringVar(&config, "config", "", "config file (default ./ghostaudit.yaml when present)")
	cmd.AddCommand(list)
	return cmd
}
