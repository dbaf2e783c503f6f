// Package aws is ghostaudit's AWS scanner. It enumerates EC2 instances,
// EBS volumes and snapshots, AMIs, launch templates, Elastic IPs, NAT
// gateways, load balancers, RDS instances and snapshots and CloudWatch Logs
// log groups in every enabled region of the caller's account and of any
// member accounts it can assume a role into (listed, or discovered through
// AWS Organizations), attaches their CloudWatch utilisation metrics, and
// emits them as scanners.Resource records for the findings rules.
//
// Credentials come from the SDK's standard chain (environment, shared
// profiles, SSO, web identity, container and instance roles) and endpoints
// honour AWS_ENDPOINT_URL and its per-service variants, which is also how
// the simulator in awssim is wired in. Every client carries a read-only
// guard: an operation that is not on the allow-list in readonly.go is
// refused before it is signed or sent.
package aws

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/elasticloadbalancing"
	"github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/spf13/pflag"

	"github.com/ghostaudit/ghostaudit/scanners"
)

// Kinds of resources the scanner emits.
const (
	KindInstance       = "aws.ec2.instance"
	KindVolume         = "aws.ebs.volume"
	KindAddress        = "aws.ec2.address"
	KindSnapshot       = "aws.ebs.snapshot"
	KindImage          = "aws.ec2.image"
	KindLaunchTemplate = "aws.ec2.launch_template"
	KindNatGateway     = "aws.ec2.nat_gateway"
	KindLoadBalancer   = "aws.elb.load_balancer"
	KindClassicLB      = "aws.elb.classic_load_balancer"
	KindDBInstance     = "aws.rds.instance"
	KindDBSnapshot     = "aws.rds.snapshot"
	KindLogGroup       = "aws.logs.log_group"
)

// Info describes the AWS scanner to the registry.
var Info = scanners.Info{
	Name:        "aws",
	Description: "AWS: EC2, EBS, AMIs, NAT gateways, load balancers, RDS and log groups with CloudWatch utilisation, in every enabled region of one or more accounts",
	Kinds: []string{KindInstance, KindVolume, KindAddress, KindSnapshot, KindImage, KindLaunchTemplate,
		KindNatGateway, KindLoadBalancer, KindClassicLB, KindDBInstance, KindDBSnapshot, KindLogGroup},
	NewOptions: func() scanners.Options { return NewOptions() },
	New: func(o scanners.Options, env scanners.Env) (scanners.Scanner, error) {
		opts, ok := o.(*Options)
		if !ok {
			return nil, fmt.Errorf("aws: options of type %T", o)
		}
		return New(opts, env)
	},
	DetectCredentials: func(o scanners.Options) scanners.Credentials {
		opts, _ := o.(*Options)
		return detectCredentials(opts, os.Getenv)
	},
}

// Options are the AWS scanner's settings: config key `scanners.aws`,
// flags --aws-*, env GHOSTAUDIT_AWS_*.
type Options struct {
	Regions     []string `yaml:"regions" json:"regions,omitempty"`
	Profile     string   `yaml:"profile" json:"profile,omitempty"`
	Accounts    []string `yaml:"accounts" json:"accounts,omitempty"`
	RoleName    string   `yaml:"role_name" json:"role_name"`
	ExternalID  string   `yaml:"external_id" json:"external_id,omitempty"`
	HomeRegion  string   `yaml:"home_region" json:"home_region,omitempty"`
	MaxAttempts int      `yaml:"max_attempts" json:"max_attempts"`
	Concurrency int      `yaml:"concurrency" json:"concurrency"`
	PageSize    int      `yaml:"page_size" json:"page_size"`
	EndpointURL string   `yaml:"endpoint_url" json:"endpoint_url,omitempty"`
	// OrgAccounts adds every ACTIVE account of the caller's AWS
	// Organization (organizations:ListAccounts, management or delegated
	// administrator account only) to Accounts.
	OrgAccounts bool `yaml:"org_accounts" json:"org_accounts"`
	// RateLimit caps the requests per second sent to each service in each
	// account × region (0: no client-side limit); see limit.go.
	RateLimit int `yaml:"rate_limit" json:"rate_limit"`
	// CallTimeout bounds one attempt of one API call (connect, send,
	// response); an attempt that exceeds it is retried like any network
	// error, and the call becomes a gap once the attempts are spent.
	CallTimeout time.Duration `yaml:"call_timeout" json:"call_timeout"`
	// ScopeTimeout bounds one account × region (listings and metrics);
	// what has not finished by then becomes a coverage gap for that scope
	// and the rest of the scan goes on. 0: no limit.
	ScopeTimeout time.Duration `yaml:"scope_timeout" json:"scope_timeout"`

	// Credentials, when set, replaces the default credential chain. It is
	// for programs embedding the scanner (the demo uses it to hand over the
	// simulator's dummy keys); it has no flag and is never logged.
	Credentials aws.CredentialsProvider `yaml:"-" json:"-"`
	// MaxBackoff caps the retry back-off; zero means the SDK default (20s).
	MaxBackoff time.Duration `yaml:"-" json:"-"`
}

// NewOptions returns the documented defaults.
func NewOptions() *Options {
	return &Options{RoleName: "ghostaudit-readonly", MaxAttempts: 8, Concurrency: 8, PageSize: 500, RateLimit: defaultRateLimit,
		CallTimeout: defaultCallTimeout, ScopeTimeout: defaultScopeTimeout}
}

// AddFlags implements scanners.Options.
func (o *Options) AddFlags(fs *pflag.FlagSet) {
	fs.StringSliceVar(&o.Regions, "aws-regions", o.Regions, "regions to scan (default: every region enabled for the account, from DescribeRegions)")
	fs.StringVar(&o.Profile, "aws-profile", o.Profile, "shared config profile (default: AWS_PROFILE or the default chain)")
	fs.StringSliceVar(&o.Accounts, "aws-accounts", o.Accounts, "member account IDs to audit by assuming --aws-role-name in each (the caller's account is always audited)")
	fs.StringVar(&o.RoleName, "aws-role-name", o.RoleName, "role assumed in each member account")
	fs.StringVar(&o.ExternalID, "aws-external-id", o.ExternalID, "ExternalId passed to sts:AssumeRole")
	fs.StringVar(&o.HomeRegion, "aws-home-region", o.HomeRegion, "region for STS and DescribeRegions (default: AWS_REGION, the profile's region, or us-east-1)")
	fs.IntVar(&o.MaxAttempts, "aws-max-attempts", o.MaxAttempts, "attempts per API call, with the standard retryer's backoff, before a throttled or failed call becomes a coverage gap")
	fs.IntVar(&o.Concurrency, "aws-concurrency", o.Concurrency, "account × region scopes scanned at once")
	fs.IntVar(&o.PageSize, "aws-page-size", o.PageSize, "MaxResults per page for paginated Describe calls (5-500)")
	fs.StringVar(&o.EndpointURL, "aws-endpoint-url", o.EndpointURL, "endpoint for every AWS service, as AWS_ENDPOINT_URL (for simulators and private endpoints)")
	fs.BoolVar(&o.OrgAccounts, "aws-org-accounts", o.OrgAccounts, "also audit every ACTIVE account of the AWS Organization (organizations:ListAccounts from the management or a delegated administrator account), through --aws-role-name")
	fs.IntVar(&o.RateLimit, "aws-rate-limit", o.RateLimit, "requests per second to each service in each account × region (0: no client-side limit)")
	fs.DurationVar(&o.CallTimeout, "aws-call-timeout", o.CallTimeout, "time allowed for one attempt of one API call; a slower attempt is retried, then the call becomes a coverage gap (0: no limit)")
	fs.DurationVar(&o.ScopeTimeout, "aws-scope-timeout", o.ScopeTimeout, "time allowed for one account × region; what is unfinished then becomes a coverage gap (0: no limit)")
}

var accountRE = regexp.MustCompile(`^\d{12}$`)
var regionRE = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-\d+$`)

// Validate implements scanners.Options.
func (o *Options) Validate() error {
	for _, a := range o.Accounts {
		if !accountRE.MatchString(a) {
			return fmt.Errorf("aws.accounts: %q is not a 12-digit AWS account ID", a)
		}
	}
	for _, r := range o.Regions {
		if !regionRE.MatchString(r) {
			return fmt.Errorf("aws.regions: %q is not an AWS region name such as eu-west-1", r)
		}
	}
	if o.HomeRegion != "" && !regionRE.MatchString(o.HomeRegion) {
		return fmt.Errorf("aws.home_region: %q is not an AWS region name", o.HomeRegion)
	}
	if o.RoleName == "" && (len(o.Accounts) > 0 || o.OrgAccounts) {
		return errors.New("aws.role_name: required when aws.accounts lists member accounts or aws.org_accounts is set")
	}
	if o.RateLimit < 0 || o.RateLimit > 1000 {
		return fmt.Errorf("aws.rate_limit: %d is outside 0-1000 requests per second", o.RateLimit)
	}
	if o.MaxAttempts < 1 || o.MaxAttempts > 20 {
		return fmt.Errorf("aws.max_attempts: %d is outside 1-20", o.MaxAttempts)
	}
	if o.Concurrency < 1 || o.Concurrency > 64 {
		return fmt.Errorf("aws.concurrency: %d is outside 1-64", o.Concurrency)
	}
	if o.CallTimeout != 0 && (o.CallTimeout < time.Millisecond || o.CallTimeout > time.Hour) {
		return fmt.Errorf("aws.call_timeout: %s is outside 1ms-1h (0: no limit; write a unit: 60s)", o.CallTimeout)
	}
	if o.ScopeTimeout != 0 && (o.ScopeTimeout < time.Millisecond || o.ScopeTimeout > 24*time.Hour) {
		return fmt.Errorf("aws.scope_timeout: %s is outside 1ms-24h (0: no limit; write a unit: 15m)", o.ScopeTimeout)
	}
	if o.PageSize < 5 || o.PageSize > 500 {
		return fmt.Errorf("aws.page_size: %d is outside 5-500 (the EC2 MaxResults range)", o.PageSize)
	}
	if o.EndpointURL != "" && !strings.HasPrefix(o.EndpointURL, "http://") && !strings.HasPrefix(o.EndpointURL, "https://") {
		return fmt.Errorf("aws.endpoint_url: %q is not an http(s) URL", o.EndpointURL)
	}
	return nil
}

// Redacted implements scanners.Options: the ExternalId is a shared secret
// of the trust policy, so it is masked.
func (o *Options) Redacted() scanners.Options {
	c := *o
	c.Credentials = nil
	if c.ExternalID != "" {
		c.ExternalID = "REDACTED"
	}
	return &c
}

// detectCredentials looks for credentials without any network call: env
// keys, a profile, shared files, web identity, container credentials.
// Instance roles (IMDS) cannot be detected offline; select the scanner
// explicitly with --scanners aws to use them.
func detectCredentials(o *Options, getenv func(string) string) scanners.Credentials {
	switch {
	case o != nil && o.Credentials != nil:
		return scanners.Credentials{Found: true, Source: "provided programmatically"}
	case getenv("AWS_ACCESS_KEY_ID") != "" && getenv("AWS_SECRET_ACCESS_KEY") != "":
		return scanners.Credentials{Found: true, Source: "AWS_ACCESS_KEY_ID in the environment"}
	case o != nil && o.Profile != "":
		return scanners.Credentials{Found: true, Source: "profile " + o.Profile}
	case getenv("AWS_PROFILE") != "":
		return scanners.Credentials{Found: true, Source: "AWS_PROFILE=" + getenv("AWS_PROFILE")}
	case getenv("AWS_WEB_IDENTITY_TOKEN_FILE") != "":
		return scanners.Credentials{Found: true, Source: "web identity token (AWS_WEB_IDENTITY_TOKEN_FILE)"}
	case getenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI") != "" || getenv("AWS_CONTAINER_CREDENTIALS_FULL_URI") != "":
		return scanners.Credentials{Found: true, Source: "container credentials endpoint"}
	}
	for _, f := range sharedFiles(getenv) {
		if st, err := os.Stat(f); err == nil && st.Size() > 0 {
			return scanners.Credentials{Found: true, Source: "shared file " + f}
		}
	}
	return scanners.Credentials{Found: false, Source: noCredentialsHelp}
}

const noCredentialsHelp = "set AWS_PROFILE (or --aws-profile) to a profile in ~/.aws/config (run `aws sso login` for SSO profiles), " +
	"or export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run where an instance, container or web-identity role is available; " +
	"see docs/permissions/aws-iam-policy.json for the permissions"

func sharedFiles(getenv func(string) string) []string {
	var out []string
	if f := getenv("AWS_SHARED_CREDENTIALS_FILE"); f != "" {
		out = append(out, f)
	}
	if f := getenv("AWS_CONFIG_FILE"); f != "" {
		out = append(out, f)
	}
	if home, err := os.UserHomeDir(); err == nil {
		out = append(out, filepath.Join(home, ".aws", "credentials"), filepath.Join(home, ".aws", "config"))
	}
	return out
}

// Scanner scans one or more AWS accounts.
type Scanner struct {
	opts Options
	env  scanners.Env
	// cwEndpoints remembers which protocol each CloudWatch endpoint speaks.
	cwEndpoints *cwEndpoints
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
	return &Scanner{opts: *opts, env: env, cwEndpoints: newCWEndpoints(env.Logger)}, nil
}

// loadConfig builds the base aws.Config: the standard credential chain,
// the standard retryer without the client-side retry quota, and the
// read-only guard on every client made from it.
//
// Adaptive retry mode is deliberately not used: it never refills its retry
// quota under sustained failure (aws-sdk-go-v2#3550), and the default
// retry token bucket is drained when many goroutines share a client
// (aws-sdk-go-v2#1665), which turns a busy scan into "retry quota
// exceeded" errors. Standard mode with ratelimit.None, a bounded number of
// attempts and our own concurrency caps is predictable.
func (s *Scanner) loadConfig(ctx context.Context) (aws.Config, error) {
	maxAttempts, maxBackoff := s.opts.MaxAttempts, s.opts.MaxBackoff
	lo := []func(*config.LoadOptions) error{
		config.WithDefaultRegion("us-east-1"),
		config.WithRetryer(newRetryer(maxAttempts, maxBackoff)),
		config.WithAPIOptions(nil),
		config.WithHTTPClient(newHTTPClient(s.opts.CallTimeout)),
	}
	if s.opts.Profile != "" {
		lo = append(lo, config.WithSharedConfigProfile(s.opts.Profile))
	}
	if s.opts.HomeRegion != "" {
		lo = append(lo, config.WithRegion(s.opts.HomeRegion))
	}
	if s.opts.Credentials != nil {
		// Credentials handed over by the program (the demo's simulator
		// keys): the configuration is built from the options alone, so the
		// user's profiles, shared files and AWS_* variables cannot interfere.
		region := s.opts.HomeRegion
		if region == "" {
			region = "us-east-1"
		}
		cfg := aws.Config{Region: region, Credentials: aws.NewCredentialsCache(s.opts.Credentials), Retryer: newRetryer(maxAttempts, maxBackoff),
			HTTPClient: newHTTPClient(s.opts.CallTimeout)}
		if s.opts.EndpointURL != "" {
			cfg.BaseEndpoint = aws.String(s.opts.EndpointURL)
		}
		cfg.APIOptions = append(cfg.APIOptions, readOnlyGuard)
		return cfg, nil
	}
	// Env.HTTPClient is deliberately not used: the SDK's own buildable
	// client honours AWS_CA_BUNDLE and the proxy variables, which a plain
	// *http.Client cannot take.
	if s.opts.EndpointURL != "" {
		lo = append(lo, config.WithBaseEndpoint(s.opts.EndpointURL))
	}
	cfg, err := config.LoadDefaultConfig(ctx, lo...)
	if err != nil {
		var missing config.SharedConfigProfileNotExistError
		if errors.As(err, &missing) {
			return aws.Config{}, fmt.Errorf("aws: %w: profile %q is not in the shared config files (AWS_CONFIG_FILE, ~/.aws/config): %s", scanners.ErrNoCredentials, missing.Profile, noCredentialsHelp)
		}
		return aws.Config{}, fmt.Errorf("aws: load configuration: %w", err)
	}
	cfg.APIOptions = append(cfg.APIOptions, readOnlyGuard)
	return cfg, nil
}

// ec2Client, stsClient and the other constructors build clients from cfg,
// with the scope's limiter for that service when l is not nil. An explicit endpoint
// option wins over AWS_ENDPOINT_URL_<SERVICE> from the environment, which
// the SDK would otherwise prefer to the configured base endpoint.
func (s *Scanner) ec2Client(cfg aws.Config, region string, l *limiter) *ec2.Client {
	return ec2.NewFromConfig(cfg, func(o *ec2.Options) {
		if region != "" {
			o.Region = region
		}
		o.BaseEndpoint = s.endpoint(o.BaseEndpoint)
		o.APIOptions = withLimiter(o.APIOptions, l)
	})
}

// cloudwatchClient also returns the client's endpoint, whose protocol
// (CBOR or awsQuery, cwprotocol.go) the scanner's scopes share: the
// configured endpoint URL (--aws-endpoint-url, AWS_ENDPOINT_URL and
// AWS_ENDPOINT_URL_CLOUDWATCH are already applied to o.BaseEndpoint
// here), else the SDK's regional endpoint.
func (s *Scanner) cloudwatchClient(cfg aws.Config, region string, l *limiter) (*cloudwatch.Client, *cwEndpoint) {
	key := "region " + region
	c := cloudwatch.NewFromConfig(cfg, func(o *cloudwatch.Options) {
		o.Region = region
		o.BaseEndpoint = s.endpoint(o.BaseEndpoint)
		o.APIOptions = withLimiter(o.APIOptions, l)
		if o.BaseEndpoint != nil && *o.BaseEndpoint != "" {
			key = *o.BaseEndpoint
		}
	})
	return c, s.cwEndpoints.get(key)
}

func (s *Scanner) elbv2Client(cfg aws.Config, region string, l *limiter) *elasticloadbalancingv2.Client {
	return elasticloadbalancingv2.NewFromConfig(cfg, func(o *elasticloadbalancingv2.Options) {
		o.Region = region
		o.BaseEndpoint = s.endpoint(o.BaseEndpoint)
		o.APIOptions = withLimiter(o.APIOptions, l)
	})
}

func (s *Scanner) elbClient(cfg aws.Config, region string, l *limiter) *elasticloadbalancing.Client {
	return elasticloadbalancing.NewFromConfig(cfg, func(o *elasticloadbalancing.Options) {
		o.Region = region
		o.BaseEndpoint = s.endpoint(o.BaseEndpoint)
		o.APIOptions = withLimiter(o.APIOptions, l)
	})
}

func (s *Scanner) rdsClient(cfg aws.Config, region string, l *limiter) *rds.Client {
	return rds.NewFromConfig(cfg, func(o *rds.Options) {
		o.Region = region
		o.BaseEndpoint = s.endpoint(o.BaseEndpoint)
		o.APIOptions = withLimiter(o.APIOptions, l)
	})
}

func (s *Scanner) logsClient(cfg aws.Config, region string, l *limiter) *cloudwatchlogs.Client {
	return cloudwatchlogs.NewFromConfig(cfg, func(o *cloudwatchlogs.Options) {
		o.Region = region
		o.BaseEndpoint = s.endpoint(o.BaseEndpoint)
		o.APIOptions = withLimiter(o.APIOptions, l)
	})
}

// orgsClient talks to Organizations, a global service whose endpoint is in
// us-east-1 (organizations.us-east-1.amazonaws.com).
func (s *Scanner) orgsClient(cfg aws.Config) *organizations.Client {
	return organizations.NewFromConfig(cfg, func(o *organizations.Options) {
		o.Region = "us-east-1"
		o.BaseEndpoint = s.endpoint(o.BaseEndpoint)
	})
}

// endpoint returns the configured endpoint override, or def.
func (s *Scanner) endpoint(def *string) *string {
	if s.opts.EndpointURL != "" {
		return aws.String(s.opts.EndpointURL)
	}
	return def
}

func (s *Scanner) stsClient(cfg aws.Config) *sts.Client {
	return sts.NewFromConfig(cfg, func(o *sts.Options) {
		if s.opts.EndpointURL != "" {
			o.BaseEndpoint = aws.String(s.opts.EndpointURL)
		}
	})
}

// newHTTPClient is the one HTTP client of a scan, shared by every
// account's and region's clients (an aws.Config without one would give
// each service client of each scope its own transport and connection
// pool). A scan sends many requests at once to the same few endpoints
// (ec2.<region>.amazonaws.com for every account), so it keeps up to
// maxIdleConnsPerHost connections per host instead of the SDK's 10: with
// fewer, each answered request beyond them closes its connection and the
// next one pays a new TCP and TLS handshake. It is an
// awshttp.BuildableClient so that LoadDefaultConfig still applies
// AWS_CA_BUNDLE and the proxy settings to it.
func newHTTPClient(callTimeout time.Duration) *awshttp.BuildableClient {
	c := awshttp.NewBuildableClient().WithTransportOptions(func(t *http.Transport) {
		t.MaxIdleConns = maxIdleConnsPerHost * 4
		t.MaxIdleConnsPerHost = maxIdleConnsPerHost
	})
	if callTimeout > 0 {
		c = c.WithTimeout(callTimeout)
	}
	return c
}

// Default deadlines. A Describe page or a GetMetricData batch answers in
// well under a second; 60 s per attempt leaves room for a slow network
// without letting a stalled connection hold a scope for ever. A scope of
// 50 resources takes a few seconds; 15 minutes is far beyond any healthy
// one, and still bounds a scan of an organisation.
const (
	defaultCallTimeout  = 60 * time.Second
	defaultScopeTimeout = 15 * time.Minute
)

const maxIdleConnsPerHost = 256

// newRetryer returns a fresh standard retryer per client, without the
// client-side retry quota (see loadConfig).
func newRetryer(maxAttempts int, maxBackoff time.Duration) func() aws.Retryer {
	return func() aws.Retryer {
		return retry.NewStandard(func(o *retry.StandardOptions) {
			o.RateLimiter = ratelimit.None
			o.MaxAttempts = maxAttempts
			if maxBackoff > 0 {
				o.MaxBackoff = maxBackoff
			}
		})
	}
}

// account is one account to scan with the credentials to use for it.
type account struct {
	id  string
	cfg aws.Config
}

// Scan implements scanners.Scanner.
func (s *Scanner) Scan(ctx context.Context, sink scanners.Sink) error {
	cfg, err := s.loadConfig(ctx)
	if err != nil {
		return err
	}
	if _, err := cfg.Credentials.Retrieve(ctx); err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("aws: %w", ctx.Err())
		}
		return fmt.Errorf("aws: %w: %s (%v)", scanners.ErrNoCredentials, noCredentialsHelp, err)
	}
	ident, err := s.stsClient(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		if reason(err) == scanners.ReasonDenied {
			return fmt.Errorf("aws: sts GetCallerIdentity: %w: the credentials were rejected: %v", scanners.ErrNoCredentials, err)
		}
		return fmt.Errorf("aws: sts GetCallerIdentity: %w", err)
	}
	caller := aws.ToString(ident.Account)
	s.env.Logger.Info("authenticated", "account", caller)

	members := dedupe(s.opts.Accounts)
	if s.opts.OrgAccounts {
		org, err := s.orgAccounts(ctx, cfg)
		if err != nil {
			if ctx.Err() != nil {
				return fmt.Errorf("aws: %w", ctx.Err())
			}
			g := gapFor(caller, "", "organizations:ListAccounts", fmt.Sprintf("organization of account %s", caller), err)
			sink.Gap(g)
			s.env.Logger.Warn("cannot list the organization's accounts", "account", caller, "reason", g.Reason, "err", err)
		}
		members = dedupe(append(members, org...))
	}

	// Scheduling. Every account's prologue (AssumeRole, then
	// GetCallerIdentity and DescribeRegions together) runs concurrently,
	// at most accountsInFlight at once, and feeds its account × region
	// scopes to one pool of Concurrency workers shared by all accounts, so
	// no account waits for another's prologue and the pool never idles
	// while accounts are being assumed. AWS throttles per account and
	// region, which the per-scope limiters (limit.go) respect; the pool
	// bounds only local work (connections, memory).
	type job struct {
		acct   account
		region string
	}
	jobs := make(chan job)
	var totalMu sync.Mutex
	total := 0
	feed := func(a account, regions []string) {
		if s.env.Progress != nil {
			totalMu.Lock()
			total += len(regions)
			s.env.Progress.Total("aws", total)
			totalMu.Unlock()
		}
		for _, r := range regions {
			select {
			case jobs <- job{a, r}:
			case <-ctx.Done():
				return
			}
		}
	}
	var producers sync.WaitGroup
	producers.Add(1)
	go func() {
		defer producers.Done()
		a := account{id: caller, cfg: cfg}
		regions, err := s.regions(ctx, a)
		if err != nil {
			if ctx.Err() == nil {
				sink.Gap(gapFor(a.id, "", "ec2:DescribeRegions", fmt.Sprintf("account %s", a.id), err))
			}
			return
		}
		feed(a, regions)
	}()
	prologues := make(chan struct{}, accountsInFlight)
	for _, id := range members {
		if id == caller {
			continue
		}
		producers.Add(1)
		go func() {
			defer producers.Done()
			select {
			case prologues <- struct{}{}:
			case <-ctx.Done():
				return
			}
			a, regions, op, err := s.member(ctx, cfg, id)
			<-prologues
			if err != nil {
				if ctx.Err() != nil {
					return
				}
				sink.Gap(gapFor(id, "", op, fmt.Sprintf("account %s", id), err))
				if op == "sts:AssumeRole" {
					s.env.Logger.Warn("cannot assume role", "account", id, "err", err)
				}
				return
			}
			feed(a, regions)
		}()
	}
	go func() {
		producers.Wait()
		close(jobs)
	}()

	var wg sync.WaitGroup
	for range s.opts.Concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				if ctx.Err() != nil {
					continue // drain: the producers stop on ctx too
				}
				s.scanRegion(ctx, j.acct, j.region, sink)
				if s.env.Progress != nil {
					s.env.Progress.Step("aws", j.acct.id+"/"+j.region)
				}
			}
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("aws: %w", err)
	}
	return nil
}

// accountsInFlight bounds the member accounts being assumed at once (STS
// and DescribeRegions calls in flight), independently of Concurrency.
const accountsInFlight = 32

// member assumes the audit role in a member account and lists its
// regions. GetCallerIdentity checks that the role could be assumed (so
// that a role that cannot be shows up once, as one sts:AssumeRole gap)
// and DescribeRegions runs alongside it: both wait for the one AssumeRole
// call of the credential cache, so the prologue costs two round trips,
// not three. op names the operation of a failure.
func (s *Scanner) member(ctx context.Context, base aws.Config, id string) (a account, regions []string, op string, err error) {
	roleARN := fmt.Sprintf("arn:aws:iam::%s:role/%s", id, s.opts.RoleName)
	prov := stscreds.NewAssumeRoleProvider(s.stsClient(base), roleARN, func(o *stscreds.AssumeRoleOptions) {
		o.RoleSessionName = "ghostaudit"
		if s.opts.ExternalID != "" {
			o.ExternalID = aws.String(s.opts.ExternalID)
		}
	})
	cfg := base.Copy()
	cfg.Credentials = aws.NewCredentialsCache(prov)
	a = account{id: id, cfg: cfg}
	var regionsErr error
	done := make(chan struct{})
	go func() {
		defer close(done)
		regions, regionsErr = s.regions(ctx, a)
	}()
	out, err := s.stsClient(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	<-done
	if err != nil {
		return a, nil, "sts:AssumeRole", fmt.Errorf("assume %s: %w", roleARN, err)
	}
	if got := aws.ToString(out.Account); got != id {
		return a, nil, "sts:AssumeRole", fmt.Errorf("assume %s: the credentials belong to account %s", roleARN, got)
	}
	if regionsErr != nil {
		return a, nil, "ec2:DescribeRegions", regionsErr
	}
	return a, regions, "", nil
}

// regions returns the configured regions, or every region enabled for the
// account: DescribeRegions without AllRegions lists only enabled regions,
// so opt-in regions that are not enabled are never called.
func (s *Scanner) regions(ctx context.Context, a account) ([]string, error) {
	if len(s.opts.Regions) > 0 {
		return dedupe(s.opts.Regions), nil
	}
	out, err := s.ec2Client(a.cfg, "", nil).DescribeRegions(ctx, &ec2.DescribeRegionsInput{})
	if err != nil {
		return nil, fmt.Errorf("ec2 DescribeRegions: %w", err)
	}
	var regions []string
	for _, r := range out.Regions {
		regions = append(regions, aws.ToString(r.RegionName))
	}
	sort.Strings(regions)
	return regions, nil
}

// scanRegion lists one account × region. The service families run
// concurrently, each call bounded by its service's limiter (limit.go);
// each operation that fails becomes a gap for that scope and the others
// still run. Resources that carry CloudWatch metrics are held back until
// one batched GetMetricData pass (metrics.go) has filled them in.
func (s *Scanner) scanRegion(ctx context.Context, a account, region string, sink scanners.Sink) {
	sc := s.newScope(a, region, sink)
	// The scope's deadline: calls and waits below use sctx; gaps are
	// recorded unless the whole scan (ctx) was cancelled (scope.gap).
	sc.scan = ctx
	if s.opts.ScopeTimeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, s.opts.ScopeTimeout)
		defer cancel()
	}
	steps := []struct {
		op, scope string
		run       func(context.Context) error
	}{
		{"ec2:DescribeInstances", "", sc.instances},
		{"ec2:DescribeVolumes", "", sc.volumes},
		{"ec2:DescribeAddresses", "", sc.addresses},
		{"ec2:DescribeSnapshots", "", sc.snapshots},
		{"ec2:DescribeImages", "", sc.images},
		{"ec2:DescribeLaunchTemplates", "", sc.launchTemplates},
		{"ec2:DescribeNatGateways", "", sc.natGateways},
		{"elasticloadbalancing:DescribeLoadBalancers", "", sc.loadBalancers},
		{"elasticloadbalancing:DescribeLoadBalancers", " (Classic Load Balancers)", sc.classicLoadBalancers},
		{"rds:DescribeDBInstances", "", sc.dbInstances},
		{"rds:DescribeDBSnapshots", "", sc.dbSnapshots},
		{"logs:DescribeLogGroups", "", sc.logGroups},
	}
	var wg sync.WaitGroup
	for _, st := range steps {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if sc.scan.Err() != nil {
				return
			}
			if err := st.run(ctx); err != nil {
				sc.gap(ctx, st.op, st.scope, err)
			}
		}()
	}
	wg.Wait()
	if sc.scan.Err() != nil {
		return
	}
	sc.flushMetrics(ctx)
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
