package graphsim

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1" // #nosec G505 -- x5t is defined as a SHA-1 thumbprint (RFC 7515 §4.1.7)
	"crypto/sha256"
	"crypto/subtle"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// jwtBearer is the only client_assertion_type Entra ID accepts.
const jwtBearer = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

// parseCertificate reads one PEM certificate.
func parseCertificate(p string) (*x509.Certificate, error) {
	block, _ := pem.Decode([]byte(p))
	if block == nil || block.Type != "CERTIFICATE" {
		return nil, errors.New("not a PEM certificate (want -----BEGIN CERTIFICATE-----)")
	}
	c, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return nil, err
	}
	if _, ok := c.PublicKey.(*rsa.PublicKey); !ok {
		return nil, errors.New("the certificate's key is not RSA (Entra ID certificate credentials are RSA)")
	}
	return c, nil
}

// assertionError is a token-endpoint refusal of a client assertion, with
// Entra ID's error code.
type assertionError struct {
	code   int
	status int
	msg    string
}

func (e *assertionError) Error() string { return fmt.Sprintf("AADSTS%d: %s", e.code, e.msg) }

// decodeThumbprint accepts the base64 variants seen in x5t headers: MSAL Go
// writes standard base64 with padding, RFC 7515 says base64url.
func decodeThumbprint(s string) ([]byte, bool) {
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			return b, true
		}
	}
	return nil, false
}

// verifyAssertion checks a client_assertion as Entra ID does for a
// certificate credential (private_key_jwt): an RS256 or PS256 JWT whose
// x5t#S256 (or x5t) header names a certificate registered on the app,
// signed by that certificate's key, with iss = sub = the client id, aud =
// this token endpoint, and now within [nbf, exp] (5 minutes of skew).
func verifyAssertion(assertion, clientID, endpoint string, certs []string, now time.Time) error {
	bad := func(format string, a ...any) error {
		return &assertionError{code: 50027, status: 400, msg: "JWT token is invalid or malformed: " + fmt.Sprintf(format, a...)}
	}
	parts := strings.Split(assertion, ".")
	if len(parts) != 3 {
		return bad("want three dot-separated parts, got %d", len(parts))
	}
	var header struct {
		Alg     string `json:"alg"`
		X5t     string `json:"x5t"`
		X5tS256 string `json:"x5t#S256"`
	}
	var claims struct {
		Aud json.RawMessage `json:"aud"` // a string, or a list of strings (RFC 7519 §4.1.3)
		Iss string          `json:"iss"`
		Sub string          `json:"sub"`
		Exp json.Number     `json:"exp"`
		Nbf json.Number     `json:"nbf"`
	}
	hb, err := base64.RawURLEncoding.DecodeString(parts[0])
	if err != nil || json.Unmarshal(hb, &header) != nil {
		return bad("the header is not base64url JSON")
	}
	cb, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil || json.Unmarshal(cb, &claims) != nil {
		return bad("the payload is not base64url JSON")
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return bad("the signature is not base64url")
	}

	var thumb []byte
	var sum func([]byte) []byte
	switch {
	case header.X5tS256 != "":
		thumb, _ = decodeThumbprint(header.X5tS256)
		sum = func(b []byte) []byte { h := sha256.Sum256(b); return h[:] }
	case header.X5t != "":
		thumb, _ = decodeThumbprint(header.X5t)
		sum = func(b []byte) []byte { h := sha1.Sum(b); return h[:] } // #nosec G401 -- x5t is SHA-1 by definition
	default:
		return bad("the header has no x5t#S256 or x5t naming the certificate")
	}
	var cert *x509.Certificate
	for _, p := range certs {
		c, err := parseCertificate(p)
		if err == nil && subtle.ConstantTimeCompare(sum(c.Raw), thumb) == 1 {
			cert = c
			break
		}
	}
	if cert == nil {
		return &assertionError{code: 700027, status: 401, msg: "The certificate with identifier used to sign the client assertion is not registered on application."}
	}
	pub := cert.PublicKey.(*rsa.PublicKey)
	digest := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	switch header.Alg {
	case "RS256":
		err = rsa.VerifyPKCS1v15(pub, crypto.SHA256, digest[:], sig)
	case "PS256":
		err = rsa.VerifyPSS(pub, crypto.SHA256, digest[:], sig, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthAuto})
	default:
		return bad("alg %q is not supported (RS256 or PS256)", header.Alg)
	}
	if err != nil {
		return &assertionError{code: 700027, status: 401, msg: "Client assertion failed signature validation."}
	}

	if !strings.EqualFold(claims.Iss, clientID) || !strings.EqualFold(claims.Sub, clientID) {
		return &assertionError{code: 700023, status: 401, msg: fmt.Sprintf("Client assertion issuer %q and subject %q must both be the client id %s.", claims.Iss, claims.Sub, clientID)}
	}
	auds := audiences(claims.Aud)
	if !slices.ContainsFunc(auds, func(a string) bool {
		return strings.EqualFold(strings.TrimSuffix(a, "/"), strings.TrimSuffix(endpoint, "/"))
	}) {
		return &assertionError{code: 700021, status: 401, msg: fmt.Sprintf("Client assertion audience claim does not match Realm issuer: the assertion's aud is %q, this endpoint is %q.", strings.Join(auds, ","), endpoint)}
	}
	const skew = 5 * time.Minute
	exp, errE := claims.Exp.Float64()
	if errE != nil || exp == 0 {
		return bad("the payload has no numeric exp")
	}
	var nbf float64
	if claims.Nbf != "" {
		var errN error
		if nbf, errN = claims.Nbf.Float64(); errN != nil {
			return bad("nbf is not a number")
		}
	}
	if now.After(time.Unix(int64(exp), 0).Add(skew)) || nbf != 0 && now.Add(skew).Before(time.Unix(int64(nbf), 0)) {
		return &assertionError{code: 700024, status: 401, msg: "Client assertion is not within its valid time range."}
	}
	return nil
}

// audiences reads a JWT aud claim: a string or a list of strings.
func audiences(raw json.RawMessage) []string {
	var list []string
	if json.Unmarshal(raw, &list) == nil {
		return list
	}
	var one string
	if json.Unmarshal(raw, &one) == nil && one != "" {
		return []string{one}
	}
	return nil
}

// defaultFederatedAudience is the audience Entra ID expects in a federated
// token unless the credential says otherwise.
const defaultFederatedAudience = "api://AzureADTokenExchange"

// issuerKey returns the simulator's signing key for an external OIDC
// issuer, made on first use: the simulator stands in for the issuer (a CI
// system's token service), as it stands in for Entra ID.
func (s *Sim) issuerKey(issuer string) (*rsa.PrivateKey, error) {
	s.mu.Lock()
	k := s.issuers[issuer]
	s.mu.Unlock()
	if k != nil {
		return k, nil
	}
	// Made outside the lock (it takes a while); the first one stored wins.
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.issuers == nil {
		s.issuers = map[string]*rsa.PrivateKey{}
	}
	if prev := s.issuers[issuer]; prev != nil {
		return prev, nil
	}
	s.issuers[issuer] = k
	return k, nil
}

func keyID(issuer string) string {
	h := sha256.Sum256([]byte(issuer))
	return base64.RawURLEncoding.EncodeToString(h[:12])
}

// FederatedToken mints the OIDC token an external issuer (e.g. GitHub
// Actions) would give a job: RS256, signed with the simulator's key for
// issuer, valid for lifetime from now (wall clock). Write it to the file
// AZURE_FEDERATED_TOKEN_FILE names for the workload-identity credential.
func (s *Sim) FederatedToken(issuer, subject, audience string, lifetime time.Duration) (string, error) {
	k, err := s.issuerKey(issuer)
	if err != nil {
		return "", err
	}
	if audience == "" {
		audience = defaultFederatedAudience
	}
	now := time.Now()
	hb, _ := json.Marshal(map[string]string{"alg": "RS256", "typ": "JWT", "kid": keyID(issuer)})
	cb, _ := json.Marshal(map[string]any{"iss": issuer, "sub": subject, "aud": audience,
		"iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(lifetime).Unix()})
	in := base64.RawURLEncoding.EncodeToString(hb) + "." + base64.RawURLEncoding.EncodeToString(cb)
	d := sha256.Sum256([]byte(in))
	sig, err := rsa.SignPKCS1v15(rand.Reader, k, crypto.SHA256, d[:])
	if err != nil {
		return "", err
	}
	return in + "." + base64.RawURLEncoding.EncodeToString(sig), nil
}

// assertionUsesCertificate reports whether a client assertion names a
// certificate (x5t#S256 or x5t), as opposed to a federated token (kid).
func assertionUsesCertificate(assertion string) bool {
	head, _, _ := strings.Cut(assertion, ".")
	b, err := base64.RawURLEncoding.DecodeString(head)
	if err != nil {
		return true // malformed: let verifyAssertion say so
	}
	var h map[string]any
	if json.Unmarshal(b, &h) != nil {
		return true
	}
	_, a := h["x5t"]
	_, b2 := h["x5t#S256"]
	_, kid := h["kid"]
	return a || b2 || !kid
}

// verifyFederated checks a federated token as Entra ID does for a
// federated identity credential: signed (RS256) by the issuer's key, and
// iss, sub and one aud matching one of the app's credentials, within its
// lifetime.
func (s *Sim) verifyFederated(assertion string, creds []FederatedCredential, now time.Time) error {
	parts := strings.Split(assertion, ".")
	if len(parts) != 3 {
		return &assertionError{code: 50027, status: 400, msg: "JWT token is invalid or malformed."}
	}
	var header struct {
		Alg string `json:"alg"`
		Kid string `json:"kid"`
	}
	var claims struct {
		Iss string          `json:"iss"`
		Sub string          `json:"sub"`
		Aud json.RawMessage `json:"aud"`
		Exp int64           `json:"exp"`
		Nbf int64           `json:"nbf"`
	}
	hb, err1 := base64.RawURLEncoding.DecodeString(parts[0])
	cb, err2 := base64.RawURLEncoding.DecodeString(parts[1])
	sig, err3 := base64.RawURLEncoding.DecodeString(parts[2])
	if err1 != nil || err2 != nil || err3 != nil || json.Unmarshal(hb, &header) != nil || json.Unmarshal(cb, &claims) != nil {
		return &assertionError{code: 50027, status: 400, msg: "JWT token is invalid or malformed."}
	}
	auds := audiences(claims.Aud)
	var match *FederatedCredential
	for i := range creds {
		c := &creds[i]
		want := c.Audiences
		if len(want) == 0 {
			want = []string{defaultFederatedAudience}
		}
		if c.Issuer == claims.Iss && c.Subject == claims.Sub && slices.ContainsFunc(auds, func(a string) bool { return slices.Contains(want, a) }) {
			match = c
			break
		}
	}
	if match == nil {
		return &assertionError{code: 70021, status: 400, msg: fmt.Sprintf("No matching federated identity record found for presented assertion. Assertion Issuer: '%s'. Assertion Subject: '%s'. Assertion Audience: '%s'.", claims.Iss, claims.Sub, strings.Join(auds, ","))}
	}
	k, err := s.issuerKey(match.Issuer)
	if err != nil {
		return err
	}
	d := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if header.Alg != "RS256" || header.Kid != keyID(match.Issuer) || rsa.VerifyPKCS1v15(&k.PublicKey, crypto.SHA256, d[:], sig) != nil {
		return &assertionError{code: 50013, status: 401, msg: "Assertion failed signature validation. [Reason - The key was not found.]"}
	}
	const skew = 5 * time.Minute
	if claims.Exp == 0 || now.After(time.Unix(claims.Exp, 0).Add(skew)) || claims.Nbf != 0 && now.Add(skew).Before(time.Unix(claims.Nbf, 0)) {
		return &assertionError{code: 700024, status: 400, msg: "Client assertion is not within its valid time range."}
	}
	return nil
}
