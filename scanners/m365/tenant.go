package m365

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/ghostaudit/ghostaudit/scanners"
)

// requiredPermissions are the application permissions a full scan needs;
// each entry is satisfied by any one of its names (least privileged first).
var requiredPermissions = [][]string{
	{"LicenseAssignment.Read.All", "Organization.Read.All", "Directory.Read.All"}, // subscribedSkus, directory/subscriptions
	{"User.Read.All", "Directory.Read.All"},                                       // users, licences
	{"AuditLog.Read.All"},                                                         // users signInActivity
	{"ReportSettings.Read.All"},                                                   // admin/reportSettings
	{"Reports.Read.All"},                                                          // usage reports
	{"GroupMember.Read.All", "Group.Read.All", "Directory.Read.All"},              // names of licensing groups
}

// Permissions returns the application permissions a full scan needs, the
// least privileged of each alternative.
func Permissions() []string {
	var out []string
	for _, alt := range requiredPermissions {
		out = append(out, alt[0])
	}
	return out
}

// scanTenant scans one tenant. It returns an error only when the tenant
// could not be authenticated at all (a Gap says so too); other failures
// are gaps. A cancelled context ends it early; Scan checks ctx.
func (s *Scanner) scanTenant(ctx context.Context, tenant string, sink scanners.Sink) error {
	g, err := s.newGraph(tenant)
	if err != nil {
		sink.Gap(scanners.Gap{Scanner: Info.Name, Account: tenant, Scope: "tenant " + tenant, Operation: "credential",
			Reason: scanners.ReasonNoCredentials, Message: err.Error() + "; " + noCredentialsHelp})
		return err
	}
	if err := s.checkPermissions(ctx, g, sink); err != nil {
		return err
	}
	subs, err := s.subscriptions(ctx, g, sink)
	if err != nil {
		return nil
	}
	skus, err := s.skus(ctx, g, subs, sink)
	if err != nil {
		return nil
	}
	usage, err := s.usage(ctx, g, sink)
	if err != nil {
		return nil
	}
	_ = s.users(ctx, g, skus, usage, sink)
	return nil
}

// checkPermissions reads the token's roles (or delegated scopes) and
// records one gap listing the permissions it lacks, so the coverage sheet
// says why the calls that follow are denied. A token that cannot be read
// (not a JWT, no claims) is not checked. An error means no token at all.
func (s *Scanner) checkPermissions(ctx context.Context, g *graph, sink scanners.Sink) error {
	roles, scp, known, err := g.tokenClaims(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		_, reason := classify(err)
		if reason == scanners.ReasonError {
			reason = scanners.ReasonNoCredentials
		}
		sink.Gap(scanners.Gap{Scanner: Info.Name, Account: g.tenant, Scope: "tenant " + g.tenant, Operation: "token",
			Reason: reason, Message: "no Graph token: " + err.Error()})
		return fmt.Errorf("tenant %s: %w", g.tenant, err)
	}
	if !known {
		s.env.Logger.Debug("token carries no readable roles; permission check skipped", "tenant", g.tenant)
		return nil
	}
	granted := append(roles, scp...)
	var missing []string
	for _, alt := range requiredPermissions {
		if !slices.ContainsFunc(alt, func(p string) bool { return slices.Contains(granted, p) }) {
			missing = append(missing, strings.Join(alt, " or "))
		}
	}
	if len(missing) > 0 {
		sink.Gap(scanners.Gap{Scanner: Info.Name, Account: g.tenant, Scope: "tenant " + g.tenant + " permissions", Operation: "token roles",
			Reason:  scanners.ReasonDenied,
			Message: "the Graph token lacks " + strings.Join(missing, "; ") + ": the calls that need them will be gaps (docs/permissions/m365.md)"})
	}
	return nil
}
