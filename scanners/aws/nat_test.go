package aws

import (
	"slices"
	"testing"
	"time"
)

const natEstate = `
aws:
  accounts:
    - id: "111111111111"
      regions:
        - name: us-east-1
          nat_gateways:
            - id: nat-00000000000000001
              allocation_id: eipalloc-00000000000000001
              public_ip: 203.0.113.10
              vpc_id: vpc-00000001
              created: -90d
              metrics:
                BytesOutToDestination: {avg: 0, days: 30}
                BytesInFromSource: {avg: 0, days: 30}
                BytesInFromDestination: {avg: 0, days: 30}
                BytesOutToSource: {avg: 0, days: 30}
                ActiveConnectionCount: {avg: 0, days: 30}
            - id: nat-00000000000000002
              connectivity: private
              created: -90d
              metrics:
                BytesOutToDestination: {avg: 1000, days: 30}
                ActiveConnectionCount: {daily: [1, 7, 3]}
            - {id: nat-00000000000000003, state: deleted, created: -90d}
`

// TestNatGateways checks NAT gateway attributes and their 30-day traffic.
func TestNatGateways(t *testing.T) {
	t.Parallel()
	r := scanEstate(t, natEstate, nil)
	noGaps(t, r)
	end := testNow.Truncate(24 * time.Hour)

	idle := r.get(t, KindNatGateway, "nat-00000000000000001")
	wantAttrs(t, idle, map[string]string{AttrState: "available", AttrConnectivity: "public",
		AttrAllocationIDs: "eipalloc-00000000000000001", AttrVpcID: "vpc-00000001"})
	if idle.Created == nil || !idle.Created.Equal(testNow.Add(-90*24*time.Hour)) {
		t.Errorf("created: %v", idle.Created)
	}
	for _, name := range []string{"BytesOutToDestination", "BytesInFromSource", "BytesInFromDestination", "BytesOutToSource"} {
		m, ok := idle.Metric(name, "Sum")
		if !ok {
			t.Fatalf("idle gateway lacks %s Sum: %+v", name, idle.Metrics)
		}
		if m.WindowDays != 30 || m.Points != 30 || m.Value != 0 || len(m.Daily) != 30 || !m.End.Equal(end) || m.Unit != "Bytes" {
			t.Errorf("%s: %+v", name, m)
		}
		if !slices.Equal(m.Daily, make([]float64, 30)) {
			t.Errorf("%s daily: %v, want 30 zeros", name, m.Daily)
		}
	}
	if m, ok := idle.Metric("ActiveConnectionCount", "Maximum"); !ok || m.Value != 0 || m.Points != 30 {
		t.Errorf("ActiveConnectionCount: %+v %v", m, ok)
	}

	busy := r.get(t, KindNatGateway, "nat-00000000000000002")
	wantAttrs(t, busy, map[string]string{AttrConnectivity: "private", AttrAllocationIDs: ""})
	m, _ := busy.Metric("BytesOutToDestination", "Sum")
	if m.Points != 30 || !near(m.Value, 30000) || !near(m.Daily[0], 1000) || !near(m.Daily[29], 1000) {
		t.Errorf("busy BytesOutToDestination: %+v", m)
	}
	// A metric without datapoints is still reported: Points 0, Daily zeros.
	if m, ok := busy.Metric("BytesInFromSource", "Sum"); !ok || m.Points != 0 || len(m.Daily) != 30 {
		t.Errorf("busy BytesInFromSource without data: %+v %v", m, ok)
	}
	// The last three days only: the first 27 days have no datapoint.
	m, _ = busy.Metric("ActiveConnectionCount", "Maximum")
	if m.Points != 3 || m.Value != 7 || !slices.Equal(m.Daily[27:], []float64{1, 7, 3}) || m.Daily[0] != 0 || m.Unit != "Count" {
		t.Errorf("busy ActiveConnectionCount: %+v", m)
	}

	if gone := r.get(t, KindNatGateway, "nat-00000000000000003"); gone.State != "deleted" || len(gone.Metrics) != 0 {
		t.Errorf("deleted gateway: %+v", gone)
	}
}
