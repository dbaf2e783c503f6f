package graphsim

import (
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"
)

// Claims are the access-token claims the simulator issues and reads.
type Claims struct {
	Audience string   `json:"aud"`
	Issuer   string   `json:"iss"`
	TenantID string   `json:"tid"`
	AppID    string   `json:"appid"`
	Roles    []string `json:"roles,omitempty"`
	Scp      string   `json:"scp,omitempty"` // delegated permissions, space-separated
	IssuedAt int64    `json:"iat"`
	Expires  int64    `json:"exp"`
}

// Token mints an access token for the tenant's app, as the token endpoint
// would: a JWT-shaped string whose payload carries tid and roles (it is
// not signed; nothing should trust it outside the simulator).
func (s *Sim) Token(tenantID, clientID string) (string, error) {
	t := s.tenants[strings.ToLower(tenantID)]
	if t == nil {
		return "", errors.New("graphsim: unknown tenant " + tenantID)
	}
	i := slices.IndexFunc(t.Apps, func(a App) bool { return strings.EqualFold(a.ClientID, clientID) })
	if i < 0 {
		return "", errors.New("graphsim: unknown app " + clientID)
	}
	now := s.now().Unix()
	c := Claims{Audience: GraphAudience, Issuer: "https://sts.windows.net/" + t.ID + "/", TenantID: t.ID,
		AppID: t.Apps[i].ClientID, Roles: append([]string{}, t.Apps[i].Roles...), IssuedAt: now, Expires: now + 3599}
	return encodeToken(c), nil
}

func encodeToken(c Claims) string {
	enc := base64.RawURLEncoding
	header, _ := json.Marshal(map[string]string{"typ": "JWT", "alg": "none"})
	payload, _ := json.Marshal(c)
	return enc.EncodeToString(header) + "." + enc.EncodeToString(payload) + "." + enc.EncodeToString([]byte("graphsim"))
}

func parseToken(tok string) (Claims, error) {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return Claims{}, errors.New("not a JWT")
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return Claims{}, err
	}
	var c Claims
	if err := json.Unmarshal(b, &c); err != nil {
		return Claims{}, err
	}
	return c, nil
}

// oauthError writes Entra ID's token-endpoint error body.
func oauthError(w http.ResponseWriter, status int, code, description string, aadsts int) {
	b, _ := json.Marshal(map[string]any{
		"error": code, "error_description": description, "error_codes": []int{aadsts},
		"timestamp": "2026-01-01 00:00:00Z", "trace_id": "00000000-0000-0000-0000-00000000beef",
		"correlation_id": "00000000-0000-0000-0000-00000000beef",
	})
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// token serves POST /{tenant}/oauth2/v2.0/token for the client
// credentials grant: with client_secret, or with a client_assertion signed
// by a certificate registered on the app (verifyAssertion), or with a
// federated token from an issuer the simulator stands in for
// (verifyFederated: workload identity).
func (s *Sim) token(w http.ResponseWriter, r *http.Request, tenant string) {
	t := s.oauthTenant(w, r, tenant, "grant_type")
	if t == nil {
		return
	}
	if slices.Contains(t.Faults.Deny, "token") {
		oauthError(w, http.StatusUnauthorized, "invalid_client", "AADSTS7000222: The provided client secret keys for app are expired.", 7000222)
		return
	}
	if g := r.PostForm.Get("grant_type"); g == deviceCodeGrant || g == "device_code" { // MSAL sends the short form
		s.deviceCodeToken(w, r, t)
		return
	} else if g != "client_credentials" {
		oauthError(w, http.StatusBadRequest, "unsupported_grant_type", "AADSTS70003: The app requested an unsupported grant type '"+g+"'.", 70003)
		return
	}
	// MSAL adds openid, profile and offline_access to the requested scope.
	if !slices.ContainsFunc(strings.Fields(r.PostForm.Get("scope")), func(s string) bool { return strings.HasSuffix(s, "/.default") }) {
		oauthError(w, http.StatusBadRequest, "invalid_scope", "AADSTS1002012: The provided value for scope is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).", 1002012)
		return
	}
	if !graphScopes(w, t, r.PostForm.Get("scope")) {
		return
	}
	clientID := r.PostForm.Get("client_id")
	i := oauthApp(w, t, clientID)
	if i < 0 {
		return
	}
	secret, assertion := r.PostForm.Get("client_secret"), r.PostForm.Get("client_assertion")
	switch {
	case assertion != "":
		if typ := r.PostForm.Get("client_assertion_type"); typ != jwtBearer {
			oauthError(w, http.StatusBadRequest, "invalid_request", "AADSTS50027: JWT token is invalid or malformed: client_assertion_type must be "+jwtBearer+", got '"+typ+"'.", 50027)
			return
		}
		endpoint := baseURL(r) + r.URL.Path
		verify := func() error {
			return verifyAssertion(assertion, t.Apps[i].ClientID, endpoint, t.Apps[i].Certificates, time.Now())
		}
		if !assertionUsesCertificate(assertion) {
			verify = func() error { return s.verifyFederated(assertion, t.Apps[i].Federated, time.Now()) }
		}
		if err := verify(); err != nil {
			var ae *assertionError
			if !errors.As(err, &ae) {
				ae = &assertionError{code: 90000, status: http.StatusInternalServerError, msg: err.Error()}
			}
			code := "invalid_client"
			if ae.status == http.StatusBadRequest {
				code = "invalid_request"
			}
			oauthError(w, ae.status, code, ae.Error(), ae.code)
			return
		}
	case secret == "":
		oauthError(w, http.StatusBadRequest, "invalid_client", "AADSTS7000216: 'client_assertion', 'client_secret' or 'request' is required for the 'client_credentials' grant type.", 7000216)
		return
	case t.Apps[i].ClientSecret == "" || subtle.ConstantTimeCompare([]byte(secret), []byte(t.Apps[i].ClientSecret)) != 1:
		oauthError(w, http.StatusUnauthorized, "invalid_client", "AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID.", 7000215)
		return
	}
	tok, _ := s.Token(t.ID, clientID)
	b, _ := json.Marshal(map[string]any{"token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599, "access_token": tok})
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store, no-cache")
	_, _ = w.Write(b)
}

// GraphAudience is the aud claim of the tokens the simulator issues: it
// stands in for Entra ID's public cloud, whose Graph resource is
// https://graph.microsoft.com (application id
// 00000003-0000-0000-c000-000000000000), wherever the simulator itself is
// served from.
const GraphAudience = "https://graph.microsoft.com"

// graphAppID is Microsoft Graph's application id, which a scope may name
// instead of its URI.
const graphAppID = "00000003-0000-0000-c000-000000000000"

// graphScopes checks that every resource the scope names (a "/.default"
// scope) is Microsoft Graph, as Entra ID only issues tokens for resources
// it knows (AADSTS500011 otherwise), writing the error when one is not.
func graphScopes(w http.ResponseWriter, t *Tenant, scope string) bool {
	for _, sc := range strings.Fields(scope) {
		res, ok := strings.CutSuffix(sc, "/.default")
		if !ok {
			continue
		}
		if !strings.EqualFold(strings.TrimSuffix(res, "/"), GraphAudience) && !strings.EqualFold(res, graphAppID) {
			oauthError(w, http.StatusBadRequest, "invalid_resource", "AADSTS500011: The resource principal named "+res+" was not found in the tenant named "+
				t.Name+". This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.", 500011)
			return false
		}
	}
	return true
}

// oauthTenant parses an Entra ID endpoint's form and finds the tenant of
// the path, writing Entra's error and returning nil when it cannot.
// required names the parameter a body that cannot be parsed lacks.
func (s *Sim) oauthTenant(w http.ResponseWriter, r *http.Request, tenant, required string) *Tenant {
	if err := r.ParseForm(); err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_request", "AADSTS900144: The request body must contain the following parameter: '"+required+"'.", 900144)
		return nil
	}
	t := s.tenants[strings.ToLower(tenant)]
	if t == nil {
		oauthError(w, http.StatusBadRequest, "invalid_request", "AADSTS90002: Tenant '"+tenant+"' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.", 90002)
	}
	return t
}

// oauthApp is the index of the tenant's app registration clientID, or -1
// after writing Entra's error.
func oauthApp(w http.ResponseWriter, t *Tenant, clientID string) int {
	i := slices.IndexFunc(t.Apps, func(a App) bool { return strings.EqualFold(a.ClientID, clientID) })
	if i < 0 {
		oauthError(w, http.StatusBadRequest, "unauthorized_client", "AADSTS700016: Application with identifier '"+clientID+"' was not found in the directory.", 700016)
	}
	return i
}

// openidConfiguration serves the tenant's OIDC metadata, which MSAL reads
// before its first token request when instance discovery is disabled.
func (s *Sim) openidConfiguration(w http.ResponseWriter, r *http.Request, tenant string) {
	base := baseURL(r) + "/" + tenant
	b, _ := json.Marshal(map[string]any{
		"token_endpoint":                        base + "/oauth2/v2.0/token",
		"token_endpoint_auth_methods_supported": []string{"client_secret_post", "private_key_jwt", "client_secret_basic"},
		"jwks_uri":                              base + "/discovery/v2.0/keys",
		"response_modes_supported":              []string{"query", "fragment", "form_post"},
		"subject_types_supported":               []string{"pairwise"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"response_types_supported":              []string{"code", "id_token", "code id_token", "id_token token"},
		"scopes_supported":                      []string{"openid", "profile", "email", "offline_access"},
		"issuer":                                base + "/v2.0",
		"authorization_endpoint":                base + "/oauth2/v2.0/authorize",
		"device_authorization_endpoint":         base + "/oauth2/v2.0/devicecode",
		"end_session_endpoint":                  base + "/oauth2/v2.0/logout",
		"tenant_region_scope":                   "EU",
		"cloud_instance_name":                   "microsoftonline.com",
		"msgraph_host":                          r.Host,
	})
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_, _ = w.Write(b)
}
