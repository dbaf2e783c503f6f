package gcpsim

import (
	"context"
	"crypto/sha256"
	"fmt"
	"strings"
	"time"

	"cloud.google.com/go/recommender/apiv1/recommenderpb"
	"github.com/shopspring/decimal"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/structpb"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// Recommender page sizes are not documented ("Non-positive values are
// ignored"); the simulator uses 100 by default and at most 1000.
const (
	recommenderDefaultPage = 100
	recommenderMaxPage     = 1000
)

// recommenderServer serves google.cloud.recommender.v1.Recommender.
type recommenderServer struct {
	recommenderpb.UnimplementedRecommenderServer
	sim *Sim
}

// parent is a parsed projects/P/locations/L/recommenders/R.
type parent struct {
	project     *Project
	location    string
	recommender string
}

func (r *recommenderServer) parent(name string) (parent, error) {
	parts := strings.Split(name, "/")
	if len(parts) != 6 || parts[0] != "projects" || parts[2] != "locations" || parts[4] != "recommenders" || parts[1] == "" || parts[5] == "" {
		return parent{}, status.Errorf(codes.InvalidArgument,
			"Invalid parent %q: want projects/[PROJECT_NUMBER]/locations/[LOCATION]/recommenders/[RECOMMENDER_ID].", name)
	}
	if KindOf(parts[3]) == 0 {
		return parent{}, status.Errorf(codes.InvalidArgument, "Invalid location %q.", parts[3])
	}
	p := r.sim.projects[parts[1]]
	if p == nil {
		return parent{}, r.sim.denied("Recommender", "ListRecommendations", name)
	}
	return parent{project: p, location: parts[3], recommender: parts[5]}, nil
}

// ListRecommendations lists a project's recommendations for one
// recommender and location, filtered and paged.
func (r *recommenderServer) ListRecommendations(_ context.Context, req *recommenderpb.ListRecommendationsRequest) (*recommenderpb.ListRecommendationsResponse, error) {
	pa, err := r.parent(req.GetParent())
	if err != nil {
		return nil, err
	}
	match, err := parseFilter(req.GetFilter())
	if err != nil {
		return nil, err
	}
	var all []*recommenderpb.Recommendation
	for i := range pa.project.Recommendations {
		rec := &pa.project.Recommendations[i]
		if rec.Location != pa.location || rec.Recommender != pa.recommender {
			continue
		}
		if match(rec) {
			all = append(all, r.sim.recommendationPB(pa.project, rec))
		}
	}
	start, end, next, err := page(len(all), int(req.GetPageSize()), recommenderDefaultPage, recommenderMaxPage, req.GetPageToken(),
		req.GetParent()+"?"+req.GetFilter())
	if err != nil {
		return nil, err
	}
	return &recommenderpb.ListRecommendationsResponse{Recommendations: all[start:end], NextPageToken: next}, nil
}

// GetRecommendation returns one recommendation by name.
func (r *recommenderServer) GetRecommendation(_ context.Context, req *recommenderpb.GetRecommendationRequest) (*recommenderpb.Recommendation, error) {
	parent, id, ok := strings.Cut(req.GetName(), "/recommendations/")
	if !ok {
		return nil, status.Errorf(codes.InvalidArgument, "Invalid name %q.", req.GetName())
	}
	pa, err := r.parent(parent)
	if err != nil {
		return nil, err
	}
	for i := range pa.project.Recommendations {
		rec := &pa.project.Recommendations[i]
		if rec.Location == pa.location && rec.Recommender == pa.recommender && rec.ID == id {
			return r.sim.recommendationPB(pa.project, rec), nil
		}
	}
	return nil, status.Errorf(codes.NotFound, "Recommendation %s not found.", req.GetName())
}

// recommendationPB renders a recommendation as the API does: names carry
// the project number, the primary impact carries the cost projection.
func (s *Sim) recommendationPB(p *Project, r *Recommendation) *recommenderpb.Recommendation {
	now := s.now()
	refreshed := now.Add(-6 * time.Hour).UTC().Truncate(time.Second)
	if !r.LastRefresh.IsZero() {
		refreshed = r.LastRefresh.At(now)
	}
	impact := &recommenderpb.Impact{Category: recommenderpb.Impact_Category(recommenderpb.Impact_Category_value[r.Category])}
	if r.Cost != "" {
		cost, _ := decimal.NewFromString(r.Cost) // validated by Load
		d, _ := ParseDuration(r.Duration)
		impact.Projection = &recommenderpb.Impact_CostProjection{CostProjection: &recommenderpb.CostProjection{
			Cost: Money(cost, r.Currency), Duration: durationpb.New(d), CostInLocalCurrency: Money(cost, r.Currency),
		}}
	}
	desc := r.Description
	if desc == "" {
		desc = fmt.Sprintf("%s: %s", strings.ReplaceAll(strings.ToLower(r.Subtype), "_", " "), r.Target[strings.LastIndex(r.Target, "/")+1:])
	}
	h := sha256.Sum256([]byte(r.ID + r.State + r.Cost))
	out := &recommenderpb.Recommendation{
		Name:               fmt.Sprintf("projects/%s/locations/%s/recommenders/%s/recommendations/%s", p.Number, r.Location, r.Recommender, r.ID),
		Description:        desc,
		RecommenderSubtype: r.Subtype,
		LastRefreshTime:    timestamppb.New(refreshed),
		PrimaryImpact:      impact,
		Priority:           recommenderpb.Recommendation_Priority(recommenderpb.Recommendation_Priority_value[r.Priority]),
		Content:            &recommenderpb.RecommendationContent{OperationGroups: []*recommenderpb.OperationGroup{{Operations: operations(p, r)}}},
		StateInfo:          &recommenderpb.RecommendationStateInfo{State: recommenderpb.RecommendationStateInfo_State(recommenderpb.RecommendationStateInfo_State_value[r.State])},
		Etag:               fmt.Sprintf("\"%x\"", h[:8]),
		XorGroupId:         r.XorGroupID,
	}
	if r.OmitStateInfo {
		out.StateInfo = nil
	}
	if !r.OmitTargetResources {
		out.TargetResources = []string{r.Target}
		out.Content.Overview, _ = structpb.NewStruct(map[string]any{"resourceName": r.Target, "resource": r.Target})
	}
	return out
}

// operations are the recommendation's operations. SNAPSHOT_AND_DELETE_DISK
// has Google's two: "add" a snapshot of the disk (a placeholder
// $snapshot-name in the global snapshots collection), then "remove" the
// disk, as in the captured idle-disk recommendations of Google's Recommender
// fixtures; other subtypes have one operation on the target.
func operations(p *Project, r *Recommendation) []*recommenderpb.Operation {
	target := &recommenderpb.Operation{Action: operationAction(r.Subtype), ResourceType: r.ResourceType, Resource: r.Target, Path: "/"}
	if r.Subtype != "SNAPSHOT_AND_DELETE_DISK" {
		return []*recommenderpb.Operation{target}
	}
	src := strings.TrimPrefix(r.Target, "//compute.googleapis.com/")
	value, _ := structpb.NewValue(map[string]any{"name": "$snapshot-name", "source_disk": src, "storage_locations": []any{regionOf(r.Location)}})
	return []*recommenderpb.Operation{
		{Action: "add", ResourceType: "compute.googleapis.com/Snapshot", Path: "/",
			Resource:  "//compute.googleapis.com/projects/" + p.ID + "/global/snapshots/$snapshot-name",
			PathValue: &recommenderpb.Operation_Value{Value: value}},
		target,
	}
}

// regionOf is the region of a zone, or the location itself.
func regionOf(loc string) string {
	if KindOf(loc) == Zone {
		return loc[:strings.LastIndex(loc, "-")]
	}
	return loc
}

func operationAction(subtype string) string {
	switch {
	case strings.Contains(subtype, "DELETE"), strings.Contains(subtype, "STOP"):
		return "remove"
	case strings.Contains(subtype, "CHANGE"):
		return "replace"
	}
	return "test"
}

// parseFilter supports the documented filter fields stateInfo.state,
// recommenderSubtype and priority, as terms "field = VALUE" joined by OR
// (possibly in parentheses) and AND, e.g.
// "stateInfo.state = ACTIVE AND (priority = P1 OR priority = P2)".
func parseFilter(f string) (func(*Recommendation) bool, error) {
	f = strings.TrimSpace(f)
	if f == "" {
		return func(*Recommendation) bool { return true }, nil
	}
	type term struct{ field, value string }
	var clauses [][]term
	for _, c := range strings.Split(f, " AND ") {
		c = strings.TrimSpace(c)
		c = strings.TrimSuffix(strings.TrimPrefix(c, "("), ")")
		var alts []term
		for _, t := range strings.Split(c, " OR ") {
			field, value, ok := strings.Cut(t, "=")
			field, value = strings.TrimSpace(field), strings.Trim(strings.TrimSpace(value), `"`)
			if !ok || value == "" {
				return nil, status.Errorf(codes.InvalidArgument, "Invalid filter %q: term %q is not field = value.", f, strings.TrimSpace(t))
			}
			switch field {
			case "stateInfo.state", "state_info.state", "recommenderSubtype", "recommender_subtype", "priority":
			default:
				return nil, status.Errorf(codes.InvalidArgument, "Invalid filter %q: unsupported field %q.", f, field)
			}
			alts = append(alts, term{field, value})
		}
		clauses = append(clauses, alts)
	}
	return func(r *Recommendation) bool {
		for _, alts := range clauses {
			ok := false
			for _, t := range alts {
				switch t.field {
				case "stateInfo.state", "state_info.state":
					ok = ok || r.State == t.value
				case "recommenderSubtype", "recommender_subtype":
					ok = ok || r.Subtype == t.value
				case "priority":
					ok = ok || r.Priority == t.value
				}
			}
			if !ok {
				return false
			}
		}
		return true
	}, nil
}
