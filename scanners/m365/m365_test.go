package m365

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/microsoftgraph/msgraph-sdk-go/models"
	"github.com/microsoftgraph/msgraph-sdk-go/users"

	"github.com/ghostaudit/ghostaudit/scanners"
	"github.com/ghostaudit/ghostaudit/scanners/estate"
	"github.com/ghostaudit/ghostaudit/scanners/m365/graphsim"
	"github.com/ghostaudit/ghostaudit/scanners/scannertest"
)

var testNow = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

const (
	tenantA  = "11111111-1111-1111-1111-111111111111"
	tenantB  = "22222222-2222-2222-2222-222222222222"
	clientID = "aaaaaaaa-0000-0000-0000-000000000001"
	secret   = "graphsim-secret-Xq7~value"
	e5       = "06ebc4ee-1bb5-47dd-8120-11324bc54e06"
	pbi      = "f8a1db68-be16-40ed-86d5-cb42ce701560"
	group    = "7023a314-6148-4d7b-b33f-6c775572879a"
)

const app = `      apps: [{client_id: ` + clientID + `, client_secret: ` + secret + `,
              roles: [User.Read.All, AuditLog.Read.All, Organization.Read.All, Reports.Read.All, ReportSettings.Read.All, GroupMember.Read.All]}]
`

// normalEstate has two tenants: Contoso with three SKUs and Fabrikam with one.
const normalEstate = `
m365:
  tenants:
    - id: ` + tenantA + `
      name: Contoso
` + app + `      skus:
        - {sku_id: ` + e5 + `, part_number: SPE_E5, enabled: 25, warning: 2,
           service_plans: [{id: 8c098270-9dd4-4350-9b30-ba4703f3b36b, name: ADALLOM_S_O365}]}
        - {sku_id: ` + pbi + `, part_number: POWER_BI_PRO, enabled: 10}
        - {sku_id: 3b555118-da6a-4418-894f-7df1e2096870, part_number: O365_BUSINESS_ESSENTIALS, enabled: 5, capability_status: Suspended}
      subscriptions:
        - {id: 43d26afe-cb98-48b9-acc4-ae3ef2ac6c51, sku: SPE_E5, total_licenses: 27, next_lifecycle: 40d}
        - {id: 53d26afe-cb98-48b9-acc4-ae3ef2ac6c51, sku: SPE_E5, total_licenses: 1, next_lifecycle: -5d}
        - {id: 63d26afe-cb98-48b9-acc4-ae3ef2ac6c51, sku: POWER_BI_PRO, is_trial: true, total_licenses: 4, next_lifecycle: 12d}
      groups: [{id: ` + group + `, name: Licensing E5}]
      users:
        - {id: 00000000-0000-0000-0000-000000000001, upn: adele@contoso.com, created: -700d,
           sign_in: {last_successful: -3d, last: -2d},
           licenses: [{sku: SPE_E5, groups: [` + group + `]}, {sku: POWER_BI_PRO}],
           usage: {exchange: -2d, teams: -1d}}
        - {id: 00000000-0000-0000-0000-000000000002, upn: bob@contoso.com, enabled: false, created: -400d,
           sign_in: {last: -200d}, licenses: [{sku: SPE_E5, groups: [` + group + `], direct: true, disabled_plans: [8c098270-9dd4-4350-9b30-ba4703f3b36b]}]}
        - {id: 00000000-0000-0000-0000-000000000003, upn: guest_x@contoso.com, user_type: Guest, licenses: [{sku: POWER_BI_PRO}]}
        - {id: 00000000-0000-0000-0000-000000000004, upn: nolicence@contoso.com}
    - id: ` + tenantB + `
      name: Fabrikam
` + app + `      skus:
        - {sku_id: ` + e5 + `, part_number: SPE_E5, enabled: 3}
      users:
        - {id: 00000000-0000-0000-0000-0000000000b1, upn: ann@fabrikam.com, licenses: [{sku: SPE_E5}]}
`

const normalResources, normalSeats = 4, 5

type fixture struct {
	srv     *graphsim.Server
	scanner *Scanner
}

func newFixture(t *testing.T, estateYAML string, logger *slog.Logger, tweak func(*Options)) *fixture {
	t.Helper()
	est, err := estate.Parse(t.Name()+".yaml", []byte(estateYAML))
	if err != nil {
		t.Fatal(err)
	}
	g, ok, err := graphsim.Load(est)
	if err != nil || !ok {
		t.Fatalf("graphsim.Load: %v %v", ok, err)
	}
	srv := graphsim.Start(g, graphsim.Options{Now: func() time.Time { return testNow }})
	t.Cleanup(srv.Close)
	opts := NewOptions()
	for _, tn := range g.Tenants {
		opts.Tenants = append(opts.Tenants, tn.ID)
	}
	opts.ClientID, opts.ClientSecret = clientID, secret
	opts.GraphURL, opts.AuthorityHost = srv.URL, srv.URL+"/"
	if tweak != nil {
		tweak(opts)
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	s, err := newScanner(opts, scanners.Env{Logger: logger, Now: func() time.Time { return testNow }, HTTPClient: srv.Client()},
		func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{srv: srv, scanner: s}
}

func (fx *fixture) scan(t *testing.T) *scanners.Inventory {
	t.Helper()
	col := &scanners.Collector{}
	if err := fx.scanner.Scan(context.Background(), col); err != nil {
		t.Fatal(err)
	}
	res, seats, gaps := col.Snapshot()
	inv := &scanners.Inventory{Resources: res, Seats: seats, Gaps: gaps}
	inv.Sort()
	return inv
}

func multiPageEstate(n int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "m365:\n  tenants:\n    - id: %s\n%s      skus:\n        - {sku_id: %s, part_number: SPE_E5, enabled: %d}\n      users:\n", tenantA, app, e5, n)
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "        - {id: 00000000-0000-0000-0000-%012d, upn: u%02d@contoso.com, sign_in: {last_successful: -%dd}, licenses: [{sku: SPE_E5}]}\n", i+1, i, i+1)
	}
	return b.String()
}

func TestConformance(t *testing.T) {
	scannertest.Run(t, scannertest.Opt{
		Info: Info,
		Setup: func(t *testing.T, f scannertest.Fixture, logger *slog.Logger) scannertest.Harness {
			var fx *fixture
			var h scannertest.Harness
			switch f {
			case scannertest.Normal:
				fx = newFixture(t, normalEstate, logger, nil)
				h.WantResources = normalResources
			case scannertest.Empty:
				fx = newFixture(t, "m365:\n  tenants:\n    - id: "+tenantA+"\n"+app, logger, nil)
			case scannertest.MultiPage:
				fx = newFixture(t, multiPageEstate(23), logger, func(o *Options) { o.PageSize = 5 })
				h.WantResources = 1
			case scannertest.Denied:
				fx = newFixture(t, strings.Replace(normalEstate, "      name: Fabrikam\n", "      name: Fabrikam\n      faults: {deny: [\"*\"]}\n", 1), logger, nil)
				h.WantResources = normalResources - 1
				h.DeniedAccount = tenantB
			}
			h.Scanner = fx.scanner
			h.Requests = fx.srv.GraphRequests
			h.Secrets = []string{secret}
			return h
		},
		Mutate: func(t *testing.T, h scannertest.Harness) error {
			g, err := h.Scanner.(*Scanner).newGraph(tenantA)
			if err != nil {
				t.Fatal(err)
			}
			body := users.NewItemAssignLicensePostRequestBody()
			lic := models.NewAssignedLicense()
			body.SetAddLicenses([]models.AssignedLicenseable{lic})
			body.SetRemoveLicenses(nil)
			_, err = g.client.Users().ByUserId("00000000-0000-0000-0000-000000000004").AssignLicense().Post(context.Background(), body, nil)
			return err
		},
	})
}

func seatOf(t *testing.T, inv *scanners.Inventory, sku, user string) scanners.Seat {
	t.Helper()
	for _, s := range inv.Seats {
		if s.SKU == sku && s.UserID == user {
			return s
		}
	}
	t.Fatalf("no seat %s for %s in %+v", sku, user, inv.Seats)
	return scanners.Seat{}
}

func TestSeatsAndSKUs(t *testing.T) {
	t.Parallel()
	inv := newFixture(t, normalEstate, nil, nil).scan(t)
	if len(inv.Gaps) != 0 || len(inv.Seats) != normalSeats {
		t.Fatalf("gaps %+v, %d seats", inv.Gaps, len(inv.Seats))
	}
	adele := seatOf(t, inv, "SPE_E5", "00000000-0000-0000-0000-000000000001")
	if adele.AssignmentSource != "group:"+group || adele.Attributes["assignment_direct"] != "false" || adele.Attributes["assignment_groups"] != group {
		t.Errorf("group-assigned seat: %+v", adele)
	}
	if adele.Attributes["assignment_group_name"] != "Licensing E5" || adele.Attributes["assignment_group_names"] != "Licensing E5" {
		t.Errorf("group name not resolved: %v", adele.Attributes)
	}
	if bob := seatOf(t, inv, "SPE_E5", "00000000-0000-0000-0000-000000000002"); bob.Attributes["assignment_group_names"] != "Licensing E5" || bob.Attributes["assignment_group_name"] != "" {
		t.Errorf("direct+group seat: %v", bob.Attributes)
	}
	if adele.SKUName != "Microsoft 365 E5" || adele.Principal != "adele@contoso.com" || adele.Tenant != tenantA || adele.Attributes["sku_id"] != e5 {
		t.Errorf("seat identity: %+v", adele)
	}
	if adele.LastActivity == nil || !adele.LastActivity.Equal(testNow.Add(-3*24*time.Hour)) || adele.Attributes["last_activity_source"] != "lastSuccessfulSignInDateTime" {
		t.Errorf("last activity %v %v", adele.LastActivity, adele.Attributes)
	}
	// The usage report (CSV with a BOM, reached through a 302) is matched by UPN.
	if adele.Attributes["usage_report"] != "matched" || adele.Attributes["usage_exchange_last_activity"] != "2026-11-29" ||
		adele.Attributes["usage_last_activity"] != "2026-11-30" || adele.Attributes["usage_report_date"] != "2026-11-30" {
		t.Errorf("usage attributes %v", adele.Attributes)
	}
	if p := seatOf(t, inv, "POWER_BI_PRO", "00000000-0000-0000-0000-000000000001"); p.AssignmentSource != "direct" {
		t.Errorf("direct seat %+v", p)
	}
	bob := seatOf(t, inv, "SPE_E5", "00000000-0000-0000-0000-000000000002")
	if bob.AccountEnabled == nil || *bob.AccountEnabled || bob.AssignmentSource != "direct" || bob.Attributes["assignment_groups"] != group ||
		bob.Attributes["last_activity_source"] != sourceNoSuccessSince2023 || bob.Attributes["usage_report"] != "no-row" ||
		bob.Attributes["disabled_plan_ids"] != "8c098270-9dd4-4350-9b30-ba4703f3b36b" {
		t.Errorf("bob %+v", bob)
	}
	if g := seatOf(t, inv, "POWER_BI_PRO", "00000000-0000-0000-0000-000000000003"); g.UserType != "Guest" || g.LastActivity != nil {
		t.Errorf("guest %+v", g)
	}
	var sku scanners.Resource
	for _, r := range inv.Resources {
		if r.Account == tenantA && r.ID == e5 {
			sku = r
		}
	}
	want := map[string]string{"sku_part_number": "SPE_E5", "applies_to": "User", "capability_status": "Enabled", "enabled_units": "25",
		"warning_units": "2", "consumed_units": "2", "next_renewal": "2027-01-10T12:00:00Z",
		"service_plan_ids": "8c098270-9dd4-4350-9b30-ba4703f3b36b", "subscription_ids": "43d26afe-cb98-48b9-acc4-ae3ef2ac6c51,53d26afe-cb98-48b9-acc4-ae3ef2ac6c51"}
	for k, v := range want {
		if sku.Attributes[k] != v {
			t.Errorf("sku %s = %q, want %q (%v)", k, sku.Attributes[k], v, sku.Attributes)
		}
	}
	if sku.Kind != KindSKU || sku.Provider != "m365" || sku.Name != "SPE_E5" {
		t.Errorf("sku %+v", sku)
	}
	if _, trial := sku.Attributes["trial_units"]; trial {
		t.Errorf("paid SKU has trial_units: %v", sku.Attributes)
	}
	// Power BI Pro has a 4-seat trial subscription (totalLicenses).
	for _, r := range inv.Resources {
		if r.Account == tenantA && r.ID == pbi && (r.Attributes["is_trial"] != "true" || r.Attributes["trial_units"] != "4") {
			t.Errorf("trial SKU attributes %v", r.Attributes)
		}
	}
}

// TestLastActivityFallsBackToTheLaterSignIn: without
// lastSuccessfulSignInDateTime (not backfilled before December 2023) the
// last activity is the later of the interactive and non-interactive
// sign-ins (saas.md §1.c) when those are older than December 2023, so a
// user whose clients signed in for them is not reported inactive from an
// old interactive sign-in. (Later attempts: TestFailedSignInAttempts.)
func TestLastActivityFallsBackToTheLaterSignIn(t *testing.T) {
	t.Parallel()
	est := fmt.Sprintf("m365:\n  tenants:\n    - id: %s\n%s      skus:\n        - {sku_id: %s, part_number: SPE_E5, enabled: 3}\n      users:\n"+
		"        - {id: 00000000-0000-0000-0000-000000000001, upn: a@contoso.com, created: -1700d, sign_in: {last: 2023-05-01T00:00:00Z, last_non_interactive: 2023-11-20T00:00:00Z}, licenses: [{sku: SPE_E5}]}\n"+
		"        - {id: 00000000-0000-0000-0000-000000000002, upn: b@contoso.com, created: -1700d, sign_in: {last: 2023-11-25T00:00:00Z, last_non_interactive: 2023-02-01T00:00:00Z}, licenses: [{sku: SPE_E5}]}\n",
		tenantA, app, e5)
	inv := newFixture(t, est, nil, nil).scan(t)
	a := seatOf(t, inv, "SPE_E5", "00000000-0000-0000-0000-000000000001")
	if a.LastActivity == nil || !a.LastActivity.Equal(time.Date(2023, 11, 20, 0, 0, 0, 0, time.UTC)) || a.Attributes["last_activity_source"] != "lastNonInteractiveSignInDateTime" {
		t.Errorf("a: last activity %v %v", a.LastActivity, a.Attributes)
	}
	b := seatOf(t, inv, "SPE_E5", "00000000-0000-0000-0000-000000000002")
	if b.LastActivity == nil || !b.LastActivity.Equal(time.Date(2023, 11, 25, 0, 0, 0, 0, time.UTC)) || b.Attributes["last_activity_source"] != "lastSignInDateTime" {
		t.Errorf("b: last activity %v %v", b.LastActivity, b.Attributes)
	}
}

func TestNonPremiumTenantSignInIsAGap(t *testing.T) {
	t.Parallel()
	fx := newFixture(t, strings.Replace(normalEstate, "      name: Contoso\n", "      name: Contoso\n      entra_p1: false\n", 1), nil, nil)
	inv := fx.scan(t)
	if len(inv.Gaps) != 1 || inv.Gaps[0].Reason != scanners.ReasonDenied || inv.Gaps[0].Operation != "users.signInActivity" ||
		inv.Gaps[0].Account != tenantA || !strings.Contains(inv.Gaps[0].Message, codeNonPremium) {
		t.Fatalf("gaps %+v", inv.Gaps)
	}
	if len(inv.Seats) != normalSeats {
		t.Fatalf("%d seats", len(inv.Seats))
	}
	s := seatOf(t, inv, "SPE_E5", "00000000-0000-0000-0000-000000000001")
	if s.LastActivity != nil || s.Attributes["sign_in"] != "unavailable" || s.Attributes["usage_report"] != "matched" {
		t.Errorf("seat %+v", s)
	}
}

func TestConcealedReportIsNotMatched(t *testing.T) {
	t.Parallel()
	fx := newFixture(t, strings.Replace(normalEstate, "      name: Contoso\n", "      name: Contoso\n      concealed_names: true\n", 1), nil, nil)
	inv := fx.scan(t)
	if len(inv.Gaps) != 1 || inv.Gaps[0].Reason != scanners.ReasonUnsupported || !strings.Contains(inv.Gaps[0].Message, "displayConcealedNames") {
		t.Fatalf("gaps %+v", inv.Gaps)
	}
	for _, s := range inv.Seats {
		if s.Tenant == tenantA && (s.Attributes["usage_report"] != "concealed" || s.Attributes["usage_last_activity"] != "") {
			t.Errorf("seat %+v", s)
		}
	}
	for _, r := range fx.srv.Requests() {
		if r.Tenant == tenantA && (r.Endpoint == "reports" || r.Endpoint == "download") {
			t.Errorf("the concealed report was requested: %+v", r)
		}
	}
}

func TestPagingFollowsAbsoluteNextLink(t *testing.T) {
	t.Parallel()
	fx := newFixture(t, multiPageEstate(23), nil, func(o *Options) { o.PageSize = 5 })
	inv := fx.scan(t)
	if len(inv.Seats) != 23 || len(inv.Gaps) != 0 {
		t.Fatalf("%d seats, gaps %+v", len(inv.Seats), inv.Gaps)
	}
	pages := 0
	for _, r := range fx.srv.Requests() {
		if r.Path == "/v1.0/users" {
			pages++
			if !strings.Contains(r.Query, "top=5") {
				t.Errorf("query %s", r.Query)
			}
		}
	}
	if pages != 5 {
		t.Errorf("%d pages, want 5", pages)
	}
}

func TestThrottledCallIsRetriedAfterRetryAfter(t *testing.T) {
	t.Parallel()
	fx := newFixture(t, strings.Replace(normalEstate, "      name: Contoso\n", "      name: Contoso\n      faults: {throttle: {signInActivity: 1}, retry_after: 1}\n", 1), nil, nil)
	start := time.Now()
	inv := fx.scan(t)
	if len(inv.Gaps) != 0 || len(inv.Seats) != normalSeats {
		t.Fatalf("gaps %+v, %d seats", inv.Gaps, len(inv.Seats))
	}
	if d := time.Since(start); d < time.Second {
		t.Errorf("scan took %v: Retry-After 1 was not honoured", d)
	}
	var codes []int
	for _, r := range fx.srv.Requests() {
		if r.Path == "/v1.0/users" && r.Tenant == tenantA {
			codes = append(codes, r.Status)
		}
	}
	if fmt.Sprint(codes) != "[429 200]" {
		t.Errorf("users statuses %v", codes)
	}
}

func TestThrottlingExhaustedIsAGap(t *testing.T) {
	t.Parallel()
	fx := newFixture(t, strings.Replace(normalEstate, "      name: Contoso\n", "      name: Contoso\n      faults: {throttle: {subscribedSkus: 9}, retry_after: 1}\n", 1),
		nil, func(o *Options) { o.MaxRetries = 1 })
	inv := fx.scan(t)
	if len(inv.Gaps) != 1 || inv.Gaps[0].Reason != scanners.ReasonThrottled || inv.Gaps[0].Operation != "subscribedSkus" {
		t.Fatalf("gaps %+v", inv.Gaps)
	}
}

func TestMissingPermissionsAreListed(t *testing.T) {
	t.Parallel()
	fx := newFixture(t, strings.ReplaceAll(normalEstate, "User.Read.All, AuditLog.Read.All, Organization.Read.All", "User.Read.All, Organization.Read.All"), nil, nil)
	inv := fx.scan(t)
	var perm bool
	for _, g := range inv.Gaps {
		if g.Operation == "token roles" && strings.Contains(g.Message, "AuditLog.Read.All") && !strings.Contains(g.Message, "Reports.Read.All") {
			perm = true
		}
	}
	if !perm {
		t.Errorf("no permission gap naming AuditLog.Read.All: %+v", inv.Gaps)
	}
	if len(inv.Seats) != normalSeats {
		t.Errorf("%d seats", len(inv.Seats))
	}
}

func TestWrongSecretIsNoCredentials(t *testing.T) {
	t.Parallel()
	fx := newFixture(t, normalEstate, nil, func(o *Options) { o.ClientSecret = "wrong" })
	err := fx.scanner.Scan(context.Background(), &scanners.Collector{})
	if err == nil || !strings.Contains(err.Error(), "no usable credentials") || strings.Contains(err.Error(), secret) {
		t.Fatalf("err %v", err)
	}
}

func TestParseUsageCSVStripsBOM(t *testing.T) {
	t.Parallel()
	data := "\xEF\xBB\xBFReport Refresh Date,User Principal Name,Teams Last Activity Date\r\n2026-11-30,A@x.com,2026-11-01\r\n2026-11-30,0A1B2C3D4E5F60718293A4B5C6D7E8F9,2026-11-02\r\n"
	rows, err := parseUsageCSV([]byte(data))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || rows["a@x.com"].refresh != "2026-11-30" || rows["a@x.com"].last["teams"].Day() != 1 {
		t.Fatalf("rows %+v", rows)
	}
}

func TestOptions(t *testing.T) {
	t.Parallel()
	o := NewOptions()
	o.ClientSecret = secret
	if r := o.Redacted().(*Options); r.ClientSecret == secret {
		t.Error("secret not redacted")
	}
	o.GraphURL = "http://graph.example"
	if o.Validate() == nil {
		t.Error("http graph url accepted")
	}
	s, err := newScanner(NewOptions(), scanners.Env{}, func(k string) string {
		return map[string]string{"AZURE_TENANT_ID": tenantA, "AZURE_AUTHORITY_HOST": "https://login.microsoftonline.us/", "AZURE_CLIENT_SECRET": "x"}[k]
	})
	if err != nil || s.opts.AuthorityHost != "https://login.microsoftonline.us/" || s.opts.Tenants[0] != tenantA || s.opts.ClientSecret != "x" {
		t.Fatalf("env defaults: %v %+v", err, s)
	}
}

// TestMiddlewareRefusesWithoutTheAuthGuard sends mutating requests straight
// through the Graph HTTP client, past the authentication-provider guard:
// the first middleware still refuses them and the simulator sees nothing.
func TestMiddlewareRefusesWithoutTheAuthGuard(t *testing.T) {
	t.Parallel()
	fx := newFixture(t, normalEstate, nil, nil)
	c, err := fx.scanner.graphHTTPClient()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []string{http.MethodPost, http.MethodPatch, http.MethodDelete, http.MethodPut} {
		req, _ := http.NewRequest(m, fx.srv.URL+"/v1.0/users/00000000-0000-0000-0000-000000000004/assignLicense", strings.NewReader("{}"))
		resp, err := c.Do(req)
		if resp != nil {
			resp.Body.Close()
		}
		if !errors.Is(err, scanners.ErrReadOnly) {
			t.Errorf("%s: error %v does not wrap ErrReadOnly", m, err)
		}
	}
	if n := len(fx.srv.Requests()); n != 0 {
		t.Errorf("the simulator saw %d requests", n)
	}
	// A GET passes.
	resp, err := c.Get(fx.srv.URL + "/v1.0/admin/reportSettings")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
}

func TestDeniedEndpointsAreGaps(t *testing.T) {
	t.Parallel()
	fx := newFixture(t, strings.Replace(normalEstate, "      name: Contoso\n", "      name: Contoso\n      faults: {deny: [reports, subscriptions], latency: 2ms}\n", 1), nil, nil)
	inv := fx.scan(t)
	ops := map[string]string{}
	for _, g := range inv.Gaps {
		ops[g.Operation] = g.Reason
		if g.Account != tenantA || !strings.Contains(g.Message, "Authorization_RequestDenied") {
			t.Errorf("gap %+v", g)
		}
	}
	if len(ops) != 2 || ops["reports.getOffice365ActiveUserDetail"] != scanners.ReasonDenied || ops["directory.subscriptions"] != scanners.ReasonDenied {
		t.Fatalf("gaps %+v", inv.Gaps)
	}
	if len(inv.Seats) != normalSeats || len(inv.Resources) != normalResources {
		t.Fatalf("%d seats, %d resources", len(inv.Seats), len(inv.Resources))
	}
	if s := seatOf(t, inv, "SPE_E5", "00000000-0000-0000-0000-000000000001"); s.Attributes["usage_report"] != "unavailable" || s.LastActivity == nil {
		t.Errorf("seat %+v", s)
	}
	for _, r := range inv.Resources {
		if r.Account == tenantA && r.Attributes["next_renewal"] != "" {
			t.Errorf("renewal without subscriptions: %+v", r)
		}
	}
}

// TestGroupNamesDeniedIsAGap: without GroupMember.Read.All the group
// names are one gap and the seats keep the group ids.
func TestGroupNamesDeniedIsAGap(t *testing.T) {
	t.Parallel()
	fx := newFixture(t, strings.Replace(normalEstate, "      name: Contoso\n", "      name: Contoso\n      faults: {deny: [groups]}\n", 1), nil, nil)
	inv := fx.scan(t)
	if len(inv.Gaps) != 1 || inv.Gaps[0].Operation != "groups" || inv.Gaps[0].Reason != scanners.ReasonDenied {
		t.Fatalf("gaps %+v", inv.Gaps)
	}
	if len(inv.Seats) != normalSeats {
		t.Fatalf("%d seats", len(inv.Seats))
	}
	if a := seatOf(t, inv, "SPE_E5", "00000000-0000-0000-0000-000000000001"); a.AssignmentSource != "group:"+group || a.Attributes["assignment_group_name"] != "" {
		t.Errorf("seat %+v", a)
	}
}

func TestUsersDeniedIsOneGap(t *testing.T) {
	t.Parallel()
	fx := newFixture(t, strings.Replace(normalEstate, "      name: Contoso\n", "      name: Contoso\n      faults: {deny: [users]}\n", 1), nil, nil)
	inv := fx.scan(t)
	if len(inv.Gaps) != 1 || inv.Gaps[0].Operation != "users" || inv.Gaps[0].Reason != scanners.ReasonDenied {
		t.Fatalf("gaps %+v", inv.Gaps)
	}
	for _, s := range inv.Seats {
		if s.Tenant == tenantA {
			t.Errorf("seat from a tenant whose users are denied: %+v", s)
		}
	}
}

// TestExampleEstate scans graphsim's example estate end to end through
// the token endpoint, as `ghostaudit demo` would.
func TestExampleEstate(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("graphsim/testdata/example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	fx := newFixture(t, string(data), nil, func(o *Options) { o.ClientSecret = "graphsim-demo-secret" })
	inv := fx.scan(t)
	if len(inv.Gaps) != 0 || len(inv.Resources) != 3 || len(inv.Seats) != 6 {
		t.Fatalf("gaps %+v, %d resources, %d seats", inv.Gaps, len(inv.Resources), len(inv.Seats))
	}
	g := seatOf(t, inv, "O365_BUSINESS_ESSENTIALS", "00000000-0000-0000-0000-000000000004")
	if g.UserType != "Guest" || g.Attributes["assignment_error"] != "CountViolation" || g.Attributes["assignment_state"] != "ActiveWithError" {
		t.Errorf("guest seat %+v", g)
	}
	carol := seatOf(t, inv, "SPE_E5", "00000000-0000-0000-0000-000000000003")
	if carol.Attributes["usage_exchange_last_activity"] != "2026-08-23" || carol.Attributes["disabled_plan_ids"] != "70d33638-9c74-4d01-bfd3-562de28bd4ba" {
		t.Errorf("carol %+v", carol)
	}
}

func TestDetectCredentials(t *testing.T) {
	t.Parallel()
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	if c := detectCredentials(NewOptions(), env(nil)); c.Found {
		t.Errorf("found %+v with nothing set", c)
	}
	if c := detectCredentials(NewOptions(), env(map[string]string{"AZURE_TENANT_ID": tenantA, "AZURE_CLIENT_SECRET": "x"})); !c.Found || strings.Contains(c.Source, "x ") {
		t.Errorf("client secret: %+v", c)
	}
	o := NewOptions()
	o.Auth = AuthWorkloadIdentity
	if c := detectCredentials(o, env(map[string]string{"AZURE_TENANT_ID": tenantA, "AZURE_FEDERATED_TOKEN_FILE": "/var/run/token"})); !c.Found {
		t.Errorf("workload identity: %+v", c)
	}
}
