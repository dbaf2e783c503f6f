package gcp

import (
	"context"
	"fmt"
	"sort"

	"google.golang.org/grpc"

	"github.com/ghostaudit/ghostaudit/scanners"
)

// readMethods is the allow-list of every gRPC method the scanner may
// send, with the IAM permission that authorises it. The read-only guard
// refuses anything else before it is sent, and docs/permissions/gcp.md
// lists exactly these permissions.
//
// ListRecommendations needs a per-recommender permission; it is listed in
// recommenderPermissions.
var readMethods = map[string]string{
	// ListBillingAccounts returns the accounts on which the caller holds
	// billing.accounts.get; it needs no permission of its own.
	"/google.cloud.billing.v1.CloudBilling/ListBillingAccounts":    "billing.accounts.get",
	"/google.cloud.billing.v1.CloudBilling/GetBillingAccount":      "billing.accounts.get",
	"/google.cloud.billing.v1.CloudBilling/ListProjectBillingInfo": "billing.resourceAssociations.list",
	"/google.cloud.billing.v1.CloudBilling/GetProjectBillingInfo":  "resourcemanager.projects.get",
	// The catalog is public to any authenticated caller or API key.
	"/google.cloud.billing.v1.CloudCatalog/ListServices":           "",
	"/google.cloud.billing.v1.CloudCatalog/ListSkus":               "",
	"/google.cloud.recommender.v1.Recommender/ListRecommendations": "recommender.<recommender>.list (see recommenderPermissions)",
	"/google.cloud.recommender.v1.Recommender/GetRecommendation":   "recommender.<recommender>.get",
}

// Methods returns the allowed gRPC methods, sorted.
func Methods() []string {
	var out []string
	for m := range readMethods {
		out = append(out, m)
	}
	sort.Strings(out)
	return out
}

// Permissions returns the IAM permissions a scan with every recommender
// needs, sorted: billing, project, one list permission per recommender,
// and the Compute Engine list permissions of the direct checks
// (computeMethods; the REST guard allows only GET).
func Permissions() []string {
	set := map[string]bool{}
	for _, p := range []string{"billing.accounts.get", "billing.resourceAssociations.list", "resourcemanager.projects.get"} {
		set[p] = true
	}
	for _, r := range recommenders {
		set[r.permission] = true
	}
	for _, perm := range computeMethods {
		set[perm] = true
	}
	var out []string
	for p := range set {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

func allowed(method string) error {
	if _, ok := readMethods[method]; !ok {
		return fmt.Errorf("gcp: %s: %w", method, scanners.ErrReadOnly)
	}
	return nil
}

// readOnlyUnary refuses a unary call that is not on the allow-list before
// it is sent: the interceptor runs before the call reaches the transport.
func readOnlyUnary(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
	if err := allowed(method); err != nil {
		return err
	}
	return invoker(ctx, method, req, reply, cc, opts...)
}

// readOnlyStream does the same for streaming calls, which the scanner
// never makes.
func readOnlyStream(ctx context.Context, desc *grpc.StreamDesc, cc *grpc.ClientConn, method string, streamer grpc.Streamer, opts ...grpc.CallOption) (grpc.ClientStream, error) {
	if err := allowed(method); err != nil {
		return nil, err
	}
	return streamer(ctx, desc, cc, method, opts...)
}
