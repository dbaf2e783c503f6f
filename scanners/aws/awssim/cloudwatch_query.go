package awssim

import (
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// GetMetricData over awsQuery, as the CloudWatch API Reference documents
// it ("Making API requests": form POST, Action and Version=2010-08-01).
//
// Request members are flattened the Query way: lists are
// Name.member.N (1-based), structures Name.Member, for example
//
//	MetricDataQueries.member.1.Id=q0
//	MetricDataQueries.member.1.MetricStat.Metric.Namespace=AWS/EC2
//	MetricDataQueries.member.1.MetricStat.Metric.MetricName=CPUUtilization
//	MetricDataQueries.member.1.MetricStat.Metric.Dimensions.member.1.Name=InstanceId
//	MetricDataQueries.member.1.MetricStat.Metric.Dimensions.member.1.Value=i-0123
//	MetricDataQueries.member.1.MetricStat.Period=86400
//	MetricDataQueries.member.1.MetricStat.Stat=Average
//	MetricDataQueries.member.1.ReturnData=true
//	StartTime=2026-01-01T00:00:00Z  (ISO 8601)
//
// and the response is
//
//	<GetMetricDataResponse xmlns="http://monitoring.amazonaws.com/doc/2010-08-01/">
//	  <GetMetricDataResult>
//	    <MetricDataResults>
//	      <member><Id/><Label/><Timestamps><member/></Timestamps><Values><member/></Values>
//	        <StatusCode/><Messages><member><Code/><Value/></member></Messages></member>
//	    </MetricDataResults>
//	    <NextToken/>
//	    <Messages/>
//	  </GetMetricDataResult>
//	  <ResponseMetadata><RequestId/></ResponseMetadata>
//	</GetMetricDataResponse>
//
// (API_GetMetricData.html and API_MetricDataResult.html: "Timestamps.member.N",
// "Values.member.N", "Messages.member.N"). Errors are the Query
// <ErrorResponse> of protocol.go with CloudWatch's Query codes.

const (
	cwVersion   = "2010-08-01"
	cwNamespace = "http://monitoring.amazonaws.com/doc/2010-08-01/"
)

// members returns the 1-based indexes N of prefix.member.N.* keys, sorted.
func members(form url.Values, prefix string) []int {
	seen := map[int]bool{}
	for k := range form {
		rest, ok := strings.CutPrefix(k, prefix+".member.")
		if !ok {
			continue
		}
		nStr, _, _ := strings.Cut(rest, ".")
		if n, err := strconv.Atoi(nStr); err == nil && n > 0 {
			seen[n] = true
		}
	}
	out := make([]int, 0, len(seen))
	for n := range seen {
		out = append(out, n)
	}
	sort.Ints(out)
	return out
}

func formHas(form url.Values, key string) bool {
	_, ok := form[key]
	return ok
}

func formHasPrefix(form url.Values, prefix string) bool {
	for k := range form {
		if strings.HasPrefix(k, prefix) {
			return true
		}
	}
	return false
}

// queryTime parses a Query timestamp: ISO 8601, the awsQuery protocol's
// date-time format (what the SDKs send).
func queryTime(s string) (time.Time, bool) {
	t, err := time.Parse(time.RFC3339Nano, s)
	return t.UTC(), err == nil
}

func queryGMDRequest(form url.Values) (gmdRequest, *apiError) {
	var req gmdRequest
	for _, n := range members(form, "MetricDataQueries") {
		p := "MetricDataQueries.member." + strconv.Itoa(n) + "."
		q := rawMDQ{id: form.Get(p + "Id"), label: form.Get(p + "Label")}
		if formHas(form, p+"ReturnData") {
			b, err := strconv.ParseBool(form.Get(p + "ReturnData"))
			if err != nil {
				return req, cwInvalid("The value %q for parameter %sReturnData is not a boolean.", form.Get(p+"ReturnData"), p)
			}
			q.returnData = &b
		}
		q.hasExpression = formHas(form, p+"Expression")
		q.hasStat = formHasPrefix(form, p+"MetricStat.")
		q.ns = form.Get(p + "MetricStat.Metric.Namespace")
		q.metric = form.Get(p + "MetricStat.Metric.MetricName")
		q.stat = form.Get(p + "MetricStat.Stat")
		for _, d := range members(form, p+"MetricStat.Metric.Dimensions") {
			dp := p + "MetricStat.Metric.Dimensions.member." + strconv.Itoa(d) + "."
			q.dims = append(q.dims, [2]string{form.Get(dp + "Name"), form.Get(dp + "Value")})
		}
		if v := form.Get(p + "MetricStat.Period"); v != "" {
			if period, err := strconv.ParseInt(v, 10, 64); err == nil {
				q.period = period
			}
		}
		req.queries = append(req.queries, q)
	}
	for name, dst := range map[string]**time.Time{"StartTime": &req.start, "EndTime": &req.end} {
		if !formHas(form, name) {
			continue
		}
		t, ok := queryTime(form.Get(name))
		if !ok {
			return req, cwInvalid("The parameter %s %q is not an ISO 8601 timestamp.", name, form.Get(name))
		}
		*dst = &t
	}
	if formHas(form, "ScanBy") {
		sb := form.Get("ScanBy")
		req.scanBy = &sb
	}
	if formHas(form, "MaxDatapoints") {
		n, err := strconv.ParseInt(form.Get("MaxDatapoints"), 10, 64)
		if err != nil {
			n = 0
		}
		req.maxPoints = &n
	}
	if formHas(form, "NextToken") {
		tok := form.Get("NextToken")
		req.nextToken = &tok
	}
	return req, nil
}

// xmlMembers is a Query list: <Name><member>…</member></Name>, written
// as <Name></Name> when empty, as CloudWatch does.
type xmlMembers[T any] struct {
	Members []T `xml:"member"`
}

type xmlMessage struct {
	Code  string `xml:"Code"`
	Value string `xml:"Value"`
}

type xmlMetricDataResult struct {
	ID         string                  `xml:"Id"`
	Label      string                  `xml:"Label"`
	Timestamps xmlMembers[string]      `xml:"Timestamps"`
	Values     xmlMembers[string]      `xml:"Values"`
	StatusCode string                  `xml:"StatusCode"`
	Messages   *xmlMembers[xmlMessage] `xml:"Messages,omitempty"`
}

type xmlGetMetricDataResult struct {
	MetricDataResults xmlMembers[xmlMetricDataResult] `xml:"MetricDataResults"`
	NextToken         string                          `xml:"NextToken,omitempty"`
	Messages          xmlMembers[xmlMessage]          `xml:"Messages"`
}

func queryGMDResponse(results []gmdResult, next string) queryResult {
	out := xmlGetMetricDataResult{NextToken: next}
	for _, r := range results {
		x := xmlMetricDataResult{ID: r.id, Label: r.label, StatusCode: r.status}
		for i := range r.ts {
			x.Timestamps.Members = append(x.Timestamps.Members, r.ts[i].UTC().Format(time.RFC3339))
			x.Values.Members = append(x.Values.Members, strconv.FormatFloat(r.vals[i], 'g', -1, 64))
		}
		if r.message != "" {
			x.Messages = &xmlMembers[xmlMessage]{Members: []xmlMessage{{Code: r.status, Value: r.message}}}
		}
		out.MetricDataResults.Members = append(out.MetricDataResults.Members, x)
	}
	return queryResult{out}
}
