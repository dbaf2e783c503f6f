package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/ghostaudit/ghostaudit/scanners"
	"github.com/ghostaudit/ghostaudit/scanners/all"
)

// app holds what every command shares: streams, environment, clock and
// the scanner registry. Nothing here is global, so tests run the CLI
// in-process and in parallel.
type app struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
	now            func() time.Time
	registry       *scanners.Registry

	logLevel  string
	logFormat string
	logger    *slog.Logger
	progress  *progress // set on a terminal; nil in CI and when piped
	// simClient, when set (the demo), gives a scanner the HTTP client that
	// reaches its simulator.
	simClient func(scanner string) *http.Client
}

// run is the whole CLI: main only adds the process's streams and signals.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	a := &app{stdin: stdin, stdout: stdout, stderr: stderr, getenv: os.Getenv, now: time.Now, registry: all.Registry()}
	return a.run(ctx, args)
}

func (a *app) run(ctx context.Context, args []string) int {
	root := a.rootCommand()
	root.SetArgs(args)
	root.SetIn(a.stdin)
	root.SetOut(a.stdout)
	root.SetErr(a.stderr)
	err := root.ExecuteContext(ctx)
	if err != nil && strings.HasPrefix(err.Error(), "unknown command ") {
		// cobra reports an unknown sub-command as a plain error.
		err = &usageError{fmt.Errorf("%w\nRun 'ghostaudit --help' for usage.", err)}
	}
	return exitCode(err, a.stderr)
}

func (a *app) rootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:   "ghostaudit",
		Short: "Audit cloud and SaaS spend: ghost licences and idle infrastructure, priced, for the CFO",
		Long: `ghostaudit scans AWS, GCP and Microsoft 365 read-only, finds paid resources and
seats nobody uses, prices each finding from dated list prices, ranks the 30-day
wins, and writes an Excel workbook for the CFO plus JSON, CSV, Markdown and a
terminal table. With --ledger it tracks savings from run to run for CI.

Exit codes: 0 ok (including nothing found), 1 runtime error, 2 usage or config
error, 3 --fail-on threshold crossed, 4 no usable credentials, 5 incomplete
coverage with --strict.`,
		Example: `  # Try it offline against the simulated demo estate
  ghostaudit demo

  # Audit the AWS account of your current credentials
  ghostaudit scan --scanners aws -o xlsx=audit.xlsx -o json=findings.json`,
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			return a.setupLogging()
		},
	}
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error {
		return &usageError{fmt.Errorf("%w\nRun '%s --help' for usage.", err, cmd.CommandPath())}
	})
	pf := root.PersistentFlags()
	pf.StringVar(&a.logLevel, "log-level", envOr(a.getenv, "GHOSTAUDIT_LOG_LEVEL", "warn"), "log level: debug, info, warn, error (env GHOSTAUDIT_LOG_LEVEL)")
	pf.StringVar(&a.logFormat, "log-format", envOr(a.getenv, "GHOSTAUDIT_LOG_FORMAT", "text"), "log format: text or json (env GHOSTAUDIT_LOG_FORMAT)")
	root.AddCommand(a.scanCommand(), a.demoCommand(), a.simCommand(), a.reportCommand(), a.scannersCommand(), a.configCommand(), a.diffCommand(), a.versionCommand())
	return root
}

func (a *app) setupLogging() error {
	var level slog.Level
	if err := level.UnmarshalText([]byte(a.logLevel)); err != nil {
		return usagef("--log-level: %q is not one of debug, info, warn, error", a.logLevel)
	}
	opts := &slog.HandlerOptions{Level: level}
	switch a.logFormat {
	case "text":
		a.logger = slog.New(slog.NewTextHandler(a.stderr, opts))
	case "json":
		a.logger = slog.New(slog.NewJSONHandler(a.stderr, opts))
	default:
		return usagef("--log-format: %q is not text or json", a.logFormat)
	}
	return nil
}

func envOr(getenv func(string) string, key, def string) string {
	if v := getenv(key); v != "" {
		return v
	}
	return def
}

// isTTY reports whether w is a terminal and we are not in CI.
func (a *app) isTTY(w io.Writer) bool {
	if a.getenv("CI") == "true" {
		return false
	}
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// progress shows, on a terminal, each scanner's scopes done out of those
// known and the records found so far, on one line of stderr.
type progress struct {
	mu      sync.Mutex
	w       io.Writer
	names   []string
	done    map[string]int
	total   map[string]int
	found   map[string]int
	last    time.Time
	printed bool
}

func newProgress(w io.Writer) *progress {
	return &progress{w: w, done: map[string]int{}, total: map[string]int{}, found: map[string]int{}}
}

func (p *progress) seen(scanner string) {
	if _, ok := p.done[scanner]; !ok {
		p.names = append(p.names, scanner)
		p.done[scanner] = 0
	}
}

// Total implements scanners.Progress.
func (p *progress) Total(scanner string, units int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.seen(scanner)
	p.total[scanner] = units
	p.draw(true)
}

// Step implements scanners.Progress.
func (p *progress) Step(scanner, scope string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.seen(scanner)
	p.done[scanner]++
	p.draw(true)
}

// Found implements scanners.Progress.
func (p *progress) Found(scanner string, records int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.seen(scanner)
	p.found[scanner] = records
	p.draw(false)
}

// draw rewrites the line, at most ten times a second unless forced.
func (p *progress) draw(force bool) {
	if !force && time.Since(p.last) < 100*time.Millisecond {
		return
	}
	p.last = time.Now()
	var parts []string
	for _, n := range p.names {
		scope := fmt.Sprintf("%d", p.done[n])
		if t := p.total[n]; t > 0 {
			scope = fmt.Sprintf("%d/%d", p.done[n], t)
		}
		parts = append(parts, fmt.Sprintf("%s %s scopes, %d records", n, scope, p.found[n]))
	}
	fmt.Fprintf(p.w, "\r\033[Kscanning: %s", strings.Join(parts, " · "))
	p.printed = true
}

func (p *progress) finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.printed {
		fmt.Fprint(p.w, "\r\033[K")
	}
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
