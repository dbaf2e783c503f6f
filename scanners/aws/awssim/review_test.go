package awssim

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"

	"github.com/ghostaudit/ghostaudit/scanners/estate"
)

// TestLambdaTargetHealth checks a Lambda target group as AWS reports it:
// TargetType lambda, HealthCheckEnabled false, no port, and its target
// unavailable with reason Target.HealthCheckDisabled.
func TestLambdaTargetHealth(t *testing.T) {
	t.Parallel()
	srv := serveYAML(t, `
aws:
  accounts:
    - id: "111111111111"
      regions:
        - name: us-east-1
          load_balancers:
            - name: fn
              target_groups:
                - name: fn-tg
                  target_type: lambda
                  targets: [{id: "arn:aws:lambda:us-east-1:111111111111:function:f"}]
                - name: web-tg
                  targets: [{id: 10.0.0.1, health: unhealthy, reason: Target.Timeout}]
`)
	ctx := context.Background()
	c := newClients(srv, "us-east-1", nil).elbv2
	tgs, err := c.DescribeTargetGroups(ctx, &elbv2.DescribeTargetGroupsInput{})
	if err != nil || len(tgs.TargetGroups) != 2 {
		t.Fatalf("%v %v", tgs, err)
	}
	fn, web := tgs.TargetGroups[0], tgs.TargetGroups[1]
	if fn.TargetType != "lambda" || aws.ToBool(fn.HealthCheckEnabled) || fn.Port != nil || fn.Protocol != "" {
		t.Errorf("lambda group %+v", fn)
	}
	if web.TargetType != "instance" || !aws.ToBool(web.HealthCheckEnabled) || aws.ToInt32(web.Port) != 80 {
		t.Errorf("instance group %+v", web)
	}
	th, err := c.DescribeTargetHealth(ctx, &elbv2.DescribeTargetHealthInput{TargetGroupArn: fn.TargetGroupArn})
	if err != nil || len(th.TargetHealthDescriptions) != 1 {
		t.Fatalf("%v %v", th, err)
	}
	h := th.TargetHealthDescriptions[0].TargetHealth
	if h.State != "unavailable" || h.Reason != "Target.HealthCheckDisabled" || aws.ToString(h.Description) != "Health checks disabled" {
		t.Errorf("lambda target health %+v", h)
	}
	th, err = c.DescribeTargetHealth(ctx, &elbv2.DescribeTargetHealthInput{TargetGroupArn: web.TargetGroupArn})
	if err != nil || th.TargetHealthDescriptions[0].TargetHealth.Reason != "Target.Timeout" {
		t.Fatalf("%v %v", th, err)
	}
}

// TestLoadValidationReview covers the estate fields added with the review
// fixes.
func TestLoadValidationReview(t *testing.T) {
	t.Parallel()
	base := "aws:\n  accounts:\n    - id: \"111111111111\"\n      regions:\n        - name: us-east-1\n"
	lb := base + "          load_balancers:\n            - name: a\n              target_groups:\n                - name: g\n"
	cases := []struct{ name, in, want string }{
		{"reason for state", lb + "                  targets: [{id: 10.0.0.1, health: unhealthy, reason: Target.HealthCheckDisabled}]\n",
			"targets[0].reason: \"Target.HealthCheckDisabled\" is not a reason code of a unhealthy target"},
		{"healthy reason", lb + "                  targets: [{id: 10.0.0.1, reason: Target.Timeout}]\n", "a healthy target has no reason code"},
		{"checks off outside lambda", lb + "                  targets: [{id: 10.0.0.1, health: unavailable, reason: Target.HealthCheckDisabled}]\n",
			"health checks can be disabled only for a lambda target group, not instance"},
		{"target type", lb + "                  target_type: container\n", "target_type: \"container\" is not instance, ip, lambda or alb"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e, err := estate.Parse("demo.yaml", []byte(tc.in))
			if err != nil {
				t.Fatal(err)
			}
			_, _, err = Load(e)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want it to contain %q", err, tc.want)
			}
		})
	}
}
