package aws

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"
)

const elbEstate = `
aws:
  accounts:
    - id: "111111111111"
      regions:
        - name: us-east-1
          instances:
            - {id: i-0000000000000000a, type: t3.micro, state: running, launched: -100d}
            - {id: i-0000000000000000b, type: t3.micro, state: running, launched: -100d}
            - {id: i-0000000000000000c, type: t3.micro, state: stopped, launched: -100d}
          load_balancers:
            - name: web
              created: -60d
              listeners: [{port: 80}, {port: 443, protocol: HTTPS}]
              target_groups:
                - name: web-a
                  targets: [{id: i-0000000000000000a}, {id: i-0000000000000000b, health: unhealthy}]
                - name: web-b
                  targets: [{id: i-0000000000000000c, health: unhealthy}]
              metrics:
                RequestCount: {daily: [10, 20, 30, 40, 50, 60, 70]}
                ProcessedBytes: {avg: 1000, days: 7}
            - name: empty
              scheme: internal
              created: -60d
            - name: flows
              type: network
              created: -60d
              listeners: [{port: 443}]
              target_groups:
                - name: flows-tg
                  targets: [{id: 10.0.0.1}]
              metrics:
                NewFlowCount: {avg: 5, days: 7}
            - name: appliance
              type: gateway
              created: -60d
          classic_load_balancers:
            - name: legacy
              created: -400d
              instances: [{id: i-0000000000000000a}, {id: i-0000000000000000b, state: OutOfService}]
              metrics:
                RequestCount: {avg: 3, days: 7}
            - {name: legacy-empty, scheme: internal, created: -400d}
`

// TestLoadBalancers checks ELBv2 and Classic load balancers: listener,
// target group and target counts, health and 7-day traffic.
func TestLoadBalancers(t *testing.T) {
	t.Parallel()
	r := scanEstate(t, elbEstate, func(o *Options) { o.PageSize = 5 })
	noGaps(t, r)

	web := r.get(t, KindLoadBalancer, "web")
	wantAttrs(t, web, map[string]string{AttrLBType: "application", AttrScheme: "internet-facing", AttrState: "active",
		AttrListeners: "2", AttrTargetGroups: "2", AttrTargets: "3", AttrHealthyTargets: "1"})
	if !strings.HasPrefix(web.Attr(AttrARN), "arn:aws:elasticloadbalancing:us-east-1:111111111111:loadbalancer/app/web/") || web.Created == nil {
		t.Errorf("web: %+v", web)
	}
	// The simulator answers only for the LoadBalancer dimension app/<name>/<id>,
	// so data here proves the dimension.
	m, ok := web.Metric("RequestCount", "Sum")
	if !ok || m.WindowDays != 7 || m.Points != 7 || !near(m.Value, 280) || !near(m.Daily[6], 70) || m.Unit != "Count" {
		t.Errorf("web RequestCount: %+v %v", m, ok)
	}
	if m, ok := web.Metric("ProcessedBytes", "Sum"); !ok || !near(m.Value, 7000) {
		t.Errorf("web ProcessedBytes: %+v %v", m, ok)
	}

	empty := r.get(t, KindLoadBalancer, "empty")
	wantAttrs(t, empty, map[string]string{AttrScheme: "internal", AttrListeners: "0", AttrTargetGroups: "0", AttrTargets: "0", AttrHealthyTargets: "0"})
	if m, ok := empty.Metric("RequestCount", "Sum"); !ok || m.Points != 0 || m.Value != 0 {
		t.Errorf("empty RequestCount: %+v %v", m, ok)
	}

	flows := r.get(t, KindLoadBalancer, "flows")
	wantAttrs(t, flows, map[string]string{AttrLBType: "network", AttrListeners: "1", AttrTargetGroups: "1", AttrTargets: "1", AttrHealthyTargets: "1"})
	if m, ok := flows.Metric("NewFlowCount", "Sum"); !ok || !near(m.Value, 35) || m.Points != 7 {
		t.Errorf("flows NewFlowCount: %+v %v", m, ok)
	}
	if _, ok := flows.Metric("ProcessedBytes", "Sum"); !ok {
		t.Error("flows lacks ProcessedBytes")
	}

	gw := r.get(t, KindLoadBalancer, "appliance")
	if gw.Attr(AttrLBType) != "gateway" || len(gw.Metrics) != 0 {
		t.Errorf("gateway load balancer: %+v", gw)
	}

	legacy := r.get(t, KindClassicLB, "legacy")
	wantAttrs(t, legacy, map[string]string{AttrScheme: "internet-facing", AttrInstances: "2", AttrHealthyInstances: "1"})
	if m, ok := legacy.Metric("RequestCount", "Sum"); !ok || !near(m.Value, 21) || m.WindowDays != 7 || legacy.Created == nil {
		t.Errorf("legacy RequestCount: %+v %v", m, ok)
	}
	wantAttrs(t, r.get(t, KindClassicLB, "legacy-empty"), map[string]string{AttrScheme: "internal", AttrInstances: "0", AttrHealthyInstances: "0"})
}

// TestTargetHealthDeniedKeepsTheLoadBalancer checks that a failed sub-call
// leaves out only the counts it would have given, with a gap.
func TestTargetHealthDeniedKeepsTheLoadBalancer(t *testing.T) {
	t.Parallel()
	est := strings.Replace(elbEstate, "        - name: us-east-1\n", "        - name: us-east-1\n          faults: {deny: [DescribeTargetHealth]}\n", 1)
	r := scanEstate(t, est, nil)
	if len(r.gaps) != 1 || r.gaps[0].Operation != "elasticloadbalancing:DescribeTargetHealth" || r.gaps[0].Reason != "denied" {
		t.Fatalf("gaps: %+v", r.gaps)
	}
	wantAttrs(t, r.get(t, KindLoadBalancer, "web"), map[string]string{AttrListeners: "2", AttrTargetGroups: "2", AttrTargets: "", AttrHealthyTargets: ""})
}

// TestLambdaTargetsServe checks that targets of a target group whose
// health checks are disabled (a Lambda group's default: DescribeTargetHealth
// says unavailable, Target.HealthCheckDisabled) count as healthy, and that
// other unavailable targets do not.
func TestLambdaTargetsServe(t *testing.T) {
	t.Parallel()
	r := scanEstate(t, `
aws:
  accounts:
    - id: "111111111111"
      regions:
        - name: us-east-1
          load_balancers:
            - name: fn
              created: -60d
              listeners: [{port: 443, protocol: HTTPS}]
              target_groups:
                - name: fn-a
                  target_type: lambda
                  targets: [{id: "arn:aws:lambda:us-east-1:111111111111:function:a"}]
                - name: fn-b
                  target_type: lambda
                  targets: [{id: "arn:aws:lambda:us-east-1:111111111111:function:b", health: unavailable, reason: Target.HealthCheckDisabled}]
              metrics:
                RequestCount: {avg: 50000, days: 7}
            - name: flows
              type: network
              created: -60d
              target_groups:
                - name: flows-tg
                  targets: [{id: 10.0.0.1, health: unavailable}]
`, nil)
	noGaps(t, r)
	wantAttrs(t, r.get(t, KindLoadBalancer, "fn"), map[string]string{AttrTargetGroups: "2", AttrTargets: "2", AttrHealthyTargets: "2"})
	wantAttrs(t, r.get(t, KindLoadBalancer, "flows"), map[string]string{AttrTargets: "1", AttrHealthyTargets: "0"})
}

// manyLBs is one region with n ELBv2 and n Classic load balancers, each
// tagged with its index, and a log group per index.
func manyLBs(n int, faults string) string {
	var b strings.Builder
	b.WriteString("aws:\n  accounts:\n    - id: \"111111111111\"\n      regions:\n        - name: us-east-1\n")
	if faults != "" {
		b.WriteString("          faults: " + faults + "\n")
	}
	b.WriteString("          load_balancers:\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "            - {name: alb-%02d, created: -60d, tags: {team: t%d, Name: web}}\n", i, i)
	}
	b.WriteString("            - {name: untagged, created: -60d}\n")
	b.WriteString("          classic_load_balancers:\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "            - {name: clb-%02d, created: -60d, tags: {team: t%d}}\n", i, i)
	}
	b.WriteString("          log_groups:\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "            - {name: /app/g%02d, tags: {team: t%d}}\n", i, i)
	}
	b.WriteString("            - {name: /app/untagged}\n")
	return b.String()
}

// TestLoadBalancerAndLogGroupTags checks that ELBv2 and Classic load
// balancers and log groups carry their tags (so tag exclusions and
// suppressions can match them), with DescribeTags batched by 20.
func TestLoadBalancerAndLogGroupTags(t *testing.T) {
	t.Parallel()
	const n = 45
	r := scanEstate(t, manyLBs(n, ""), func(o *Options) { o.RateLimit = 0 })
	noGaps(t, r)
	for i := 0; i < n; i++ {
		want := fmt.Sprintf("t%d", i)
		if lb := r.get(t, KindLoadBalancer, fmt.Sprintf("alb-%02d", i)); lb.Tags["team"] != want || lb.Tags["Name"] != "web" || lb.Name != lb.ID {
			t.Errorf("%s: tags %v, name %q", lb.ID, lb.Tags, lb.Name)
		}
		if lb := r.get(t, KindClassicLB, fmt.Sprintf("clb-%02d", i)); lb.Tags["team"] != want || len(lb.Tags) != 1 {
			t.Errorf("%s: tags %v", lb.ID, lb.Tags)
		}
		if g := r.get(t, KindLogGroup, fmt.Sprintf("/app/g%02d", i)); g.Tags["team"] != want || len(g.Tags) != 1 {
			t.Errorf("%s: tags %v", g.ID, g.Tags)
		}
	}
	if tags := r.get(t, KindLoadBalancer, "untagged").Tags; len(tags) != 0 {
		t.Errorf("untagged: %v", tags)
	}
	if tags := r.get(t, KindLogGroup, "/app/untagged").Tags; len(tags) != 0 {
		t.Errorf("/app/untagged: %v", tags)
	}
	// 46 ELBv2 in 3 calls, 45 Classic in 3 calls: 20 per call.
	if got := r.calls("DescribeTags"); got != 6 {
		t.Errorf("DescribeTags calls: %d, want 6", got)
	}
	if got := r.calls("ListTagsForResource"); got != n+1 {
		t.Errorf("ListTagsForResource calls: %d, want %d", got, n+1)
	}
}

// TestTagCallsDeniedKeepTheResources checks that denied tag calls are
// gaps (one for ELBv2, one for Classic, one for Logs) and that the
// resources are still emitted, without tags.
func TestTagCallsDeniedKeepTheResources(t *testing.T) {
	t.Parallel()
	r := scanEstate(t, manyLBs(3, "{deny: [DescribeTags, ListTagsForResource]}"), nil)
	var ops []string
	for _, g := range r.gaps {
		if g.Reason != "denied" {
			t.Errorf("gap %+v", g)
		}
		ops = append(ops, g.Operation+" "+g.Scope)
	}
	sort.Strings(ops)
	want := "[elasticloadbalancing:DescribeTags account 111111111111 region us-east-1 " +
		"elasticloadbalancing:DescribeTags account 111111111111 region us-east-1 (Classic Load Balancers) " +
		"logs:ListTagsForResource account 111111111111 region us-east-1]"
	if fmt.Sprint(ops) != want {
		t.Errorf("gaps %v\nwant %s", ops, want)
	}
	if len(r.all) != 3+1+3+3+1 {
		t.Errorf("resources: %d", len(r.all))
	}
	for _, res := range r.all {
		if len(res.Tags) != 0 {
			t.Errorf("%s has tags %v after a denied tag call", res.Key(), res.Tags)
		}
	}
	wantAttrs(t, r.get(t, KindLoadBalancer, "alb-00"), map[string]string{AttrListeners: "0", AttrTargets: "0"})
}

// TestLoadBalancerQuietDays checks what the scanner gets for load
// balancers on days without traffic: no datapoint (ELB reports its
// metrics only while requests flow), so Points counts the busy days only
// and a quiet week has none, while an EC2 metric at 0 is still a point.
func TestLoadBalancerQuietDays(t *testing.T) {
	t.Parallel()
	r := scanEstate(t, `
aws:
  accounts:
    - id: "111111111111"
      regions:
        - name: us-east-1
          instances:
            - {id: i-0000000000000000a, type: t3.micro, state: running, launched: -100d, metrics: {CPUUtilization: {avg: 0}}}
          load_balancers:
            - name: quiet
              created: -60d
              metrics:
                RequestCount: {daily: [0, 0, 5, 0, 0, 0, 9]}
                ProcessedBytes: {avg: 0, days: 7}
            - {name: flows, type: network, created: -60d, metrics: {NewFlowCount: {daily: [0, 0, 0, 0, 0, 0, 0]}}}
          classic_load_balancers:
            - {name: legacy, created: -400d, metrics: {RequestCount: {avg: 0, days: 7}}}
`, nil)
	noGaps(t, r)
	quiet := r.get(t, KindLoadBalancer, "quiet")
	if m, ok := quiet.Metric("RequestCount", "Sum"); !ok || m.Points != 2 || !near(m.Value, 14) || !slices.Equal(m.Daily, []float64{0, 0, 5, 0, 0, 0, 9}) {
		t.Errorf("quiet RequestCount: %+v %v", m, ok)
	}
	if m, ok := quiet.Metric("ProcessedBytes", "Sum"); !ok || m.Points != 0 {
		t.Errorf("quiet ProcessedBytes: %+v %v", m, ok)
	}
	if m, ok := r.get(t, KindLoadBalancer, "flows").Metric("NewFlowCount", "Sum"); !ok || m.Points != 0 {
		t.Errorf("flows NewFlowCount: %+v %v", m, ok)
	}
	if m, ok := r.get(t, KindClassicLB, "legacy").Metric("RequestCount", "Sum"); !ok || m.Points != 0 {
		t.Errorf("legacy RequestCount: %+v %v", m, ok)
	}
	if m, ok := r.get(t, KindInstance, "i-0000000000000000a").Metric("CPUUtilization", "Average"); !ok || m.Points != 14 {
		t.Errorf("instance CPU at 0: %+v %v", m, ok)
	}
}
