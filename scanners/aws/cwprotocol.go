package aws

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/schemas"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/transport/http/protocol/awsquery"
)

// CloudWatch's wire protocol.
//
// The pinned SDK sends CloudWatch requests in Smithy RPC v2 CBOR only
// (cloudwatch api_client.go installs rpcv2.NewCBOR). Real CloudWatch
// accepts CBOR, JSON 1.0 and awsQuery, the protocol its API Reference
// documents ("Making API requests": Action=GetMetricData&Version=2010-08-01);
// endpoints that implement only what the API Reference documents (moto:
// "no current (or planned) support … for the RPC v2 CBOR protocol",
// getmoto/moto#9195) speak only Query. So GetMetricData goes out in CBOR
// first and, when an endpoint shows that it does not understand CBOR
// (cborNotUnderstood), again in awsQuery; the protocol that worked is
// remembered per endpoint for the rest of the scan, so later calls, in
// every account and region sharing the endpoint, go straight to it.

// cwWire is a CloudWatch endpoint's protocol, once known.
type cwWire int

const (
	cwUnknown cwWire = iota
	cwCBOR
	cwQuery
)

// useQuery is the per-call option that sends a CloudWatch call in
// awsQuery (smithy-go's protocol, with the service's schema for its
// Version and XML namespace).
func useQuery(o *cloudwatch.Options) {
	o.Protocol = awsquery.New(schemas.GraniteServiceVersion20100801)
}

// cwEndpoints maps a CloudWatch endpoint to what is known of its protocol.
// It is shared by every scope of a scanner and safe for concurrent use.
type cwEndpoints struct {
	mu  sync.Mutex
	m   map[string]*cwEndpoint
	log *slog.Logger
}

func newCWEndpoints(log *slog.Logger) *cwEndpoints {
	return &cwEndpoints{m: map[string]*cwEndpoint{}, log: log}
}

// get returns the endpoint named key (its URL, or "region <name>" for
// the SDK's regional endpoint).
func (c *cwEndpoints) get(key string) *cwEndpoint {
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.m[key]
	if e == nil {
		e = &cwEndpoint{name: key, log: c.log}
		c.m[key] = e
	}
	return e
}

// cwEndpoint is one CloudWatch endpoint. Until its protocol is known, the
// first call to it probes (CBOR, then Query if need be) while the calls
// that arrive meanwhile wait for the outcome instead of each paying for a
// failed CBOR attempt. If the probe decides nothing (throttled, denied,
// a server error), later calls probe on their own, without waiting.
type cwEndpoint struct {
	name    string
	log     *slog.Logger
	mu      sync.Mutex
	wire    cwWire
	probed  bool          // the first probe has started
	probing chan struct{} // closed when the first probe ends
}

// acquire returns the endpoint's protocol; probe is true for the caller
// that runs the first probe, which must call settle.
func (e *cwEndpoint) acquire(ctx context.Context) (wire cwWire, probe bool, err error) {
	e.mu.Lock()
	for e.wire == cwUnknown && e.probing != nil {
		ch := e.probing
		e.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return cwUnknown, false, ctx.Err()
		}
		e.mu.Lock()
	}
	defer e.mu.Unlock()
	if e.wire == cwUnknown && !e.probed {
		e.probed = true
		e.probing = make(chan struct{})
		return cwUnknown, true, nil
	}
	return e.wire, false, nil
}

// settle records what a probe learnt (cwUnknown: nothing) and, for the
// first probe, releases the calls waiting for it.
func (e *cwEndpoint) settle(w cwWire, probe bool, cborErr error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if w != cwUnknown && e.wire == cwUnknown {
		e.wire = w
		if w == cwQuery {
			e.log.Info("the CloudWatch endpoint does not speak Smithy RPC v2 CBOR; using the awsQuery protocol for it",
				"endpoint", e.name, "cbor_error", cborErr)
		}
	}
	if probe {
		close(e.probing)
		e.probing = nil
	}
}

// nextPage fetches p's next page in the endpoint's protocol. When the
// protocol is not known yet, it tries CBOR and, if the endpoint does not
// understand CBOR, awsQuery; if both fail, the error is CBOR's, with the
// Query attempt's error appended.
func (e *cwEndpoint) nextPage(ctx context.Context, p *cloudwatch.GetMetricDataPaginator) (*cloudwatch.GetMetricDataOutput, error) {
	wire, probe, err := e.acquire(ctx)
	if err != nil {
		return nil, err
	}
	switch wire {
	case cwCBOR:
		return p.NextPage(ctx)
	case cwQuery:
		return p.NextPage(ctx, useQuery)
	}
	// A failed NextPage leaves the paginator where it was: the Query
	// attempt asks for the same page.
	out, err := p.NextPage(ctx)
	if err == nil {
		e.settle(cwCBOR, probe, nil)
		return out, nil
	}
	if !cborNotUnderstood(err) {
		e.settle(cwUnknown, probe, nil)
		return nil, err
	}
	qout, qerr := p.NextPage(ctx, useQuery)
	if qerr == nil {
		e.settle(cwQuery, probe, err)
		return qout, nil
	}
	e.settle(cwUnknown, probe, nil)
	return nil, fmt.Errorf("%w (sent again in the awsQuery protocol: %v)", err, qerr)
}

// protocolErrorCodes are error codes that say the server did not
// recognise the request as an operation of its protocol: RPC v2 and JSON
// servers' UnknownOperationException, Query servers' InvalidAction and
// MissingAction ("The request is missing an action or a required
// parameter", Common Errors), and UnknownError, the SDK's code for an
// error response whose body named no error at all.
var protocolErrorCodes = map[string]bool{
	"UnknownOperationException": true, "UnknownOperation": true, "InvalidAction": true,
	"MissingAction": true, "UnsupportedProtocol": true, "UnknownError": true,
}

// cborNotUnderstood reports whether a CBOR call failed because the
// endpoint does not speak CBOR: HTTP 404 (no such path: the CBOR request
// goes to /service/…/operation/…), 405 or 415 (Content-Type
// application/cbor refused), an answer the CBOR deserializer cannot
// decode (an XML, JSON or HTML body), or a 4xx whose code says the
// operation or protocol is unknown. A throttled, denied (401, 403) or
// timed-out (408, 429) call, a 5xx, a network or context error is not
// one: the endpoint may well speak CBOR, and the error stands.
func cborNotUnderstood(err error) bool {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var re *awshttp.ResponseError
	if !errors.As(err, &re) {
		return false // no HTTP answer
	}
	switch status := re.HTTPStatusCode(); {
	case status >= 500, status == http.StatusUnauthorized, status == http.StatusForbidden,
		status == http.StatusRequestTimeout, status == http.StatusTooManyRequests:
		return false
	case status == http.StatusNotFound, status == http.StatusMethodNotAllowed, status == http.StatusUnsupportedMediaType:
		return true
	}
	var de *smithy.DeserializationError
	if errors.As(err, &de) {
		return true
	}
	var api smithy.APIError
	return errors.As(err, &api) && protocolErrorCodes[api.ErrorCode()]
}
