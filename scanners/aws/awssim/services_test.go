package awssim

import (
	"context"
	"fmt"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancing"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/ghostaudit/ghostaudit/scanners/estate"
)

type clients struct {
	elbv2 *elbv2.Client
	elb   *elb.Client
	rds   *rds.Client
	logs  *cloudwatchlogs.Client
	org   *organizations.Client
}

func newClients(srv *httptest.Server, region string, creds aws.CredentialsProvider) clients {
	cfg := awsConfig(srv, region, creds)
	u := aws.String(srv.URL)
	return clients{
		elbv2: elbv2.NewFromConfig(cfg, func(o *elbv2.Options) { o.BaseEndpoint = u }),
		elb:   elb.NewFromConfig(cfg, func(o *elb.Options) { o.BaseEndpoint = u }),
		rds:   rds.NewFromConfig(cfg, func(o *rds.Options) { o.BaseEndpoint = u }),
		logs:  cloudwatchlogs.NewFromConfig(cfg, func(o *cloudwatchlogs.Options) { o.BaseEndpoint = u }),
		org:   organizations.NewFromConfig(cfg, func(o *organizations.Options) { o.BaseEndpoint = u }),
	}
}

func assumed(t *testing.T, srv *httptest.Server, account string) aws.CredentialsProvider {
	t.Helper()
	out, err := stsClient(srv, "us-east-1", nil).AssumeRole(context.Background(), &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::" + account + ":role/r"), RoleSessionName: aws.String("audit")})
	if err != nil {
		t.Fatal(err)
	}
	cr := out.Credentials
	return credentials.NewStaticCredentialsProvider(aws.ToString(cr.AccessKeyId), aws.ToString(cr.SecretAccessKey), aws.ToString(cr.SessionToken))
}

func TestELBv2(t *testing.T) {
	t.Parallel()
	sim, srv := newTestSim(t)
	ctx := context.Background()
	c := newClients(srv, "us-east-1", nil).elbv2
	p := elbv2.NewDescribeLoadBalancersPaginator(c, &elbv2.DescribeLoadBalancersInput{PageSize: aws.Int32(2)})
	var lbs []string
	pages := 0
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, lb := range out.LoadBalancers {
			lbs = append(lbs, aws.ToString(lb.LoadBalancerName)+":"+string(lb.Type)+":"+string(lb.State.Code))
		}
	}
	if fmt.Sprint(lbs) != "[idle-nlb:network:active lb-3:application:active web-alb:application:active]" || pages != 2 {
		t.Fatalf("%v in %d pages", lbs, pages)
	}
	out, err := c.DescribeLoadBalancers(ctx, &elbv2.DescribeLoadBalancersInput{Names: []string{"web-alb"}})
	if err != nil || len(out.LoadBalancers) != 1 {
		t.Fatal(err)
	}
	alb := out.LoadBalancers[0]
	if !aws.ToTime(alb.CreatedTime).Equal(testNow.Add(-90*24*time.Hour)) || aws.ToString(alb.DNSName) == "" {
		t.Errorf("alb %+v", alb)
	}
	tgs, err := c.DescribeTargetGroups(ctx, &elbv2.DescribeTargetGroupsInput{LoadBalancerArn: alb.LoadBalancerArn})
	if err != nil || len(tgs.TargetGroups) != 1 || aws.ToString(tgs.TargetGroups[0].TargetGroupName) != "web-tg" {
		t.Fatalf("target groups %v %v", tgs, err)
	}
	th, err := c.DescribeTargetHealth(ctx, &elbv2.DescribeTargetHealthInput{TargetGroupArn: tgs.TargetGroups[0].TargetGroupArn})
	if err != nil || len(th.TargetHealthDescriptions) != 2 || th.TargetHealthDescriptions[1].TargetHealth.State != "unused" {
		t.Fatalf("target health %v %v", th, err)
	}
	ls, err := c.DescribeListeners(ctx, &elbv2.DescribeListenersInput{LoadBalancerArn: alb.LoadBalancerArn})
	if err != nil || len(ls.Listeners) != 1 || aws.ToInt32(ls.Listeners[0].Port) != 80 || ls.Listeners[0].Protocol != "HTTP" {
		t.Fatalf("listeners %v %v", ls, err)
	}
	// The LoadBalancer dimension is the ARN suffix app/<name>/<id>.
	arn := aws.ToString(alb.LoadBalancerArn)
	dim := arn[len("arn:aws:elasticloadbalancing:us-east-1:111111111111:loadbalancer/"):]
	md, err := cwClient(srv, srv.URL, "us-east-1", nil).GetMetricData(ctx, &cloudwatch.GetMetricDataInput{
		StartTime: aws.Time(testNow.Add(-7 * 24 * time.Hour)), EndTime: aws.Time(testNow),
		MetricDataQueries: []cwtypes.MetricDataQuery{{Id: aws.String("r"), MetricStat: &cwtypes.MetricStat{Period: aws.Int32(86400), Stat: aws.String("Sum"),
			Metric: &cwtypes.Metric{Namespace: aws.String("AWS/ApplicationELB"), MetricName: aws.String("RequestCount"),
				Dimensions: []cwtypes.Dimension{{Name: aws.String("LoadBalancer"), Value: aws.String(dim)}}}}}},
	})
	// web-alb had no request in 7 days (avg 0): ELB reports nothing then,
	// not zeros.
	if err != nil || len(md.MetricDataResults) != 1 || len(md.MetricDataResults[0].Values) != 0 || md.MetricDataResults[0].StatusCode != "Complete" {
		t.Fatalf("ALB RequestCount for %s: %+v %v", dim, md, err)
	}
	// idle-nlb's NewFlowCount is [5, 0]: one datapoint, the day before
	// yesterday's; yesterday had no flow and no datapoint.
	nlb, err := c.DescribeLoadBalancers(ctx, &elbv2.DescribeLoadBalancersInput{Names: []string{"idle-nlb"}})
	if err != nil {
		t.Fatal(err)
	}
	nlbDim := aws.ToString(nlb.LoadBalancers[0].LoadBalancerArn)[len("arn:aws:elasticloadbalancing:us-east-1:111111111111:loadbalancer/"):]
	md, err = cwClient(srv, srv.URL, "us-east-1", nil).GetMetricData(ctx, &cloudwatch.GetMetricDataInput{
		StartTime: aws.Time(testNow.Truncate(24 * time.Hour).Add(-7 * 24 * time.Hour)), EndTime: aws.Time(testNow.Truncate(24 * time.Hour)),
		MetricDataQueries: []cwtypes.MetricDataQuery{{Id: aws.String("f"), MetricStat: &cwtypes.MetricStat{Period: aws.Int32(86400), Stat: aws.String("Sum"),
			Metric: &cwtypes.Metric{Namespace: aws.String("AWS/NetworkELB"), MetricName: aws.String("NewFlowCount"),
				Dimensions: []cwtypes.Dimension{{Name: aws.String("LoadBalancer"), Value: aws.String(nlbDim)}}}}}},
	})
	if err != nil || len(md.MetricDataResults[0].Values) != 1 || md.MetricDataResults[0].Values[0] != 5 ||
		!md.MetricDataResults[0].Timestamps[0].Equal(testNow.Truncate(24*time.Hour).Add(-2*24*time.Hour)) {
		t.Fatalf("NLB NewFlowCount for %s: %+v %v", nlbDim, md, err)
	}
	if last := sim.Requests()[len(sim.Requests())-4]; last.Service != "elasticloadbalancing" || last.Action != "DescribeListeners" {
		t.Errorf("request %+v", last)
	}
	_, err = newClients(srv, "eu-west-1", nil).elbv2.DescribeLoadBalancers(ctx, &elbv2.DescribeLoadBalancersInput{})
	wantAPIError(t, err, "AccessDenied", 403)
	_, err = newClients(srv, "us-east-1", assumed(t, srv, "222222222222")).elbv2.DescribeLoadBalancers(ctx, &elbv2.DescribeLoadBalancersInput{})
	wantAPIError(t, err, "Throttling", 400)
}

func TestELBClassic(t *testing.T) {
	t.Parallel()
	_, srv := newTestSim(t)
	ctx := context.Background()
	c := newClients(srv, "us-east-1", nil).elb
	out, err := c.DescribeLoadBalancers(ctx, &elb.DescribeLoadBalancersInput{})
	if err != nil || len(out.LoadBalancerDescriptions) != 1 {
		t.Fatalf("%v %v", out, err)
	}
	d := out.LoadBalancerDescriptions[0]
	if aws.ToString(d.LoadBalancerName) != "old-clb" || len(d.Instances) != 1 || aws.ToString(d.Instances[0].InstanceId) != "i-0000000000000000a" || d.CreatedTime == nil {
		t.Errorf("clb %+v", d)
	}
	h, err := c.DescribeInstanceHealth(ctx, &elb.DescribeInstanceHealthInput{LoadBalancerName: aws.String("old-clb")})
	if err != nil || len(h.InstanceStates) != 1 || aws.ToString(h.InstanceStates[0].State) != "OutOfService" {
		t.Fatalf("health %v %v", h, err)
	}
	_, err = c.DescribeInstanceHealth(ctx, &elb.DescribeInstanceHealthInput{LoadBalancerName: aws.String("nope")})
	wantAPIError(t, err, "LoadBalancerNotFound", 400)
	_, err = newClients(srv, "eu-west-1", nil).elb.DescribeLoadBalancers(ctx, &elb.DescribeLoadBalancersInput{})
	wantAPIError(t, err, "AccessDenied", 403)
}

func TestRDS(t *testing.T) {
	t.Parallel()
	_, srv := newTestSim(t)
	ctx := context.Background()
	c := newClients(srv, "us-east-1", nil).rds
	out, err := c.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{MaxRecords: aws.Int32(20)})
	if err != nil || len(out.DBInstances) != 2 {
		t.Fatalf("%v %v", out, err)
	}
	m, st := out.DBInstances[0], out.DBInstances[1]
	if aws.ToString(m.DBInstanceIdentifier) != "db-main" || aws.ToString(m.DBInstanceClass) != "db.m5.large" || !aws.ToBool(m.MultiAZ) ||
		aws.ToInt32(m.AllocatedStorage) != 100 || aws.ToString(m.StorageType) != "gp2" || aws.ToString(m.Engine) != "postgres" ||
		!aws.ToTime(m.InstanceCreateTime).Equal(testNow.Add(-300*24*time.Hour)) || aws.ToString(m.DBInstanceStatus) != "available" {
		t.Errorf("db-main %+v", m)
	}
	if aws.ToString(st.DBInstanceStatus) != "stopped" {
		t.Errorf("db-stopped %+v", st)
	}
	_, err = c.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{MaxRecords: aws.Int32(19)})
	wantAPIError(t, err, "InvalidParameterValue", 400)
	snaps, err := c.DescribeDBSnapshots(ctx, &rds.DescribeDBSnapshotsInput{SnapshotType: aws.String("manual")})
	if err != nil || len(snaps.DBSnapshots) != 1 || aws.ToString(snaps.DBSnapshots[0].DBInstanceIdentifier) != "db-gone" ||
		aws.ToInt32(snaps.DBSnapshots[0].AllocatedStorage) != 50 || !aws.ToTime(snaps.DBSnapshots[0].SnapshotCreateTime).Equal(testNow.Add(-60*24*time.Hour)) {
		t.Fatalf("snapshots %+v %v", snaps, err)
	}
	_, err = newClients(srv, "eu-west-1", nil).rds.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{})
	wantAPIError(t, err, "AccessDenied", 403)
	_, err = newClients(srv, "us-east-1", assumed(t, srv, "222222222222")).rds.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{})
	wantAPIError(t, err, "Throttling", 400)
}

func TestRDSPaging(t *testing.T) {
	t.Parallel()
	in := "aws:\n  accounts:\n    - id: \"111111111111\"\n      regions:\n        - name: us-east-1\n          db_instances:\n"
	for i := range 45 {
		in += fmt.Sprintf("            - {id: db-%02d, class: db.t3.micro}\n", i)
	}
	srv := serveYAML(t, in)
	p := rds.NewDescribeDBInstancesPaginator(newClients(srv, "us-east-1", nil).rds, &rds.DescribeDBInstancesInput{MaxRecords: aws.Int32(20)})
	n, pages := 0, 0
	for p.HasMorePages() {
		out, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		n += len(out.DBInstances)
		pages++
	}
	if n != 45 || pages != 3 {
		t.Fatalf("%d instances in %d pages", n, pages)
	}
}

func TestLogGroups(t *testing.T) {
	t.Parallel()
	sim, srv := newTestSim(t)
	ctx := context.Background()
	c := newClients(srv, "us-east-1", nil).logs
	p := cloudwatchlogs.NewDescribeLogGroupsPaginator(c, &cloudwatchlogs.DescribeLogGroupsInput{Limit: aws.Int32(2)})
	var got []string
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, g := range out.LogGroups {
			got = append(got, fmt.Sprintf("%s:%d:%d:%d", aws.ToString(g.LogGroupName), aws.ToInt32(g.RetentionInDays), aws.ToInt64(g.StoredBytes), aws.ToInt64(g.CreationTime)))
		}
	}
	want := fmt.Sprintf("[/app/c:0:0:%d /aws/lambda/a:0:1048576:%d /aws/lambda/b:14:0:%d]", testNow.Add(-365*24*time.Hour).UnixMilli(), testNow.Add(-30*24*time.Hour).UnixMilli(), testNow.Add(-365*24*time.Hour).UnixMilli())
	if fmt.Sprint(got) != want {
		t.Fatalf("got %v\nwant %s", got, want)
	}
	if r := sim.Requests()[len(sim.Requests())-1]; r.Service != "logs" || r.Action != "DescribeLogGroups" || r.Status != 200 {
		t.Errorf("request %+v", r)
	}
	_, err := c.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{Limit: aws.Int32(51)})
	wantAPIError(t, err, "InvalidParameterException", 400)
	_, err = newClients(srv, "eu-west-1", nil).logs.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{})
	wantAPIError(t, err, "AccessDeniedException", 400)
	_, err = newClients(srv, "us-east-1", assumed(t, srv, "222222222222")).logs.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{})
	wantAPIError(t, err, "ThrottlingException", 400)
}

func TestListAccounts(t *testing.T) {
	t.Parallel()
	_, srv := newTestSim(t)
	ctx := context.Background()
	p := organizations.NewListAccountsPaginator(newClients(srv, "us-east-1", nil).org, &organizations.ListAccountsInput{MaxResults: aws.Int32(1)})
	var got []string
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range out.Accounts {
			got = append(got, aws.ToString(a.Id)+":"+string(a.Status)+":"+aws.ToString(a.Email))
		}
	}
	if fmt.Sprint(got) != "[111111111111:ACTIVE:production@example.com 222222222222:SUSPENDED:staging@example.com]" {
		t.Fatalf("accounts %v", got)
	}
	_, err := newClients(srv, "us-east-1", assumed(t, srv, "222222222222")).org.ListAccounts(ctx, &organizations.ListAccountsInput{})
	wantAPIError(t, err, "AccessDeniedException", 400)
	_, err = newClients(srv, "us-east-1", nil).org.ListAccounts(ctx, &organizations.ListAccountsInput{MaxResults: aws.Int32(21)})
	wantAPIError(t, err, "InvalidInputException", 400)
}

func serveYAML(t *testing.T, in string) *httptest.Server {
	t.Helper()
	e, err := estate.Parse("t.yaml", []byte(in))
	if err != nil {
		t.Fatal(err)
	}
	est, _, err := Load(e)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(New(est, Options{Now: func() time.Time { return testNow }}))
	t.Cleanup(srv.Close)
	return srv
}
