package aws

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
)

// orgAccounts lists the ACTIVE accounts of the caller's organization
// (--aws-org-accounts). ListAccounts answers only in the management
// account or a delegated administrator; elsewhere it is denied, which the
// caller turns into a gap while the configured accounts are still scanned.
// SUSPENDED accounts (and accounts being closed) cannot be entered and are
// skipped with an Info log. When a page after the first fails, the
// accounts already listed are returned with the error.
// https://docs.aws.amazon.com/organizations/latest/APIReference/API_ListAccounts.html
func (s *Scanner) orgAccounts(ctx context.Context, cfg aws.Config) ([]string, error) {
	var ids []string
	p := organizations.NewListAccountsPaginator(s.orgsClient(cfg), &organizations.ListAccountsInput{MaxResults: aws.Int32(20)})
	for pages := 0; p.HasMorePages(); pages++ {
		page, err := p.NextPage(ctx)
		if err != nil {
			if pages == 0 {
				return nil, fmt.Errorf("organizations ListAccounts: %w", err)
			}
			// A later page failed: the accounts already listed are still
			// audited; the error (a gap) says the list is incomplete.
			s.env.Logger.Info("organization accounts (incomplete list)", "count", len(ids))
			return ids, fmt.Errorf("organizations ListAccounts (page %d failed; the %d active accounts of the first %d pages are still audited, any others are not): %w",
				pages+1, len(ids), pages, err)
		}
		for _, a := range page.Accounts {
			id := aws.ToString(a.Id)
			// Status is deprecated in favour of State; older responses
			// carry only Status.
			active := a.State == orgtypes.AccountStateActive || (a.State == "" && a.Status == orgtypes.AccountStatusActive)
			if !active {
				s.env.Logger.Info("skipping organization account that is not active", "account", id, "state", string(a.State), "status", string(a.Status))
				continue
			}
			ids = append(ids, id)
		}
	}
	s.env.Logger.Info("organization accounts", "count", len(ids))
	return ids, nil
}
