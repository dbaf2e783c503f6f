package awssim

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"
)

// AccessKeyID and SecretAccessKey are the base credentials the simulator
// accepts as the caller of the estate's CallerAccount. They are AWS's
// documented example key pair
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/security-creds.html).
// Any other access key the simulator did not issue is treated the same way.
const (
	AccessKeyID     = "AKIAIOSFODNN7EXAMPLE"
	SecretAccessKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
)

const (
	ec2Version   = "2016-11-15"
	ec2Namespace = "http://ec2.amazonaws.com/doc/2016-11-15/"
	stsVersion   = "2011-06-15"
	stsNamespace = "https://sts.amazonaws.com/doc/2011-06-15/"

	maxFormBytes = 1 << 20
	// StatusClientClosed is recorded for a request whose client went away
	// while the simulator was injecting latency (nginx's convention).
	StatusClientClosed = 499
)

// Options configure a Sim.
type Options struct {
	Now    func() time.Time // scan clock for relative estate times; nil = time.Now
	Logger *slog.Logger     // nil = discard
	// Clock is the wall clock of STS sessions (issue and expiry); nil =
	// time.Now. It is not Now: the SDK's credential cache compares an
	// AssumeRole Expiration with the real time, so sessions issued on a
	// fixed estate clock in the past would be refreshed before every call.
	Clock func() time.Time
	// CloudWatchProtocol, when set, overrides Estate.CloudWatchProtocol:
	// CloudWatchBoth, CloudWatchCBOR or CloudWatchQuery (any other value
	// is logged and serves both).
	CloudWatchProtocol string
}

// The values of Estate.CloudWatchProtocol and Options.CloudWatchProtocol.
const (
	CloudWatchBoth  = "both"
	CloudWatchCBOR  = "cbor"
	CloudWatchQuery = "query"
)

// Request is one request the simulator served.
type Request struct {
	Service string // the IAM service prefix: ec2, sts, cloudwatch, elasticloadbalancing, rds, logs, organizations
	Action  string // e.g. "DescribeVolumes"
	Account string // the caller's account, "" when unauthenticated
	Region  string // from the SigV4 credential scope
	Status  int    // HTTP status of the response
	// Protocol is the wire protocol of the request: "ec2" (EC2 Query),
	// "query" (awsQuery), "json" (awsJson1_1) or "cbor" (Smithy RPC v2 CBOR).
	Protocol string
}

// Sim is the simulator, an http.Handler. It is safe for concurrent use.
type Sim struct {
	est      *Estate
	accounts map[string]*Account
	now      func() time.Time
	clock    func() time.Time // STS sessions (Options.Clock)
	log      *slog.Logger
	cwProto  string // CloudWatchCBOR, CloudWatchQuery or "" (both)

	mu       sync.Mutex
	requests []Request
	counts   map[string]int // account/region/action -> requests seen, for throttle and unavailable faults
	issued   map[string]session
	seq      int
	buckets  map[string]*bucket // account/region/key -> rate fault bucket
}

type session struct {
	account string
	role    string
	name    string
	expires time.Time
}

// New returns the simulator for est as an http.Handler.
func New(est *Estate, opts Options) *Sim {
	if est == nil {
		est = &Estate{}
	}
	s := &Sim{
		est:      est,
		accounts: map[string]*Account{},
		now:      opts.Now,
		clock:    opts.Clock,
		log:      opts.Logger,
		counts:   map[string]int{},
		issued:   map[string]session{},
		buckets:  map[string]*bucket{},
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.clock == nil {
		s.clock = time.Now
	}
	if s.log == nil {
		s.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	for i := range est.Accounts {
		s.accounts[est.Accounts[i].ID] = &est.Accounts[i]
	}
	cw := est.CloudWatchProtocol
	if opts.CloudWatchProtocol != "" {
		cw = opts.CloudWatchProtocol
	}
	switch cw {
	case "", CloudWatchBoth:
	case CloudWatchCBOR, CloudWatchQuery:
		s.cwProto = cw
	default:
		// Load rejects such an estate value; an Options value is the
		// embedding program's, and the simulator keeps both protocols.
		s.log.Warn("awssim: CloudWatchProtocol is not both, cbor or query; serving both", "cloudwatch_protocol", cw)
	}
	return s
}

// Requests returns every request served so far, in order.
func (s *Sim) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

func (s *Sim) callerAccount() string {
	if s.est.CallerAccount != "" {
		return s.est.CallerAccount
	}
	if len(s.est.Accounts) > 0 {
		return s.est.Accounts[0].ID
	}
	return ""
}

// call is one request being served.
type call struct {
	w         http.ResponseWriter
	r         *http.Request
	svc       *service // nil until the request names a simulated service
	proto     string   // the request's wire protocol (Request.Protocol)
	body      []byte   // the JSON or CBOR request body
	service   string
	action    string
	account   string
	region    string
	accessKey string
	requestID string
	status    int
}

// apiError is an error response in the service's own shape.
type apiError struct {
	status  int
	code    string
	message string
	// typ is the shape id sent as __type by the CBOR protocol when it
	// differs from the query-compatible code, e.g.
	// "com.amazon.coral.availability#ThrottlingException" for Throttling.
	typ string
}

func (e *apiError) Error() string { return e.code + ": " + e.message }

func errorf(status int, code, format string, args ...any) *apiError {
	return &apiError{status: status, code: code, message: fmt.Sprintf(format, args...)}
}

type scopeInfo struct {
	accessKey, region, service string
	malformed                  bool
}

// credentialScope reads the SigV4 Authorization header, or the presigned
// X-Amz-Credential query parameter. Signatures are not verified.
func credentialScope(r *http.Request) (scopeInfo, bool) {
	auth := r.Header.Get("Authorization")
	cred := ""
	switch {
	case auth != "":
		i := strings.Index(auth, "Credential=")
		if i < 0 {
			return scopeInfo{malformed: true}, true
		}
		cred = auth[i+len("Credential="):]
		if j := strings.IndexAny(cred, ", "); j >= 0 {
			cred = cred[:j]
		}
	case r.URL.Query().Get("X-Amz-Credential") != "":
		cred = r.URL.Query().Get("X-Amz-Credential")
	default:
		return scopeInfo{}, false
	}
	parts := strings.Split(cred, "/")
	if len(parts) != 5 || parts[0] == "" || parts[2] == "" || parts[4] != "aws4_request" {
		return scopeInfo{malformed: true}, true
	}
	return scopeInfo{accessKey: parts[0], region: parts[2], service: parts[3]}, true
}

// identify maps the access key to an account: keys issued by AssumeRole map
// to the role's account, any other key to the caller account.
func (s *Sim) identify(c *call) (string, *apiError) {
	s.mu.Lock()
	sess, ok := s.issued[c.accessKey]
	s.mu.Unlock()
	if !ok {
		if strings.HasPrefix(c.accessKey, "ASIA") && c.r.Header.Get("X-Amz-Security-Token") != "" {
			// A temporary key this simulator never issued.
			if c.service == "ec2" {
				return "", errorf(http.StatusUnauthorized, "AuthFailure", "AWS was not able to validate the provided access credentials")
			}
			return "", errorf(http.StatusForbidden, "InvalidClientTokenId", "The security token included in the request is invalid.")
		}
		return s.callerAccount(), nil
	}
	if !s.clock().Before(sess.expires) {
		if c.service == "ec2" {
			return "", errorf(http.StatusBadRequest, "RequestExpired", "The security token included in the request is expired")
		}
		return "", errorf(http.StatusBadRequest, "ExpiredToken", "The security token included in the request is expired")
	}
	return sess.account, nil
}

type mergedFaults struct {
	deny        []string
	throttle    map[string]int
	unavailable map[string]int
	latency     time.Duration
	rate        map[string]float64
	burst       map[string]int
	unknown     []string // Faults.UnknownParameters
}

// faultsFor merges account faults with the region's: deny lists are
// joined, counts and latencies add up.
func (s *Sim) faultsFor(account, region string) mergedFaults {
	m := mergedFaults{throttle: map[string]int{}, unavailable: map[string]int{}, rate: map[string]float64{}, burst: map[string]int{}}
	a := s.accounts[account]
	if a == nil {
		return m
	}
	add := func(f Faults) {
		m.deny = append(m.deny, f.Deny...)
		m.unknown = append(m.unknown, f.UnknownParameters...)
		for k, v := range f.Throttle {
			m.throttle[k] += v
		}
		for k, v := range f.Unavailable {
			m.unavailable[k] += v
		}
		for k, v := range f.Rate {
			m.rate[k] = v
		}
		for k, v := range f.Burst {
			m.burst[k] = v
		}
		if d, err := time.ParseDuration(f.Latency); err == nil && d > 0 {
			m.latency += d
		}
	}
	add(a.Faults)
	if r := findRegion(a, region); r != nil {
		add(r.Faults)
	}
	return m
}

func findRegion(a *Account, name string) *Region {
	if a == nil {
		return nil
	}
	for i := range a.Regions {
		if a.Regions[i].Name == name {
			return &a.Regions[i]
		}
	}
	return nil
}

func (s *Sim) nextRequestID() string {
	s.mu.Lock()
	s.seq++
	n := s.seq
	s.mu.Unlock()
	return fmt.Sprintf("%08x-0000-4000-8000-%012x", n, n)
}

func (s *Sim) record(c *call) {
	s.mu.Lock()
	s.requests = append(s.requests, Request{Service: c.service, Action: c.action, Account: c.account, Region: c.region, Status: c.status, Protocol: c.proto})
	s.mu.Unlock()
	level := slog.LevelDebug
	s.log.Log(c.r.Context(), level, "awssim request", "service", c.service, "action", c.action,
		"account", c.account, "region", c.region, "status", c.status, "protocol", c.proto, "request_id", c.requestID)
}

// stableHex derives a deterministic hex string of n characters from parts.
func stableHex(n int, parts ...string) string {
	h := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	s := hex.EncodeToString(h[:])
	for len(s) < n {
		s += s
	}
	return s[:n]
}

// isoTime formats t as the EC2 Query protocol does: ISO 8601 in UTC with
// milliseconds, e.g. 2026-11-02T10:00:00.000Z.
func isoTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

var _ http.Handler = (*Sim)(nil)

// bucket is one rate fault token bucket (see Faults.Rate).
type bucket struct {
	tokens float64
	last   time.Time
}

// takeTokens takes a token from each rate bucket that names the call's
// service or operation, and reports false when one of them was empty (a
// throttled request takes nothing). Time is the wall clock, not Options.Now:
// request rates are real time even when the estate's clock is fixed.
func (s *Sim) takeTokens(c *call, f mergedFaults) bool {
	if len(f.rate) == 0 {
		return true
	}
	var keys []string
	for _, k := range []string{c.svc.name, c.action} {
		if f.rate[k] > 0 {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return true
	}
	now := time.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	bs := make([]*bucket, len(keys))
	for i, k := range keys {
		burst := float64(f.burst[k])
		if burst <= 0 {
			burst = max(1, f.rate[k])
		}
		id := c.account + "/" + c.region + "/" + k
		b := s.buckets[id]
		if b == nil {
			b = &bucket{tokens: burst, last: now}
			s.buckets[id] = b
		}
		b.tokens = min(burst, b.tokens+now.Sub(b.last).Seconds()*f.rate[k])
		b.last = now
		if b.tokens < 1 {
			return false
		}
		bs[i] = b
	}
	for _, b := range bs {
		b.tokens--
	}
	return true
}
