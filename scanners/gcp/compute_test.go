package gcp

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	compute "google.golang.org/api/compute/v1"
	"google.golang.org/api/option"

	"github.com/ghostaudit/ghostaudit/scanners"
)

func byKindName(res []scanners.Resource) map[string]scanners.Resource {
	out := map[string]scanners.Resource{}
	for _, r := range res {
		out[r.Kind+"/"+r.Name] = r
	}
	return out
}

// TestComputeAttributes checks the attribute contract of the two kinds.
func TestComputeAttributes(t *testing.T) {
	t.Parallel()
	fx := newFixture(t, normalEstate, nil, nil)
	res, gaps := fx.scan(t)
	if len(gaps) != 0 {
		t.Fatalf("gaps: %+v", gaps)
	}
	by := byKindName(res)
	day := 24 * time.Hour
	d := by[KindDisk+"/orphan-ssd"]
	want := map[string]string{
		AttrZone: "us-central1-a", AttrRegion: "us-central1", AttrDiskType: "pd-ssd", AttrSizeGB: "500", AttrUsers: "0",
		AttrStatus: "READY", AttrLastDetach: testNow.Add(-40 * day).Format(time.RFC3339), AttrLastAttach: testNow.Add(-200 * day).Format(time.RFC3339),
		AttrResourceName:   "//compute.googleapis.com/projects/acme-prod/zones/us-central1-a/disks/orphan-ssd",
		AttrBillingAccount: "012345-567890-ABCDEF",
	}
	for k, v := range want {
		if got := d.Attr(k); got != v {
			t.Errorf("orphan-ssd %s: got %q, want %q", k, got, v)
		}
	}
	if d.Account != "acme-prod" || d.Region != "us-central1-a" || d.State != "READY" || d.ID == "" || d.ID == d.Name ||
		d.Created == nil || !d.Created.Equal(testNow.Add(-120*day)) {
		t.Errorf("orphan-ssd identity: %+v", d)
	}
	if w := by[KindDisk+"/web-boot"]; w.Attr(AttrUsers) != "1" || w.Attr(AttrDiskType) != "pd-balanced" || w.Tags["team"] != "web" || w.Attr(AttrLastDetach) != "" {
		t.Errorf("web-boot: %+v", w)
	}
	if r := by[KindDisk+"/shared-data"]; r.Region != "europe-west1" || r.Attr(AttrZone) != "" || r.Attr(AttrRegion) != "europe-west1" || r.Attr(AttrUsers) != "2" {
		t.Errorf("regional disk: %+v", r)
	}
	ip := by[KindAddress+"/idle-ip"]
	for k, v := range map[string]string{AttrRegion: "us-central1", AttrStatus: "RESERVED", AttrAddressType: "EXTERNAL", AttrUsers: "0",
		AttrNetworkTier: "PREMIUM", AttrResourceName: "//compute.googleapis.com/projects/acme-prod/regions/us-central1/addresses/idle-ip"} {
		if got := ip.Attr(k); got != v {
			t.Errorf("idle-ip %s: got %q, want %q", k, got, v)
		}
	}
	if ip.Attr(AttrAddress) == "" || ip.Created == nil || ip.State != "RESERVED" {
		t.Errorf("idle-ip: %+v", ip)
	}
	if g := by[KindAddress+"/lb-ip"]; g.Region != "global" || g.Attr(AttrRegion) != "global" || g.Attr(AttrStatus) != "IN_USE" || g.Attr(AttrUsers) != "1" {
		t.Errorf("global address (listed by the aggregated and the global list, emitted once): %+v", g)
	}
	if n := by[KindAddress+"/nat-ip"]; n.Attr(AttrAddressType) != "INTERNAL" || n.Account != "acme-data" {
		t.Errorf("internal address: %+v", n)
	}
	var disks, addrs int
	for _, r := range res {
		switch r.Kind {
		case KindDisk:
			disks++
		case KindAddress:
			addrs++
		}
	}
	if disks != 4 || addrs != 4 {
		t.Errorf("disks %d, addresses %d; want 4 and 4", disks, addrs)
	}
}

func TestComputeDisabledIsUnsupportedAndDeniedIsDenied(t *testing.T) {
	t.Parallel()
	est := strings.Replace(normalEstate, "        - id: acme-data\n", "        - id: acme-data\n          faults: {compute_disabled: true}\n", 1)
	fx := newFixture(t, est, nil, nil)
	res, gaps := fx.scan(t)
	if len(res) != normalResources-2 {
		t.Errorf("resources: %d, want %d", len(res), normalResources-2)
	}
	// The project's zones and regions are unknown: one gap says the
	// recommender was asked only at the configured locations.
	gaps, located := splitLocationGaps(gaps)
	if len(located) != 1 || located[0].Account != "acme-data" || located[0].Reason != scanners.ReasonUnsupported ||
		!strings.Contains(located[0].Message, "zones and regions outside the configured locations (global, us-central1, europe-west1) were not asked") {
		t.Errorf("location gaps: %+v", located)
	}
	ops := map[string]scanners.Gap{}
	for _, g := range gaps {
		if g.Account != "acme-data" || g.Reason != scanners.ReasonUnsupported || !strings.Contains(g.Message, "accessNotConfigured") {
			t.Errorf("gap: %+v", g)
		}
		ops[g.Operation] = g
	}
	if len(ops) != 3 || ops["compute.disks.aggregatedList"].Scope == "" || ops["compute.addresses.aggregatedList"].Scope == "" ||
		ops["compute.instances.aggregatedList"].Scope == "" {
		t.Errorf("want one gap per list, got %+v", gaps)
	}
	var sent int
	for _, r := range fx.srv.Requests() {
		if r.Service == "Compute" && r.Resource == "projects/acme-data" {
			sent++
		}
	}
	if sent != 1 {
		t.Errorf("after the API answered disabled, %d compute calls were sent to acme-data, want 1", sent)
	}

	// A missing permission on one list: that list is a denied gap, the others still run.
	est = strings.Replace(normalEstate, "        - id: acme-data\n", "        - id: acme-data\n          faults: {deny: [compute.disks.aggregatedList]}\n", 1)
	fx = newFixture(t, est, nil, nil)
	res, gaps = fx.scan(t)
	if len(res) != normalResources-1 {
		t.Errorf("resources: %d, want %d", len(res), normalResources-1)
	}
	// The address list still names the regions; only the zones are unknown.
	gaps, located = splitLocationGaps(gaps)
	if len(located) != 1 || located[0].Reason != scanners.ReasonDenied || !strings.Contains(located[0].Message, "recommendations in zones outside") {
		t.Errorf("location gaps: %+v", located)
	}
	if len(gaps) != 1 || gaps[0].Reason != scanners.ReasonDenied || gaps[0].Account != "acme-data" || gaps[0].Operation != "compute.disks.aggregatedList" ||
		!strings.Contains(gaps[0].Message, "HTTP 403 forbidden: Required 'compute.disks.list' permission for 'projects/acme-data'") {
		t.Errorf("gaps: %+v", gaps)
	}
}

// splitLocationGaps separates the gaps of recommender locations that
// could not be asked from the others.
func splitLocationGaps(gaps []scanners.Gap) (other, located []scanners.Gap) {
	for _, g := range gaps {
		if strings.HasSuffix(g.Scope, " recommender locations") {
			located = append(located, g)
		} else {
			other = append(other, g)
		}
	}
	return other, located
}

func TestComputeThrottlingIsRetried(t *testing.T) {
	t.Parallel()
	est := strings.Replace(normalEstate, "        - id: acme-data\n", "        - id: acme-data\n          faults: {throttle: {compute.disks.aggregatedList: 2}, unavailable: {compute.globalAddresses.list: 1}}\n", 1)
	fx := newFixture(t, est, nil, nil)
	res, gaps := fx.scan(t)
	if len(gaps) != 0 || len(res) != normalResources {
		t.Errorf("with retries: %d resources, gaps %+v", len(res), gaps)
	}
	est = strings.Replace(normalEstate, "        - id: acme-data\n", "        - id: acme-data\n          faults: {throttle: {compute.disks.aggregatedList: 100}}\n", 1)
	fx = newFixture(t, est, nil, nil)
	_, gaps = fx.scan(t)
	gaps, located := splitLocationGaps(gaps)
	if len(gaps) != 1 || gaps[0].Reason != scanners.ReasonThrottled || len(located) != 1 || located[0].Reason != scanners.ReasonThrottled {
		t.Errorf("past the retries: gaps %+v, location gaps %+v", gaps, located)
	}
}

// TestComputeGuardRefusesMutatingCalls sends mutating Compute calls
// through the scanner's own REST client: none reaches the simulator.
func TestComputeGuardRefusesMutatingCalls(t *testing.T) {
	t.Parallel()
	fx := newFixture(t, normalEstate, nil, nil)
	ctx := context.Background()
	c, err := fx.scanner.newClients(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	calls := map[string]func() error{
		"Disks.Delete": func() error {
			_, err := c.compute.Disks.Delete("acme-prod", "us-central1-a", "orphan-ssd").Context(ctx).Do()
			return err
		},
		"Addresses.Insert": func() error {
			_, err := c.compute.Addresses.Insert("acme-prod", "us-central1", &compute.Address{Name: "x"}).Context(ctx).Do()
			return err
		},
		"Disks.SetLabels": func() error {
			_, err := c.compute.Disks.SetLabels("acme-prod", "us-central1-a", "web-boot", &compute.ZoneSetLabelsRequest{}).Context(ctx).Do()
			return err
		},
		"GlobalAddresses.Delete": func() error {
			_, err := c.compute.GlobalAddresses.Delete("acme-prod", "lb-ip").Context(ctx).Do()
			return err
		},
	}
	for name, call := range calls {
		if err := call(); !errors.Is(err, scanners.ErrReadOnly) {
			t.Errorf("%s: error %v does not wrap ErrReadOnly", name, err)
		}
	}
	if n := len(fx.srv.Requests()); n != 0 {
		t.Fatalf("the simulator received %d request(s): %+v", n, fx.srv.Requests())
	}
	// A read goes through the same client.
	if _, err := c.compute.GlobalAddresses.List("acme-prod").Context(ctx).Do(); err != nil {
		t.Fatalf("a GET was refused: %v", err)
	}
}

// TestComputeScopeWarnings: NO_RESULTS_ON_PAGE is not a gap; any other
// scope warning (an unreachable zone) is.
func TestComputeScopeWarnings(t *testing.T) {
	t.Parallel()
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch {
		case strings.HasSuffix(r.URL.Path, "/aggregated/disks"):
			fmt.Fprint(w, `{"kind":"compute#diskAggregatedList","items":{
				"zones/us-central1-a":{"disks":[{"id":"1","name":"d1","zone":"https://www.googleapis.com/compute/v1/projects/p/zones/us-central1-a","sizeGb":"10","status":"READY"}]},
				"zones/us-central1-b":{"warning":{"code":"NO_RESULTS_ON_PAGE","message":"There are no results for scope 'zones/us-central1-b' on this page.","data":[{"key":"scope","value":"zones/us-central1-b"}]}},
				"zones/asia-east1-c":{"warning":{"code":"UNREACHABLE","message":"The zone is unreachable.","data":[{"key":"scope","value":"zones/asia-east1-c"}]}}}}`)
		case strings.HasSuffix(r.URL.Path, "/aggregated/addresses"):
			fmt.Fprint(w, `{"items":{"regions/us-central1":{"warning":{"code":"NO_RESULTS_ON_PAGE","message":"none"}}}}`)
		case strings.HasSuffix(r.URL.Path, "/aggregated/instances"):
			fmt.Fprint(w, `{"kind":"compute#instanceAggregatedList","items":{"zones/us-central1-b":{"warning":{"code":"NO_RESULTS_ON_PAGE","message":"none"}}}}`)
		default:
			fmt.Fprint(w, `{"items":[]}`)
		}
	}))
	t.Cleanup(ts.Close)
	fx := newFixture(t, normalEstate, nil, func(o *Options) {
		o.Projects = []string{"acme-prod"}
		o.ComputeClientOptions = []option.ClientOption{option.WithEndpoint(ts.URL + "/compute/v1/")}
	})
	res, gaps := fx.scan(t)
	var disks int
	for _, r := range res {
		if r.Kind == KindDisk {
			disks++
		}
	}
	if disks != 1 {
		t.Errorf("disks: %d, want 1", disks)
	}
	if len(gaps) != 1 || gaps[0].Region != "asia-east1-c" || gaps[0].Reason != scanners.ReasonError || !strings.Contains(gaps[0].Message, "UNREACHABLE") {
		t.Errorf("gaps: %+v", gaps)
	}
}

func TestComputeEndpoint(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"":                                       computeBasePath,
		"127.0.0.1:8080":                         "http://127.0.0.1:8080/compute/v1/",
		"localhost:1":                            "http://localhost:1/compute/v1/",
		"compute.example.com:443":                "https://compute.example.com:443/compute/v1/",
		"https://127.0.0.1:9/compute/v1/":        "http://127.0.0.1:9/compute/v1/",
		"https://private.example.com/compute/v1": "https://private.example.com/compute/v1/",
	} {
		if got := computeEndpoint(in, false); got != want {
			t.Errorf("computeEndpoint(%q) = %q, want %q", in, got, want)
		}
	}
	if got := computeEndpoint("10.0.0.1:80", true); got != "http://10.0.0.1:80/compute/v1/" {
		t.Errorf("plaintext: %q", got)
	}
}

// TestComputeViaEndpointOption wires the simulator with --gcp-endpoint and
// --gcp-endpoint-plaintext only: gRPC and REST share the port.
func TestComputeViaEndpointOption(t *testing.T) {
	t.Parallel()
	fx := newFixture(t, normalEstate, nil, nil)
	opts := NewOptions()
	opts.Locations = testLocations
	opts.Endpoint, opts.Plaintext = fx.srv.Addr, true
	s, err := New(opts, scanners.Env{Now: func() time.Time { return testNow }})
	if err != nil {
		t.Fatal(err)
	}
	col := &scanners.Collector{}
	if err := s.Scan(context.Background(), col); err != nil {
		t.Fatal(err)
	}
	res, _, gaps := col.Snapshot()
	if len(res) != normalResources || len(gaps) != 0 {
		t.Errorf("%d resources, gaps %+v", len(res), gaps)
	}
}
