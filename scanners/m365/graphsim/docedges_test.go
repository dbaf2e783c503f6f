package graphsim

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/ghostaudit/ghostaudit/scanners/estate"
)

// TestTokenScopeAndAudienceAreGraph: Entra ID issues client-credentials
// tokens only for a resource it knows (AADSTS500011 "The resource
// principal named ... was not found"), and Graph accepts only tokens whose
// audience is Graph ("Invalid audience"), wherever the simulator is served
// from: the scope is Graph's even for a simulator on 127.0.0.1.
func TestTokenScopeAndAudienceAreGraph(t *testing.T) {
	t.Parallel()
	srv := start(t, testEstate)
	post := func(scope string) (int, map[string]any) {
		resp, err := srv.Client().PostForm(srv.URL+"/"+tenantA+"/oauth2/v2.0/token", url.Values{"grant_type": {"client_credentials"},
			"client_id": {"aaaaaaaa-0000-0000-0000-000000000001"}, "client_secret": {"s3cret"}, "scope": {scope}})
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var m map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&m)
		return resp.StatusCode, m
	}
	for _, scope := range []string{"https://graph.microsoft.com/.default", "00000003-0000-0000-c000-000000000000/.default"} {
		code, m := post(scope)
		if code != 200 {
			t.Fatalf("%s: %d %v", scope, code, m)
		}
		c, err := parseToken(m["access_token"].(string))
		if err != nil || c.Audience != GraphAudience {
			t.Errorf("%s: aud %q %v", scope, c.Audience, err)
		}
	}
	code, m := post(srv.URL + "/.default")
	if code != 400 || m["error"] != "invalid_resource" || !strings.Contains(m["error_description"].(string), "AADSTS500011") {
		t.Errorf("scope of the simulator's own host: %d %v", code, m)
	}
	// A token for another resource is refused by Graph.
	bad := encodeToken(Claims{Audience: "https://management.azure.com", TenantID: tenantA, Roles: []string{"User.Read.All"}, Expires: testNow.Unix() + 3600})
	if resp, b := get(t, srv, "/v1.0/users?$select=id", bad); resp.StatusCode != 401 || !strings.Contains(string(b), "Invalid audience") {
		t.Errorf("token for another audience: %d %s", resp.StatusCode, b)
	}
}

// TestDocumentedPermissions: directory/subscriptions does not accept
// LicenseAssignment.Read.All (directory-list-subscriptions: Organization.Read.All,
// Directory.Read.All, Organization.ReadWrite.All), and every call accepts
// the higher-privileged permissions its reference page lists.
func TestDocumentedPermissions(t *testing.T) {
	t.Parallel()
	srv := start(t, testEstate)
	token := func(roles ...string) string {
		return encodeToken(Claims{Audience: GraphAudience, TenantID: tenantA, Roles: roles, Expires: testNow.Unix() + 3600})
	}
	cases := []struct {
		path string
		role string
		want int
	}{
		{"/v1.0/directory/subscriptions", "LicenseAssignment.Read.All", 403},
		{"/v1.0/subscribedSkus", "LicenseAssignment.Read.All", 200},
		{"/v1.0/directory/subscriptions", "Organization.ReadWrite.All", 200},
		{"/v1.0/subscribedSkus", "Directory.ReadWrite.All", 200},
		{"/v1.0/users?$select=id", "User.ReadWrite.All", 200},
		{"/v1.0/users?$select=id", "Directory.ReadWrite.All", 200},
		{"/v1.0/admin/reportSettings", "ReportSettings.ReadWrite.All", 200},
		{"/v1.0/groups/7023a314-6148-4d7b-b33f-6c775572879a", "Group.ReadWrite.All", 200},
		{"/v1.0/groups/7023a314-6148-4d7b-b33f-6c775572879a", "Directory.ReadWrite.All", 200},
	}
	for _, c := range cases {
		if resp, b := get(t, srv, c.path, token(c.role)); resp.StatusCode != c.want {
			t.Errorf("%s with %s: %d, want %d (%s)", c.path, c.role, resp.StatusCode, c.want, b)
		}
	}
}

// TestErroredAssignmentPaths: a group path in Error (group_errors) is
// served with state Error and its error; a licence whose every path is in
// Error is left out of assignedLicenses and consumedUnits unless
// list_errored_licences serves the other reading of the docs.
func TestErroredAssignmentPaths(t *testing.T) {
	t.Parallel()
	const g = "7023a314-6148-4d7b-b33f-6c775572879a"
	est := strings.Replace(testEstate, "licenses: [{sku: SPE_E5, groups: ["+g+"]}]",
		"licenses: [{sku: SPE_E5, groups: ["+g+"], group_errors: {"+g+": CountViolation}}]", 1)
	for _, listed := range []bool{false, true} {
		y := est
		if listed {
			y = strings.Replace(y, "      name: Contoso\n", "      name: Contoso\n      list_errored_licences: true\n", 1)
		}
		srv := start(t, y)
		_, b := get(t, srv, "/v1.0/users?$select=id,assignedLicenses,licenseAssignmentStates&$top=1", "")
		if !strings.Contains(string(b), `"error":"CountViolation"`) || !strings.Contains(string(b), `"state":"Error"`) {
			t.Errorf("listed=%v: errored path not served: %s", listed, b)
		}
		if got := strings.Contains(string(b), `"assignedLicenses":[{`); got != listed {
			t.Errorf("listed=%v: assignedLicenses %s", listed, b)
		}
		want := `"consumedUnits":1`
		if listed {
			want = `"consumedUnits":2`
		}
		if _, b := get(t, srv, "/v1.0/subscribedSkus", ""); !strings.Contains(string(b), want) {
			t.Errorf("listed=%v: want %s in %s", listed, want, b)
		}
	}
	for _, bad := range []string{"state: Broken", "group_errors: {" + g + ": Oops}", "group_errors: {11111111-2222-3333-4444-555555555555: CountViolation}"} {
		y := strings.Replace(testEstate, "licenses: [{sku: SPE_E5}]", "licenses: [{sku: SPE_E5, groups: ["+g+"], "+bad+"}]", 1)
		e, err := estate.Parse("bad.yaml", []byte(y))
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := Load(e); err == nil || !strings.Contains(err.Error(), "users[1].licenses[0]") {
			t.Errorf("%s: error %v", bad, err)
		}
	}
}

// TestThrottledAnswerIsImmediate: a throttled call is answered at once;
// the latency fault delays only the answers that are not throttled.
func TestThrottledAnswerIsImmediate(t *testing.T) {
	t.Parallel()
	srv := start(t, strings.Replace(testEstate, "      name: Contoso\n",
		"      name: Contoso\n      faults: {throttle: {subscribedSkus: 1}, latency: 3s}\n", 1))
	start := time.Now()
	if resp, _ := get(t, srv, "/v1.0/subscribedSkus", ""); resp.StatusCode != 429 {
		t.Fatalf("%d", resp.StatusCode)
	}
	if d := time.Now().Sub(start); d > 2*time.Second {
		t.Errorf("the 429 took %v", d)
	}
}

// TestSignInActivityPagesAreCappedAt120: with signInActivity selected,
// "Requests with $top set higher than 120 will return pages with up to 120
// users" (user-list, example 11): a page of 120 and a nextLink, not a 400.
func TestSignInActivityPagesAreCappedAt120(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	b.WriteString(testEstate)
	for i := 0; i < 130; i++ {
		fmt.Fprintf(&b, "        - {id: 00000000-0000-0000-0001-%012d, upn: u%d@contoso.com}\n", i, i)
	}
	srv := start(t, b.String())
	resp, body := get(t, srv, "/v1.0/users?$select=id,signInActivity&$top=500", "")
	var page struct {
		Next  string `json:"@odata.nextLink"`
		Value []any  `json:"value"`
	}
	if err := json.Unmarshal(body, &page); err != nil || resp.StatusCode != 200 {
		t.Fatalf("%d %v %s", resp.StatusCode, err, body)
	}
	if len(page.Value) != MaxSignInPageSize || page.Next == "" {
		t.Errorf("%d users, nextLink %q", len(page.Value), page.Next)
	}
}
