package m365

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	msgraphcore "github.com/microsoftgraph/msgraph-sdk-go-core"
	"github.com/microsoftgraph/msgraph-sdk-go/groups"
	"github.com/microsoftgraph/msgraph-sdk-go/models"
	"github.com/microsoftgraph/msgraph-sdk-go/users"

	"github.com/ghostaudit/ghostaudit/scanners"
)

// maxSignInPage is Graph's $top limit while signInActivity is selected.
const maxSignInPage = 120

var userFields = []string{"id", "userPrincipalName", "accountEnabled", "userType", "createdDateTime", "assignedLicenses", "licenseAssignmentStates"}

// users lists every user with one pass over GET /users and emits a seat
// per assigned licence. It asks for signInActivity first; when Graph
// refuses it (403: no Entra ID P1/P2 in the tenant, or no
// AuditLog.Read.All), that is a gap and the pass is repeated without it.
//
// Seat fields: SKU is the skuPartNumber (the skuId when the SKU list was
// not readable), SKUName the product name, UserID the object id,
// Principal the UPN, LastActivity lastSuccessfulSignInDateTime, else the
// later of lastSignInDateTime and lastNonInteractiveSignInDateTime when
// that is before 2023-12-01 (a year-1 value is "never"); when it is later,
// those were failed attempts (lastSuccessfulSignInDateTime is recorded
// since then) and LastActivity is 2023-12-01 (nil for an account created
// since) — unless no user of the tenant has a lastSuccessfulSignInDateTime
// at all (a service that does not record it), when the attempt times stand
// in as before. AssignmentSource "direct" when any working (Active or
// ActiveWithError) assignment is direct, else "group:<id>" of the first
// working group by id. A licence whose every assignment path is in Error
// or Disabled is no seat.
//
// Seat attributes:
//
//	sku_id, sku_part_number            the licence's SKU
//	assignment_direct                  "true"/"false"
//	assignment_groups                  group ids assigning it (working paths), comma-separated, sorted (absent when none)
//	assignment_errors                  paths in Error or Disabled state, "direct|group:<id>:<state>[:<error>]", sorted
//	assignment_group_names             their display names in the same order, "; "-separated (an id when unknown)
//	assignment_group_name              display name of the AssignmentSource group (absent when direct or unknown)
//	assignment_state, assignment_error licenseAssignmentStates state and error (error absent when None)
//	disabled_plan_ids                  service plans disabled in this assignment, sorted (absent when none)
//	sign_in                            available | unavailable (403) ; the times below only when available
//	last_successful_sign_in, last_sign_in, last_non_interactive_sign_in   RFC 3339
//	last_activity_source               lastSuccessfulSignInDateTime | lastSignInDateTime | lastNonInteractiveSignInDateTime |
//	                                   noSuccessfulSignInSince2023-12-01 | none
//	usage_report                       matched | no-row | concealed | unavailable | disabled
//	usage_report_period                the report's period (D7, D30, D90, D180) when the user's row was matched
//	usage_report_date                  the report's refresh date (matched only)
//	usage_<service>_last_activity      YYYY-MM-DD per service: exchange, onedrive, sharepoint,
//	                                   skype_for_business, yammer, teams (matched, when active)
//	usage_last_activity                the latest of those
func (s *Scanner) users(ctx context.Context, g *graph, skus map[string]sku, usage usageResult, sink scanners.Sink) error {
	top := min(s.opts.PageSize, maxSignInPage)
	err := s.listUsers(ctx, g, append(userFields, "signInActivity"), top, skus, usage, true, sink)
	if err == nil {
		return nil
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	ge, reason := classify(err)
	if reason != scanners.ReasonDenied {
		return s.gap(ctx, sink, g.tenant, "users", "GET /users", err)
	}
	msg := ge.String()
	if ge.code == codeNonPremium {
		msg += " (signInActivity needs Entra ID P1 or P2 in the tenant)"
	} else {
		msg += " (signInActivity needs AuditLog.Read.All; see docs/permissions/m365.md)"
	}
	if err := s.listUsers(ctx, g, userFields, s.opts.PageSize, skus, usage, false, sink); err != nil {
		// Users are not readable at all: one gap for that, not a
		// misleading one about sign-in activity.
		return s.gap(ctx, sink, g.tenant, "users", "GET /users", err)
	}
	s.env.Logger.Warn("sign-in activity unavailable; users listed without it", "tenant", g.tenant, "err", msg)
	sink.Gap(scanners.Gap{Scanner: Info.Name, Account: g.tenant, Scope: "tenant " + g.tenant + " sign-in activity",
		Operation: "users.signInActivity", Reason: scanners.ReasonDenied,
		Message: msg + "; seats carry no last sign-in, inactivity rules fall back to usage reports"})
	return nil
}

// listUsers pages through GET /users. Seats are emitted only once every
// page was read, so a pass that fails half-way (and is retried without
// signInActivity) never emits a seat twice.
func (s *Scanner) listUsers(ctx context.Context, g *graph, fields []string, top int, skus map[string]sku, usage usageResult, signIn bool, sink scanners.Sink) error {
	t := int32(top)
	res, err := g.client.Users().Get(ctx, &users.UsersRequestBuilderGetRequestConfiguration{
		QueryParameters: &users.UsersRequestBuilderGetQueryParameters{Select: fields, Top: &t},
	})
	if err != nil {
		return err
	}
	it, err := msgraphcore.NewPageIterator[models.Userable](res, g.client.GetAdapter(), models.CreateUserCollectionResponseFromDiscriminatorValue)
	if err != nil {
		return fmt.Errorf("users page iterator: %w", err)
	}
	var seats []scanners.Seat
	now := s.env.Now().UTC()
	err = it.Iterate(ctx, func(u models.Userable) bool {
		seats = append(seats, s.seats(g.tenant, u, skus, usage, signIn, now)...)
		return true
	})
	if err != nil {
		return err
	}
	attemptsWhereNoSuccessRecorded(seats)
	if err := s.nameGroups(ctx, g, seats, sink); err != nil {
		return err
	}
	for _, st := range seats {
		sink.Seat(st)
	}
	return nil
}

// nameGroups reads the display name of each licensing group the seats
// name (GET /groups/{id}?$select=id,displayName), so the recommended
// action can say which group to leave (issue 5, saas.md §1.g). A failure
// is one gap for the tenant; the seats then keep the group ids only. Only
// a cancelled context is returned.
func (s *Scanner) nameGroups(ctx context.Context, g *graph, seats []scanners.Seat, sink scanners.Sink) error {
	names := map[string]string{}
	for _, st := range seats {
		for _, id := range strings.Split(st.Attributes["assignment_groups"], ",") {
			if id != "" {
				names[id] = ""
			}
		}
	}
	ids := make([]string, 0, len(names))
	for id := range names {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		res, err := g.client.Groups().ByGroupId(id).Get(ctx, &groups.GroupItemRequestBuilderGetRequestConfiguration{
			QueryParameters: &groups.GroupItemRequestBuilderGetQueryParameters{Select: []string{"id", "displayName"}},
		})
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if ge, _ := classify(err); ge.status == http.StatusNotFound {
				continue // deleted since: the id is all there is
			}
			// Denied (GroupMember.Read.All missing) or failing: stop asking.
			return s.gap(ctx, sink, g.tenant, "groups", "GET /groups/{id} (licensing group names; actions name group ids instead)", err)
		}
		names[id] = deref(res.GetDisplayName())
	}
	for i := range seats {
		var named []string
		for _, id := range strings.Split(seats[i].Attributes["assignment_groups"], ",") {
			if n := names[id]; n != "" {
				named = append(named, n)
			} else if id != "" {
				named = append(named, id)
			}
		}
		if len(named) > 0 {
			seats[i].Attributes["assignment_group_names"] = strings.Join(named, "; ")
		}
		if id, ok := strings.CutPrefix(seats[i].AssignmentSource, "group:"); ok && names[id] != "" {
			seats[i].Attributes["assignment_group_name"] = names[id]
		}
	}
	return nil
}

func (s *Scanner) seats(tenant string, u models.Userable, skus map[string]sku, usage usageResult, signIn bool, now time.Time) []scanners.Seat {
	base := scanners.Seat{
		Provider: Info.Name, Tenant: tenant, UserID: deref(u.GetId()), Principal: deref(u.GetUserPrincipalName()),
		AccountEnabled: u.GetAccountEnabled(), UserType: deref(u.GetUserType()), Created: utc(u.GetCreatedDateTime()), ObservedAt: now,
	}
	common := map[string]string{}
	if signIn {
		common["sign_in"] = "available"
		common["last_activity_source"] = "none"
		if a := u.GetSignInActivity(); a != nil {
			succ, last, nonInt := signInTime(a.GetLastSuccessfulSignInDateTime()), signInTime(a.GetLastSignInDateTime()), signInTime(a.GetLastNonInteractiveSignInDateTime())
			setTime(common, "last_successful_sign_in", succ)
			setTime(common, "last_sign_in", last)
			setTime(common, "last_non_interactive_sign_in", nonInt)
			// saas.md §1.c: lastSuccessful ?? max(last interactive, last
			// non-interactive); a recent non-interactive sign-in (a client
			// acting for the user) is activity too. The attempt times
			// (successful or not) stand in only for sign-ins before
			// lastSuccessfulSignInDateTime existed.
			attempt, src := last, "lastSignInDateTime"
			if nonInt != nil && (last == nil || nonInt.After(*last)) {
				attempt, src = nonInt, "lastNonInteractiveSignInDateTime"
			}
			switch {
			case succ != nil:
				base.LastActivity, common["last_activity_source"] = succ, "lastSuccessfulSignInDateTime"
			case attempt != nil && !attempt.Before(successfulSignInSince):
				common["last_activity_source"] = sourceNoSuccessSince2023
				if base.Created == nil || !base.Created.After(successfulSignInSince) {
					t := successfulSignInSince
					base.LastActivity = &t
				}
			case attempt != nil:
				base.LastActivity, common["last_activity_source"] = attempt, src
			}
		}
	} else {
		common["sign_in"] = "unavailable"
	}
	common["usage_report"] = usage.status
	if usage.status == "matched" {
		if row, ok := usage.rows[strings.ToLower(base.Principal)]; ok {
			common["usage_report_date"] = row.refresh
			common["usage_report_period"] = s.opts.ReportPeriod
			var latest time.Time
			for _, svc := range usageServices {
				if d, ok := row.last[svc.key]; ok {
					common["usage_"+svc.key+"_last_activity"] = d.Format("2006-01-02")
					if d.After(latest) {
						latest = d
					}
				}
			}
			if !latest.IsZero() {
				common["usage_last_activity"] = latest.Format("2006-01-02")
			}
		} else {
			common["usage_report"] = "no-row"
		}
	}
	// Group the assignment paths by SKU. Only Active and ActiveWithError
	// paths give the user the licence (licenseAssignmentState.state:
	// Active, ActiveWithError, Disabled, Error; a path in Error is an
	// assignment Entra ID could not carry out, e.g. CountViolation when the
	// group's SKU has no seats left): the others are recorded in
	// assignment_errors and never named as where the licence comes from.
	type assignment struct {
		direct       bool
		groups       []string
		failed       []string // "direct:Error:CountViolation", "group:<id>:Disabled"
		state, error string
	}
	states := map[string]*assignment{}
	for _, st := range u.GetLicenseAssignmentStates() {
		if st.GetSkuId() == nil {
			continue
		}
		id := strings.ToLower(st.GetSkuId().String())
		a := states[id]
		if a == nil {
			a = &assignment{}
			states[id] = a
		}
		grp := strings.ToLower(deref(st.GetAssignedByGroup()))
		state, e := deref(st.GetState()), deref(st.GetError())
		if e == "None" {
			e = ""
		}
		if !workingAssignment(state) {
			path := "direct"
			if grp != "" {
				path = "group:" + grp
			}
			a.failed = append(a.failed, strings.TrimSuffix(path+":"+state+":"+e, ":"))
			continue
		}
		if grp != "" {
			a.groups = append(a.groups, grp)
		} else {
			a.direct = true
		}
		if a.state == "" || state != "Active" {
			a.state = state
		}
		if e != "" {
			a.error = e
		}
	}
	var out []scanners.Seat
	for _, l := range u.GetAssignedLicenses() {
		if l.GetSkuId() == nil {
			continue
		}
		id := strings.ToLower(l.GetSkuId().String())
		a := states[id]
		if a != nil && !a.direct && len(a.groups) == 0 && len(a.failed) > 0 {
			// Every path failed: the user does not hold this licence (Graph
			// may or may not list it in assignedLicenses; the docs do not
			// say), so there is no seat to reclaim.
			s.env.Logger.Debug("licence with no working assignment skipped", "tenant", tenant, "user", base.UserID, "sku", id, "paths", strings.Join(a.failed, ","))
			continue
		}
		seat := base
		seat.Attributes = map[string]string{"sku_id": id}
		for k, v := range common {
			seat.Attributes[k] = v
		}
		seat.SKU, seat.SKUName = id, id
		if k, ok := skus[id]; ok {
			seat.SKU, seat.SKUName = k.partNumber, k.name
			seat.Attributes["sku_part_number"] = k.partNumber
		}
		seat.AssignmentSource = "direct"
		seat.Attributes["assignment_direct"] = "true"
		if a != nil {
			sort.Strings(a.groups)
			if !a.direct && len(a.groups) > 0 {
				seat.AssignmentSource = "group:" + a.groups[0]
				seat.Attributes["assignment_direct"] = "false"
			}
			setList(seat.Attributes, "assignment_groups", a.groups)
			setList(seat.Attributes, "assignment_errors", a.failed)
			if a.state != "" {
				seat.Attributes["assignment_state"] = a.state
			}
			if a.error != "" {
				seat.Attributes["assignment_error"] = a.error
			}
		}
		var disabled []string
		for _, p := range l.GetDisabledPlans() {
			disabled = append(disabled, strings.ToLower(p.String()))
		}
		setList(seat.Attributes, "disabled_plan_ids", disabled)
		out = append(out, seat)
	}
	return out
}

// workingAssignment reports whether a licence assignment path in this
// state gives the user the licence: Active or ActiveWithError (a missing
// state is taken as Active).
func workingAssignment(state string) bool {
	return state == "" || strings.EqualFold(state, "Active") || strings.EqualFold(state, "ActiveWithError")
}

// successfulSignInSince is when Graph started recording
// lastSuccessfulSignInDateTime (signInActivity: "Effective December 1,
// 2023 ... The data isn't backfilled for this property").
var successfulSignInSince = time.Date(2023, 12, 1, 0, 0, 0, 0, time.UTC)

// attemptsWhereNoSuccessRecorded undoes the "failed attempts only"
// reading for a tenant in which no user at all has a
// lastSuccessfulSignInDateTime: that is a service that does not record the
// property (an endpoint or a copy of the API older than it), not a tenant
// whose every sign-in since 2023-12-01 failed, so the attempt times stand
// in for sign-ins as they did before the property existed.
func attemptsWhereNoSuccessRecorded(seats []scanners.Seat) {
	for _, st := range seats {
		if st.Attributes["last_successful_sign_in"] != "" {
			return
		}
	}
	for i := range seats {
		a := seats[i].Attributes
		if a["last_activity_source"] != sourceNoSuccessSince2023 {
			continue
		}
		var best *time.Time
		for _, k := range []string{"last_sign_in", "last_non_interactive_sign_in"} {
			if t, err := time.Parse(time.RFC3339, a[k]); err == nil && (best == nil || t.After(*best)) {
				best = &t
				a["last_activity_source"] = map[string]string{"last_sign_in": "lastSignInDateTime", "last_non_interactive_sign_in": "lastNonInteractiveSignInDateTime"}[k]
			}
		}
		seats[i].LastActivity = best
	}
}

// sourceNoSuccessSince2023 is last_activity_source for a user whose
// lastSuccessfulSignInDateTime is null although a sign-in was attempted
// since 2023-12-01: those attempts all failed, so the last successful
// sign-in is 2023-12-01 at the latest (LastActivity), or never for an
// account created since.
const sourceNoSuccessSince2023 = "noSuccessfulSignInSince2023-12-01"

// signInTime drops Graph's "never" values: nil, and year 1 (0001-01-01).
func signInTime(t *time.Time) *time.Time {
	if t == nil || t.Year() <= 1 {
		return nil
	}
	u := t.UTC()
	return &u
}

func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

func setTime(attrs map[string]string, key string, t *time.Time) {
	if t != nil {
		attrs[key] = t.Format(time.RFC3339)
	}
}
