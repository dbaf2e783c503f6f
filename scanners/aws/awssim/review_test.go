package awssim

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancing"
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
		{"metric status", base + "          instances:\n            - {id: i-1, type: t3.micro, metrics: {CPUUtilization: {status: PartialData}}}\n", "CPUUtilization.status: \"PartialData\" is not a fault status (InternalError, Forbidden)"},
		{"metric message", base + "          instances:\n            - {id: i-1, type: t3.micro, metrics: {CPUUtilization: {avg: 1, message: x}}}\n", "message goes with status"},
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

const tagsEstate = `
aws:
  accounts:
    - id: "111111111111"
      regions:
        - name: us-east-1
          load_balancers:
            - {name: web, tags: {team: web, env: prod}, target_groups: [{name: web-tg}]}
            - {name: bare}
          classic_load_balancers:
            - {name: old, tags: {team: legacy}}
          log_groups:
            - {name: /aws/lambda/f, tags: {team: fn}}
            - {name: /app/bare}
`

// TestDescribeTags checks ELBv2 and Classic DescribeTags over the Query
// protocol: tags per resource, at most 20 resources, unknown resources.
func TestDescribeTags(t *testing.T) {
	t.Parallel()
	srv := serveYAML(t, tagsEstate)
	ctx := context.Background()
	cl := newClients(srv, "us-east-1", nil)
	lbs, err := cl.elbv2.DescribeLoadBalancers(ctx, &elbv2.DescribeLoadBalancersInput{})
	if err != nil || len(lbs.LoadBalancers) != 2 {
		t.Fatalf("%v %v", lbs, err)
	}
	bare, web := aws.ToString(lbs.LoadBalancers[0].LoadBalancerArn), aws.ToString(lbs.LoadBalancers[1].LoadBalancerArn)
	tgs, err := cl.elbv2.DescribeTargetGroups(ctx, &elbv2.DescribeTargetGroupsInput{})
	if err != nil {
		t.Fatal(err)
	}
	out, err := cl.elbv2.DescribeTags(ctx, &elbv2.DescribeTagsInput{ResourceArns: []string{web, bare, aws.ToString(tgs.TargetGroups[0].TargetGroupArn)}})
	if err != nil || len(out.TagDescriptions) != 3 {
		t.Fatalf("%v %v", out, err)
	}
	var got []string
	for _, d := range out.TagDescriptions {
		s := aws.ToString(d.ResourceArn)[strings.LastIndex(aws.ToString(d.ResourceArn), ":")+1:]
		for _, tg := range d.Tags {
			s += " " + aws.ToString(tg.Key) + "=" + aws.ToString(tg.Value)
		}
		got = append(got, s)
	}
	if g := strings.Join(got, "|"); !strings.HasPrefix(g, "loadbalancer/app/web/") || !strings.Contains(g, " env=prod team=web|loadbalancer/app/bare/") ||
		!strings.Contains(g, "|targetgroup/web-tg/") {
		t.Errorf("tag descriptions %s", g)
	}
	many := make([]string, 21)
	for i := range many {
		many[i] = web
	}
	_, err = cl.elbv2.DescribeTags(ctx, &elbv2.DescribeTagsInput{ResourceArns: many})
	wantAPIError(t, err, "ValidationError", 400)
	_, err = cl.elbv2.DescribeTags(ctx, &elbv2.DescribeTagsInput{ResourceArns: []string{strings.Replace(web, "/web/", "/gone/", 1)}})
	wantAPIError(t, err, "LoadBalancerNotFound", 400)

	co, err := cl.elb.DescribeTags(ctx, &elb.DescribeTagsInput{LoadBalancerNames: []string{"old"}})
	if err != nil || len(co.TagDescriptions) != 1 || aws.ToString(co.TagDescriptions[0].LoadBalancerName) != "old" ||
		len(co.TagDescriptions[0].Tags) != 1 || aws.ToString(co.TagDescriptions[0].Tags[0].Value) != "legacy" {
		t.Fatalf("classic tags %+v %v", co, err)
	}
	_, err = cl.elb.DescribeTags(ctx, &elb.DescribeTagsInput{LoadBalancerNames: []string{"old", "nope"}})
	wantAPIError(t, err, "LoadBalancerNotFound", 400)
}

// TestListTagsForResource checks CloudWatch Logs' ListTagsForResource over
// JSON 1.1 with the log group ARN of DescribeLogGroups' logGroupArn.
func TestListTagsForResource(t *testing.T) {
	t.Parallel()
	srv := serveYAML(t, tagsEstate)
	ctx := context.Background()
	c := newClients(srv, "us-east-1", nil).logs
	gs, err := c.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{})
	if err != nil || len(gs.LogGroups) != 2 {
		t.Fatalf("%v %v", gs, err)
	}
	want := map[string]string{"/app/bare": "map[]", "/aws/lambda/f": "map[team:fn]"}
	for _, g := range gs.LogGroups {
		out, err := c.ListTagsForResource(ctx, &cloudwatchlogs.ListTagsForResourceInput{ResourceArn: g.LogGroupArn})
		if err != nil || fmt.Sprint(out.Tags) != want[aws.ToString(g.LogGroupName)] {
			t.Errorf("%s: %v %v", aws.ToString(g.LogGroupName), out, err)
		}
	}
	_, err = c.ListTagsForResource(ctx, &cloudwatchlogs.ListTagsForResourceInput{ResourceArn: aws.String("arn:aws:logs:us-east-1:111111111111:log-group:/nope")})
	wantAPIError(t, err, "ResourceNotFoundException", 400)
	_, err = newClients(srv, "us-east-1", nil).logs.ListTagsForResource(ctx, &cloudwatchlogs.ListTagsForResourceInput{ResourceArn: aws.String("arn:aws:logs:eu-west-1:111111111111:log-group:/app/bare")})
	wantAPIError(t, err, "ResourceNotFoundException", 400)
}

// TestMetricStatusFault checks a series' status fault: its query is
// answered with that StatusCode, no datapoints and a message, and the
// other queries of the call are answered as usual.
func TestMetricStatusFault(t *testing.T) {
	t.Parallel()
	srv := serveYAML(t, `
aws:
  accounts:
    - id: "111111111111"
      regions:
        - name: us-east-1
          instances:
            - {id: i-1, type: t3.micro, metrics: {CPUUtilization: {avg: 5, status: InternalError}, NetworkIn: {avg: 10}}}
            - {id: i-2, type: t3.micro, metrics: {CPUUtilization: {status: Forbidden, message: no access}}}
`)
	q := func(id, instance, metric string) cwtypes.MetricDataQuery {
		return cwtypes.MetricDataQuery{Id: aws.String(id), MetricStat: &cwtypes.MetricStat{Period: aws.Int32(86400), Stat: aws.String("Average"),
			Metric: &cwtypes.Metric{Namespace: aws.String("AWS/EC2"), MetricName: aws.String(metric),
				Dimensions: []cwtypes.Dimension{{Name: aws.String("InstanceId"), Value: aws.String(instance)}}}}}
	}
	out, err := cwClient(srv, srv.URL, "us-east-1", nil).GetMetricData(context.Background(), &cloudwatch.GetMetricDataInput{
		StartTime: aws.Time(testNow.Add(-7 * 24 * time.Hour)), EndTime: aws.Time(testNow),
		MetricDataQueries: []cwtypes.MetricDataQuery{q("a", "i-1", "CPUUtilization"), q("b", "i-1", "NetworkIn"), q("c", "i-2", "CPUUtilization")},
	})
	if err != nil || len(out.MetricDataResults) != 3 {
		t.Fatalf("%+v %v", out, err)
	}
	var got []string
	for _, r := range out.MetricDataResults {
		s := fmt.Sprintf("%s:%s:%d", aws.ToString(r.Id), r.StatusCode, len(r.Values))
		for _, m := range r.Messages {
			s += ":" + aws.ToString(m.Code) + "=" + aws.ToString(m.Value)
		}
		got = append(got, s)
	}
	want := "[a:InternalError:0:InternalError=An internal error occurred while retrieving the data. Retry the request. b:Complete:7 c:Forbidden:0:Forbidden=no access]"
	if fmt.Sprint(got) != want {
		t.Errorf("got  %v\nwant %s", got, want)
	}
}
