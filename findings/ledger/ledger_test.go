package ledger

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ghostaudit/ghostaudit/findings"
	"github.com/ghostaudit/ghostaudit/scanners"
)

const acct = "111111111111"

// The estate of the acceptance scenario. Scan 1 sees every finding; between
// the scans vol-a and eipalloc-b are deleted, vol-h is added, i-c's price
// moves and eu-west-3 starts denying the scanner.
var (
	fA = fnd("aws.ebs.unattached", acct, "us-east-1", "aws.ebs.volume", "vol-a", "40.00")
	fB = fnd("aws.eip.unattached", acct, "us-east-1", "aws.ec2.eip", "eipalloc-b", "3.65")
	fC = fnd("aws.ec2.idle", acct, "us-east-1", "aws.ec2.instance", "i-c", "120.50")
	fD = fnd("aws.ebs.unattached", acct, "eu-west-3", "aws.ebs.volume", "vol-d", "25.10")
	fE = fnd("aws.ec2.idle", acct, "eu-west-3", "aws.ec2.instance", "i-e", "70.08")
	fF = fnd("aws.rds.idle", acct, "us-east-1", "aws.rds.instance", "db-f", "")
	fG = suppressed(fnd("aws.ebs.snapshot.old", acct, "us-east-1", "aws.ebs.snapshot", "snap-g", "10.00"))
	fH = fnd("aws.ebs.gp2", acct, "us-east-1", "aws.ebs.volume", "vol-h", "12.34")

	gapEUW3 = scanners.Gap{Scanner: "aws", Account: acct, Region: "eu-west-3", Scope: "account " + acct + " region eu-west-3",
		Operation: "ec2:DescribeVolumes", Reason: scanners.ReasonDenied, Message: "UnauthorizedOperation"}
)

func scan1() *findings.Result {
	return result(t0, []findings.Finding{fA, fB, fC, fD, fE, fF, fG})
}

func scan2() *findings.Result {
	c := fC
	c.MonthlySavings = dec("130.00")
	return result(t0.Add(24*time.Hour), []findings.Finding{c, fF, fG, fH}, gapEUW3)
}

// scan3: eu-west-3 is covered again; vol-d is still there, i-e is gone.
func scan3() *findings.Result {
	c := fC
	c.MonthlySavings = dec("130.00")
	return result(t0.Add(48*time.Hour), []findings.Finding{c, fD, fF, fG, fH})
}

func ids(es []Entry) []string {
	var out []string
	for _, e := range es {
		out = append(out, e.ID)
	}
	return out
}

func checkMoney(t *testing.T, name string, got interface{ String() string }, want string) {
	t.Helper()
	if got.String() != want {
		t.Errorf("%s = %s, want %s", name, got.String(), want)
	}
}

func TestMigrationsVersionedAndIdempotent(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, dsn string) {
		ctx := t.Context()
		// A store at version 1 only, as an older ghostaudit left it.
		old, err := open(dsn)
		if err != nil {
			t.Fatal(err)
		}
		if err := old.migrate(ctx, 1); err != nil {
			t.Fatal(err)
		}
		if n := rawCount(t, old, `SELECT COUNT(*) FROM schema_migrations`); n != 1 {
			t.Fatalf("after migrating to 1: %d versions", n)
		}
		old.Close()

		for range 3 { // opening again and again applies nothing twice
			l, err := Open(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			ms, err := l.Migrations(ctx)
			if err != nil {
				t.Fatal(err)
			}
			var got []int
			for _, m := range ms {
				got = append(got, m.Version)
			}
			if want := []int{1, 2}; !slices.Equal(got, want) || SchemaVersion() != 2 {
				t.Fatalf("versions = %v, want %v", got, want)
			}
			l.Close()
		}

		// A store written by a newer ghostaudit is refused, not scribbled on.
		l := mustOpen(t, dsn)
		if _, err := l.db.ExecContext(ctx, l.q(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`),
			99, "from the future", "2030-01-01T00:00:00Z"); err != nil {
			t.Fatal(err)
		}
		_, err = Open(ctx, dsn)
		if err == nil || !strings.Contains(err.Error(), "schema version 99 is newer") {
			t.Fatalf("Open on a newer schema: err = %v", err)
		}
	})
}

func TestRecordRoundTripExactDecimals(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, dsn string) {
		l := mustOpen(t, dsn)
		l.Now = func() time.Time { return t0.Add(time.Minute) }
		fs := []findings.Finding{
			fnd("aws.ebs.unattached", acct, "us-east-1", "aws.ebs.volume", "vol-1", "0.1"),
			fnd("aws.ebs.unattached", acct, "us-east-1", "aws.ebs.volume", "vol-2", "0.2"),
			fnd("aws.ec2.idle", acct, "us-east-1", "aws.ec2.instance", "i-big", "1234567890.123456789"),
			fnd("aws.rds.idle", acct, "us-east-1", "aws.rds.instance", "db-x", ""),
		}
		res := result(t0, fs, gapEUW3)
		scope := Scope{Name: "prod", Scanners: []string{"aws"}, Accounts: []string{acct}}
		id := mustRecord(t, l, res, scope)

		runs, err := l.Runs(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if len(runs) != 1 {
			t.Fatalf("runs = %d", len(runs))
		}
		r := runs[0]
		if r.ID != id || !r.Complete || r.Scope.Name != "prod" || !slices.Equal(r.Scope.Accounts, []string{acct}) ||
			r.ToolVersion != "v0.9.0-test" || !r.ScannedAt.Equal(t0) || !r.RecordedAt.Equal(t0.Add(time.Minute)) ||
			r.Currency != "USD" || r.Gaps != 1 || r.Findings != 4 || r.Priced != 3 || r.Unpriced != 1 || r.Resources != 40 {
			t.Fatalf("run = %+v", r)
		}
		// 0.1 + 0.2 is exactly 0.3 here: no float anywhere on the way.
		checkMoney(t, "run monthly", r.Monthly, "1234567890.423456789")
		checkMoney(t, "run annual", r.Annual, "14814814685.081481468")

		snap, err := l.RunSnapshot(t.Context(), id)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for _, e := range snap.Findings {
			v := "unpriced"
			if e.MonthlySavings != nil {
				v = e.MonthlySavings.String()
			}
			got[e.ResourceID] = v
			if e.FirstSeen == nil || !e.FirstSeen.Equal(t0) {
				t.Errorf("%s first seen %v", e.ID, e.FirstSeen)
			}
		}
		want := map[string]string{"vol-1": "0.1", "vol-2": "0.2", "i-big": "1234567890.123456789", "db-x": "unpriced"}
		if len(got) != len(want) {
			t.Fatalf("snapshot = %v", got)
		}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("%s savings = %s, want %s", k, got[k], v)
			}
		}
		if len(snap.Gaps) != 1 || snap.Gaps[0] != gapEUW3 {
			t.Errorf("gaps = %+v", snap.Gaps)
		}
		if len(snap.Scanners) != 1 || snap.Scanners[0] != (ScannerState{"aws", true}) {
			t.Errorf("scanners = %+v", snap.Scanners)
		}

		// First and last seen move with later sightings; first stays put.
		res2 := result(t0.Add(time.Hour), fs[:1])
		res2.Findings[0].MonthlySavings = dec("0.15")
		id2 := mustRecord(t, l, res2, scope)
		var first, last int64
		var lastMoney string
		if err := l.db.QueryRowContext(t.Context(), l.q(`SELECT first_seen_run, last_seen_run, last_monthly_savings FROM findings WHERE id = ?`),
			fs[0].ID).Scan(&first, &last, &lastMoney); err != nil {
			t.Fatal(err)
		}
		if RunID(first) != id || RunID(last) != id2 || lastMoney != "0.15" {
			t.Errorf("first/last seen = %d/%d %s, want %d/%d 0.15", first, last, lastMoney, id, id2)
		}
		if _, err := l.Run(t.Context(), 9999); err == nil {
			t.Error("Run(9999) found something")
		}
	})
}

// TestAcceptanceScanChangeScanDiff is the acceptance scenario: scan,
// remove two resources, add one, deny one region, scan again, diff.
func TestAcceptanceScanChangeScanDiff(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, dsn string) {
		ctx := t.Context()
		l := mustOpen(t, dsn)
		scope := Scope{Name: "prod"}
		id1 := mustRecord(t, l, scan1(), scope)
		// Another series in the same store must not become prod's baseline.
		mustRecord(t, l, result(t0, []findings.Finding{fH}), Scope{Name: "staging"})

		base, err := l.Baseline(ctx, "previous", scope)
		if err != nil {
			t.Fatal(err)
		}
		if base.Run != id1 {
			t.Fatalf("previous = run %d, want %d", base.Run, id1)
		}
		cur := scan2()
		id2 := mustRecord(t, l, cur, scope)

		d := Compare(base, FromResult(cur))
		checkAcceptance(t, d)

		// Both sides read back from the store give the same figures.
		s1, err := l.Baseline(ctx, id1.String(), scope)
		if err != nil {
			t.Fatal(err)
		}
		s2, err := l.RunSnapshot(ctx, id2)
		if err != nil {
			t.Fatal(err)
		}
		checkAcceptance(t, Compare(s1, s2))

		// A findings JSON file as the baseline gives the same figures too.
		path := filepath.Join(t.TempDir(), "findings.json")
		data, err := json.Marshal(scan1())
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		fb, err := l.Baseline(ctx, path, scope)
		if err != nil {
			t.Fatal(err)
		}
		checkAcceptance(t, Compare(fb, FromResult(cur)))

		// History: eu-west-3 is pending after scan 2; scan 3 covers it again,
		// sees vol-d and confirms i-e gone, which realises it.
		mustRecord(t, l, scan3(), scope)
		h, err := l.History(ctx, scope)
		if err != nil {
			t.Fatal(err)
		}
		if len(h) != 3 {
			t.Fatalf("history has %d points", len(h))
		}
		for i, want := range [][4]string{
			{"259.33", "0", "0", "259.33"},
			{"142.34", "95.18", "43.65", "281.17"},
			{"167.44", "0", "113.73", "281.17"},
		} {
			p := h[i]
			got := [4]string{p.OpenMonthly.String(), p.PendingMonthly.String(), p.RealisedMonthly.String(), p.IdentifiedMonthly.String()}
			if got != want {
				t.Errorf("history[%d] open/pending/realised/identified = %v, want %v", i, got, want)
			}
		}
	})
}

func checkAcceptance(t *testing.T, d *Diff) {
	t.Helper()
	if got := ids(d.New); !slices.Equal(got, []string{fH.ID}) {
		t.Errorf("new = %v, want [vol-h]", got)
	}
	if got := ids(d.Resolved); !slices.Equal(got, []string{fA.ID, fB.ID}) {
		t.Errorf("resolved = %v, want [vol-a eipalloc-b]", got)
	}
	if got := ids(d.Changed); !slices.Equal(got, []string{fC.ID}) {
		t.Errorf("changed = %v, want [i-c]", got)
	}
	// Unpriced and suppressed findings stay open; unpriced sorts last.
	if got := ids(d.Open); !slices.Equal(got, []string{fG.ID, fF.ID}) {
		t.Errorf("open = %v, want [snap-g db-f]", got)
	}
	// The denied region's findings are NOT realised.
	if got := ids(d.NotRealisedUncovered); !slices.Equal(got, []string{fE.ID, fD.ID}) {
		t.Errorf("not realised (uncovered) = %v, want [i-e vol-d]", got)
	}
	for _, e := range d.NotRealisedUncovered {
		if e.UncoveredBy != "gap: account 111111111111 region eu-west-3 (denied)" {
			t.Errorf("%s uncovered by %q", e.ResourceID, e.UncoveredBy)
		}
	}
	for _, e := range d.Resolved {
		if e.Region == "eu-west-3" {
			t.Errorf("%s in the denied region was counted as resolved", e.ResourceID)
		}
	}
	checkMoney(t, "new monthly", d.NewMonthly, "12.34")
	checkMoney(t, "realised monthly", d.RealisedMonthly, "43.65")
	checkMoney(t, "realised annual", d.RealisedAnnual, "523.8")
	checkMoney(t, "changed monthly", d.ChangedMonthly, "9.5")
	checkMoney(t, "open monthly", d.OpenMonthly, "130")
	checkMoney(t, "uncovered monthly", d.UncoveredMonthly, "95.18")
	checkMoney(t, "baseline monthly", d.BaselineMonthly, "259.33")
	checkMoney(t, "current monthly", d.CurrentMonthly, "142.34")
	if d.Counts != (Counts{New: 1, Resolved: 2, Changed: 1, Open: 2, NotRealisedUncovered: 2}) {
		t.Errorf("counts = %+v", d.Counts)
	}
	if c := d.Changed[0]; c.PreviousMonthlySavings == nil || c.PreviousMonthlySavings.String() != "120.5" {
		t.Errorf("changed previous = %v", c.PreviousMonthlySavings)
	}
}

// A finding whose scanner did not run at all this time is not realised either.
func TestScannerNotRunIsNotRealised(t *testing.T) {
	t.Parallel()
	gcp := fnd("gcp.recommender.idle-vm", "proj-1", "europe-west1", "gcp.compute.instance", "vm-1", "55.00")
	gcp.Provider = "gcp"
	base := FromResult(result(t0, []findings.Finding{fA, gcp}))
	cur := FromResult(result(t0.Add(time.Hour), nil)) // status lists aws only
	d := Compare(base, cur)
	if got := ids(d.Resolved); !slices.Equal(got, []string{fA.ID}) {
		t.Errorf("resolved = %v", got)
	}
	if len(d.NotRealisedUncovered) != 1 || d.NotRealisedUncovered[0].UncoveredBy != "scanner gcp did not run" {
		t.Errorf("uncovered = %+v", d.NotRealisedUncovered)
	}
	checkMoney(t, "realised", d.RealisedMonthly, "40")
}

var timestamps = regexp.MustCompile(`"(scanned_at|first_seen)": "[^"]*"`)

func TestDiffJSONDeterministic(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, dsn string) {
		ctx := t.Context()
		l := mustOpen(t, dsn)
		scope := Scope{Name: "prod"}
		mustRecord(t, l, scan1(), scope)
		base, err := l.Baseline(ctx, "previous", scope)
		if err != nil {
			t.Fatal(err)
		}
		render := func(res *findings.Result) []byte {
			var b bytes.Buffer
			if err := Compare(base, FromResult(res)).WriteJSON(&b); err != nil {
				t.Fatal(err)
			}
			return b.Bytes()
		}
		first := render(scan2())

		// The same estate scanned again later, emitted in another order.
		again := scan2()
		again.ScannedAt = again.ScannedAt.Add(3 * time.Hour)
		rng := rand.New(rand.NewPCG(1, 2))
		rng.Shuffle(len(again.Findings), func(i, j int) { again.Findings[i], again.Findings[j] = again.Findings[j], again.Findings[i] })
		again.Gaps = append(again.Gaps, scanners.Gap{Scanner: "aws", Account: acct, Region: "eu-west-3", Scope: "account " + acct + " region eu-west-3",
			Operation: "ec2:DescribeAddresses", Reason: scanners.ReasonDenied})
		rng.Shuffle(len(again.Gaps), func(i, j int) { again.Gaps[i], again.Gaps[j] = again.Gaps[j], again.Gaps[i] })
		mustRecord(t, l, scan2(), scope) // recording between diffs changes nothing either
		second := render(again)

		if bytes.Equal(first, second) {
			t.Fatal("scan times differ, so the raw JSON should too: the scrub below would hide nothing")
		}
		a, b := timestamps.ReplaceAll(first, []byte(`"$1": "T"`)), timestamps.ReplaceAll(second, []byte(`"$1": "T"`))
		if !bytes.Equal(a, b) {
			t.Fatalf("diff JSON differs beyond timestamps:\n%s\n----\n%s", a, b)
		}
		// Decimals are strings, lists are never null.
		for _, want := range []string{`"schema": "ghostaudit.diff/v1"`, `"realised_monthly_savings": "43.65"`, `"new": [`, `"warnings": []`} {
			if !bytes.Contains(first, []byte(want)) {
				t.Errorf("diff JSON lacks %s:\n%s", want, first)
			}
		}
		var md bytes.Buffer
		if err := Compare(base, FromResult(scan2())).WriteMarkdown(&md); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(md.String(), "| Resolved (realised) | 2 | 43.65 |") {
			t.Errorf("markdown:\n%s", md.String())
		}
	})
}
