package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/spf13/cobra"

	"github.com/ghostaudit/ghostaudit/scanners"
	awsscanner "github.com/ghostaudit/ghostaudit/scanners/aws"
	"github.com/ghostaudit/ghostaudit/scanners/aws/awssim"
	"github.com/ghostaudit/ghostaudit/scanners/estate"
	gcpscanner "github.com/ghostaudit/ghostaudit/scanners/gcp"
	"github.com/ghostaudit/ghostaudit/scanners/gcp/gcpsim"
	m365scanner "github.com/ghostaudit/ghostaudit/scanners/m365"
	"github.com/ghostaudit/ghostaudit/scanners/m365/graphsim"
	"github.com/ghostaudit/ghostaudit/testdata/estates"
)

const demoWorkbook = "ghostaudit-demo.xlsx"

func (a *app) demoCommand() *cobra.Command {
	var of outputFlags
	var estatePath string
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Run a full audit offline against a simulated company and write the CFO workbook",
		Long: `demo starts the cloud simulators in-process on loopback, loaded with an embedded
demo estate (two AWS accounts, several regions, one region denied), runs the real
scanners against them over the real wire protocols, and writes the workbook
` + demoWorkbook + ` (or the files given with -o). Nothing leaves this machine.`,
		Example: `  ghostaudit demo
  ghostaudit demo -o xlsx=/tmp/demo.xlsx -o json=/tmp/demo.json
  ghostaudit demo --estate testdata/estates/edge-cases.yaml --format json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if len(of.outputs) == 0 {
				of.outputs = []string{"xlsx=" + demoWorkbook}
			}
			return a.demo(cmd, &of, estatePath)
		},
	}
	of.add(cmd.Flags(), "table", a.getenv)
	cmd.Flags().StringVar(&estatePath, "estate", "", "estate file to simulate instead of the embedded demo estate")
	return cmd
}

// loadEstate reads an estate file, or the embedded demo estate.
func loadEstate(path string) (*estate.Estate, error) {
	if path == "" {
		return estate.Parse("testdata/estates/demo.yaml", estates.Demo)
	}
	return estate.Load(path)
}

// simulation is the simulators serving one estate on loopback.
type simulation struct {
	est    *estate.Estate
	aws    *awssim.Estate
	awsSim *awssim.Sim
	awsURL string
	gcp    *gcpsim.Server   // nil when the estate has no gcp section
	m365   *graphsim.Server // nil when the estate has no m365 section
	m365E  *graphsim.Estate
	closes []func()
}

func (s *simulation) close() {
	for i := len(s.closes) - 1; i >= 0; i-- {
		s.closes[i]()
	}
}

// scanners lists the scanners whose provider the estate simulates.
func (s *simulation) scanners() []string {
	var out []string
	if s.aws != nil {
		out = append(out, "aws")
	}
	if s.gcp != nil {
		out = append(out, "gcp")
	}
	if s.m365 != nil {
		out = append(out, "m365")
	}
	return out
}

// httpClient is the HTTP client a scanner needs to reach its simulator
// (the Graph simulator's self-signed TLS certificate), or nil.
func (s *simulation) httpClient(name string) *http.Client {
	if name == "m365" && s.m365 != nil {
		return s.m365.Client()
	}
	return nil
}

// configure points a scanner's options at the simulators.
func (s *simulation) configure(name string, o scanners.Options) {
	switch opts := o.(type) {
	case *awsscanner.Options:
		opts.EndpointURL = s.awsURL
		opts.Credentials = credentials.NewStaticCredentialsProvider(awssim.AccessKeyID, awssim.SecretAccessKey, "")
		opts.Accounts = s.memberAccounts()
		opts.HomeRegion = "us-east-1"
		opts.Profile = ""
	case *gcpscanner.Options:
		if s.gcp != nil {
			opts.ClientOptions = s.gcp.ClientOptions()
		}
	case *m365scanner.Options:
		if s.m365 != nil {
			opts.Tenants, opts.ClientID, opts.ClientSecret = nil, "", ""
			for _, t := range s.m365E.Tenants {
				opts.Tenants = append(opts.Tenants, t.ID)
				if len(t.Apps) > 0 && opts.ClientID == "" {
					opts.ClientID, opts.ClientSecret = t.Apps[0].ClientID, t.Apps[0].ClientSecret
				}
			}
			opts.Auth = m365scanner.AuthClientSecret
			opts.GraphURL, opts.AuthorityHost = s.m365.URL, s.m365.URL+"/"
		}
	}
}

func (a *app) startSimulation(est *estate.Estate, listen string) (*simulation, error) {
	awsEst, ok, err := awssim.Load(est)
	if err != nil {
		return nil, &usageError{err}
	}
	if !ok {
		return nil, usagef("%s: the estate has no aws section; nothing to simulate", est.File)
	}
	gcpEst, hasGCP, err := gcpsim.Load(est)
	if err != nil {
		return nil, &usageError{err}
	}
	sim := awssim.New(awsEst, awssim.Options{Now: a.now, Logger: a.logger.With("sim", "aws")})
	srv := httptest.NewUnstartedServer(sim)
	if listen != "" {
		l, err := netListen(listen)
		if err != nil {
			return nil, usagef("--listen %s: %v", listen, err)
		}
		srv.Listener.Close()
		srv.Listener = l
	}
	srv.Start()
	s := &simulation{est: est, aws: awsEst, awsSim: sim, awsURL: srv.URL, closes: []func(){srv.Close}}
	if hasGCP {
		g, err := gcpsim.Start(gcpEst, gcpsim.Options{Now: a.now, Logger: a.logger.With("sim", "gcp")})
		if err != nil {
			s.close()
			return nil, fmt.Errorf("start the GCP simulator: %w", err)
		}
		s.gcp = g
		s.closes = append(s.closes, g.Stop)
	}
	mEst, hasM365, err := graphsim.Load(est)
	if err != nil {
		s.close()
		return nil, &usageError{err}
	}
	if hasM365 {
		s.m365E = mEst
		s.m365 = graphsim.Start(mEst, graphsim.Options{Now: a.now, Logger: a.logger.With("sim", "m365")})
		s.closes = append(s.closes, s.m365.Close)
	}
	return s, nil
}

// memberAccounts lists the estate's accounts other than the caller's.
func (s *simulation) memberAccounts() []string {
	caller := s.aws.CallerAccount
	if caller == "" && len(s.aws.Accounts) > 0 {
		caller = s.aws.Accounts[0].ID
	}
	var out []string
	for _, acct := range s.aws.Accounts {
		if acct.ID != caller {
			out = append(out, acct.ID)
		}
	}
	return out
}

func (a *app) demo(cmd *cobra.Command, of *outputFlags, estatePath string) error {
	specs, err := of.parse()
	if err != nil {
		return err
	}
	est, err := loadEstate(estatePath)
	if err != nil {
		return &usageError{err}
	}
	sim, err := a.startSimulation(est, "")
	if err != nil {
		return err
	}
	defer sim.close()
	cfg, err := a.loadConfig(of.config, of.sets...)
	if err != nil {
		return err
	}
	a.simClient = sim.httpClient
	jobs, _, err := a.buildJobs(cfg, nil, sim.scanners(), sim.configure)
	if err != nil {
		return err
	}
	inv, err := a.runScanners(cmd.Context(), jobs)
	if err != nil {
		return err
	}
	if err := allFailed(inv); err != nil {
		return err
	}
	res, err := a.analyse(cmd.Context(), inv, cfg, of, jobs)
	if err != nil {
		return err
	}
	if err := a.emit(cmd, of, specs, inv, res); err != nil {
		return err
	}
	out := cmd.OutOrStdout()
	if of.format != "json" && of.format != "csv" {
		fmt.Fprintf(out, "\nDemo estate %q: %d findings, %s %s/month (%s %s/year) identified, %d 30-day wins.\n",
			est.Name, res.Totals.Findings, res.Totals.MonthlySavings.StringFixed(2), res.Totals.Currency,
			res.Totals.AnnualSavings.StringFixed(2), res.Totals.Currency, res.Totals.Wins)
		for _, s := range specs {
			fmt.Fprintf(out, "Wrote %s: %s\n", s.format, s.path)
		}
	}
	return nil
}
