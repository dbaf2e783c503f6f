package gcpsim

import (
	"context"
	"strings"

	"cloud.google.com/go/billing/apiv1/billingpb"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// Page sizes of Cloud Billing: "The maximum page size is 100; this is also
// the default." (ListBillingAccountsRequest, ListProjectBillingInfoRequest).
const billingMaxPage = 100

// billingServer serves google.cloud.billing.v1.CloudBilling.
type billingServer struct {
	billingpb.UnimplementedCloudBillingServer
	sim *Sim
}

func accountPB(a *BillingAccount) *billingpb.BillingAccount {
	out := &billingpb.BillingAccount{
		Name: "billingAccounts/" + a.ID, Open: a.IsOpen(), DisplayName: a.DisplayName, CurrencyCode: a.Currency,
	}
	if a.MasterBillingAccount != "" {
		out.MasterBillingAccount = "billingAccounts/" + a.MasterBillingAccount
	}
	return out
}

func projectInfoPB(a *BillingAccount, p *Project) *billingpb.ProjectBillingInfo {
	out := &billingpb.ProjectBillingInfo{Name: "projects/" + p.ID + "/billingInfo", ProjectId: p.ID, BillingEnabled: p.Billed()}
	// A project whose billing was disabled on an open account is unlinked;
	// one on a closed account stays linked with billing disabled.
	if p.Billed() || !a.IsOpen() {
		out.BillingAccountName = "billingAccounts/" + a.ID
	}
	return out
}

// ListBillingAccounts lists every account of the estate, or the
// subaccounts of one (parent billingAccounts/X or filter
// master_billing_account=billingAccounts/X).
func (b *billingServer) ListBillingAccounts(_ context.Context, req *billingpb.ListBillingAccountsRequest) (*billingpb.ListBillingAccountsResponse, error) {
	master := ""
	if p := req.GetParent(); p != "" {
		if !strings.HasPrefix(p, "billingAccounts/") && !strings.HasPrefix(p, "organizations/") {
			return nil, status.Errorf(codes.InvalidArgument, "parent %q must be organizations/{organization_id} or billingAccounts/{billing_account_id}", p)
		}
		if strings.HasPrefix(p, "billingAccounts/") {
			master = p
		}
	}
	if f := strings.ReplaceAll(req.GetFilter(), " ", ""); f != "" {
		v, ok := strings.CutPrefix(f, "master_billing_account=")
		if !ok {
			return nil, status.Errorf(codes.InvalidArgument, "filter %q: only master_billing_account=billingAccounts/{id} is supported", req.GetFilter())
		}
		master = strings.Trim(v, `"`)
	}
	var all []*billingpb.BillingAccount
	for i := range b.sim.est.BillingAccounts {
		a := &b.sim.est.BillingAccounts[i]
		if master == "" || "billingAccounts/"+a.MasterBillingAccount == master {
			all = append(all, accountPB(a))
		}
	}
	start, end, next, err := page(len(all), int(req.GetPageSize()), billingMaxPage, billingMaxPage, req.GetPageToken(), "accounts:"+master)
	if err != nil {
		return nil, err
	}
	return &billingpb.ListBillingAccountsResponse{BillingAccounts: all[start:end], NextPageToken: next}, nil
}

// GetBillingAccount returns one account.
func (b *billingServer) GetBillingAccount(_ context.Context, req *billingpb.GetBillingAccountRequest) (*billingpb.BillingAccount, error) {
	a, err := b.sim.account(req.GetName())
	if err != nil {
		return nil, err
	}
	return accountPB(a), nil
}

// ListProjectBillingInfo lists the projects linked to an account.
func (b *billingServer) ListProjectBillingInfo(_ context.Context, req *billingpb.ListProjectBillingInfoRequest) (*billingpb.ListProjectBillingInfoResponse, error) {
	a, err := b.sim.account(req.GetName())
	if err != nil {
		return nil, err
	}
	var all []*billingpb.ProjectBillingInfo
	for j := range a.Projects {
		if info := projectInfoPB(a, &a.Projects[j]); info.BillingAccountName != "" {
			all = append(all, info)
		}
	}
	start, end, next, err := page(len(all), int(req.GetPageSize()), billingMaxPage, billingMaxPage, req.GetPageToken(), "projects:"+a.ID)
	if err != nil {
		return nil, err
	}
	return &billingpb.ListProjectBillingInfoResponse{ProjectBillingInfo: all[start:end], NextPageToken: next}, nil
}

// GetProjectBillingInfo returns a project's billing info.
func (b *billingServer) GetProjectBillingInfo(_ context.Context, req *billingpb.GetProjectBillingInfoRequest) (*billingpb.ProjectBillingInfo, error) {
	id, ok := strings.CutPrefix(req.GetName(), "projects/")
	if !ok || id == "" || strings.Contains(id, "/") {
		return nil, status.Errorf(codes.InvalidArgument, "name %q must be projects/{project_id}", req.GetName())
	}
	p := b.sim.projects[id]
	if p == nil {
		// IAM answers for a project that does not exist as for one the
		// caller cannot see.
		return nil, b.sim.denied("CloudBilling", "GetProjectBillingInfo", req.GetName())
	}
	return projectInfoPB(b.sim.owner[p], p), nil
}

func (s *Sim) account(name string) (*BillingAccount, error) {
	id, ok := strings.CutPrefix(name, "billingAccounts/")
	if !ok || id == "" {
		return nil, status.Errorf(codes.InvalidArgument, "name %q must be billingAccounts/{billing_account_id}", name)
	}
	a := s.accounts[id]
	if a == nil {
		return nil, s.denied("CloudBilling", "GetBillingAccount", name)
	}
	return a, nil
}
