// Package m365 is ghostaudit's Microsoft 365 / Entra ID scanner. For each
// configured tenant it reads the subscribed SKUs (purchased, assigned,
// suspended units, service plans) with their subscriptions' renewal dates,
// every user's assigned licences with direct or group attribution and
// sign-in activity, and the Office 365 active user report, and emits one
// scanners.Resource per SKU (kind m365.license.sku) and one scanners.Seat
// per assigned licence.
//
// It uses msgraph-sdk-go (only this package imports it) with azidentity
// credentials: client secret (from the environment only), client
// certificate, workload identity, Azure CLI or device code. National
// clouds and private endpoints are reached with the Graph URL and
// authority host options (AZURE_AUTHORITY_HOST is honoured), which is
// also how the simulator in graphsim is wired in. Every request goes
// through a read-only guard (readonly.go): anything but GET is refused
// before a token is fetched for it or it is sent.
package m365

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/spf13/pflag"

	"github.com/ghostaudit/ghostaudit/scanners"
)

// Kinds of resources the scanner emits. Seats have no kind of their own:
// they are scanners.Seat records with Provider "m365".
const (
	KindSKU = "m365.license.sku"
)

// Authentication methods.
const (
	AuthClientSecret      = "client-secret"
	AuthClientCertificate = "client-certificate"
	AuthWorkloadIdentity  = "workload-identity"
	AuthAzureCLI          = "azure-cli"
	AuthDeviceCode        = "device-code"
)

var authMethods = []string{AuthClientSecret, AuthClientCertificate, AuthWorkloadIdentity, AuthAzureCLI, AuthDeviceCode}

// Info describes the Microsoft 365 scanner to the registry.
var Info = scanners.Info{
	Name:        "m365",
	Description: "Microsoft 365 / Entra ID: purchased and assigned licences per SKU with renewal dates, and every assigned seat with sign-in and usage activity",
	Kinds:       []string{KindSKU},
	NewOptions:  func() scanners.Options { return NewOptions() },
	New: func(o scanners.Options, env scanners.Env) (scanners.Scanner, error) {
		opts, ok := o.(*Options)
		if !ok {
			return nil, fmt.Errorf("m365: options of type %T", o)
		}
		return New(opts, env)
	},
	DetectCredentials: func(o scanners.Options) scanners.Credentials {
		opts, _ := o.(*Options)
		return detectCredentials(opts, os.Getenv)
	},
}

// Options are the Microsoft 365 scanner's settings: config key
// `scanners.m365`, flags --m365-*, env GHOSTAUDIT_M365_*.
type Options struct {
	// Tenants are the Entra ID tenant ids (or verified domains) to scan;
	// default AZURE_TENANT_ID. Several tenants need a multi-tenant app
	// registration consented in each.
	Tenants []string `yaml:"tenants" json:"tenants,omitempty"`
	// ClientID is the app registration's application id; default AZURE_CLIENT_ID.
	ClientID string `yaml:"client_id" json:"client_id,omitempty"`
	// Auth is the authentication method, one of client-secret,
	// client-certificate, workload-identity, azure-cli, device-code.
	Auth string `yaml:"auth" json:"auth"`
	// CertificatePath is a PEM or PKCS#12 file with the certificate and
	// key for client-certificate; default AZURE_CLIENT_CERTIFICATE_PATH.
	// Its password comes from AZURE_CLIENT_CERTIFICATE_PASSWORD only.
	CertificatePath string `yaml:"certificate_path" json:"certificate_path,omitempty"`
	// GraphURL is the Graph host: https://graph.microsoft.com (default),
	// https://graph.microsoft.us, https://dod-graph.microsoft.us,
	// https://microsoftgraph.chinacloudapi.cn, or a private endpoint.
	GraphURL string `yaml:"graph_url" json:"graph_url"`
	// TokenScope is the scope the Graph token is requested for. Empty:
	// the Graph scope of the national cloud whose Graph host GraphURL
	// names (https://graph.microsoft.us/.default...), else
	// https://graph.microsoft.com/.default, so a private endpoint or proxy
	// still gets a token for Graph.
	TokenScope string `yaml:"token_scope" json:"token_scope,omitempty"`
	// AuthorityHost is the Entra ID authority; default AZURE_AUTHORITY_HOST
	// or https://login.microsoftonline.com/. Instance discovery is disabled
	// for an authority that is not one of Microsoft's clouds.
	AuthorityHost string `yaml:"authority_host" json:"authority_host,omitempty"`
	// PageSize is $top for GET /users (1-999); 120 at most is used while
	// signInActivity is selected, as Graph requires.
	PageSize int `yaml:"page_size" json:"page_size"`
	// MaxRetries is how many times a throttled (429) or unavailable call
	// is retried, honouring Retry-After, before it becomes a gap (0-10).
	MaxRetries int `yaml:"max_retries" json:"max_retries"`
	// ReportPeriod is the usage report period: D7, D30, D90 or D180.
	ReportPeriod string `yaml:"report_period" json:"report_period"`
	// UsageReport reads the Office 365 active user report (Reports.Read.All).
	UsageReport bool `yaml:"usage_report" json:"usage_report"`

	// ClientSecret is read from the environment only
	// (GHOSTAUDIT_M365_CLIENT_SECRET, else AZURE_CLIENT_SECRET) and never
	// logged: it has no flag and no config key.
	ClientSecret string `yaml:"-" json:"-"`
	// Credential, when set, replaces the credential the options describe.
	// It is for programs embedding the scanner; it has no flag.
	Credential azcore.TokenCredential `yaml:"-" json:"-"`
}

// Defaults.
const (
	DefaultGraphURL  = "https://graph.microsoft.com"
	DefaultAuthority = "https://login.microsoftonline.com/"
)

// NewOptions returns the documented defaults. Environment defaults
// (AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET,
// AZURE_AUTHORITY_HOST...) are applied by New, not here.
func NewOptions() *Options {
	return &Options{Auth: AuthClientSecret, GraphURL: DefaultGraphURL, PageSize: 120, MaxRetries: 3, ReportPeriod: "D90", UsageReport: true}
}

// AddFlags implements scanners.Options.
func (o *Options) AddFlags(fs *pflag.FlagSet) {
	fs.StringSliceVar(&o.Tenants, "m365-tenants", o.Tenants, "Entra ID tenant ids or domains to scan (default AZURE_TENANT_ID)")
	fs.StringVar(&o.ClientID, "m365-client-id", o.ClientID, "app registration (client) id (default AZURE_CLIENT_ID); the secret comes from AZURE_CLIENT_SECRET only")
	fs.StringVar(&o.Auth, "m365-auth", o.Auth, "authentication: "+strings.Join(authMethods, ", "))
	fs.StringVar(&o.CertificatePath, "m365-certificate-path", o.CertificatePath, "PEM or PKCS#12 certificate with key for client-certificate (default AZURE_CLIENT_CERTIFICATE_PATH)")
	fs.StringVar(&o.GraphURL, "m365-graph-url", o.GraphURL, "Microsoft Graph host, for national clouds and private endpoints")
	fs.StringVar(&o.TokenScope, "m365-token-scope", o.TokenScope, "scope of the Graph token (default: the Graph scope of the national cloud --m365-graph-url names, else https://graph.microsoft.com/.default)")
	fs.StringVar(&o.AuthorityHost, "m365-authority-host", o.AuthorityHost, "Entra ID authority host (default AZURE_AUTHORITY_HOST or https://login.microsoftonline.com/)")
	fs.IntVar(&o.PageSize, "m365-page-size", o.PageSize, "$top for listing users (1-999; 120 at most with sign-in activity)")
	fs.IntVar(&o.MaxRetries, "m365-max-retries", o.MaxRetries, "retries of a throttled call, honouring Retry-After, before it becomes a coverage gap (0-10)")
	fs.StringVar(&o.ReportPeriod, "m365-report-period", o.ReportPeriod, "usage report period: D7, D30, D90 or D180")
	fs.BoolVar(&o.UsageReport, "m365-usage-report", o.UsageReport, "read the Office 365 active user report for per-service last activity")
}

var tenantRE = regexp.MustCompile(`^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|[A-Za-z0-9][A-Za-z0-9.-]*\.[A-Za-z]{2,})$`)

// Validate implements scanners.Options.
func (o *Options) Validate() error {
	for _, t := range o.Tenants {
		if !tenantRE.MatchString(t) {
			return fmt.Errorf("m365.tenants: %q is not a tenant id (GUID) or domain", t)
		}
	}
	if !slices.Contains(authMethods, o.Auth) {
		return fmt.Errorf("m365.auth: %q is not one of %s", o.Auth, strings.Join(authMethods, ", "))
	}
	if err := httpsURL("m365.graph_url", o.GraphURL); err != nil {
		return err
	}
	if o.TokenScope != "" && (!strings.HasSuffix(o.TokenScope, "/.default") || strings.ContainsAny(o.TokenScope, " \t")) {
		return fmt.Errorf("m365.token_scope: %q is not a resource's /.default scope (client credentials need one)", o.TokenScope)
	}
	if o.AuthorityHost != "" {
		if err := httpsURL("m365.authority_host", o.AuthorityHost); err != nil {
			return err
		}
	}
	if o.PageSize < 1 || o.PageSize > 999 {
		return fmt.Errorf("m365.page_size: %d is outside 1-999 (Graph's $top range)", o.PageSize)
	}
	if o.MaxRetries < 0 || o.MaxRetries > 10 {
		return fmt.Errorf("m365.max_retries: %d is outside 0-10", o.MaxRetries)
	}
	if !slices.Contains([]string{"D7", "D30", "D90", "D180"}, o.ReportPeriod) {
		return fmt.Errorf("m365.report_period: %q is not D7, D30, D90 or D180", o.ReportPeriod)
	}
	return nil
}

func httpsURL(field, s string) error {
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "https" || u.Host == "" {
		return fmt.Errorf("%s: %q is not an https URL", field, s)
	}
	return nil
}

// Redacted implements scanners.Options: the client secret and any
// programmatic credential are removed.
func (o *Options) Redacted() scanners.Options {
	c := *o
	c.Credential = nil
	if c.ClientSecret != "" {
		c.ClientSecret = "REDACTED"
	}
	return &c
}

func detectCredentials(o *Options, getenv func(string) string) scanners.Credentials {
	if o == nil {
		o = NewOptions()
	}
	tenant := len(o.Tenants) > 0 || getenv("AZURE_TENANT_ID") != ""
	switch {
	case o.Credential != nil:
		return scanners.Credentials{Found: true, Source: "provided programmatically"}
	case !tenant:
		return scanners.Credentials{Found: false, Source: noCredentialsHelp}
	case o.Auth == AuthClientSecret && (o.ClientSecret != "" || getenv("GHOSTAUDIT_M365_CLIENT_SECRET") != "" || getenv("AZURE_CLIENT_SECRET") != ""):
		return scanners.Credentials{Found: true, Source: "AZURE_CLIENT_SECRET in the environment"}
	case o.Auth == AuthClientCertificate && (o.CertificatePath != "" || getenv("AZURE_CLIENT_CERTIFICATE_PATH") != ""):
		return scanners.Credentials{Found: true, Source: "client certificate"}
	case o.Auth == AuthWorkloadIdentity && getenv("AZURE_FEDERATED_TOKEN_FILE") != "":
		return scanners.Credentials{Found: true, Source: "workload identity (AZURE_FEDERATED_TOKEN_FILE)"}
	}
	// azure-cli and device-code are interactive: never selected by default.
	return scanners.Credentials{Found: false, Source: noCredentialsHelp}
}

const noCredentialsHelp = "set AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET for an app registration with the read-only " +
	"application permissions in docs/permissions/m365.md (or --m365-auth client-certificate, workload-identity, azure-cli, device-code)"

// Scanner scans one or more Microsoft 365 tenants.
type Scanner struct {
	opts Options
	env  scanners.Env
	// attemptTimeout bounds one HTTP attempt; 0 is defaultAttemptTimeout.
	// Tests shorten it.
	attemptTimeout time.Duration
}

// New applies the environment defaults, validates the options and returns
// a scanner. It makes no call.
func New(opts *Options, env scanners.Env) (*Scanner, error) {
	return newScanner(opts, env, os.Getenv)
}

func newScanner(opts *Options, env scanners.Env, getenv func(string) string) (*Scanner, error) {
	o := *opts
	if len(o.Tenants) == 0 && getenv("AZURE_TENANT_ID") != "" {
		o.Tenants = []string{getenv("AZURE_TENANT_ID")}
	}
	if o.ClientID == "" {
		o.ClientID = getenv("AZURE_CLIENT_ID")
	}
	if o.ClientSecret == "" {
		o.ClientSecret = getenv("GHOSTAUDIT_M365_CLIENT_SECRET")
	}
	if o.ClientSecret == "" {
		o.ClientSecret = getenv("AZURE_CLIENT_SECRET")
	}
	if o.CertificatePath == "" {
		o.CertificatePath = getenv("AZURE_CLIENT_CERTIFICATE_PATH")
	}
	if o.AuthorityHost == "" {
		o.AuthorityHost = getenv("AZURE_AUTHORITY_HOST")
	}
	if o.AuthorityHost == "" {
		o.AuthorityHost = DefaultAuthority
	}
	o.GraphURL = strings.TrimRight(o.GraphURL, "/")
	if err := o.Validate(); err != nil {
		return nil, err
	}
	if env.Now == nil {
		env.Now = time.Now
	}
	if env.Logger == nil {
		env.Logger = discardLogger()
	}
	return &Scanner{opts: o, env: env}, nil
}

// Scan implements scanners.Scanner. Tenants are scanned one after the
// other; a tenant that cannot be read at all is a gap, and Scan fails
// only when no tenant could be authenticated.
func (s *Scanner) Scan(ctx context.Context, sink scanners.Sink) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("m365: %w", err)
	}
	if len(s.opts.Tenants) == 0 {
		return fmt.Errorf("m365: %w: no tenant: %s", scanners.ErrNoCredentials, noCredentialsHelp)
	}
	var authFailed []error
	for _, tenant := range s.opts.Tenants {
		err := s.scanTenant(ctx, tenant, sink)
		if ctxErr := ctx.Err(); ctxErr != nil {
			return fmt.Errorf("m365: %w", ctxErr)
		}
		if err != nil {
			authFailed = append(authFailed, err)
		}
		if s.env.Progress != nil {
			s.env.Progress.Step(Info.Name, "tenant "+tenant)
		}
	}
	if len(authFailed) == len(s.opts.Tenants) {
		return fmt.Errorf("m365: %w: %w", scanners.ErrNoCredentials, errors.Join(authFailed...))
	}
	return nil
}

var _ scanners.Scanner = (*Scanner)(nil)
var _ scanners.Options = (*Options)(nil)
