package awssim

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbv2types "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"

	"github.com/ghostaudit/ghostaudit/scanners/estate"
)

// TestListenerDefaultActions checks that the SDK's DescribeListeners
// deserializer reads each kind of default action, with its config, as the
// Action data type documents it.
func TestListenerDefaultActions(t *testing.T) {
	t.Parallel()
	srv := serveYAML(t, `
aws:
  accounts:
    - id: "111111111111"
      regions:
        - name: us-east-1
          load_balancers:
            - name: edge
              listeners:
                - {port: 80, default_actions: [{type: redirect}]}
                - {port: 443, protocol: HTTPS, default_actions: [{type: fixed-response, status_code: "503", message_body: down}]}
                - {port: 8080}
              target_groups: [{name: edge-tg, targets: [{id: 10.0.0.1}]}]
`)
	ctx := context.Background()
	c := newClients(srv, "us-east-1", nil).elbv2
	lbs, err := c.DescribeLoadBalancers(ctx, &elbv2.DescribeLoadBalancersInput{Names: []string{"edge"}})
	if err != nil {
		t.Fatal(err)
	}
	out, err := c.DescribeListeners(ctx, &elbv2.DescribeListenersInput{LoadBalancerArn: lbs.LoadBalancers[0].LoadBalancerArn})
	if err != nil || len(out.Listeners) != 3 {
		t.Fatalf("%v %+v", err, out)
	}
	actions := func(i int) []elbv2types.Action {
		if len(out.Listeners[i].DefaultActions) != 1 {
			t.Fatalf("listener %d: %+v", i, out.Listeners[i].DefaultActions)
		}
		return out.Listeners[i].DefaultActions
	}
	r := actions(0)[0]
	if r.Type != elbv2types.ActionTypeEnumRedirect || aws.ToInt32(r.Order) != 1 || r.RedirectConfig == nil ||
		aws.ToString(r.RedirectConfig.Protocol) != "HTTPS" || aws.ToString(r.RedirectConfig.Port) != "443" ||
		aws.ToString(r.RedirectConfig.Host) != "#{host}" || aws.ToString(r.RedirectConfig.Path) != "/#{path}" ||
		r.RedirectConfig.StatusCode != elbv2types.RedirectActionStatusCodeEnumHttp301 {
		t.Errorf("redirect: %+v %+v", r, r.RedirectConfig)
	}
	f := actions(1)[0]
	if f.Type != elbv2types.ActionTypeEnumFixedResponse || f.FixedResponseConfig == nil ||
		aws.ToString(f.FixedResponseConfig.StatusCode) != "503" || aws.ToString(f.FixedResponseConfig.MessageBody) != "down" ||
		aws.ToString(f.FixedResponseConfig.ContentType) != "text/plain" {
		t.Errorf("fixed-response: %+v %+v", f, f.FixedResponseConfig)
	}
	w := actions(2)[0]
	if w.Type != elbv2types.ActionTypeEnumForward || !strings.Contains(aws.ToString(w.TargetGroupArn), ":targetgroup/edge-tg/") ||
		w.ForwardConfig == nil || len(w.ForwardConfig.TargetGroups) != 1 ||
		aws.ToString(w.ForwardConfig.TargetGroups[0].TargetGroupArn) != aws.ToString(w.TargetGroupArn) {
		t.Errorf("forward: %+v %+v", w, w.ForwardConfig)
	}
}

func TestListenerActionValidation(t *testing.T) {
	t.Parallel()
	base := "aws:\n  accounts:\n    - id: \"111111111111\"\n      regions:\n        - name: us-east-1\n          load_balancers:\n"
	cases := []struct{ name, in, want string }{
		{"nlb redirect", base + "            - {name: n, type: network, listeners: [{port: 80, default_actions: [{type: redirect}]}]}\n",
			"listeners[0].default_actions[0].type: a network load balancer's listeners only forward, not redirect"},
		{"type", base + "            - {name: a, listeners: [{port: 80, default_actions: [{type: authenticate}]}]}\n",
			"\"authenticate\" is not forward, redirect or fixed-response"},
		{"target group", base + "            - {name: a, listeners: [{port: 80, default_actions: [{type: forward, target_group: nope}]}]}\n",
			"\"nope\" is not a target group of load balancer a"},
		{"redirect code", base + "            - {name: a, listeners: [{port: 80, default_actions: [{type: redirect, status_code: \"301\"}]}]}\n",
			"\"301\" is not HTTP_301 or HTTP_302"},
		{"fixed code", base + "            - {name: a, listeners: [{port: 80, default_actions: [{type: fixed-response, status_code: \"302\"}]}]}\n",
			"\"302\" is not a 2XX, 4XX or 5XX status code"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e, err := estate.Parse("t.yaml", []byte(tc.in))
			if err != nil {
				t.Fatal(err)
			}
			if _, _, err = Load(e); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want it to contain %q", err, tc.want)
			}
		})
	}
}
