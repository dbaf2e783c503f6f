package gcp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"cloud.google.com/go/billing/apiv1/billingpb"
	"cloud.google.com/go/iam/apiv1/iampb"
	"cloud.google.com/go/recommender/apiv1/recommenderpb"
	"google.golang.org/api/option"
	"google.golang.org/genproto/googleapis/type/money"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/ghostaudit/ghostaudit/scanners"
	"github.com/ghostaudit/ghostaudit/scanners/estate"
	"github.com/ghostaudit/ghostaudit/scanners/gcp/gcpsim"
	"github.com/ghostaudit/ghostaudit/scanners/scannertest"
)

var testNow = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

// testLocations keep test scans small: us-central1 and europe-west1 add
// their known zones.
var testLocations = []string{"global", "us-central1", "europe-west1"}

// fixture is a running simulator and a scanner pointed at it.
type fixture struct {
	srv     *gcpsim.Server
	scanner *Scanner
}

func newFixture(t *testing.T, estateYAML string, logger *slog.Logger, tweak func(*Options)) *fixture {
	t.Helper()
	est, err := estate.Parse(t.Name()+".yaml", []byte(estateYAML))
	if err != nil {
		t.Fatal(err)
	}
	gest, ok, err := gcpsim.Load(est)
	if err != nil || !ok {
		t.Fatalf("gcpsim.Load: %v %v", ok, err)
	}
	srv, err := gcpsim.Start(gest, gcpsim.Options{Now: func() time.Time { return testNow }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Stop)
	opts := NewOptions()
	opts.Locations = testLocations
	opts.ClientOptions = srv.ClientOptions()
	opts.MaxBackoff = 5 * time.Millisecond
	if tweak != nil {
		tweak(opts)
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	s, err := New(opts, scanners.Env{Logger: logger, Now: func() time.Time { return testNow }})
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{srv: srv, scanner: s}
}

func (fx *fixture) scan(t *testing.T) ([]scanners.Resource, []scanners.Gap) {
	t.Helper()
	col := &scanners.Collector{}
	if err := fx.scanner.Scan(context.Background(), col); err != nil {
		t.Fatal(err)
	}
	res, _, gaps := col.Snapshot()
	return res, gaps
}

const normalEstate = `
gcp:
  billing_accounts:
    - id: 012345-567890-ABCDEF
      display_name: Acme
      projects:
        - id: acme-prod
          recommendations:
            - {recommender: google.compute.disk.IdleResourceRecommender, location: us-central1-a, subtype: DELETE_DISK,
               target: //compute.googleapis.com/projects/acme-prod/zones/us-central1-a/disks/scratch, cost: "-20.00", last_refresh: -2d}
            - {recommender: google.compute.instance.IdleResourceRecommender, location: us-central1-a, subtype: STOP_VM, priority: P2,
               target: //compute.googleapis.com/projects/acme-prod/zones/us-central1-a/instances/old-vm, cost: "-73.268972762"}
            - {recommender: google.compute.address.IdleResourceRecommender, location: us-central1, subtype: DELETE_ADDRESS,
               target: //compute.googleapis.com/projects/acme-prod/regions/us-central1/addresses/spare-ip, cost: "-7.3", duration: 730h}
            - {recommender: google.compute.image.IdleResourceRecommender, location: global, subtype: DELETE_IMAGE,
               target: //compute.googleapis.com/projects/acme-prod/global/images/old-image, cost: "-1.5"}
            - {recommender: google.compute.disk.IdleResourceRecommender, location: us-central1-b, subtype: DELETE_DISK, state: DISMISSED,
               target: //compute.googleapis.com/projects/acme-prod/zones/us-central1-b/disks/kept, cost: "-4"}
          disks:
            - {name: orphan-ssd, zone: us-central1-a, type: pd-ssd, size_gb: 500, created: -120d, last_detach: -40d, last_attach: -200d}
            - {name: web-boot, zone: us-central1-a, size_gb: 20, users: [web-1], last_attach: -10d, labels: {team: web}}
            - {name: shared-data, region: europe-west1, type: pd-standard, size_gb: 1000, users: [a, b]}
          addresses:
            - {name: idle-ip, region: us-central1, created: -300d}
            - {name: web-ip, region: us-central1, users: [web-fr]}
            - {name: lb-ip, region: global, users: [lb-fr]}
        - id: acme-data
          recommendations:
            - {recommender: google.cloudsql.instance.IdleRecommender, location: europe-west1, subtype: STOP,
               target: //sqladmin.googleapis.com/projects/acme-data/instances/reporting, cost: "-120"}
            - {recommender: google.compute.instance.MachineTypeRecommender, location: europe-west1-b, subtype: CHANGE_MACHINE_TYPE,
               target: //compute.googleapis.com/projects/acme-data/zones/europe-west1-b/instances/etl, cost: "-35.5"}
          disks:
            - {name: etl-scratch, zone: europe-west1-b, type: pd-balanced, size_gb: 200}
          addresses:
            - {name: nat-ip, region: europe-west1, address_type: INTERNAL, status: IN_USE, users: [nat]}
`

// normalResources is the number of ACTIVE recommendations (6), Compute
// disks and addresses (8) and instances (3: web-1, a and b, which the
// disks' users name) in normalEstate; acmeData of them are in project
// acme-data.
const (
	normalResources = 6 + 8 + 3
	acmeData        = 2 + 2
)

func deniedEstate() string {
	return strings.Replace(normalEstate, "        - id: acme-data\n", "        - id: acme-data\n          faults: {deny: [\"*\"]}\n", 1)
}

func multiPageEstate() string {
	var b strings.Builder
	b.WriteString("gcp:\n  billing_accounts:\n    - id: 012345-567890-ABCDEF\n      projects:\n")
	for i := 0; i < 7; i++ {
		fmt.Fprintf(&b, "        - id: acme-p%02d\n", i)
		if i == 3 {
			b.WriteString("          disks:\n")
			for k := 0; k < 7; k++ {
				fmt.Fprintf(&b, "            - {name: disk-%02d, zone: us-east1-%c}\n", k, "bcd"[k%3])
			}
			b.WriteString("          recommendations:\n")
			for k := 0; k < 12; k++ {
				fmt.Fprintf(&b, "            - {recommender: google.compute.disk.IdleResourceRecommender, location: us-central1-a, subtype: DELETE_DISK, "+
					"target: //compute.googleapis.com/projects/acme-p03/zones/us-central1-a/disks/d%02d, cost: \"-1\"}\n", k)
			}
		}
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
				fx = newFixture(t, "gcp:\n  billing_accounts:\n    - id: 012345-567890-ABCDEF\n      projects: [{id: acme-prod}, {id: acme-data}]\n", logger, nil)
			case scannertest.MultiPage:
				fx = newFixture(t, multiPageEstate(), logger, func(o *Options) { o.PageSize = 5 })
				h.WantResources = 12 + 7
			case scannertest.Denied:
				fx = newFixture(t, deniedEstate(), logger, nil)
				h.WantResources = normalResources - acmeData
				h.DeniedAccount = "acme-data"
			}
			h.Scanner = fx.scanner
			h.Requests = func() int { return len(fx.srv.Requests()) }
			return h
		},
		Mutate: func(t *testing.T, h scannertest.Harness) error {
			c, err := h.Scanner.(*Scanner).newClients(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			_, err = c.recommender.MarkRecommendationClaimed(context.Background(), &recommenderpb.MarkRecommendationClaimedRequest{
				Name: "projects/acme-prod/locations/global/recommenders/google.compute.image.IdleResourceRecommender/recommendations/x", Etag: `"x"`,
			})
			return err
		},
	})
}

// TestGuardRefusesEveryMutatingCall sends mutating calls of both APIs
// through the scanner's own clients and checks none reaches the simulator.
func TestGuardRefusesEveryMutatingCall(t *testing.T) {
	t.Parallel()
	fx := newFixture(t, normalEstate, nil, nil)
	ctx := context.Background()
	c, err := fx.scanner.newClients(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	name := "projects/acme-prod/locations/global/recommenders/google.compute.image.IdleResourceRecommender/recommendations/x"
	calls := map[string]func() error{
		"UpdateProjectBillingInfo": func() error {
			_, err := c.billing.UpdateProjectBillingInfo(ctx, &billingpb.UpdateProjectBillingInfoRequest{Name: "projects/acme-prod"})
			return err
		},
		"UpdateBillingAccount": func() error {
			_, err := c.billing.UpdateBillingAccount(ctx, &billingpb.UpdateBillingAccountRequest{Name: "billingAccounts/012345-567890-ABCDEF"})
			return err
		},
		"SetIamPolicy": func() error {
			_, err := c.billing.SetIamPolicy(ctx, &iampb.SetIamPolicyRequest{Resource: "billingAccounts/012345-567890-ABCDEF"})
			return err
		},
		"GetIamPolicy (a Get that is not on the allow-list)": func() error {
			_, err := c.billing.GetIamPolicy(ctx, &iampb.GetIamPolicyRequest{Resource: "billingAccounts/012345-567890-ABCDEF"})
			return err
		},
		"MarkRecommendationClaimed": func() error {
			_, err := c.recommender.MarkRecommendationClaimed(ctx, &recommenderpb.MarkRecommendationClaimedRequest{Name: name})
			return err
		},
		"MarkRecommendationDismissed": func() error {
			_, err := c.recommender.MarkRecommendationDismissed(ctx, &recommenderpb.MarkRecommendationDismissedRequest{Name: name})
			return err
		},
		"UpdateRecommenderConfig": func() error {
			_, err := c.recommender.UpdateRecommenderConfig(ctx, &recommenderpb.UpdateRecommenderConfigRequest{})
			return err
		},
	}
	for what, call := range calls {
		if err := call(); !errors.Is(err, scanners.ErrReadOnly) {
			t.Errorf("%s: error %v does not wrap ErrReadOnly", what, err)
		}
	}
	if n := len(fx.srv.Requests()); n != 0 {
		t.Fatalf("the simulator received %d request(s): %+v", n, fx.srv.Requests())
	}
	for m := range readMethods {
		op := m[strings.LastIndex(m, "/")+1:]
		if !strings.HasPrefix(op, "List") && !strings.HasPrefix(op, "Get") {
			t.Errorf("allow-list entry %s is not a read", m)
		}
	}
}

// TestScanSendsOnlyAllowedMethods checks that a scan uses only allowed
// methods and that every permission a scan needs is in Permissions().
func TestScanSendsOnlyAllowedMethods(t *testing.T) {
	t.Parallel()
	fx := newFixture(t, normalEstate, nil, nil)
	fx.scan(t)
	perms := map[string]bool{}
	for _, p := range Permissions() {
		perms[p] = true
	}
	for _, r := range fx.srv.Requests() {
		if r.Service == "Compute" {
			if _, ok := computeMethods[r.Method]; !ok {
				t.Errorf("the scan sent REST %s, which is not in computeMethods", r.Method)
			}
			if p := gcpsim.Permission(r.Method, r.Resource); p == "" || !perms[p] {
				t.Errorf("the scan needs %q for %s %s, which Permissions() does not list", p, r.Method, r.Resource)
			}
			continue
		}
		full := fmt.Sprintf("/google.cloud.%s/%s", map[string]string{"CloudBilling": "billing.v1.CloudBilling", "Recommender": "recommender.v1.Recommender"}[r.Service], r.Method)
		if _, ok := readMethods[full]; !ok {
			t.Errorf("the scan sent %s, which is not on the allow-list", full)
		}
		if p := gcpsim.Permission(r.Method, r.Resource); p != "" && !perms[p] {
			t.Errorf("the scan needs %s for %s %s, which Permissions() does not list", p, r.Method, r.Resource)
		}
	}
}

func TestScanRecordsWhatRecommenderReports(t *testing.T) {
	t.Parallel()
	fx := newFixture(t, normalEstate, nil, nil)
	res, gaps := fx.scan(t)
	if len(gaps) != 0 {
		t.Fatalf("gaps: %+v", gaps)
	}
	by := map[string]scanners.Resource{}
	for _, r := range res {
		by[r.Name] = r
	}
	vm := by["old-vm"]
	want := map[string]string{
		AttrRecommender:       "google.compute.instance.IdleResourceRecommender",
		AttrSubtype:           "STOP_VM",
		AttrTarget:            "//compute.googleapis.com/projects/acme-prod/zones/us-central1-a/instances/old-vm",
		AttrResourceType:      "compute.googleapis.com/Instance",
		AttrProjectionCost:    "-73.268972762",
		AttrProjectionSeconds: "2592000",
		AttrMonthlyCost:       "-74.286597",
		AttrMonthlySavings:    "74.286597",
		AttrCurrency:          "USD",
		AttrPriority:          "P2",
		AttrImpactCategory:    "COST",
		AttrBillingAccount:    "012345-567890-ABCDEF",
		AttrLocationKind:      "zone",
		AttrLastRefresh:       testNow.Add(-6 * time.Hour).Format(time.RFC3339),
	}
	for k, v := range want {
		if got := vm.Attr(k); got != v {
			t.Errorf("old-vm %s: got %q, want %q", k, got, v)
		}
	}
	if vm.Provider != "gcp" || vm.Account != "acme-prod" || vm.Region != "us-central1-a" || vm.Kind != KindRecommendation || vm.State != "ACTIVE" {
		t.Errorf("old-vm identity: %+v", vm)
	}
	if !strings.HasPrefix(vm.Attr(AttrRecommendationName), "projects/") || !strings.HasSuffix(vm.Attr(AttrRecommendationName), "/recommendations/"+vm.ID) {
		t.Errorf("recommendation name %q does not end in the id %q", vm.Attr(AttrRecommendationName), vm.ID)
	}
	if ip := by["spare-ip"]; ip.Attr(AttrMonthlyCost) != "-7.3" || ip.Region != "us-central1" || ip.Attr(AttrLocationKind) != "region" {
		t.Errorf("address over a 730h projection: %+v", ip)
	}
	if d := by["scratch"]; d.Attr(AttrLastRefresh) != testNow.Add(-48*time.Hour).Format(time.RFC3339) {
		t.Errorf("disk last refresh: %q", d.Attr(AttrLastRefresh))
	}
	if _, ok := by["kept"]; ok {
		t.Error("a DISMISSED recommendation was listed although only ACTIVE ones were asked for")
	}
	if sql := by["reporting"]; sql.Account != "acme-data" || sql.Attr(AttrMonthlySavings) != "121.666667" {
		t.Errorf("cloud sql: %+v", sql)
	}
}

func TestStatesOption(t *testing.T) {
	t.Parallel()
	fx := newFixture(t, normalEstate, nil, func(o *Options) { o.States = []string{"ACTIVE", "DISMISSED"} })
	res, _ := fx.scan(t)
	if len(res) != normalResources+1 {
		t.Fatalf("ACTIVE and DISMISSED: %d resources, want %d", len(res), normalResources+1)
	}
}

func TestMonthlyCost(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		units    int64
		nanos    int32
		duration *durationpb.Duration
		want     string
		seconds  string
	}{
		{-73, -268972762, durationpb.New(30 * 24 * time.Hour), "-74.286597", "2592000"},
		{-7, -300000000, durationpb.New(730 * time.Hour), "-7.3", "2628000"},
		{10, 0, durationpb.New(time.Hour), "7300", "3600"},
		{0, -500000000, nil, "-0.506944", "2592000"}, // no duration: 30 days
		{-1, -500000000, durationpb.New(0), "-1.520833", "2592000"},
		{0, 0, durationpb.New(30 * 24 * time.Hour), "0", "2592000"},
		{3, 0, durationpb.New(1500 * time.Millisecond), "5256000", "1.5"},
	} {
		cp := &recommenderpb.CostProjection{Cost: &money.Money{CurrencyCode: "USD", Units: tc.units, Nanos: tc.nanos}, Duration: tc.duration}
		got, secs := MonthlyCost(cp)
		if got.String() != tc.want || secs.String() != tc.seconds {
			t.Errorf("%d/%d over %v: got %s over %ss, want %s over %ss", tc.units, tc.nanos, tc.duration.AsDuration(), got, secs, tc.want, tc.seconds)
		}
	}
	if got := MoneyDecimal(&money.Money{Units: -2, Nanos: -50}).String(); got != "-2.00000005" {
		t.Errorf("MoneyDecimal: %s", got)
	}
}

func TestRecommendationWithoutCostIsUnpriced(t *testing.T) {
	t.Parallel()
	est := `
gcp:
  billing_accounts:
    - id: 012345-567890-ABCDEF
      projects:
        - id: acme-prod
          recommendations:
            - {recommender: google.compute.instance.MachineTypeRecommender, location: us-central1-a, subtype: CHANGE_MACHINE_TYPE, category: PERFORMANCE,
               target: //compute.googleapis.com/projects/acme-prod/zones/us-central1-a/instances/busy}
`
	res, gaps := newFixture(t, est, nil, nil).scan(t)
	if len(res) != 1 || len(gaps) != 0 {
		t.Fatalf("%d resources, gaps %+v", len(res), gaps)
	}
	for _, k := range []string{AttrMonthlyCost, AttrMonthlySavings, AttrCurrency} {
		if v, ok := res[0].Attributes[k]; ok {
			t.Errorf("%s = %q on a recommendation without a cost projection", k, v)
		}
	}
	if res[0].Attr(AttrImpactCategory) != "PERFORMANCE" {
		t.Errorf("impact category: %q", res[0].Attr(AttrImpactCategory))
	}
}

func TestBillingDisabledProjectsAreGaps(t *testing.T) {
	t.Parallel()
	est := normalEstate + `    - id: 0000AA-BBBBBB-CCCCCC
      open: false
      projects:
        - id: old-project
          recommendations:
            - {recommender: google.compute.image.IdleResourceRecommender, location: global, subtype: DELETE_IMAGE,
               target: //compute.googleapis.com/projects/old-project/global/images/x, cost: "-1"}
`
	res, gaps := newFixture(t, est, nil, nil).scan(t)
	if len(res) != normalResources {
		t.Errorf("resources: %d, want %d", len(res), normalResources)
	}
	if len(gaps) != 1 || gaps[0].Account != "old-project" || gaps[0].Reason != scanners.ReasonUnsupported ||
		!strings.Contains(gaps[0].Message, "billing account 0000AA-BBBBBB-CCCCCC is closed") {
		t.Fatalf("gaps: %+v", gaps)
	}

	// Configured projects are looked up one by one: one unlinked, one unknown.
	est = strings.Replace(normalEstate, "        - id: acme-data\n", "        - id: acme-data\n          billing_enabled: false\n", 1)
	fx := newFixture(t, est, nil, func(o *Options) { o.Projects = []string{"acme-prod", "acme-data", "nobody-knows"} })
	res, gaps = fx.scan(t)
	if len(res) != 4+6+3 {
		t.Errorf("acme-prod only: %d resources, want 4 recommendations, 6 disks and addresses and 3 instances", len(res))
	}
	got := map[string]scanners.Gap{}
	for _, g := range gaps {
		got[g.Account] = g
	}
	if g := got["acme-data"]; g.Reason != scanners.ReasonUnsupported || !strings.Contains(g.Message, "no billing account is linked") {
		t.Errorf("unlinked project gap: %+v", g)
	}
	if g := got["nobody-knows"]; g.Reason != scanners.ReasonDenied || g.Operation != "cloudbilling.GetProjectBillingInfo" {
		t.Errorf("unknown project gap: %+v", g)
	}
	for _, r := range fx.srv.Requests() {
		if r.Method == "ListBillingAccounts" || r.Method == "ListProjectBillingInfo" {
			t.Errorf("%s was called although projects were configured", r.Method)
		}
	}
}

func TestDeniedBillingAccountIsAGap(t *testing.T) {
	t.Parallel()
	est := normalEstate + `    - id: 0000AA-BBBBBB-CCCCCC
      faults: {deny: [ListProjectBillingInfo]}
      projects: [{id: hidden-project}]
`
	res, gaps := newFixture(t, est, nil, nil).scan(t)
	if len(res) != normalResources {
		t.Errorf("resources: %d, want %d", len(res), normalResources)
	}
	if len(gaps) != 1 || gaps[0].Account != "0000AA-BBBBBB-CCCCCC" || gaps[0].Reason != scanners.ReasonDenied ||
		gaps[0].Operation != "cloudbilling.ListProjectBillingInfo" || !strings.Contains(gaps[0].Message, "PermissionDenied") {
		t.Fatalf("gaps: %+v", gaps)
	}
}

func TestAPIDisabledIsUnsupported(t *testing.T) {
	t.Parallel()
	est := strings.Replace(normalEstate, "        - id: acme-data\n", "        - id: acme-data\n          faults: {api_disabled: true}\n", 1)
	_, gaps := newFixture(t, est, nil, nil).scan(t)
	if len(gaps) != 1 || gaps[0].Account != "acme-data" || gaps[0].Reason != scanners.ReasonUnsupported ||
		!strings.Contains(gaps[0].Message, "Recommender API has not been used in project") {
		t.Fatalf("gaps: %+v", gaps)
	}
}

func TestCollapseGaps(t *testing.T) {
	t.Parallel()
	p1, p2 := project{id: "acme-prod"}, project{id: "acme-data"}
	idle, _ := recommenderByID("google.compute.disk.IdleResourceRecommender")
	sql, _ := recommenderByID("google.cloudsql.instance.IdleRecommender")
	jobs := []job{
		{p1, idle, "us-central1-a"}, {p1, idle, "us-central1"}, {p1, sql, "us-central1"}, {p1, sql, "europe-west1"},
		{p2, idle, "us-central1-a"}, {p2, sql, "us-central1"},
	}
	denied := status.Error(codes.PermissionDenied, "Permission denied")
	busy := status.Error(codes.ResourceExhausted, "Quota exceeded")
	failures := []failure{
		{jobs[2], denied}, {jobs[3], denied}, // every sql location of acme-prod: one recommender gap
		{jobs[0], busy},                      // one location of the disk recommender: a located gap
		{jobs[4], denied}, {jobs[5], denied}, // everything in acme-data: one project gap
	}
	var got []string
	for _, g := range collapse(jobs, failures) {
		got = append(got, g.Account+"|"+g.Region+"|"+g.Reason+"|"+g.Scope)
	}
	want := []string{
		"acme-data||denied|project acme-data",
		"acme-prod||denied|project acme-prod recommender google.cloudsql.instance.IdleRecommender",
		"acme-prod|us-central1-a|throttled|project acme-prod location us-central1-a recommender google.compute.disk.IdleResourceRecommender",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("gaps:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestThrottlingIsRetriedThenBecomesAGap(t *testing.T) {
	t.Parallel()
	est := strings.Replace(normalEstate, "        - id: acme-data\n", "        - id: acme-data\n          faults: {throttle: {ListRecommendations: 2}, unavailable: {ListRecommendations: 1}}\n", 1)
	res, gaps := newFixture(t, est, nil, nil).scan(t)
	if len(gaps) != 0 || len(res) != normalResources {
		t.Fatalf("with retries: %d resources, gaps %+v", len(res), gaps)
	}
	// Throttled at one location only: one located gap, the rest whole.
	est = strings.Replace(normalEstate, "        - id: acme-data\n", "        - id: acme-data\n          faults: {throttle: {ListRecommendations: 1000}}\n", 1)
	fx := newFixture(t, est, nil, func(o *Options) { o.MaxAttempts = 3 })
	res, gaps = fx.scan(t)
	if len(gaps) != 1 || gaps[0].Reason != scanners.ReasonThrottled || gaps[0].Account != "acme-data" || !strings.Contains(gaps[0].Message, "Quota exceeded") {
		t.Fatalf("gaps: %+v", gaps)
	}
	if len(res) != normalResources-2 {
		t.Errorf("resources: %d, want %d", len(res), normalResources-2)
	}
}

func TestLatencyHonoursDeadline(t *testing.T) {
	t.Parallel()
	est := strings.Replace(normalEstate, "gcp:\n", "gcp:\n  faults: {latency: 10s}\n", 1)
	fx := newFixture(t, est, nil, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := fx.scanner.Scan(ctx, &scanners.Collector{})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("error %v does not wrap context.DeadlineExceeded", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("scan took %v despite a 200ms deadline", d)
	}
}

func TestNoCredentials(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("GOOGLE_APPLICATION_CREDENTIALS", filepath.Join(dir, "missing.json"))
	t.Setenv("CLOUDSDK_CONFIG", dir)
	opts := NewOptions()
	opts.Endpoint = "127.0.0.1:1"
	if c := detectCredentials(opts, os.Getenv); c.Found || !strings.Contains(c.Source, "not a readable file") {
		t.Errorf("detect: %+v", c)
	}
	s, err := New(opts, scanners.Env{Now: func() time.Time { return testNow }})
	if err != nil {
		t.Fatal(err)
	}
	err = s.Scan(context.Background(), &scanners.Collector{})
	if !errors.Is(err, scanners.ErrNoCredentials) {
		t.Fatalf("error %v does not wrap ErrNoCredentials", err)
	}
	if !strings.Contains(err.Error(), "gcloud auth application-default login") {
		t.Errorf("the error does not say how to provide credentials: %v", err)
	}
}

func TestDetectCredentials(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	adc := filepath.Join(dir, "application_default_credentials.json")
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	if c := detectCredentials(NewOptions(), env(map[string]string{"CLOUDSDK_CONFIG": dir, "HOME": dir})); c.Found {
		t.Errorf("found credentials in an empty config dir: %+v", c)
	}
	if err := os.WriteFile(adc, []byte(`{"type":"authorized_user"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if c := detectCredentials(NewOptions(), env(map[string]string{"CLOUDSDK_CONFIG": dir})); !c.Found || !strings.Contains(c.Source, "gcloud") {
		t.Errorf("gcloud ADC file not detected: %+v", c)
	}
	if c := detectCredentials(NewOptions(), env(map[string]string{"GOOGLE_APPLICATION_CREDENTIALS": adc})); !c.Found {
		t.Errorf("GOOGLE_APPLICATION_CREDENTIALS not detected: %+v", c)
	}
	home := t.TempDir()
	if err := os.MkdirAll(filepath.Join(home, ".config", "gcloud"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(home, ".config", "gcloud", "application_default_credentials.json"), []byte("{}"), 0o600); err != nil {
		t.Fatal(err)
	}
	if c := detectCredentials(NewOptions(), env(map[string]string{"HOME": home})); !c.Found {
		t.Errorf("~/.config/gcloud ADC file not detected: %+v", c)
	}
}

func TestLocations(t *testing.T) {
	t.Parallel()
	got := expandLocations([]string{"europe-west1", "global", "me-central2", "us-central1-a", "europe-west1"})
	want := "europe-west1 europe-west1-b europe-west1-c europe-west1-d global me-central2 us-central1-a"
	if strings.Join(got, " ") != want {
		t.Errorf("expand: got %v, want %s", got, want)
	}
	// The documented cost of the defaults.
	var calls int
	for _, r := range recommenders {
		for _, l := range expandLocations(DefaultLocations) {
			if r.locations&kindOf(l) != 0 {
				calls++
			}
		}
	}
	if calls != 125 {
		t.Errorf("default locations: %d calls per project, the doc says 125", calls)
	}
}

func TestOptionsValidateAndRedact(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		mod  func(*Options)
		want string
	}{
		{func(o *Options) { o.BillingAccounts = []string{"12345"} }, "gcp.billing_accounts"},
		{func(o *Options) { o.Projects = []string{"Bad_Project"} }, "gcp.projects"},
		{func(o *Options) { o.Locations = []string{"mars"} }, "gcp.locations"},
		{func(o *Options) { o.Recommenders = []string{"google.foo.Recommender"} }, "gcp.recommenders"},
		{func(o *Options) { o.States = []string{"OPEN"} }, "gcp.states"},
		{func(o *Options) { o.Impersonate = "someone@example.com" }, "gcp.impersonate_service_account"},
		{func(o *Options) { o.PageSize = 1000 }, "gcp.page_size"},
		{func(o *Options) { o.MaxAttempts = 0 }, "gcp.max_attempts"},
		{func(o *Options) { o.Endpoint = "https://x" }, "gcp.endpoint"},
	} {
		o := NewOptions()
		tc.mod(o)
		if err := o.Validate(); err == nil || !strings.HasPrefix(err.Error(), tc.want+":") {
			t.Errorf("got %v, want an error naming %s", err, tc.want)
		}
	}
	o := NewOptions()
	o.ClientOptions = []option.ClientOption{option.WithAPIKey("s3cr3t-api-key")}
	r := o.Redacted().(*Options)
	if r.ClientOptions != nil || o.ClientOptions == nil {
		t.Error("Redacted must drop the client options of the copy only")
	}
	if b, _ := json.Marshal(r); strings.Contains(string(b), "s3cr3t") {
		t.Errorf("redacted options leak: %s", b)
	}
}

// TestPagesAreFollowed checks that the MultiPage estate is really read
// over several pages of both APIs.
func TestPagesAreFollowed(t *testing.T) {
	t.Parallel()
	fx := newFixture(t, multiPageEstate(), nil, func(o *Options) { o.PageSize = 5 })
	res, gaps := fx.scan(t)
	if len(res) != 12+7 || len(gaps) != 0 {
		t.Fatalf("%d resources, gaps %+v", len(res), gaps)
	}
	pages := map[string]int{}
	for _, r := range fx.srv.Requests() {
		pages[r.Method+" "+r.Resource]++
	}
	if n := pages["ListProjectBillingInfo billingAccounts/012345-567890-ABCDEF"]; n != 2 {
		t.Errorf("ListProjectBillingInfo pages: %d, want 2 (7 projects by 5)", n)
	}
	if n := pages["ListRecommendations projects/acme-p03/locations/us-central1-a/recommenders/google.compute.disk.IdleResourceRecommender"]; n != 3 {
		t.Errorf("ListRecommendations pages: %d, want 3 (12 by 5)", n)
	}
	if n := pages["compute.disks.aggregatedList projects/acme-p03"]; n != 2 {
		t.Errorf("disks.aggregatedList pages: %d, want 2 (7 by 5)", n)
	}
}

func TestPlaintextOnlyForLoopback(t *testing.T) {
	t.Parallel()
	for endpoint, ok := range map[string]bool{"127.0.0.1:9999": true, "localhost:1": true, "[::1]:5": true, "billing.googleapis.com:443": false, "": false, "10.0.0.1:443": false} {
		o := NewOptions()
		o.Endpoint, o.Plaintext = endpoint, true
		if err := o.Validate(); (err == nil) != ok {
			t.Errorf("plaintext to %q: %v", endpoint, err)
		}
	}
}

// TestBillingAccountsPageFailureKeepsListedAccounts: when a
// ListBillingAccounts page after the first fails, the accounts already
// listed are still audited and the failure is a gap (it used to fail the
// whole scan, dropping every account).
func TestBillingAccountsPageFailureKeepsListedAccounts(t *testing.T) {
	t.Parallel()
	est := normalEstate + `    - id: 0000AA-BBBBBB-CCCCCC
      projects: [{id: other-project}]
`
	failLater := func(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
		if r, ok := req.(*billingpb.ListBillingAccountsRequest); ok && r.GetPageToken() != "" {
			return status.Error(codes.PermissionDenied, "The caller does not have permission")
		}
		return invoker(ctx, method, req, reply, cc, opts...)
	}
	fx := newFixture(t, est, nil, func(o *Options) {
		o.PageSize = 1
		o.ClientOptions = append(o.ClientOptions, option.WithGRPCDialOption(grpc.WithChainUnaryInterceptor(failLater)))
	})
	res, gaps := fx.scan(t)
	if len(res) == 0 {
		t.Fatal("the accounts of the first page were dropped")
	}
	if len(gaps) != 1 || gaps[0].Operation != "cloudbilling.ListBillingAccounts" || gaps[0].Reason != scanners.ReasonDenied ||
		!strings.Contains(gaps[0].Message, "1 billing account") {
		t.Fatalf("gaps: %+v", gaps)
	}
}
