package awssim

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go/encoding/cbor"
)

func cwClient(srv interface{ Client() *http.Client }, url, region string, creds aws.CredentialsProvider) *cloudwatch.Client {
	cfg := aws.Config{Region: region, Credentials: creds, HTTPClient: srv.Client(), Retryer: func() aws.Retryer { return aws.NopRetryer{} }}
	if cfg.Credentials == nil {
		cfg.Credentials = credentials.NewStaticCredentialsProvider(AccessKeyID, SecretAccessKey, "")
	}
	return cloudwatch.NewFromConfig(cfg, func(o *cloudwatch.Options) { o.BaseEndpoint = aws.String(url) })
}

func cpuQuery(id, stat string, period int32, metric, instance string) cwtypes.MetricDataQuery {
	return cwtypes.MetricDataQuery{Id: aws.String(id), MetricStat: &cwtypes.MetricStat{
		Metric: &cwtypes.Metric{Namespace: aws.String("AWS/EC2"), MetricName: aws.String(metric),
			Dimensions: []cwtypes.Dimension{{Name: aws.String("InstanceId"), Value: aws.String(instance)}}},
		Period: aws.Int32(period), Stat: aws.String(stat)}}
}

func TestGetMetricDataAggregates(t *testing.T) {
	t.Parallel()
	sim, srv := newTestSim(t)
	c := cwClient(srv, srv.URL, "us-east-1", nil)
	midnight := testNow.Truncate(24 * time.Hour)
	out, err := c.GetMetricData(context.Background(), &cloudwatch.GetMetricDataInput{
		StartTime: aws.Time(testNow.Add(-30 * 24 * time.Hour)), EndTime: aws.Time(testNow),
		ScanBy: cwtypes.ScanByTimestampAscending,
		MetricDataQueries: []cwtypes.MetricDataQuery{
			cpuQuery("cpu_avg", "Average", 86400, "CPUUtilization", "i-0000000000000000a"),
			cpuQuery("cpu_max_all", "Maximum", 30*86400, "CPUUtilization", "i-0000000000000000a"),
			cpuQuery("net", "Sum", 86400, "NetworkIn", "i-0000000000000000a"),
			cpuQuery("net_hourly", "Sum", 3600, "NetworkIn", "i-0000000000000000a"),
			cpuQuery("none", "Average", 86400, "CPUUtilization", "i-0000000000000000b"),
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	res := map[string]cwtypes.MetricDataResult{}
	for _, r := range out.MetricDataResults {
		res[aws.ToString(r.Id)] = r
		if r.StatusCode != cwtypes.StatusCodeComplete {
			t.Errorf("%s: status %s", aws.ToString(r.Id), r.StatusCode)
		}
	}
	cpu := res["cpu_avg"]
	if fmt.Sprint(cpu.Values) != "[10 20 30]" || len(cpu.Timestamps) != 3 || !cpu.Timestamps[2].Equal(midnight.Add(-24*time.Hour)) ||
		aws.ToString(cpu.Label) != "CPUUtilization" {
		t.Errorf("cpu_avg %v %v %q", cpu.Values, cpu.Timestamps, aws.ToString(cpu.Label))
	}
	if v := res["cpu_max_all"].Values; len(v) != 1 || v[0] != 30 {
		t.Errorf("cpu_max_all %v", v)
	}
	if v := res["net"].Values; len(v) != 30 || v[0] != 2400 || v[29] != 2400 {
		t.Errorf("net %v", v)
	}
	if v := res["net_hourly"].Values; len(v) != 30*24-10 || v[0] != 100 { // from StartTime 10:00
		t.Errorf("net_hourly %d values, first %v", len(v), v[:1])
	}
	if r := res["none"]; len(r.Values) != 0 || len(r.Timestamps) != 0 {
		t.Errorf("instance without metrics: %+v", r)
	}
	// Default ScanBy is TimestampDescending.
	out, err = c.GetMetricData(context.Background(), &cloudwatch.GetMetricDataInput{
		StartTime: aws.Time(testNow.Add(-30 * 24 * time.Hour)), EndTime: aws.Time(testNow),
		MetricDataQueries: []cwtypes.MetricDataQuery{cpuQuery("cpu", "Average", 86400, "CPUUtilization", "i-0000000000000000a")},
	})
	if err != nil || fmt.Sprint(out.MetricDataResults[0].Values) != "[30 20 10]" {
		t.Fatalf("descending: %v %v", out, err)
	}
	last := sim.Requests()[len(sim.Requests())-1]
	if last != (Request{Service: "cloudwatch", Action: "GetMetricData", Account: "111111111111", Region: "us-east-1", Status: 200, Protocol: "cbor"}) {
		t.Errorf("request %+v", last)
	}
}

func TestGetMetricDataPages(t *testing.T) {
	t.Parallel()
	_, srv := newTestSim(t)
	c := cwClient(srv, srv.URL, "us-east-1", nil)
	in := &cloudwatch.GetMetricDataInput{
		StartTime: aws.Time(testNow.Add(-30 * 24 * time.Hour)), EndTime: aws.Time(testNow), MaxDatapoints: aws.Int32(7),
		ScanBy: cwtypes.ScanByTimestampAscending,
		MetricDataQueries: []cwtypes.MetricDataQuery{
			cpuQuery("cpu", "Average", 86400, "CPUUtilization", "i-0000000000000000a"),
			cpuQuery("net", "Sum", 86400, "NetworkIn", "i-0000000000000000a"),
		},
	}
	p := cloudwatch.NewGetMetricDataPaginator(c, in)
	got := map[string][]float64{}
	pages := 0
	for p.HasMorePages() {
		out, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		pages++
		n := 0
		for _, r := range out.MetricDataResults {
			got[aws.ToString(r.Id)] = append(got[aws.ToString(r.Id)], r.Values...)
			n += len(r.Values)
		}
		if n > 7 {
			t.Fatalf("page of %d datapoints > MaxDatapoints", n)
		}
	}
	if pages != 5 || len(got["cpu"]) != 3 || len(got["net"]) != 30 {
		t.Fatalf("%d pages, %d cpu, %d net", pages, len(got["cpu"]), len(got["net"]))
	}
	_, err := c.GetMetricData(context.Background(), &cloudwatch.GetMetricDataInput{
		StartTime: in.StartTime, EndTime: in.EndTime, MetricDataQueries: in.MetricDataQueries, NextToken: aws.String("bogus")})
	wantAPIError(t, err, "InvalidNextToken", 400)
}

func TestGetMetricDataErrors(t *testing.T) {
	t.Parallel()
	_, srv := newTestSim(t)
	ctx := context.Background()
	c := cwClient(srv, srv.URL, "us-east-1", nil)
	start, end := aws.Time(testNow.Add(-time.Hour)), aws.Time(testNow)
	var many []cwtypes.MetricDataQuery
	for i := range 501 {
		many = append(many, cpuQuery(fmt.Sprintf("q%d", i), "Average", 300, "CPUUtilization", "i-0000000000000000a"))
	}
	_, err := c.GetMetricData(ctx, &cloudwatch.GetMetricDataInput{StartTime: start, EndTime: end, MetricDataQueries: many})
	wantAPIError(t, err, "ValidationError", 400)
	if _, err := c.GetMetricData(ctx, &cloudwatch.GetMetricDataInput{StartTime: start, EndTime: end, MetricDataQueries: many[:500]}); err != nil {
		t.Errorf("500 queries: %v", err)
	}
	_, err = c.GetMetricData(ctx, &cloudwatch.GetMetricDataInput{StartTime: end, EndTime: start, MetricDataQueries: many[:1]})
	wantAPIError(t, err, "InvalidParameterValue", 400)
	_, err = c.GetMetricData(ctx, &cloudwatch.GetMetricDataInput{StartTime: start, EndTime: end,
		MetricDataQueries: []cwtypes.MetricDataQuery{cpuQuery("Bad", "Average", 300, "CPUUtilization", "i-1")}})
	wantAPIError(t, err, "InvalidParameterValue", 400)
	_, err = c.GetMetricData(ctx, &cloudwatch.GetMetricDataInput{StartTime: start, EndTime: end,
		MetricDataQueries: []cwtypes.MetricDataQuery{cpuQuery("a", "Average", 301, "CPUUtilization", "i-1")}})
	wantAPIError(t, err, "InvalidParameterValue", 400)
	// Deny in eu-west-1: CloudWatch's AccessDenied (query-compatible code), HTTP 403.
	_, err = cwClient(srv, srv.URL, "eu-west-1", nil).GetMetricData(ctx, &cloudwatch.GetMetricDataInput{StartTime: start, EndTime: end, MetricDataQueries: many[:1]})
	wantAPIError(t, err, "AccessDenied", 403)
}

func TestGetMetricDataThrottling(t *testing.T) {
	t.Parallel()
	_, srv := newTestSim(t)
	ctx := context.Background()
	out, err := stsClient(srv, "us-east-1", nil).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::222222222222:role/r"), RoleSessionName: aws.String("audit")})
	if err != nil {
		t.Fatal(err)
	}
	cr := out.Credentials
	c := cwClient(srv, srv.URL, "us-east-1", credentials.NewStaticCredentialsProvider(aws.ToString(cr.AccessKeyId), aws.ToString(cr.SecretAccessKey), aws.ToString(cr.SessionToken)))
	in := &cloudwatch.GetMetricDataInput{StartTime: aws.Time(testNow.Add(-time.Hour)), EndTime: aws.Time(testNow),
		MetricDataQueries: []cwtypes.MetricDataQuery{cpuQuery("a", "Average", 300, "CPUUtilization", "i-1")}}
	_, err = c.GetMetricData(ctx, in)
	wantAPIError(t, err, "Throttling", 400)
	if _, err := c.GetMetricData(ctx, in); err != nil {
		t.Errorf("second call: %v", err)
	}
}

// TestGetMetricDataWire checks the RPCv2 CBOR details the SDK hides: the
// smithy-protocol response header, the CBOR content type, tag-1 timestamps.
func TestGetMetricDataWire(t *testing.T) {
	t.Parallel()
	_, srv := newTestSim(t)
	body := cbor.Encode(cbor.Map{
		"StartTime": &cbor.Tag{ID: 1, Value: cbor.Float64(float64(testNow.Add(-48 * time.Hour).Unix()))},
		"EndTime":   &cbor.Tag{ID: 1, Value: cbor.Uint(uint64(testNow.Unix()))},
		"MetricDataQueries": cbor.List{cbor.Map{"Id": cbor.String("a"), "MetricStat": cbor.Map{
			"Metric": cbor.Map{"Namespace": cbor.String("AWS/EC2"), "MetricName": cbor.String("CPUUtilization"),
				"Dimensions": cbor.List{cbor.Map{"Name": cbor.String("InstanceId"), "Value": cbor.String("i-0000000000000000a")}}},
			"Period": cbor.Uint(86400), "Stat": cbor.String("Average")}}},
	})
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/service/GraniteServiceVersion20100801/operation/GetMetricData", strings.NewReader(string(body)))
	req.Header.Set("Smithy-Protocol", "rpc-v2-cbor")
	req.Header.Set("Content-Type", "application/cbor")
	req.Header.Set("Authorization", signedAuth("us-east-1", "monitoring"))
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Smithy-Protocol") != "rpc-v2-cbor" || resp.Header.Get("Content-Type") != "application/cbor" {
		t.Fatalf("HTTP %d headers %v", resp.StatusCode, resp.Header)
	}
	v, err := cbor.Decode(raw)
	if err != nil {
		t.Fatal(err)
	}
	r := v.(cbor.Map)["MetricDataResults"].(cbor.List)[0].(cbor.Map)
	ts := r["Timestamps"].(cbor.List)
	if len(ts) != 2 {
		t.Fatalf("timestamps %v", ts)
	}
	tag, ok := ts[0].(*cbor.Tag)
	if !ok || tag.ID != 1 {
		t.Fatalf("timestamp %#v is not tag 1", ts[0])
	}
	// Without the Smithy-Protocol header the request is not RPCv2.
	req, _ = http.NewRequest(http.MethodPost, srv.URL+"/service/GraniteServiceVersion20100801/operation/GetMetricData", strings.NewReader(string(body)))
	req.Header.Set("Authorization", signedAuth("us-east-1", "monitoring"))
	resp, err = srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 400 {
		t.Errorf("no Smithy-Protocol: HTTP %d", resp.StatusCode)
	}
}
