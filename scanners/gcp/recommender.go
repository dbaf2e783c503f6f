package gcp

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"cloud.google.com/go/recommender/apiv1/recommenderpb"
	gax "github.com/googleapis/gax-go/v2"
	"github.com/shopspring/decimal"
	"google.golang.org/api/iterator"
	"google.golang.org/genproto/googleapis/type/money"

	"github.com/ghostaudit/ghostaudit/scanners"
)

// Attribute keys of a gcp.recommender.recommendation resource. Money is a
// decimal string; a month is HoursPerMonth hours.
const (
	AttrRecommender        = "recommender"          // e.g. google.compute.disk.IdleResourceRecommender
	AttrSubtype            = "recommender_subtype"  // e.g. DELETE_DISK, SNAPSHOT_AND_DELETE_DISK, CHANGE_MACHINE_TYPE
	AttrTarget             = "target_resource"      // full resource name, //compute.googleapis.com/projects/p/zones/z/disks/d
	AttrResourceType       = "resource_type"        // e.g. compute.googleapis.com/Disk
	AttrDescription        = "description"          // Google's one-line description
	AttrImpactCategory     = "impact_category"      // COST, PERFORMANCE, ...
	AttrMonthlyCost        = "monthly_cost"         // cost projection per month; negative is a saving, as Google reports it
	AttrMonthlySavings     = "monthly_savings"      // -monthly_cost when that is negative, else 0
	AttrCurrency           = "currency"             // ISO 4217 of the two above
	AttrProjectionCost     = "projection_cost"      // the raw projected cost over projection_seconds
	AttrProjectionSeconds  = "projection_seconds"   // length of the projection (usually 2592000, 30 days)
	AttrPriority           = "priority"             // P1 (highest) .. P4
	AttrRecommendationName = "recommendation_name"  // projects/<number>/locations/<l>/recommenders/<r>/recommendations/<id>
	AttrLastRefresh        = "last_refresh"         // RFC 3339
	AttrBillingAccount     = "billing_account"      // the project's billing account ID
	AttrLocationKind       = "location_kind"        // zone, region or global
	AttrTargetCount        = "target_resources_cnt" // when a recommendation targets more than one resource
	AttrXorGroup           = "xor_group_id"         // alternatives of one recommender share it: apply only one
)

// HoursPerMonth is the month the cost projection is normalised to
// (ghostaudit's convention everywhere: 730 hours, 365 × 24 / 12).
const HoursPerMonth = 730

// LocationKind is the kind of location a recommender is served at.
type LocationKind int

// Location kinds.
const (
	Zone LocationKind = 1 << iota
	Region
	Global
)

type recommenderInfo struct {
	id           string
	locations    LocationKind
	permission   string // IAM permission of ListRecommendations
	resourceType string // the type of the resource its recommendations are about
}

// recommenders are the supported recommenders, where Google serves them
// (Recommender docs, "Recommenders" table) and the permission to list them.
var recommenders = []recommenderInfo{
	{"google.compute.instance.IdleResourceRecommender", Zone, "recommender.computeInstanceIdleResourceRecommendations.list", "compute.googleapis.com/Instance"},
	{"google.compute.instance.MachineTypeRecommender", Zone, "recommender.computeInstanceMachineTypeRecommendations.list", "compute.googleapis.com/Instance"},
	{"google.compute.disk.IdleResourceRecommender", Zone | Region, "recommender.computeDiskIdleResourceRecommendations.list", "compute.googleapis.com/Disk"},
	{"google.compute.address.IdleResourceRecommender", Region | Global, "recommender.computeAddressIdleResourceRecommendations.list", "compute.googleapis.com/Address"},
	{"google.compute.image.IdleResourceRecommender", Global, "recommender.computeImageIdleResourceRecommendations.list", "compute.googleapis.com/Image"},
	{"google.cloudsql.instance.IdleRecommender", Region, "recommender.cloudsqlIdleInstanceRecommendations.list", "sqladmin.googleapis.com/Instance"},
}

// RecommenderIDs returns the supported recommender IDs in table order.
func RecommenderIDs() []string {
	out := make([]string, len(recommenders))
	for i, r := range recommenders {
		out[i] = r.id
	}
	return out
}

func recommenderByID(id string) (recommenderInfo, bool) {
	for _, r := range recommenders {
		if r.id == id {
			return r, true
		}
	}
	return recommenderInfo{}, false
}

// job is one ListRecommendations parent.
type job struct {
	project  project
	rec      recommenderInfo
	location string
}

func (j job) parent() string {
	return fmt.Sprintf("projects/%s/locations/%s/recommenders/%s", j.project.id, j.location, j.rec.id)
}

// failure is a job whose listing failed.
type failure struct {
	job job
	err error
}

// recommendations lists every project × recommender × location with
// bounded concurrency, emitting each recommendation as a resource. The
// locations of a project are the configured ones plus those its Compute
// Engine lists name (scopes; nil when Compute was not listed).
func (s *Scanner) recommendations(ctx context.Context, c *clients, projects []project, scopes map[string]*scopeSet, sink scanners.Sink) {
	configured := expandLocations(s.opts.Locations)
	var jobs []job
	for _, p := range projects {
		locations := configured
		if ss := scopes[p.id]; ss != nil && !s.opts.LocationsOnly {
			locations = projectLocations(configured, ss)
			if g := s.locationsGap(p, ss); g != nil {
				s.gap(sink, *g, errors.New(g.Message))
			}
		}
		for _, id := range dedupe(s.opts.Recommenders) {
			rec, _ := recommenderByID(id) // validated
			for _, l := range locations {
				if rec.locations&kindOf(l) != 0 {
					jobs = append(jobs, job{p, rec, l})
				}
			}
		}
	}
	s.env.Logger.Debug("recommender calls planned", "count", len(jobs), "locations", len(configured))
	filter := stateFilter(s.opts.States)
	retry := gax.WithRetry(newRetryer(s.opts.MaxAttempts, s.opts.MaxBackoff))

	var (
		mu       sync.Mutex
		failures []failure
		wg       sync.WaitGroup
		sem      = make(chan struct{}, s.opts.Concurrency)
	)
	for _, j := range jobs {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			wg.Wait()
			return
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			if err := s.list(ctx, c, j, filter, retry, sink); err != nil && ctx.Err() == nil {
				mu.Lock()
				failures = append(failures, failure{j, err})
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if ctx.Err() != nil {
		return
	}
	for _, g := range collapse(jobs, failures) {
		s.gap(sink, g, errors.New(g.Message))
	}
	if s.env.Progress != nil {
		for _, p := range projects {
			s.env.Progress.Step("gcp", p.id)
		}
	}
}

// projectLocations are the configured locations plus the regions a
// project's Compute lists name and the zones that hold a disk, sorted.
func projectLocations(configured []string, ss *scopeSet) []string {
	set := map[string]bool{}
	for _, l := range configured {
		set[l] = true
	}
	for l := range ss.regions {
		set[l] = true
	}
	for l := range ss.zones {
		set[l] = true
	}
	out := make([]string, 0, len(set))
	for l := range set {
		out = append(out, l)
	}
	sort.Strings(out)
	return out
}

// locationsGap is the gap of the locations that could not be asked
// because the Compute lists that name them failed: the zones (and, when
// both lists failed, the regions) outside the configured locations.
func (s *Scanner) locationsGap(p project, ss *scopeSet) *scanners.Gap {
	if ss.zonesKnown || ss.failure == nil {
		return nil
	}
	what := "zones"
	if !ss.regionsKnown {
		what = "zones and regions"
	}
	g := *ss.failure
	g.Region = ""
	g.Operation = "recommender.ListRecommendations"
	g.Scope = "project " + p.id + " recommender locations"
	g.Message = fmt.Sprintf("recommendations in %s outside the configured locations (%s) were not asked: the project's %s come from the Compute Engine lists, which failed (%s)",
		what, strings.Join(dedupe(s.opts.Locations), ", "), what, ss.failure.Message)
	return &g
}

// list pages through one parent's recommendations.
func (s *Scanner) list(ctx context.Context, c *clients, j job, filter string, retry gax.CallOption, sink scanners.Sink) error {
	it := c.recommender.ListRecommendations(ctx, &recommenderpb.ListRecommendationsRequest{
		Parent: j.parent(), Filter: filter, PageSize: int32(s.opts.PageSize),
	}, retry)
	now := s.env.Now().UTC()
	for {
		r, err := it.Next()
		if errors.Is(err, iterator.Done) {
			return nil
		}
		if err != nil {
			return err
		}
		sink.Resource(toResource(j, r, now))
	}
}

// collapse turns failures into gaps: one per project when every call for
// it failed for the same reason (a missing role, the API not enabled), one
// per project × recommender when every location failed alike, and one per
// location otherwise.
func collapse(jobs []job, failures []failure) []scanners.Gap {
	type key struct{ project, rec string }
	perProject, perRec := map[string]int{}, map[key]int{}
	for _, j := range jobs {
		perProject[j.project.id]++
		perRec[key{j.project.id, j.rec.id}]++
	}
	byProject := map[string][]failure{}
	for _, f := range failures {
		byProject[f.job.project.id] = append(byProject[f.job.project.id], f)
	}
	sameReason := func(fs []failure) bool {
		for _, f := range fs[1:] {
			if reason(f.err) != reason(fs[0].err) {
				return false
			}
		}
		return true
	}
	var gaps []scanners.Gap
	for pid, fs := range byProject {
		sort.Slice(fs, func(a, b int) bool { return fs[a].job.parent() < fs[b].job.parent() })
		if len(fs) == perProject[pid] && sameReason(fs) {
			g := gapFor(pid, "", "recommender.ListRecommendations", "project "+pid, fs[0].err)
			g.Message += fmt.Sprintf(" (every one of %d recommender × location calls failed alike; first: %s)", len(fs), fs[0].job.parent())
			gaps = append(gaps, g)
			continue
		}
		byRec := map[string][]failure{}
		for _, f := range fs {
			byRec[f.job.rec.id] = append(byRec[f.job.rec.id], f)
		}
		for rid, rfs := range byRec {
			if len(rfs) == perRec[key{pid, rid}] && len(rfs) > 1 && sameReason(rfs) {
				g := gapFor(pid, "", "recommender.ListRecommendations", "project "+pid+" recommender "+rid, rfs[0].err)
				g.Message += fmt.Sprintf(" (all %d locations failed alike)", len(rfs))
				gaps = append(gaps, g)
				continue
			}
			for _, f := range rfs {
				gaps = append(gaps, gapFor(pid, f.job.location, "recommender.ListRecommendations",
					"project "+pid+" location "+f.job.location+" recommender "+rid, f.err))
			}
		}
	}
	sort.Slice(gaps, func(a, b int) bool { return gaps[a].Key() < gaps[b].Key() })
	return gaps
}

// stateFilter is the ListRecommendations filter for the states, e.g.
// "stateInfo.state = ACTIVE OR stateInfo.state = CLAIMED".
func stateFilter(states []string) string {
	var terms []string
	for _, s := range dedupe(states) {
		terms = append(terms, "stateInfo.state = "+s)
	}
	return strings.Join(terms, " OR ")
}

// toResource renders a recommendation as a resource of its project and location.
func toResource(j job, r *recommenderpb.Recommendation, now time.Time) scanners.Resource {
	name := r.GetName()
	id := name[strings.LastIndex(name, "/")+1:]
	target, resourceType := targetOf(r, j.rec)
	attrs := map[string]string{
		AttrRecommender:        j.rec.id,
		AttrSubtype:            r.GetRecommenderSubtype(),
		AttrDescription:        r.GetDescription(),
		AttrPriority:           strings.TrimPrefix(r.GetPriority().String(), "PRIORITY_"),
		AttrRecommendationName: name,
		AttrBillingAccount:     j.project.billingAccount,
		AttrLocationKind:       kindName(kindOf(j.location)),
	}
	if target != "" {
		attrs[AttrTarget] = target
	}
	if n := len(r.GetTargetResources()); n > 1 {
		attrs[AttrTargetCount] = fmt.Sprint(n)
	}
	if x := r.GetXorGroupId(); x != "" {
		attrs[AttrXorGroup] = x
	}
	if resourceType != "" {
		attrs[AttrResourceType] = resourceType
	}
	if t := r.GetLastRefreshTime(); t != nil {
		attrs[AttrLastRefresh] = t.AsTime().UTC().Format(time.RFC3339)
	}
	if imp := r.GetPrimaryImpact(); imp != nil {
		attrs[AttrImpactCategory] = imp.GetCategory().String()
		if cp := imp.GetCostProjection(); cp != nil && cp.GetCost() != nil {
			monthly, secs := MonthlyCost(cp)
			attrs[AttrProjectionCost] = MoneyDecimal(cp.GetCost()).String()
			attrs[AttrProjectionSeconds] = secs.String()
			attrs[AttrMonthlyCost] = monthly.String()
			attrs[AttrMonthlySavings] = decimal.Max(monthly.Neg(), decimal.Zero).String()
			attrs[AttrCurrency] = cp.GetCost().GetCurrencyCode()
		}
	}
	for k, v := range attrs {
		if v == "" {
			delete(attrs, k)
		}
	}
	return scanners.Resource{
		Provider:   "gcp",
		Account:    j.project.id,
		Region:     j.location,
		Kind:       KindRecommendation,
		ID:         id,
		Name:       target[strings.LastIndex(target, "/")+1:],
		State:      stateOf(r),
		Attributes: attrs,
		ObservedAt: now,
	}
}

// stateOf is the recommendation's state, "" when the answer has no
// stateInfo (STATE_UNSPECIFIED: "Default state. Don't use directly."):
// the server returned it for a filter on the configured states, so it is
// not dropped as if it were DISMISSED.
func stateOf(r *recommenderpb.Recommendation) string {
	if st := r.GetStateInfo().GetState(); st != recommenderpb.RecommendationStateInfo_STATE_UNSPECIFIED {
		return st.String()
	}
	return ""
}

// targetOf returns the resource a recommendation is about and its type:
// the first target resource; else the operation on the recommender's own
// resource type (compute.googleapis.com/Disk for idle disks); else the
// overview's resourceName; else the first operation that is not an "add"
// or a "test". Operations are not all about the target: Google's
// SNAPSHOT_AND_DELETE_DISK recommendation first adds a snapshot
// (action "add", resourceType compute.googleapis.com/Snapshot, a
// placeholder $snapshot-name), then removes the disk, and it may carry no
// targetResources and no overview.
func targetOf(r *recommenderpb.Recommendation, rec recommenderInfo) (target, resourceType string) {
	var ops []*recommenderpb.Operation
	for _, g := range r.GetContent().GetOperationGroups() {
		for _, op := range g.GetOperations() {
			if op.GetResource() != "" && op.GetAction() != "add" && op.GetAction() != "test" {
				ops = append(ops, op)
			}
		}
	}
	typeOf := func(res string) string {
		for _, op := range ops {
			if op.GetResource() == res {
				return op.GetResourceType()
			}
		}
		return rec.resourceType
	}
	if t := r.GetTargetResources(); len(t) > 0 && t[0] != "" {
		return t[0], typeOf(t[0])
	}
	for _, op := range ops {
		if rec.resourceType != "" && op.GetResourceType() == rec.resourceType {
			return op.GetResource(), op.GetResourceType()
		}
	}
	if ov := r.GetContent().GetOverview().GetFields(); ov != nil {
		if v := ov["resourceName"].GetStringValue(); v != "" {
			return v, typeOf(v)
		}
	}
	if len(ops) > 0 {
		return ops[0].GetResource(), ops[0].GetResourceType()
	}
	return "", ""
}

// MoneyDecimal converts google.type.Money to a decimal: units + nanos/1e9.
func MoneyDecimal(m *money.Money) decimal.Decimal {
	return decimal.NewFromInt(m.GetUnits()).Add(decimal.New(int64(m.GetNanos()), -9))
}

// defaultProjection is the projection length assumed when the API gives
// none: Google's cost projections cover 30 days.
const defaultProjection = 30 * 24 * time.Hour

// MonthlyCost normalises a cost projection to one month of HoursPerMonth
// hours: cost × 730h / duration, rounded to 6 decimal places. A negative
// result is a saving. It also returns the projection length in seconds
// that was used (30 days when the API gave none).
func MonthlyCost(cp *recommenderpb.CostProjection) (monthly, seconds decimal.Decimal) {
	d := cp.GetDuration().AsDuration()
	if cp.GetDuration() == nil || d <= 0 {
		d = defaultProjection
	}
	seconds = decimal.New(d.Nanoseconds(), -9)
	month := decimal.NewFromInt(HoursPerMonth * 3600)
	return MoneyDecimal(cp.GetCost()).Mul(month).DivRound(seconds, 6), seconds
}
