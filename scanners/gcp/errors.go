package gcp

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"time"

	gax "github.com/googleapis/gax-go/v2"
	"google.golang.org/api/googleapi"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/ghostaudit/ghostaudit/scanners"
)

// reason classifies a gRPC error into a Gap reason. PERMISSION_DENIED
// with ErrorInfo reason SERVICE_DISABLED means the API is not enabled in
// the project: that scope does not offer the API, it is not a missing role.
func reason(err error) string {
	if errors.Is(err, scanners.ErrReadOnly) {
		return scanners.ReasonDenied
	}
	var ge *googleapi.Error
	if errors.As(err, &ge) {
		return restReason(ge)
	}
	st, ok := status.FromError(err)
	if !ok {
		return scanners.ReasonError
	}
	switch st.Code() {
	case codes.PermissionDenied:
		if errorInfoReason(st) == "SERVICE_DISABLED" {
			return scanners.ReasonUnsupported
		}
		return scanners.ReasonDenied
	case codes.Unauthenticated:
		return scanners.ReasonNoCredentials
	case codes.ResourceExhausted:
		return scanners.ReasonThrottled
	case codes.Unimplemented:
		return scanners.ReasonUnsupported
	}
	return scanners.ReasonError
}

func errorInfoReason(st *status.Status) string {
	for _, d := range st.Details() {
		if info, ok := d.(*errdetails.ErrorInfo); ok {
			return info.GetReason()
		}
	}
	return ""
}

// message is the error text for a gap: the status message without the
// "rpc error: code = ... desc =" wrapping.
func message(err error) string {
	var ge *googleapi.Error
	if errors.As(err, &ge) {
		return restMessage(ge)
	}
	if st, ok := status.FromError(err); ok && st.Code() != codes.Unknown {
		return st.Code().String() + ": " + st.Message()
	}
	return err.Error()
}

// gapFor records a failed call as a coverage gap.
func gapFor(account, region, op, scope string, err error) scanners.Gap {
	return scanners.Gap{
		Scanner:   "gcp",
		Account:   account,
		Region:    region,
		Scope:     scope,
		Operation: op,
		Reason:    reason(err),
		Message:   message(err),
	}
}

// retryer retries throttled and unavailable calls a bounded number of
// times with jittered exponential backoff. The generated clients retry
// only UNAVAILABLE and DEADLINE_EXCEEDED, for up to 60s; a scan wants
// RESOURCE_EXHAUSTED retried too, and a bounded attempt count so that a
// persistently failing scope becomes a gap quickly.
type retryer struct {
	attempts, max int
	backoff       gax.Backoff
}

func newRetryer(maxAttempts int, maxBackoff time.Duration) func() gax.Retryer {
	if maxBackoff <= 0 {
		maxBackoff = 20 * time.Second
	}
	return func() gax.Retryer {
		return &retryer{max: maxAttempts, backoff: gax.Backoff{Initial: min(200*time.Millisecond, maxBackoff), Max: maxBackoff, Multiplier: 2}}
	}
}

// Retry implements gax.Retryer.
func (r *retryer) Retry(err error) (time.Duration, bool) {
	r.attempts++
	if r.attempts >= r.max {
		return 0, false
	}
	switch status.Code(err) {
	case codes.ResourceExhausted, codes.Unavailable:
		return r.backoff.Pause(), true
	}
	return 0, false
}

func discardLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// contextDone returns the context's error when the call failed because the
// context ended. gRPC arms its own timer from the context's deadline, so a
// DeadlineExceeded status can arrive a moment before ctx.Err() is set; such
// a status on a context with an expired deadline is the deadline.
func contextDone(ctx context.Context, err error) error {
	if e := ctx.Err(); e != nil {
		return e
	}
	switch status.Code(err) {
	case codes.DeadlineExceeded:
		if d, ok := ctx.Deadline(); ok && !time.Now().Before(d.Add(-50*time.Millisecond)) {
			return context.DeadlineExceeded
		}
	case codes.Canceled:
		<-ctx.Done()
		return ctx.Err()
	}
	return nil
}

// ctxErr is ctx.Err(), or context.DeadlineExceeded once the deadline has
// passed: the server may end a call at the deadline it was sent a moment
// before the client's own timer marks the context done.
func ctxErr(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if dl, ok := ctx.Deadline(); ok && !time.Now().Before(dl) {
		return context.DeadlineExceeded
	}
	return nil
}
