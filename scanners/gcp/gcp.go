// Package gcp is ghostaudit's Google Cloud scanner. It starts from the
// billing accounts the credentials can see (or the configured ones, or
// configured projects), takes the projects billed to them, and emits the
// Recommender API's idle-resource and rightsizing recommendations of each
// project, and its Compute Engine disks, addresses and instances listed directly
// (google.golang.org/api/compute/v1, REST), as scanners.Resource records
// for the findings rules. catalog.go fetches Cloud Catalog list prices.
//
// Credentials are Application Default Credentials, optionally used to
// impersonate a service account. Every client carries a read-only guard:
// a gRPC interceptor refuses any method that is not on the allow-list in
// readonly.go before it is sent, and the Compute REST client's transport
// refuses every request that is not a GET. The simulator in gcpsim is
// wired in with Options.Endpoint (+ Plaintext: gRPC and REST share the
// port; the REST base URL is http://<endpoint>/compute/v1/) or
// Options.ClientOptions (+ ComputeClientOptions).
package gcp

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"time"

	billing "cloud.google.com/go/billing/apiv1"
	recommender "cloud.google.com/go/recommender/apiv1"
	"github.com/spf13/pflag"
	compute "google.golang.org/api/compute/v1"
	"google.golang.org/api/impersonate"
	"google.golang.org/api/option"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/ghostaudit/ghostaudit/scanners"
)

// KindRecommendation is the kind of the records the scanner emits: one
// Recommender recommendation. Its attribute keys are the Attr* constants.
const KindRecommendation = "gcp.recommender.recommendation"

// Info describes the GCP scanner to the registry.
var Info = scanners.Info{
	Name:        "gcp",
	Description: "Google Cloud: Recommender idle-resource and rightsizing recommendations, and Compute Engine disks, addresses and instances, of the projects billed to the visible billing accounts",
	Kinds:       []string{KindRecommendation, KindDisk, KindAddress, KindInstance},
	NewOptions:  func() scanners.Options { return NewOptions() },
	New: func(o scanners.Options, env scanners.Env) (scanners.Scanner, error) {
		opts, ok := o.(*Options)
		if !ok {
			return nil, fmt.Errorf("gcp: options of type %T", o)
		}
		return New(opts, env)
	},
	DetectCredentials: func(o scanners.Options) scanners.Credentials {
		opts, _ := o.(*Options)
		return detectCredentials(opts, os.Getenv)
	},
}

// Options are the GCP scanner's settings: config key `scanners.gcp`,
// flags --gcp-*, env GHOSTAUDIT_GCP_*.
type Options struct {
	BillingAccounts []string `yaml:"billing_accounts" json:"billing_accounts,omitempty"`
	Projects        []string `yaml:"projects" json:"projects,omitempty"`
	Locations       []string `yaml:"locations" json:"locations"`
	// LocationsOnly asks the Recommender at Locations only, not also at
	// the regions and zones each project's Compute lists name: fewer calls
	// (about 42 regions a project otherwise), at the price of missing
	// recommendations elsewhere.
	LocationsOnly bool     `yaml:"locations_only" json:"locations_only,omitempty"`
	Recommenders  []string `yaml:"recommenders" json:"recommenders"`
	States        []string `yaml:"states" json:"states"`
	Impersonate   string   `yaml:"impersonate_service_account" json:"impersonate_service_account,omitempty"`
	QuotaProject  string   `yaml:"quota_project" json:"quota_project,omitempty"`
	Endpoint      string   `yaml:"endpoint" json:"endpoint,omitempty"`
	// Plaintext connects to a loopback Endpoint without TLS and without
	// credentials: for the simulator (`ghostaudit sim`) only.
	Plaintext   bool `yaml:"endpoint_plaintext" json:"endpoint_plaintext,omitempty"`
	MaxAttempts int  `yaml:"max_attempts" json:"max_attempts"`
	Concurrency int  `yaml:"concurrency" json:"concurrency"`
	PageSize    int  `yaml:"page_size" json:"page_size"`
	// Compute lists each project's Compute Engine disks, addresses and
	// instances directly (kinds gcp.compute.disk, gcp.compute.address and
	// gcp.compute.instance).
	Compute bool `yaml:"compute" json:"compute"`

	// ClientOptions are appended to every client's options. They are for
	// programs embedding the scanner (the demo hands over the simulator's
	// endpoint and plaintext transport, gcpsim.Server.ClientOptions); they
	// have no flag and are never logged.
	ClientOptions []option.ClientOption `yaml:"-" json:"-"`
	// ComputeClientOptions are appended after ClientOptions to the Compute
	// Engine REST client only (gcpsim.Server.ComputeClientOptions). Without
	// them, a host:port endpoint in ClientOptions is reached over REST at
	// http(s)://host:port/compute/v1/ (http for a loopback host).
	ComputeClientOptions []option.ClientOption `yaml:"-" json:"-"`
	// MaxBackoff caps the retry back-off; zero means 20s.
	MaxBackoff time.Duration `yaml:"-" json:"-"`
}

// NewOptions returns the documented defaults.
func NewOptions() *Options {
	return &Options{
		Locations:    append([]string(nil), DefaultLocations...),
		Recommenders: RecommenderIDs(),
		States:       []string{"ACTIVE"},
		MaxAttempts:  5,
		Concurrency:  8,
		PageSize:     100,
		Compute:      true,
	}
}

// AddFlags implements scanners.Options.
func (o *Options) AddFlags(fs *pflag.FlagSet) {
	fs.StringSliceVar(&o.BillingAccounts, "gcp-billing-accounts", o.BillingAccounts, "billing account IDs (012345-567890-ABCDEF) whose projects are audited (default: every account the credentials can see)")
	fs.StringSliceVar(&o.Projects, "gcp-projects", o.Projects, "project IDs to audit instead of the projects of the billing accounts")
	fs.StringSliceVar(&o.Locations, "gcp-locations", o.Locations, "locations whose recommendations are listed: zones, regions (which add their known zones) and global; each recommender is asked at the locations it serves, and also at the regions each project's Compute Engine lists name and the zones holding its disks")
	fs.BoolVar(&o.LocationsOnly, "gcp-locations-only", o.LocationsOnly, "ask the Recommender at --gcp-locations only, not also at the regions and zones each project's Compute Engine lists name (fewer calls; recommendations elsewhere are missed)")
	fs.StringSliceVar(&o.Recommenders, "gcp-recommenders", o.Recommenders, "Recommender IDs to list")
	fs.StringSliceVar(&o.States, "gcp-states", o.States, "recommendation states to list (ACTIVE, CLAIMED, SUCCEEDED, FAILED, DISMISSED)")
	fs.StringVar(&o.Impersonate, "gcp-impersonate-service-account", o.Impersonate, "service account e-mail to impersonate with the Application Default Credentials (needs roles/iam.serviceAccountTokenCreator on it)")
	fs.StringVar(&o.QuotaProject, "gcp-quota-project", o.QuotaProject, "project billed for API quota (needed with user credentials; default: the ADC quota project)")
	fs.StringVar(&o.Endpoint, "gcp-endpoint", o.Endpoint, "host:port serving Cloud Billing and Recommender over gRPC, and Compute Engine REST at https://host:port/compute/v1/ (for simulators and private endpoints)")
	fs.BoolVar(&o.Plaintext, "gcp-endpoint-plaintext", o.Plaintext, "connect to a loopback --gcp-endpoint without TLS or credentials (simulators only)")
	fs.IntVar(&o.MaxAttempts, "gcp-max-attempts", o.MaxAttempts, "attempts per call on RESOURCE_EXHAUSTED or UNAVAILABLE before the scope becomes a coverage gap")
	fs.IntVar(&o.Concurrency, "gcp-concurrency", o.Concurrency, "Recommender calls in flight at once")
	fs.IntVar(&o.PageSize, "gcp-page-size", o.PageSize, "page size of list calls (1-100; Cloud Billing's maximum is 100)")
	fs.BoolVar(&o.Compute, "gcp-compute", o.Compute, "list each project's Compute Engine disks, addresses and instances directly (needs roles/compute.viewer)")
}

var (
	billingAccountRE = regexp.MustCompile(`^[0-9A-F]{6}-[0-9A-F]{6}-[0-9A-F]{6}$`)
	// projectIDRE accepts project IDs, and the legacy domain-scoped ones
	// Google still documents ("example.com:my-project", Resource Manager
	// "Creating and managing projects").
	projectIDRE      = regexp.MustCompile(`^([a-z0-9][a-z0-9.-]*[a-z0-9]:)?[a-z][a-z0-9-]{4,28}[a-z0-9]$`)
	serviceAccountRE = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.iam\.gserviceaccount\.com$`)
	recStates        = []string{"ACTIVE", "CLAIMED", "SUCCEEDED", "FAILED", "DISMISSED"}
)

// Validate implements scanners.Options.
func (o *Options) Validate() error {
	for _, a := range o.BillingAccounts {
		if !billingAccountRE.MatchString(strings.TrimPrefix(a, "billingAccounts/")) {
			return fmt.Errorf("gcp.billing_accounts: %q is not a billing account ID such as 012345-567890-ABCDEF", a)
		}
	}
	for _, p := range o.Projects {
		if !projectIDRE.MatchString(p) {
			return fmt.Errorf("gcp.projects: %q is not a project ID", p)
		}
	}
	if len(o.Locations) == 0 {
		return errors.New("gcp.locations: at least one location is required")
	}
	for _, l := range o.Locations {
		if kindOf(l) == 0 {
			return fmt.Errorf("gcp.locations: %q is not a zone (us-central1-a), a region (us-central1) or global", l)
		}
	}
	if len(o.Recommenders) == 0 {
		return errors.New("gcp.recommenders: at least one recommender is required")
	}
	for _, r := range o.Recommenders {
		if _, ok := recommenderByID(r); !ok {
			return fmt.Errorf("gcp.recommenders: %q is not a supported recommender (%s)", r, strings.Join(RecommenderIDs(), ", "))
		}
	}
	if len(o.States) == 0 {
		return errors.New("gcp.states: at least one state is required")
	}
	for _, s := range o.States {
		if !contains(recStates, s) {
			return fmt.Errorf("gcp.states: %q is not a recommendation state (%s)", s, strings.Join(recStates, ", "))
		}
	}
	if o.Impersonate != "" && !serviceAccountRE.MatchString(o.Impersonate) {
		return fmt.Errorf("gcp.impersonate_service_account: %q is not a service account e-mail (name@project.iam.gserviceaccount.com)", o.Impersonate)
	}
	if o.QuotaProject != "" && !projectIDRE.MatchString(o.QuotaProject) {
		return fmt.Errorf("gcp.quota_project: %q is not a project ID", o.QuotaProject)
	}
	if o.Endpoint != "" && (strings.Contains(o.Endpoint, "://") || !strings.Contains(o.Endpoint, ":")) {
		return fmt.Errorf("gcp.endpoint: %q is not host:port", o.Endpoint)
	}
	if o.Plaintext {
		host, _, err := net.SplitHostPort(o.Endpoint)
		ip := net.ParseIP(host)
		if o.Endpoint == "" || err != nil || !(host == "localhost" || (ip != nil && ip.IsLoopback())) {
			return fmt.Errorf("gcp.endpoint_plaintext: only for a loopback endpoint such as 127.0.0.1:port, got endpoint %q", o.Endpoint)
		}
	}
	if o.MaxAttempts < 1 || o.MaxAttempts > 20 {
		return fmt.Errorf("gcp.max_attempts: %d is outside 1-20", o.MaxAttempts)
	}
	if o.Concurrency < 1 || o.Concurrency > 64 {
		return fmt.Errorf("gcp.concurrency: %d is outside 1-64", o.Concurrency)
	}
	if o.PageSize < 1 || o.PageSize > 100 {
		return fmt.Errorf("gcp.page_size: %d is outside 1-100", o.PageSize)
	}
	return nil
}

// Redacted implements scanners.Options. No option is a secret; the
// programmatic client options (which may carry keys) are dropped.
func (o *Options) Redacted() scanners.Options {
	c := *o
	c.ClientOptions = nil
	c.ComputeClientOptions = nil
	return &c
}

// detectCredentials looks for Application Default Credentials without any
// network call: GOOGLE_APPLICATION_CREDENTIALS, then gcloud's ADC file.
// The metadata server of GCE, GKE or Cloud Run cannot be detected offline;
// select the scanner explicitly with --scanners gcp to use it.
func detectCredentials(o *Options, getenv func(string) string) scanners.Credentials {
	if o != nil && len(o.ClientOptions) > 0 {
		return scanners.Credentials{Found: true, Source: "provided programmatically"}
	}
	if o != nil && o.Plaintext && o.Endpoint != "" {
		return scanners.Credentials{Found: true, Source: "none needed: plaintext simulator endpoint " + o.Endpoint}
	}
	if f := getenv("GOOGLE_APPLICATION_CREDENTIALS"); f != "" {
		if st, err := os.Stat(f); err == nil && !st.IsDir() {
			return scanners.Credentials{Found: true, Source: "GOOGLE_APPLICATION_CREDENTIALS=" + f}
		}
		return scanners.Credentials{Found: false, Source: "GOOGLE_APPLICATION_CREDENTIALS names " + f + ", which is not a readable file; " + noCredentialsHelp}
	}
	if f := adcFile(getenv); f != "" {
		if st, err := os.Stat(f); err == nil && st.Size() > 0 {
			return scanners.Credentials{Found: true, Source: "gcloud application default credentials " + f}
		}
	}
	return scanners.Credentials{Found: false, Source: noCredentialsHelp}
}

const noCredentialsHelp = "run `gcloud auth application-default login` (and `gcloud auth application-default set-quota-project PROJECT`), " +
	"or set GOOGLE_APPLICATION_CREDENTIALS to a credentials file, or run on Google Cloud with an attached service account and select --scanners gcp; " +
	"see docs/permissions/gcp.md for the roles"

// adcFile is where gcloud writes Application Default Credentials.
func adcFile(getenv func(string) string) string {
	const name = "application_default_credentials.json"
	if d := getenv("CLOUDSDK_CONFIG"); d != "" {
		return filepath.Join(d, name)
	}
	if runtime.GOOS == "windows" {
		if d := getenv("APPDATA"); d != "" {
			return filepath.Join(d, "gcloud", name)
		}
		return ""
	}
	home := getenv("HOME")
	if home == "" {
		home, _ = os.UserHomeDir()
	}
	if home == "" {
		return ""
	}
	return filepath.Join(home, ".config", "gcloud", name)
}

// Scanner scans the projects of one or more billing accounts.
type Scanner struct {
	opts Options
	env  scanners.Env
}

// New validates the options and returns a scanner. It makes no call.
func New(opts *Options, env scanners.Env) (*Scanner, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	if env.Now == nil {
		env.Now = time.Now
	}
	if env.Logger == nil {
		env.Logger = discardLogger()
	}
	return &Scanner{opts: *opts, env: env}, nil
}

// clients are the API clients of one scan, all behind the read-only guard.
type clients struct {
	billing     *billing.CloudBillingClient
	recommender *recommender.Client
	compute     *compute.Service // nil unless Options.Compute
}

func (c *clients) Close() {
	if c.billing != nil {
		_ = c.billing.Close()
	}
	if c.recommender != nil {
		_ = c.recommender.Close()
	}
}

// clientOptions are the options of every client: the guard first, then
// endpoint, quota project, impersonation and the programmatic options.
func (s *Scanner) clientOptions(ctx context.Context) ([]option.ClientOption, error) {
	opts := []option.ClientOption{
		option.WithGRPCDialOption(grpc.WithChainUnaryInterceptor(readOnlyUnary)),
		option.WithGRPCDialOption(grpc.WithChainStreamInterceptor(readOnlyStream)),
		option.WithUserAgent("ghostaudit"),
	}
	if s.opts.Endpoint != "" {
		opts = append(opts, option.WithEndpoint(s.opts.Endpoint))
	}
	if s.opts.Plaintext {
		opts = append(opts, option.WithoutAuthentication(),
			option.WithGRPCDialOption(grpc.WithTransportCredentials(insecure.NewCredentials())))
	}
	if s.opts.QuotaProject != "" {
		opts = append(opts, option.WithQuotaProject(s.opts.QuotaProject))
	}
	if s.opts.Impersonate != "" {
		o, err := impersonated(ctx, s.opts.Impersonate)
		if err != nil {
			return nil, err
		}
		opts = append(opts, o)
	}
	return append(opts, s.opts.ClientOptions...), nil
}

// impersonated is the option that impersonates service account sa.
func impersonated(ctx context.Context, sa string) (option.ClientOption, error) {
	ts, err := impersonate.CredentialsTokenSource(ctx, impersonate.CredentialsConfig{
		TargetPrincipal: sa,
		Scopes:          []string{"https://www.googleapis.com/auth/cloud-platform"},
	})
	if err != nil {
		return nil, fmt.Errorf("gcp: %w: impersonate %s: %v; %s", scanners.ErrNoCredentials, sa, err, noCredentialsHelp)
	}
	return option.WithTokenSource(ts), nil
}

// newClients builds the clients. Building finds the credentials but makes
// no call, so a failure here means there are none usable.
func (s *Scanner) newClients(ctx context.Context) (*clients, error) {
	opts, err := s.clientOptions(ctx)
	if err != nil {
		return nil, err
	}
	c := &clients{}
	if c.billing, err = billing.NewCloudBillingClient(ctx, opts...); err != nil {
		return nil, fmt.Errorf("gcp: %w: %s (%v)", scanners.ErrNoCredentials, noCredentialsHelp, err)
	}
	if c.recommender, err = recommender.NewClient(ctx, opts...); err != nil {
		c.Close()
		return nil, fmt.Errorf("gcp: %w: %s (%v)", scanners.ErrNoCredentials, noCredentialsHelp, err)
	}
	if s.opts.Compute {
		if c.compute, err = s.newCompute(ctx); err != nil {
			c.Close()
			return nil, err
		}
	}
	return c, nil
}

// Scan implements scanners.Scanner.
func (s *Scanner) Scan(ctx context.Context, sink scanners.Sink) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("gcp: %w", err)
	}
	c, err := s.newClients(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	projects, err := s.projects(ctx, c, sink)
	if err != nil {
		return err
	}
	s.env.Logger.Info("projects in scope", "count", len(projects))
	var scopes map[string]*scopeSet
	if c.compute != nil {
		scopes = s.computeInventory(ctx, c, projects, sink)
	}
	s.recommendations(ctx, c, projects, scopes, sink)
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("gcp: %w", err)
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func dedupe(in []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range in {
		s = strings.TrimSpace(s)
		if s != "" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

var _ scanners.Scanner = (*Scanner)(nil)
var _ scanners.Options = (*Options)(nil)
