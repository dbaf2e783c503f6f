package m365

import (
	"context"
	"fmt"
	"net/http"

	abstractions "github.com/microsoft/kiota-abstractions-go"
	"github.com/microsoft/kiota-abstractions-go/authentication"
	khttp "github.com/microsoft/kiota-http-go"

	"github.com/ghostaudit/ghostaudit/scanners"
)

// The scanner only reads: every Graph call it makes is a GET (users,
// subscribedSkus, directory/subscriptions, admin/reportSettings, the usage
// report and its download). The guard refuses any other method twice:
//
//   - readOnlyAuth wraps the authentication provider, so a mutating
//     request built by the SDK (users/{id}/assignLicense, a PATCH of
//     admin/reportSettings...) is refused before a token is fetched for it;
//   - readOnlyMiddleware is the first handler of the HTTP pipeline, so
//     nothing else that uses the client (page iterators, raw requests,
//     redirects) can send one either.
//
// Token requests to the authority are POSTs, but azidentity sends them
// through its own pipeline, not this client, so they are unaffected.

// readOnlyAuth refuses non-GET request information before authenticating it.
type readOnlyAuth struct {
	authentication.AuthenticationProvider
}

// AuthenticateRequest implements authentication.AuthenticationProvider.
func (a readOnlyAuth) AuthenticateRequest(ctx context.Context, req *abstractions.RequestInformation, extra map[string]any) error {
	if req != nil && req.Method != abstractions.GET {
		return fmt.Errorf("m365: graph %s %s: %w", req.Method.String(), req.UrlTemplate, scanners.ErrReadOnly)
	}
	return a.AuthenticationProvider.AuthenticateRequest(ctx, req, extra)
}

// readOnlyMiddleware refuses non-GET requests at the transport.
type readOnlyMiddleware struct{}

// Intercept implements khttp.Middleware.
func (readOnlyMiddleware) Intercept(p khttp.Pipeline, i int, req *http.Request) (*http.Response, error) {
	if req.Method != http.MethodGet {
		return nil, fmt.Errorf("m365: graph %s %s: %w", req.Method, req.URL.Path, scanners.ErrReadOnly)
	}
	return p.Next(req, i)
}

var _ authentication.AuthenticationProvider = readOnlyAuth{}
var _ khttp.Middleware = readOnlyMiddleware{}
