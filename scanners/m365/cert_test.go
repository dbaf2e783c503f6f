package m365

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ghostaudit/ghostaudit/scanners"
)

// newCertFile writes a self-signed certificate and its key (PEM, as
// AZURE_CLIENT_CERTIFICATE_PATH takes them) and returns the file and the
// certificate alone (what the app registration holds).
func newCertFile(t *testing.T) (path, certPEM string) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: "ghostaudit-reader"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	pk, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certPEM = string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
	path = filepath.Join(t.TempDir(), "reader.pem")
	data := certPEM + string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pk}))
	if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	return path, certPEM
}

// certEstate is normalEstate with an app that has only a certificate
// credential.
func certEstate(t *testing.T, certPEM string) string {
	t.Helper()
	certApp := `      apps: [{client_id: ` + clientID + `, certificates: [` + strconv.Quote(certPEM) + `],
              roles: [User.Read.All, AuditLog.Read.All, Organization.Read.All, Reports.Read.All, ReportSettings.Read.All, GroupMember.Read.All]}]
`
	if !strings.Contains(normalEstate, app) {
		t.Fatal("normalEstate no longer uses app")
	}
	return strings.ReplaceAll(normalEstate, app, certApp)
}

// TestClientCertificateAuthenticates: azidentity's certificate credential
// (MSAL's PS256 client assertion) obtains a token from the simulator's
// token endpoint, which verifies the signature against the registered
// certificate, and the scan reads the tenant as with a secret.
func TestClientCertificateAuthenticates(t *testing.T) {
	t.Parallel()
	path, certPEM := newCertFile(t)
	fx := newFixture(t, certEstate(t, certPEM), nil, func(o *Options) {
		o.Auth, o.CertificatePath, o.ClientSecret = AuthClientCertificate, path, ""
	})
	inv := fx.scan(t)
	if len(inv.Gaps) != 0 || len(inv.Seats) != normalSeats {
		t.Fatalf("%d seats, gaps %+v", len(inv.Seats), inv.Gaps)
	}
}

// TestUnregisteredCertificateIsNoCredentials: a certificate the app does
// not have is refused by the token endpoint (AADSTS700027), which the scan
// reports as no usable credentials.
func TestUnregisteredCertificateIsNoCredentials(t *testing.T) {
	t.Parallel()
	_, registered := newCertFile(t)
	other, _ := newCertFile(t)
	fx := newFixture(t, certEstate(t, registered), nil, func(o *Options) {
		o.Auth, o.CertificatePath, o.ClientSecret = AuthClientCertificate, other, ""
	})
	err := fx.scanner.Scan(context.Background(), &scanners.Collector{})
	if err == nil || !strings.Contains(err.Error(), "no usable credentials") || !strings.Contains(err.Error(), "700027") {
		t.Fatalf("err %v", err)
	}
}

// TestWorkloadIdentityAuthenticates: azidentity's workload-identity
// credential sends the CI job's federated token (AZURE_FEDERATED_TOKEN_FILE)
// as a client assertion; the simulator, standing in for the issuer,
// verifies it against the app's federated credential. A token for another
// subject (another branch) is refused. Not parallel: it sets the
// environment azidentity reads.
func TestWorkloadIdentityAuthenticates(t *testing.T) {
	const issuer, subject = "https://token.actions.githubusercontent.com", "repo:acme/infra:ref:refs/heads/main"
	fedApp := `      apps: [{client_id: ` + clientID + `, federated: [{issuer: "` + issuer + `", subject: "` + subject + `"}],
              roles: [User.Read.All, AuditLog.Read.All, Organization.Read.All, Reports.Read.All, ReportSettings.Read.All, GroupMember.Read.All]}]
`
	est := strings.ReplaceAll(normalEstate, app, fedApp)
	for _, c := range []struct {
		subject string
		ok      bool
	}{{subject, true}, {"repo:acme/infra:ref:refs/heads/dev", false}} {
		fx := newFixture(t, est, nil, func(o *Options) { o.Auth, o.ClientSecret = AuthWorkloadIdentity, "" })
		tok, err := fx.srv.FederatedToken(issuer, c.subject, "", time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		file := filepath.Join(t.TempDir(), "token")
		if err := os.WriteFile(file, []byte(tok), 0o600); err != nil {
			t.Fatal(err)
		}
		t.Setenv("AZURE_FEDERATED_TOKEN_FILE", file)
		col := &scanners.Collector{}
		err = fx.scanner.Scan(context.Background(), col)
		_, seats, gaps := col.Snapshot()
		if c.ok && (err != nil || len(gaps) != 0 || len(seats) != normalSeats) {
			t.Fatalf("subject %s: err %v, %d seats, gaps %+v", c.subject, err, len(seats), gaps)
		}
		if !c.ok && (err == nil || !strings.Contains(err.Error(), "70021")) {
			t.Fatalf("subject %s: err %v, want AADSTS70021", c.subject, err)
		}
	}
}

// TestDeviceCodeAuthenticates: azidentity's device-code credential (MSAL's
// public client) gets a device code, shows the prompt (logged), polls the
// token endpoint and receives a delegated token (scp); the scan reads the
// tenant with it. An app that does not allow public client flows is
// refused (AADSTS7000218).
func TestDeviceCodeAuthenticates(t *testing.T) {
	t.Parallel()
	for _, public := range []bool{true, false} {
		pubApp := `      apps: [{client_id: ` + clientID + `, public_client: ` + strconv.FormatBool(public) + `, client_secret: unused,
              roles: [User.Read.All, AuditLog.Read.All, Organization.Read.All, Reports.Read.All, ReportSettings.Read.All, GroupMember.Read.All]}]
`
		fx := newFixture(t, strings.ReplaceAll(normalEstate, app, pubApp), nil, func(o *Options) { o.Auth, o.ClientSecret = AuthDeviceCode, "" })
		col := &scanners.Collector{}
		err := fx.scanner.Scan(context.Background(), col)
		_, seats, gaps := col.Snapshot()
		if public && (err != nil || len(gaps) != 0 || len(seats) != normalSeats) {
			t.Fatalf("public client: err %v, %d seats, gaps %+v", err, len(seats), gaps)
		}
		if !public && (err == nil || !strings.Contains(err.Error(), "7000218")) {
			t.Fatalf("confidential app with device code: err %v, want AADSTS7000218", err)
		}
	}
}
