package aws

import (
	"strings"
	"testing"
	"time"
)

// slowEstate is instanceEstate's account plus a member account whose API
// answers after 300 ms.
const slowEstate = `
aws:
  caller_account: "111111111111"
  accounts:
    - id: "111111111111"
      regions:
        - name: us-east-1
          volumes: [{id: vol-00000000000000001, size_gib: 10, type: gp3, created: -40d}]
    - id: "222222222222"
      faults: {latency: 300ms}
      regions:
        - name: us-east-1
          volumes: [{id: vol-00000000000000002, size_gib: 10, type: gp3, created: -40d}]
`

// TestCallTimeoutMakesAGap: a member account whose API stalls past
// --aws-call-timeout on every attempt becomes a gap, and the rest of the
// scan completes.
func TestCallTimeoutMakesAGap(t *testing.T) {
	t.Parallel()
	r := scanEstate(t, slowEstate, func(o *Options) { o.CallTimeout, o.MaxAttempts = 50*time.Millisecond, 2 })
	r.get(t, KindVolume, "vol-00000000000000001")
	var g string
	for _, gap := range r.gaps {
		if gap.Account == "222222222222" {
			g = gap.Operation + ": " + gap.Message
		}
	}
	if !strings.Contains(g, "no answer within --aws-call-timeout") {
		t.Fatalf("gaps %+v: want a timeout gap for account 222222222222", r.gaps)
	}
}

// TestScopeTimeoutMakesGaps: an account × region that cannot finish within
// --aws-scope-timeout records what is left as gaps naming the deadline,
// and the scan returns.
func TestScopeTimeoutMakesGaps(t *testing.T) {
	t.Parallel()
	est := strings.Replace(instanceEstate, `    - id: "111111111111"
`, `    - id: "111111111111"
      faults: {latency: 400ms}
`, 1)
	// Listing takes one 400 ms round trip and the metrics a second: a
	// 650 ms deadline cannot hold both, and leaves the listing 250 ms of
	// slack on a loaded machine.
	r := scanEstate(t, est, func(o *Options) { o.ScopeTimeout = 650 * time.Millisecond })
	found := false
	for _, g := range r.gaps {
		if strings.Contains(g.Message, "not finished within --aws-scope-timeout 650ms") {
			found = true
		}
	}
	if !found {
		t.Fatalf("gaps %+v: want one naming the scope timeout", r.gaps)
	}
	// Resources listed before the deadline are kept, without metrics.
	if got := r.get(t, KindInstance, "i-0000000000000000a"); len(got.Metrics) != 0 {
		t.Errorf("running instance has metrics %+v after the deadline cut the metrics pass", got.Metrics)
	}
	r.get(t, KindInstance, "i-0000000000000000b")
}
