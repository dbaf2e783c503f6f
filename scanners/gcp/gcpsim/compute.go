package gcpsim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	compute "google.golang.org/api/compute/v1"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// ComputeURL is the base of the self links and user URLs the simulator
// writes, as Compute Engine does.
const ComputeURL = "https://www.googleapis.com/compute/v1/"

// Aggregated lists: "maxResults ... Acceptable values are 0 to 500,
// inclusive. (Default: 500)".
const computePage = 500

// simRegions are the regions (and zones) every aggregated list reports,
// with a NO_RESULTS_ON_PAGE warning when the estate has nothing there, as
// Compute Engine reports every scope of the scope types where the resource
// type is found (compute/v1 discovery document, includeAllScopes):
// Google's 42 public regions of the Compute Engine "Regions and zones"
// page; regions and zones named in the estate are added.
var simRegions = map[string][]string{
	"africa-south1": {"a", "b", "c"}, "asia-east1": {"a", "b", "c"}, "asia-east2": {"a", "b", "c"},
	"asia-northeast1": {"a", "b", "c"}, "asia-northeast2": {"a", "b", "c"}, "asia-northeast3": {"a", "b", "c"},
	"asia-south1": {"a", "b", "c"}, "asia-south2": {"a", "b", "c"}, "asia-southeast1": {"a", "b", "c"},
	"asia-southeast2": {"a", "b", "c"}, "australia-southeast1": {"a", "b", "c"}, "australia-southeast2": {"a", "b", "c"},
	"europe-central2": {"a", "b", "c"}, "europe-north1": {"a", "b", "c"}, "europe-north2": {"a", "b", "c"},
	"europe-southwest1": {"a", "b", "c"}, "europe-west1": {"b", "c", "d"}, "europe-west2": {"a", "b", "c"},
	"europe-west3": {"a", "b", "c"}, "europe-west4": {"a", "b", "c"}, "europe-west6": {"a", "b", "c"},
	"europe-west8": {"a", "b", "c"}, "europe-west9": {"a", "b", "c"}, "europe-west10": {"a", "b", "c"},
	"europe-west12": {"a", "b", "c"}, "me-central1": {"a", "b", "c"}, "me-central2": {"a", "b", "c"},
	"me-west1": {"a", "b", "c"}, "northamerica-northeast1": {"a", "b", "c"}, "northamerica-northeast2": {"a", "b", "c"},
	"northamerica-south1": {"a", "b", "c"}, "southamerica-east1": {"a", "b", "c"}, "southamerica-west1": {"a", "b", "c"},
	"us-central1": {"a", "b", "c", "f"}, "us-east1": {"b", "c", "d"}, "us-east4": {"a", "b", "c"},
	"us-east5": {"a", "b", "c"}, "us-south1": {"a", "b", "c"}, "us-west1": {"a", "b", "c"},
	"us-west2": {"a", "b", "c"}, "us-west3": {"a", "b", "c"}, "us-west4": {"a", "b", "c"},
}

// ComputeHandler serves the read-only part of the Compute Engine REST API
// the scanner uses, under /compute/v1/:
//
//	GET projects/{p}/aggregated/disks       compute.disks.aggregatedList
//	GET projects/{p}/aggregated/addresses   compute.addresses.aggregatedList (global addresses under "global")
//	GET projects/{p}/global/addresses       compute.globalAddresses.list
//	GET projects/{p}/aggregated/instances   compute.instances.aggregatedList (every zone, no region)
//
// with maxResults/pageToken/nextPageToken paging, NO_RESULTS_ON_PAGE
// warnings for empty scopes (every zone and region of simRegions),
// "unreachables" for the project's unreachable fault, and Google's JSON
// error bodies. Every
// request, answered or not, is recorded in Requests (Service "Compute").
// The project's faults apply: deny → 403 forbidden, compute_disabled →
// 403 accessNotConfigured, throttle → 403 rateLimitExceeded (domain
// usageLimits: "If your project exceeds a rate quota, you receive a 403
// error with the reason rateLimitExceeded", Compute Engine rate quotas),
// unavailable → 503 backendError, latency.
func (s *Sim) ComputeHandler() http.Handler {
	return http.HandlerFunc(s.serveCompute)
}

// computeError is the JSON error body of Google REST APIs.
type computeError struct {
	Error struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
		Errors  []struct {
			Message      string `json:"message"`
			Domain       string `json:"domain"`
			Reason       string `json:"reason"`
			ExtendedHelp string `json:"extendedHelp,omitempty"`
		} `json:"errors"`
		Status  string `json:"status,omitempty"`
		Details []any  `json:"details,omitempty"`
	} `json:"error"`
}

func writeComputeError(w http.ResponseWriter, code int, reason, domain, msg, statusName string, details ...any) {
	var e computeError
	e.Error.Code, e.Error.Message, e.Error.Status, e.Error.Details = code, msg, statusName, details
	e.Error.Errors = append(e.Error.Errors, struct {
		Message      string `json:"message"`
		Domain       string `json:"domain"`
		Reason       string `json:"reason"`
		ExtendedHelp string `json:"extendedHelp,omitempty"`
	}{Message: msg, Domain: domain, Reason: reason})
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(e)
}

var httpCodes = map[int]codes.Code{
	http.StatusOK: codes.OK, http.StatusBadRequest: codes.InvalidArgument, http.StatusForbidden: codes.PermissionDenied,
	http.StatusNotFound: codes.NotFound, http.StatusMethodNotAllowed: codes.Unimplemented,
	http.StatusTooManyRequests: codes.ResourceExhausted, http.StatusServiceUnavailable: codes.Unavailable,
}

type statusRecorder struct {
	http.ResponseWriter
	code int
}

func (r *statusRecorder) WriteHeader(code int) {
	if r.code == 0 {
		r.code = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.code == 0 {
		r.code = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

func (s *Sim) serveCompute(w http.ResponseWriter, r *http.Request) {
	rest, _ := strings.CutPrefix(r.URL.Path, "/compute/v1/")
	parts := strings.Split(rest, "/")
	method, resource := "", ""
	if len(parts) == 4 && parts[0] == "projects" {
		resource = "projects/" + parts[1]
		switch parts[2] + "/" + parts[3] {
		case "aggregated/disks":
			method = "compute.disks.aggregatedList"
		case "aggregated/addresses":
			method = "compute.addresses.aggregatedList"
		case "global/addresses":
			method = "compute.globalAddresses.list"
		case "aggregated/instances":
			method = "compute.instances.aggregatedList"
		}
	}
	rec := &statusRecorder{ResponseWriter: w}
	defer func() {
		code, ok := httpCodes[rec.code]
		if !ok {
			code = codes.Unknown
		}
		name := method
		if name == "" {
			name = r.Method + " " + r.URL.Path
		}
		s.mu.Lock()
		s.requests = append(s.requests, Request{Service: "Compute", Method: name, Resource: resource, Code: code, HTTPStatus: rec.code})
		s.mu.Unlock()
	}()
	switch {
	case method == "" || !strings.HasPrefix(r.URL.Path, "/compute/v1/") || s.notServed[method]:
		writeComputeError(rec, http.StatusNotFound, "notFound", "global", "The requested URL "+r.URL.Path+" was not found on this server.", "NOT_FOUND")
		return
	case r.Method != http.MethodGet:
		writeComputeError(rec, http.StatusMethodNotAllowed, "methodNotAllowed", "global", "The simulator serves only GET "+r.URL.Path+".", "")
		return
	}
	if err := s.inject(r.Context(), "Compute", method, resource); err != nil {
		s.computeFault(rec, method, resource, err)
		return
	}
	p := s.projects[parts[1]]
	if p == nil || p.ID != parts[1] {
		// Compute Engine names projects by id; an unknown one is a 404.
		writeComputeError(rec, http.StatusNotFound, "notFound", "global", fmt.Sprintf("The resource 'projects/%s' was not found", parts[1]), "NOT_FOUND")
		return
	}
	q := r.URL.Query()
	size := 0
	if v := q.Get("maxResults"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > computePage {
			writeComputeError(rec, http.StatusBadRequest, "invalid", "global",
				fmt.Sprintf("Invalid value for field 'maxResults': '%s'. Must be in the range [0, 500].", v), "INVALID_ARGUMENT")
			return
		}
		size = n
	}
	var body any
	var err error
	now := s.now()
	switch method {
	case "compute.disks.aggregatedList":
		body, err = s.diskList(p, size, q.Get("pageToken"), now)
	case "compute.addresses.aggregatedList":
		body, err = s.addressList(p, size, q.Get("pageToken"), now, true)
	case "compute.globalAddresses.list":
		body, err = s.addressList(p, size, q.Get("pageToken"), now, false)
	case "compute.instances.aggregatedList":
		body, err = s.instanceList(p, size, q.Get("pageToken"), now)
	}
	if err != nil {
		writeComputeError(rec, http.StatusBadRequest, "invalid", "global", "Invalid value for field 'pageToken': '"+q.Get("pageToken")+"'. Supplied page token is not valid.", "INVALID_ARGUMENT")
		return
	}
	rec.Header().Set("Content-Type", "application/json; charset=UTF-8")
	rec.WriteHeader(http.StatusOK)
	_ = json.NewEncoder(rec).Encode(body)
}

// computeFault writes an injected fault as Compute Engine answers it.
func (s *Sim) computeFault(w http.ResponseWriter, method, resource string, err error) {
	st, _ := status.FromError(err)
	switch st.Code() {
	case codes.PermissionDenied:
		if errorInfoReason(st) == "SERVICE_DISABLED" {
			number := "0"
			if _, _, p := s.scopes(resource); p != nil {
				number = p.Number
			}
			msg := fmt.Sprintf("Compute Engine API has not been used in project %s before or it is disabled. Enable it by visiting "+
				"https://console.developers.google.com/apis/api/compute.googleapis.com/overview?project=%s then retry. "+
				"If you enabled this API recently, wait a few minutes for the action to propagate to our systems and retry.", number, number)
			writeComputeError(w, http.StatusForbidden, "accessNotConfigured", "usageLimits", msg, "PERMISSION_DENIED", map[string]any{
				"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "SERVICE_DISABLED", "domain": "googleapis.com",
				"metadata": map[string]string{"consumer": "projects/" + number, "service": "compute.googleapis.com"},
			})
			return
		}
		writeComputeError(w, http.StatusForbidden, "forbidden", "global",
			fmt.Sprintf("Required '%s' permission for '%s'", Permission(method, resource), resource), "")
	case codes.ResourceExhausted:
		// Compute Engine answers an exceeded rate quota with 403, not 429.
		writeComputeError(w, http.StatusForbidden, "rateLimitExceeded", "usageLimits", st.Message(), "PERMISSION_DENIED")
	case codes.Unavailable:
		writeComputeError(w, http.StatusServiceUnavailable, "backendError", "global", st.Message(), "UNAVAILABLE")
	default: // the caller went away
		writeComputeError(w, http.StatusServiceUnavailable, "backendError", "global", st.Message(), "UNAVAILABLE")
	}
}

func errorInfoReason(st *status.Status) string {
	for _, d := range st.Details() {
		if info, ok := d.(interface{ GetReason() string }); ok {
			return info.GetReason()
		}
	}
	return ""
}

// unreachable returns the project's unreachable scope keys (faults
// unreachable), sorted, and a set of them.
func unreachable(p *Project) ([]string, map[string]bool) {
	set := map[string]bool{}
	var out []string
	for _, l := range p.Faults.Unreachable {
		sc := "regions/" + l
		if KindOf(l) == Zone {
			sc = "zones/" + l
		}
		if !set[sc] {
			set[sc] = true
			out = append(out, sc)
		}
	}
	sort.Strings(out)
	return out, set
}

// scopesOf returns the sorted scope keys of an aggregated list: the
// simulated regions (and their zones with zones=true), those the estate
// names, and "global" when asked.
func scopesOf(zones, global bool, extra []string) []string {
	return scopeKeys(true, zones, global, extra)
}

// scopeKeys is scopesOf with the regions optional: instances are zonal
// only, so their aggregated list has no region key.
func scopeKeys(regions, zones, global bool, extra []string) []string {
	set := map[string]bool{}
	for r, zs := range simRegions {
		if regions {
			set["regions/"+r] = true
		}
		if zones {
			for _, z := range zs {
				set["zones/"+r+"-"+z] = true
			}
		}
	}
	for _, e := range extra {
		set[e] = true
	}
	if global {
		set["global"] = true
	}
	out := make([]string, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func noResults(scope string) *compute.DisksScopedListWarning {
	return &compute.DisksScopedListWarning{
		Code:    "NO_RESULTS_ON_PAGE",
		Message: fmt.Sprintf("There are no results for scope '%s' on this page.", scope),
		Data:    []*compute.DisksScopedListWarningData{{Key: "scope", Value: scope}},
	}
}

func ts(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000-07:00") }

func (s *Sim) diskList(p *Project, size int, token string, now time.Time) (*compute.DiskAggregatedList, error) {
	type entry struct {
		scope string
		d     *Disk
	}
	var all []entry
	var extra []string
	unreach, gone := unreachable(p)
	for i := range p.Disks {
		d := &p.Disks[i]
		scope := "zones/" + d.Zone
		if d.Region != "" {
			scope = "regions/" + d.Region
		}
		if gone[scope] {
			continue
		}
		all = append(all, entry{scope, d})
		extra = append(extra, scope)
	}
	sort.SliceStable(all, func(a, b int) bool {
		if all[a].scope != all[b].scope {
			return all[a].scope < all[b].scope
		}
		return all[a].d.Name < all[b].d.Name
	})
	start, end, next, err := page(len(all), size, computePage, computePage, token, "disks:"+p.ID)
	if err != nil {
		return nil, err
	}
	out := &compute.DiskAggregatedList{
		Kind: "compute#diskAggregatedList", Id: "projects/" + p.ID + "/aggregated/disks",
		SelfLink: ComputeURL + "projects/" + p.ID + "/aggregated/disks", NextPageToken: next,
		Items: map[string]compute.DisksScopedList{}, Unreachables: unreach,
	}
	for _, e := range all[start:end] {
		l := out.Items[e.scope]
		l.Disks = append(l.Disks, diskJSON(p, e.d, now))
		out.Items[e.scope] = l
	}
	for _, sc := range scopesOf(true, false, extra) {
		if _, ok := out.Items[sc]; !ok && !gone[sc] {
			out.Items[sc] = compute.DisksScopedList{Warning: noResults(sc)}
		}
	}
	return out, nil
}

func diskJSON(p *Project, d *Disk, now time.Time) *compute.Disk {
	loc, typeLoc := "zones/"+d.Zone, "zones/"+d.Zone
	if d.Region != "" {
		loc, typeLoc = "regions/"+d.Region, "regions/"+d.Region
	}
	created := now.Add(-90 * 24 * time.Hour)
	if !d.Created.IsZero() {
		created = d.Created.At(now)
	}
	out := &compute.Disk{
		Kind: "compute#disk", Id: d.ID, Name: d.Name, SizeGb: d.SizeGB, Status: d.Status,
		CreationTimestamp:      ts(created),
		Type:                   ComputeURL + "projects/" + p.ID + "/" + typeLoc + "/diskTypes/" + d.Type,
		SelfLink:               ComputeURL + "projects/" + p.ID + "/" + loc + "/disks/" + d.Name,
		Users:                  d.Users,
		Labels:                 d.Labels,
		PhysicalBlockSizeBytes: 4096,
	}
	if d.Zone != "" {
		out.Zone = ComputeURL + "projects/" + p.ID + "/zones/" + d.Zone
	} else {
		// A regional disk is replicated in two zones of its region.
		out.Region = ComputeURL + "projects/" + p.ID + "/regions/" + d.Region
		zs := simRegions[d.Region]
		if len(zs) < 2 {
			zs = []string{"a", "b"}
		}
		for _, z := range zs[:2] {
			out.ReplicaZones = append(out.ReplicaZones, ComputeURL+"projects/"+p.ID+"/zones/"+d.Region+"-"+z)
		}
	}
	if !d.LastAttach.IsZero() {
		out.LastAttachTimestamp = ts(d.LastAttach.At(now))
	}
	if !d.LastDetach.IsZero() {
		out.LastDetachTimestamp = ts(d.LastDetach.At(now))
	}
	return out
}

// addressList serves addresses.aggregatedList (aggregated: every region
// and "global") or globalAddresses.list.
func (s *Sim) addressList(p *Project, size int, token string, now time.Time, aggregated bool) (any, error) {
	type entry struct {
		scope string
		a     *Address
	}
	var all []entry
	var extra []string
	zonal, gone := unreachable(p)
	var unreach []string // addresses are regional or global: only regions are unreachable to them
	for _, sc := range zonal {
		if strings.HasPrefix(sc, "regions/") {
			unreach = append(unreach, sc)
		}
	}
	for i := range p.Addresses {
		a := &p.Addresses[i]
		scope := "regions/" + a.Region
		if a.Region == "global" {
			scope = "global"
		} else if !aggregated || gone[scope] {
			continue
		}
		all = append(all, entry{scope, a})
		extra = append(extra, scope)
	}
	sort.SliceStable(all, func(x, y int) bool {
		if all[x].scope != all[y].scope {
			return all[x].scope < all[y].scope
		}
		return all[x].a.Name < all[y].a.Name
	})
	key := "globalAddresses:" + p.ID
	if aggregated {
		key = "addresses:" + p.ID
	}
	start, end, next, err := page(len(all), size, computePage, computePage, token, key)
	if err != nil {
		return nil, err
	}
	if !aggregated {
		out := &compute.AddressList{
			Kind: "compute#addressList", Id: "projects/" + p.ID + "/global/addresses",
			SelfLink: ComputeURL + "projects/" + p.ID + "/global/addresses", NextPageToken: next,
			Items: []*compute.Address{},
		}
		for _, e := range all[start:end] {
			out.Items = append(out.Items, addressJSON(p, e.a, now))
		}
		return out, nil
	}
	out := &compute.AddressAggregatedList{
		Kind: "compute#addressAggregatedList", Id: "projects/" + p.ID + "/aggregated/addresses",
		SelfLink: ComputeURL + "projects/" + p.ID + "/aggregated/addresses", NextPageToken: next,
		Items: map[string]compute.AddressesScopedList{}, Unreachables: unreach,
	}
	for _, e := range all[start:end] {
		l := out.Items[e.scope]
		l.Addresses = append(l.Addresses, addressJSON(p, e.a, now))
		out.Items[e.scope] = l
	}
	for _, sc := range scopesOf(false, true, extra) {
		if _, ok := out.Items[sc]; !ok && !gone[sc] {
			w := noResults(sc)
			out.Items[sc] = compute.AddressesScopedList{Warning: &compute.AddressesScopedListWarning{
				Code: w.Code, Message: w.Message, Data: []*compute.AddressesScopedListWarningData{{Key: "scope", Value: sc}},
			}}
		}
	}
	return out, nil
}

func addressJSON(p *Project, a *Address, now time.Time) *compute.Address {
	created := now.Add(-90 * 24 * time.Hour)
	if !a.Created.IsZero() {
		created = a.Created.At(now)
	}
	loc := "regions/" + a.Region
	if a.Region == "global" {
		loc = "global"
	}
	out := &compute.Address{
		Kind: "compute#address", Id: a.ID, Name: a.Name, Address: a.Address, AddressType: a.AddressType,
		Status: a.Status, Users: a.Users, NetworkTier: a.NetworkTier, Purpose: a.Purpose, Labels: a.Labels,
		CreationTimestamp: ts(created),
		SelfLink:          ComputeURL + "projects/" + p.ID + "/" + loc + "/addresses/" + a.Name,
	}
	if a.Region != "global" {
		out.Region = ComputeURL + "projects/" + p.ID + "/regions/" + a.Region
	}
	return out
}

// instanceList serves instances.aggregatedList: instances are zonal, so
// its keys are zones/<zone> (every simulated zone, with a
// NO_RESULTS_ON_PAGE warning when empty); unreachable zones are named in
// "unreachables" and left out (an unreachable region names regional
// resources only).
func (s *Sim) instanceList(p *Project, size int, token string, now time.Time) (*compute.InstanceAggregatedList, error) {
	var all []*Instance
	var extra []string
	scopes, gone := unreachable(p)
	var unreach []string
	for _, sc := range scopes {
		if strings.HasPrefix(sc, "zones/") {
			unreach = append(unreach, sc)
		}
	}
	hidden := func(zone string) bool {
		return gone["zones/"+zone]
	}
	for i := range p.Instances {
		in := &p.Instances[i]
		if hidden(in.Zone) {
			continue
		}
		all = append(all, in)
		extra = append(extra, "zones/"+in.Zone)
	}
	sort.SliceStable(all, func(a, b int) bool {
		if all[a].Zone != all[b].Zone {
			return all[a].Zone < all[b].Zone
		}
		return all[a].Name < all[b].Name
	})
	start, end, next, err := page(len(all), size, computePage, computePage, token, "instances:"+p.ID)
	if err != nil {
		return nil, err
	}
	out := &compute.InstanceAggregatedList{
		Kind: "compute#instanceAggregatedList", Id: "projects/" + p.ID + "/aggregated/instances",
		SelfLink: ComputeURL + "projects/" + p.ID + "/aggregated/instances", NextPageToken: next,
		Items: map[string]compute.InstancesScopedList{}, Unreachables: unreach,
	}
	for _, in := range all[start:end] {
		sc := "zones/" + in.Zone
		l := out.Items[sc]
		l.Instances = append(l.Instances, instanceJSON(p, in, now))
		out.Items[sc] = l
	}
	for _, sc := range scopeKeys(false, true, false, extra) {
		if _, ok := out.Items[sc]; !ok && !hidden(strings.TrimPrefix(sc, "zones/")) {
			w := noResults(sc)
			out.Items[sc] = compute.InstancesScopedList{Warning: &compute.InstancesScopedListWarning{
				Code: w.Code, Message: w.Message, Data: []*compute.InstancesScopedListWarningData{{Key: "scope", Value: sc}},
			}}
		}
	}
	return out, nil
}

// instanceJSON is an instance as Compute Engine serves it: machineType
// and zone as URLs, RFC 3339 timestamps, its disks (the project's disks
// whose users name it, the first by name as the boot disk) as
// disks[].source URLs, and its external IP as
// networkInterfaces[0].accessConfigs[0].natIP.
func instanceJSON(p *Project, in *Instance, now time.Time) *compute.Instance {
	created := now.Add(-90 * 24 * time.Hour)
	if !in.Created.IsZero() {
		created = in.Created.At(now)
	}
	zoneURL := ComputeURL + "projects/" + p.ID + "/zones/" + in.Zone
	self := InstanceURL(p.ID, in.Zone, in.Name)
	h := derivedID(p.ID, "internal-ip", in.Zone, in.Name)
	nic := &compute.NetworkInterface{
		Kind: "compute#networkInterface", Name: "nic0", StackType: "IPV4_ONLY",
		Network:    ComputeURL + "projects/" + p.ID + "/global/networks/default",
		Subnetwork: ComputeURL + "projects/" + p.ID + "/regions/" + in.Zone[:strings.LastIndex(in.Zone, "-")] + "/subnetworks/default",
		NetworkIP:  fmt.Sprintf("10.%d.%d.%d", byte(h>>16), byte(h>>8), 2+byte(h)%250),
	}
	if in.NatIP != "" {
		nic.AccessConfigs = []*compute.AccessConfig{{Kind: "compute#accessConfig", Type: "ONE_TO_ONE_NAT", Name: "External NAT",
			NatIP: in.NatIP, NetworkTier: "PREMIUM"}}
	}
	out := &compute.Instance{
		Kind: "compute#instance", Id: in.ID, Name: in.Name, Status: in.Status, Zone: zoneURL, SelfLink: self,
		MachineType:       zoneURL + "/machineTypes/" + in.MachineType,
		CreationTimestamp: ts(created),
		NetworkInterfaces: []*compute.NetworkInterface{nic},
		Labels:            in.Labels,
	}
	if !in.LastStart.IsZero() {
		out.LastStartTimestamp = ts(in.LastStart.At(now))
	}
	if !in.LastStop.IsZero() {
		out.LastStopTimestamp = ts(in.LastStop.At(now))
	}
	if !in.LastSuspended.IsZero() {
		out.LastSuspendedTimestamp = ts(in.LastSuspended.At(now))
	}
	var disks []*Disk
	for i := range p.Disks {
		if contains(p.Disks[i].Users, self) {
			disks = append(disks, &p.Disks[i])
		}
	}
	sort.Slice(disks, func(a, b int) bool { return disks[a].Name < disks[b].Name })
	for i, d := range disks {
		loc := "zones/" + d.Zone
		if d.Region != "" {
			loc = "regions/" + d.Region
		}
		out.Disks = append(out.Disks, &compute.AttachedDisk{
			Kind: "compute#attachedDisk", Type: "PERSISTENT", Mode: "READ_WRITE", Interface: "SCSI",
			Boot: i == 0, AutoDelete: i == 0, Index: int64(i), DeviceName: d.Name, DiskSizeGb: d.SizeGB,
			Source: ComputeURL + "projects/" + p.ID + "/" + loc + "/disks/" + d.Name,
		})
	}
	return out
}
