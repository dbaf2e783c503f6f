package graphsim

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"time"
)

// deviceCodeGrant is the token request's grant_type for a device code.
const deviceCodeGrant = "urn:ietf:params:oauth:grant-type:device_code"

// deviceGrant is one device code the simulator issued.
type deviceGrant struct {
	tenant, clientID string
	expires          time.Time
}

// deviceCode serves POST /{tenant}/oauth2/v2.0/devicecode: Entra ID's
// device authorization endpoint. The simulated administrator enters the
// code at once, so the first token poll succeeds.
func (s *Sim) deviceCode(w http.ResponseWriter, r *http.Request, tenant string) {
	t := s.oauthTenant(w, r, tenant, "client_id")
	if t == nil {
		return
	}
	clientID := r.PostForm.Get("client_id")
	if oauthApp(w, t, clientID) < 0 {
		return
	}
	if r.PostForm.Get("scope") == "" {
		oauthError(w, http.StatusBadRequest, "invalid_request", "AADSTS900144: The request body must contain the following parameter: 'scope'.", 900144)
		return
	}
	if !graphScopes(w, t, r.PostForm.Get("scope")) {
		return
	}
	raw := make([]byte, 24)
	_, _ = rand.Read(raw)
	code := base64.RawURLEncoding.EncodeToString(raw)
	user := strings.ToUpper(code[:4] + "-" + code[4:8])
	s.mu.Lock()
	if s.devices == nil {
		s.devices = map[string]deviceGrant{}
	}
	s.devices[code] = deviceGrant{tenant: t.ID, clientID: clientID, expires: time.Now().Add(15 * time.Minute)}
	s.mu.Unlock()
	b, _ := json.Marshal(map[string]any{
		"user_code": user, "device_code": code, "verification_uri": "https://microsoft.com/devicelogin",
		"expires_in": 900, "interval": 1,
		"message": "To sign in, use a web browser to open the page https://microsoft.com/devicelogin and enter the code " + user + " to authenticate.",
	})
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_, _ = w.Write(b)
}

// deviceCodeToken answers the token poll for a device code: a delegated
// token (scp) for an app that allows public client flows, with the
// id_token and client_info MSAL reads to build the signed-in account.
func (s *Sim) deviceCodeToken(w http.ResponseWriter, r *http.Request, t *Tenant) {
	code, clientID := r.PostForm.Get("device_code"), r.PostForm.Get("client_id")
	s.mu.Lock()
	g, ok := s.devices[code]
	s.mu.Unlock()
	switch {
	case !ok || !strings.EqualFold(g.tenant, t.ID) || !strings.EqualFold(g.clientID, clientID):
		oauthError(w, http.StatusBadRequest, "invalid_grant", "AADSTS70000: The provided value for the 'device_code' is not valid.", 70000)
		return
	case time.Now().After(g.expires):
		oauthError(w, http.StatusBadRequest, "expired_token", "AADSTS70020: The provided value for the input parameter 'device_code' is not valid. This device code has expired.", 70020)
		return
	}
	i := slices.IndexFunc(t.Apps, func(a App) bool { return strings.EqualFold(a.ClientID, clientID) })
	if !t.Apps[i].PublicClient {
		oauthError(w, http.StatusUnauthorized, "invalid_client", "AADSTS7000218: The request body must contain the following parameter: 'client_assertion' or 'client_secret'.", 7000218)
		return
	}
	now := s.now().Unix()
	const adminOID = "00000000-0000-4000-8000-00000000ad01"
	app := t.Apps[i]
	access := encodeToken(Claims{Audience: GraphAudience, Issuer: "https://sts.windows.net/" + t.ID + "/", TenantID: t.ID,
		AppID: app.ClientID, Scp: strings.Join(app.Roles, " "), IssuedAt: now, Expires: now + 3599})
	enc := base64.RawURLEncoding
	hb, _ := json.Marshal(map[string]string{"typ": "JWT", "alg": "none"})
	ib, _ := json.Marshal(map[string]any{"aud": app.ClientID, "iss": baseURL(r) + "/" + t.ID + "/v2.0", "tid": t.ID, "oid": adminOID,
		"sub": adminOID, "preferred_username": "admin@" + strings.ToLower(t.ID) + ".simulated", "name": "Simulated administrator",
		"iat": now, "nbf": now, "exp": now + 3599, "ver": "2.0"})
	idToken := enc.EncodeToString(hb) + "." + enc.EncodeToString(ib) + ".graphsim"
	ci, _ := json.Marshal(map[string]string{"uid": adminOID, "utid": t.ID})
	s.mu.Lock()
	delete(s.devices, code) // a device code is redeemed once
	s.mu.Unlock()
	// scope echoes what was asked (e.g. https://graph.microsoft.com/.default
	// openid profile offline_access): the consented permissions are in the
	// access token's scp claim.
	b, _ := json.Marshal(map[string]any{"token_type": "Bearer", "scope": r.PostForm.Get("scope"), "expires_in": 3599, "ext_expires_in": 3599,
		"access_token": access, "id_token": idToken, "client_info": enc.EncodeToString(ci)})
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store, no-cache")
	_, _ = w.Write(b)
}
