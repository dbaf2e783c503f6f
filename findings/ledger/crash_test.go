package ledger

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

// childEnv carries the DSN to the re-executed test binary that plays the
// writer killed mid-transaction.
const childEnv = "GHOSTAUDIT_LEDGER_KILL_CHILD_DSN"

const inTxMarker = "LEDGER-CHILD-IN-TX"

// TestKilledWriterChild is not a test on its own: TestKilledMidWrite runs
// the test binary again with childEnv set, and this function then starts a
// Record, announces the run ID from inside the transaction and blocks until
// it is killed.
func TestKilledWriterChild(t *testing.T) {
	dsn := os.Getenv(childEnv)
	if dsn == "" {
		t.Skip("helper process for TestKilledMidWrite")
	}
	l, err := Open(context.Background(), dsn)
	if err != nil {
		fmt.Println("open:", err)
		os.Exit(3)
	}
	l.midRecord = func(ctx context.Context, id RunID) {
		fmt.Printf("%s %d\n", inTxMarker, id)
		os.Stdout.Sync()
		time.Sleep(10 * time.Minute) // killed long before
	}
	_, err = l.Record(context.Background(), scan2(), Scope{Name: "prod"})
	fmt.Println("record returned:", err)
	os.Exit(4)
}

func TestKilledMidWrite(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, dsn string) {
		ctx := t.Context()
		l := mustOpen(t, dsn)
		scope := Scope{Name: "prod"}
		id1 := mustRecord(t, l, scan1(), scope)

		cmd := exec.Command(os.Args[0], "-test.run=^TestKilledWriterChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), childEnv+"="+dsn)
		cmd.Stderr = os.Stderr
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		partial := make(chan RunID, 1)
		go func() {
			sc := bufio.NewScanner(out)
			for sc.Scan() {
				if rest, ok := strings.CutPrefix(sc.Text(), inTxMarker+" "); ok {
					n, _ := strconv.ParseInt(rest, 10, 64)
					partial <- RunID(n)
					return
				}
				t.Logf("child: %s", sc.Text())
			}
			close(partial)
		}()
		var pid RunID
		select {
		case id, ok := <-partial:
			if !ok {
				cmd.Wait()
				t.Fatal("child exited before reaching the transaction")
			}
			pid = id
		case <-time.After(60 * time.Second):
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatal("child never reached the transaction")
		}
		// While the child sits inside its transaction, readers see only run 1.
		if runs, err := l.Runs(ctx); err != nil || len(runs) != 1 {
			t.Errorf("runs during the child's write = %v, %v", runs, err)
		}
		if err := cmd.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		cmd.Wait() //nolint:errcheck // killed on purpose

		// The next run succeeds (no lock left behind) ...
		wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		id2, err := l.Record(wctx, scan2(), scope)
		if err != nil {
			t.Fatalf("record after the kill: %v", err)
		}
		// ... and the partial run is absent: no row, no sightings, no gaps.
		runs, err := l.Runs(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(runs) != 2 || runs[0].ID != id1 || runs[1].ID != id2 {
			t.Fatalf("runs after the kill = %+v", runs)
		}
		if n := rawCount(t, l, `SELECT COUNT(*) FROM runs`); n != 2 {
			t.Errorf("%d run rows, want 2", n)
		}
		if n := rawCount(t, l, `SELECT COUNT(*) FROM runs WHERE complete = FALSE`); n != 0 {
			t.Errorf("%d incomplete runs visible", n)
		}
		if pid != id2 {
			for _, table := range []string{"sightings", "run_gaps", "run_scanners"} {
				if n := rawCount(t, l, `SELECT COUNT(*) FROM `+table+` WHERE run_id = ?`, int64(pid)); n != 0 {
					t.Errorf("%s holds %d rows of the killed run %d", table, n, pid)
				}
			}
		}
		// The killed run's findings were never first seen: vol-h is new in run 2.
		var first int64
		if err := l.db.QueryRowContext(ctx, l.q(`SELECT first_seen_run FROM findings WHERE id = ?`), fH.ID).Scan(&first); err != nil {
			t.Fatal(err)
		}
		if RunID(first) != id2 {
			t.Errorf("vol-h first seen in run %d, want %d", first, id2)
		}
		// And the diff is the acceptance diff, as if nothing had happened.
		base, err := l.RunSnapshot(ctx, id1)
		if err != nil {
			t.Fatal(err)
		}
		cur, err := l.RunSnapshot(ctx, id2)
		if err != nil {
			t.Fatal(err)
		}
		checkAcceptance(t, Compare(base, cur))
	})
}

// Two writers (two handles, as two CI jobs) recording overlapping findings
// at once: every run lands complete, none deadlocks or is lost.
func TestConcurrentWriters(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, dsn string) {
		ctx := t.Context()
		a, b := mustOpen(t, dsn), mustOpen(t, dsn)
		errs := make(chan error, 8)
		for i := range 8 {
			l := a
			if i%2 == 1 {
				l = b
			}
			go func() {
				res := scan1()
				if i%2 == 1 { // reverse order: upserts must not deadlock
					for x, y := 0, len(res.Findings)-1; x < y; x, y = x+1, y-1 {
						res.Findings[x], res.Findings[y] = res.Findings[y], res.Findings[x]
					}
				}
				_, err := l.Record(ctx, res, Scope{Name: "prod"})
				errs <- err
			}()
		}
		for range 8 {
			if err := <-errs; err != nil {
				t.Error(err)
			}
		}
		runs, err := a.Runs(ctx)
		if err != nil || len(runs) != 8 {
			t.Fatalf("runs = %d, %v", len(runs), err)
		}
		if n := rawCount(t, a, `SELECT COUNT(*) FROM sightings`); n != 8*7 {
			t.Errorf("sightings = %d, want 56", n)
		}
	})
}
