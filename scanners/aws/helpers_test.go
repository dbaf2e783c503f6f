package aws

import (
	"context"
	"math"
	"testing"

	"github.com/ghostaudit/ghostaudit/scanners"
)

// scanResult is what one scan of an estate produced.
type scanResult struct {
	fx   *fixture
	byID map[string]scanners.Resource // kind + "/" + id
	all  []scanners.Resource
	gaps []scanners.Gap
}

func (r *scanResult) get(t *testing.T, kind, id string) scanners.Resource {
	t.Helper()
	res, ok := r.byID[kind+"/"+id]
	if !ok {
		t.Fatalf("no %s %s among %d resources", kind, id, len(r.all))
	}
	return res
}

func (r *scanResult) calls(action string) int {
	n := 0
	for _, q := range r.fx.sim.Requests() {
		if q.Action == action {
			n++
		}
	}
	return n
}

// scanEstate scans the estate YAML with the simulator and indexes the result.
func scanEstate(t *testing.T, estateYAML string, tweak func(*Options)) *scanResult {
	t.Helper()
	fx := newFixture(t, estateYAML, nil, tweak)
	col := &scanners.Collector{}
	if err := fx.scanner.Scan(context.Background(), col); err != nil {
		t.Fatal(err)
	}
	res, _, gaps := col.Snapshot()
	out := &scanResult{fx: fx, byID: map[string]scanners.Resource{}, all: res, gaps: gaps}
	for _, r := range res {
		k := r.Kind + "/" + r.ID
		if _, dup := out.byID[k]; dup {
			t.Errorf("duplicate resource %s", r.Key())
		}
		out.byID[k] = r
	}
	return out
}

// wantAttrs checks the listed attributes; "" means absent.
func wantAttrs(t *testing.T, r scanners.Resource, want map[string]string) {
	t.Helper()
	for k, v := range want {
		got, ok := r.Attributes[k]
		if v == "" && ok {
			t.Errorf("%s: attribute %s = %q, want absent", r.Key(), k, got)
		} else if v != "" && got != v {
			t.Errorf("%s: attribute %s = %q, want %q", r.Key(), k, got, v)
		}
	}
}

func noGaps(t *testing.T, r *scanResult) {
	t.Helper()
	if len(r.gaps) != 0 {
		t.Fatalf("gaps: %+v", r.gaps)
	}
}

// near compares floats that went through the simulator's hourly spread.
func near(a, b float64) bool { return math.Abs(a-b) <= 1e-6*math.Max(1, math.Abs(b)) }
