package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/xuri/excelize/v2"
)

const ledgerEstate1 = `name: ledger-1
aws:
  accounts:
    - id: "777777777777"
      regions:
        - name: us-east-1
          volumes:
            - {id: vol-0a00000000000000a, size_gib: 100, type: gp3, created: -30d}
            - {id: vol-0a00000000000000b, size_gib: 50, type: gp3, created: -30d}
          addresses:
            - {allocation_id: eipalloc-0a000000000000c, public_ip: 198.51.100.50}
        - name: eu-west-1
          volumes:
            - {id: vol-0a00000000000000d, size_gib: 100, type: gp3, created: -30d}
`

// The second scan: vol-a and the address are gone, vol-e is new, and
// eu-west-1 is denied, so vol-d is not seen.
const ledgerEstate2 = `name: ledger-2
aws:
  accounts:
    - id: "777777777777"
      regions:
        - name: us-east-1
          volumes:
            - {id: vol-0a00000000000000b, size_gib: 50, type: gp3, created: -30d}
            - {id: vol-0a00000000000000e, size_gib: 200, type: gp3, created: -30d}
        - name: eu-west-1
          faults: {deny: ["*"]}
          volumes:
            - {id: vol-0a00000000000000d, size_gib: 100, type: gp3, created: -30d}
`

// TestLedgerScanChangeScanDiff is issue 8's acceptance check through the
// CLI: scan → change the estate → scan with --fail-on → diff.
func TestLedgerScanChangeScanDiff(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	db := filepath.Join(dir, "ledger.db")
	e1, e2 := filepath.Join(dir, "e1.yaml"), filepath.Join(dir, "e2.yaml")
	os.WriteFile(e1, []byte(ledgerEstate1), 0o644)
	os.WriteFile(e2, []byte(ledgerEstate2), 0o644)
	if r := runCLI(t, nil, "demo", "--estate", e1, "--ledger", db, "--format", "none", "-o", "json="+filepath.Join(dir, "1.json")); r.code != 0 {
		t.Fatalf("first scan: exit %d\n%s", r.code, r.stderr)
	}
	// vol-e (200 × 0.08 = 16.00) is new: new-savings>=10 is crossed, exit 3, reports still written.
	xlsx := filepath.Join(dir, "2.xlsx")
	r := runCLI(t, nil, "demo", "--estate", e2, "--ledger", db, "--fail-on", "new-savings>=10", "--format", "none", "-o", "xlsx="+xlsx)
	if r.code != exitThreshold || !strings.Contains(r.stderr, "new-savings>=10") {
		t.Fatalf("second scan: exit %d, want %d\n%s", r.code, exitThreshold, r.stderr)
	}
	if _, err := os.Stat(xlsx); err != nil {
		t.Errorf("the workbook was not written before exiting 3: %v", err)
	}
	r = runCLI(t, nil, "diff", "--ledger", db, "--format", "json")
	if r.code != 0 {
		t.Fatalf("diff: exit %d\n%s", r.code, r.stderr)
	}
	var d struct {
		NewMonthly      decimal.Decimal `json:"new_monthly_savings"`
		RealisedMonthly decimal.Decimal `json:"realised_monthly_savings"`
		Counts          struct{ New, Resolved, Open int }
		Resolved        []struct {
			ResourceKey string `json:"resource_key"`
		}
		Uncovered []struct {
			ResourceKey string `json:"resource_key"`
		} `json:"not_realised_uncovered"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &d); err != nil {
		t.Fatalf("diff JSON: %v\n%s", err, r.stdout)
	}
	// Realised: vol-a 100 × 0.08 = 8.00 and the address 3.65 = 11.65. vol-d
	// (eu-west-1, denied) is not realised.
	if !d.NewMonthly.Equal(decimal.RequireFromString("16")) || !d.RealisedMonthly.Equal(decimal.RequireFromString("11.65")) ||
		d.Counts.New != 1 || d.Counts.Resolved != 2 || d.Counts.Open != 1 {
		t.Errorf("diff: new %s realised %s counts %+v\n%s", d.NewMonthly, d.RealisedMonthly, d.Counts, r.stdout)
	}
	if len(d.Uncovered) != 1 || !strings.Contains(d.Uncovered[0].ResourceKey, "vol-0a00000000000000d") {
		t.Errorf("the denied region's finding should be not-realised-uncovered: %+v", d.Uncovered)
	}
	for _, x := range d.Resolved {
		if strings.Contains(x.ResourceKey, "eu-west-1") {
			t.Errorf("a finding of the denied region was counted as realised: %s", x.ResourceKey)
		}
	}
	// The workbook of the second run has a Trend sheet with both runs.
	f, err := excelize.OpenFile(xlsx)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	trend, err := f.GetRows("Trend")
	if err != nil {
		t.Fatalf("no Trend sheet: %v (sheets %v)", err, f.GetSheetList())
	}
	runs := 0
	for _, row := range trend {
		if len(row) > 1 && (row[1] == "1" || row[1] == "2") {
			runs++
		}
	}
	if runs != 2 {
		t.Errorf("Trend sheet lists %d runs, want 2:\n%v", runs, trend)
	}
	if r := runCLI(t, nil, "diff", "--ledger", db, "--format", "md"); r.code != 0 || !strings.Contains(r.stdout, "Resolved") {
		t.Errorf("diff md: %d %s", r.code, r.stdout)
	}
	if r := runCLI(t, nil, "diff", "--ledger", db, "--fail-on", "total-savings>="); r.code != exitUsage {
		t.Errorf("a bad --fail-on: exit %d, want 2", r.code)
	}
}
