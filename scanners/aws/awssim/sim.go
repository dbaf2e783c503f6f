package awssim

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"errors"
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
}

// Request is one request the simulator served.
type Request struct {
	Service string // "ec2" or "sts"
	Action  string // e.g. "DescribeVolumes"
	Account string // the caller's account, "" when unauthenticated
	Region  string // from the SigV4 credential scope
	Status  int    // HTTP status of the response
}

// Sim is the simulator, an http.Handler. It is safe for concurrent use.
type Sim struct {
	est      *Estate
	accounts map[string]*Account
	now      func() time.Time
	log      *slog.Logger

	mu       sync.Mutex
	requests []Request
	counts   map[string]int // account/region/action -> requests seen, for throttle and unavailable faults
	issued   map[string]session
	seq      int
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
		log:      opts.Logger,
		counts:   map[string]int{},
		issued:   map[string]session{},
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	for i := range est.Accounts {
		s.accounts[est.Accounts[i].ID] = &est.Accounts[i]
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
}

func (e *apiError) Error() string { return e.code + ": " + e.message }

func errorf(status int, code, format string, args ...any) *apiError {
	return &apiError{status: status, code: code, message: fmt.Sprintf(format, args...)}
}

// ServeHTTP serves one EC2 or STS Query request.
func (s *Sim) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c := &call{w: w, r: r, requestID: s.nextRequestID()}
	defer s.record(c)
	w.Header().Set("x-amzn-RequestId", c.requestID)

	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	formErr := r.ParseForm()
	c.action = r.Form.Get("Action")

	// The service and region come from the SigV4 credential scope
	// (Credential=AKID/date/region/service/aws4_request); the Version
	// field decides when the request is not signed.
	scope, signed := credentialScope(r)
	c.service = scope.service
	if c.service != "ec2" && c.service != "sts" {
		switch r.Form.Get("Version") {
		case stsVersion:
			c.service = "sts"
		default:
			c.service = "ec2"
		}
	}
	c.region, c.accessKey = scope.region, scope.accessKey

	if formErr != nil {
		var tooBig *http.MaxBytesError
		if errors.As(formErr, &tooBig) {
			s.fail(c, errorf(http.StatusRequestEntityTooLarge, "RequestEntityTooLarge", "The request body exceeds %d bytes.", maxFormBytes))
			return
		}
		s.fail(c, errorf(http.StatusBadRequest, "MalformedQueryString", "The query string could not be parsed: %v", formErr))
		return
	}
	if !signed {
		// "MissingAuthenticationToken: The request must contain either a valid
		// (registered) AWS access key ID or X.509 certificate."
		// (EC2 error codes page, and the Common Errors page of every Query service.)
		status := http.StatusForbidden
		if c.service == "ec2" {
			status = http.StatusUnauthorized // EC2 answers authentication failures with 401
		}
		s.fail(c, errorf(status, "MissingAuthenticationToken", "Request is missing Authentication Token"))
		return
	}
	if scope.malformed {
		if c.service == "ec2" {
			s.fail(c, errorf(http.StatusUnauthorized, "AuthFailure", "AWS was not able to validate the provided access credentials"))
		} else {
			s.fail(c, errorf(http.StatusBadRequest, "IncompleteSignature", "Authorization header requires a Credential parameter of the form AKID/date/region/service/aws4_request."))
		}
		return
	}
	acct, apiErr := s.identify(c)
	if apiErr != nil {
		s.fail(c, apiErr)
		return
	}
	c.account = acct
	if c.action == "" {
		s.fail(c, errorf(http.StatusBadRequest, "MissingAction", "The request must contain the parameter Action."))
		return
	}
	handler := s.handler(c.service, c.action)
	if handler == nil {
		// InvalidAction: "The action or operation requested is not valid.
		// Verify that the action is typed correctly." (HTTP 400)
		s.fail(c, errorf(http.StatusBadRequest, "InvalidAction", "The action %s is not valid for this web service.", c.action))
		return
	}
	if err := s.inject(c); err != nil {
		if err == errClientGone {
			c.status = StatusClientClosed
			return
		}
		s.fail(c, err.(*apiError))
		return
	}
	body, apiErr := handler(c)
	if apiErr != nil {
		s.fail(c, apiErr)
		return
	}
	s.write(c, http.StatusOK, body)
}

func (s *Sim) handler(service, action string) func(*call) (any, *apiError) {
	switch service + "/" + action {
	case "ec2/DescribeRegions":
		return s.describeRegions
	case "ec2/DescribeVolumes":
		return s.describeVolumes
	case "ec2/DescribeAddresses":
		return s.describeAddresses
	case "ec2/DescribeInstances":
		return s.describeInstances
	case "sts/GetCallerIdentity":
		return s.getCallerIdentity
	case "sts/AssumeRole":
		return s.assumeRole
	}
	return nil
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
	if !s.now().Before(sess.expires) {
		if c.service == "ec2" {
			return "", errorf(http.StatusBadRequest, "RequestExpired", "The security token included in the request is expired")
		}
		return "", errorf(http.StatusBadRequest, "ExpiredToken", "The security token included in the request is expired")
	}
	return sess.account, nil
}

var errClientGone = errors.New("client went away")

// inject applies the merged account and region faults for the call:
// latency first, then deny, then throttle, then unavailable.
func (s *Sim) inject(c *call) error {
	f := s.faultsFor(c.account, c.region)
	if f.latency > 0 {
		t := time.NewTimer(f.latency)
		defer t.Stop()
		select {
		case <-t.C:
		case <-c.r.Context().Done():
			return errClientGone
		}
	}
	if contains(f.deny, "*") || contains(f.deny, c.action) {
		if c.service == "sts" {
			return errorf(http.StatusForbidden, "AccessDenied", "User: arn:aws:iam::%s:user/ghostaudit is not authorized to perform: sts:%s", c.account, c.action)
		}
		// UnauthorizedOperation: "You are not authorized to perform this operation."
		return errorf(http.StatusForbidden, "UnauthorizedOperation", "You are not authorized to perform this operation. User: arn:aws:iam::%s:user/ghostaudit is not authorized to perform: ec2:%s", c.account, c.action)
	}
	throttle := f.throttle[c.action] + f.throttle["*"]
	unavailable := f.unavailable[c.action] + f.unavailable["*"]
	if throttle == 0 && unavailable == 0 {
		return nil
	}
	s.mu.Lock()
	key := c.account + "/" + c.region + "/" + c.action
	s.counts[key]++
	n := s.counts[key]
	s.mu.Unlock()
	switch {
	case n <= throttle:
		if c.service == "sts" {
			return errorf(http.StatusBadRequest, "Throttling", "Rate exceeded")
		}
		// RequestLimitExceeded: "The maximum request rate permitted by the
		// Amazon EC2 APIs has been exceeded for your account." Served as 503.
		return errorf(http.StatusServiceUnavailable, "RequestLimitExceeded", "Request limit exceeded.")
	case n <= throttle+unavailable:
		if c.service == "sts" {
			return errorf(http.StatusServiceUnavailable, "ServiceUnavailable", "The request has failed due to a temporary failure of the server.")
		}
		// Unavailable (server error): "The server is overloaded and can't
		// handle the request."
		return errorf(http.StatusServiceUnavailable, "Unavailable", "The server is overloaded and can't handle the request.")
	}
	return nil
}

type mergedFaults struct {
	deny        []string
	throttle    map[string]int
	unavailable map[string]int
	latency     time.Duration
}

// faultsFor merges account faults with the region's: deny lists are
// joined, counts and latencies add up.
func (s *Sim) faultsFor(account, region string) mergedFaults {
	m := mergedFaults{throttle: map[string]int{}, unavailable: map[string]int{}}
	a := s.accounts[account]
	if a == nil {
		return m
	}
	add := func(f Faults) {
		m.deny = append(m.deny, f.Deny...)
		for k, v := range f.Throttle {
			m.throttle[k] += v
		}
		for k, v := range f.Unavailable {
			m.unavailable[k] += v
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
	s.requests = append(s.requests, Request{Service: c.service, Action: c.action, Account: c.account, Region: c.region, Status: c.status})
	s.mu.Unlock()
	level := slog.LevelDebug
	s.log.Log(c.r.Context(), level, "awssim request", "service", c.service, "action", c.action,
		"account", c.account, "region", c.region, "status", c.status, "request_id", c.requestID)
}

// EC2 error body, as in "Example error response" of the EC2 error codes page:
// <Response><Errors><Error><Code/><Message/></Error></Errors><RequestID/></Response>
type ec2ErrorResponse struct {
	XMLName   xml.Name     `xml:"Response"`
	Errors    []ec2ErrItem `xml:"Errors>Error"`
	RequestID string       `xml:"RequestID"`
}

type ec2ErrItem struct {
	Code    string `xml:"Code"`
	Message string `xml:"Message"`
}

// STS error body (AWS Query protocol), as in the STS API reference:
// <ErrorResponse xmlns=...><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>
type stsErrorResponse struct {
	XMLName   xml.Name `xml:"ErrorResponse"`
	Xmlns     string   `xml:"xmlns,attr"`
	Type      string   `xml:"Error>Type"`
	Code      string   `xml:"Error>Code"`
	Message   string   `xml:"Error>Message"`
	RequestID string   `xml:"RequestId"`
}

func (s *Sim) fail(c *call, e *apiError) {
	var body any
	if c.service == "sts" {
		typ := "Sender"
		if e.status >= 500 {
			typ = "Receiver"
		}
		body = stsErrorResponse{Xmlns: stsNamespace, Type: typ, Code: e.code, Message: e.message, RequestID: c.requestID}
	} else {
		body = ec2ErrorResponse{Errors: []ec2ErrItem{{Code: e.code, Message: e.message}}, RequestID: c.requestID}
	}
	s.write(c, e.status, body)
}

func (s *Sim) write(c *call, status int, body any) {
	out, err := xml.Marshal(body)
	if err != nil {
		status = http.StatusInternalServerError
		out = []byte(`<Response><Errors><Error><Code>InternalError</Code><Message>An internal error has occurred</Message></Error></Errors></Response>`)
	}
	c.status = status
	c.w.Header().Set("Content-Type", "text/xml;charset=UTF-8")
	c.w.WriteHeader(status)
	_, _ = c.w.Write([]byte(xml.Header))
	_, _ = c.w.Write(out)
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
