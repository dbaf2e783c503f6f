package graphsim

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/ghostaudit/ghostaudit/scanners/estate"
)

var testNow = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

const tenantA = "11111111-1111-1111-1111-111111111111"

const testEstate = `
m365:
  tenants:
    - id: 11111111-1111-1111-1111-111111111111
      name: Contoso
      apps:
        - {client_id: aaaaaaaa-0000-0000-0000-000000000001, client_secret: s3cret, roles: [User.Read.All, AuditLog.Read.All, Organization.Read.All, Reports.Read.All, ReportSettings.Read.All]}
        - {client_id: aaaaaaaa-0000-0000-0000-000000000002, client_secret: s3cret, roles: [User.Read.All]}
      skus:
        - {sku_id: 06ebc4ee-1bb5-47dd-8120-11324bc54e06, part_number: SPE_E5, enabled: 25}
      subscriptions:
        - {id: 43d26afe-cb98-48b9-acc4-ae3ef2ac6c51, sku: SPE_E5, total_licenses: 25, next_lifecycle: 30d}
      groups: [{id: 7023a314-6148-4d7b-b33f-6c775572879a, name: E5}]
      users:
        - {id: 00000000-0000-0000-0000-000000000001, upn: adele@contoso.com, created: -700d,
           sign_in: {last_successful: -3d}, licenses: [{sku: SPE_E5, groups: [7023a314-6148-4d7b-b33f-6c775572879a]}],
           usage: {exchange: -2d}}
        - {id: 00000000-0000-0000-0000-000000000002, upn: bob@contoso.com, licenses: [{sku: SPE_E5}]}
        - {id: 00000000-0000-0000-0000-000000000003, upn: cy@contoso.com}
`

func start(t *testing.T, yaml string) *Server {
	t.Helper()
	est, err := estate.Parse(t.Name()+".yaml", []byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	g, ok, err := Load(est)
	if err != nil || !ok {
		t.Fatalf("Load: %v %v", ok, err)
	}
	srv := Start(g, Options{Now: func() time.Time { return testNow }})
	t.Cleanup(srv.Close)
	return srv
}

func get(t *testing.T, srv *Server, path, token string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, srv.URL+path, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	c := srv.Client()
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

func TestUsersPagingWithAbsoluteNextLink(t *testing.T) {
	t.Parallel()
	srv := start(t, testEstate)
	path := "/v1.0/users?$select=id,signInActivity,licenseAssignmentStates&$top=2"
	var ids []string
	for pages := 0; path != ""; pages++ {
		resp, b := get(t, srv, path, "")
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d %s", path, resp.StatusCode, b)
		}
		var page struct {
			Next  string           `json:"@odata.nextLink"`
			Value []map[string]any `json:"value"`
		}
		if err := json.Unmarshal(b, &page); err != nil {
			t.Fatal(err)
		}
		for _, u := range page.Value {
			ids = append(ids, u["id"].(string))
		}
		path = ""
		if page.Next != "" {
			if !strings.HasPrefix(page.Next, srv.URL+"/v1.0/users?") || !strings.Contains(page.Next, "$select=") {
				t.Fatalf("nextLink %q is not absolute on the server", page.Next)
			}
			path = strings.TrimPrefix(page.Next, srv.URL)
		}
		if pages > 3 {
			t.Fatal("paging does not end")
		}
	}
	if len(ids) != 3 {
		t.Fatalf("ids %v", ids)
	}
	_, b := get(t, srv, "/v1.0/users?$select=id,licenseAssignmentStates&$top=1", "")
	if !strings.Contains(string(b), `"assignedByGroup":"7023a314-6148-4d7b-b33f-6c775572879a"`) {
		t.Errorf("group assignment missing: %s", b)
	}
}

func TestTopLimits(t *testing.T) {
	t.Parallel()
	srv := start(t, testEstate)
	for path, want := range map[string]int{
		"/v1.0/users?$top=999":                        200,
		"/v1.0/users?$top=1000":                       400,
		"/v1.0/users?$select=signInActivity&$top=120": 200,
		"/v1.0/users?$select=signInActivity&$top=121": 200,
	} {
		resp, b := get(t, srv, path, "")
		if resp.StatusCode != want {
			t.Errorf("%s: %d, want %d: %s", path, resp.StatusCode, want, b)
		}
		if want == 400 && !strings.Contains(string(b), `"code":"Request_UnsupportedQuery"`) {
			t.Errorf("%s: body %s", path, b)
		}
	}
}

func TestNonPremiumSignInActivity(t *testing.T) {
	t.Parallel()
	srv := start(t, strings.Replace(testEstate, "      name: Contoso\n", "      name: Contoso\n      entra_p1: false\n", 1))
	resp, b := get(t, srv, "/v1.0/users?$select=id,signInActivity", "")
	if resp.StatusCode != 403 || !strings.Contains(string(b), "Authentication_RequestFromNonPremiumTenantOrB2CTenant") ||
		!strings.Contains(string(b), `"innerError"`) {
		t.Fatalf("%d %s", resp.StatusCode, b)
	}
	if resp, _ := get(t, srv, "/v1.0/users?$select=id", ""); resp.StatusCode != 200 {
		t.Fatalf("users without signInActivity: %d", resp.StatusCode)
	}
}

func TestReportRedirectsToCSVWithBOM(t *testing.T) {
	t.Parallel()
	srv := start(t, testEstate)
	resp, _ := get(t, srv, "/v1.0/reports/getOffice365ActiveUserDetail(period='D90')", "")
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("status %d", resp.StatusCode)
	}
	loc, _ := url.Parse(resp.Header.Get("Location"))
	resp, b := get(t, srv, loc.Path, "")
	if resp.StatusCode != 200 || !strings.HasPrefix(string(b), "\xEF\xBB\xBFReport Refresh Date,User Principal Name,") {
		t.Fatalf("%d %q", resp.StatusCode, b)
	}
	if !strings.Contains(string(b), "adele@contoso.com") || !strings.Contains(string(b), "2026-11-29") || !strings.Contains(string(b), "\r\n") {
		t.Errorf("csv %q", b)
	}
	// Concealed names: hashes instead of UPNs.
	srv = start(t, strings.Replace(testEstate, "      name: Contoso\n", "      name: Contoso\n      concealed_names: true\n", 1))
	_, b = get(t, srv, "/download/"+tenantA+"/D90/report.csv", "")
	if strings.Contains(string(b), "@") || !strings.Contains(string(b), Conceal("adele@contoso.com")) {
		t.Errorf("concealed csv %q", b)
	}
	_, b = get(t, srv, "/v1.0/admin/reportSettings", "")
	if !strings.Contains(string(b), `"displayConcealedNames":true`) {
		t.Errorf("reportSettings %s", b)
	}
}

func TestTokenEndpointAndRoles(t *testing.T) {
	t.Parallel()
	srv := start(t, testEstate)
	post := func(form url.Values) (int, map[string]any) {
		resp, err := srv.Client().PostForm(srv.URL+"/"+tenantA+"/oauth2/v2.0/token", form)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var m map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&m)
		return resp.StatusCode, m
	}
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {"aaaaaaaa-0000-0000-0000-000000000002"},
		"client_secret": {"s3cret"}, "scope": {"https://graph.microsoft.com/.default"}}
	code, m := post(form)
	if code != 200 || m["access_token"] == nil {
		t.Fatalf("%d %v", code, m)
	}
	tok := m["access_token"].(string)
	// This app has User.Read.All only.
	if resp, b := get(t, srv, "/v1.0/users?$select=id", tok); resp.StatusCode != 200 {
		t.Errorf("users: %d %s", resp.StatusCode, b)
	}
	if resp, b := get(t, srv, "/v1.0/subscribedSkus", tok); resp.StatusCode != 403 || !strings.Contains(string(b), "Authorization_RequestDenied") {
		t.Errorf("subscribedSkus: %d %s", resp.StatusCode, b)
	}
	form.Set("client_secret", "wrong")
	if code, m := post(form); code != 401 || m["error"] != "invalid_client" {
		t.Errorf("wrong secret: %d %v", code, m)
	}
}

func TestFaultsAndMethods(t *testing.T) {
	t.Parallel()
	srv := start(t, strings.Replace(testEstate, "      name: Contoso\n",
		"      name: Contoso\n      faults: {deny: [reports], throttle: {subscribedSkus: 1}, retry_after: 2}\n", 1))
	resp, b := get(t, srv, "/v1.0/subscribedSkus", "")
	if resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "2" || !strings.Contains(string(b), "TooManyRequests") {
		t.Fatalf("%d %s", resp.StatusCode, b)
	}
	if resp, b := get(t, srv, "/v1.0/subscribedSkus", ""); resp.StatusCode != 200 || !strings.Contains(string(b), `"consumedUnits":2`) {
		t.Fatalf("%d %s", resp.StatusCode, b)
	}
	if resp, _ := get(t, srv, "/v1.0/reports/getOffice365ActiveUserDetail(period='D90')", ""); resp.StatusCode != 403 {
		t.Fatalf("denied report: %d", resp.StatusCode)
	}
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/v1.0/users/00000000-0000-0000-0000-000000000002/assignLicense", strings.NewReader("{}"))
	r, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	if r.StatusCode != http.StatusMethodNotAllowed {
		t.Fatalf("POST: %d", r.StatusCode)
	}
}

func TestLoadErrorsNameTheField(t *testing.T) {
	t.Parallel()
	bad := strings.Replace(testEstate, "licenses: [{sku: SPE_E5}]", "licenses: [{sku: SPE_E3}]", 1)
	est, err := estate.Parse("bad.yaml", []byte(bad))
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = Load(est)
	if err == nil || !strings.Contains(err.Error(), "m365.tenants[0].users[1].licenses[0].sku") || !strings.Contains(err.Error(), "bad.yaml:") {
		t.Fatalf("error %v", err)
	}
}

// TestNoGraphSDK keeps the simulator cheap to build: it must not import
// msgraph-sdk-go (or Kiota).
func TestNoGraphSDK(t *testing.T) {
	t.Parallel()
	out, err := exec.Command("go", "list", "-deps", ".").CombinedOutput()
	if err != nil {
		t.Skipf("go list unavailable: %v %s", err, out)
	}
	for _, dep := range strings.Fields(string(out)) {
		if strings.Contains(dep, "msgraph") || strings.Contains(dep, "kiota") {
			t.Errorf("graphsim depends on %s", dep)
		}
	}
}

func TestExampleEstateLoads(t *testing.T) {
	t.Parallel()
	est, err := estate.Load("testdata/example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	g, ok, err := Load(est)
	if err != nil || !ok || len(g.Tenants) != 1 || len(g.Tenants[0].Users) != 5 {
		t.Fatalf("Load: %v %v %+v", ok, err, g)
	}
	srv := Start(g, Options{Now: func() time.Time { return testNow }})
	t.Cleanup(srv.Close)
	if resp, b := get(t, srv, "/v1.0/subscribedSkus", ""); resp.StatusCode != 200 || !strings.Contains(string(b), `"consumedUnits":3`) {
		t.Fatalf("%d %s", resp.StatusCode, b)
	}
}

func TestLatencyDelaysResponses(t *testing.T) {
	t.Parallel()
	srv := start(t, strings.Replace(testEstate, "      name: Contoso\n", "      name: Contoso\n      faults: {latency: 50ms}\n", 1))
	begin := time.Now()
	if resp, _ := get(t, srv, "/v1.0/subscribedSkus", ""); resp.StatusCode != 200 {
		t.Fatal(resp.StatusCode)
	}
	if d := time.Since(begin); d < 50*time.Millisecond {
		t.Errorf("answered in %v", d)
	}
}

func TestGroupLookup(t *testing.T) {
	t.Parallel()
	srv := start(t, testEstate)
	resp, b := get(t, srv, "/v1.0/groups/7023a314-6148-4d7b-b33f-6c775572879a", "")
	if resp.StatusCode != 200 || !strings.Contains(string(b), `"displayName":"E5"`) || !strings.Contains(string(b), `"skuId":"06ebc4ee-1bb5-47dd-8120-11324bc54e06"`) {
		t.Fatalf("%d %s", resp.StatusCode, b)
	}
	if resp, b := get(t, srv, "/v1.0/groups/00000000-0000-0000-0000-0000000000ff", ""); resp.StatusCode != 404 || !strings.Contains(string(b), "Request_ResourceNotFound") {
		t.Fatalf("%d %s", resp.StatusCode, b)
	}
}

// TestDeviceCodeFlow: the device authorization endpoint issues a code
// once, a confidential app cannot redeem it, an unknown code is refused,
// and the delegated token carries the app's permissions as scp.
func TestDeviceCodeFlow(t *testing.T) {
	t.Parallel()
	const pub = "aaaaaaaa-0000-0000-0000-000000000003"
	est := strings.Replace(testEstate, "        - {client_id: aaaaaaaa-0000-0000-0000-000000000002,",
		"        - {client_id: "+pub+", public_client: true, roles: [User.Read.All]}\n        - {client_id: aaaaaaaa-0000-0000-0000-000000000002,", 1)
	srv := start(t, est)
	post := func(path string, form url.Values) (int, map[string]any) {
		resp, err := srv.Client().PostForm(srv.URL+"/"+tenantA+"/oauth2/v2.0/"+path, form)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var m map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&m)
		return resp.StatusCode, m
	}
	scope := "https://graph.microsoft.com/.default openid offline_access profile"
	code, dc := post("devicecode", url.Values{"client_id": {pub}, "scope": {scope}})
	if code != 200 || dc["device_code"] == nil || !strings.Contains(fmt.Sprint(dc["message"]), fmt.Sprint(dc["user_code"])) {
		t.Fatalf("devicecode: %d %v", code, dc)
	}
	poll := url.Values{"grant_type": {"device_code"}, "client_id": {pub}, "device_code": {fmt.Sprint(dc["device_code"])}, "scope": {scope}}
	if code, m := post("token", url.Values{"grant_type": {"device_code"}, "client_id": {pub}, "device_code": {"nope"}, "scope": {scope}}); code != 400 || m["error"] != "invalid_grant" {
		t.Errorf("unknown code: %d %v", code, m)
	}
	code, m := post("token", poll)
	if code != 200 || m["id_token"] == nil || m["client_info"] == nil {
		t.Fatalf("token: %d %v", code, m)
	}
	c, err := parseToken(m["access_token"].(string))
	if err != nil || c.Scp != "User.Read.All" || len(c.Roles) != 0 {
		t.Errorf("delegated token claims %+v %v", c, err)
	}
	if code, m := post("token", poll); code != 400 || m["error"] != "invalid_grant" {
		t.Errorf("a redeemed code again: %d %v", code, m)
	}
	// A confidential app's device code cannot be redeemed without a secret.
	_, dc = post("devicecode", url.Values{"client_id": {"aaaaaaaa-0000-0000-0000-000000000002"}, "scope": {scope}})
	poll.Set("client_id", "aaaaaaaa-0000-0000-0000-000000000002")
	poll.Set("device_code", fmt.Sprint(dc["device_code"]))
	if code, m := post("token", poll); code != 401 || m["error"] != "invalid_client" {
		t.Errorf("confidential app: %d %v", code, m)
	}
}
