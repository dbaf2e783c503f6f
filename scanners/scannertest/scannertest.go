// Package scannertest is the conformance suite every scanner runs. A
// scanner's test builds its simulator for each Fixture and hands the suite
// a ready scanner; the suite checks the contract: cancellation, denied
// scopes become gaps while other scopes still produce results, empty and
// multi-page results, declared kinds, unique keys, deterministic output,
// no secret in logs or output, and a read-only guard that refuses a
// mutating operation.
package scannertest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ghostaudit/ghostaudit/scanners"
)

// Fixture names the estate shape a scanner's Setup must serve.
type Fixture string

// The fixtures the suite asks for.
const (
	// Normal is a small estate with resources in at least two scopes.
	Normal Fixture = "normal"
	// Empty has accounts and regions but no resources at all.
	Empty Fixture = "empty"
	// MultiPage has more resources of one list than fit a page, with the
	// scanner configured for small pages.
	MultiPage Fixture = "multi-page"
	// Denied is Normal with access denied in one scope (account or region).
	Denied Fixture = "denied"
)

// Harness is a scanner wired to a simulator serving a fixture.
type Harness struct {
	Scanner scanners.Scanner
	// Requests returns how many requests the simulator has served.
	Requests func() int
	// WantResources is the exact number of resources the fixture holds
	// (for Normal, MultiPage and Denied minus the denied scope's).
	WantResources int
	// DeniedAccount/DeniedRegion name the denied scope (Denied only).
	DeniedAccount, DeniedRegion string
	// Secrets are strings that must never appear in logs or output.
	Secrets []string
}

// Opt describes a scanner to the suite.
type Opt struct {
	Info scanners.Info
	// Setup builds a simulator for the fixture and a scanner pointed at it,
	// logging to logger. It registers its own cleanup on t.
	Setup func(t *testing.T, f Fixture, logger *slog.Logger) Harness
	// Mutate tries to send a mutating operation through the same clients
	// (and guard) the scanner uses; it must return an error wrapping
	// scanners.ErrReadOnly and the simulator must see no request.
	Mutate func(t *testing.T, h Harness) error
	// Skip lists checks a scanner opts out of, with the reason; never silent.
	Skip map[string]string
}

// Run runs the conformance suite.
func Run(t *testing.T, o Opt) {
	t.Helper()
	check := func(name string, fn func(t *testing.T)) {
		t.Run(name, func(t *testing.T) {
			if why, ok := o.Skip[name]; ok {
				t.Skipf("opted out: %s", why)
			}
			t.Parallel()
			fn(t)
		})
	}
	check("Registry", func(t *testing.T) {
		reg := scanners.NewRegistry()
		if err := reg.Register(o.Info); err != nil {
			t.Fatalf("Register: %v", err)
		}
		if err := o.Info.NewOptions().Validate(); err != nil {
			t.Fatalf("default options do not validate: %v", err)
		}
		if o.Info.NewOptions().Redacted() == nil {
			t.Fatal("Redacted returned nil")
		}
	})
	check("Normal", func(t *testing.T) {
		logs := &logBuffer{}
		h := o.Setup(t, Normal, logs.logger())
		inv := scan(t, o, h)
		if len(inv.Gaps) != 0 {
			t.Errorf("gaps on a healthy estate: %+v", inv.Gaps)
		}
		if got := len(inv.Resources); got != h.WantResources {
			t.Errorf("resources: got %d, want %d", got, h.WantResources)
		}
		checkKinds(t, o.Info, inv)
		checkUniqueKeys(t, inv)
		checkSecrets(t, h.Secrets, logs.String(), inv)
		logs.failOnUnexpected(t)
	})
	check("Deterministic", func(t *testing.T) {
		h1 := o.Setup(t, Normal, discard())
		h2 := o.Setup(t, Normal, discard())
		a, b := stable(t, scan(t, o, h1)), stable(t, scan(t, o, h2))
		if a != b {
			t.Errorf("two scans of the same estate differ:\n%s\n----\n%s", a, b)
		}
	})
	check("Empty", func(t *testing.T) {
		h := o.Setup(t, Empty, discard())
		inv := scan(t, o, h)
		if len(inv.Resources) != 0 || len(inv.Gaps) != 0 {
			t.Errorf("empty estate: %d resources, gaps %+v", len(inv.Resources), inv.Gaps)
		}
	})
	check("MultiPage", func(t *testing.T) {
		h := o.Setup(t, MultiPage, discard())
		inv := scan(t, o, h)
		if got := len(inv.Resources); got != h.WantResources {
			t.Errorf("resources over several pages: got %d, want %d", got, h.WantResources)
		}
		checkUniqueKeys(t, inv)
	})
	check("DeniedScopeIsAGap", func(t *testing.T) {
		logs := &logBuffer{}
		h := o.Setup(t, Denied, logs.logger())
		inv := scan(t, o, h)
		var denied bool
		for _, g := range inv.Gaps {
			if g.Reason == scanners.ReasonDenied && (h.DeniedAccount == "" || g.Account == h.DeniedAccount) &&
				(h.DeniedRegion == "" || g.Region == h.DeniedRegion) {
				denied = true
			}
			if g.Scanner != o.Info.Name || g.Message == "" || g.Scope == "" {
				t.Errorf("gap lacks scanner, scope or message: %+v", g)
			}
		}
		if !denied {
			t.Errorf("no denied gap for %s/%s; gaps: %+v", h.DeniedAccount, h.DeniedRegion, inv.Gaps)
		}
		if got := len(inv.Resources); got != h.WantResources {
			t.Errorf("other scopes: got %d resources, want %d", got, h.WantResources)
		}
		for _, r := range inv.Resources {
			if (h.DeniedAccount == "" || r.Account == h.DeniedAccount) && (h.DeniedRegion == "" || r.Region == h.DeniedRegion) {
				t.Errorf("resource from the denied scope: %s", r.Key())
			}
		}
	})
	check("Cancelled", func(t *testing.T) {
		h := o.Setup(t, Normal, discard())
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		done := make(chan error, 1)
		go func() { done <- h.Scanner.Scan(ctx, &scanners.Collector{}) }()
		select {
		case err := <-done:
			if err == nil {
				t.Fatal("Scan with a cancelled context returned nil")
			}
			if !errors.Is(err, context.Canceled) {
				t.Errorf("error %v does not wrap context.Canceled", err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("Scan ignored a cancelled context for 10s")
		}
	})
	check("ReadOnlyGuard", func(t *testing.T) {
		if o.Mutate == nil {
			t.Fatal("Opt.Mutate is required: every scanner proves its read-only guard")
		}
		h := o.Setup(t, Normal, discard())
		before := h.Requests()
		err := o.Mutate(t, h)
		if !errors.Is(err, scanners.ErrReadOnly) {
			t.Fatalf("mutating call: error %v does not wrap scanners.ErrReadOnly", err)
		}
		if after := h.Requests(); after != before {
			t.Fatalf("the simulator received %d request(s) for a refused mutating call", after-before)
		}
	})
}

func scan(t *testing.T, o Opt, h Harness) *scanners.Inventory {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	col := &scanners.Collector{}
	if err := h.Scanner.Scan(ctx, col); err != nil {
		t.Fatalf("Scan: %v", err)
	}
	res, seats, gaps := col.Snapshot()
	inv := &scanners.Inventory{Resources: res, Seats: seats, Gaps: gaps}
	inv.Sort()
	return inv
}

func checkKinds(t *testing.T, info scanners.Info, inv *scanners.Inventory) {
	t.Helper()
	declared := map[string]bool{}
	for _, k := range info.Kinds {
		declared[k] = true
	}
	for _, r := range inv.Resources {
		if !declared[r.Kind] {
			t.Errorf("resource %s has undeclared kind %q", r.Key(), r.Kind)
		}
		if r.Provider != info.Name && !strings.HasPrefix(r.Kind, info.Name+".") {
			t.Errorf("resource %s: provider %q does not match scanner %q", r.Key(), r.Provider, info.Name)
		}
		if r.ObservedAt.IsZero() {
			t.Errorf("resource %s has no ObservedAt", r.Key())
		}
	}
}

func checkUniqueKeys(t *testing.T, inv *scanners.Inventory) {
	t.Helper()
	seen := map[string]bool{}
	for _, r := range inv.Resources {
		if seen[r.Key()] {
			t.Errorf("duplicate key %s", r.Key())
		}
		seen[r.Key()] = true
	}
	for _, s := range inv.Seats {
		if seen[s.Key()] {
			t.Errorf("duplicate key %s", s.Key())
		}
		seen[s.Key()] = true
	}
}

func checkSecrets(t *testing.T, secrets []string, logs string, inv *scanners.Inventory) {
	t.Helper()
	var out bytes.Buffer
	if err := inv.Encode(&out); err != nil {
		t.Fatal(err)
	}
	for _, s := range secrets {
		if s == "" {
			continue
		}
		if strings.Contains(logs, s) {
			t.Errorf("a secret appears in the logs")
		}
		if strings.Contains(out.String(), s) {
			t.Errorf("a secret appears in the inventory")
		}
	}
}

// stable renders the parts of an inventory that must not vary between runs.
func stable(t *testing.T, inv *scanners.Inventory) string {
	t.Helper()
	b, err := json.MarshalIndent(struct {
		R []scanners.Resource
		S []scanners.Seat
		G []scanners.Gap
	}{inv.Resources, inv.Seats, inv.Gaps}, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func discard() *slog.Logger { return slog.New(slog.DiscardHandler) }

// logBuffer records log output at debug level and remembers WARN and ERROR
// lines, which a healthy scan must not produce.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string { l.mu.Lock(); defer l.mu.Unlock(); return l.buf.String() }

func (l *logBuffer) logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(l, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

func (l *logBuffer) failOnUnexpected(t *testing.T) {
	t.Helper()
	for _, line := range strings.Split(l.String(), "\n") {
		if strings.Contains(line, "level=WARN") || strings.Contains(line, "level=ERROR") {
			t.Errorf("unexpected log line on a healthy scan: %s", line)
		}
	}
}
