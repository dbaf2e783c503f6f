package m365

import (
	"cmp"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	kiotaazure "github.com/microsoft/kiota-authentication-azure-go"
	khttp "github.com/microsoft/kiota-http-go"
	msgraphsdk "github.com/microsoftgraph/msgraph-sdk-go"
	msgraphcore "github.com/microsoftgraph/msgraph-sdk-go-core"
)

func discardLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// Microsoft's own authority hosts; any other authority (a private or test
// endpoint) gets instance discovery disabled, since discovery would ask
// login.microsoftonline.com about a host it does not know.
var knownAuthorities = map[string]bool{
	"login.microsoftonline.com":        true,
	"login.microsoftonline.us":         true,
	"login.chinacloudapi.cn":           true,
	"login.partner.microsoftonline.cn": true,
}

// graphScopes are the token scopes of Microsoft Graph in each cloud,
// keyed by its Graph host (learn.microsoft.com/graph/deployments: global
// service, US Government L4 and L5 (DOD), China operated by 21Vianet).
var graphScopes = map[string]string{
	"graph.microsoft.com":             "https://graph.microsoft.com/.default",
	"graph.microsoft.us":              "https://graph.microsoft.us/.default",
	"dod-graph.microsoft.us":          "https://dod-graph.microsoft.us/.default",
	"microsoftgraph.chinacloudapi.cn": "https://microsoftgraph.chinacloudapi.cn/.default",
}

// tokenScope is the scope of the Graph token: the configured one, the
// national cloud's Graph scope for its Graph host, else the global
// service's. It never follows another host: Entra ID issues tokens only
// for resources it knows (AADSTS500011), and a private endpoint or proxy
// in front of Graph still needs a Graph token.
func (s *Scanner) tokenScope(host string) string {
	if s.opts.TokenScope != "" {
		return s.opts.TokenScope
	}
	if sc, ok := graphScopes[strings.ToLower(host)]; ok {
		return sc
	}
	return graphScopes["graph.microsoft.com"]
}

// graph is a tenant's Graph client and the credential behind it.
type graph struct {
	tenant string
	client *msgraphsdk.GraphServiceClient
	cred   azcore.TokenCredential
	scope  string
}

// credential builds the azidentity credential the options describe.
func (s *Scanner) credential(tenant string) (azcore.TokenCredential, error) {
	if s.opts.Credential != nil {
		return s.opts.Credential, nil
	}
	au, err := url.Parse(s.opts.AuthorityHost)
	if err != nil {
		return nil, fmt.Errorf("authority host: %w", err)
	}
	co := azcore.ClientOptions{Cloud: cloud.Configuration{ActiveDirectoryAuthorityHost: s.opts.AuthorityHost}}
	if s.env.HTTPClient != nil {
		co.Transport = s.env.HTTPClient
	}
	noDiscovery := !knownAuthorities[strings.ToLower(au.Hostname())]
	switch s.opts.Auth {
	case AuthClientSecret:
		if s.opts.ClientID == "" || s.opts.ClientSecret == "" {
			return nil, errors.New("client-secret needs a client id (AZURE_CLIENT_ID) and AZURE_CLIENT_SECRET")
		}
		return azidentity.NewClientSecretCredential(tenant, s.opts.ClientID, s.opts.ClientSecret,
			&azidentity.ClientSecretCredentialOptions{ClientOptions: co, DisableInstanceDiscovery: noDiscovery})
	case AuthClientCertificate:
		if s.opts.ClientID == "" || s.opts.CertificatePath == "" {
			return nil, errors.New("client-certificate needs a client id (AZURE_CLIENT_ID) and a certificate path (AZURE_CLIENT_CERTIFICATE_PATH)")
		}
		data, err := os.ReadFile(s.opts.CertificatePath)
		if err != nil {
			return nil, fmt.Errorf("client certificate: %w", err)
		}
		var password []byte
		if p := os.Getenv("AZURE_CLIENT_CERTIFICATE_PASSWORD"); p != "" {
			password = []byte(p)
		}
		certs, key, err := azidentity.ParseCertificates(data, password)
		if err != nil {
			return nil, fmt.Errorf("client certificate %s: %w", s.opts.CertificatePath, err)
		}
		return azidentity.NewClientCertificateCredential(tenant, s.opts.ClientID, certs, key,
			&azidentity.ClientCertificateCredentialOptions{ClientOptions: co, DisableInstanceDiscovery: noDiscovery})
	case AuthWorkloadIdentity:
		return azidentity.NewWorkloadIdentityCredential(&azidentity.WorkloadIdentityCredentialOptions{
			ClientOptions: co, TenantID: tenant, ClientID: s.opts.ClientID, DisableInstanceDiscovery: noDiscovery})
	case AuthAzureCLI:
		return azidentity.NewAzureCLICredential(&azidentity.AzureCLICredentialOptions{TenantID: tenant})
	case AuthDeviceCode:
		return azidentity.NewDeviceCodeCredential(&azidentity.DeviceCodeCredentialOptions{
			ClientOptions: co, TenantID: tenant, ClientID: s.opts.ClientID, DisableInstanceDiscovery: noDiscovery,
			UserPrompt: func(_ context.Context, m azidentity.DeviceCodeMessage) error {
				s.env.Logger.Info("device code sign-in", "tenant", tenant, "message", m.Message)
				return nil
			}})
	}
	return nil, fmt.Errorf("unknown auth method %q", s.opts.Auth)
}

// newGraph builds the Graph client for a tenant: the credential behind
// Kiota's Azure authentication provider (with the configured Graph host
// allowed), the read-only guard both in front of the authentication
// provider and first in the HTTP middleware pipeline, Graph's default
// middleware with the configured retries, and the Graph base URL.
func (s *Scanner) newGraph(tenant string) (*graph, error) {
	cred, err := s.credential(tenant)
	if err != nil {
		return nil, err
	}
	gu, err := url.Parse(s.opts.GraphURL)
	if err != nil {
		return nil, fmt.Errorf("graph url: %w", err)
	}
	scope := s.tokenScope(gu.Hostname())
	auth, err := kiotaazure.NewAzureIdentityAuthenticationProviderWithScopesAndValidHosts(cred, []string{scope}, []string{gu.Hostname()})
	if err != nil {
		return nil, fmt.Errorf("graph authentication: %w", err)
	}
	httpClient, err := s.graphHTTPClient()
	if err != nil {
		return nil, err
	}
	adapter, err := msgraphsdk.NewGraphRequestAdapterWithParseNodeFactoryAndSerializationWriterFactoryAndHttpClient(
		readOnlyAuth{auth}, nil, nil, httpClient)
	if err != nil {
		return nil, fmt.Errorf("graph adapter: %w", err)
	}
	adapter.SetBaseUrl(s.opts.GraphURL + "/v1.0")
	return &graph{tenant: tenant, client: msgraphsdk.NewGraphServiceClient(adapter), cred: cred, scope: scope}, nil
}

// graphHTTPClient is the HTTP client of the Graph adapter. Kiota's
// default middleware comes from a map, so its order varies between runs;
// the guard is put first explicitly.
func (s *Scanner) graphHTTPClient() (*http.Client, error) {
	retries := s.opts.MaxRetries
	// ShouldRetry must be set: Kiota calls it unconditionally. MaxRetries
	// below 1 means Kiota's default (3), so 0 is enforced here.
	retry := &khttp.RetryHandlerOptions{MaxRetries: retries, DelaySeconds: 1,
		ShouldRetry: func(time.Duration, int, *http.Request, *http.Response) bool { return retries > 0 }}
	kiota, err := khttp.GetDefaultMiddlewaresWithOptions(retry)
	if err != nil {
		return nil, fmt.Errorf("graph middleware: %w", err)
	}
	gopts := msgraphsdk.GetDefaultClientOptions()
	mws := append([]khttp.Middleware{readOnlyMiddleware{}, throttleMemo{}, msgraphcore.NewGraphTelemetryHandler(&gopts),
		khttp.NewUrlReplaceHandler(true, msgraphcore.ReplacementPairs)}, kiota...)
	// Last, so it is inside the retry handler: each attempt has its own
	// deadline and Retry-After waits are not counted against it.
	mws = append(mws, attemptTimeout{d: cmp.Or(s.attemptTimeout, defaultAttemptTimeout)})
	var parent http.RoundTripper
	if s.env.HTTPClient != nil && s.env.HTTPClient.Transport != nil {
		parent = s.env.HTTPClient.Transport
	}
	return &http.Client{
		Transport: khttp.NewCustomTransportWithParentTransport(parent, mws...),
		// Kiota's redirect middleware follows redirects (the usage report's
		// 302), stripping Authorization when the host changes.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		// No Client.Timeout: it would cover the whole call, Kiota's
		// Retry-After waits included (Graph asks for minutes at times,
		// learn.microsoft.com/graph/throttling). attemptTimeout bounds
		// each attempt instead; the scan's context bounds the whole.
	}, nil
}

// defaultAttemptTimeout bounds one HTTP attempt: connection, headers and
// body (the time http.Client.Timeout used to give the whole call).
const defaultAttemptTimeout = 100 * time.Second

// attemptTimeout gives each attempt its own deadline, ended when the
// response body is closed. It also notes a 429 in the request's
// throttleMemo, so a call that fails after being throttled says so.
type attemptTimeout struct{ d time.Duration }

// Intercept implements khttp.Middleware.
func (a attemptTimeout) Intercept(p khttp.Pipeline, i int, req *http.Request) (*http.Response, error) {
	ctx, cancel := context.WithTimeout(req.Context(), a.d)
	resp, err := p.Next(req.WithContext(ctx), i)
	if err != nil {
		cancel()
		return resp, err
	}
	if seen, ok := req.Context().Value(throttleKey{}).(*atomic.Bool); ok && resp.StatusCode == http.StatusTooManyRequests {
		seen.Store(true)
	}
	if resp.Body == nil {
		cancel()
		return resp, nil
	}
	resp.Body = &cancelOnClose{ReadCloser: resp.Body, cancel: cancel}
	return resp, nil
}

type cancelOnClose struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (c *cancelOnClose) Close() error {
	err := c.ReadCloser.Close()
	c.cancel()
	return err
}

type throttleKey struct{}

// throttleMemo remembers whether any attempt of a call was answered 429:
// when the call then fails without an answer (an attempt timed out, the
// connection broke), the error is a throttledError, so the gap says
// throttled, not error.
type throttleMemo struct{}

// Intercept implements khttp.Middleware.
func (throttleMemo) Intercept(p khttp.Pipeline, i int, req *http.Request) (*http.Response, error) {
	seen := new(atomic.Bool)
	resp, err := p.Next(req.WithContext(context.WithValue(req.Context(), throttleKey{}, seen)), i)
	if err != nil && seen.Load() {
		return resp, &throttledError{err: err}
	}
	return resp, err
}

// throttledError is a call that failed after Graph throttled it (429).
type throttledError struct{ err error }

func (e *throttledError) Error() string { return "throttled (429), then: " + e.err.Error() }
func (e *throttledError) Unwrap() error { return e.err }

// tokenClaims fetches a Graph token and reads its roles (application
// permissions) and scp (delegated) claims, without verifying it: only to
// tell the user which permissions are missing before the calls fail.
func (g *graph) tokenClaims(ctx context.Context) (roles []string, scopes []string, known bool, err error) {
	tok, err := g.cred.GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{g.scope}})
	if err != nil {
		return nil, nil, false, err
	}
	parts := strings.Split(tok.Token, ".")
	if len(parts) != 3 {
		return nil, nil, false, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return nil, nil, false, nil
	}
	var c struct {
		Roles []string `json:"roles"`
		Scp   string   `json:"scp"`
	}
	if json.Unmarshal(b, &c) != nil {
		return nil, nil, false, nil
	}
	return c.Roles, strings.Fields(c.Scp), c.Roles != nil || c.Scp != "", nil
}
