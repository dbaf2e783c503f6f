package m365

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/ghostaudit/ghostaudit/scanners"
)

// oneTenant is a Contoso estate with the given app roles, SKUs,
// subscriptions, groups and users (YAML list items, already indented).
func oneTenant(roles, extra, skus, subs, users string) string {
	return fmt.Sprintf(`m365:
  tenants:
    - id: %s
      name: Contoso
%s      apps: [{client_id: %s, client_secret: %s, roles: [%s]}]
      skus:
%s      subscriptions:
%s      groups: [{id: %s, name: Licensing E5}, {id: 9023a314-6148-4d7b-b33f-6c775572879a, name: Licensing E5 overflow}]
      users:
%s`, tenantA, extra, clientID, secret, roles, skus, subs, group, users)
}

const allRoles = "User.Read.All, AuditLog.Read.All, Organization.Read.All, Reports.Read.All, ReportSettings.Read.All, GroupMember.Read.All"

func gapOf(inv *scanners.Inventory, op string) *scanners.Gap {
	for i := range inv.Gaps {
		if inv.Gaps[i].Operation == op {
			return &inv.Gaps[i]
		}
	}
	return nil
}

func skuOf(t *testing.T, inv *scanners.Inventory, id string) scanners.Resource {
	t.Helper()
	for _, r := range inv.Resources {
		if r.ID == id {
			return r
		}
	}
	t.Fatalf("no SKU %s in %+v", id, inv.Resources)
	return scanners.Resource{}
}

// TestLicenseAssignmentReadAllCannotReadSubscriptions: our docs used to
// say LicenseAssignment.Read.All covers directory/subscriptions; Graph
// documents Organization.Read.All (or Directory.Read.All,
// Organization.ReadWrite.All). With LicenseAssignment.Read.All alone the
// permission check says so, the call is a denied gap that says what it
// costs, and every SKU is marked subscriptions=unavailable (trials
// unknown) with no renewal date.
func TestLicenseAssignmentReadAllCannotReadSubscriptions(t *testing.T) {
	t.Parallel()
	est := oneTenant("User.Read.All, AuditLog.Read.All, LicenseAssignment.Read.All, Reports.Read.All, ReportSettings.Read.All, GroupMember.Read.All", "",
		"        - {sku_id: "+e5+", part_number: SPE_E5, enabled: 10}\n",
		"        - {id: 43d26afe-cb98-48b9-acc4-ae3ef2ac6c51, sku: SPE_E5, total_licenses: 10, next_lifecycle: 40d}\n",
		"        - {id: 00000000-0000-0000-0000-000000000001, upn: a@contoso.com, sign_in: {last_successful: -1d}, licenses: [{sku: SPE_E5}]}\n")
	inv := newFixture(t, est, nil, nil).scan(t)
	perm := gapOf(inv, "token roles")
	if perm == nil || !strings.Contains(perm.Message, "Organization.Read.All or Directory.Read.All or Organization.ReadWrite.All (directory/subscriptions)") ||
		strings.Contains(perm.Message, "(subscribedSkus)") {
		t.Errorf("permission gap %+v", perm)
	}
	g := gapOf(inv, "directory.subscriptions")
	if g == nil || g.Reason != scanners.ReasonDenied || !strings.Contains(g.Message, "trial seats of unknown number") {
		t.Errorf("subscriptions gap %+v", g)
	}
	k := skuOf(t, inv, e5)
	if k.Attributes["subscriptions"] != "unavailable" || k.Attributes["next_renewal"] != "" {
		t.Errorf("SKU %v", k.Attributes)
	}
	if len(inv.Seats) != 1 {
		t.Errorf("%d seats", len(inv.Seats))
	}
}

// TestHigherPrivilegedPermissionsAreAccepted: the permission check and
// the calls accept the documented higher-privileged alternatives
// (Directory.ReadWrite.All, Organization.ReadWrite.All, which
// directory/subscriptions needs as Directory.ReadWrite.All is not listed
// for it, ReportSettings.ReadWrite.All...); the report
// permissions are asked for only when the usage report is read.
func TestHigherPrivilegedPermissionsAreAccepted(t *testing.T) {
	t.Parallel()
	skus := "        - {sku_id: " + e5 + ", part_number: SPE_E5, enabled: 10}\n"
	subs := "        - {id: 43d26afe-cb98-48b9-acc4-ae3ef2ac6c51, sku: SPE_E5, total_licenses: 10, next_lifecycle: 40d}\n"
	users := "        - {id: 00000000-0000-0000-0000-000000000001, upn: a@contoso.com, sign_in: {last_successful: -1d}, licenses: [{sku: SPE_E5, groups: [" + group + "]}]}\n"
	inv := newFixture(t, oneTenant("Directory.ReadWrite.All, Organization.ReadWrite.All, AuditLog.Read.All, Reports.Read.All, ReportSettings.ReadWrite.All", "", skus, subs, users), nil, nil).scan(t)
	if len(inv.Gaps) != 0 || len(inv.Seats) != 1 || inv.Seats[0].Attributes["assignment_group_name"] != "Licensing E5" {
		t.Errorf("ReadWrite permissions: gaps %+v, seats %+v", inv.Gaps, inv.Seats)
	}
	inv = newFixture(t, oneTenant("Organization.Read.All, User.ReadWrite.All, AuditLog.Read.All, Group.ReadWrite.All", "", skus, subs, users), nil,
		func(o *Options) { o.UsageReport = false }).scan(t)
	if len(inv.Gaps) != 0 || len(inv.Seats) != 1 {
		t.Errorf("no usage report: gaps %+v, %d seats", inv.Gaps, len(inv.Seats))
	}
}

// TestWarningSubscriptionIsNoRenewal: a Warning subscription has expired
// and is in its grace period; its nextLifecycleDateTime is when it is
// suspended, not a renewal, and its trial seats are warning units, not
// enabled ones.
func TestWarningSubscriptionIsNoRenewal(t *testing.T) {
	t.Parallel()
	est := oneTenant(allRoles, "",
		"        - {sku_id: "+e5+", part_number: SPE_E5, enabled: 10, warning: 5}\n        - {sku_id: "+pbi+", part_number: POWER_BI_PRO, enabled: 2, warning: 3}\n",
		"        - {id: 43d26afe-cb98-48b9-acc4-ae3ef2ac6c51, sku: SPE_E5, total_licenses: 10, next_lifecycle: 40d}\n"+
			"        - {id: 53d26afe-cb98-48b9-acc4-ae3ef2ac6c51, sku: SPE_E5, status: Warning, total_licenses: 5, next_lifecycle: 10d}\n"+
			"        - {id: 63d26afe-cb98-48b9-acc4-ae3ef2ac6c51, sku: POWER_BI_PRO, total_licenses: 2, next_lifecycle: 50d}\n"+
			"        - {id: 73d26afe-cb98-48b9-acc4-ae3ef2ac6c51, sku: POWER_BI_PRO, status: Warning, is_trial: true, total_licenses: 3, next_lifecycle: 5d}\n",
		"        - {id: 00000000-0000-0000-0000-000000000001, upn: a@contoso.com, sign_in: {last_successful: -1d}, licenses: [{sku: SPE_E5}]}\n")
	inv := newFixture(t, est, nil, nil).scan(t)
	if len(inv.Gaps) != 0 {
		t.Fatalf("gaps %+v", inv.Gaps)
	}
	if r := skuOf(t, inv, e5).Attributes["next_renewal"]; r != testNow.AddDate(0, 0, 40).Format(time.RFC3339) {
		t.Errorf("E5 next_renewal %s, want the Enabled subscription's", r)
	}
	p := skuOf(t, inv, pbi).Attributes
	if p["next_renewal"] != testNow.AddDate(0, 0, 50).Format(time.RFC3339) || p["is_trial"] != "true" || p["trial_units"] != "0" {
		t.Errorf("Power BI %v: the expired trial's seats are not enabled units", p)
	}
}

// TestErroredAssignmentPaths: only Active and ActiveWithError paths give
// the user the licence. A direct licence with a failed group path is not
// "direct and group"; of two groups the working one is named; a licence
// whose every path failed is no seat, whether Graph lists it in
// assignedLicenses or not (the docs do not say).
func TestErroredAssignmentPaths(t *testing.T) {
	t.Parallel()
	const g2 = "9023a314-6148-4d7b-b33f-6c775572879a"
	// group (7023...) sorts before g2: naming the first group would name the failing one.
	users := "        - {id: 00000000-0000-0000-0000-000000000001, upn: direct@contoso.com, sign_in: {last_successful: -1d},\n" +
		"           licenses: [{sku: SPE_E5, direct: true, groups: [" + group + "], group_errors: {" + group + ": CountViolation}}]}\n" +
		"        - {id: 00000000-0000-0000-0000-000000000002, upn: twogroups@contoso.com, sign_in: {last_successful: -1d},\n" +
		"           licenses: [{sku: SPE_E5, groups: [" + group + ", " + g2 + "], group_errors: {" + group + ": CountViolation}}]}\n" +
		"        - {id: 00000000-0000-0000-0000-000000000003, upn: failed@contoso.com, sign_in: {last_successful: -1d},\n" +
		"           licenses: [{sku: SPE_E5, groups: [" + group + "], group_errors: {" + group + ": CountViolation}}]}\n" +
		"        - {id: 00000000-0000-0000-0000-000000000004, upn: disabled@contoso.com, sign_in: {last_successful: -1d},\n" +
		"           licenses: [{sku: SPE_E5, state: Disabled}]}\n"
	for _, listed := range []string{"", "      list_errored_licences: true\n"} {
		est := oneTenant(allRoles, listed, "        - {sku_id: "+e5+", part_number: SPE_E5, enabled: 10}\n",
			"        - {id: 43d26afe-cb98-48b9-acc4-ae3ef2ac6c51, sku: SPE_E5, total_licenses: 10, next_lifecycle: 40d}\n", users)
		inv := newFixture(t, est, nil, nil).scan(t)
		if len(inv.Gaps) != 0 || len(inv.Seats) != 2 {
			t.Fatalf("%q: gaps %+v, seats %+v", listed, inv.Gaps, inv.Seats)
		}
		d := seatOf(t, inv, "SPE_E5", "00000000-0000-0000-0000-000000000001")
		if d.AssignmentSource != "direct" || d.Attributes["assignment_groups"] != "" || d.Attributes["assignment_errors"] != "group:"+group+":Error:CountViolation" {
			t.Errorf("%q: direct with a failed group path %v", listed, d.Attributes)
		}
		two := seatOf(t, inv, "SPE_E5", "00000000-0000-0000-0000-000000000002")
		if two.AssignmentSource != "group:"+g2 || two.Attributes["assignment_group_name"] != "Licensing E5 overflow" || two.Attributes["assignment_groups"] != g2 {
			t.Errorf("%q: two groups, one failed: %s %v", listed, two.AssignmentSource, two.Attributes)
		}
	}
}

// TestFailedSignInAttempts: lastSuccessfulSignInDateTime is recorded since
// 2023-12-01. When it is null and a sign-in was attempted since, every
// attempt failed: the last success is 2023-12-01 at the latest (never, for
// an account created since). Earlier attempts still stand in for it, and
// a recorded success is used as it is.
func TestFailedSignInAttempts(t *testing.T) {
	t.Parallel()
	users := "        - {id: 00000000-0000-0000-0000-000000000001, upn: old@contoso.com, created: -1500d, sign_in: {last: -3d}, licenses: [{sku: SPE_E5}]}\n" +
		"        - {id: 00000000-0000-0000-0000-000000000002, upn: new@contoso.com, created: -200d, sign_in: {last_non_interactive: -1d}, licenses: [{sku: SPE_E5}]}\n" +
		"        - {id: 00000000-0000-0000-0000-000000000003, upn: early@contoso.com, created: -1500d, sign_in: {last: 2023-06-01T00:00:00Z}, licenses: [{sku: SPE_E5}]}\n" +
		"        - {id: 00000000-0000-0000-0000-000000000004, upn: ok@contoso.com, created: -1500d, sign_in: {last_successful: -10d, last: -1d}, licenses: [{sku: SPE_E5}]}\n"
	est := oneTenant(allRoles, "", "        - {sku_id: "+e5+", part_number: SPE_E5, enabled: 10}\n",
		"        - {id: 43d26afe-cb98-48b9-acc4-ae3ef2ac6c51, sku: SPE_E5, total_licenses: 10, next_lifecycle: 40d}\n", users)
	inv := newFixture(t, est, nil, nil).scan(t)
	cutoff := time.Date(2023, 12, 1, 0, 0, 0, 0, time.UTC)
	for id, want := range map[string]struct {
		last   *time.Time
		source string
	}{
		"1": {&cutoff, sourceNoSuccessSince2023},
		"2": {nil, sourceNoSuccessSince2023},
		"3": {ptr(time.Date(2023, 6, 1, 0, 0, 0, 0, time.UTC)), "lastSignInDateTime"},
		"4": {ptr(testNow.AddDate(0, 0, -10)), "lastSuccessfulSignInDateTime"},
	} {
		s := seatOf(t, inv, "SPE_E5", "00000000-0000-0000-0000-00000000000"+id)
		if (s.LastActivity == nil) != (want.last == nil) || (want.last != nil && !s.LastActivity.Equal(*want.last)) || s.Attributes["last_activity_source"] != want.source {
			t.Errorf("user %s: last activity %v (%s), want %v (%s)", id, s.LastActivity, s.Attributes["last_activity_source"], want.last, want.source)
		}
	}
}

func ptr[T any](v T) *T { return &v }

// TestTokenScopeIsGraphWhateverTheHost: the token is asked for Graph's
// scope (graphsim, like Entra ID, refuses a scope naming an unknown
// resource with AADSTS500011), not for "<graph url>/.default"; national
// clouds get their own Graph scope, and --m365-token-scope overrides it.
func TestTokenScopeIsGraphWhateverTheHost(t *testing.T) {
	t.Parallel()
	s := &Scanner{}
	for host, want := range map[string]string{
		"graph.microsoft.com": "https://graph.microsoft.com/.default", "127.0.0.1": "https://graph.microsoft.com/.default",
		"graph.microsoft.us": "https://graph.microsoft.us/.default", "dod-graph.microsoft.us": "https://dod-graph.microsoft.us/.default",
		"microsoftgraph.chinacloudapi.cn": "https://microsoftgraph.chinacloudapi.cn/.default", "graph-proxy.contoso.example": "https://graph.microsoft.com/.default",
	} {
		if got := s.tokenScope(host); got != want {
			t.Errorf("%s: scope %s, want %s", host, got, want)
		}
	}
	o := NewOptions()
	o.TokenScope = "https://graph.microsoft.com"
	if o.Validate() == nil {
		t.Error("a scope without /.default was accepted")
	}
	// Served from 127.0.0.1, the scan still gets a Graph token.
	inv := newFixture(t, normalEstate, nil, nil).scan(t)
	if len(inv.Gaps) != 0 || len(inv.Seats) != normalSeats {
		t.Fatalf("gaps %+v", inv.Gaps)
	}
	// A scope for another resource is refused by the token endpoint.
	fx := newFixture(t, normalEstate, nil, func(o *Options) { o.TokenScope = "https://contoso.example/.default" })
	col := &scanners.Collector{}
	err := fx.scanner.Scan(t.Context(), col)
	_, _, gaps := col.Snapshot()
	if err == nil || len(gaps) == 0 || !strings.Contains(gaps[0].Message, "AADSTS500011") {
		t.Errorf("scope of another resource: err %v, gaps %+v", err, gaps)
	}
}

// TestLongRetryAfterOutlastsTheAttemptTimeout: Kiota waits Retry-After
// inside the HTTP client; a whole-call timeout (http.Client.Timeout) used
// to cut those waits off. Each attempt now has its own deadline, so a
// Retry-After longer than it is honoured.
func TestLongRetryAfterOutlastsTheAttemptTimeout(t *testing.T) {
	t.Parallel()
	fx := newFixture(t, strings.Replace(normalEstate, "      name: Contoso\n", "      name: Contoso\n      faults: {throttle: {subscribedSkus: 1}, retry_after: 2}\n", 1), nil, nil)
	fx.scanner.attemptTimeout = time.Second
	inv := fx.scan(t)
	if len(inv.Gaps) != 0 || len(inv.Resources) != normalResources {
		t.Fatalf("gaps %+v, %d resources", inv.Gaps, len(inv.Resources))
	}
}

// TestFailureAfterThrottlingIsThrottled: a call throttled (429) whose
// retry then fails without an answer (here: the attempt times out) is a
// throttled gap, not a generic error.
func TestFailureAfterThrottlingIsThrottled(t *testing.T) {
	t.Parallel()
	fx := newFixture(t, strings.Replace(normalEstate, "      name: Contoso\n", "      name: Contoso\n      faults: {throttle: {subscribedSkus: 1}, retry_after: 1, latency: 3s}\n", 1), nil, nil)
	fx.scanner.attemptTimeout = 500 * time.Millisecond
	fx.scanner.opts.Tenants = []string{tenantA}
	inv := fx.scan(t)
	if g := gapOf(inv, "subscribedSkus"); g == nil || g.Reason != scanners.ReasonThrottled {
		t.Errorf("subscribedSkus gap %+v", g)
	}
	if g := gapOf(inv, "directory.subscriptions"); g == nil || g.Reason != scanners.ReasonError {
		t.Errorf("subscriptions gap (timed out, never throttled) %+v", g)
	}
}

// TestPermissionsDocMatchesTheCheck: docs/permissions/m365.md lists, for
// every call, each permission the startup check accepts for it, and the
// least privileged set is Permissions().
func TestPermissionsDocMatchesTheCheck(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("../../docs/permissions/m365.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	for _, p := range requiredPermissions {
		found := false
		for _, line := range strings.Split(doc, "\n") {
			if !strings.HasPrefix(line, "| `") {
				continue
			}
			all := true
			for _, n := range p.names {
				all = all && strings.Contains(line, "`"+n+"`")
			}
			if all && strings.Contains(line, p.why) {
				found = true
			}
		}
		if !found {
			t.Errorf("no table row for %s lists %v", p.why, p.names)
		}
	}
	var least []string
	for _, n := range Permissions() {
		least = append(least, "`"+n+"`")
	}
	want := strings.Join(least[:len(least)-1], ", ") + " and " + least[len(least)-1]
	if !strings.Contains(strings.Join(strings.Fields(doc), " "), "The least privileged set is therefore "+want) {
		t.Errorf("the doc's least privileged set is not %s", want)
	}
}

// TestSubscriptionsArePagedAndMatchedByEitherId: directory/subscriptions is
// a collection, read to its last @odata.nextLink (a trial on the last page
// still counts), and a subscription that subscribedSku.subscriptionIds
// names by its commerceSubscriptionId (Graph's example shows it differing
// from id) is listed once.
func TestSubscriptionsArePagedAndMatchedByEitherId(t *testing.T) {
	t.Parallel()
	est := oneTenant(allRoles, "      subscriptions_page_size: 1\n",
		"        - {sku_id: "+e5+", part_number: SPE_E5, enabled: 10}\n        - {sku_id: "+pbi+", part_number: POWER_BI_PRO, enabled: 6}\n",
		"        - {id: 43d26afe-cb98-48b9-acc4-ae3ef2ac6c51, commerce_id: f9c1ea2d-0000-4000-8000-000000000001, sku: SPE_E5, total_licenses: 10, next_lifecycle: 40d}\n"+
			"        - {id: 53d26afe-cb98-48b9-acc4-ae3ef2ac6c51, sku: POWER_BI_PRO, total_licenses: 2, next_lifecycle: 50d}\n"+
			"        - {id: 63d26afe-cb98-48b9-acc4-ae3ef2ac6c51, sku: POWER_BI_PRO, is_trial: true, total_licenses: 4, next_lifecycle: 12d}\n",
		"        - {id: 00000000-0000-0000-0000-000000000001, upn: a@contoso.com, sign_in: {last_successful: -1d}, licenses: [{sku: SPE_E5}]}\n")
	fx := newFixture(t, est, nil, nil)
	inv := fx.scan(t)
	if len(inv.Gaps) != 0 {
		t.Fatalf("gaps %+v", inv.Gaps)
	}
	if p := skuOf(t, inv, pbi).Attributes; p["trial_units"] != "4" || p["next_renewal"] != testNow.AddDate(0, 0, 12).Format(time.RFC3339) {
		t.Errorf("the last page's trial was not read: %v", p)
	}
	if ids := skuOf(t, inv, e5).Attributes["subscription_ids"]; ids != "f9c1ea2d-0000-4000-8000-000000000001" {
		t.Errorf("E5 subscription_ids %q, want the one subscription once", ids)
	}
	pages := 0
	for _, r := range fx.srv.Requests() {
		if r.Path == "/v1.0/directory/subscriptions" {
			pages++
		}
	}
	if pages != 3 {
		t.Errorf("%d subscription pages, want 3", pages)
	}
}

// TestDeletedReportRowsAreIgnored: the usage report keeps rows of deleted
// accounts (Is Deleted True); a new account with the same UPN must not
// inherit their activity.
func TestDeletedReportRowsAreIgnored(t *testing.T) {
	t.Parallel()
	est := oneTenant(allRoles, "      deleted_users: [{upn: a@contoso.com, deleted: -20d, usage: {exchange: -25d, teams: -21d}}]\n",
		"        - {sku_id: "+e5+", part_number: SPE_E5, enabled: 10}\n",
		"        - {id: 43d26afe-cb98-48b9-acc4-ae3ef2ac6c51, sku: SPE_E5, total_licenses: 10, next_lifecycle: 40d}\n",
		"        - {id: 00000000-0000-0000-0000-000000000001, upn: a@contoso.com, created: -15d, licenses: [{sku: SPE_E5}], usage: {exchange: \"\"}}\n")
	inv := newFixture(t, est, nil, nil).scan(t)
	s := seatOf(t, inv, "SPE_E5", "00000000-0000-0000-0000-000000000001")
	if s.Attributes["usage_report"] != "matched" || s.Attributes["usage_last_activity"] != "" || s.Attributes["usage_teams_last_activity"] != "" {
		t.Errorf("the deleted account's activity was matched: %v", s.Attributes)
	}
}

// TestNoSuccessfulSignInRecordedAnywhere: a service in which no user at
// all has lastSuccessfulSignInDateTime (one that does not record the
// property) is not read as "every sign-in since 2023-12-01 failed": the
// attempt times stand in for sign-ins, as before the property existed.
func TestNoSuccessfulSignInRecordedAnywhere(t *testing.T) {
	t.Parallel()
	users := "        - {id: 00000000-0000-0000-0000-000000000001, upn: old@contoso.com, created: -1500d, sign_in: {last: -3d}, licenses: [{sku: SPE_E5}]}\n" +
		"        - {id: 00000000-0000-0000-0000-000000000002, upn: new@contoso.com, created: -200d, sign_in: {last_non_interactive: -1d, last: -5d}, licenses: [{sku: SPE_E5}]}\n"
	est := oneTenant(allRoles, "", "        - {sku_id: "+e5+", part_number: SPE_E5, enabled: 10}\n",
		"        - {id: 43d26afe-cb98-48b9-acc4-ae3ef2ac6c51, sku: SPE_E5, total_licenses: 10, next_lifecycle: 40d}\n", users)
	inv := newFixture(t, est, nil, nil).scan(t)
	for id, want := range map[string]struct {
		last   time.Time
		source string
	}{
		"1": {testNow.AddDate(0, 0, -3), "lastSignInDateTime"},
		"2": {testNow.AddDate(0, 0, -1), "lastNonInteractiveSignInDateTime"},
	} {
		s := seatOf(t, inv, "SPE_E5", "00000000-0000-0000-0000-00000000000"+id)
		if s.LastActivity == nil || !s.LastActivity.Equal(want.last) || s.Attributes["last_activity_source"] != want.source {
			t.Errorf("user %s: last activity %v (%s), want %v (%s)", id, s.LastActivity, s.Attributes["last_activity_source"], want.last, want.source)
		}
	}
}
