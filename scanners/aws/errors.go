package aws

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/smithy-go"

	"github.com/ghostaudit/ghostaudit/scanners"
)

// Error codes that AWS services return for a denied call, a throttled
// call, and a scope that does not offer the API. EC2's are listed in
// "Error codes for the Amazon EC2 API"; STS and JSON services use
// AccessDenied / AccessDeniedException and Throttling / ThrottlingException.
var (
	deniedCodes = map[string]bool{
		"UnauthorizedOperation": true, "AccessDenied": true, "AccessDeniedException": true,
		"AuthFailure": true, "UnrecognizedClientException": true, "InvalidClientTokenId": true,
		"ExpiredToken": true, "SignatureDoesNotMatch": true, "OptInRequired": false,
	}
	throttledCodes = map[string]bool{
		"RequestLimitExceeded": true, "Throttling": true, "ThrottlingException": true,
		"TooManyRequestsException": true, "ThrottledException": true,
	}
	// AWSOrganizationsNotInUseException: --aws-org-accounts for an account
	// that belongs to no organization.
	unsupportedCodes = map[string]bool{"OptInRequired": true, "UnsupportedOperation": true, "InvalidAction": true,
		"AWSOrganizationsNotInUseException": true}
)

// reason classifies an SDK error into a Gap reason.
func reason(err error) string {
	var qs *queryStatusError
	if errors.As(err, &qs) {
		return qs.reason()
	}
	var api smithy.APIError
	if errors.As(err, &api) {
		code := api.ErrorCode()
		switch {
		case deniedCodes[code]:
			return scanners.ReasonDenied
		case throttledCodes[code]:
			return scanners.ReasonThrottled
		case unsupportedCodes[code]:
			return scanners.ReasonUnsupported
		}
	}
	var quota ratelimit.QuotaExceededError
	if errors.As(err, &quota) {
		return scanners.ReasonThrottled
	}
	if errors.Is(err, scanners.ErrReadOnly) {
		return scanners.ReasonDenied
	}
	return scanners.ReasonError
}

// gapFor records a failed call as a coverage gap. A call whose attempts
// timed out says which setting bounds them.
func gapFor(account, region, op, scope string, err error) scanners.Gap {
	// http.Client's timeout (--aws-call-timeout) surfaces as
	// context.DeadlineExceeded; the transport's own dial or TLS timeouts
	// are other net.Errors and keep their own message.
	if errors.Is(err, context.DeadlineExceeded) && !strings.Contains(err.Error(), "--aws-scope-timeout") {
		err = fmt.Errorf("%w (no answer within --aws-call-timeout)", err)
	}
	return scanners.Gap{
		Scanner:   "aws",
		Account:   account,
		Region:    region,
		Scope:     scope,
		Operation: op,
		Reason:    reason(err),
		Message:   err.Error(),
	}
}

func discardLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }
