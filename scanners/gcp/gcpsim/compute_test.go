package gcpsim

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/ghostaudit/ghostaudit/scanners/estate"
)

const computeEstate = `
gcp:
  billing_accounts:
    - id: 012345-567890-ABCDEF
      projects:
        - id: acme-prod
          faults: {}
          disks:
            - {name: a, zone: us-central1-a}
            - {name: b, zone: us-central1-b, users: [vm-1]}
            - {name: c, zone: us-east1-b, type: pd-ssd, size_gb: 50}
          addresses:
            - {name: ip1, region: us-central1}
            - {name: g1, region: global, users: [fr]}
        - id: acme-shut
          faults: {compute_disabled: true}
        - id: acme-deny
          faults: {deny: [compute.disks.aggregatedList]}
`

func getJSON(t *testing.T, url string, v any) int {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(body, v); err != nil {
		t.Fatalf("%s: %v: %s", url, err, body)
	}
	return resp.StatusCode
}

func TestComputeRESTShapesAndPaging(t *testing.T) {
	t.Parallel()
	srv := start(t, computeEstate)
	var page struct {
		Kind  string `json:"kind"`
		Items map[string]struct {
			Disks []struct {
				Name, Type, SizeGb, Zone string
				Users                    []string
			} `json:"disks"`
			Warning *struct {
				Code string `json:"code"`
				Data []struct{ Key, Value string }
			} `json:"warning"`
		} `json:"items"`
		NextPageToken string `json:"nextPageToken"`
	}
	base := srv.ComputeURL + "projects/acme-prod/aggregated/disks"
	if code := getJSON(t, base+"?maxResults=2", &page); code != 200 || page.Kind != "compute#diskAggregatedList" || page.NextPageToken == "" {
		t.Fatalf("page 1: %d %+v", code, page)
	}
	if d := page.Items["zones/us-central1-a"].Disks; len(d) != 1 || d[0].SizeGb != "10" || !strings.HasSuffix(d[0].Type, "/diskTypes/pd-balanced") {
		t.Errorf("zones/us-central1-a: %+v", d)
	}
	if w := page.Items["zones/us-east1-b"].Warning; w == nil || w.Code != "NO_RESULTS_ON_PAGE" || w.Data[0].Value != "zones/us-east1-b" {
		t.Errorf("us-east1-b on page 1 (its disk is on page 2): %+v", page.Items["zones/us-east1-b"])
	}
	if u := page.Items["zones/us-central1-b"].Disks[0].Users; len(u) != 1 || u[0] != ComputeURL+"projects/acme-prod/zones/us-central1-b/instances/vm-1" {
		t.Errorf("users: %v", u)
	}
	token := page.NextPageToken
	page.Items, page.NextPageToken = nil, ""
	if code := getJSON(t, base+"?maxResults=2&pageToken="+token, &page); code != 200 || page.NextPageToken != "" || len(page.Items["zones/us-east1-b"].Disks) != 1 {
		t.Errorf("page 2: %d %+v", code, page)
	}
	var e struct {
		Error struct {
			Code    int
			Message string
			Errors  []struct{ Reason string }
		}
	}
	if code := getJSON(t, srv.ComputeURL+"projects/acme-prod/aggregated/addresses?pageToken="+token, &e); code != 400 || e.Error.Code != 400 {
		t.Errorf("a disks token on addresses: %d %+v", code, e)
	}
	if code := getJSON(t, srv.ComputeURL+"projects/acme-shut/aggregated/disks", &e); code != 403 || e.Error.Errors[0].Reason != "accessNotConfigured" {
		t.Errorf("compute disabled: %d %+v", code, e)
	}
	if code := getJSON(t, srv.ComputeURL+"projects/acme-deny/aggregated/disks", &e); code != 403 || e.Error.Errors[0].Reason != "forbidden" ||
		e.Error.Message != "Required 'compute.disks.list' permission for 'projects/acme-deny'" {
		t.Errorf("denied: %d %+v", code, e)
	}
	var addrs struct {
		Items map[string]struct {
			Addresses []struct{ Name, Status string }
		}
	}
	getJSON(t, srv.ComputeURL+"projects/acme-prod/aggregated/addresses", &addrs)
	if a := addrs.Items["regions/us-central1"].Addresses; len(a) != 1 || a[0].Status != "RESERVED" || len(addrs.Items["global"].Addresses) != 1 {
		t.Errorf("aggregated addresses: %+v", addrs)
	}
	var global struct {
		Items []struct{ Name, Status string }
	}
	getJSON(t, srv.ComputeURL+"projects/acme-prod/global/addresses", &global)
	if len(global.Items) != 1 || global.Items[0].Status != "IN_USE" {
		t.Errorf("global addresses: %+v", global)
	}
	resp, err := http.Post(srv.ComputeURL+"projects/acme-prod/zones/us-central1-a/disks", "application/json", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 404 && resp.StatusCode != 405 {
		t.Errorf("POST answered %d", resp.StatusCode)
	}
	var rest int
	for _, r := range srv.Requests() {
		if r.Service == "Compute" {
			rest++
		}
	}
	if rest != 8 {
		t.Errorf("recorded %d REST requests, want 8", rest)
	}
}

func TestComputeEstateValidation(t *testing.T) {
	t.Parallel()
	for _, bad := range []string{
		"disks: [{name: a}]",
		"disks: [{name: a, zone: us-central1}]",
		"disks: [{name: A, zone: us-central1-a}]",
		"disks: [{name: a, zone: us-central1-a, status: ON}]",
		"addresses: [{name: a}]",
		"addresses: [{name: a, region: us-central1, status: RESERVED, users: [x]}]",
		"addresses: [{name: a, region: us-central1, address_type: PUBLIC}]",
	} {
		est := "gcp:\n  billing_accounts:\n    - id: 012345-567890-ABCDEF\n      projects:\n        - id: acme-prod\n          " + bad + "\n"
		e, err := estate.Parse("test.yaml", []byte(est))
		if err == nil {
			_, _, err = Load(e)
		}
		if err == nil {
			t.Errorf("accepted %s", bad)
		}
	}
}

// TestComputeRateLimitIs403 checks that an exceeded rate quota is answered
// as Compute Engine documents it: HTTP 403 with reason rateLimitExceeded
// in domain usageLimits (not 429).
func TestComputeRateLimitIs403(t *testing.T) {
	t.Parallel()
	srv := start(t, strings.Replace(computeEstate, "          faults: {}\n", "          faults: {throttle: {compute.disks.aggregatedList: 1}}\n", 1))
	var e struct {
		Error struct {
			Code   int
			Errors []struct{ Reason, Domain string }
		}
	}
	if code := getJSON(t, srv.ComputeURL+"projects/acme-prod/aggregated/disks", &e); code != http.StatusForbidden || e.Error.Code != 403 ||
		len(e.Error.Errors) != 1 || e.Error.Errors[0].Reason != "rateLimitExceeded" || e.Error.Errors[0].Domain != "usageLimits" {
		t.Errorf("throttled answer: HTTP %d %+v", code, e)
	}
	var ok struct{ Items map[string]any }
	if code := getJSON(t, srv.ComputeURL+"projects/acme-prod/aggregated/disks", &ok); code != http.StatusOK {
		t.Errorf("second call: HTTP %d", code)
	}
}
