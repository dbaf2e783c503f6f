package main

import (
	"fmt"
	"net"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ghostaudit/ghostaudit/scanners/aws/awssim"
)

func netListen(addr string) (net.Listener, error) { return net.Listen("tcp", addr) }

func (a *app) simCommand() *cobra.Command {
	var estatePath, listen string
	cmd := &cobra.Command{
		Use:   "sim",
		Short: "Serve the cloud simulators for an estate file until interrupted",
		Long: `sim loads an estate file and serves the AWS (and, when the estate has a gcp
section, GCP) simulators on loopback until
interrupted (Ctrl-C). It prints the environment with which a plain
'ghostaudit scan' in another shell audits that estate: the endpoint, dummy
credentials and the member accounts to assume a role into.`,
		Example: `  # shell 1
  ghostaudit sim --estate testdata/estates/demo.yaml
  # shell 2: paste the printed export lines, then
  ghostaudit scan -o json=findings.json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if estatePath == "" {
				return usagef("--estate is required")
			}
			est, err := loadEstate(estatePath)
			if err != nil {
				return &usageError{err}
			}
			sim, err := a.startSimulation(est, listen)
			if err != nil {
				return err
			}
			defer sim.close()
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "export AWS_ENDPOINT_URL=%s\n", sim.awsURL)
			fmt.Fprintf(out, "export AWS_ACCESS_KEY_ID=%s\n", awssim.AccessKeyID)
			fmt.Fprintf(out, "export AWS_SECRET_ACCESS_KEY=%s\n", awssim.SecretAccessKey)
			fmt.Fprintf(out, "export AWS_REGION=us-east-1\n")
			if sim.gcp != nil {
				fmt.Fprintf(out, "export GHOSTAUDIT_GCP_ENDPOINT=%s\n", sim.gcp.Addr)
				fmt.Fprintf(out, "export GHOSTAUDIT_GCP_ENDPOINT_PLAINTEXT=true\n")
			}
			if sim.m365 != nil {
				certFile, err := writeSimCertificate(sim.m365.CertificatePEM())
				if err != nil {
					return err
				}
				var tenants []string
				clientID, secret := "", ""
				for _, t := range sim.m365E.Tenants {
					tenants = append(tenants, t.ID)
					if len(t.Apps) > 0 && clientID == "" {
						clientID, secret = t.Apps[0].ClientID, t.Apps[0].ClientSecret
					}
				}
				fmt.Fprintf(out, "export SSL_CERT_FILE=%s\n", certFile)
				fmt.Fprintf(out, "export GHOSTAUDIT_M365_TENANTS=%s\n", strings.Join(tenants, ","))
				fmt.Fprintf(out, "export GHOSTAUDIT_M365_CLIENT_ID=%s\n", clientID)
				fmt.Fprintf(out, "export GHOSTAUDIT_M365_CLIENT_SECRET=%s\n", secret)
				fmt.Fprintf(out, "export GHOSTAUDIT_M365_GRAPH_URL=%s\n", sim.m365.URL)
				fmt.Fprintf(out, "export GHOSTAUDIT_M365_AUTHORITY_HOST=%s/\n", sim.m365.URL)
			}
			// Always the last line, possibly empty, so readers know the list is complete.
			fmt.Fprintf(out, "export GHOSTAUDIT_AWS_ACCOUNTS=%s\n", strings.Join(sim.memberAccounts(), ","))
			if f, ok := out.(interface{ Sync() error }); ok {
				_ = f.Sync()
			}
			fmt.Fprintf(a.stderr, "ghostaudit sim: serving %s (%s) until interrupted\n", est.File, est.Name)
			<-cmd.Context().Done()
			return nil
		},
	}
	cmd.Flags().StringVar(&estatePath, "estate", "", "estate file to serve (required)")
	cmd.Flags().StringVar(&listen, "listen", "127.0.0.1:0", "address to listen on (loopback only is sensible)")
	return cmd
}

// writeSimCertificate saves the Graph simulator's self-signed certificate
// for a scan in another process (SSL_CERT_FILE); the file is private to
// this run and removed with the temp directory by the OS.
func writeSimCertificate(pemBytes []byte) (string, error) {
	f, err := os.CreateTemp("", "ghostaudit-graphsim-*.pem")
	if err != nil {
		return "", err
	}
	defer f.Close()
	if _, err := f.Write(pemBytes); err != nil {
		return "", err
	}
	return f.Name(), nil
}
