package aws

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/ghostaudit/ghostaudit/scanners"
)

const orgEstate = `
aws:
  caller_account: "111111111111"
  management_account: "111111111111"
  accounts:
    - id: "111111111111"
      org_status: ACTIVE
      regions:
        - name: us-east-1
          volumes: [{id: vol-0000000000000001, size_gib: 10, type: gp3, created: -10d}]
    - id: "222222222222"
      org_status: ACTIVE
      regions:
        - name: us-east-1
          volumes: [{id: vol-0000000000000002, size_gib: 10, type: gp3, created: -10d}]
    - id: "333333333333"
      org_status: SUSPENDED
      regions:
        - name: us-east-1
          volumes: [{id: vol-0000000000000003, size_gib: 10, type: gp3, created: -10d}]
    - id: "444444444444"
      regions:
        - name: us-east-1
          volumes: [{id: vol-0000000000000004, size_gib: 10, type: gp3, created: -10d}]
`

func accountsSeen(r *scanResult) string {
	seen := map[string]bool{}
	var out []string
	for _, res := range r.all {
		if !seen[res.Account] {
			seen[res.Account] = true
			out = append(out, res.Account)
		}
	}
	sort.Strings(out)
	return strings.Join(out, ",")
}

// TestOrganizationAccounts checks that --aws-org-accounts scans every
// ACTIVE member through the role, skips SUSPENDED ones, and keeps the
// configured accounts.
func TestOrganizationAccounts(t *testing.T) {
	t.Parallel()
	r := scanEstate(t, orgEstate, func(o *Options) {
		o.OrgAccounts = true
		o.Accounts = []string{"444444444444"} // outside the organization, configured
	})
	noGaps(t, r)
	if got := accountsSeen(r); got != "111111111111,222222222222,444444444444" {
		t.Errorf("accounts scanned: %s", got)
	}
	if n := r.calls("ListAccounts"); n != 1 {
		t.Errorf("ListAccounts calls: %d", n)
	}
	for _, q := range r.fx.sim.Requests() {
		if q.Action == "ListAccounts" && q.Region != "us-east-1" {
			t.Errorf("ListAccounts signed for %s, want us-east-1", q.Region)
		}
	}
	// Without the option, Organizations is never called.
	r = scanEstate(t, orgEstate, func(o *Options) { o.Accounts = nil })
	if n := r.calls("ListAccounts"); n != 0 || accountsSeen(r) != "111111111111" {
		t.Errorf("without org_accounts: %d ListAccounts, accounts %s", n, accountsSeen(r))
	}
}

// TestOrganizationListDenied checks that a caller that is not the
// management account gets one gap and the scan goes on with the caller
// and the configured accounts.
func TestOrganizationListDenied(t *testing.T) {
	t.Parallel()
	est := strings.Replace(orgEstate, `management_account: "111111111111"`, `management_account: "222222222222"`, 1)
	r := scanEstate(t, est, func(o *Options) {
		o.OrgAccounts = true
		o.Accounts = []string{"444444444444"}
	})
	if len(r.gaps) != 1 || r.gaps[0].Operation != "organizations:ListAccounts" || r.gaps[0].Reason != scanners.ReasonDenied ||
		r.gaps[0].Account != "111111111111" {
		t.Fatalf("gaps: %+v", r.gaps)
	}
	if got := accountsSeen(r); got != "111111111111,444444444444" {
		t.Errorf("accounts scanned: %s", got)
	}
}

// TestOrganizationLaterPageFails checks that when a ListAccounts page
// after the first fails, the accounts of the earlier pages are still
// audited and the failure is a gap.
func TestOrganizationLaterPageFails(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	// The management account's ListAccounts bucket holds one token and
	// refills once in 1000 s: the first page is answered, every later
	// attempt throttled (TooManyRequestsException).
	b.WriteString("aws:\n  caller_account: \"100000000000\"\n  management_account: \"100000000000\"\n  accounts:\n")
	b.WriteString("    - id: \"100000000000\"\n      org_status: ACTIVE\n      faults: {rate: {ListAccounts: 0.001}, burst: {ListAccounts: 1}}\n      regions: [{name: us-east-1}]\n")
	for i := 1; i <= 25; i++ {
		fmt.Fprintf(&b, "    - id: \"1000000000%02d\"\n      org_status: ACTIVE\n      regions: [{name: us-east-1, volumes: [{id: vol-%016d, size_gib: 1, type: gp3}]}]\n", i, i)
	}
	r := scanEstate(t, b.String(), func(o *Options) {
		o.OrgAccounts = true
		o.Accounts = nil
	})
	if len(r.gaps) != 1 || r.gaps[0].Operation != "organizations:ListAccounts" || r.gaps[0].Reason != scanners.ReasonThrottled ||
		!strings.Contains(r.gaps[0].Message, "page 2 failed; the 20 active accounts of the first 1 pages are still audited") {
		t.Fatalf("gaps: %+v", r.gaps)
	}
	// Page 1 (MaxResults 20, by id) holds the management account and
	// members 01-19; 20-25 are on the failed page.
	seen := accountsSeen(r)
	for i := 1; i <= 25; i++ {
		id := fmt.Sprintf("1000000000%02d", i)
		if got := strings.Contains(seen, id); got != (i <= 19) {
			t.Errorf("account %s scanned: %v (accounts scanned: %s)", id, got, seen)
		}
	}
}
