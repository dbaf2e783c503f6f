package gcp

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"cloud.google.com/go/billing/apiv1/billingpb"
	gax "github.com/googleapis/gax-go/v2"
	"google.golang.org/api/iterator"

	"github.com/ghostaudit/ghostaudit/scanners"
)

// project is one project in scope and the billing account paying for it.
type project struct {
	id             string
	billingAccount string // the account ID, without billingAccounts/
}

// projects returns the projects to scan, sorted by id. Configured projects
// are looked up one by one; otherwise the projects linked to the
// configured or visible billing accounts are listed. A project with
// billing disabled, and an account or project that cannot be read, become
// gaps. It fails only when nothing can be listed at all.
func (s *Scanner) projects(ctx context.Context, c *clients, sink scanners.Sink) ([]project, error) {
	retry := gax.WithRetry(newRetryer(s.opts.MaxAttempts, s.opts.MaxBackoff))
	var out []project
	if len(s.opts.Projects) > 0 {
		for _, id := range dedupe(s.opts.Projects) {
			info, err := c.billing.GetProjectBillingInfo(ctx, &billingpb.GetProjectBillingInfoRequest{Name: "projects/" + id}, retry)
			if err != nil {
				if cerr := contextDone(ctx, err); cerr != nil {
					return nil, fmt.Errorf("gcp: %w", cerr)
				}
				s.gap(sink, gapFor(id, "", "cloudbilling.GetProjectBillingInfo", "project "+id, err), err)
				continue
			}
			if p, ok := s.billed(sink, info, nil); ok {
				out = append(out, p)
			}
		}
		return out, nil
	}

	accounts, open, err := s.billingAccounts(ctx, c, retry, sink)
	if err != nil {
		return nil, err
	}
	if len(accounts) == 0 {
		sink.Gap(scanners.Gap{Scanner: "gcp", Scope: "billing accounts", Operation: "cloudbilling.ListBillingAccounts", Reason: scanners.ReasonDenied,
			Message: "the credentials can see no billing account: grant roles/billing.viewer on the billing account, or set --gcp-projects"})
		s.env.Logger.Warn("no billing account visible")
		return nil, nil
	}
	seen := map[string]bool{}
	for _, acct := range accounts {
		it := c.billing.ListProjectBillingInfo(ctx, &billingpb.ListProjectBillingInfoRequest{
			Name: "billingAccounts/" + acct, PageSize: int32(s.opts.PageSize),
		}, retry)
		for {
			info, err := it.Next()
			if errors.Is(err, iterator.Done) {
				break
			}
			if err != nil {
				if cerr := contextDone(ctx, err); cerr != nil {
					return nil, fmt.Errorf("gcp: %w", cerr)
				}
				s.gap(sink, gapFor(acct, "", "cloudbilling.ListProjectBillingInfo", "billing account "+acct, err), err)
				break
			}
			if seen[info.GetProjectId()] {
				continue
			}
			seen[info.GetProjectId()] = true
			if p, ok := s.billed(sink, info, open); ok {
				out = append(out, p)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].id < out[j].id })
	return out, nil
}

// billingAccounts returns the configured accounts, or lists the visible
// ones; open tells which listed accounts are open. When a page after the
// first fails, the accounts already listed are kept and the failure is a gap.
func (s *Scanner) billingAccounts(ctx context.Context, c *clients, retry gax.CallOption, sink scanners.Sink) (accounts []string, open map[string]bool, err error) {
	if len(s.opts.BillingAccounts) > 0 {
		for _, a := range dedupe(s.opts.BillingAccounts) {
			accounts = append(accounts, strings.TrimPrefix(a, "billingAccounts/"))
		}
		return accounts, nil, nil
	}
	open = map[string]bool{}
	it := c.billing.ListBillingAccounts(ctx, &billingpb.ListBillingAccountsRequest{PageSize: int32(s.opts.PageSize)}, retry)
	for {
		a, err := it.Next()
		if errors.Is(err, iterator.Done) {
			break
		}
		if err != nil {
			if cerr := contextDone(ctx, err); cerr != nil {
				return nil, nil, fmt.Errorf("gcp: %w", cerr)
			}
			if reason(err) == scanners.ReasonNoCredentials {
				return nil, nil, fmt.Errorf("gcp: cloudbilling ListBillingAccounts: %w: the credentials were rejected: %s", scanners.ErrNoCredentials, message(err))
			}
			if len(accounts) == 0 {
				return nil, nil, fmt.Errorf("gcp: cloudbilling ListBillingAccounts: %s", message(err))
			}
			g := gapFor("", "", "cloudbilling.ListBillingAccounts", "billing accounts", err)
			g.Message += fmt.Sprintf(" (a page after the first failed; the %d billing account(s) already listed are audited, any further ones are not)", len(accounts))
			s.gap(sink, g, err)
			break
		}
		id := strings.TrimPrefix(a.GetName(), "billingAccounts/")
		accounts = append(accounts, id)
		open[id] = a.GetOpen()
	}
	sort.Strings(accounts)
	s.env.Logger.Debug("billing accounts visible", "count", len(accounts))
	return accounts, open, nil
}

// billed returns the project when billing is enabled for it, and records
// a gap otherwise: a project without billing has no Recommender data
// worth asking for, and the report must say it was not covered.
func (s *Scanner) billed(sink scanners.Sink, info *billingpb.ProjectBillingInfo, open map[string]bool) (project, bool) {
	id := info.GetProjectId()
	if id == "" {
		id = strings.TrimSuffix(strings.TrimPrefix(info.GetName(), "projects/"), "/billingInfo")
	}
	acct := strings.TrimPrefix(info.GetBillingAccountName(), "billingAccounts/")
	if info.GetBillingEnabled() {
		return project{id: id, billingAccount: acct}, true
	}
	why := "billing is disabled for project " + id
	switch {
	case acct == "":
		why += " (no billing account is linked)"
	case open != nil && !open[acct]:
		why += " (billing account " + acct + " is closed)"
	default:
		why += " (billing account " + acct + ")"
	}
	sink.Gap(scanners.Gap{Scanner: "gcp", Account: id, Scope: "project " + id, Operation: "cloudbilling.GetProjectBillingInfo",
		Reason: scanners.ReasonUnsupported, Message: why + "; its recommendations were not listed"})
	s.env.Logger.Info("project skipped", "project", id, "reason", why)
	return project{}, false
}

// gap records a gap and logs it.
func (s *Scanner) gap(sink scanners.Sink, g scanners.Gap, err error) {
	sink.Gap(g)
	s.env.Logger.Warn("coverage gap", "account", g.Account, "region", g.Region, "operation", g.Operation, "reason", g.Reason, "err", err)
}
