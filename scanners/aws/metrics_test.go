package aws

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ghostaudit/ghostaudit/scanners"
)

const instanceEstate = `
aws:
  accounts:
    - id: "111111111111"
      regions:
        - name: us-east-1
          instances:
            - id: i-0000000000000000a
              type: m5.large
              state: running
              image_id: ami-00000000000000042
              launched: -100d
              metrics:
                CPUUtilization: {daily: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 80]}
                NetworkIn: {avg: 2400, days: 14}
                NetworkOut: {daily: [100]}
            - {id: i-0000000000000000b, type: t3.micro, state: stopped, launched: -100d, stopped_at: -40d}
`

// TestInstanceMetricsAndStopTime checks the 14-day CPU and network series
// of a running instance and the parsed stop time of a stopped one.
func TestInstanceMetricsAndStopTime(t *testing.T) {
	t.Parallel()
	r := scanEstate(t, instanceEstate, nil)
	noGaps(t, r)
	end := testNow.Truncate(24 * time.Hour)

	run := r.get(t, KindInstance, "i-0000000000000000a")
	wantAttrs(t, run, map[string]string{AttrImageID: "ami-00000000000000042", AttrStoppedAt: ""})
	if len(run.Metrics) != 4 {
		t.Fatalf("metrics: %+v", run.Metrics)
	}
	avg, _ := run.Metric("CPUUtilization", "Average")
	want := []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 80}
	if avg.WindowDays != 14 || avg.Points != 14 || !slices.Equal(avg.Daily, want) || avg.Value != 171.0/14 || !avg.End.Equal(end) || avg.Unit != "Percent" {
		t.Errorf("CPU Average: %+v", avg)
	}
	if mx, _ := run.Metric("CPUUtilization", "Maximum"); mx.Value != 80 || !slices.Equal(mx.Daily, want) {
		t.Errorf("CPU Maximum: %+v", mx)
	}
	if in, _ := run.Metric("NetworkIn", "Sum"); !near(in.Value, 14*2400) || in.Points != 14 || in.Unit != "Bytes" {
		t.Errorf("NetworkIn: %+v", in)
	}
	if out, _ := run.Metric("NetworkOut", "Sum"); out.Points != 1 || !near(out.Value, 100) || !near(out.Daily[13], 100) || out.Daily[12] != 0 {
		t.Errorf("NetworkOut (yesterday only): %+v", out)
	}

	stopped := r.get(t, KindInstance, "i-0000000000000000b")
	wantAttrs(t, stopped, map[string]string{AttrStoppedAt: testNow.Add(-40 * 24 * time.Hour).Format(time.RFC3339), AttrImageID: "ami-0abcdef1234567890"})
	if len(stopped.Metrics) != 0 {
		t.Errorf("stopped instance has metrics: %+v", stopped.Metrics)
	}

	// One GetMetricData call for the 4 queries, over exactly the window.
	if n := r.calls("GetMetricData"); n != 1 {
		t.Errorf("GetMetricData calls: %d", n)
	}
}

func TestStoppedAt(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"User initiated (2026-10-22 12:00:00 GMT)": "2026-10-22T12:00:00Z",
		"User initiated":                           "",
		"Server.InternalError (garbage)":           "",
		"User initiated (2026-13-45 99:00:00 GMT)": "",
	} {
		if got := stoppedAt(in); got != want {
			t.Errorf("stoppedAt(%q) = %q, want %q", in, got, want)
		}
	}
}

// manyInstances is one region with n running instances whose CPU average
// is i%100, so a mix-up between queries and instances shows.
func manyInstances(n int, faults string) string {
	var b strings.Builder
	b.WriteString("aws:\n  accounts:\n    - id: \"111111111111\"\n      regions:\n        - name: us-east-1\n")
	if faults != "" {
		b.WriteString("          faults: " + faults + "\n")
	}
	b.WriteString("          instances:\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "            - {id: i-%017d, type: t3.micro, state: running, launched: -30d, metrics: {CPUUtilization: {avg: %d}, NetworkIn: {avg: %d}}}\n", i, i%100, i)
	}
	b.WriteString("          volumes:\n            - {id: vol-0000000000000001, size_gib: 10, type: gp3, created: -10d}\n")
	return b.String()
}

// TestGetMetricDataBatching checks that 300 instances × 4 queries go out
// in calls of at most 500 queries and that every instance gets its own
// series back.
func TestGetMetricDataBatching(t *testing.T) {
	t.Parallel()
	const n = 300
	r := scanEstate(t, manyInstances(n, ""), nil)
	noGaps(t, r)
	if calls := r.calls("GetMetricData"); calls < 3 {
		t.Errorf("GetMetricData calls: %d, want ≥ 3 for %d queries", calls, 4*n)
	}
	for i := 0; i < n; i++ {
		in := r.get(t, KindInstance, fmt.Sprintf("i-%017d", i))
		if len(in.Metrics) != 4 {
			t.Fatalf("%s: %d metrics", in.ID, len(in.Metrics))
		}
		avg, _ := in.Metric("CPUUtilization", "Average")
		net, _ := in.Metric("NetworkIn", "Sum")
		if avg.Points != 14 || !near(avg.Value, float64(i%100)) || !near(net.Value, float64(14*i)) {
			t.Fatalf("%s: CPU %+v, NetworkIn %+v", in.ID, avg, net)
		}
	}
}

// TestGetMetricDataDenied checks that a denied GetMetricData is one gap
// and that the resources are still emitted, without metrics.
func TestGetMetricDataDenied(t *testing.T) {
	t.Parallel()
	r := scanEstate(t, manyInstances(300, "{deny: [GetMetricData]}"), nil)
	if len(r.gaps) != 1 || r.gaps[0].Operation != "cloudwatch:GetMetricData" || r.gaps[0].Reason != scanners.ReasonDenied ||
		r.gaps[0].Region != "us-east-1" {
		t.Fatalf("gaps: %+v", r.gaps)
	}
	if len(r.all) != 301 {
		t.Fatalf("resources: %d, want 301", len(r.all))
	}
	for _, res := range r.all {
		if len(res.Metrics) != 0 {
			t.Fatalf("%s has metrics after a denied GetMetricData", res.Key())
		}
	}
}

func TestSummarise(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	end := start.AddDate(0, 0, 4)
	ts := []time.Time{start.AddDate(0, 0, 1), start.AddDate(0, 0, 3), start.AddDate(0, 0, 9)}
	for stat, want := range map[string]float64{"Average": 3, "Maximum": 4, "Sum": 6} {
		m := summarise(metricQuery{spec: metricSpec{"X", stat, "Count"}, window: 4}, start, end, ts, []float64{2, 4, 99})
		if m.Points != 2 || m.Value != want || !slices.Equal(m.Daily, []float64{0, 2, 0, 4}) || !m.End.Equal(end) {
			t.Errorf("%s: %+v", stat, m)
		}
	}
	if m := summarise(metricQuery{spec: metricSpec{"X", "Maximum", ""}, window: 3}, start, end, nil, nil); m.Points != 0 || m.Value != 0 || len(m.Daily) != 3 {
		t.Errorf("no data: %+v", m)
	}
}

// TestMetricQueryStatus checks that a query CloudWatch answers with a
// status other than Complete is not read as "no data": its resource is
// emitted without metrics, the others keep theirs, and the scope has a
// cloudwatch:GetMetricData gap with the status and message.
func TestMetricQueryStatus(t *testing.T) {
	t.Parallel()
	const est = `
aws:
  accounts:
    - id: "111111111111"
      regions:
        - name: us-east-1
          instances:
            - id: i-0000000000000000a
              type: t3.micro
              state: running
              launched: -100d
              metrics:
                CPUUtilization: {status: %s, message: "%s"}
                NetworkIn: {avg: 100}
            - {id: i-0000000000000000b, type: t3.micro, state: running, launched: -100d, metrics: {CPUUtilization: {avg: 1}}}
`
	for _, tc := range []struct{ status, message, reason string }{
		{"InternalError", "Internal error, retry", scanners.ReasonError},
		{"Forbidden", "Not authorized for the metric", scanners.ReasonDenied},
	} {
		t.Run(tc.status, func(t *testing.T) {
			t.Parallel()
			r := scanEstate(t, fmt.Sprintf(est, tc.status, tc.message), nil)
			if len(r.gaps) != 1 || r.gaps[0].Operation != "cloudwatch:GetMetricData" || r.gaps[0].Reason != tc.reason ||
				!strings.Contains(r.gaps[0].Message, "2 of 8 queries not Complete") ||
				!strings.Contains(r.gaps[0].Message, "AWS/EC2 CPUUtilization InstanceId=i-0000000000000000a") ||
				!strings.Contains(r.gaps[0].Message, tc.status+" ("+tc.status+": "+tc.message+")") {
				t.Fatalf("gaps: %+v", r.gaps)
			}
			if a := r.get(t, KindInstance, "i-0000000000000000a"); a.Metrics != nil {
				t.Errorf("i-...a has metrics after a %s query: %+v", tc.status, a.Metrics)
			}
			b := r.get(t, KindInstance, "i-0000000000000000b")
			if m, ok := b.Metric("CPUUtilization", "Average"); !ok || m.Points != 14 || !near(m.Value, 1) {
				t.Errorf("i-...b CPU: %+v %v", m, ok)
			}
		})
	}
}

func TestQueryStatusError(t *testing.T) {
	t.Parallel()
	e := &queryStatusError{region: "us-east-1", total: 10, allForbidden: true}
	q := metricQuery{namespace: "AWS/EC2", dimName: "InstanceId", dimValue: "i-1", spec: metricSpec{"CPUUtilization", "Average", "Percent"}}
	e.add(q, "", nil)
	for range 4 {
		e.add(q, "Forbidden", nil)
	}
	if e.reason() != scanners.ReasonError {
		t.Errorf("a missing result is not Forbidden: reason %s", e.reason())
	}
	if msg := e.Error(); !strings.Contains(msg, "5 of 10 queries not Complete") || !strings.Contains(msg, "Average: no result;") || !strings.HasSuffix(msg, "; and 2 more") {
		t.Errorf("message %q", msg)
	}
}
