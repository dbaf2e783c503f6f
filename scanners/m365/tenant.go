package m365

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/ghostaudit/ghostaudit/scanners"
)

// permission is one Graph call's need: any one of its names (least
// privileged first, then the higher-privileged alternatives Microsoft
// documents for the call, in its "Permissions" table).
type permission struct {
	names []string
	why   string // the Graph call, as the gap and docs/permissions/m365.md name it
	usage bool   // needed only when the usage report is read
}

// requiredPermissions are the application permissions a full scan needs.
// directory/subscriptions does not accept LicenseAssignment.Read.All
// (directory-list-subscriptions: "Organization.Read.All | Directory.Read.All,
// Organization.ReadWrite.All"), so Organization.Read.All, which
// subscribedSkus accepts too, is the least privileged name for both.
var requiredPermissions = []permission{
	{[]string{"Organization.Read.All", "LicenseAssignment.Read.All", "Directory.Read.All", "Organization.ReadWrite.All", "Directory.ReadWrite.All"}, "subscribedSkus", false},
	{[]string{"Organization.Read.All", "Directory.Read.All", "Organization.ReadWrite.All"}, "directory/subscriptions", false},
	{[]string{"User.Read.All", "User.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"}, "users", false},
	{[]string{"AuditLog.Read.All"}, "signInActivity", false},
	{[]string{"ReportSettings.Read.All", "ReportSettings.ReadWrite.All"}, "admin/reportSettings", true},
	{[]string{"Reports.Read.All"}, "reports/getOffice365ActiveUserDetail", true},
	{[]string{"GroupMember.Read.All", "Group.Read.All", "Group.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"}, "groups/{id}", false},
}

// Permissions returns the application permissions a full scan needs, the
// least privileged of each alternative, each once.
func Permissions() []string {
	var out []string
	for _, p := range requiredPermissions {
		if !slices.Contains(out, p.names[0]) {
			out = append(out, p.names[0])
		}
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
	for _, p := range requiredPermissions {
		if p.usage && !s.opts.UsageReport {
			continue
		}
		if !slices.ContainsFunc(p.names, func(n string) bool { return slices.Contains(granted, n) }) {
			missing = append(missing, strings.Join(p.names, " or ")+" ("+p.why+")")
		}
	}
	if len(missing) > 0 {
		sink.Gap(scanners.Gap{Scanner: Info.Name, Account: g.tenant, Scope: "tenant " + g.tenant + " permissions", Operation: "token roles",
			Reason:  scanners.ReasonDenied,
			Message: "the Graph token lacks " + strings.Join(missing, "; ") + ": the calls that need them will be gaps (docs/permissions/m365.md)"})
	}
	return nil
}
