package graphsim

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1" // #nosec G505 -- x5t
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"
)

// testCert makes a self-signed RSA certificate, PEM-encoded.
func testCert(t *testing.T) (*rsa.PrivateKey, *x509.Certificate, string) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "ghostaudit-test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	return key, cert, string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
}

// sign makes a client assertion as MSAL does (PS256 + x5t#S256 in standard
// base64), or RS256 + x5t when rs256 is set.
func sign(t *testing.T, key *rsa.PrivateKey, cert *x509.Certificate, claims map[string]any, rs256 bool) string {
	t.Helper()
	h := map[string]any{"alg": "PS256", "typ": "JWT"}
	if rs256 {
		s := sha1.Sum(cert.Raw) // #nosec G401
		h["alg"], h["x5t"] = "RS256", base64.RawURLEncoding.EncodeToString(s[:])
	} else {
		s := sha256.Sum256(cert.Raw)
		h["x5t#S256"] = base64.StdEncoding.EncodeToString(s[:])
	}
	hb, _ := json.Marshal(h)
	cb, _ := json.Marshal(claims)
	in := base64.RawURLEncoding.EncodeToString(hb) + "." + base64.RawURLEncoding.EncodeToString(cb)
	d := sha256.Sum256([]byte(in))
	var sig []byte
	var err error
	if rs256 {
		sig, err = rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, d[:])
	} else {
		sig, err = rsa.SignPSS(rand.Reader, key, crypto.SHA256, d[:], &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash})
	}
	if err != nil {
		t.Fatal(err)
	}
	return in + "." + base64.RawURLEncoding.EncodeToString(sig)
}

func TestVerifyAssertion(t *testing.T) {
	t.Parallel()
	const client = "aaaaaaaa-0000-0000-0000-000000000001"
	const endpoint = "https://127.0.0.1:4443/11111111-1111-1111-1111-111111111111/oauth2/v2.0/token"
	key, cert, certPEM := testCert(t)
	otherKey, otherCert, otherPEM := testCert(t)
	now := time.Now()
	good := func() map[string]any {
		return map[string]any{"aud": endpoint, "iss": client, "sub": client, "jti": "x",
			"nbf": now.Unix(), "exp": now.Add(10 * time.Minute).Unix()}
	}
	with := func(k string, v any) map[string]any { c := good(); c[k] = v; return c }
	cases := []struct {
		name      string
		assertion string
		certs     []string
		code      int // 0 = accepted
	}{
		{"PS256 with x5t#S256, as MSAL sends it", sign(t, key, cert, good(), false), []string{certPEM}, 0},
		{"RS256 with x5t", sign(t, key, cert, good(), true), []string{otherPEM, certPEM}, 0},
		{"certificate not registered", sign(t, key, cert, good(), false), []string{otherPEM}, 700027},
		{"signed by another key than the named certificate", sign(t, otherKey, cert, good(), false), []string{certPEM}, 700027},
		{"tampered payload", func() string {
			a := strings.Split(sign(t, key, cert, good(), false), ".")
			c, _ := json.Marshal(with("sub", "someone-else"))
			return a[0] + "." + base64.RawURLEncoding.EncodeToString(c) + "." + a[2]
		}(), []string{certPEM}, 700027},
		{"wrong audience", sign(t, key, cert, with("aud", "https://login.microsoftonline.com/x/oauth2/v2.0/token"), false), []string{certPEM}, 700021},
		{"issuer is not the client", sign(t, key, cert, with("iss", "bbbbbbbb-0000-0000-0000-000000000002"), false), []string{certPEM}, 700023},
		{"expired", sign(t, key, cert, with("exp", now.Add(-time.Hour).Unix()), false), []string{certPEM}, 700024},
		{"not yet valid", sign(t, key, cert, with("nbf", now.Add(time.Hour).Unix()), false), []string{certPEM}, 700024},
		{"no thumbprint", func() string {
			hb, _ := json.Marshal(map[string]string{"alg": "PS256"})
			return base64.RawURLEncoding.EncodeToString(hb) + ".e30.c2ln"
		}(), []string{certPEM}, 50027},
		{"not a JWT", "abc", []string{certPEM}, 50027},
		{"unsigned, naming a registered certificate", func() string {
			a := strings.Split(sign(t, otherKey, otherCert, good(), false), ".")
			th := sha256.Sum256(otherCert.Raw)
			hb, _ := json.Marshal(map[string]string{"alg": "none", "x5t#S256": base64.StdEncoding.EncodeToString(th[:])})
			return base64.RawURLEncoding.EncodeToString(hb) + "." + a[1] + "."
		}(), []string{otherPEM}, 50027},
		{"aud as a list holding this endpoint", sign(t, key, cert, with("aud", []string{"https://other.example/token", endpoint}), false), []string{certPEM}, 0},
		{"client id in another case", sign(t, key, cert, with("iss", strings.ToUpper(client)), false), []string{certPEM}, 0},
	}
	for _, c := range cases {
		wantAADSTS(t, c.name, verifyAssertion(c.assertion, client, endpoint, c.certs, now), c.code)
	}
}

func TestVerifyFederated(t *testing.T) {
	t.Parallel()
	const gh = "https://token.actions.githubusercontent.com"
	const subj = "repo:acme/infra:ref:refs/heads/main"
	s := New(nil, Options{})
	creds := []FederatedCredential{{Issuer: gh, Subject: subj}}
	now := time.Now()
	mint := func(issuer, subject, aud string, life time.Duration) string {
		tok, err := s.FederatedToken(issuer, subject, aud, life)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	other := New(nil, Options{}) // another simulator: same issuer name, another key
	forged, _ := other.FederatedToken(gh, subj, "", time.Hour)
	cases := []struct {
		name  string
		token string
		code  int
	}{
		{"the CI job's token", mint(gh, subj, "", time.Hour), 0},
		{"another branch", mint(gh, "repo:acme/infra:ref:refs/heads/dev", "", time.Hour), 70021},
		{"another issuer", mint("https://gitlab.example.com", subj, "", time.Hour), 70021},
		{"another audience", mint(gh, subj, "https://graph.microsoft.com", time.Hour), 70021},
		{"expired", mint(gh, subj, "", -time.Hour), 700024},
		{"signed by a key the issuer does not have", forged, 50013},
		{"not a JWT", "x.y", 50027},
	}
	for _, c := range cases {
		wantAADSTS(t, c.name, s.verifyFederated(c.token, creds, now), c.code)
	}
	if assertionUsesCertificate(mint(gh, subj, "", time.Hour)) {
		t.Error("a federated token (kid, no x5t) was taken for a certificate assertion")
	}
}

// wantAADSTS checks that err is nil (code 0) or an assertionError with
// Entra ID's code.
func wantAADSTS(t *testing.T, name string, err error, code int) {
	t.Helper()
	var ae *assertionError
	switch {
	case code == 0 && err != nil:
		t.Errorf("%s: refused: %v", name, err)
	case code != 0 && (!errors.As(err, &ae) || ae.code != code):
		t.Errorf("%s: got %v, want AADSTS%d", name, err, code)
	}
}
