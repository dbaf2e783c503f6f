package awssim

import (
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/aws/smithy-go/encoding/cbor"
)

// protocol is the wire protocol a service speaks in the pinned SDK
// (the Protocol each client's api_client.go installs).
type protocol int

const (
	protoEC2   protocol = iota // ec2query: form POST, XML, <Response><Errors>
	protoQuery                 // awsQuery: form POST, XML, <ErrorResponse>
	protoJSON                  // awsJson1_1: POST /, X-Amz-Target, JSON
	protoCBOR                  // smithy rpcv2Cbor: POST /service/<svc>/operation/<op>
)

// protoNames are the Request.Protocol names.
var protoNames = map[protocol]string{protoEC2: "ec2", protoQuery: "query", protoJSON: "json", protoCBOR: "cbor"}

// errSpec is a fault answer: HTTP status, code and, for CBOR, the __type.
type errSpec struct {
	status int
	code   string
	typ    string
}

// service describes one simulated AWS service.
type service struct {
	id      string // handler key: ec2 sts cloudwatch elbv2 elb rds logs organizations
	name    string // IAM service prefix, recorded in Request.Service
	proto   protocol
	version string // Query Version parameter
	xmlns   string // Query response namespace
	target  string // JSON X-Amz-Target prefix, CBOR service name
	// deny, throttle and unavailable are the service's own answers to the
	// injected faults.
	deny, throttle, unavailable errSpec
}

// JSON 1.1 services document ThrottlingException / TooManyRequestsException
// and AccessDeniedException with HTTP 400; Query services answer
// AccessDenied with 403 and Throttling with 400.
var services = []*service{
	{id: "ec2", name: "ec2", proto: protoEC2, version: ec2Version, xmlns: ec2Namespace,
		deny:        errSpec{http.StatusForbidden, "UnauthorizedOperation", ""},
		throttle:    errSpec{http.StatusServiceUnavailable, "RequestLimitExceeded", ""},
		unavailable: errSpec{http.StatusServiceUnavailable, "Unavailable", ""}},
	{id: "sts", name: "sts", proto: protoQuery, version: stsVersion, xmlns: stsNamespace,
		deny:        errSpec{http.StatusForbidden, "AccessDenied", ""},
		throttle:    errSpec{http.StatusBadRequest, "Throttling", ""},
		unavailable: errSpec{http.StatusServiceUnavailable, "ServiceUnavailable", ""}},
	{id: "elbv2", name: "elasticloadbalancing", proto: protoQuery, version: "2015-12-01",
		xmlns:       "http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/",
		deny:        errSpec{http.StatusForbidden, "AccessDenied", ""},
		throttle:    errSpec{http.StatusBadRequest, "Throttling", ""},
		unavailable: errSpec{http.StatusServiceUnavailable, "ServiceUnavailable", ""}},
	{id: "elb", name: "elasticloadbalancing", proto: protoQuery, version: "2012-06-01",
		xmlns:       "http://elasticloadbalancing.amazonaws.com/doc/2012-06-01/",
		deny:        errSpec{http.StatusForbidden, "AccessDenied", ""},
		throttle:    errSpec{http.StatusBadRequest, "Throttling", ""},
		unavailable: errSpec{http.StatusServiceUnavailable, "ServiceUnavailable", ""}},
	{id: "rds", name: "rds", proto: protoQuery, version: "2014-10-31",
		xmlns:       "http://rds.amazonaws.com/doc/2014-10-31/",
		deny:        errSpec{http.StatusForbidden, "AccessDenied", ""},
		throttle:    errSpec{http.StatusBadRequest, "Throttling", ""},
		unavailable: errSpec{http.StatusServiceUnavailable, "ServiceUnavailable", ""}},
	// CloudWatch is @awsQueryCompatible: the SDK takes the error code from
	// the X-Amzn-Query-Error header ("Throttling;Sender"), so the codes
	// match the old Query API (Throttling is in the SDK's throttle list).
	{id: "cloudwatch", name: "cloudwatch", proto: protoCBOR, target: "GraniteServiceVersion20100801",
		deny:        errSpec{http.StatusForbidden, "AccessDenied", "com.amazon.coral.service#AccessDeniedException"},
		throttle:    errSpec{http.StatusBadRequest, "Throttling", "com.amazon.coral.availability#ThrottlingException"},
		unavailable: errSpec{http.StatusServiceUnavailable, "ServiceUnavailable", "com.amazon.coral.availability#ServiceUnavailableException"}},
	// CloudWatch's awsQuery API, the one its API Reference documents
	// (Version 2010-08-01): the same handlers and data, the same Query
	// codes, in the <ErrorResponse> shape.
	{id: "cloudwatch", name: "cloudwatch", proto: protoQuery, version: cwVersion, xmlns: cwNamespace,
		deny:        errSpec{http.StatusForbidden, "AccessDenied", ""},
		throttle:    errSpec{http.StatusBadRequest, "Throttling", ""},
		unavailable: errSpec{http.StatusServiceUnavailable, "ServiceUnavailable", ""}},
	{id: "logs", name: "logs", proto: protoJSON, target: "Logs_20140328",
		deny:        errSpec{http.StatusBadRequest, "AccessDeniedException", ""},
		throttle:    errSpec{http.StatusBadRequest, "ThrottlingException", ""},
		unavailable: errSpec{http.StatusServiceUnavailable, "ServiceUnavailableException", ""}},
	{id: "organizations", name: "organizations", proto: protoJSON, target: "AWSOrganizationsV20161128",
		deny:        errSpec{http.StatusBadRequest, "AccessDeniedException", ""},
		throttle:    errSpec{http.StatusBadRequest, "TooManyRequestsException", ""},
		unavailable: errSpec{http.StatusServiceUnavailable, "ServiceException", ""}},
	// Price List Query API (pricing.go), for the live price fetch.
	{id: "pricing", name: "pricing", proto: protoJSON, target: pricingTarget,
		deny:        errSpec{http.StatusBadRequest, "AccessDeniedException", ""},
		throttle:    errSpec{http.StatusBadRequest, "ThrottlingException", ""},
		unavailable: errSpec{http.StatusServiceUnavailable, "InternalErrorException", ""}},
}

func serviceBy(f func(*service) bool) *service {
	for _, s := range services {
		if f(s) {
			return s
		}
	}
	return nil
}

const cborPathPrefix = "/service/"

// route identifies the service and operation from the request shape:
// the RPCv2 path, the X-Amz-Target header, or the Query Action and
// Version (falling back on the SigV4 scope's service name).
func route(c *call, scopeService string) {
	r := c.r
	if rest, ok := strings.CutPrefix(r.URL.Path, cborPathPrefix); ok {
		name, op, _ := strings.Cut(rest, "/operation/")
		c.svc = serviceBy(func(s *service) bool { return s.proto == protoCBOR && s.target == name })
		c.action = op
		if c.svc == nil {
			c.svc = &service{id: "unknown", name: scopeService, proto: protoCBOR, target: name}
		}
		return
	}
	if t := r.Header.Get("X-Amz-Target"); t != "" {
		prefix, op, _ := strings.Cut(t, ".")
		c.svc = serviceBy(func(s *service) bool { return s.proto == protoJSON && s.target == prefix })
		c.action = op
		if c.svc == nil {
			c.svc = &service{id: "unknown", name: scopeService, proto: protoJSON, target: prefix}
		}
		return
	}
	c.action = r.Form.Get("Action")
	version := r.Form.Get("Version")
	switch scopeService {
	case "ec2", "sts":
		c.svc = serviceBy(func(s *service) bool { return s.id == scopeService })
		return
	}
	c.svc = serviceBy(func(s *service) bool { return s.version != "" && s.version == version })
	if c.svc == nil {
		c.svc = serviceBy(func(s *service) bool { return s.id == "ec2" })
	}
}

// ServeHTTP serves one request in the protocol of its service.
func (s *Sim) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c := &call{w: w, r: r, requestID: s.nextRequestID()}
	defer s.record(c)
	w.Header().Set("x-amzn-RequestId", c.requestID)

	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	// ParseForm reads the body only for form-encoded requests.
	formErr := r.ParseForm()
	scope, signed := credentialScope(r)
	route(c, scope.service)
	c.service = c.svc.name
	c.proto = protoNames[c.svc.proto]
	c.region, c.accessKey = scope.region, scope.accessKey
	if c.svc.id == "cloudwatch" && s.cwProto != "" && c.proto != s.cwProto {
		s.unknownCloudWatchProtocol(c)
		return
	}
	if formErr == nil && (c.svc.proto == protoJSON || c.svc.proto == protoCBOR) {
		c.body, formErr = io.ReadAll(r.Body)
	}

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
		switch c.svc.proto {
		case protoEC2:
			s.fail(c, errorf(http.StatusUnauthorized, "MissingAuthenticationToken", "Request is missing Authentication Token")) // EC2 answers 401
		case protoJSON:
			s.fail(c, errorf(http.StatusBadRequest, "MissingAuthenticationTokenException", "Missing Authentication Token"))
		default:
			s.fail(c, errorf(http.StatusForbidden, "MissingAuthenticationToken", "Request is missing Authentication Token"))
		}
		return
	}
	if scope.malformed {
		if c.svc.proto == protoEC2 {
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
	if c.svc.proto == protoCBOR && !strings.EqualFold(r.Header.Get("Smithy-Protocol"), "rpc-v2-cbor") {
		s.fail(c, errorf(http.StatusBadRequest, "UnknownOperationException", "The Smithy-Protocol header must be rpc-v2-cbor."))
		return
	}
	handler := s.handler(c.svc.id, c.action)
	if handler == nil {
		switch c.svc.proto {
		case protoJSON:
			s.fail(c, errorf(http.StatusBadRequest, "UnknownOperationException", "The operation %s is not supported.", c.action))
		case protoCBOR:
			// rpcv2Cbor: an unknown operation is 404 UnknownOperationException.
			s.fail(c, errorf(http.StatusNotFound, "UnknownOperationException", "The operation %s is not supported.", c.action))
		default:
			// InvalidAction: "The action or operation requested is not valid.
			// Verify that the action is typed correctly." (HTTP 400)
			s.fail(c, errorf(http.StatusBadRequest, "InvalidAction", "The action %s is not valid for this web service.", c.action))
		}
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

// unknownCloudWatchProtocol answers a CloudWatch request in the protocol
// the simulator was told not to speak (Estate.CloudWatchProtocol) as an
// endpoint that speaks only the other one would:
//   - Query only, asked in CBOR: a Query service finds the operation in
//     the Action form parameter, and a CBOR body is not a form, so there
//     is none. CloudWatch's Common Errors page: "MissingAction: The request
//     is missing an action or a required parameter. HTTP Status Code: 400",
//     in the Query <ErrorResponse> shape. (LocalStack's Query-only
//     CloudWatch answered the CBOR SDKs the same way: "Missing Action in
//     request for query-protocol service", localstack#13028.)
//   - CBOR only, asked in Query: an RPC v2 CBOR service routes only
//     POST /service/<service>/operation/<operation>; any other request
//     names no operation it knows, which Smithy servers answer with 404
//     UnknownOperationException, as awssim does for an unknown CBOR
//     operation, in a CBOR body.
func (s *Sim) unknownCloudWatchProtocol(c *call) {
	if s.cwProto == CloudWatchQuery {
		c.svc = serviceBy(func(sv *service) bool { return sv.id == "cloudwatch" && sv.proto == protoQuery })
		s.fail(c, errorf(http.StatusBadRequest, "MissingAction", "The request must contain the parameter Action."))
		return
	}
	c.svc = serviceBy(func(sv *service) bool { return sv.id == "cloudwatch" && sv.proto == protoCBOR })
	s.fail(c, errorf(http.StatusNotFound, "UnknownOperationException", "The request does not name an operation of this service."))
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
	case "cloudwatch/GetMetricData":
		return s.getMetricData
	}
	return s.moreHandlers(service, action)
}

var errClientGone = errors.New("client went away")

// inject applies the merged account and region faults for the call:
// latency first, then deny, then throttle, then unavailable. The errors are
// the service's own (see services).
func (s *Sim) inject(c *call) error {
	f := s.faultsFor(c.account, c.region)
	// The rate buckets are consulted when the request arrives; the answer
	// comes after the latency like any other.
	admitted := s.takeTokens(c, f)
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
		d := c.svc.deny
		msg := "User: arn:aws:iam::" + c.account + ":user/" + callerUser + " is not authorized to perform: " + c.svc.name + ":" + c.action
		if c.svc.id == "ec2" {
			// UnauthorizedOperation: "You are not authorized to perform this operation."
			msg = "You are not authorized to perform this operation. " + msg
		}
		return &apiError{status: d.status, code: d.code, message: msg, typ: d.typ}
	}
	if c.svc.proto == protoEC2 {
		for _, name := range sortedKeys(c.r.Form) {
			if base, _, _ := strings.Cut(name, "."); contains(f.unknown, base) {
				// UnknownParameter: "An unknown or unrecognized parameter
				// was supplied." (Error codes for the Amazon EC2 API)
				return errorf(http.StatusBadRequest, "UnknownParameter", "The parameter %s is not recognized", base)
			}
		}
	}
	if !admitted {
		return throttled(c)
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
		return throttled(c)
	case n <= throttle+unavailable:
		u := c.svc.unavailable
		msg := "The request has failed due to a temporary failure of the server."
		if c.svc.id == "ec2" {
			msg = "The server is overloaded and can't handle the request."
		}
		return &apiError{status: u.status, code: u.code, message: msg, typ: u.typ}
	}
	return nil
}

// throttled is the service's own throttling error.
func throttled(c *call) *apiError {
	t := c.svc.throttle
	msg := "Rate exceeded"
	if c.svc.id == "ec2" {
		// RequestLimitExceeded: "The maximum request rate permitted by the
		// Amazon EC2 APIs has been exceeded for your account."
		msg = "Request limit exceeded."
	}
	return &apiError{status: t.status, code: t.code, message: msg, typ: t.typ}
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

// queryErrorResponse is the AWS Query protocol's error body (STS, ELB,
// RDS API references):
// <ErrorResponse xmlns=...><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>
type queryErrorResponse struct {
	XMLName   xml.Name `xml:"ErrorResponse"`
	Xmlns     string   `xml:"xmlns,attr"`
	Type      string   `xml:"Error>Type"`
	Code      string   `xml:"Error>Code"`
	Message   string   `xml:"Error>Message"`
	RequestID string   `xml:"RequestId"`
}

func (s *Sim) fail(c *call, e *apiError) {
	fault := "Sender"
	if e.status >= 500 {
		fault = "Receiver"
	}
	switch c.svc.proto {
	case protoQuery:
		s.write(c, e.status, queryErrorResponse{Xmlns: c.svc.xmlns, Type: fault, Code: e.code, Message: e.message, RequestID: c.requestID})
	case protoJSON:
		// awsJson1_1 errors: {"__type": "...", "message": "..."} plus the
		// X-Amzn-ErrorType header.
		c.w.Header().Set("X-Amzn-ErrorType", e.code)
		s.write(c, e.status, map[string]string{"__type": e.code, "message": e.message})
	case protoCBOR:
		typ := e.typ
		if typ == "" {
			typ = "com.amazonaws.cloudwatch#" + e.code
		}
		// A query-compatible service names the Query error code here.
		c.w.Header().Set("X-Amzn-Query-Error", e.code+";"+fault)
		s.write(c, e.status, cbor.Map{"__type": cbor.String(typ), "message": cbor.String(e.message)})
	default:
		s.write(c, e.status, ec2ErrorResponse{Errors: []ec2ErrItem{{Code: e.code, Message: e.message}}, RequestID: c.requestID})
	}
}

// queryResult is a Query (non-EC2) result: it is written as
// <ActionResponse xmlns><ActionResult>v</ActionResult><ResponseMetadata/></ActionResponse>.
type queryResult struct{ v any }

func (s *Sim) write(c *call, status int, body any) {
	var out []byte
	var err error
	ctype := "text/xml;charset=UTF-8"
	switch b := body.(type) {
	case cbor.Value:
		out, ctype = cbor.Encode(b), "application/cbor"
		// "unexpected smithy-protocol response header" otherwise.
		c.w.Header().Set("Smithy-Protocol", "rpc-v2-cbor")
	case queryResult:
		out, err = queryXML(c, b.v)
	default:
		if c.svc != nil && c.svc.proto == protoJSON {
			ctype = "application/x-amz-json-1.1"
			out, err = json.Marshal(body)
		} else {
			out, err = xml.Marshal(body)
		}
	}
	if err != nil {
		status = http.StatusInternalServerError
		out = []byte(`<Response><Errors><Error><Code>InternalError</Code><Message>An internal error has occurred</Message></Error></Errors></Response>`)
		ctype = "text/xml;charset=UTF-8"
	}
	c.status = status
	c.w.Header().Set("Content-Type", ctype)
	c.w.WriteHeader(status)
	if strings.HasPrefix(ctype, "text/xml") {
		_, _ = c.w.Write([]byte(xml.Header))
	}
	_, _ = c.w.Write(out)
}

func queryXML(c *call, v any) ([]byte, error) {
	var sb strings.Builder
	e := xml.NewEncoder(&sb)
	root := xml.StartElement{Name: xml.Name{Local: c.action + "Response"}, Attr: []xml.Attr{{Name: xml.Name{Local: "xmlns"}, Value: c.svc.xmlns}}}
	if err := e.EncodeToken(root); err != nil {
		return nil, err
	}
	if err := e.EncodeElement(v, xml.StartElement{Name: xml.Name{Local: c.action + "Result"}}); err != nil {
		return nil, err
	}
	if err := e.EncodeElement(stsMetadata{c.requestID}, xml.StartElement{Name: xml.Name{Local: "ResponseMetadata"}}); err != nil {
		return nil, err
	}
	if err := e.EncodeToken(root.End()); err != nil {
		return nil, err
	}
	if err := e.Flush(); err != nil {
		return nil, err
	}
	return []byte(sb.String()), nil
}
