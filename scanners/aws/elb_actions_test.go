package aws

import (
	"testing"
)

// TestListenerActionsAndAnswerMetrics checks that the scanner records the
// types of the listeners' default actions and fetches, for every ALB,
// HTTP_Redirect_Count and HTTP_Fixed_Response_Count besides RequestCount:
// the requests an ALB answers itself are not in RequestCount.
func TestListenerActionsAndAnswerMetrics(t *testing.T) {
	t.Parallel()
	r := scanEstate(t, `
aws:
  accounts:
    - id: "111111111111"
      regions:
        - name: us-east-1
          load_balancers:
            - name: redirector
              created: -60d
              listeners: [{port: 80, default_actions: [{type: redirect}]}]
              metrics:
                HTTP_Redirect_Count: {daily: [0, 0, 5, 0, 0, 0, 9]}
            - name: edge
              created: -60d
              listeners:
                - {port: 80, default_actions: [{type: redirect}]}
                - {port: 443, protocol: HTTPS, default_actions: [{type: fixed-response}]}
                - {port: 8443, protocol: HTTPS}
              target_groups: [{name: edge-tg, targets: [{id: 10.0.0.1}]}]
              metrics:
                RequestCount: {avg: 100, days: 7}
                HTTP_Fixed_Response_Count: {avg: 20, days: 7}
            - name: bare
              created: -60d
            - name: flows
              type: network
              created: -60d
              listeners: [{port: 443}]
              target_groups: [{name: flows-tg, targets: [{id: 10.0.0.2}]}]
`, nil)
	noGaps(t, r)
	redirector := r.get(t, KindLoadBalancer, "redirector")
	wantAttrs(t, redirector, map[string]string{AttrListeners: "1", AttrListenerActions: "redirect", AttrTargets: "0"})
	if m, ok := redirector.Metric("HTTP_Redirect_Count", "Sum"); !ok || m.Points != 2 || !near(m.Value, 14) || m.WindowDays != 7 || m.Unit != "Count" {
		t.Errorf("redirector HTTP_Redirect_Count: %+v %v", m, ok)
	}
	if m, ok := redirector.Metric("HTTP_Fixed_Response_Count", "Sum"); !ok || m.Points != 0 {
		t.Errorf("redirector HTTP_Fixed_Response_Count: %+v %v", m, ok)
	}
	edge := r.get(t, KindLoadBalancer, "edge")
	wantAttrs(t, edge, map[string]string{AttrListeners: "3", AttrListenerActions: "fixed-response,forward,redirect"})
	if m, ok := edge.Metric("HTTP_Fixed_Response_Count", "Sum"); !ok || !near(m.Value, 140) {
		t.Errorf("edge HTTP_Fixed_Response_Count: %+v %v", m, ok)
	}
	if m, ok := edge.Metric("RequestCount", "Sum"); !ok || !near(m.Value, 700) {
		t.Errorf("edge RequestCount: %+v %v", m, ok)
	}
	// no listener: the attribute is absent, the count says why
	wantAttrs(t, r.get(t, KindLoadBalancer, "bare"), map[string]string{AttrListeners: "0", AttrListenerActions: ""})
	flows := r.get(t, KindLoadBalancer, "flows")
	wantAttrs(t, flows, map[string]string{AttrListenerActions: "forward"})
	if _, ok := flows.Metric("HTTP_Redirect_Count", "Sum"); ok {
		t.Error("an NLB was asked for HTTP_Redirect_Count")
	}
}
