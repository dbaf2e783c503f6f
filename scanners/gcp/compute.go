package gcp

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	gax "github.com/googleapis/gax-go/v2"
	"github.com/googleapis/gax-go/v2/apierror"
	compute "google.golang.org/api/compute/v1"
	"google.golang.org/api/googleapi"
	"google.golang.org/api/option"
	"google.golang.org/api/option/internaloption"
	htransport "google.golang.org/api/transport/http"

	"github.com/ghostaudit/ghostaudit/scanners"
)

// Kinds of the Compute Engine resources listed directly (compute/v1 REST).
const (
	// KindDisk is one persistent disk, zonal or regional.
	KindDisk = "gcp.compute.disk"
	// KindAddress is one reserved IP address, regional or global.
	KindAddress = "gcp.compute.address"
	// KindInstance is one VM instance.
	KindInstance = "gcp.compute.instance"
)

// Attribute keys of gcp.compute.disk and gcp.compute.address resources.
// Absent keys mean the API gave no value. Timestamps are RFC 3339 UTC.
//
// gcp.compute.disk: zone (zonal disks), region, type, size_gb, users,
// status, last_attach, last_detach, user_names, resource_name,
// billing_account.
// Resource.Region is the zone (or the region of a regional disk),
// Resource.State the status, Resource.Created the creationTimestamp,
// Resource.Tags the labels, Resource.ID the numeric disk id.
//
// gcp.compute.address: region ("global" for a global address), status,
// address_type, address, users, user_names, network_tier, purpose,
// resource_name, billing_account. Resource.Region is the region or "global".
//
// gcp.compute.instance: zone, region, status, machine_type, last_start,
// last_stop, last_suspended, disks, nat_ips, resource_name,
// billing_account. Resource.Region is the zone, Resource.State the status
// (RUNNING; TERMINATED is a stopped VM), Resource.Created the
// creationTimestamp, Resource.Tags the labels.
const (
	AttrZone         = "zone"          // us-central1-a; zonal disks only
	AttrRegion       = "region"        // us-central1, or "global" for a global address
	AttrDiskType     = "type"          // pd-standard, pd-balanced, pd-ssd, pd-extreme, hyperdisk-*, ...
	AttrSizeGB       = "size_gb"       // provisioned size in GB (GiB in practice), integer
	AttrUsers        = "users"         // number of instances the disk is attached to / resources using the address
	AttrStatus       = "status"        // disk: READY, CREATING, ...; address: RESERVED (unused), RESERVING, IN_USE
	AttrLastAttach   = "last_attach"   // lastAttachTimestamp
	AttrLastDetach   = "last_detach"   // lastDetachTimestamp
	AttrAddressType  = "address_type"  // EXTERNAL or INTERNAL
	AttrAddress      = "address"       // the IP address
	AttrNetworkTier  = "network_tier"  // PREMIUM or STANDARD (external addresses)
	AttrPurpose      = "purpose"       // GCE_ENDPOINT, VPC_PEERING, ... when set
	AttrResourceName = "resource_name" // //compute.googleapis.com/projects/p/zones/z/disks/d, as Recommender targets name it
	// AttrUserNames are the users (disk: instances; address: instances,
	// forwarding rules, ...) as full resource names, comma-separated.
	AttrUserNames     = "user_names"
	AttrMachineType   = "machine_type"   // e2-medium (the machineType URL's last segment)
	AttrLastStart     = "last_start"     // lastStartTimestamp
	AttrLastStop      = "last_stop"      // lastStopTimestamp
	AttrLastSuspended = "last_suspended" // lastSuspendedTimestamp
	// AttrDisks are an instance's attached disks (disks[].source) as full
	// resource names, comma-separated.
	AttrDisks = "disks"
	// AttrNatIPs are an instance's external IPs (networkInterfaces[].accessConfigs[].natIP), comma-separated.
	AttrNatIPs = "nat_ips"
)

// computeBasePath is Compute Engine's REST base URL.
const computeBasePath = "https://compute.googleapis.com/compute/v1/"

// computeMethods are the Compute Engine REST methods the scanner sends,
// with the IAM permission each needs (roles/compute.viewer holds them).
var computeMethods = map[string]string{
	"compute.disks.aggregatedList":     "compute.disks.list",
	"compute.addresses.aggregatedList": "compute.addresses.list",
	"compute.globalAddresses.list":     "compute.globalAddresses.list",
	"compute.instances.aggregatedList": "compute.instances.list",
}

// readOnlyTransport is the REST client's read-only guard: it refuses any
// request that is not a GET (or HEAD) before it is sent. Every Compute
// Engine method that changes something is a POST, PUT, PATCH or DELETE.
type readOnlyTransport struct{ base http.RoundTripper }

// RoundTrip implements http.RoundTripper.
func (t readOnlyTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		if r.Body != nil {
			_ = r.Body.Close()
		}
		return nil, fmt.Errorf("gcp: %s %s: %w", r.Method, r.URL.Path, scanners.ErrReadOnly)
	}
	return t.base.RoundTrip(r)
}

// computeEndpoint turns an endpoint override into a REST base URL. A
// host:port (the form --gcp-endpoint and the gRPC clients take) becomes
// https://host:port/compute/v1/, or http:// when plaintext is set or the
// host is loopback. A URL keeps its path, but a loopback https URL is
// reached over http: the client library turns a host:port override meant
// for gRPC (gcpsim.Server.ClientOptions) into https://host:port/compute/v1/,
// and loopback endpoints are simulators, which speak plaintext. Traffic to
// a loopback address never leaves the machine.
func computeEndpoint(endpoint string, plaintext bool) string {
	if endpoint == "" {
		return computeBasePath
	}
	if !strings.Contains(endpoint, "://") {
		endpoint = "https://" + endpoint + "/compute/v1/"
	}
	u, err := url.Parse(endpoint)
	if err != nil {
		return endpoint
	}
	host := u.Hostname()
	if ip := net.ParseIP(host); plaintext || host == "localhost" || (ip != nil && ip.IsLoopback()) {
		u.Scheme = "http"
	}
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
	}
	return u.String()
}

// newCompute builds the Compute Engine REST client behind the read-only
// transport. It uses the same credentials, endpoint and programmatic
// options as the gRPC clients (minus the gRPC-only ones), then
// ComputeClientOptions.
func (s *Scanner) newCompute(ctx context.Context) (*compute.Service, error) {
	opts := []option.ClientOption{
		option.WithUserAgent("ghostaudit"),
		option.WithScopes(compute.ComputeReadonlyScope),
		internaloption.WithDefaultEndpoint(computeBasePath),
	}
	if s.opts.Endpoint != "" {
		opts = append(opts, option.WithEndpoint(computeEndpoint(s.opts.Endpoint, s.opts.Plaintext)))
	}
	if s.opts.Plaintext {
		opts = append(opts, option.WithoutAuthentication())
	}
	if s.opts.QuotaProject != "" {
		opts = append(opts, option.WithQuotaProject(s.opts.QuotaProject))
	}
	if s.opts.Impersonate != "" {
		o, err := impersonated(ctx, s.opts.Impersonate)
		if err != nil {
			return nil, err
		}
		opts = append(opts, o)
	}
	opts = append(opts, s.opts.ClientOptions...)
	opts = append(opts, s.opts.ComputeClientOptions...)
	hc, endpoint, err := htransport.NewClient(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("gcp: %w: %s (%v)", scanners.ErrNoCredentials, noCredentialsHelp, err)
	}
	base := hc.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	guarded := &http.Client{Transport: readOnlyTransport{base: base}, Timeout: hc.Timeout, Jar: hc.Jar, CheckRedirect: hc.CheckRedirect}
	svc, err := compute.NewService(ctx, option.WithHTTPClient(guarded), option.WithEndpoint(computeEndpoint(endpoint, s.opts.Plaintext)))
	if err != nil {
		return nil, fmt.Errorf("gcp: compute client: %w", err)
	}
	return svc, nil
}

// scopeSet is what a project's aggregated lists tell about where it can
// have recommendations: every region the lists name (Google returns a key
// per scope, with a NO_RESULTS_ON_PAGE warning for the empty ones), and the
// zones that hold a disk (every VM has a boot disk in its zone, or a
// regional one replicated there, so a zone without a disk has no VM and no
// zonal disk to recommend about).
type scopeSet struct {
	regions, zones map[string]bool
	// zonesKnown is false when the disk list failed: the zones are unknown.
	zonesKnown bool
	// regionsKnown is false when both lists failed.
	regionsKnown bool
	// failure is the gap of the failed list, when one failed.
	failure *scanners.Gap
}

func newScopeSet() *scopeSet {
	return &scopeSet{regions: map[string]bool{}, zones: map[string]bool{}}
}

// add records an aggregated-list scope key (zones/Z, regions/R, global);
// held says the scope holds a resource.
func (ss *scopeSet) add(scope string, held bool) {
	kind, loc, _ := strings.Cut(scope, "/")
	loc = lastSegment(loc)
	switch kind {
	case "zones":
		if kindOf(loc) == Zone {
			ss.regions[loc[:strings.LastIndex(loc, "-")]] = true
			if held {
				ss.zones[loc] = true
			}
		}
	case "regions":
		if kindOf(loc) == Region {
			ss.regions[loc] = true
		}
	}
}

// computeInventory lists the disks, addresses and instances of every project with
// bounded concurrency, and returns what the lists tell about each
// project's zones and regions.
func (s *Scanner) computeInventory(ctx context.Context, c *clients, projects []project, sink scanners.Sink) map[string]*scopeSet {
	var (
		wg  sync.WaitGroup
		mu  sync.Mutex
		out = map[string]*scopeSet{}
	)
	sem := make(chan struct{}, s.opts.Concurrency)
	for _, p := range projects {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			wg.Wait()
			return out
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			ss := s.computeProject(ctx, c.compute, p, sink)
			mu.Lock()
			out[p.id] = ss
			mu.Unlock()
		}()
	}
	wg.Wait()
	return out
}

// computeProject lists one project. A failed list becomes a gap of the
// project and operation; when the API is not enabled (or the credentials
// are refused) the other lists are not tried.
func (s *Scanner) computeProject(ctx context.Context, svc *compute.Service, p project, sink scanners.Sink) *scopeSet {
	now := s.env.Now().UTC()
	ss := newScopeSet()
	lists := []struct {
		op  string
		run func() error
	}{
		{"compute.disks.aggregatedList", func() error { return s.listDisks(ctx, svc, p, now, sink, ss) }},
		{"compute.addresses.aggregatedList", func() error { return s.listAddresses(ctx, svc, p, now, sink, ss) }},
		{"compute.instances.aggregatedList", func() error { return s.listInstances(ctx, svc, p, now, sink, ss) }},
	}
	for i, l := range lists {
		err := l.run()
		if err == nil {
			switch i {
			case 0:
				ss.zonesKnown = true
				ss.regionsKnown = true
			case 1:
				ss.regionsKnown = true
			}
			continue
		}
		if ctx.Err() != nil {
			continue
		}
		var op string
		if ce, ok := err.(*computeError); ok {
			op, err = ce.op, ce.err
		} else {
			op = l.op
		}
		g := gapFor(p.id, "", op, "project "+p.id+" compute", err)
		var ge *googleapi.Error
		if i == 2 && ss.zonesKnown && errors.As(err, &ge) && (ge.Code == http.StatusNotFound || ge.Code == http.StatusNotImplemented) {
			// The disk list of the same project answered, so the project
			// exists: this endpoint does not serve the instances list
			// (an older proxy or emulator). Nothing is denied or broken;
			// only the stopped-VM checks lack their input.
			g.Reason = scanners.ReasonUnsupported
			g.Message = fmt.Sprintf("the endpoint does not serve instances.aggregatedList (HTTP %d): VM states are unknown, so disks and addresses on stopped VMs are not examined", ge.Code)
		}
		s.gap(sink, g, err)
		if ss.failure == nil {
			ss.failure = &g
		}
		if g.Reason == scanners.ReasonUnsupported || g.Reason == scanners.ReasonNoCredentials {
			// The lists not tried are gaps too: a rule that needs them
			// (the instances, for disks on stopped VMs) must know.
			for _, rest := range lists[i+1:] {
				g := g
				g.Operation = rest.op
				g.Message = "not listed: " + g.Message
				sink.Gap(g)
			}
			return ss
		}
	}
	return ss
}

// computeError tells which operation of a composite list failed.
type computeError struct {
	op  string
	err error
}

func (e *computeError) Error() string { return e.op + ": " + e.err.Error() }
func (e *computeError) Unwrap() error { return e.err }

// retryREST calls fn until it succeeds, fails for good, or the attempts
// run out; rate-limit answers (429, or Compute Engine's documented 403
// rateLimitExceeded) and 5xx answers are retried with jittered backoff.
func (s *Scanner) retryREST(ctx context.Context, fn func() error) error {
	bo := gax.Backoff{Initial: min(200*time.Millisecond, s.maxBackoff()), Max: s.maxBackoff(), Multiplier: 2}
	for attempt := 1; ; attempt++ {
		err := fn()
		if err == nil || attempt >= s.opts.MaxAttempts || ctx.Err() != nil {
			return err
		}
		var ge *googleapi.Error
		if !errors.As(err, &ge) || (!rateLimited(ge) && ge.Code < 500) {
			return err
		}
		if err := gax.Sleep(ctx, bo.Pause()); err != nil {
			return err
		}
	}
}

func (s *Scanner) maxBackoff() time.Duration {
	if s.opts.MaxBackoff > 0 {
		return s.opts.MaxBackoff
	}
	return 20 * time.Second
}

// harmlessWarnings are the Compute Engine warning codes that do not mean
// results are missing (compute/v1 discovery document, warning.code enum):
// an empty scope, or remarks about resources and operations. Every other
// code (UNREACHABLE "A given scope cannot be reached", PARTIAL_SUCCESS
// "some results may be missing due to errors", LIST_OVERHEAD_QUOTA_EXCEED
// "Resource can't be retrieved", NOT_CRITICAL_ERROR, and any code not in
// the enum) becomes a coverage gap.
var harmlessWarnings = map[string]bool{
	"NO_RESULTS_ON_PAGE": true, "CLEANUP_FAILED": true, "DEPRECATED_RESOURCE_USED": true, "DEPRECATED_TYPE_USED": true,
	"DISK_SIZE_LARGER_THAN_IMAGE_SIZE": true, "EXPERIMENTAL_TYPE_USED": true, "EXTERNAL_API_WARNING": true,
	"FIELD_VALUE_OVERRIDEN": true, "INJECTED_KERNELS_DEPRECATED": true, "INVALID_HEALTH_CHECK_FOR_DYNAMIC_WIEGHTED_LB": true,
	"LARGE_DEPLOYMENT_WARNING": true, "MISSING_TYPE_DEPENDENCY": true, "NEXT_HOP_ADDRESS_NOT_ASSIGNED": true,
	"NEXT_HOP_CANNOT_IP_FORWARD": true, "NEXT_HOP_INSTANCE_HAS_NO_IPV6_INTERFACE": true, "NEXT_HOP_INSTANCE_NOT_FOUND": true,
	"NEXT_HOP_INSTANCE_NOT_ON_NETWORK": true, "NEXT_HOP_NOT_RUNNING": true, "QUOTA_INFO_UNAVAILABLE": true,
	"REQUIRED_TOS_AGREEMENT": true, "RESOURCE_IN_USE_BY_OTHER_RESOURCE_WARNING": true, "RESOURCE_NOT_DELETED": true,
	"SCHEMA_VALIDATION_IGNORED": true, "SINGLE_INSTANCE_PROPERTY_TEMPLATE": true, "UNDECLARED_PROPERTIES": true,
}

// scopeWarning records an aggregated list's warning for a scope (or for
// the whole list when scope is "") as a gap unless it is harmless.
func (s *Scanner) scopeWarning(sink scanners.Sink, p project, op, scope, code, msg string) {
	if code == "" || harmlessWarnings[code] {
		return
	}
	loc := scope[strings.LastIndex(scope, "/")+1:]
	where := "project " + p.id + " compute"
	if scope != "" {
		where += " " + scope
	}
	s.gap(sink, scanners.Gap{Scanner: "gcp", Account: p.id, Region: loc, Scope: where,
		Operation: op, Reason: scanners.ReasonError, Message: code + ": " + msg}, errors.New(msg))
}

// unreachable records the scopes an aggregated list could not reach
// ("unreachables": "[Output Only] Unreachable resources.") as gaps: their
// resources are missing from the list. They are still asked for
// recommendations (the Recommender is another service).
func (s *Scanner) unreachable(sink scanners.Sink, p project, op string, scopes []string, ss *scopeSet) {
	for _, sc := range scopes {
		sc = strings.TrimPrefix(sc, "projects/"+p.id+"/")
		ss.add(sc, true)
		s.scopeWarning(sink, p, op, sc, "UNREACHABLE", "the list could not reach this scope; its resources are missing")
	}
}

// listPage is what eachPage needs of one page of a Compute list: the next
// page's token, the list-level warning and the unreachable scopes.
type listPage struct {
	next                  string
	warnCode, warnMessage string
	unreachables          []string
}

// eachPage reads every page of one Compute list of project p: fetch sends
// the request for a page token (retried as retryREST retries) and handles
// the page's items; the list-level warning and the unreachable scopes of
// each page become gaps of op. The unreachable scopes are added to ss
// when it is not nil (the list names the project's locations).
func (s *Scanner) eachPage(ctx context.Context, sink scanners.Sink, p project, op string, ss *scopeSet, fetch func(token string) (listPage, error)) error {
	token := ""
	for {
		var pg listPage
		err := s.retryREST(ctx, func() error {
			var err error
			pg, err = fetch(token)
			return err
		})
		if err != nil {
			return err
		}
		if pg.warnCode != "" {
			s.scopeWarning(sink, p, op, "", pg.warnCode, pg.warnMessage)
		}
		if ss != nil {
			s.unreachable(sink, p, op, pg.unreachables, ss)
		} else {
			for _, sc := range pg.unreachables {
				sc = strings.TrimPrefix(sc, "projects/"+p.id+"/")
				s.scopeWarning(sink, p, op, sc, "UNREACHABLE", "the list could not reach this scope; its resources are missing")
			}
		}
		if pg.next == "" {
			return nil
		}
		token = pg.next
	}
}

func (s *Scanner) listDisks(ctx context.Context, svc *compute.Service, p project, now time.Time, sink scanners.Sink, ss *scopeSet) error {
	const op = "compute.disks.aggregatedList"
	return s.eachPage(ctx, sink, p, op, ss, func(token string) (listPage, error) {
		call := svc.Disks.AggregatedList(p.id).MaxResults(int64(s.opts.PageSize)).Context(ctx)
		if token != "" {
			call = call.PageToken(token)
		}
		resp, err := call.Do()
		if err != nil {
			return listPage{}, err
		}
		for _, scope := range sortedKeys(resp.Items) {
			l := resp.Items[scope]
			if l.Warning != nil {
				s.scopeWarning(sink, p, op, scope, l.Warning.Code, l.Warning.Message)
			}
			ss.add(scope, len(l.Disks) > 0)
			for _, d := range l.Disks {
				for _, z := range d.ReplicaZones {
					ss.add("zones/"+lastSegment(z), true)
				}
				sink.Resource(diskResource(p, d, now))
			}
		}
		pg := listPage{next: resp.NextPageToken, unreachables: resp.Unreachables}
		if w := resp.Warning; w != nil {
			pg.warnCode, pg.warnMessage = w.Code, w.Message
		}
		return pg, nil
	})
}

// listAddresses lists the aggregated (regional) addresses, then the
// global ones; an address seen twice (aggregated lists may include the
// global scope) is emitted once.
func (s *Scanner) listAddresses(ctx context.Context, svc *compute.Service, p project, now time.Time, sink scanners.Sink, ss *scopeSet) error {
	seen := map[string]bool{}
	emit := func(a *compute.Address) {
		key := a.SelfLink
		if key == "" {
			key = strconv.FormatUint(a.Id, 10) + "/" + a.Name
		}
		if !seen[key] {
			seen[key] = true
			sink.Resource(addressResource(p, a, now))
		}
	}
	const op = "compute.addresses.aggregatedList"
	err := s.eachPage(ctx, sink, p, op, ss, func(token string) (listPage, error) {
		call := svc.Addresses.AggregatedList(p.id).MaxResults(int64(s.opts.PageSize)).Context(ctx)
		if token != "" {
			call = call.PageToken(token)
		}
		resp, err := call.Do()
		if err != nil {
			return listPage{}, err
		}
		for _, scope := range sortedKeys(resp.Items) {
			l := resp.Items[scope]
			if l.Warning != nil {
				s.scopeWarning(sink, p, op, scope, l.Warning.Code, l.Warning.Message)
			}
			ss.add(scope, len(l.Addresses) > 0)
			for _, a := range l.Addresses {
				emit(a)
			}
		}
		pg := listPage{next: resp.NextPageToken, unreachables: resp.Unreachables}
		if w := resp.Warning; w != nil {
			pg.warnCode, pg.warnMessage = w.Code, w.Message
		}
		return pg, nil
	})
	if err != nil {
		return &computeError{op, err}
	}
	err = s.eachPage(ctx, sink, p, "compute.globalAddresses.list", nil, func(token string) (listPage, error) {
		call := svc.GlobalAddresses.List(p.id).MaxResults(int64(s.opts.PageSize)).Context(ctx)
		if token != "" {
			call = call.PageToken(token)
		}
		resp, err := call.Do()
		if err != nil {
			return listPage{}, err
		}
		for _, a := range resp.Items {
			emit(a)
		}
		return listPage{next: resp.NextPageToken}, nil
	})
	if err != nil {
		return &computeError{"compute.globalAddresses.list", err}
	}
	return nil
}

// listInstances lists the project's VM instances (instances are zonal:
// the list's keys are zones/<zone>). Its zones are not added to the scope
// set: every VM has a boot disk in its zone (or a regional one replicated
// there), which the disk list already names; its unreachable zones are
// gaps of this list only (the disk list reports its own).
func (s *Scanner) listInstances(ctx context.Context, svc *compute.Service, p project, now time.Time, sink scanners.Sink, ss *scopeSet) error {
	const op = "compute.instances.aggregatedList"
	err := s.eachPage(ctx, sink, p, op, nil, func(token string) (listPage, error) {
		call := svc.Instances.AggregatedList(p.id).MaxResults(int64(s.opts.PageSize)).Context(ctx)
		if token != "" {
			call = call.PageToken(token)
		}
		resp, err := call.Do()
		if err != nil {
			return listPage{}, err
		}
		for _, scope := range sortedKeys(resp.Items) {
			l := resp.Items[scope]
			if l.Warning != nil {
				s.scopeWarning(sink, p, op, scope, l.Warning.Code, l.Warning.Message)
			}
			for _, in := range l.Instances {
				sink.Resource(instanceResource(p, in, now))
			}
		}
		pg := listPage{next: resp.NextPageToken, unreachables: resp.Unreachables}
		if w := resp.Warning; w != nil {
			pg.warnCode, pg.warnMessage = w.Code, w.Message
		}
		return pg, nil
	})
	if err != nil {
		return &computeError{op, err}
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// lastSegment returns what follows the last slash of a URL or path.
func lastSegment(u string) string { return u[strings.LastIndex(u, "/")+1:] }

// rfc3339 normalises a Compute Engine timestamp to RFC 3339 UTC; "" when
// it is empty or unparsable.
func rfc3339(ts string) (string, *time.Time) {
	if ts == "" {
		return "", nil
	}
	t, err := time.Parse(time.RFC3339Nano, ts)
	if err != nil {
		return "", nil
	}
	t = t.UTC()
	return t.Format(time.RFC3339), &t
}

// fullName turns a self link into the //compute.googleapis.com/ form.
func fullName(selfLink string) string {
	i := strings.Index(selfLink, "/projects/")
	if i < 0 {
		return ""
	}
	return "//compute.googleapis.com" + selfLink[i:]
}

func idOf(id uint64, name string) string {
	if id == 0 {
		return name
	}
	return strconv.FormatUint(id, 10)
}

func diskResource(p project, d *compute.Disk, now time.Time) scanners.Resource {
	zone, region := lastSegment(d.Zone), lastSegment(d.Region)
	loc := region
	if zone != "" {
		loc = zone
		if i := strings.LastIndex(zone, "-"); i > 0 {
			region = zone[:i]
		}
	}
	attrs := map[string]string{
		AttrZone:           zone,
		AttrRegion:         region,
		AttrDiskType:       lastSegment(d.Type),
		AttrSizeGB:         strconv.FormatInt(d.SizeGb, 10),
		AttrUsers:          strconv.Itoa(len(d.Users)),
		AttrUserNames:      fullNames(d.Users),
		AttrStatus:         d.Status,
		AttrResourceName:   fullName(d.SelfLink),
		AttrBillingAccount: p.billingAccount,
	}
	attrs[AttrLastAttach], _ = rfc3339(d.LastAttachTimestamp)
	attrs[AttrLastDetach], _ = rfc3339(d.LastDetachTimestamp)
	_, created := rfc3339(d.CreationTimestamp)
	return scanners.Resource{
		Provider: "gcp", Account: p.id, Region: loc, Kind: KindDisk, ID: idOf(d.Id, d.Name), Name: d.Name,
		Tags: labels(d.Labels), State: d.Status, Created: created, Attributes: nonEmpty(attrs), ObservedAt: now,
	}
}

// fullNames turns self links into full resource names, comma-separated;
// a link that names no project is kept as it is.
func fullNames(links []string) string {
	out := make([]string, 0, len(links))
	for _, l := range links {
		if n := fullName(l); n != "" {
			l = n
		}
		out = append(out, l)
	}
	return strings.Join(out, ",")
}

func instanceResource(p project, in *compute.Instance, now time.Time) scanners.Resource {
	zone := lastSegment(in.Zone)
	region := zone
	if i := strings.LastIndex(zone, "-"); i > 0 {
		region = zone[:i]
	}
	var disks, ips []string
	for _, d := range in.Disks {
		if d.Source != "" {
			disks = append(disks, d.Source)
		}
	}
	for _, nic := range in.NetworkInterfaces {
		for _, ac := range nic.AccessConfigs {
			if ac.NatIP != "" {
				ips = append(ips, ac.NatIP)
			}
		}
	}
	attrs := map[string]string{
		AttrZone:           zone,
		AttrRegion:         region,
		AttrStatus:         in.Status,
		AttrMachineType:    lastSegment(in.MachineType),
		AttrDisks:          fullNames(disks),
		AttrNatIPs:         strings.Join(ips, ","),
		AttrResourceName:   fullName(in.SelfLink),
		AttrBillingAccount: p.billingAccount,
	}
	attrs[AttrLastStart], _ = rfc3339(in.LastStartTimestamp)
	attrs[AttrLastStop], _ = rfc3339(in.LastStopTimestamp)
	attrs[AttrLastSuspended], _ = rfc3339(in.LastSuspendedTimestamp)
	if attrs[AttrResourceName] == "" && zone != "" {
		attrs[AttrResourceName] = "//compute.googleapis.com/projects/" + p.id + "/zones/" + zone + "/instances/" + in.Name
	}
	_, created := rfc3339(in.CreationTimestamp)
	return scanners.Resource{
		Provider: "gcp", Account: p.id, Region: zone, Kind: KindInstance, ID: idOf(in.Id, in.Name), Name: in.Name,
		Tags: labels(in.Labels), State: in.Status, Created: created, Attributes: nonEmpty(attrs), ObservedAt: now,
	}
}

func addressResource(p project, a *compute.Address, now time.Time) scanners.Resource {
	region := lastSegment(a.Region)
	if region == "" {
		region = "global"
	}
	attrs := map[string]string{
		AttrRegion:         region,
		AttrStatus:         a.Status,
		AttrAddressType:    a.AddressType,
		AttrAddress:        a.Address,
		AttrUsers:          strconv.Itoa(len(a.Users)),
		AttrUserNames:      fullNames(a.Users),
		AttrNetworkTier:    a.NetworkTier,
		AttrPurpose:        a.Purpose,
		AttrResourceName:   fullName(a.SelfLink),
		AttrBillingAccount: p.billingAccount,
	}
	if attrs[AttrAddressType] == "" || attrs[AttrAddressType] == "UNSPECIFIED_TYPE" {
		// "If unspecified, defaults to EXTERNAL" (compute/v1 Address.addressType).
		attrs[AttrAddressType] = "EXTERNAL"
	}
	_, created := rfc3339(a.CreationTimestamp)
	return scanners.Resource{
		Provider: "gcp", Account: p.id, Region: region, Kind: KindAddress, ID: idOf(a.Id, a.Name), Name: a.Name,
		Tags: labels(a.Labels), State: a.Status, Created: created, Attributes: nonEmpty(attrs), ObservedAt: now,
	}
}

func labels(m map[string]string) map[string]string {
	if len(m) == 0 {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func nonEmpty(m map[string]string) map[string]string {
	for k, v := range m {
		if v == "" {
			delete(m, k)
		}
	}
	return m
}

// rateLimited reports whether a REST error is an exceeded rate quota:
// HTTP 429, or the 403 with reason rateLimitExceeded (or
// userRateLimitExceeded) that Compute Engine answers ("If your project
// exceeds a rate quota, you receive a 403 error with the reason
// rateLimitExceeded", Compute Engine rate quotas).
func rateLimited(ge *googleapi.Error) bool {
	if ge.Code == http.StatusTooManyRequests {
		return true
	}
	if ge.Code == http.StatusForbidden {
		for _, e := range ge.Errors {
			if e.Reason == "rateLimitExceeded" || e.Reason == "userRateLimitExceeded" {
				return true
			}
		}
	}
	return false
}

// restReason classifies a Compute Engine REST error into a Gap reason.
// 403 with reason accessNotConfigured (or ErrorInfo SERVICE_DISABLED)
// means compute.googleapis.com is not enabled in the project.
func restReason(ge *googleapi.Error) string {
	if rateLimited(ge) {
		return scanners.ReasonThrottled
	}
	switch ge.Code {
	case http.StatusForbidden:
		for _, e := range ge.Errors {
			if e.Reason == "accessNotConfigured" || e.Reason == "SERVICE_DISABLED" {
				return scanners.ReasonUnsupported
			}
		}
		var ae *apierror.APIError
		if errors.As(ge, &ae) && ae.Reason() == "SERVICE_DISABLED" {
			return scanners.ReasonUnsupported
		}
		if strings.Contains(ge.Message, "has not been used in project") {
			return scanners.ReasonUnsupported
		}
		return scanners.ReasonDenied
	case http.StatusUnauthorized:
		return scanners.ReasonNoCredentials
	}
	return scanners.ReasonError
}

// restMessage is the gap text of a REST error: "HTTP 403 forbidden: Required ...".
func restMessage(ge *googleapi.Error) string {
	msg := fmt.Sprintf("HTTP %d", ge.Code)
	if len(ge.Errors) > 0 && ge.Errors[0].Reason != "" {
		msg += " " + ge.Errors[0].Reason
	}
	text := ge.Message
	if text == "" {
		text = strings.TrimSpace(ge.Body)
	}
	if len(text) > 500 {
		text = text[:500] + "…"
	}
	return msg + ": " + text
}
