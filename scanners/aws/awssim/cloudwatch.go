package awssim

import (
	"encoding/base64"
	"fmt"
	"math"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/aws/smithy-go/encoding/cbor"
)

// CloudWatch GetMetricData
// (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_GetMetricData.html)
// in both protocols CloudWatch accepts:
//   - Smithy RPC v2 CBOR (what the pinned SDK sends): POST
//     /service/GraniteServiceVersion20100801/operation/GetMetricData with a
//     CBOR map of the input members; the response a CBOR map of the output
//     members, timestamps as tag 1 (epoch seconds).
//   - awsQuery (what the API Reference documents, cloudwatch_query.go): a
//     form POST with Action=GetMetricData&Version=2010-08-01; the response
//     GetMetricDataResponse/GetMetricDataResult in XML.
//
// Estate.CloudWatchProtocol (or Options.CloudWatchProtocol) limits the
// simulator to one of them.

type metricKind int

const (
	counter metricKind = iota // daily value is the day's total
	gauge                     // daily value is the day's level
)

// metricCatalog lists the metrics the simulator serves, per namespace,
// with the dimension that names the resource (research/aws.md §3).
var metricCatalog = map[string]struct {
	dim     string
	metrics map[string]metricKind
}{
	"AWS/EC2": {"InstanceId", map[string]metricKind{"CPUUtilization": gauge, "NetworkIn": counter, "NetworkOut": counter}},
	"AWS/EBS": {"VolumeId", map[string]metricKind{"VolumeReadOps": counter, "VolumeWriteOps": counter, "VolumeIdleTime": counter}},
	"AWS/NATGateway": {"NatGatewayId", map[string]metricKind{"BytesOutToDestination": counter, "BytesInFromSource": counter,
		"BytesInFromDestination": counter, "BytesOutToSource": counter, "ActiveConnectionCount": gauge}},
	"AWS/ApplicationELB": {"LoadBalancer", map[string]metricKind{"RequestCount": counter, "ProcessedBytes": counter, "HTTP_Redirect_Count": counter, "HTTP_Fixed_Response_Count": counter}},
	"AWS/NetworkELB":     {"LoadBalancer", map[string]metricKind{"NewFlowCount": counter, "ProcessedBytes": counter, "ActiveFlowCount": gauge}},
	"AWS/GatewayELB":     {"LoadBalancer", map[string]metricKind{"NewFlowCount": counter, "ProcessedBytes": counter, "ActiveFlowCount": gauge}},
	"AWS/ELB":            {"LoadBalancerName", map[string]metricKind{"RequestCount": counter}},
	"AWS/RDS":            {"DBInstanceIdentifier", map[string]metricKind{"DatabaseConnections": gauge, "CPUUtilization": gauge, "ReadIOPS": gauge, "WriteIOPS": gauge}},
}

// lbTypes maps an ELBv2 type to its ARN/dimension prefix and namespace.
var lbTypes = map[string]struct{ prefix, namespace string }{
	"application": {"app", "AWS/ApplicationELB"},
	"network":     {"net", "AWS/NetworkELB"},
	"gateway":     {"gwy", "AWS/GatewayELB"},
}

// lbID is the 16-hex-digit id AWS puts at the end of an ELBv2 ARN.
func lbID(account, region, name string) string { return stableHex(16, "lb", account, region, name) }

// lbDimension is the LoadBalancer dimension value: the ARN suffix app/<name>/<id>.
func lbDimension(account, region string, lb *LoadBalancer) string {
	return lbTypes[lb.Type].prefix + "/" + lb.Name + "/" + lbID(account, region, lb.Name)
}

// findSeries returns the series of a metric of the resource named by
// the single dimension dims in the region, if the estate has one.
func findSeries(account string, r *Region, ns, metric string, dims map[string]string) (*Series, metricKind, bool) {
	cat, ok := metricCatalog[ns]
	if !ok || r == nil || len(dims) != 1 {
		return nil, 0, false
	}
	kind, ok := cat.metrics[metric]
	if !ok {
		return nil, 0, false
	}
	id, ok := dims[cat.dim]
	if !ok {
		return nil, 0, false
	}
	var m Metrics
	switch ns {
	case "AWS/EC2":
		for i := range r.Instances {
			if r.Instances[i].ID == id {
				m = r.Instances[i].Metrics
			}
		}
	case "AWS/EBS":
		for i := range r.Volumes {
			if r.Volumes[i].ID == id {
				m = r.Volumes[i].Metrics
			}
		}
	case "AWS/NATGateway":
		for i := range r.NatGateways {
			if r.NatGateways[i].ID == id {
				m = r.NatGateways[i].Metrics
			}
		}
	case "AWS/ApplicationELB", "AWS/NetworkELB", "AWS/GatewayELB":
		for i := range r.LoadBalancers {
			lb := &r.LoadBalancers[i]
			if lbTypes[lb.Type].namespace == ns && lbDimension(account, r.Name, lb) == id {
				m = lb.Metrics
			}
		}
	case "AWS/ELB":
		for i := range r.ClassicLoadBalancers {
			if r.ClassicLoadBalancers[i].Name == id {
				m = r.ClassicLoadBalancers[i].Metrics
			}
		}
	case "AWS/RDS":
		for i := range r.DBInstances {
			if r.DBInstances[i].ID == id {
				m = r.DBInstances[i].Metrics
			}
		}
	}
	s, ok := m[metric]
	if !ok {
		return nil, 0, false
	}
	return &s, kind, true
}

// days returns the daily values of the series, oldest first.
func (s *Series) days() []float64 {
	if s.Avg == nil {
		return s.Daily
	}
	n := s.Days
	if n == 0 {
		n = 14
	}
	out := make([]float64, n)
	for i := range out {
		out[i] = *s.Avg
	}
	return out
}

// hourly returns the series' hourly datapoints in [from, to) as unix-hour
// start -> value. The series ends at midnight UTC of now.
func (s *Series) hourly(kind metricKind, now time.Time) (first time.Time, values []float64) {
	days := s.days()
	end := now.UTC().Truncate(24 * time.Hour)
	first = end.Add(-time.Duration(len(days)) * 24 * time.Hour)
	values = make([]float64, 0, 24*len(days))
	for _, v := range days {
		h := v
		if kind == counter {
			h = v / 24
		}
		for range 24 {
			values = append(values, h)
		}
	}
	return first, values
}

var (
	metricIDRE = regexp.MustCompile(`^[a-z][a-zA-Z0-9_]*$`)
	cwStats    = []string{"Average", "Sum", "Maximum", "Minimum", "SampleCount"}
)

type mdq struct {
	id, label, ns, metric, stat string
	dims                        map[string]string
	period                      int64
	returnData                  bool
}

// cwInvalid is CloudWatch's InvalidParameterValue (modelled as
// InvalidParameterValueException, query code InvalidParameterValue).
func cwInvalid(format string, args ...any) *apiError {
	e := errorf(http.StatusBadRequest, "InvalidParameterValue", format, args...)
	e.typ = "com.amazonaws.cloudwatch#InvalidParameterValueException"
	return e
}

// cwValidation is the framework's constraint error (ValidationException,
// query code ValidationError).
func cwValidation(format string, args ...any) *apiError {
	e := errorf(http.StatusBadRequest, "ValidationError", "1 validation error detected: "+format, args...)
	e.typ = "com.amazon.coral.validate#ValidationException"
	return e
}

func cborMap(v cbor.Value) cbor.Map {
	m, _ := v.(cbor.Map)
	return m
}

func cborString(v cbor.Value) string {
	s, _ := v.(cbor.String)
	return string(s)
}

// gmdRequest is a GetMetricData request as decoded from either protocol
// (cborGMDRequest, queryGMDRequest), before validation. A nil pointer is
// an absent member.
type gmdRequest struct {
	queries    []rawMDQ
	start, end *time.Time
	scanBy     *string
	maxPoints  *int64
	nextToken  *string
}

// rawMDQ is one MetricDataQuery as decoded; parseMDQ validates it.
type rawMDQ struct {
	id, label              string
	returnData             *bool
	hasExpression, hasStat bool
	ns, metric, stat       string
	dims                   [][2]string // Name, Value
	period                 int64       // 0 when absent or not an integer
}

// gmdResult is one MetricDataResult.
type gmdResult struct {
	id, label string
	ts        []time.Time
	vals      []float64
	status    string
	message   string // with status as its code, for a failed query
}

// getMetricData serves GetMetricData in the protocol of the request:
// Smithy RPC v2 CBOR or awsQuery (the same validation, data and paging).
func (s *Sim) getMetricData(c *call) (any, *apiError) {
	var in gmdRequest
	var err *apiError
	if c.svc.proto == protoCBOR {
		in, err = cborGMDRequest(c.body)
	} else {
		in, err = queryGMDRequest(c.r.Form)
	}
	if err != nil {
		return nil, err
	}
	results, next, err := s.answerGMD(c, in)
	if err != nil {
		return nil, err
	}
	if c.svc.proto == protoCBOR {
		return cborGMDResponse(results, next), nil
	}
	return queryGMDResponse(results, next), nil
}

func cborGMDRequest(body []byte) (gmdRequest, *apiError) {
	var req gmdRequest
	var in cbor.Map
	if len(body) > 0 {
		v, err := cbor.Decode(body)
		if err != nil {
			return req, errorf(http.StatusBadRequest, "SerializationException", "The request body is not valid CBOR: %v", err)
		}
		in = cborMap(v)
		if in == nil {
			return req, errorf(http.StatusBadRequest, "SerializationException", "The request body is not a CBOR map")
		}
	}
	rawQ, _ := in["MetricDataQueries"].(cbor.List)
	for _, raw := range rawQ {
		req.queries = append(req.queries, cborMDQ(cborMap(raw)))
	}
	for name, dst := range map[string]**time.Time{"StartTime": &req.start, "EndTime": &req.end} {
		v, ok := in[name]
		if !ok {
			continue
		}
		t, err := cbor.AsTime(v)
		if err != nil {
			return req, errorf(http.StatusBadRequest, "SerializationException", "%s is not a tag 1 timestamp: %v", name, err)
		}
		t = t.UTC()
		*dst = &t
	}
	if v, ok := in["ScanBy"]; ok {
		sb := cborString(v)
		req.scanBy = &sb
	}
	if v, ok := in["MaxDatapoints"]; ok {
		n, err := cbor.AsInt64(v)
		if err != nil {
			n = 0
		}
		req.maxPoints = &n
	}
	if v, ok := in["NextToken"]; ok {
		tok := cborString(v)
		req.nextToken = &tok
	}
	return req, nil
}

func cborMDQ(m cbor.Map) rawMDQ {
	q := rawMDQ{id: cborString(m["Id"]), label: cborString(m["Label"])}
	if b, ok := m["ReturnData"].(cbor.Bool); ok {
		rd := bool(b)
		q.returnData = &rd
	}
	_, q.hasExpression = m["Expression"]
	ms := cborMap(m["MetricStat"])
	q.hasStat = ms != nil
	metric := cborMap(ms["Metric"])
	q.ns, q.metric, q.stat = cborString(metric["Namespace"]), cborString(metric["MetricName"]), cborString(ms["Stat"])
	dl, _ := metric["Dimensions"].(cbor.List)
	for _, d := range dl {
		dm := cborMap(d)
		q.dims = append(q.dims, [2]string{cborString(dm["Name"]), cborString(dm["Value"])})
	}
	if p, err := cbor.AsInt64(ms["Period"]); err == nil {
		q.period = p
	}
	return q
}

func cborGMDResponse(results []gmdResult, next string) cbor.Value {
	list := cbor.List{}
	for _, r := range results {
		tl := make(cbor.List, len(r.ts))
		vl := make(cbor.List, len(r.vals))
		for i := range r.ts {
			tl[i] = &cbor.Tag{ID: 1, Value: cbor.Uint(r.ts[i].Unix())}
			vl[i] = cbor.Float64(r.vals[i])
		}
		m := cbor.Map{"Id": cbor.String(r.id), "Label": cbor.String(r.label),
			"Timestamps": tl, "Values": vl, "StatusCode": cbor.String(r.status)}
		if r.message != "" {
			m["Messages"] = cbor.List{cbor.Map{"Code": cbor.String(r.status), "Value": cbor.String(r.message)}}
		}
		list = append(list, m)
	}
	out := cbor.Map{"MetricDataResults": list, "Messages": cbor.List{}}
	if next != "" {
		out["NextToken"] = cbor.String(next)
	}
	return out
}

// answerGMD validates the request and answers it from the estate.
func (s *Sim) answerGMD(c *call, in gmdRequest) ([]gmdResult, string, *apiError) {
	if len(in.queries) == 0 {
		e := errorf(http.StatusBadRequest, "MissingParameter", "The parameter MetricDataQueries is required.")
		e.typ = "com.amazonaws.cloudwatch#MissingRequiredParameterException"
		return nil, "", e
	}
	if len(in.queries) > 500 {
		// GetMetricData: "You can include up to 500 MetricDataQuery structures."
		return nil, "", cwValidation("Value '[...]' at 'metricDataQueries' failed to satisfy constraint: Member must have length less than or equal to 500")
	}
	for _, m := range []struct {
		name string
		t    *time.Time
	}{{"StartTime", in.start}, {"EndTime", in.end}} {
		if m.t == nil {
			e := errorf(http.StatusBadRequest, "MissingParameter", "The parameter %s is required.", m.name)
			e.typ = "com.amazonaws.cloudwatch#MissingRequiredParameterException"
			return nil, "", e
		}
	}
	start, end := *in.start, *in.end
	if !start.Before(end) {
		return nil, "", cwInvalid("The parameter StartTime must be less than the parameter EndTime.")
	}
	scanBy := "TimestampDescending"
	if in.scanBy != nil {
		scanBy = *in.scanBy
		if scanBy != "TimestampDescending" && scanBy != "TimestampAscending" {
			return nil, "", cwValidation("Value '%s' at 'scanBy' failed to satisfy constraint: Member must satisfy enum value set: [TimestampDescending, TimestampAscending]", scanBy)
		}
	}
	maxPoints := int64(100800)
	if in.maxPoints != nil {
		if *in.maxPoints <= 0 {
			return nil, "", cwInvalid("The parameter MaxDatapoints must be greater than 0.")
		}
		maxPoints = *in.maxPoints
	}
	queries := make([]mdq, 0, len(in.queries))
	seen := map[string]bool{}
	for i, raw := range in.queries {
		q, err := parseMDQ(i, raw)
		if err != nil {
			return nil, "", err
		}
		if seen[q.id] {
			return nil, "", cwInvalid("The value %s for field Id in MetricDataQueries is not unique.", q.id)
		}
		seen[q.id] = true
		queries = append(queries, q)
	}
	// Paging: NextToken carries the query index and the datapoint offset
	// within it where the previous page stopped.
	qi, off := 0, 0
	if in.nextToken != nil {
		var okTok bool
		qi, off, okTok = decodeCWToken(*in.nextToken, len(queries))
		if !okTok {
			e := errorf(http.StatusBadRequest, "InvalidNextToken", "The service couldn't process the NextToken.")
			e.typ = "com.amazonaws.cloudwatch#InvalidNextToken"
			return nil, "", e
		}
	}
	_, r := s.scope(c)
	now := s.now()
	results := []gmdResult{}
	budget := maxPoints
	next := ""
	for ; qi < len(queries); qi, off = qi+1, 0 {
		q := queries[qi]
		if !q.returnData {
			continue
		}
		if status, msg := faultStatus(c.account, r, q); status != "" {
			// A query that failed on its own: no datapoints, its status
			// and a message; the other queries are answered.
			results = append(results, gmdResult{id: q.id, label: q.label, status: status, message: msg})
			continue
		}
		ts, vals := s.aggregate(c.account, r, q, start, end, now)
		if scanBy == "TimestampDescending" {
			for i, j := 0, len(ts)-1; i < j; i, j = i+1, j-1 {
				ts[i], ts[j] = ts[j], ts[i]
				vals[i], vals[j] = vals[j], vals[i]
			}
		}
		if off > len(ts) {
			off = len(ts)
		}
		ts, vals = ts[off:], vals[off:]
		status := "Complete"
		if int64(len(ts)) > budget {
			ts, vals = ts[:budget], vals[:budget]
			status = "PartialData"
			next = encodeCWToken(qi, off+int(budget))
		}
		budget -= int64(len(ts))
		results = append(results, gmdResult{id: q.id, label: q.label, ts: ts, vals: vals, status: status})
		if next != "" {
			break
		}
	}
	return results, next, nil
}

func parseMDQ(i int, m rawMDQ) (mdq, *apiError) {
	q := mdq{returnData: true, id: m.id}
	if !metricIDRE.MatchString(q.id) || len(q.id) > 255 {
		return q, cwInvalid("The value %q for parameter MetricDataQueries.member.%d.Id is invalid: it must start with a lower-case letter and contain only letters, digits and underscores.", q.id, i+1)
	}
	if m.returnData != nil {
		q.returnData = *m.returnData
	}
	if m.hasExpression {
		return q, cwInvalid("awssim does not evaluate metric math: MetricDataQueries.member.%d.Expression is not supported.", i+1)
	}
	if !m.hasStat {
		return q, cwInvalid("Exactly one of Expression and MetricStat must be set in MetricDataQueries.member.%d.", i+1)
	}
	q.ns, q.metric = m.ns, m.metric
	if q.ns == "" || q.metric == "" {
		return q, cwInvalid("MetricDataQueries.member.%d.MetricStat.Metric needs Namespace and MetricName.", i+1)
	}
	if len(m.dims) > 30 {
		return q, cwValidation("Value at 'metricDataQueries.%d.member.metricStat.metric.dimensions' failed to satisfy constraint: Member must have length less than or equal to 30", i+1)
	}
	q.dims = map[string]string{}
	for _, d := range m.dims {
		q.dims[d[0]] = d[1]
	}
	p := m.period
	if p <= 0 {
		return q, cwInvalid("The parameter MetricDataQueries.member.%d.MetricStat.Period is required and must be positive.", i+1)
	}
	if p%60 != 0 && p != 1 && p != 5 && p != 10 && p != 30 {
		return q, cwInvalid("The parameter MetricDataQueries.member.%d.MetricStat.Period must be 1, 5, 10, 30 or a multiple of 60.", i+1)
	}
	q.period = p
	q.stat = m.stat
	if !contains(cwStats, q.stat) {
		return q, cwInvalid("The statistic %q in MetricDataQueries.member.%d is not supported by awssim (%s).", q.stat, i+1, strings.Join(cwStats, ", "))
	}
	q.label = m.label
	if q.label == "" {
		q.label = q.metric
	}
	return q, nil
}

// faultStatus is the Status fault of the query's series, with its message.
func faultStatus(account string, r *Region, q mdq) (status, message string) {
	series, _, ok := findSeries(account, r, q.ns, q.metric, q.dims)
	if !ok || series.Status == "" {
		return "", ""
	}
	message = series.Message
	if message == "" {
		switch series.Status {
		case "Forbidden":
			message = "You are not authorized to access the metric " + q.ns + " " + q.metric + "."
		default:
			message = "An internal error occurred while retrieving the data. Retry the request."
		}
	}
	return series.Status, message
}

// reportedOnlyWhenNonZero are the namespaces whose datapoints exist only
// while there is traffic. Elastic Load Balancing "reports metrics to
// CloudWatch only when requests are flowing through the load balancer. If
// there are requests flowing through the load balancer, Elastic Load
// Balancing measures and sends its metrics in 60-second intervals. If
// there are no requests flowing through the load balancer or no data for
// a metric, the metric is not reported"
// (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-cloudwatch-metrics.html,
// and likewise for Network and Classic Load Balancers). So the simulator
// drops a zero hourly datapoint of these namespaces: a day without
// traffic has no datapoint at all, not a 0.
var reportedOnlyWhenNonZero = map[string]bool{"AWS/ApplicationELB": true, "AWS/NetworkELB": true, "AWS/ELB": true}

func nonZero(pts []float64) []float64 {
	out := make([]float64, 0, len(pts))
	for _, x := range pts {
		if x != 0 {
			out = append(out, x)
		}
	}
	return out
}

// aggregate computes the query's datapoints over [start, end), in
// ascending time order. Buckets are aligned to the period from the epoch;
// a bucket without hourly datapoints has no value (for the
// reportedOnlyWhenNonZero namespaces, zero hours are not datapoints).
func (s *Sim) aggregate(account string, r *Region, q mdq, start, end, now time.Time) ([]time.Time, []float64) {
	series, kind, ok := findSeries(account, r, q.ns, q.metric, q.dims)
	if !ok {
		return nil, nil
	}
	first, hours := series.hourly(kind, now)
	period := time.Duration(q.period) * time.Second
	var ts []time.Time
	var vals []float64
	b := time.Unix(start.Unix()-start.Unix()%q.period, 0).UTC()
	for ; b.Before(end); b = b.Add(period) {
		bEnd := b.Add(period)
		// hourly datapoints whose timestamp falls in [b, bEnd)
		lo := int(math.Ceil(b.Sub(first).Hours()))
		hi := int(math.Ceil(bEnd.Sub(first).Hours()))
		lo, hi = max(lo, 0), min(hi, len(hours))
		if lo >= hi {
			continue
		}
		pts := hours[lo:hi]
		if reportedOnlyWhenNonZero[q.ns] {
			pts = nonZero(pts)
			if len(pts) == 0 {
				continue
			}
		}
		var v float64
		switch q.stat {
		case "Sum":
			for _, x := range pts {
				v += x
			}
		case "Average":
			for _, x := range pts {
				v += x
			}
			v /= float64(len(pts))
		case "Maximum":
			v = math.Inf(-1)
			for _, x := range pts {
				v = math.Max(v, x)
			}
		case "Minimum":
			v = math.Inf(1)
			for _, x := range pts {
				v = math.Min(v, x)
			}
		case "SampleCount":
			v = float64(len(pts))
		}
		ts = append(ts, b)
		vals = append(vals, v)
	}
	return ts, vals
}

const cwTokenPrefix = "awssim1:GetMetricData:"

func encodeCWToken(query, offset int) string {
	return base64.RawURLEncoding.EncodeToString([]byte(cwTokenPrefix + strconv.Itoa(query) + ":" + strconv.Itoa(offset)))
}

func decodeCWToken(tok string, queries int) (query, offset int, ok bool) {
	raw, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		return 0, 0, false
	}
	rest, found := strings.CutPrefix(string(raw), cwTokenPrefix)
	if !found {
		return 0, 0, false
	}
	if _, err := fmt.Sscanf(rest, "%d:%d", &query, &offset); err != nil || query < 0 || query >= queries || offset < 0 {
		return 0, 0, false
	}
	return query, offset, true
}

// sortedMetricNames is for validation messages.
func sortedMetricNames(ns string) []string {
	var out []string
	for m := range metricCatalog[ns].metrics {
		out = append(out, m)
	}
	sort.Strings(out)
	return out
}
