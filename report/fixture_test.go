package report

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/ghostaudit/ghostaudit/findings"
	"github.com/ghostaudit/ghostaudit/findings/pricing"
	"github.com/ghostaudit/ghostaudit/scanners"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

// Hostile values planted in the fixture as whole cells. Each starts with a
// formula trigger, also behind white space, so every sink must neutralise it.
const (
	hostileHyperlink = `=HYPERLINK("http://x","y")`
	hostileDDE       = `+cmd|' /C calc'!A0`
	hostileTab       = "\t=1+1"
	hostileSpace     = " =1+1"
	hostileNBSP      = "\u00a0=1+1"
	hostileFullWidth = "＝1+1"
	hostileAt        = "@SUM(1,1)"
	// hostileBreakout tries to close a CSV field and open a new one.
	hostileBreakout = `a","=1+1`
)

// hostileCells are the planted values that must come out prefixed with '.
var hostileCells = []string{hostileHyperlink, hostileDDE, hostileTab, hostileSpace, hostileNBSP, hostileFullWidth, hostileAt}

func usd(s string) *decimal.Decimal { return findings.Money(decimal.RequireFromString(s)) }

// testResult builds the one result every writer is tested with: five
// findings (two 30-day wins, one unpriced), two scanners (one failed), two
// gaps, prices, a missing price and a threshold, with hostile strings in
// names, tags, evidence, accounts and messages.
func testResult() *findings.Result {
	scanned := time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)
	snap := pricing.Price{Provider: "aws", Region: "us-east-1", Item: "ebs.gp2.storage", Unit: pricing.UnitGBMonth,
		Amount: decimal.RequireFromString("0.10"), Currency: "USD", Source: pricing.SourceSnapshot,
		Ref: "https://aws.amazon.com/ebs/pricing/", AsOf: "2026-05-01"}
	snapStore := pricing.Price{Provider: "aws", Region: "us-east-1", Item: "ebs.snapshot.storage", Unit: pricing.UnitGBMonth,
		Amount: decimal.RequireFromString("0.05"), Currency: "USD", Source: pricing.SourceSnapshot,
		Ref: "https://aws.amazon.com/ebs/pricing/", AsOf: "2026-05-01"}
	e3 := pricing.Price{Provider: "m365", Item: "SPE_E3", Unit: pricing.UnitUserMonth,
		Amount: decimal.RequireFromString("36.00"), Currency: "USD", Source: pricing.SourceOverride,
		Ref: "ghostaudit.yaml prices[0]", AsOf: "2026-06-15"}
	n2 := pricing.Price{Provider: "gcp", Region: "europe-west1", Item: "compute.n2-standard-32", Unit: pricing.UnitHour,
		Amount: decimal.RequireFromString("1.69116"), Currency: "USD", Source: pricing.SourceLive,
		Ref: "cloudbilling.googleapis.com services/6F81-5844-456A", AsOf: "2026-07-01"}
	return &findings.Result{
		Schema:      findings.ResultSchema,
		ToolVersion: "v0.3.0-test",
		ScannedAt:   scanned,
		Findings: []findings.Finding{
			{
				ID: "GA-0a1b2c3d4e5f", Rule: "aws-ebs-unattached", Category: findings.CategoryIdleInfrastructure,
				Provider: "aws", Account: "111111111111", Region: "us-east-1", ResourceKind: "aws.ebs.volume",
				ResourceID: "vol-0abc", ResourceName: hostileHyperlink,
				ResourceKey: "aws/111111111111/us-east-1/aws.ebs.volume/vol-0abc",
				Tags:        map[string]string{"Owner": hostileDDE, "CostCenter": hostileSpace},
				Title:       "Unattached 800 GiB gp2 volume",
				Evidence:    []findings.Evidence{{Name: hostileTab, Value: "planted"}, {Name: "attachments", Value: "0"}, {Name: "detached_days", Value: "94"}},
				Action:      "Snapshot, then delete the volume",
				Currency:    "USD", MonthlyCost: usd("80.00"), MonthlySavings: usd("80.00"), AnnualSavings: usd("960.00"),
				Prices:     []pricing.Price{snap},
				Confidence: findings.High, Effort: findings.Low, Risk: findings.Low, Class: "OpEx",
				Win: true, Rank: 1, WhyRank: "30-day win: high confidence, low effort",
			},
			{
				ID: "GA-1b2c3d4e5f60", Rule: "m365-ghost-license", Category: findings.CategoryGhostLicense,
				Provider: "m365", Account: hostileFullWidth, ResourceKind: "m365.license.seat",
				ResourceID: "SPE_E3:u-42", ResourceName: hostileNBSP,
				ResourceKey: "m365/tenant/-/seat/SPE_E3:u-42",
				Title:       "Licence assigned to a disabled account",
				Evidence:    []findings.Evidence{{Name: "account_enabled", Value: "false"}, {Name: "last_sign_in_days", Value: "120"}},
				Action:      "Remove the E3 licence",
				Currency:    "USD", MonthlyCost: usd("36.00"), MonthlySavings: usd("36.00"), AnnualSavings: usd("432.00"),
				Prices:     []pricing.Price{e3},
				Confidence: findings.High, Effort: findings.Low, Risk: findings.Low, Class: "OpEx",
				Win: true, Rank: 2, WhyRank: "30-day win: high confidence, low effort",
			},
			{
				ID: "GA-2c3d4e5f6071", Rule: "aws-ec2-idle", Category: findings.CategoryIdleInfrastructure,
				Provider: "aws", Account: "111111111111", Region: "eu-west-3", ResourceKind: "aws.ec2.instance",
				ResourceID: "i-0def", ResourceName: hostileBreakout,
				ResourceKey: "aws/111111111111/eu-west-3/aws.ec2.instance/i-0def",
				Title:       "Idle m7i.large instance",
				Evidence:    []findings.Evidence{{Name: "cpu_p95_percent", Value: hostileAt}, {Name: "window_days", Value: "30"}},
				Action:      "Stop the instance",
				Currency:    "USD", Unpriced: "no price for aws eu-west-3 ec2.m7i.large",
				Confidence: findings.Medium, Effort: findings.Medium, Risk: findings.Medium, Class: "OpEx",
				Rank: 3, WhyRank: "unpriced: ranked after priced findings",
			},
			{
				ID: "GA-3d4e5f607182", Rule: "gcp-rightsize", Category: findings.CategoryRightsizing,
				Provider: "gcp", Account: "analytics-prod", Region: "europe-west1", ResourceKind: "gcp.compute.instance",
				ResourceID: "1234567890", ResourceName: hostileDDE,
				ResourceKey: "gcp/analytics-prod/europe-west1/gcp.compute.instance/1234567890",
				Tags:        map[string]string{"team": "data"},
				Title:       "Oversized n2-standard-32",
				Evidence:    []findings.Evidence{{Name: "cpu_p95_percent", Value: "7.5"}},
				Action:      "Resize to n2-standard-8",
				Currency:    "USD", MonthlyCost: usd("1234.56"), MonthlySavings: usd("925.92"), AnnualSavings: usd("11111.04"),
				Prices:     []pricing.Price{n2},
				Confidence: findings.Medium, Effort: findings.Medium, Risk: findings.Medium, Class: "OpEx",
				Rank: 4, WhyRank: "savings per effort",
			},
			{
				ID: "GA-4e5f60718293", Rule: "aws-ebs-snapshot-orphan", Category: findings.CategoryHygiene,
				Provider: "aws", Account: "111111111111", Region: "us-east-1", ResourceKind: "aws.ebs.snapshot",
				ResourceID: hostileAt, ResourceName: hostileSpace,
				ResourceKey: "aws/111111111111/us-east-1/aws.ebs.snapshot/snap-1",
				Title:       "Snapshot of a deleted volume",
				Evidence:    []findings.Evidence{{Name: "source_volume", Value: "deleted"}, {Name: "size_gib", Value: "8"}},
				Action:      "Delete the snapshot",
				Currency:    "USD", MonthlyCost: usd("0.40"), MonthlySavings: usd("0.40"), AnnualSavings: usd("4.80"),
				Prices:     []pricing.Price{snapStore},
				Confidence: findings.High, Effort: findings.Low, Risk: findings.Low, Class: "OpEx",
				ClassRule: "R1", ClassRationale: "Hosting without a licence is a service", ClassCitation: "ASC 350-40-15-4A",
				RiskAdjustedMonthly: usd("0.40"), InYearImpact: usd("0.01"), OneTimeCost: decimal.RequireFromString("120"), PaybackMonths: usd("300"),
				Suppression: &findings.Suppression{Rule: "*", Resource: "snap-*", Reason: hostileFullWidth, Owner: "ops", Expires: "2027-01-31", Source: "config"},
				Rank:        5, WhyRank: "suppressed: kept for the record, left out of every total",
			},
		},
		Totals: findings.Totals{
			Currency: "USD", Findings: 5, Priced: 4, Unpriced: 1, Wins: 2,
			MonthlySavings:     decimal.RequireFromString("1042.32"),
			AnnualSavings:      decimal.RequireFromString("12507.84"),
			WinsMonthly:        decimal.RequireFromString("116.00"),
			RiskAdjustedAnnual: decimal.RequireFromString("10000.50"), EBITDAAnnual: decimal.RequireFromString("12507.84"),
			EBITDARiskAdjusted: decimal.RequireFromString("10000.50"), EVMultiple: decimal.RequireFromString("10"), EVImpact: decimal.RequireFromString("100005.00"),
			OneTimeCost: decimal.RequireFromString("600"), PaybackMonths: usd("0.58"), Suppressed: 1, SuppressedMonthly: decimal.RequireFromString("0.40"),
			SpendMonthly: decimal.RequireFromString("5000"), SpendAnnual: decimal.RequireFromString("60000"), SpendPriced: 10, SpendUnpriced: 2,
			SpendByClass:  []findings.ClassSpend{{Class: "OpEx", Items: 12, Unpriced: 2, Monthly: decimal.RequireFromString("5000"), Annual: decimal.RequireFromString("60000")}},
			FiscalYearEnd: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC),
			ByCategory: []findings.Subtotal{
				{Name: findings.CategoryRightsizing, Findings: 1, MonthlySavings: decimal.RequireFromString("925.92"), AnnualSavings: decimal.RequireFromString("11111.04")},
				{Name: findings.CategoryIdleInfrastructure, Findings: 2, Unpriced: 1, MonthlySavings: decimal.RequireFromString("80.00"), AnnualSavings: decimal.RequireFromString("960.00")},
				{Name: findings.CategoryGhostLicense, Findings: 1, MonthlySavings: decimal.RequireFromString("36.00"), AnnualSavings: decimal.RequireFromString("432.00")},
				{Name: findings.CategoryHygiene, Findings: 1, MonthlySavings: decimal.RequireFromString("0.40"), AnnualSavings: decimal.RequireFromString("4.80")},
			},
			ByProvider: []findings.Subtotal{
				{Name: "gcp", Findings: 1, MonthlySavings: decimal.RequireFromString("925.92"), AnnualSavings: decimal.RequireFromString("11111.04")},
				{Name: "aws", Findings: 3, Unpriced: 1, MonthlySavings: decimal.RequireFromString("80.40"), AnnualSavings: decimal.RequireFromString("964.80")},
				{Name: "m365", Findings: 1, MonthlySavings: decimal.RequireFromString("36.00"), AnnualSavings: decimal.RequireFromString("432.00")},
			},
		},
		Status: []scanners.ScanStatus{
			{Scanner: "aws", Started: scanned, Duration: 2500 * time.Millisecond, Succeeded: true,
				Counts: map[string]int{"aws.ebs.volume": 12, "aws.ec2.instance": 4, "gaps": 1}},
			{Scanner: "gcp", Started: scanned, Duration: 300 * time.Millisecond, Succeeded: false,
				Err: "gcp: recommender ListRecommendations: rpc error: code = Unavailable", Counts: map[string]int{"gaps": 1}},
		},
		Gaps: []scanners.Gap{
			{Scanner: "aws", Account: "222222222222", Region: "eu-west-3", Scope: "account 222222222222 region eu-west-3",
				Operation: "ec2:DescribeVolumes", Reason: scanners.ReasonDenied,
				Message: "UnauthorizedOperation: You are not authorized to perform this operation.\x1b[2J"},
			{Scanner: "gcp", Account: hostileTab, Scope: "project " + hostileHyperlink,
				Operation: "recommender.ListRecommendations", Reason: scanners.ReasonError, Message: hostileDDE},
		},
		Prices:  []pricing.Price{snap, snapStore, n2, e3},
		Missing: []string{"aws eu-west-3 ec2.m7i.large"},
		Thresholds: []findings.Threshold{
			{Rule: "aws-ebs-unattached", Name: "min_detached_days", Value: "14", Description: "Days a volume must be detached before it is reported"},
			{Rule: "aws-ec2-idle", Name: "cpu_p95_max_percent", Value: "5", Description: "p95 CPU at or below which an instance is idle"},
		},
		Resources: 16,
		Seats:     40,
		Settings:  findings.DefaultSettings(),
	}
}

// assertGolden compares got with testdata/name, or rewrites it with -update.
func assertGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./report/... -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (-want +got; -update rewrites it):\n%s", path, lineDiff(string(want), string(got)))
	}
}

// lineDiff is a small unified-style diff (LCS over lines), enough for
// golden files of a few hundred lines.
func lineDiff(a, b string) string {
	x, y := strings.Split(a, "\n"), strings.Split(b, "\n")
	lcs := make([][]int, len(x)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(y)+1)
	}
	for i := len(x) - 1; i >= 0; i-- {
		for j := len(y) - 1; j >= 0; j-- {
			if x[i] == y[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var out strings.Builder
	i, j := 0, 0
	for i < len(x) || j < len(y) {
		switch {
		case i < len(x) && j < len(y) && x[i] == y[j]:
			i, j = i+1, j+1
		case j < len(y) && (i == len(x) || lcs[i][j+1] >= lcs[i+1][j]):
			fmt.Fprintf(&out, "@@ line %d\n+%s\n", j+1, y[j])
			j++
		default:
			fmt.Fprintf(&out, "@@ line %d\n-%s\n", i+1, x[i])
			i++
		}
	}
	return out.String()
}
