package m365

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"github.com/microsoftgraph/msgraph-sdk-go/models/odataerrors"

	"github.com/ghostaudit/ghostaudit/scanners"
)

// Graph error codes the scanner recognises.
const (
	codeNonPremium    = "Authentication_RequestFromNonPremiumTenantOrB2CTenant"
	codeRequestDenied = "Authorization_RequestDenied"
)

// graphError is what a failed Graph call tells the scanner.
type graphError struct {
	status  int
	code    string
	message string
}

// classify reads an error from the SDK: Graph's OData error body, or an
// authentication failure.
func classify(err error) (graphError, string) {
	var oe *odataerrors.ODataError
	if errors.As(err, &oe) {
		ge := graphError{status: oe.ResponseStatusCode}
		if main := oe.GetErrorEscaped(); main != nil {
			if c := main.GetCode(); c != nil {
				ge.code = *c
			}
			if m := main.GetMessage(); m != nil {
				ge.message = *m
			}
		}
		return ge, reasonFor(ge.status)
	}
	var te *throttledError
	if errors.As(err, &te) {
		return graphError{status: http.StatusTooManyRequests, message: te.Error()}, scanners.ReasonThrottled
	}
	var afe *azidentity.AuthenticationFailedError
	if errors.As(err, &afe) {
		return graphError{status: http.StatusUnauthorized, message: err.Error()}, scanners.ReasonNoCredentials
	}
	return graphError{message: err.Error()}, scanners.ReasonError
}

func reasonFor(status int) string {
	switch status {
	case http.StatusUnauthorized, http.StatusForbidden:
		return scanners.ReasonDenied
	case http.StatusTooManyRequests:
		return scanners.ReasonThrottled
	}
	return scanners.ReasonError
}

func (g graphError) String() string {
	switch {
	case g.status != 0 && g.code != "":
		return fmt.Sprintf("HTTP %d %s: %s", g.status, g.code, g.message)
	case g.status != 0:
		return fmt.Sprintf("HTTP %d: %s", g.status, g.message)
	}
	return g.message
}

// gap turns a failed call into a Gap, unless the context ended, which is
// returned instead so the scan stops.
func (s *Scanner) gap(ctx context.Context, sink scanners.Sink, tenant, op, scope string, err error) error {
	return s.gapNote(ctx, sink, tenant, op, scope, "", err)
}

// gapNote is gap with a note on what the failure means for the findings.
func (s *Scanner) gapNote(ctx context.Context, sink scanners.Sink, tenant, op, scope, note string, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	ge, reason := classify(err)
	msg := ge.String()
	switch {
	case reason == scanners.ReasonDenied && ge.code == codeRequestDenied:
		msg += " (the app lacks a permission; see docs/permissions/m365.md)"
	case reason == scanners.ReasonThrottled:
		msg += fmt.Sprintf(" (still throttled after %d retries)", s.opts.MaxRetries)
	}
	if note != "" {
		msg += "; " + note
	}
	s.env.Logger.Warn("graph call failed", "tenant", tenant, "operation", op, "reason", reason, "err", msg)
	sink.Gap(scanners.Gap{Scanner: Info.Name, Account: tenant, Scope: scope, Operation: op, Reason: reason, Message: msg})
	return nil
}
