package gcpsim

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

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

// TestInstancesAggregatedListShape: instances.aggregatedList as the
// compute/v1 discovery document describes it: items keyed zones/<zone>
// only (instances are zonal), NO_RESULTS_ON_PAGE for empty zones,
// timestamps in RFC 3339 with an offset, machineType and disks[].source as
// URLs, the static IP in networkInterfaces[].accessConfigs[].natIP, and
// the address naming the instance in its users; disk users written as
// full resource names are served as self links.
func TestInstancesAggregatedListShape(t *testing.T) {
	t.Parallel()
	srv := start(t, `
gcp:
  billing_accounts:
    - id: 012345-567890-ABCDEF
      projects:
        - id: acme-prod
          instances:
            - {name: vm-1, zone: us-central1-b, status: TERMINATED, last_stop: -40d, address: ip1}
          disks:
            - {name: b, zone: us-central1-b, users: [//compute.googleapis.com/projects/acme-prod/zones/us-central1-b/instances/vm-1]}
          addresses:
            - {name: ip1, region: us-central1}
`)
	var page struct {
		Kind  string `json:"kind"`
		Items map[string]struct {
			Instances []struct {
				Name, Status, MachineType, LastStopTimestamp, CreationTimestamp string
				Disks                                                           []struct{ Source string }
				NetworkInterfaces                                               []struct {
					AccessConfigs []struct{ NatIP string }
				}
			} `json:"instances"`
			Warning *struct{ Code string } `json:"warning"`
		} `json:"items"`
	}
	if code := getJSON(t, srv.ComputeURL+"projects/acme-prod/aggregated/instances", &page); code != 200 || page.Kind != "compute#instanceAggregatedList" {
		t.Fatalf("%d %+v", code, page.Kind)
	}
	for k, l := range page.Items {
		if !strings.HasPrefix(k, "zones/") {
			t.Errorf("key %q: instances are zonal", k)
		}
		if k != "zones/us-central1-b" && (l.Warning == nil || l.Warning.Code != "NO_RESULTS_ON_PAGE") {
			t.Errorf("%s: %+v", k, l)
		}
	}
	vms := page.Items["zones/us-central1-b"].Instances
	if len(vms) != 1 {
		t.Fatalf("us-central1-b: %+v", vms)
	}
	vm := vms[0]
	var addr struct {
		Items map[string]struct {
			Addresses []struct {
				Address, Status string
				Users           []string
			} `json:"addresses"`
		} `json:"items"`
	}
	getJSON(t, srv.ComputeURL+"projects/acme-prod/aggregated/addresses", &addr)
	ip := addr.Items["regions/us-central1"].Addresses
	self := ComputeURL + "projects/acme-prod/zones/us-central1-b/instances/vm-1"
	if vm.Status != "TERMINATED" || vm.MachineType != ComputeURL+"projects/acme-prod/zones/us-central1-b/machineTypes/e2-medium" ||
		vm.LastStopTimestamp != "2026-10-22T12:00:00.000-00:00" && vm.LastStopTimestamp != "2026-10-22T12:00:00.000+00:00" ||
		len(vm.Disks) != 1 || vm.Disks[0].Source != ComputeURL+"projects/acme-prod/zones/us-central1-b/disks/b" ||
		len(ip) != 1 || ip[0].Status != "IN_USE" || len(ip[0].Users) != 1 || ip[0].Users[0] != self ||
		len(vm.NetworkInterfaces) != 1 || len(vm.NetworkInterfaces[0].AccessConfigs) != 1 || vm.NetworkInterfaces[0].AccessConfigs[0].NatIP != ip[0].Address {
		t.Errorf("vm-1: %+v; ip1: %+v", vm, ip)
	}
	if _, err := time.Parse(time.RFC3339, vm.CreationTimestamp); err != nil {
		t.Errorf("creationTimestamp %q: %v", vm.CreationTimestamp, err)
	}
}

func TestInstanceEstateErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ yaml, want string }{
		{"{name: vm, zone: us-central1-b, status: STOPED}", "instances[0].status: \"STOPED\" is not an instance status"},
		{"{name: vm, zone: us-central1}", "instances[0].zone: \"us-central1\" is not a zone"},
		{"{name: vm, zone: us-central1-b, address: nope}", "instances[0].address: \"nope\" is neither a static address"},
	} {
		e, err := estate.Parse("test.yaml", []byte("gcp:\n  billing_accounts:\n    - id: 012345-567890-ABCDEF\n      projects:\n        - id: acme-prod\n          instances:\n            - "+tc.yaml+"\n"))
		if err == nil {
			_, _, err = Load(e)
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("got %v\nwant an error containing %q", err, tc.want)
		}
	}
}
