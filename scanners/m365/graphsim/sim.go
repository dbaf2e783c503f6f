package graphsim

import (
	"crypto/md5"
	"crypto/rsa"
	"encoding/base64"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Graph page-size limits on GET /users (user-list reference page): $top
// is 1-999, the default page is 100, and "When you specify
// $select=signInActivity or $filter=signInActivity while listing users,
// the maximum page size for $top is 120".
const (
	DefaultUsersPage  = 100
	MaxUsersPage      = 999
	MaxSignInPageSize = 120
)

// Permissions each endpoint needs, any one of them (application roles in
// the token's roles claim): the least privileged and the higher-privileged
// alternatives of each call's "Permissions" table in the Graph reference
// (subscribedsku-list, directory-list-subscriptions, user-list,
// adminreportsettings-get, reportroot-getoffice365activeuserdetail,
// group-get). directory/subscriptions does not accept
// LicenseAssignment.Read.All. signInActivity additionally needs
// AuditLog.Read.All on top of the users permission.
var endpointRoles = map[string][]string{
	"subscribedSkus": {"LicenseAssignment.Read.All", "Directory.Read.All", "Directory.ReadWrite.All", "Organization.Read.All", "Organization.ReadWrite.All"},
	"subscriptions":  {"Organization.Read.All", "Directory.Read.All", "Organization.ReadWrite.All"},
	"users":          {"User.Read.All", "User.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"},
	"signInActivity": {"AuditLog.Read.All"},
	"reportSettings": {"ReportSettings.Read.All", "ReportSettings.ReadWrite.All"},
	"reports":        {"Reports.Read.All"},
	"groups":         {"GroupMember.Read.All", "Group.Read.All", "Group.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"},
}

// Options configure a Sim.
type Options struct {
	Now    func() time.Time // scan clock for relative estate times; nil = time.Now
	Logger *slog.Logger     // nil = discard
}

// Request is one request the simulator served.
type Request struct {
	Method   string
	Path     string
	Query    string
	Tenant   string
	Endpoint string // one of Endpoints, "download", "openid-configuration" or "" when unknown
	Status   int
}

// Sim serves an estate over HTTP. It is safe for concurrent use.
type Sim struct {
	est *Estate
	now func() time.Time
	log *slog.Logger

	tenants map[string]*Tenant // by lower-case id

	mu       sync.Mutex
	requests []Request
	counts   map[string]int             // tenant/endpoint -> calls seen, for throttle faults
	issuers  map[string]*rsa.PrivateKey // federated-token issuers the simulator stands in for
	devices  map[string]deviceGrant     // device codes issued, by code
}

// New returns the simulator for est (as returned by Load).
func New(est *Estate, opts Options) *Sim {
	if est == nil {
		est = &Estate{}
	}
	s := &Sim{est: est, now: opts.Now, log: opts.Logger, tenants: map[string]*Tenant{}, counts: map[string]int{}}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	for i := range est.Tenants {
		s.tenants[strings.ToLower(est.Tenants[i].ID)] = &est.Tenants[i]
	}
	return s
}

// Requests returns every request served so far, in order of completion.
func (s *Sim) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// GraphRequests counts the Graph API requests served (under /v1.0 and the
// report downloads), leaving out the token endpoint and OIDC metadata,
// which a scanner may call for any operation.
func (s *Sim) GraphRequests() int {
	n := 0
	for _, r := range s.Requests() {
		if strings.HasPrefix(r.Path, "/v1.0/") || r.Endpoint == "download" {
			n++
		}
	}
	return n
}

// Server is a running simulator on a loopback TLS port.
type Server struct {
	*Sim
	// URL is https://127.0.0.1:port: both the Graph host (Graph base URL
	// URL+"/v1.0") and the Entra ID authority host.
	URL string
	srv *httptest.Server
}

// Start serves the estate on a loopback httptest TLS server until Close.
// TLS because azidentity only talks to an https authority.
func Start(est *Estate, opts Options) *Server {
	sim := New(est, opts)
	srv := httptest.NewTLSServer(sim)
	return &Server{Sim: sim, URL: srv.URL, srv: srv}
}

// Close shuts the server down.
func (s *Server) Close() { s.srv.Close() }

// CertificatePEM is the server's self-signed certificate, PEM-encoded, for
// a client in another process to trust (SSL_CERT_FILE).
func (s *Server) CertificatePEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: s.srv.Certificate().Raw})
}

// Client returns an http.Client that trusts the server's certificate.
func (s *Server) Client() *http.Client { return s.srv.Client() }

type recorder struct {
	http.ResponseWriter
	status int
}

func (r *recorder) WriteHeader(code int) { r.status = code; r.ResponseWriter.WriteHeader(code) }

// ServeHTTP implements http.Handler.
func (s *Sim) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rec := &recorder{ResponseWriter: w, status: http.StatusOK}
	req := Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery}
	defer func() {
		req.Status = rec.status
		s.mu.Lock()
		s.requests = append(s.requests, req)
		s.mu.Unlock()
		s.log.Debug("graphsim", "method", req.Method, "path", req.Path, "tenant", req.Tenant, "endpoint", req.Endpoint, "status", req.Status)
	}()
	s.route(rec, r, &req)
}

var (
	tokenPathRE      = regexp.MustCompile(`^/([^/]+)/oauth2/v2\.0/token$`)
	deviceCodePathRE = regexp.MustCompile(`^/([^/]+)/oauth2/v2\.0/devicecode$`)
	openidPathRE     = regexp.MustCompile(`^/([^/]+)/v2\.0/\.well-known/openid-configuration$`)
	reportPathRE     = regexp.MustCompile(`^/v1\.0/reports/getOffice365ActiveUserDetail\(period='(D7|D30|D90|D180)'\)$`)
	groupPathRE      = regexp.MustCompile(`^/v1\.0/groups/([0-9a-fA-F-]{36})$`)
	downloadPathRE   = regexp.MustCompile(`^/download/([^/]+)/(D7|D30|D90|D180)/report\.csv$`)
)

func (s *Sim) route(w http.ResponseWriter, r *http.Request, req *Request) {
	p := r.URL.Path
	if m := tokenPathRE.FindStringSubmatch(p); m != nil {
		req.Endpoint, req.Tenant = "token", m[1]
		if r.Method != http.MethodPost {
			oauthError(w, http.StatusMethodNotAllowed, "invalid_request", "AADSTS900561: The endpoint only accepts POST requests.", 900561)
			return
		}
		s.token(w, r, m[1])
		return
	}
	if m := deviceCodePathRE.FindStringSubmatch(p); m != nil {
		req.Endpoint, req.Tenant = "devicecode", m[1]
		if r.Method != http.MethodPost {
			oauthError(w, http.StatusMethodNotAllowed, "invalid_request", "AADSTS900561: The endpoint only accepts POST requests.", 900561)
			return
		}
		s.deviceCode(w, r, m[1])
		return
	}
	if m := openidPathRE.FindStringSubmatch(p); m != nil {
		req.Endpoint, req.Tenant = "openid-configuration", m[1]
		s.openidConfiguration(w, r, m[1])
		return
	}
	if r.Method != http.MethodGet {
		odataError(w, http.StatusMethodNotAllowed, "Request_BadRequest", "Specified HTTP method is not allowed for the request target.")
		return
	}
	if m := downloadPathRE.FindStringSubmatch(p); m != nil {
		req.Endpoint, req.Tenant = "download", m[1]
		t := s.tenants[strings.ToLower(m[1])]
		if t == nil {
			http.NotFound(w, r)
			return
		}
		s.reportCSV(w, t, m[2])
		return
	}
	if !strings.HasPrefix(p, "/v1.0/") {
		http.NotFound(w, r)
		return
	}
	var endpoint string
	var handler func(http.ResponseWriter, *http.Request, *Tenant)
	switch {
	case p == "/v1.0/subscribedSkus":
		endpoint, handler = "subscribedSkus", s.subscribedSkus
	case p == "/v1.0/users":
		endpoint, handler = "users", s.users
		if selected(r, "signInActivity") {
			endpoint = "signInActivity"
		}
	case p == "/v1.0/directory/subscriptions":
		endpoint, handler = "subscriptions", s.subscriptions
	case p == "/v1.0/admin/reportSettings":
		endpoint, handler = "reportSettings", s.reportSettings
	case reportPathRE.MatchString(p):
		endpoint, handler = "reports", s.report
	case groupPathRE.MatchString(p):
		endpoint, handler = "groups", s.group
	default:
		odataError(w, http.StatusNotFound, "Request_ResourceNotFound", fmt.Sprintf("Resource not found for the segment '%s'.", strings.TrimPrefix(p, "/v1.0/")))
		return
	}
	req.Endpoint = endpoint
	t, roles, ok := s.authenticate(w, r)
	if !ok {
		return
	}
	req.Tenant = t.ID
	if !s.inject(w, r, t, endpoint) {
		return
	}
	if roles != nil {
		need := [][]string{endpointRoles[endpoint]}
		if endpoint == "signInActivity" {
			need = append(need, endpointRoles["users"])
		}
		for _, anyOf := range need {
			if !slices.ContainsFunc(anyOf, func(role string) bool { return slices.Contains(roles, role) }) {
				odataError(w, http.StatusForbidden, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.")
				return
			}
		}
	}
	if endpoint == "signInActivity" && !t.HasP1() {
		// What Graph answers for signInActivity in a tenant without Entra ID P1/P2.
		odataError(w, http.StatusForbidden, "Authentication_RequestFromNonPremiumTenantOrB2CTenant",
			"Neither tenant is B2C or tenant doesn't have premium license")
		return
	}
	handler(w, r, t)
}

// authenticate resolves the tenant from the bearer token's tid claim, or,
// without a token, the estate's only tenant (for tests that use Kiota's
// anonymous authentication). roles is nil when no role check applies.
func (s *Sim) authenticate(w http.ResponseWriter, r *http.Request) (*Tenant, []string, bool) {
	h := r.Header.Get("Authorization")
	if h == "" {
		if len(s.est.Tenants) == 1 {
			return &s.est.Tenants[0], nil, true
		}
		odataError(w, http.StatusUnauthorized, "InvalidAuthenticationToken", "Access token is empty.")
		return nil, nil, false
	}
	c, err := parseToken(strings.TrimPrefix(h, "Bearer "))
	if err != nil {
		odataError(w, http.StatusUnauthorized, "InvalidAuthenticationToken", "IDX14100: JWT is not well formed.")
		return nil, nil, false
	}
	t := s.tenants[strings.ToLower(c.TenantID)]
	if t == nil || c.Expires < s.now().Unix() {
		odataError(w, http.StatusUnauthorized, "InvalidAuthenticationToken", "Access token validation failure. Invalid audience or expired.")
		return nil, nil, false
	}
	// Graph accepts only tokens issued for it, wherever it is served from.
	if !strings.EqualFold(strings.TrimSuffix(c.Audience, "/"), GraphAudience) && !strings.EqualFold(c.Audience, graphAppID) {
		odataError(w, http.StatusUnauthorized, "InvalidAuthenticationToken", "Access token validation failure. Invalid audience.")
		return nil, nil, false
	}
	if c.Scp != "" {
		return t, strings.Fields(c.Scp), true // delegated: the consented scopes
	}
	if c.Roles == nil {
		c.Roles = []string{}
	}
	return t, c.Roles, true
}

// inject applies the tenant's faults: throttling (answered at once, as
// Graph does), latency, then denial.
func (s *Sim) inject(w http.ResponseWriter, r *http.Request, t *Tenant, endpoint string) bool {
	f := &t.Faults
	for _, name := range []string{endpoint, "*"} {
		n, ok := f.Throttle[name]
		if !ok {
			continue
		}
		s.mu.Lock()
		key := t.ID + "/" + name
		s.counts[key]++
		seen := s.counts[key]
		s.mu.Unlock()
		if seen <= n {
			ra := f.RetryAfter
			if ra == 0 {
				ra = 1
			}
			w.Header().Set("Retry-After", strconv.Itoa(ra))
			odataError(w, http.StatusTooManyRequests, "TooManyRequests", "Too many requests.")
			return false
		}
	}
	if f.Latency != "" {
		d, _ := time.ParseDuration(f.Latency)
		select {
		case <-time.After(d):
		case <-r.Context().Done():
			return false
		}
	}
	deny := slices.Contains(f.Deny, "*") || slices.Contains(f.Deny, endpoint) ||
		(endpoint == "signInActivity" && slices.Contains(f.Deny, "users"))
	if deny {
		odataError(w, http.StatusForbidden, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.")
		return false
	}
	return true
}

// odataError writes Graph's error body:
// {"error":{"code":...,"message":...,"innerError":{"date","request-id","client-request-id"}}}.
func odataError(w http.ResponseWriter, status int, code, message string) {
	writeJSON(w, status, map[string]any{"error": map[string]any{
		"code": code, "message": message,
		"innerError": map[string]any{
			"date":              "2026-01-01T00:00:00",
			"request-id":        "00000000-0000-0000-0000-00000000beef",
			"client-request-id": "00000000-0000-0000-0000-00000000beef",
		},
	}})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

func stamp(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Format("2006-01-02T15:04:05Z")
}

func (s *Sim) skuByID(t *Tenant, id string) *SKU {
	for i := range t.SKUs {
		if strings.EqualFold(t.SKUs[i].SKUID, id) {
			return &t.SKUs[i]
		}
	}
	return nil
}

func (s *Sim) subscribedSkus(w http.ResponseWriter, r *http.Request, t *Tenant) {
	value := []any{}
	for _, k := range t.SKUs {
		consumed := 0
		if k.Consumed != nil {
			consumed = *k.Consumed
		} else {
			for _, u := range t.Users {
				for _, l := range u.Licenses {
					if strings.EqualFold(l.SKU, k.SKUID) && (l.Held() || t.ListErroredLicences) {
						consumed++
					}
				}
			}
		}
		plans := []any{}
		for _, p := range k.ServicePlans {
			plans = append(plans, map[string]any{"servicePlanId": p.ID, "servicePlanName": p.Name, "provisioningStatus": "Success", "appliesTo": p.AppliesTo})
		}
		subs := []string{}
		for _, sub := range t.Subscriptions {
			if strings.EqualFold(sub.SKU, k.SKUID) {
				subs = append(subs, sub.CommerceID)
			}
		}
		value = append(value, map[string]any{
			"accountName": t.Name, "accountId": t.ID, "appliesTo": k.AppliesTo, "capabilityStatus": k.CapabilityStatus,
			"consumedUnits": consumed, "id": t.ID + "_" + k.SKUID,
			"prepaidUnits": map[string]any{"enabled": k.Enabled, "lockedOut": k.LockedOut, "suspended": k.Suspended, "warning": k.Warning},
			"servicePlans": plans, "skuId": k.SKUID, "skuPartNumber": k.PartNumber, "subscriptionIds": subs,
		})
	}
	writeJSON(w, http.StatusOK, map[string]any{"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#subscribedSkus", "value": value})
}

func (s *Sim) subscriptions(w http.ResponseWriter, r *http.Request, t *Tenant) {
	now := s.now()
	value := []any{}
	start, end := 0, len(t.Subscriptions)
	if tok := r.URL.Query().Get("$skiptoken"); tok != "" {
		b, err := base64.RawURLEncoding.DecodeString(tok)
		n, err2 := strconv.Atoi(strings.TrimPrefix(string(b), "offset:"))
		if err != nil || err2 != nil || n < 0 || n > len(t.Subscriptions) {
			odataError(w, http.StatusBadRequest, "Directory_InvalidSkipToken", "The specified page token value has expired or is invalid.")
			return
		}
		start = n
	}
	if t.SubscriptionsPageSize > 0 {
		end = min(start+t.SubscriptionsPageSize, end)
	}
	for _, sub := range t.Subscriptions[start:end] {
		k := s.skuByID(t, sub.SKU)
		value = append(value, map[string]any{
			"id": sub.ID, "commerceSubscriptionId": sub.CommerceID, "skuId": k.SKUID, "skuPartNumber": k.PartNumber,
			"status": sub.Status, "totalLicenses": sub.TotalLicenses, "isTrial": sub.IsTrial,
			"createdDateTime": stamp(sub.Created.At(now)), "nextLifecycleDateTime": stamp(sub.NextLifecycle.At(now)),
			"ownerId": nil, "ownerTenantId": nil, "ownerType": nil, "serviceStatus": []any{},
		})
	}
	body := map[string]any{"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#directory/subscriptions", "value": value}
	if end < len(t.Subscriptions) {
		body["@odata.nextLink"] = baseURL(r) + "/v1.0/directory/subscriptions?$skiptoken=" + base64.RawURLEncoding.EncodeToString([]byte("offset:"+strconv.Itoa(end)))
	}
	writeJSON(w, http.StatusOK, body)
}

func (s *Sim) reportSettings(w http.ResponseWriter, r *http.Request, t *Tenant) {
	writeJSON(w, http.StatusOK, map[string]any{
		"@odata.context":        "https://graph.microsoft.com/v1.0/$metadata#admin/reportSettings/$entity",
		"@odata.type":           "#microsoft.graph.adminReportSettings",
		"id":                    "",
		"displayConcealedNames": t.ConcealedNames,
	})
}

// selected reports whether $select names the property (case-insensitive, as OData).
func selected(r *http.Request, prop string) bool {
	for _, p := range strings.Split(r.URL.Query().Get("$select"), ",") {
		if strings.EqualFold(strings.TrimSpace(p), prop) {
			return true
		}
	}
	return false
}

var defaultUserProps = []string{"businessPhones", "displayName", "givenName", "jobTitle", "mail", "mobilePhone",
	"officeLocation", "preferredLanguage", "surname", "userPrincipalName", "id"}

func (s *Sim) users(w http.ResponseWriter, r *http.Request, t *Tenant) {
	q := r.URL.Query()
	if q.Get("$filter") != "" || q.Get("$search") != "" {
		odataError(w, http.StatusBadRequest, "Request_UnsupportedQuery", "graphsim does not simulate $filter or $search on users.")
		return
	}
	top := DefaultUsersPage
	if v := q.Get("$top"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > MaxUsersPage {
			odataError(w, http.StatusBadRequest, "Request_UnsupportedQuery", fmt.Sprintf("Invalid page size specified: '%s'. Must be between 1 and 999 inclusive.", v))
			return
		}
		top = n
	}
	props := defaultUserProps
	if sel := q.Get("$select"); sel != "" {
		props = nil
		for _, p := range strings.Split(sel, ",") {
			props = append(props, strings.TrimSpace(p))
		}
	}
	if selected(r, "signInActivity") && top > MaxSignInPageSize {
		// user-list: "Requests with $top set higher than 120 will return
		// pages with up to 120 users."
		top = MaxSignInPageSize
	}
	start := 0
	if tok := q.Get("$skiptoken"); tok != "" {
		b, err := base64.RawURLEncoding.DecodeString(tok)
		n, err2 := strconv.Atoi(strings.TrimPrefix(string(b), "offset:"))
		if err != nil || err2 != nil || n < 0 || n > len(t.Users) {
			odataError(w, http.StatusBadRequest, "Directory_InvalidSkipToken", "The specified page token value has expired or is invalid.")
			return
		}
		start = n
	}
	end := min(start+top, len(t.Users))
	now := s.now()
	value := []any{}
	for i := start; i < end; i++ {
		value = append(value, userJSON(t, &t.Users[i], props, now))
	}
	body := map[string]any{
		"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users(" + strings.Join(props, ",") + ")",
		"value":          value,
	}
	if end < len(t.Users) {
		next := url.Values{}
		if sel := q.Get("$select"); sel != "" {
			next.Set("$select", sel)
		}
		next.Set("$top", strconv.Itoa(top))
		next.Set("$skiptoken", base64.RawURLEncoding.EncodeToString([]byte("offset:"+strconv.Itoa(end))))
		body["@odata.nextLink"] = baseURL(r) + "/v1.0/users?" + strings.ReplaceAll(next.Encode(), "%24", "$")
	}
	writeJSON(w, http.StatusOK, body)
}

func userJSON(t *Tenant, u *User, props []string, now time.Time) map[string]any {
	out := map[string]any{}
	for _, p := range props {
		switch strings.ToLower(p) {
		case "id":
			out["id"] = u.ID
		case "userprincipalname":
			out["userPrincipalName"] = u.UPN
		case "displayname":
			out["displayName"] = u.DisplayName
		case "mail":
			out["mail"] = u.UPN
		case "accountenabled":
			out["accountEnabled"] = u.IsEnabled()
		case "usertype":
			out["userType"] = u.UserType
		case "createddatetime":
			out["createdDateTime"] = stamp(u.Created.At(now))
		case "assignedlicenses":
			al := []any{}
			for _, l := range u.Licenses {
				if l.Held() || t.ListErroredLicences {
					al = append(al, map[string]any{"disabledPlans": nonNil(l.DisabledPlans), "skuId": l.SKU})
				}
			}
			out["assignedLicenses"] = al
		case "licenseassignmentstates":
			states := []any{}
			for _, l := range u.Licenses {
				st := func(group string) map[string]any {
					state, e := l.PathState(group)
					var by any
					if group != "" {
						by = group
					}
					return map[string]any{"assignedByGroup": by, "disabledPlans": nonNil(l.DisabledPlans), "error": orNone(e),
						"lastUpdatedDateTime": stamp(u.Created.At(now)), "skuId": l.SKU, "state": state}
				}
				if l.IsDirect() {
					states = append(states, st(""))
				}
				for _, g := range l.Groups {
					states = append(states, st(g))
				}
			}
			out["licenseAssignmentStates"] = states
		case "signinactivity":
			if u.SignIn.Last.IsZero() && u.SignIn.LastSuccessful.IsZero() && u.SignIn.LastNonInteractive.IsZero() {
				out["signInActivity"] = nil
				continue
			}
			out["signInActivity"] = map[string]any{
				"lastSignInDateTime":                stamp(u.SignIn.Last.At(now)),
				"lastSignInRequestId":               nil,
				"lastNonInteractiveSignInDateTime":  stamp(u.SignIn.LastNonInteractive.At(now)),
				"lastNonInteractiveSignInRequestId": nil,
				"lastSuccessfulSignInDateTime":      stamp(u.SignIn.LastSuccessful.At(now)),
				"lastSuccessfulSignInRequestId":     nil,
			}
		default:
			out[p] = nil
		}
	}
	return out
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func orNone(s string) string {
	if s == "" {
		return "None"
	}
	return s
}

// report answers the usage report as Graph does for CSV: 302 Found to a
// short-lived, pre-authenticated download URL.
func (s *Sim) report(w http.ResponseWriter, r *http.Request, t *Tenant) {
	period := reportPathRE.FindStringSubmatch(r.URL.Path)[1]
	w.Header().Set("Location", baseURL(r)+"/download/"+t.ID+"/"+period+"/report.csv")
	w.WriteHeader(http.StatusFound)
}

// ReportColumns is the header of getOffice365ActiveUserDetail's CSV, as
// documented in reportroot-getoffice365activeuserdetail.
var ReportColumns = []string{"Report Refresh Date", "User Principal Name", "Display Name", "Is Deleted", "Deleted Date",
	"Has Exchange License", "Has OneDrive License", "Has SharePoint License", "Has Skype For Business License", "Has Yammer License", "Has Teams License",
	"Exchange Last Activity Date", "OneDrive Last Activity Date", "SharePoint Last Activity Date", "Skype For Business Last Activity Date",
	"Yammer Last Activity Date", "Teams Last Activity Date",
	"Exchange License Assign Date", "OneDrive License Assign Date", "SharePoint License Assign Date", "Skype For Business License Assign Date",
	"Yammer License Assign Date", "Teams License Assign Date", "Assigned Products"}

// Conceal is how the simulator hides a name when the tenant conceals
// report names: 32 upper-case hex digits, like the MD5-looking hashes
// tenants see.
func Conceal(s string) string {
	h := md5.Sum([]byte(strings.ToLower(s)))
	return strings.ToUpper(hex.EncodeToString(h[:]))
}

// reportCSV serves the report file: UTF-8 with a BOM and CRLF line ends.
func (s *Sim) reportCSV(w http.ResponseWriter, t *Tenant, period string) {
	now := s.now()
	day := func(et interface{ At(time.Time) time.Time }) string {
		at := et.At(now)
		if at.IsZero() {
			return ""
		}
		return at.Format("2006-01-02")
	}
	refresh := now.AddDate(0, 0, -1).Format("2006-01-02")
	w.Header().Set("Content-Type", "application/octet-stream")
	w.WriteHeader(http.StatusOK)
	_, _ = io.WriteString(w, "\uFEFF")
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	_ = cw.Write(ReportColumns)
	for i := range t.Users {
		u := &t.Users[i]
		if u.Usage == nil {
			continue
		}
		upn, name := u.UPN, u.DisplayName
		if t.ConcealedNames {
			upn, name = Conceal(u.UPN), Conceal(u.DisplayName)
		}
		var products []string
		for _, l := range u.Licenses {
			if k := s.skuByID(t, l.SKU); k != nil && l.Held() {
				products = append(products, strings.ToUpper(k.PartNumber))
			}
		}
		sort.Strings(products)
		has := "False"
		if len(u.Licenses) > 0 {
			has = "True"
		}
		lic := day(u.Created)
		deleted := "False"
		if u.Usage.Deleted {
			deleted = "True"
		}
		row := []string{refresh, upn, name, deleted, "", has, has, has, has, has, has,
			day(u.Usage.Exchange), day(u.Usage.OneDrive), day(u.Usage.SharePoint), day(u.Usage.Skype), day(u.Usage.Yammer), day(u.Usage.Teams),
			lic, lic, lic, lic, lic, lic, strings.Join(products, "+")}
		_ = cw.Write(row)
	}
	for _, d := range t.DeletedUsers {
		upn := d.UPN
		if t.ConcealedNames {
			upn = Conceal(d.UPN)
		}
		u := d.Usage
		_ = cw.Write([]string{refresh, upn, upn, "True", day(d.Deleted), "False", "False", "False", "False", "False", "False",
			day(u.Exchange), day(u.OneDrive), day(u.SharePoint), day(u.Skype), day(u.Yammer), day(u.Teams), "", "", "", "", "", "", ""})
	}
	cw.Flush()
}

// group serves GET /groups/{id} ($select is ignored beyond what a group
// has here): the licensing group's name and the SKUs it assigns, derived
// from its members' group assignments.
func (s *Sim) group(w http.ResponseWriter, r *http.Request, t *Tenant) {
	id := groupPathRE.FindStringSubmatch(r.URL.Path)[1]
	for _, g := range t.Groups {
		if !strings.EqualFold(g.ID, id) {
			continue
		}
		seen := map[string]bool{}
		assigned := []any{}
		for _, u := range t.Users {
			for _, l := range u.Licenses {
				if slices.ContainsFunc(l.Groups, func(x string) bool { return strings.EqualFold(x, g.ID) }) && !seen[l.SKU] {
					seen[l.SKU] = true
					assigned = append(assigned, map[string]any{"disabledPlans": nonNil(l.DisabledPlans), "skuId": l.SKU})
				}
			}
		}
		writeJSON(w, http.StatusOK, map[string]any{
			"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#groups/$entity",
			"id":             g.ID, "displayName": g.Name, "securityEnabled": true, "mailEnabled": false,
			"assignedLicenses": assigned,
		})
		return
	}
	odataError(w, http.StatusNotFound, "Request_ResourceNotFound", fmt.Sprintf("Resource '%s' does not exist or one of its queried reference-property objects are not present.", id))
}
