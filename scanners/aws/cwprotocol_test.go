package aws

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/smithy-go/encoding/cbor"

	"github.com/ghostaudit/ghostaudit/scanners"
	"github.com/ghostaudit/ghostaudit/scanners/aws/awssim"
	"github.com/ghostaudit/ghostaudit/scanners/estate"
)

// cwProtocolEstate has an idle and a busy instance in two regions of one
// account and one region of another: three scopes sharing one CloudWatch
// endpoint. %s is the aws-level cloudwatch_protocol line and %s the
// faults of account 111111111111's us-east-1.
const cwProtocolEstate = `
aws:
  caller_account: "111111111111"
  %s
  accounts:
    - id: "111111111111"
      regions:
        - name: us-east-1
          faults: {%s}
          instances:
            - {id: i-0000000000000000a, type: m5.large, state: running, launched: -100d,
               metrics: {CPUUtilization: {avg: 1.5, days: 30}, NetworkIn: {avg: 100000, days: 30}, NetworkOut: {avg: 100000, days: 30}}}
            - {id: i-0000000000000000b, type: m5.large, state: running, launched: -100d,
               metrics: {CPUUtilization: {avg: 45, days: 30}, NetworkIn: {avg: 2e9, days: 30}, NetworkOut: {avg: 2e9, days: 30}}}
        - name: eu-west-1
          instances:
            - {id: i-0000000000000000c, type: m5.large, state: running, launched: -100d,
               metrics: {CPUUtilization: {avg: 60, days: 30}}}
    - id: "222222222222"
      regions:
        - name: us-east-1
          instances:
            - {id: i-0000000000000000d, type: m5.large, state: running, launched: -100d,
               metrics: {CPUUtilization: {avg: 30, days: 30}}}
`

// cwRun is one scan of cwProtocolEstate.
type cwRun struct {
	*scanResult
	log string
}

// scanCW scans cwProtocolEstate with CloudWatch limited to proto ("" for
// both), the faults, and wrap (nil: none) between the scanner and the
// simulator, standing in for other servers' answers.
func scanCW(t *testing.T, proto, faults string, wrap func(http.Handler) http.Handler, tweak func(*Options)) *cwRun {
	t.Helper()
	line := ""
	if proto != "" {
		line = "cloudwatch_protocol: " + proto
	}
	est, err := estate.Parse(t.Name()+".yaml", []byte(fmt.Sprintf(cwProtocolEstate, line, faults)))
	if err != nil {
		t.Fatal(err)
	}
	awsEst, _, err := awssim.Load(est)
	if err != nil {
		t.Fatal(err)
	}
	sim := awssim.New(awsEst, awssim.Options{Now: func() time.Time { return testNow }})
	var h http.Handler = sim
	if wrap != nil {
		h = wrap(sim)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	opts := NewOptions()
	opts.EndpointURL = srv.URL
	opts.Credentials = credentials.NewStaticCredentialsProvider(awssim.AccessKeyID, awssim.SecretAccessKey, "")
	opts.HomeRegion = "us-east-1"
	opts.MaxBackoff = 5 * time.Millisecond
	opts.Accounts = []string{"222222222222"}
	if tweak != nil {
		tweak(opts)
	}
	var buf syncBuffer
	logger := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelInfo}))
	s, err := New(opts, scanners.Env{Logger: logger, Now: func() time.Time { return testNow }})
	if err != nil {
		t.Fatal(err)
	}
	col := &scanners.Collector{}
	if err := s.Scan(context.Background(), col); err != nil {
		t.Fatal(err)
	}
	res, _, gaps := col.Snapshot()
	out := &scanResult{fx: &fixture{sim: sim, scanner: s}, byID: map[string]scanners.Resource{}, all: res, gaps: gaps}
	for _, r := range res {
		out.byID[r.Kind+"/"+r.ID] = r
	}
	return &cwRun{scanResult: out, log: buf.String()}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// gmd counts the GetMetricData requests the simulator saw in a protocol.
func (r *cwRun) gmd(protocol string) int {
	n := 0
	for _, q := range r.fx.sim.Requests() {
		if q.Action == "GetMetricData" && q.Protocol == protocol {
			n++
		}
	}
	return n
}

const switchLog = "does not speak Smithy RPC v2 CBOR"

// wantCPU checks that every instance has its CPU average (the metrics
// arrived, in whichever protocol).
func (r *cwRun) wantCPU(t *testing.T) {
	t.Helper()
	for id, want := range map[string]float64{"i-0000000000000000a": 1.5, "i-0000000000000000b": 45, "i-0000000000000000c": 60, "i-0000000000000000d": 30} {
		res := r.get(t, KindInstance, id)
		ok := false
		for _, m := range res.Metrics {
			if m.Name == "CPUUtilization" && m.Points > 0 && near(m.Value, want) {
				ok = true
			}
		}
		if !ok {
			t.Errorf("%s: CPUUtilization %.1f missing: %+v", id, want, res.Metrics)
		}
	}
}

// TestCloudWatchFallsBackToQuery: against a CloudWatch that speaks only
// awsQuery (as one built from the API Reference), the first GetMetricData
// goes out in CBOR, is refused, and is sent again in Query; every later
// call of every scope (two accounts, two regions) goes straight to Query:
// exactly one CBOR request, one Info line, all metrics, no gap.
func TestCloudWatchFallsBackToQuery(t *testing.T) {
	t.Parallel()
	r := scanCW(t, "query", "", nil, nil)
	noGaps(t, r.scanResult)
	r.wantCPU(t)
	if n := r.gmd("cbor"); n != 1 {
		t.Errorf("%d CBOR GetMetricData requests, want exactly 1 (the probe)", n)
	}
	if n := r.gmd("query"); n < 3 {
		t.Errorf("%d Query GetMetricData requests for 3 scopes", n)
	}
	if n := strings.Count(r.log, switchLog); n != 1 || !strings.Contains(r.log, "level=INFO") || !strings.Contains(r.log, "StatusCode: 400") {
		t.Errorf("%d switch log lines, want 1 at Info naming the CBOR error:\n%s", n, r.log)
	}
}

// TestCloudWatchCBOROnlyAndBoth: an endpoint that speaks CBOR (only, or
// as well as Query, like AWS) is never sent Query.
func TestCloudWatchCBOROnlyAndBoth(t *testing.T) {
	t.Parallel()
	for _, proto := range []string{"cbor", ""} {
		t.Run("proto="+proto, func(t *testing.T) {
			t.Parallel()
			r := scanCW(t, proto, "", nil, nil)
			noGaps(t, r.scanResult)
			r.wantCPU(t)
			if r.gmd("query") != 0 || r.gmd("cbor") < 3 || strings.Contains(r.log, switchLog) {
				t.Errorf("%d Query and %d CBOR GetMetricData requests; log:\n%s", r.gmd("query"), r.gmd("cbor"), r.log)
			}
		})
	}
}

// refuseCBOR answers every RPC v2 CBOR request with status, content type
// and body, as a server that does not route that path would, and passes
// the rest to the simulator.
func refuseCBOR(status int, ctype, body string) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.HasPrefix(r.URL.Path, "/service/") {
				w.Header().Set("Content-Type", ctype)
				w.WriteHeader(status)
				fmt.Fprint(w, body)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// TestCloudWatchFallbackOnOtherRefusals: the ways other Query-only
// servers refuse a CBOR request all lead to Query, once: moto's 404 page,
// 415 for application/cbor, 405, a JSON 1.0 server's
// UnknownOperationException, a CBOR UnknownOperationException, a 400
// with an empty body, and a 200 whose body is not CBOR.
func TestCloudWatchFallbackOnOtherRefusals(t *testing.T) {
	t.Parallel()
	cborErr := string(cbor.Encode(cbor.Map{"__type": cbor.String("UnknownOperationException"), "message": cbor.String("no")}))
	for name, wrap := range map[string]func(http.Handler) http.Handler{
		"404 html":         refuseCBOR(404, "text/html", "<!doctype html><title>404 Not Found</title>"),
		"415":              refuseCBOR(415, "text/plain", "Unsupported Media Type"),
		"405":              refuseCBOR(405, "text/plain", "Method Not Allowed"),
		"400 json":         refuseCBOR(400, "application/x-amz-json-1.0", `{"__type":"UnknownOperationException","message":"Unknown operation"}`),
		"400 cbor unknown": refuseCBOR(400, "application/cbor", cborErr),
		"400 empty":        refuseCBOR(400, "text/plain", ""),
		"200 xml":          refuseCBOR(200, "text/xml", `<?xml version="1.0"?><Response/>`),
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			r := scanCW(t, "", "", wrap, nil)
			noGaps(t, r.scanResult)
			r.wantCPU(t)
			if n := strings.Count(r.log, switchLog); n != 1 || r.gmd("cbor") != 0 || r.gmd("query") < 3 {
				t.Errorf("%d switch lines, %d CBOR and %d Query requests at the simulator:\n%s", n, r.gmd("cbor"), r.gmd("query"), r.log)
			}
		})
	}
}

// TestCloudWatchNoFallbackOnServiceErrors: throttling, access denied and
// server errors come from an endpoint that may well speak CBOR; they stay
// gaps with their own reason and nothing is sent in Query.
func TestCloudWatchNoFallbackOnServiceErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, faults string
		wrap         func(http.Handler) http.Handler
		reason       string
	}{
		{"denied", "deny: [GetMetricData]", nil, scanners.ReasonDenied},
		{"throttled", "throttle: {GetMetricData: 100}", nil, scanners.ReasonThrottled},
		{"unavailable", "unavailable: {GetMetricData: 100}", nil, scanners.ReasonError},
		{"502 html", "", refuseCBOR(502, "text/html", "<html>Bad Gateway</html>"), scanners.ReasonError},
		{"403 html", "", refuseCBOR(403, "text/html", "<html>Forbidden</html>"), scanners.ReasonError},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			// One scope, so that its failing call is the endpoint's first.
			r := scanCW(t, "", tc.faults, tc.wrap, func(o *Options) {
				o.MaxAttempts = 2
				o.Regions, o.Accounts = []string{"us-east-1"}, nil
			})
			found := false
			for _, g := range r.gaps {
				if g.Operation == "cloudwatch:GetMetricData" && g.Reason == tc.reason {
					found = true
				}
			}
			if !found {
				t.Errorf("no cloudwatch:GetMetricData gap with reason %s: %+v", tc.reason, r.gaps)
			}
			if r.gmd("query") != 0 || strings.Contains(r.log, switchLog) {
				t.Errorf("%d Query requests; log:\n%s", r.gmd("query"), r.log)
			}
		})
	}
}

// TestCloudWatchQueryThrottlingIsRetried: Throttling answered over Query
// is retried like over CBOR.
func TestCloudWatchQueryThrottlingIsRetried(t *testing.T) {
	t.Parallel()
	r := scanCW(t, "query", "throttle: {GetMetricData: 2}", nil, nil)
	noGaps(t, r.scanResult)
	r.wantCPU(t)
	throttled := 0
	for _, q := range r.fx.sim.Requests() {
		if q.Action == "GetMetricData" && q.Protocol == "query" && q.Status == 400 {
			throttled++
		}
	}
	if throttled != 2 {
		t.Errorf("%d throttled Query requests, want 2", throttled)
	}
}

// TestCloudWatchBothProtocolsFail: an endpoint that refuses both reports
// the CBOR error, with the Query attempt's, as the scope's gap; the
// resources are still emitted, without metrics.
func TestCloudWatchBothProtocolsFail(t *testing.T) {
	t.Parallel()
	refuseAll := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.Contains(r.Header.Get("Authorization"), "/monitoring/aws4_request") {
				w.Header().Set("Content-Type", "text/html")
				w.WriteHeader(404)
				fmt.Fprint(w, "<html>Not Found</html>")
				return
			}
			next.ServeHTTP(w, r)
		})
	}
	r := scanCW(t, "", "", refuseAll, nil)
	var g *scanners.Gap
	for i := range r.gaps {
		if r.gaps[i].Operation == "cloudwatch:GetMetricData" {
			g = &r.gaps[i]
		}
	}
	if g == nil || !strings.Contains(g.Message, "StatusCode: 404") || !strings.Contains(g.Message, "sent again in the awsQuery protocol") {
		t.Fatalf("gap %+v", g)
	}
	if res := r.get(t, KindInstance, "i-0000000000000000a"); len(res.Metrics) != 0 {
		t.Errorf("metrics %+v", res.Metrics)
	}
	if strings.Contains(r.log, switchLog) {
		t.Errorf("switch logged:\n%s", r.log)
	}
}

// TestIAMPolicyCoversQueryCalls: a scan against a Query-only CloudWatch
// sends only operations the shipped policy grants; GetMetricData over
// Query is cloudwatch:GetMetricData like over CBOR.
func TestIAMPolicyCoversQueryCalls(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("../../docs/permissions/aws-iam-policy.json")
	if err != nil {
		t.Fatal(err)
	}
	var policy struct{ Statement []struct{ Action []string } }
	if err := json.Unmarshal(data, &policy); err != nil {
		t.Fatal(err)
	}
	granted := map[string]bool{}
	for _, st := range policy.Statement {
		for _, a := range st.Action {
			granted[a] = true
		}
	}
	fx := newFixture(t, strings.Replace(everyCallEstate, "aws:\n", "aws:\n  cloudwatch_protocol: query\n", 1), nil, func(o *Options) { o.OrgAccounts = true })
	col := &scanners.Collector{}
	if err := fx.scanner.Scan(context.Background(), col); err != nil {
		t.Fatal(err)
	}
	if _, _, gaps := col.Snapshot(); len(gaps) != 0 {
		t.Errorf("gaps: %+v", gaps)
	}
	query := 0
	for _, r := range fx.sim.Requests() {
		if !granted[r.Service+":"+r.Action] {
			t.Errorf("the scan sent %s:%s, which the policy does not grant", r.Service, r.Action)
		}
		if r.Service == "cloudwatch" && r.Protocol == "query" && r.Status == 200 {
			query++
		}
	}
	if query == 0 {
		t.Error("no GetMetricData over Query")
	}
}
