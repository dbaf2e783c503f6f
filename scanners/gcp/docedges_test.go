package gcp

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"google.golang.org/api/option"

	"github.com/ghostaudit/ghostaudit/scanners"
)

// recommendationsByID indexes the scanned recommendations by id.
func recommendationsByID(res []scanners.Resource) map[string]scanners.Resource {
	out := map[string]scanners.Resource{}
	for _, r := range res {
		if r.Kind == KindRecommendation {
			out[r.ID] = r
		}
	}
	return out
}

// TestSnapshotAndDeleteDiskTargetsTheDisk: Google's idle-disk
// recommendation SNAPSHOT_AND_DELETE_DISK first "add"s a snapshot, then
// "remove"s the disk, and may carry no targetResources or overview: the
// target is the disk, never the snapshot.
func TestSnapshotAndDeleteDiskTargetsTheDisk(t *testing.T) {
	t.Parallel()
	fx := newFixture(t, `
gcp:
  billing_accounts:
    - id: 012345-567890-ABCDEF
      projects:
        - id: acme-prod
          recommendations:
            - {id: bare, recommender: google.compute.disk.IdleResourceRecommender, location: us-central1-a, subtype: SNAPSHOT_AND_DELETE_DISK,
               omit_target_resources: true, target: //compute.googleapis.com/projects/acme-prod/zones/us-central1-a/disks/old-data, cost: "-20"}
            - {id: full, recommender: google.compute.disk.IdleResourceRecommender, location: us-central1-b, subtype: SNAPSHOT_AND_DELETE_DISK,
               target: //compute.googleapis.com/projects/acme-prod/zones/us-central1-b/disks/other, cost: "-20"}
            - {id: vm, recommender: google.compute.instance.IdleResourceRecommender, location: us-central1-a, subtype: STOP_VM,
               omit_target_resources: true, target: //compute.googleapis.com/projects/acme-prod/zones/us-central1-a/instances/vm-1, cost: "-20"}
`, nil, func(o *Options) { o.Compute = false })
	res, gaps := fx.scan(t)
	if len(gaps) != 0 {
		t.Fatalf("gaps: %+v", gaps)
	}
	recs := recommendationsByID(res)
	for id, want := range map[string][2]string{
		"bare": {"//compute.googleapis.com/projects/acme-prod/zones/us-central1-a/disks/old-data", "compute.googleapis.com/Disk"},
		"full": {"//compute.googleapis.com/projects/acme-prod/zones/us-central1-b/disks/other", "compute.googleapis.com/Disk"},
		"vm":   {"//compute.googleapis.com/projects/acme-prod/zones/us-central1-a/instances/vm-1", "compute.googleapis.com/Instance"},
	} {
		r, ok := recs[id]
		if !ok {
			t.Errorf("%s: not scanned", id)
			continue
		}
		if r.Attr(AttrTarget) != want[0] || r.Attr(AttrResourceType) != want[1] || r.Name != lastSegment(want[0]) {
			t.Errorf("%s: target %q type %q name %q, want %q %q", id, r.Attr(AttrTarget), r.Attr(AttrResourceType), r.Name, want[0], want[1])
		}
	}
}

// TestRecommendationsOutsideTheConfiguredLocations: a project's zones and
// regions come from the Compute aggregated lists (a key per scope), so an
// idle VM in us-west2-a (a zone holding its boot disk) and an idle Cloud
// SQL instance in europe-west6 (a region the lists name) are found though
// neither is in --gcp-locations; so is an idle VM in a replica zone of a
// regional boot disk.
func TestRecommendationsOutsideTheConfiguredLocations(t *testing.T) {
	t.Parallel()
	fx := newFixture(t, `
gcp:
  billing_accounts:
    - id: 012345-567890-ABCDEF
      projects:
        - id: acme-prod
          recommendations:
            - {id: vm-west2, recommender: google.compute.instance.IdleResourceRecommender, location: us-west2-a, subtype: STOP_VM,
               target: //compute.googleapis.com/projects/acme-prod/zones/us-west2-a/instances/vm-1, cost: "-20"}
            - {id: sql-west6, recommender: google.cloudsql.instance.IdleRecommender, location: europe-west6, subtype: STOP,
               target: //sqladmin.googleapis.com/projects/acme-prod/instances/db-1, cost: "-50"}
            - {id: vm-central, recommender: google.compute.instance.IdleResourceRecommender, location: us-central1-a, subtype: STOP_VM,
               target: //compute.googleapis.com/projects/acme-prod/zones/us-central1-a/instances/vm-2, cost: "-20"}
            - {id: vm-west3, recommender: google.compute.instance.IdleResourceRecommender, location: us-west3-b, subtype: STOP_VM,
               target: //compute.googleapis.com/projects/acme-prod/zones/us-west3-b/instances/vm-3, cost: "-20"}
          disks:
            - {name: vm-1-boot, zone: us-west2-a, users: [vm-1]}
            # a regional boot disk, replicated in us-west3-a and -b
            - {name: vm-3-boot, region: us-west3, users: [vm-3]}
`, nil, nil)
	res, gaps := fx.scan(t)
	if len(gaps) != 0 {
		t.Fatalf("gaps: %+v", gaps)
	}
	recs := recommendationsByID(res)
	for _, id := range []string{"vm-west2", "sql-west6", "vm-central", "vm-west3"} {
		if _, ok := recs[id]; !ok {
			t.Errorf("recommendation %s not found", id)
		}
	}
	// The call count stays sane: the zones asked are the configured ones
	// and those holding a disk; every region is asked by the 3 regional
	// recommenders.
	var calls int
	zones := map[string]bool{}
	for _, r := range fx.srv.Requests() {
		if r.Method == "ListRecommendations" {
			calls++
			if l := strings.Split(r.Resource, "/"); len(l) > 3 && kindOf(l[3]) == Zone {
				zones[l[3]] = true
			}
		}
	}
	if len(zones) != 10 || !zones["us-west2-a"] || !zones["us-west3-a"] || !zones["us-west3-b"] {
		t.Errorf("zones asked: %v, want the 7 configured, us-west2-a and the regional disk's replica zones us-west3-a and -b", zones)
	}
	if want := 10*3 + 42*3 + 2; calls != want {
		t.Errorf("%d ListRecommendations calls, want %d", calls, want)
	}
}

// TestUnreachableScopesAreGaps: an aggregated list's "unreachables" means
// the resources of those scopes are missing: each is a gap naming it.
func TestUnreachableScopesAreGaps(t *testing.T) {
	t.Parallel()
	fx := newFixture(t, `
gcp:
  billing_accounts:
    - id: 012345-567890-ABCDEF
      projects:
        - id: acme-prod
          faults: {unreachable: [us-east1-b, europe-west6]}
          disks:
            - {name: lost, zone: us-east1-b}
            - {name: seen, zone: us-east1-c}
          addresses:
            - {name: lost-ip, region: europe-west6}
`, nil, nil)
	res, gaps := fx.scan(t)
	if len(res) != 1 || res[0].Name != "seen" {
		t.Errorf("resources: %+v", res)
	}
	got := map[string]string{}
	for _, g := range gaps {
		if g.Reason != scanners.ReasonError || !strings.Contains(g.Message, "UNREACHABLE") {
			t.Errorf("gap: %+v", g)
		}
		got[g.Operation+" "+g.Region] = g.Scope
	}
	want := map[string]string{
		"compute.disks.aggregatedList us-east1-b":       "project acme-prod compute zones/us-east1-b",
		"compute.disks.aggregatedList europe-west6":     "project acme-prod compute regions/europe-west6",
		"compute.addresses.aggregatedList europe-west6": "project acme-prod compute regions/europe-west6",
		"compute.instances.aggregatedList us-east1-b":   "project acme-prod compute zones/us-east1-b",
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("gaps: %v, want %v", got, want)
	}
}

// TestHarmlessWarningsAreNotGaps: only warnings that mean results are
// missing (UNREACHABLE, PARTIAL_SUCCESS, ...) are gaps, for a scope or for
// the whole list; DEPRECATED_RESOURCE_USED and the like are not.
func TestHarmlessWarningsAreNotGaps(t *testing.T) {
	t.Parallel()
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch {
		case strings.HasSuffix(r.URL.Path, "/aggregated/disks"):
			fmt.Fprint(w, `{"kind":"compute#diskAggregatedList","warning":{"code":"PARTIAL_SUCCESS","message":"Some results may be missing."},"items":{
				"zones/us-central1-a":{"disks":[{"id":"1","name":"d1","zone":"https://www.googleapis.com/compute/v1/projects/p/zones/us-central1-a","sizeGb":"10","status":"READY"}],
				  "warning":{"code":"DEPRECATED_RESOURCE_USED","message":"The resource is deprecated."}}}}`)
		case strings.HasSuffix(r.URL.Path, "/aggregated/addresses"):
			fmt.Fprint(w, `{"warning":{"code":"NO_RESULTS_ON_PAGE","message":"none"},"items":{"regions/us-central1":{"warning":{"code":"NOT_CRITICAL_ERROR","message":"skipped something"}}}}`)
		case strings.HasSuffix(r.URL.Path, "/aggregated/instances"):
			fmt.Fprint(w, `{"kind":"compute#instanceAggregatedList","items":{"zones/us-central1-a":{"warning":{"code":"NO_RESULTS_ON_PAGE","message":"none"}}}}`)
		default:
			fmt.Fprint(w, `{"items":[]}`)
		}
	}))
	t.Cleanup(ts.Close)
	fx := newFixture(t, normalEstate, nil, func(o *Options) {
		o.Projects = []string{"acme-prod"}
		o.ComputeClientOptions = []option.ClientOption{option.WithEndpoint(ts.URL + "/compute/v1/")}
	})
	_, gaps := fx.scan(t)
	got := map[string]bool{}
	for _, g := range gaps {
		got[g.Scope+" "+strings.SplitN(g.Message, ":", 2)[0]] = true
	}
	want := map[string]bool{"project acme-prod compute PARTIAL_SUCCESS": true, "project acme-prod compute regions/us-central1 NOT_CRITICAL_ERROR": true}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("gaps: %v, want %v", got, want)
	}
}

// TestSmallDocumentedEdges: an address of addressType UNSPECIFIED_TYPE is
// EXTERNAL ("If unspecified, defaults to EXTERNAL"); a recommendation
// answered without stateInfo is kept with an unknown state rather than
// read as STATE_UNSPECIFIED and dropped; domain-scoped project IDs are
// valid --gcp-projects.
func TestSmallDocumentedEdges(t *testing.T) {
	t.Parallel()
	fx := newFixture(t, `
gcp:
  billing_accounts:
    - id: 012345-567890-ABCDEF
      projects:
        - id: acme-prod
          recommendations:
            - {id: nostate, recommender: google.compute.image.IdleResourceRecommender, location: global, subtype: DELETE_IMAGE,
               omit_state_info: true, target: //compute.googleapis.com/projects/acme-prod/global/images/old, cost: "-3"}
          addresses:
            - {name: unspecified-ip, region: us-central1, address_type: UNSPECIFIED_TYPE}
`, nil, nil)
	res, gaps := fx.scan(t)
	if len(gaps) != 0 {
		t.Fatalf("gaps: %+v", gaps)
	}
	var seen int
	for _, r := range res {
		switch {
		case r.Kind == KindAddress && r.Name == "unspecified-ip":
			seen++
			if r.Attr(AttrAddressType) != "EXTERNAL" {
				t.Errorf("address type %q, want EXTERNAL", r.Attr(AttrAddressType))
			}
		case r.Kind == KindRecommendation && r.ID == "nostate":
			seen++
			if r.State != "" {
				t.Errorf("recommendation without stateInfo: state %q, want unknown (\"\")", r.State)
			}
		}
	}
	if seen != 2 {
		t.Errorf("%d of the 2 resources scanned: %+v", seen, res)
	}
	o := NewOptions()
	o.Projects = []string{"example.com:acme-prod", "acme-prod"}
	if err := o.Validate(); err != nil {
		t.Errorf("domain-scoped project ID refused: %v", err)
	}
	for _, bad := range []string{":acme-prod", "Example.com:acme-prod", "example.com:Bad_Project"} {
		o.Projects = []string{bad}
		if err := o.Validate(); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// TestXorGroupIDIsRecorded: a recommendation's xorGroupId (alternatives of
// one recommender, of which only one is applied) reaches the inventory, so
// the rules can count a group once.
func TestXorGroupIDIsRecorded(t *testing.T) {
	t.Parallel()
	fx := newFixture(t, `
gcp:
  billing_accounts:
    - id: 012345-567890-ABCDEF
      projects:
        - id: acme-prod
          recommendations:
            - {id: e2-small, recommender: google.compute.instance.MachineTypeRecommender, location: us-central1-a, subtype: CHANGE_MACHINE_TYPE,
               target: //compute.googleapis.com/projects/acme-prod/zones/us-central1-a/instances/app, cost: "-10", xor_group_id: "5001"}
            - {id: plain, recommender: google.compute.instance.MachineTypeRecommender, location: us-central1-a, subtype: CHANGE_MACHINE_TYPE,
               target: //compute.googleapis.com/projects/acme-prod/zones/us-central1-a/instances/other, cost: "-5"}
`, nil, nil)
	res, _ := fx.scan(t)
	got := map[string]string{}
	for _, r := range res {
		if r.Kind == KindRecommendation {
			got[r.ID] = r.Attr(AttrXorGroup)
		}
	}
	if got["e2-small"] != "5001" || got["plain"] != "" || len(got) != 2 {
		t.Errorf("xor_group_id by recommendation: %v", got)
	}
}

// TestLocationsOnly: --gcp-locations-only asks the configured locations
// alone (fewer calls), so a recommendation outside them is not found.
func TestLocationsOnly(t *testing.T) {
	t.Parallel()
	fx := newFixture(t, `
gcp:
  billing_accounts:
    - id: 012345-567890-ABCDEF
      projects:
        - id: acme-prod
          recommendations:
            - {id: vm-west2, recommender: google.compute.instance.IdleResourceRecommender, location: us-west2-a, subtype: STOP_VM,
               target: //compute.googleapis.com/projects/acme-prod/zones/us-west2-a/instances/vm-1, cost: "-20"}
            - {id: vm-central, recommender: google.compute.instance.IdleResourceRecommender, location: us-central1-a, subtype: STOP_VM,
               target: //compute.googleapis.com/projects/acme-prod/zones/us-central1-a/instances/vm-2, cost: "-20"}
          disks:
            - {name: vm-1-boot, zone: us-west2-a, users: [vm-1]}
`, nil, func(o *Options) { o.LocationsOnly = true })
	res, _ := fx.scan(t)
	recs := recommendationsByID(res)
	if _, ok := recs["vm-central"]; !ok {
		t.Error("the configured location's recommendation is missing")
	}
	if _, ok := recs["vm-west2"]; ok {
		t.Error("us-west2-a was asked although only the configured locations should be")
	}
	// Every location asked is a configured one (global, us-central1,
	// europe-west1) or a zone of a configured region; none the Compute
	// lists named.
	asked := 0
	for _, r := range fx.srv.Requests() {
		if r.Method != "ListRecommendations" {
			continue
		}
		asked++
		l := strings.Split(r.Resource, "/")
		if len(l) < 4 {
			t.Fatalf("recommender parent %q", r.Resource)
		}
		loc := l[3]
		if loc != "global" && !strings.HasPrefix(loc, "us-central1") && !strings.HasPrefix(loc, "europe-west1") {
			t.Errorf("%s asked although only the configured locations should be", loc)
		}
	}
	if asked == 0 {
		t.Error("no recommendations asked")
	}
}
