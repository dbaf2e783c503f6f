package gcpsim

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	billing "cloud.google.com/go/billing/apiv1"
	"cloud.google.com/go/billing/apiv1/billingpb"
	recommender "cloud.google.com/go/recommender/apiv1"
	"cloud.google.com/go/recommender/apiv1/recommenderpb"
	"github.com/shopspring/decimal"
	"google.golang.org/api/iterator"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/ghostaudit/ghostaudit/scanners/estate"
)

var testNow = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

func start(t *testing.T, yaml string) *Server {
	t.Helper()
	e, err := estate.Parse("test.yaml", []byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	est, ok, err := Load(e)
	if err != nil || !ok {
		t.Fatalf("Load: %v %v", ok, err)
	}
	srv, err := Start(est, Options{Now: func() time.Time { return testNow }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Stop)
	return srv
}

func catalogEstate(n int) string {
	var b strings.Builder
	b.WriteString("gcp:\n  services:\n    - {id: 6F81-5844-456A, display_name: Compute Engine, skus: [\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "        {id: 0000-0000-%04X, description: SKU %d, resource_family: Storage, resource_group: PDStandard, regions: [us-east4], usage_unit: GiBy.mo, unit_price: \"0.044\"},\n", i, i)
	}
	b.WriteString("        {id: AAAA-0000-0000, description: Egress, resource_family: Network, usage_unit: GiBy, tiers: [{start: 0, price: \"0.12\"}, {start: 1024, price: \"0.11\"}]}]}\n")
	return b.String()
}

func TestCatalogPagesWithTheRealClient(t *testing.T) {
	t.Parallel()
	srv := start(t, catalogEstate(6))
	ctx := context.Background()
	c, err := billing.NewCloudCatalogClient(ctx, srv.ClientOptions()...)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	svc, err := c.ListServices(ctx, &billingpb.ListServicesRequest{}).Next()
	if err != nil || svc.GetDisplayName() != "Compute Engine" {
		t.Fatalf("ListServices: %v %v", svc, err)
	}
	var skus []*billingpb.Sku
	for s, err := range c.ListSkus(ctx, &billingpb.ListSkusRequest{Parent: svc.GetName(), PageSize: 2}).All() {
		if err != nil {
			t.Fatal(err)
		}
		skus = append(skus, s)
	}
	if len(skus) != 7 {
		t.Fatalf("skus: %d, want 7", len(skus))
	}
	var pages int
	for _, r := range srv.Requests() {
		if r.Method == "ListSkus" {
			pages++
		}
	}
	if pages != 4 {
		t.Errorf("ListSkus pages: %d, want 4 (7 SKUs by 2)", pages)
	}
	rate := skus[0].GetPricingInfo()[0].GetPricingExpression().GetTieredRates()[0].GetUnitPrice()
	if rate.GetUnits() != 0 || rate.GetNanos() != 44000000 || skus[0].GetGeoTaxonomy().GetType() != billingpb.GeoTaxonomy_REGIONAL {
		t.Errorf("pd-standard price: %v", skus[0])
	}
	if tiers := skus[6].GetPricingInfo()[0].GetPricingExpression().GetTieredRates(); len(tiers) != 2 || tiers[1].GetStartUsageAmount() != 1024 {
		t.Errorf("tiers: %v", tiers)
	}
	// A page token of another request is refused.
	resp, err := (&catalogServer{sim: srv.Sim}).ListSkus(ctx, &billingpb.ListSkusRequest{Parent: svc.GetName(), PageSize: 2})
	if err != nil {
		t.Fatal(err)
	}
	_, err = (&catalogServer{sim: srv.Sim}).ListSkus(ctx, &billingpb.ListSkusRequest{Parent: "services/0000-0000-0000", PageToken: resp.GetNextPageToken()})
	if status.Code(err) != codes.NotFound {
		t.Errorf("unknown service: %v", err)
	}
	_, err = (&billingServer{sim: srv.Sim}).ListBillingAccounts(ctx, &billingpb.ListBillingAccountsRequest{PageToken: resp.GetNextPageToken()})
	if status.Code(err) != codes.InvalidArgument {
		t.Errorf("foreign page token: %v", err)
	}
}

const recEstate = `
gcp:
  billing_accounts:
    - id: 012345-567890-ABCDEF
      projects:
        - id: acme-prod
          number: "123456789012"
          faults: {deny: [GetProjectBillingInfo]}
          recommendations:
            - {recommender: google.compute.disk.IdleResourceRecommender, location: us-central1-a, subtype: DELETE_DISK, priority: P1,
               target: //compute.googleapis.com/projects/acme-prod/zones/us-central1-a/disks/a, cost: "-73.268972762"}
            - {recommender: google.compute.disk.IdleResourceRecommender, location: us-central1-a, subtype: SNAPSHOT_AND_DELETE_DISK, state: CLAIMED,
               target: //compute.googleapis.com/projects/acme-prod/zones/us-central1-a/disks/b, cost: "-3"}
            - {recommender: google.compute.disk.IdleResourceRecommender, location: us-central1-a, subtype: DELETE_DISK, state: DISMISSED,
               target: //compute.googleapis.com/projects/acme-prod/zones/us-central1-a/disks/c, cost: "-1"}
`

func TestRecommenderFiltersAndDenies(t *testing.T) {
	t.Parallel()
	srv := start(t, recEstate)
	ctx := context.Background()
	c, err := recommender.NewClient(ctx, srv.ClientOptions()...)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	parent := "projects/acme-prod/locations/us-central1-a/recommenders/google.compute.disk.IdleResourceRecommender"
	count := func(filter string) (n int, first *recommenderpb.Recommendation, err error) {
		it := c.ListRecommendations(ctx, &recommenderpb.ListRecommendationsRequest{Parent: parent, Filter: filter, PageSize: 1})
		for {
			r, err := it.Next()
			if errors.Is(err, iterator.Done) {
				return n, first, nil
			}
			if err != nil {
				return n, first, err
			}
			if first == nil {
				first = r
			}
			n++
		}
	}
	for filter, want := range map[string]int{
		"":                         3,
		"stateInfo.state = ACTIVE": 1,
		"stateInfo.state = ACTIVE OR stateInfo.state = CLAIMED":                       2,
		"(stateInfo.state = ACTIVE OR stateInfo.state = DISMISSED) AND priority = P4": 1,
		`recommenderSubtype = "DELETE_DISK"`:                                          2,
	} {
		if n, _, err := count(filter); err != nil || n != want {
			t.Errorf("filter %q: %d recommendations, %v; want %d", filter, n, err, want)
		}
	}
	if _, _, err := count("costProjection.cost > 3"); status.Code(err) != codes.InvalidArgument {
		t.Errorf("unsupported filter: %v", err)
	}
	_, r, _ := count("stateInfo.state = ACTIVE")
	cp := r.GetPrimaryImpact().GetCostProjection()
	if r.GetName() != "projects/123456789012/locations/us-central1-a/recommenders/google.compute.disk.IdleResourceRecommender/recommendations/"+r.GetName()[strings.LastIndex(r.GetName(), "/")+1:] ||
		cp.GetCost().GetUnits() != -73 || cp.GetCost().GetNanos() != -268972762 || cp.GetDuration().AsDuration() != 30*24*time.Hour ||
		r.GetPriority() != recommenderpb.Recommendation_P1 || r.GetTargetResources()[0] != "//compute.googleapis.com/projects/acme-prod/zones/us-central1-a/disks/a" {
		t.Errorf("recommendation: %v", r)
	}
	// The project number works as well as the id.
	if _, err := c.GetRecommendation(ctx, &recommenderpb.GetRecommendationRequest{Name: r.GetName()}); err != nil {
		t.Errorf("GetRecommendation by number: %v", err)
	}
	// A denied method answers PERMISSION_DENIED with the IAM ErrorInfo.
	b, err := billing.NewCloudBillingClient(ctx, srv.ClientOptions()...)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	_, err = b.GetProjectBillingInfo(ctx, &billingpb.GetProjectBillingInfoRequest{Name: "projects/acme-prod"})
	st, _ := status.FromError(err)
	var info *errdetails.ErrorInfo
	for _, d := range st.Details() {
		info, _ = d.(*errdetails.ErrorInfo)
	}
	if st.Code() != codes.PermissionDenied || info == nil || info.GetReason() != "IAM_PERMISSION_DENIED" || info.GetMetadata()["permission"] != "resourcemanager.projects.get" {
		t.Errorf("denied: %v %v", err, info)
	}
	// The unknown project is denied like one the caller cannot see.
	_, err = c.ListRecommendations(ctx, &recommenderpb.ListRecommendationsRequest{Parent: strings.Replace(parent, "acme-prod", "other-project", 1)}).Next()
	if status.Code(err) != codes.PermissionDenied || !strings.Contains(err.Error(), "recommender.computeDiskIdleResourceRecommendations.list") {
		t.Errorf("unknown project: %v", err)
	}
}

func TestLatencyEndsWithTheCaller(t *testing.T) {
	t.Parallel()
	srv := start(t, "gcp:\n  faults: {latency: 10s}\n  billing_accounts: [{id: 012345-567890-ABCDEF}]\n")
	c, err := billing.NewCloudBillingClient(context.Background(), srv.ClientOptions()...)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	begin := time.Now()
	_, err = c.ListBillingAccounts(ctx, &billingpb.ListBillingAccountsRequest{}).Next()
	if (status.Code(err) != codes.DeadlineExceeded && !errors.Is(err, context.DeadlineExceeded)) || time.Since(begin) > 5*time.Second {
		t.Errorf("after %v: %v", time.Since(begin), err)
	}
	// The server stops waiting too: the call is recorded as ended by the caller.
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if r := srv.Requests(); len(r) == 1 {
			if r[0].Code != codes.DeadlineExceeded && r[0].Code != codes.Canceled {
				t.Errorf("recorded %v", r[0])
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the simulator kept waiting after the caller gave up")
		}
	}
}

func TestLoadErrorsAreLocated(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ yaml, want string }{
		{"gcp:\n  billing_accounts:\n    - id: nope\n", "test.yaml:3:11: gcp.billing_accounts[0].id: \"nope\" is not a billing account id"},
		{"gcp:\n  billing_accounts:\n    - id: 012345-567890-ABCDEF\n      projects:\n        - id: acme-prod\n          recommendations:\n" +
			"            - {recommender: google.compute.image.IdleResourceRecommender, location: us-central1-a, subtype: DELETE_IMAGE, target: //compute.googleapis.com/projects/acme-prod/global/images/x}\n",
			"gcp.billing_accounts[0].projects[0].recommendations[0].location: google.compute.image.IdleResourceRecommender is not served at us-central1-a (want global)"},
		{"gcp:\n  billing_accounts:\n    - id: 012345-567890-ABCDEF\n      open: false\n      projects: [{id: acme-prod, billing_enabled: true}]\n",
			"billing cannot be enabled on a project of closed account"},
		{"gcp:\n  faults: {deny: [DeleteEverything]}\n", "gcp.faults.deny[0]: \"DeleteEverything\" is not a simulated method"},
		{"gcp:\n  billing_accounts:\n    - id: 012345-567890-ABCDEF\n      colour: blue\n", "test.yaml:4:7"},
		{"gcp:\n  billing_accounts:\n    - id: 012345-567890-ABCDEF\n      projects:\n        - id: acme-prod\n          recommendations:\n" +
			"            - {recommender: google.compute.disk.IdleResourceRecommender, location: us-central1-a, subtype: DELETE_DISK, cost: \"-1.0000000001\", target: //compute.googleapis.com/projects/acme-prod/zones/us-central1-a/disks/d}\n",
			"more than 9 decimal places"},
	} {
		e, err := estate.Parse("test.yaml", []byte(tc.yaml))
		if err == nil {
			_, _, err = Load(e)
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("got %v\nwant an error containing %q", err, tc.want)
		}
	}
}

func TestMoney(t *testing.T) {
	t.Parallel()
	for in, want := range map[string][2]int64{"-73.268972762": {-73, -268972762}, "0.044": {0, 44000000}, "-0.5": {0, -500000000}, "12": {12, 0}} {
		m := Money(decimal.RequireFromString(in), "USD")
		if m.GetUnits() != want[0] || int64(m.GetNanos()) != want[1] {
			t.Errorf("%s: %d/%d, want %v", in, m.GetUnits(), m.GetNanos(), want)
		}
	}
}
