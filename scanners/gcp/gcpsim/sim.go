package gcpsim

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"

	"cloud.google.com/go/billing/apiv1/billingpb"
	"cloud.google.com/go/recommender/apiv1/recommenderpb"
	"google.golang.org/api/option"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
)

// Options configure a Sim.
type Options struct {
	Now    func() time.Time // scan clock for relative estate times; nil = time.Now
	Logger *slog.Logger     // nil = discard
	// NotServed lists Compute methods ("compute.instances.aggregatedList")
	// this endpoint does not serve: they are answered 404 as an unknown
	// URL, as by an older proxy or emulator without that route.
	NotServed []string
}

// Request is one call the simulator served.
type Request struct {
	Service  string     // "CloudBilling", "CloudCatalog", "Recommender" or "Compute" (REST)
	Method   string     // e.g. "ListRecommendations", "compute.disks.aggregatedList"
	Resource string     // the request's name or parent, "" for ListBillingAccounts and ListServices
	Code     codes.Code // status of the answer (for REST, the gRPC code of HTTPStatus)
	// HTTPStatus is the HTTP status of a REST (Compute) answer; 0 for gRPC.
	HTTPStatus int
}

// Sim serves the estate. It is safe for concurrent use.
type Sim struct {
	est *Estate
	now func() time.Time
	log *slog.Logger

	accounts map[string]*BillingAccount // by id
	projects map[string]*Project        // by id and by number
	owner    map[*Project]*BillingAccount

	notServed map[string]bool

	mu       sync.Mutex
	requests []Request
	counts   map[string]int // scope/method -> calls seen, for throttle and unavailable faults
}

// New returns the simulator for est (as returned by Load).
func New(est *Estate, opts Options) *Sim {
	if est == nil {
		est = &Estate{}
	}
	s := &Sim{est: est, now: opts.Now, log: opts.Logger, accounts: map[string]*BillingAccount{},
		projects: map[string]*Project{}, owner: map[*Project]*BillingAccount{}, counts: map[string]int{}}
	if s.now == nil {
		s.now = time.Now
	}
	s.notServed = map[string]bool{}
	for _, m := range opts.NotServed {
		s.notServed[m] = true
	}
	if s.log == nil {
		s.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	for i := range est.BillingAccounts {
		a := &est.BillingAccounts[i]
		s.accounts[a.ID] = a
		for j := range a.Projects {
			p := &a.Projects[j]
			s.projects[p.ID], s.projects[p.Number] = p, p
			s.owner[p] = a
		}
	}
	return s
}

// Register registers the three services on g, and must be paired with
// the UnaryInterceptor on the server (Start does both).
func (s *Sim) Register(g *grpc.Server) {
	billingpb.RegisterCloudBillingServer(g, &billingServer{sim: s})
	billingpb.RegisterCloudCatalogServer(g, &catalogServer{sim: s})
	recommenderpb.RegisterRecommenderServer(g, &recommenderServer{sim: s})
}

// Requests returns every call served so far, in order of completion.
func (s *Sim) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// Server is a running simulator on a loopback port. The one port serves
// gRPC (HTTP/2 with prior knowledge) and the Compute Engine REST API
// (HTTP/1.1 under /compute/v1/): each connection is routed by its first
// bytes.
type Server struct {
	*Sim
	// Addr is host:port, for option.WithEndpoint of the gRPC clients.
	Addr string
	// ComputeURL is the REST base URL of Compute Engine,
	// http://<Addr>/compute/v1/, for option.WithEndpoint of compute.NewService.
	ComputeURL string
	srv        *grpc.Server
	http       *http.Server
	mux        *muxListener
}

// Start serves the estate on 127.0.0.1 at a free port until Stop.
func Start(est *Estate, opts Options) (*Server, error) {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("gcpsim: listen: %w", err)
	}
	sim := New(est, opts)
	g := grpc.NewServer(grpc.ChainUnaryInterceptor(sim.UnaryInterceptor()))
	sim.Register(g)
	m := newMux(lis)
	h := &http.Server{Handler: sim.ComputeHandler(), ReadHeaderTimeout: 10 * time.Second}
	go m.serve()
	go func() { _ = g.Serve(m.grpc) }()
	go func() { _ = h.Serve(m.http) }()
	addr := lis.Addr().String()
	return &Server{Sim: sim, Addr: addr, ComputeURL: "http://" + addr + "/compute/v1/", srv: g, http: h, mux: m}, nil
}

// Stop ends the server and every open connection.
func (s *Server) Stop() {
	_ = s.mux.Close()
	s.srv.Stop()
	_ = s.http.Close()
}

// ComputeClientOptions point google.golang.org/api/compute/v1 at the
// simulator's REST endpoint, without authentication.
func (s *Server) ComputeClientOptions() []option.ClientOption {
	return []option.ClientOption{option.WithEndpoint(s.ComputeURL), option.WithoutAuthentication()}
}

// ClientOptions are the options that point a cloud.google.com/go client at
// the simulator: its endpoint, no authentication, plaintext transport.
func (s *Server) ClientOptions() []option.ClientOption {
	return []option.ClientOption{
		option.WithEndpoint(s.Addr),
		option.WithoutAuthentication(),
		option.WithGRPCDialOption(grpc.WithTransportCredentials(insecure.NewCredentials())),
	}
}

// UnaryInterceptor records every call and injects the estate's faults
// before the handler runs: latency first, then deny, API disabled,
// throttle and unavailable.
func (s *Sim) UnaryInterceptor() grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (resp any, err error) {
		svc, method := splitMethod(info.FullMethod)
		resource := resourceOf(req)
		defer func() {
			s.mu.Lock()
			s.requests = append(s.requests, Request{Service: svc, Method: method, Resource: resource, Code: status.Code(err)})
			s.mu.Unlock()
		}()
		if err := s.inject(ctx, svc, method, resource); err != nil {
			return nil, err
		}
		return handler(ctx, req)
	}
}

func splitMethod(full string) (service, method string) {
	// "/google.cloud.billing.v1.CloudBilling/ListBillingAccounts"
	service, method = path.Split(strings.TrimPrefix(full, "/"))
	service = strings.TrimSuffix(service, "/")
	return service[strings.LastIndex(service, ".")+1:], method
}

// resourceOf returns the resource a request is about.
func resourceOf(req any) string {
	switch r := req.(type) {
	case interface{ GetParent() string }:
		return r.GetParent()
	case interface{ GetName() string }:
		return r.GetName()
	}
	return ""
}

// scopes returns the faults that apply to a resource with their scope names.
func (s *Sim) scopes(resource string) (names []string, faults []*Faults, project *Project) {
	names, faults = []string{""}, []*Faults{&s.est.Faults}
	parts := strings.Split(resource, "/")
	if len(parts) >= 2 {
		switch parts[0] {
		case "billingAccounts":
			if a := s.accounts[parts[1]]; a != nil {
				names, faults = append(names, "billingAccounts/"+a.ID), append(faults, &a.Faults)
			}
		case "projects":
			if p := s.projects[parts[1]]; p != nil {
				names, faults, project = append(names, "projects/"+p.ID), append(faults, &p.Faults), p
			}
		}
	}
	return names, faults, project
}

func (s *Sim) inject(ctx context.Context, svc, method, resource string) error {
	names, faults, project := s.scopes(resource)
	var latency time.Duration
	for _, f := range faults {
		if d, err := time.ParseDuration(f.Latency); err == nil {
			latency += d
		}
	}
	if latency > 0 {
		t := time.NewTimer(latency)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return status.FromContextError(ctx.Err()).Err()
		}
	}
	for _, f := range faults {
		if contains(f.Deny, method) || contains(f.Deny, "*") {
			return s.denied(svc, method, resource)
		}
	}
	for _, f := range faults {
		if (svc == "Recommender" && f.APIDisabled) || (svc == "Compute" && f.ComputeDisabled) {
			return serviceDisabled(project)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, f := range faults {
		throttle := f.Throttle[method] + f.Throttle["*"]
		unavailable := f.Unavailable[method] + f.Unavailable["*"]
		if throttle == 0 && unavailable == 0 {
			continue
		}
		key := names[i] + "/" + method
		s.counts[key]++
		switch n := s.counts[key]; {
		case n <= throttle:
			return rateLimited(svc, project)
		case n <= throttle+unavailable:
			return status.Error(codes.Unavailable, "The service is currently unavailable.")
		}
	}
	return nil
}

// Services' host names, for error details.
var hosts = map[string]string{"CloudBilling": "cloudbilling.googleapis.com", "CloudCatalog": "cloudbilling.googleapis.com",
	"Recommender": "recommender.googleapis.com", "Compute": "compute.googleapis.com"}

// withDetails attaches details to a status; it cannot fail for these messages.
func withDetails(st *status.Status, details ...*errdetails.ErrorInfo) error {
	for _, d := range details {
		if s2, err := st.WithDetails(d); err == nil {
			st = s2
		}
	}
	return st.Err()
}

// denied answers like IAM does: PERMISSION_DENIED with an ErrorInfo naming
// the permission ("Permission 'x' denied on resource 'y' (or it may not exist).").
func (s *Sim) denied(svc, method, resource string) error {
	perm := Permission(method, resource)
	msg := fmt.Sprintf("Permission '%s' denied on resource '%s' (or it may not exist).", perm, resource)
	if svc != "Recommender" {
		// Cloud Billing answers with the generic IAM message.
		msg = "The caller does not have permission"
	}
	return withDetails(status.New(codes.PermissionDenied, msg), &errdetails.ErrorInfo{
		Reason: "IAM_PERMISSION_DENIED", Domain: "iam.googleapis.com",
		Metadata: map[string]string{"permission": perm, "resource": resource},
	})
}

func serviceDisabled(p *Project) error {
	number := "0"
	if p != nil {
		number = p.Number
	}
	msg := fmt.Sprintf("Recommender API has not been used in project %s before or it is disabled. Enable it by visiting "+
		"https://console.developers.google.com/apis/api/recommender.googleapis.com/overview?project=%s then retry. "+
		"If you enabled this API recently, wait a few minutes for the action to propagate to our systems and retry.", number, number)
	return withDetails(status.New(codes.PermissionDenied, msg), &errdetails.ErrorInfo{
		Reason: "SERVICE_DISABLED", Domain: "googleapis.com",
		Metadata: map[string]string{"consumer": "projects/" + number, "service": "recommender.googleapis.com"},
	})
}

func rateLimited(svc string, p *Project) error {
	consumer := "project_number:0"
	if p != nil {
		consumer = "project_number:" + p.Number
	}
	host := hosts[svc]
	msg := fmt.Sprintf("Quota exceeded for quota metric 'Read requests' and limit 'Read requests per minute' of service '%s' for consumer '%s'.", host, consumer)
	return withDetails(status.New(codes.ResourceExhausted, msg), &errdetails.ErrorInfo{
		Reason: "RATE_LIMIT_EXCEEDED", Domain: "googleapis.com",
		Metadata: map[string]string{"quota_metric": host + "/read_requests", "quota_limit": "ReadRequestsPerMinutePerProject", "service": host, "consumer": consumer},
	})
}

// recommenderPermissions are the IAM permissions of ListRecommendations
// for the known recommenders (Recommender docs, "Recommender IAM
// permissions"); others follow the same pattern but are not checked.
var recommenderPermissions = map[string]string{
	"google.compute.instance.IdleResourceRecommender": "recommender.computeInstanceIdleResourceRecommendations.list",
	"google.compute.instance.MachineTypeRecommender":  "recommender.computeInstanceMachineTypeRecommendations.list",
	"google.compute.disk.IdleResourceRecommender":     "recommender.computeDiskIdleResourceRecommendations.list",
	"google.compute.address.IdleResourceRecommender":  "recommender.computeAddressIdleResourceRecommendations.list",
	"google.compute.image.IdleResourceRecommender":    "recommender.computeImageIdleResourceRecommendations.list",
	"google.cloudsql.instance.IdleRecommender":        "recommender.cloudsqlIdleInstanceRecommendations.list",
}

// Permission returns the IAM permission a method on a resource needs.
func Permission(method, resource string) string {
	switch method {
	case "ListBillingAccounts", "GetBillingAccount":
		return "billing.accounts.get"
	case "ListProjectBillingInfo":
		return "billing.resourceAssociations.list"
	case "GetProjectBillingInfo":
		return "resourcemanager.projects.get"
	case "ListServices", "ListSkus":
		return "" // the catalog needs only an authenticated caller or an API key
	case "compute.disks.aggregatedList":
		return "compute.disks.list"
	case "compute.addresses.aggregatedList":
		return "compute.addresses.list"
	case "compute.globalAddresses.list":
		return "compute.globalAddresses.list"
	case "compute.instances.aggregatedList":
		return "compute.instances.list"
	case "ListRecommendations", "GetRecommendation":
		parts := strings.Split(resource, "/")
		for i := 0; i+1 < len(parts); i++ {
			if parts[i] == "recommenders" {
				if p, ok := recommenderPermissions[parts[i+1]]; ok {
					if method == "GetRecommendation" {
						return strings.TrimSuffix(p, ".list") + ".get"
					}
					return p
				}
			}
		}
		return "recommender.recommendations.list"
	}
	return ""
}

// page cuts one page out of n items. Tokens are opaque, bound to the
// request they continue (key), and rejected otherwise, as Google does.
func page(n, size, def, max int, token, key string) (start, end int, next string, err error) {
	if size <= 0 {
		size = def
	}
	size = min(size, max)
	if token != "" {
		raw, derr := base64.RawURLEncoding.DecodeString(token)
		k, off, ok := strings.Cut(string(raw), "|")
		if derr != nil || !ok || k != key {
			return 0, 0, "", status.Error(codes.InvalidArgument, "Invalid page token.")
		}
		if start, err = strconv.Atoi(off); err != nil || start < 0 || start > n {
			return 0, 0, "", status.Error(codes.InvalidArgument, "Invalid page token.")
		}
	}
	end = min(start+size, n)
	if end < n {
		next = base64.RawURLEncoding.EncodeToString([]byte(key + "|" + strconv.Itoa(end)))
	}
	return start, end, next, nil
}
