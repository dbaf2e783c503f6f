package awssim

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/schemas"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go/encoding/cbor"
	"github.com/aws/smithy-go/transport/http/protocol/awsquery"

	"github.com/ghostaudit/ghostaudit/scanners/estate"
)

// queryProtocol makes a CloudWatch client speak awsQuery, the protocol
// the CloudWatch API Reference documents, instead of the SDK's CBOR.
func queryProtocol(o *cloudwatch.Options) {
	o.Protocol = awsquery.New(schemas.GraniteServiceVersion20100801)
}

func cwQueryClient(srv interface{ Client() *http.Client }, url, region string, creds aws.CredentialsProvider) *cloudwatch.Client {
	c := cwClient(srv, url, region, creds)
	return cloudwatch.New(c.Options(), queryProtocol)
}

// TestGetMetricDataQueryMatchesCBOR: the same requests over awsQuery and
// over CBOR get the same answers: datapoints, labels, statuses, paging
// with NextToken and MaxDatapoints, and the errors (500-query limit,
// invalid parameters, bad NextToken, AccessDenied) with the same codes.
func TestGetMetricDataQueryMatchesCBOR(t *testing.T) {
	t.Parallel()
	sim, srv := newTestSim(t)
	ctx := context.Background()
	start, end := aws.Time(testNow.Add(-30*24*time.Hour)), aws.Time(testNow)
	inputs := map[string]*cloudwatch.GetMetricDataInput{
		"aggregates": {StartTime: start, EndTime: end, ScanBy: cwtypes.ScanByTimestampAscending,
			MetricDataQueries: []cwtypes.MetricDataQuery{
				cpuQuery("cpu_avg", "Average", 86400, "CPUUtilization", "i-0000000000000000a"),
				cpuQuery("cpu_max_all", "Maximum", 30*86400, "CPUUtilization", "i-0000000000000000a"),
				cpuQuery("net_hourly", "Sum", 3600, "NetworkIn", "i-0000000000000000a"),
				cpuQuery("none", "Average", 86400, "CPUUtilization", "i-0000000000000000b"),
			}},
		"descending": {StartTime: start, EndTime: end,
			MetricDataQueries: []cwtypes.MetricDataQuery{cpuQuery("cpu", "Average", 86400, "CPUUtilization", "i-0000000000000000a")}},
		"hidden": {StartTime: start, EndTime: end, MetricDataQueries: []cwtypes.MetricDataQuery{
			func() cwtypes.MetricDataQuery {
				q := cpuQuery("hidden", "Average", 86400, "CPUUtilization", "i-0000000000000000a")
				q.ReturnData = aws.Bool(false)
				q.Label = aws.String("ignored")
				return q
			}(),
			func() cwtypes.MetricDataQuery {
				q := cpuQuery("shown", "Average", 86400, "CPUUtilization", "i-0000000000000000a")
				q.Label = aws.String("web CPU")
				return q
			}(),
		}},
	}
	cb, qc := cwClient(srv, srv.URL, "us-east-1", nil), cwQueryClient(srv, srv.URL, "us-east-1", nil)
	for name, in := range inputs {
		want, err := cb.GetMetricData(ctx, in)
		if err != nil {
			t.Fatalf("%s over CBOR: %v", name, err)
		}
		got, err := qc.GetMetricData(ctx, in)
		if err != nil {
			t.Fatalf("%s over Query: %v", name, err)
		}
		if g, w := describeResults(got), describeResults(want); g != w {
			t.Errorf("%s: Query answered\n  %s\nCBOR\n  %s", name, g, w)
		}
		if len(got.MetricDataResults) == 0 {
			t.Errorf("%s: no results", name)
		}
	}
	// Paging: MaxDatapoints 7 over two series of 3 and 30 days is 5 pages.
	paged := &cloudwatch.GetMetricDataInput{StartTime: start, EndTime: end, MaxDatapoints: aws.Int32(7), ScanBy: cwtypes.ScanByTimestampAscending,
		MetricDataQueries: []cwtypes.MetricDataQuery{
			cpuQuery("cpu", "Average", 86400, "CPUUtilization", "i-0000000000000000a"),
			cpuQuery("net", "Sum", 86400, "NetworkIn", "i-0000000000000000a"),
		}}
	p := cloudwatch.NewGetMetricDataPaginator(qc, paged)
	pages, points := 0, map[string]int{}
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, r := range out.MetricDataResults {
			points[aws.ToString(r.Id)] += len(r.Values)
		}
	}
	if pages != 5 || points["cpu"] != 3 || points["net"] != 30 {
		t.Errorf("Query paging: %d pages, %v", pages, points)
	}
	// Errors: CloudWatch's Query codes and statuses. Over Query the SDK
	// maps a modelled error's wire code (ValidationError,
	// InvalidParameterValue: TestGetMetricDataQueryWire reads them raw) to
	// its type, whose ErrorCode is the shape name.
	var many []cwtypes.MetricDataQuery
	for i := range 501 {
		many = append(many, cpuQuery(fmt.Sprintf("q%d", i), "Average", 300, "CPUUtilization", "i-0000000000000000a"))
	}
	_, err := qc.GetMetricData(ctx, &cloudwatch.GetMetricDataInput{StartTime: start, EndTime: end, MetricDataQueries: many})
	wantAPIError(t, err, "ValidationException", 400)
	if _, err := qc.GetMetricData(ctx, &cloudwatch.GetMetricDataInput{StartTime: start, EndTime: end, MetricDataQueries: many[:500]}); err != nil {
		t.Errorf("500 queries over Query: %v", err)
	}
	_, err = qc.GetMetricData(ctx, &cloudwatch.GetMetricDataInput{StartTime: end, EndTime: start, MetricDataQueries: many[:1]})
	wantAPIError(t, err, "InvalidParameterValueException", 400)
	_, err = qc.GetMetricData(ctx, &cloudwatch.GetMetricDataInput{StartTime: start, EndTime: end, MetricDataQueries: many[:1], NextToken: aws.String("bogus")})
	wantAPIError(t, err, "InvalidNextToken", 400)
	_, err = cwQueryClient(srv, srv.URL, "eu-west-1", nil).GetMetricData(ctx, &cloudwatch.GetMetricDataInput{StartTime: start, EndTime: end, MetricDataQueries: many[:1]})
	wantAPIError(t, err, "AccessDenied", 403)
	// Recorded as cloudwatch:GetMetricData, in the Query protocol.
	last := sim.Requests()[len(sim.Requests())-1]
	if last != (Request{Service: "cloudwatch", Action: "GetMetricData", Account: "111111111111", Region: "eu-west-1", Status: 403, Protocol: "query"}) {
		t.Errorf("request %+v", last)
	}
}

// TestGetMetricDataQueryStatuses: a series with a Status fault answers
// over Query with its StatusCode and a Messages member, as over CBOR.
func TestGetMetricDataQueryStatuses(t *testing.T) {
	t.Parallel()
	e, err := estate.Parse("t.yaml", []byte(`
aws:
  accounts:
    - id: "111111111111"
      regions:
        - name: us-east-1
          instances:
            - {id: i-0000000000000000a, type: m5.large, launched: -100d, metrics: {CPUUtilization: {avg: 1, days: 3, status: Forbidden}}}
            - {id: i-0000000000000000b, type: m5.large, launched: -100d, metrics: {CPUUtilization: {avg: 2, days: 3}}}
`))
	if err != nil {
		t.Fatal(err)
	}
	est, _, err := Load(e)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(New(est, Options{Now: func() time.Time { return testNow }}))
	t.Cleanup(srv.Close)
	in := &cloudwatch.GetMetricDataInput{StartTime: aws.Time(testNow.Add(-5 * 24 * time.Hour)), EndTime: aws.Time(testNow),
		MetricDataQueries: []cwtypes.MetricDataQuery{
			cpuQuery("a", "Average", 86400, "CPUUtilization", "i-0000000000000000a"),
			cpuQuery("b", "Average", 86400, "CPUUtilization", "i-0000000000000000b"),
		}}
	want, err := cwClient(srv, srv.URL, "us-east-1", nil).GetMetricData(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	got, err := cwQueryClient(srv, srv.URL, "us-east-1", nil).GetMetricData(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	if g, w := describeResults(got), describeResults(want); g != w {
		t.Errorf("Query %s\nCBOR %s", g, w)
	}
	a := got.MetricDataResults[0]
	if a.StatusCode != cwtypes.StatusCodeForbidden || len(a.Messages) != 1 || aws.ToString(a.Messages[0].Code) != "Forbidden" || len(a.Values) != 0 {
		t.Errorf("forbidden query: %+v", a)
	}
	if b := got.MetricDataResults[1]; b.StatusCode != cwtypes.StatusCodeComplete || len(b.Values) != 3 {
		t.Errorf("complete query: %+v", b)
	}
}

// TestGetMetricDataQueryThrottling: the throttle fault answers a Query
// request with CloudWatch's Query throttling error, Throttling (HTTP 400),
// which the SDK's retryer retries.
func TestGetMetricDataQueryThrottling(t *testing.T) {
	t.Parallel()
	_, srv := newTestSim(t)
	ctx := context.Background()
	out, err := stsClient(srv, "us-east-1", nil).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::222222222222:role/r"), RoleSessionName: aws.String("audit")})
	if err != nil {
		t.Fatal(err)
	}
	cr := out.Credentials
	c := cwQueryClient(srv, srv.URL, "us-east-1", credentials.NewStaticCredentialsProvider(aws.ToString(cr.AccessKeyId), aws.ToString(cr.SecretAccessKey), aws.ToString(cr.SessionToken)))
	in := &cloudwatch.GetMetricDataInput{StartTime: aws.Time(testNow.Add(-time.Hour)), EndTime: aws.Time(testNow),
		MetricDataQueries: []cwtypes.MetricDataQuery{cpuQuery("a", "Average", 300, "CPUUtilization", "i-1")}}
	_, err = c.GetMetricData(ctx, in)
	wantAPIError(t, err, "Throttling", 400)
	if _, err := c.GetMetricData(ctx, in); err != nil {
		t.Errorf("second call: %v", err)
	}
}

// formRecorder records the form bodies of the requests it passes on.
type formRecorder struct {
	next  http.Handler
	forms []url.Values
}

func (f *formRecorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	if v, err := url.ParseQuery(string(body)); err == nil && r.Header.Get("Content-Type") == "application/x-www-form-urlencoded" {
		f.forms = append(f.forms, v)
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	f.next.ServeHTTP(w, r)
}

// TestGetMetricDataQueryWire pins the awsQuery wire format to the API
// Reference: the form parameters the SDK's awsquery protocol sends are
// the documented names (MetricDataQueries.member.N...,
// Dimensions.member.N.Name, ISO 8601 times), the simulator reads them,
// and its XML answer is GetMetricDataResponse/GetMetricDataResult with
// member lists and ResponseMetadata/RequestId; errors are ErrorResponse.
func TestGetMetricDataQueryWire(t *testing.T) {
	t.Parallel()
	sim := New(loadTestEstate(t), Options{Now: func() time.Time { return testNow }, Clock: func() time.Time { return testNow }})
	rec := &formRecorder{next: sim}
	srv := httptest.NewServer(rec)
	t.Cleanup(srv.Close)
	in := &cloudwatch.GetMetricDataInput{StartTime: aws.Time(testNow.Add(-48 * time.Hour).Truncate(time.Hour)), EndTime: aws.Time(testNow.Truncate(time.Hour)),
		ScanBy: cwtypes.ScanByTimestampAscending, MaxDatapoints: aws.Int32(100),
		MetricDataQueries: []cwtypes.MetricDataQuery{cpuQuery("a", "Average", 86400, "CPUUtilization", "i-0000000000000000a")}}
	in.MetricDataQueries[0].ReturnData = aws.Bool(true)
	out, err := cwQueryClient(srv, srv.URL, "us-east-1", nil).GetMetricData(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	if len(out.MetricDataResults) != 1 || len(out.MetricDataResults[0].Values) != 2 {
		t.Fatalf("results %+v", out.MetricDataResults)
	}
	if len(rec.forms) != 1 {
		t.Fatalf("%d form requests", len(rec.forms))
	}
	want := url.Values{
		"Action":    {"GetMetricData"},
		"Version":   {"2010-08-01"},
		"StartTime": {testNow.Add(-48 * time.Hour).Truncate(time.Hour).Format(time.RFC3339)},
		"EndTime":   {testNow.Truncate(time.Hour).Format(time.RFC3339)},
		"ScanBy":    {"TimestampAscending"}, "MaxDatapoints": {"100"},
		"MetricDataQueries.member.1.Id":                                          {"a"},
		"MetricDataQueries.member.1.ReturnData":                                  {"true"},
		"MetricDataQueries.member.1.MetricStat.Metric.Namespace":                 {"AWS/EC2"},
		"MetricDataQueries.member.1.MetricStat.Metric.MetricName":                {"CPUUtilization"},
		"MetricDataQueries.member.1.MetricStat.Metric.Dimensions.member.1.Name":  {"InstanceId"},
		"MetricDataQueries.member.1.MetricStat.Metric.Dimensions.member.1.Value": {"i-0000000000000000a"},
		"MetricDataQueries.member.1.MetricStat.Period":                           {"86400"},
		"MetricDataQueries.member.1.MetricStat.Stat":                             {"Average"},
	}
	if !reflect.DeepEqual(rec.forms[0], want) {
		t.Errorf("the SDK sent\n  %v\nwant\n  %v", rec.forms[0], want)
	}

	// The same request written by hand from the API Reference, and the
	// raw XML answer.
	resp, body := rawPostAt(t, srv, "/", want.Encode(), signedAuth("us-east-1", "monitoring"))
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/xml") {
		t.Fatalf("HTTP %d %s: %s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	var doc struct {
		XMLName xml.Name `xml:"http://monitoring.amazonaws.com/doc/2010-08-01/ GetMetricDataResponse"`
		Results []struct {
			ID         string    `xml:"Id"`
			Label      string    `xml:"Label"`
			Timestamps []string  `xml:"Timestamps>member"`
			Values     []float64 `xml:"Values>member"`
			StatusCode string    `xml:"StatusCode"`
		} `xml:"GetMetricDataResult>MetricDataResults>member"`
		Messages  *struct{} `xml:"GetMetricDataResult>Messages"`
		RequestID string    `xml:"ResponseMetadata>RequestId"`
	}
	if err := xml.Unmarshal([]byte(body), &doc); err != nil {
		t.Fatalf("%v\n%s", err, body)
	}
	if len(doc.Results) != 1 || doc.Results[0].ID != "a" || doc.Results[0].StatusCode != "Complete" || doc.Results[0].Label != "CPUUtilization" ||
		len(doc.Results[0].Values) != 2 || len(doc.Results[0].Timestamps) != 2 || doc.Messages == nil || doc.RequestID == "" {
		t.Errorf("response %+v\n%s", doc, body)
	}
	if _, err := time.Parse(time.RFC3339, doc.Results[0].Timestamps[0]); err != nil {
		t.Errorf("timestamp %q is not ISO 8601", doc.Results[0].Timestamps[0])
	}
	// A Query error: <ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/>.
	bad := url.Values{"Action": {"GetMetricData"}, "Version": {"2010-08-01"}, "StartTime": want["StartTime"], "EndTime": want["EndTime"]}
	resp, body = rawPostAt(t, srv, "/", bad.Encode(), signedAuth("us-east-1", "monitoring"))
	var e struct {
		XMLName   xml.Name `xml:"http://monitoring.amazonaws.com/doc/2010-08-01/ ErrorResponse"`
		Type      string   `xml:"Error>Type"`
		Code      string   `xml:"Error>Code"`
		Message   string   `xml:"Error>Message"`
		RequestID string   `xml:"RequestId"`
	}
	if err := xml.Unmarshal([]byte(body), &e); err != nil || resp.StatusCode != 400 || e.Type != "Sender" || e.Code != "MissingParameter" || e.Message == "" || e.RequestID == "" {
		t.Errorf("error HTTP %d %+v %v\n%s", resp.StatusCode, e, err, body)
	}
	// The Query codes of the modelled errors, on the wire.
	for code, mutate := range map[string]func(url.Values){
		"ValidationError":       func(v url.Values) { v.Set("ScanBy", "Sideways") },
		"InvalidParameterValue": func(v url.Values) { v.Set("MetricDataQueries.member.1.MetricStat.Period", "61") },
		"InvalidNextToken":      func(v url.Values) { v.Set("NextToken", "bogus") },
	} {
		v := url.Values{}
		for k, vs := range want {
			v[k] = vs
		}
		mutate(v)
		resp, body = rawPostAt(t, srv, "/", v.Encode(), signedAuth("us-east-1", "monitoring"))
		if resp.StatusCode != 400 || !strings.Contains(body, "<Code>"+code+"</Code>") {
			t.Errorf("%s: HTTP %d %s", code, resp.StatusCode, body)
		}
	}
}

// describeResults renders an answer for comparison across protocols.
func describeResults(out *cloudwatch.GetMetricDataOutput) string {
	var sb strings.Builder
	for _, r := range out.MetricDataResults {
		fmt.Fprintf(&sb, "%s %q %s", aws.ToString(r.Id), aws.ToString(r.Label), r.StatusCode)
		for i, ts := range r.Timestamps {
			fmt.Fprintf(&sb, " %d=%g", ts.Unix(), r.Values[i])
		}
		for _, m := range r.Messages {
			fmt.Fprintf(&sb, " [%s: %s]", aws.ToString(m.Code), aws.ToString(m.Value))
		}
		sb.WriteString("; ")
	}
	return sb.String() + "next=" + aws.ToString(out.NextToken)
}

func rawPostAt(t *testing.T, srv *httptest.Server, path, body, auth string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", auth)
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp, string(raw)
}

// TestCloudWatchProtocolLimit: with CloudWatchProtocol set, CloudWatch
// answers the other protocol as a server that does not speak it would:
// Query only → a CBOR request is 400 MissingAction in Query XML; CBOR
// only → a Query request is 404 UnknownOperationException in CBOR. The
// estate setting does the same, and Options override it.
func TestCloudWatchProtocolLimit(t *testing.T) {
	t.Parallel()
	in := &cloudwatch.GetMetricDataInput{StartTime: aws.Time(testNow.Add(-48 * time.Hour)), EndTime: aws.Time(testNow),
		MetricDataQueries: []cwtypes.MetricDataQuery{cpuQuery("a", "Average", 86400, "CPUUtilization", "i-0000000000000000a")}}
	cborBody := cbor.Encode(cbor.Map{
		"StartTime": &cbor.Tag{ID: 1, Value: cbor.Uint(uint64(testNow.Add(-48 * time.Hour).Unix()))},
		"EndTime":   &cbor.Tag{ID: 1, Value: cbor.Uint(uint64(testNow.Unix()))},
		"MetricDataQueries": cbor.List{cbor.Map{"Id": cbor.String("a"), "MetricStat": cbor.Map{
			"Metric": cbor.Map{"Namespace": cbor.String("AWS/EC2"), "MetricName": cbor.String("CPUUtilization")},
			"Period": cbor.Uint(86400), "Stat": cbor.String("Average")}}},
	})
	postCBOR := func(srv *httptest.Server) (*http.Response, []byte) {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/service/GraniteServiceVersion20100801/operation/GetMetricData", bytes.NewReader(cborBody))
		req.Header.Set("Smithy-Protocol", "rpc-v2-cbor")
		req.Header.Set("Content-Type", "application/cbor")
		req.Header.Set("Authorization", signedAuth("us-east-1", "monitoring"))
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, b
	}
	queryForm := "Action=GetMetricData&Version=2010-08-01&StartTime=" + url.QueryEscape(testNow.Add(-48*time.Hour).Format(time.RFC3339)) +
		"&EndTime=" + url.QueryEscape(testNow.Format(time.RFC3339)) +
		"&MetricDataQueries.member.1.Id=a&MetricDataQueries.member.1.MetricStat.Metric.Namespace=AWS%2FEC2" +
		"&MetricDataQueries.member.1.MetricStat.Metric.MetricName=CPUUtilization&MetricDataQueries.member.1.MetricStat.Period=86400&MetricDataQueries.member.1.MetricStat.Stat=Average"

	start := func(estProto, optProto string) (*Sim, *httptest.Server) {
		est := loadTestEstate(t)
		est.CloudWatchProtocol = estProto
		sim := New(est, Options{Now: func() time.Time { return testNow }, Clock: func() time.Time { return testNow }, CloudWatchProtocol: optProto})
		srv := httptest.NewServer(sim)
		t.Cleanup(srv.Close)
		return sim, srv
	}
	ctx := context.Background()

	// Query only, from the estate.
	sim, srv := start("query", "")
	resp, body := postCBOR(srv)
	if resp.StatusCode != 400 || !strings.Contains(string(body), "<Code>MissingAction</Code>") || !strings.Contains(string(body), "<ErrorResponse xmlns=\"http://monitoring.amazonaws.com/doc/2010-08-01/\">") {
		t.Errorf("query only, CBOR request: HTTP %d %s", resp.StatusCode, body)
	}
	if _, err := cwClient(srv, srv.URL, "us-east-1", nil).GetMetricData(ctx, in); err == nil {
		t.Error("query only: the CBOR client succeeded")
	}
	if _, err := cwQueryClient(srv, srv.URL, "us-east-1", nil).GetMetricData(ctx, in); err != nil {
		t.Errorf("query only, Query client: %v", err)
	}
	if last := sim.Requests()[len(sim.Requests())-1]; last.Protocol != "query" || last.Status != 200 {
		t.Errorf("last request %+v", last)
	}
	if r := sim.Requests()[0]; r.Protocol != "cbor" || r.Service != "cloudwatch" || r.Action != "GetMetricData" || r.Status != 400 {
		t.Errorf("first request %+v", r)
	}

	// CBOR only, from the options (overriding the estate's query).
	_, srv = start("query", "cbor")
	resp, _ = rawPostAt(t, srv, "/", queryForm, signedAuth("us-east-1", "monitoring"))
	if resp.StatusCode != 404 || resp.Header.Get("Content-Type") != "application/cbor" {
		t.Errorf("cbor only, Query request: HTTP %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	_, err := cwQueryClient(srv, srv.URL, "us-east-1", nil).GetMetricData(ctx, in)
	if err == nil {
		t.Error("cbor only: the Query client succeeded")
	}
	if _, err := cwClient(srv, srv.URL, "us-east-1", nil).GetMetricData(ctx, in); err != nil {
		t.Errorf("cbor only, CBOR client: %v", err)
	}

	// Both (the default) answer both.
	_, srv = start("", "")
	if resp, body := postCBOR(srv); resp.StatusCode != 200 {
		t.Errorf("both, CBOR: HTTP %d %x", resp.StatusCode, body)
	}
	if resp, body := rawPostAt(t, srv, "/", queryForm, signedAuth("us-east-1", "monitoring")); resp.StatusCode != 200 || !strings.Contains(body, "<GetMetricDataResponse") {
		t.Errorf("both, Query: HTTP %d %s", resp.StatusCode, body)
	}

	// A Query request with CloudWatch's Version no longer falls through
	// to EC2.
	if resp, body := rawPostAt(t, srv, "/", "Action=DescribeVolumes&Version=2010-08-01", signedAuth("us-east-1", "monitoring")); resp.StatusCode != 400 ||
		!strings.Contains(body, "<Code>InvalidAction</Code>") || !strings.Contains(body, "<ErrorResponse xmlns=\"http://monitoring.amazonaws.com") {
		t.Errorf("CloudWatch Version, EC2 action: HTTP %d %s", resp.StatusCode, body)
	}

	// The estate value is validated.
	e, err := estate.Parse("t.yaml", []byte("aws:\n  cloudwatch_protocol: json\n  accounts: [{id: \"111111111111\"}]\n"))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := Load(e); err == nil || !strings.Contains(err.Error(), "cloudwatch_protocol") {
		t.Errorf("cloudwatch_protocol: json: %v", err)
	}
}
