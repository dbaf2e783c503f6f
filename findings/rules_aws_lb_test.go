package findings

import (
	"strings"
	"testing"

	"github.com/ghostaudit/ghostaudit/scanners"
)

// TestLBFailOpen: an ALB or NLB whose registered targets are all
// unhealthy routes requests to all of them (it fails open), so it is idle
// only when its traffic is under the threshold too, and then with medium
// confidence. A Gateway Load Balancer (no documented fail-open, no
// traffic counter) and a Classic Load Balancer ("routes requests only to
// the healthy instances") keep the high-confidence health verdict.
func TestLBFailOpen(t *testing.T) {
	t.Parallel()
	unhealthy := map[string]string{"type": "application", "listeners": "1", "listener_actions": "forward", "targets": "2", "healthy_targets": "0"}
	nlb := map[string]string{"type": "network", "listeners": "1", "listener_actions": "forward", "targets": "1", "healthy_targets": "0"}
	inv := &scanners.Inventory{ScannedAt: testNow, Resources: []scanners.Resource{
		res(kindAWSLoadBalancer, "alb-unhealthy-busy", "active", daysAgo(60), unhealthy, series("RequestCount", "Sum", 40000, 7)),
		res(kindAWSLoadBalancer, "alb-unhealthy-quiet", "active", daysAgo(60), unhealthy, sparse("RequestCount", 7, nil)),
		// health known, metrics fetch failed: nothing to judge by
		res(kindAWSLoadBalancer, "alb-unhealthy-nometrics", "active", daysAgo(60), unhealthy),
		res(kindAWSLoadBalancer, "nlb-unhealthy-busy", "active", daysAgo(60), nlb, series("NewFlowCount", "Sum", 9000, 7)),
		res(kindAWSLoadBalancer, "nlb-unhealthy-quiet", "active", daysAgo(60), nlb, sparse("NewFlowCount", 7, nil)),
		res(kindAWSLoadBalancer, "gwlb-unhealthy", "active", daysAgo(60), map[string]string{"type": "gateway", "targets": "2", "healthy_targets": "0"}),
		res(kindAWSClassicLB, "clb-outofservice", "", daysAgo(60), map[string]string{"instances": "2", "healthy_instances": "0"}, series("RequestCount", "Sum", 500, 7)),
	}}
	e, _ := engine(t, nil)
	got := byResource(e.Run(inv))
	for _, k := range []string{"aws.elb.idle alb-unhealthy-busy", "aws.elb.idle nlb-unhealthy-busy", "aws.elb.idle alb-unhealthy-nometrics"} {
		if f, ok := got[k]; ok {
			t.Errorf("%s reported although the load balancer fails open: %+v", k, f.Evidence)
		}
	}
	for _, k := range []string{"aws.elb.idle alb-unhealthy-quiet", "aws.elb.idle nlb-unhealthy-quiet"} {
		f, ok := got[k]
		if !ok {
			t.Errorf("%s not reported: unhealthy targets and no traffic", k)
			continue
		}
		if f.Confidence != Medium || !strings.Contains(evidence(f, "targets"), "fails open") {
			t.Errorf("%s: confidence %s, targets %q; want medium and the fail-open note", k, f.Confidence, evidence(f, "targets"))
		}
	}
	for _, k := range []string{"aws.elb.idle gwlb-unhealthy", "aws.elb.classic_idle clb-outofservice"} {
		if f, ok := got[k]; !ok || f.Confidence != High {
			t.Errorf("%s: want a high-confidence finding, got %v %+v", k, ok, f)
		}
	}
}

// TestLBAnswersWithoutTargets: an ALB's redirect and fixed-response
// actions serve requests that RequestCount leaves out; they are counted in
// HTTP_Redirect_Count and HTTP_Fixed_Response_Count, which the traffic
// check adds, and an ALB whose listeners' default actions answer is not
// "no registered target".
func TestLBAnswersWithoutTargets(t *testing.T) {
	t.Parallel()
	attrs := func(actions string, targets, healthy string) map[string]string {
		m := map[string]string{"type": "application", "listeners": "1", "target_groups": "0", "targets": targets, "healthy_targets": healthy}
		if actions != "" {
			m["listener_actions"] = actions
		}
		return m
	}
	none := sparse("RequestCount", 7, nil)
	noRedirects, noFixed := sparse("HTTP_Redirect_Count", 7, nil), sparse("HTTP_Fixed_Response_Count", 7, nil)
	inv := &scanners.Inventory{ScannedAt: testNow, Resources: []scanners.Resource{
		res(kindAWSLoadBalancer, "redirect-busy", "active", daysAgo(60), attrs("redirect", "0", "0"),
			none, series("HTTP_Redirect_Count", "Sum", 30000, 7), noFixed),
		res(kindAWSLoadBalancer, "redirect-idle", "active", daysAgo(60), attrs("redirect", "0", "0"), none, noRedirects, noFixed),
		res(kindAWSLoadBalancer, "fixed-busy", "active", daysAgo(60), attrs("fixed-response", "0", "0"),
			none, noRedirects, series("HTTP_Fixed_Response_Count", "Sum", 2000, 7)),
		// redirect default action, CloudWatch failed: nothing to judge by
		res(kindAWSLoadBalancer, "redirect-nometrics", "active", daysAgo(60), attrs("redirect", "0", "0")),
		// forward to nothing, but listener rules redirect: the counter shows it
		res(kindAWSLoadBalancer, "rules-redirect", "active", daysAgo(60), attrs("forward", "0", "0"),
			none, series("HTTP_Redirect_Count", "Sum", 5000, 7), noFixed),
		// forward to nothing, nothing answered: no registered target (high)
		res(kindAWSLoadBalancer, "empty", "active", daysAgo(60), attrs("forward", "0", "0"), none, noRedirects, noFixed),
		// healthy target, few forwarded requests, many redirects (rules): in use
		res(kindAWSLoadBalancer, "mixed", "active", daysAgo(60), attrs("forward", "1", "1"),
			series("RequestCount", "Sum", 10, 7), series("HTTP_Redirect_Count", "Sum", 800, 7), noFixed),
	}}
	e, _ := engine(t, nil)
	got := byResource(e.Run(inv))
	for _, k := range []string{"redirect-busy", "fixed-busy", "redirect-nometrics", "rules-redirect", "mixed"} {
		if f, ok := got["aws.elb.idle "+k]; ok {
			t.Errorf("%s reported although it answers requests itself: %+v", k, f.Evidence)
		}
	}
	f, ok := got["aws.elb.idle redirect-idle"]
	if !ok {
		t.Fatal("a redirect-only ALB without a redirect in 7 days was not reported")
	}
	if f.Confidence != Medium || !strings.Contains(evidence(f, "listener_default_actions"), "redirect") || evidence(f, "daily_requests") == "" {
		t.Errorf("redirect-idle: confidence %s, evidence %+v", f.Confidence, f.Evidence)
	}
	if f, ok := got["aws.elb.idle empty"]; !ok || f.Confidence != High || evidence(f, "targets") != "none registered" {
		t.Errorf("empty: %v %+v", ok, f)
	}
}

// TestLBActiveImpairedIsBilled: active_impaired ("routing traffic but does
// not have the resources it needs to scale") is running and billed like
// active; provisioning and failed are not judged.
func TestLBActiveImpairedIsBilled(t *testing.T) {
	t.Parallel()
	empty := map[string]string{"type": "application", "listeners": "1", "listener_actions": "forward", "targets": "0", "healthy_targets": "0"}
	inv := &scanners.Inventory{ScannedAt: testNow, Resources: []scanners.Resource{
		res(kindAWSLoadBalancer, "impaired", "active_impaired", daysAgo(60), empty),
		res(kindAWSLoadBalancer, "failed", "failed", daysAgo(60), empty),
		res(kindAWSLoadBalancer, "provisioning", "provisioning", daysAgo(60), empty),
	}}
	e, _ := engine(t, nil)
	got := byResource(e.Run(inv))
	f, ok := got["aws.elb.idle impaired"]
	if !ok || evidence(f, "state") != "active_impaired" {
		t.Errorf("active_impaired empty ALB: %v %+v", ok, f.Evidence)
	}
	for _, k := range []string{"failed", "provisioning"} {
		if _, ok := got["aws.elb.idle "+k]; ok {
			t.Errorf("%s load balancer reported", k)
		}
	}
}
