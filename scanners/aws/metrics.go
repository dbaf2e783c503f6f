package aws

import (
	"context"
	"fmt"
	"math"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"

	"github.com/ghostaudit/ghostaudit/scanners"
)

// CloudWatch metrics, batched per account × region.
//
// Every resource that needs utilisation evidence queues its queries with
// withMetrics instead of being emitted. Once every Describe call of the
// scope has returned, flushMetrics sends them in GetMetricData calls of at
// most maxQueriesPerCall queries, one group per window (a call has a single
// StartTime), with daily periods
// (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_GetMetricData.html).
// A failed call becomes one cloudwatch:GetMetricData gap per scope and the
// resources it covered are emitted without metrics, so the rules skip
// their metric checks instead of reading a missing series as zero. So
// does a query whose MetricDataResult StatusCode is not Complete
// (InternalError, Forbidden, PartialData left without a NextToken): its
// resource is emitted without metrics and the gap names the status and
// CloudWatch's message (reason denied when every such query was
// Forbidden).
//
// The Metric of each query:
//   - End is midnight UTC of the scan day, the window the WindowDays
//     days before it (yesterday is the last full day).
//   - Daily has exactly WindowDays values, oldest first. A day without a
//     datapoint is 0 in Daily; Points counts the days that had one, so
//     Points < WindowDays says the series is incomplete (CloudWatch
//     publishes nothing for a stopped instance, and nothing for some
//     counters when there was no traffic).
//   - Value summarises the days that had a datapoint: Average → their
//     mean, Maximum → their maximum, Sum → their total; 0 when Points is 0.

const (
	maxQueriesPerCall = 500 // GetMetricData: "up to 500 MetricDataQuery structures"
	day               = 24 * time.Hour
)

// metricSpec is one metric and statistic of a resource.
type metricSpec struct {
	name, stat, unit string
}

type metricQuery struct {
	namespace, dimName, dimValue string
	spec                         metricSpec
	window                       int
}

// pendingResource is a resource waiting for its metrics; results[i] is the
// answer to queries[i], nil until it arrives.
type pendingResource struct {
	res     scanners.Resource
	queries []metricQuery
	results []*scanners.Metric
}

// withMetrics holds r back until flushMetrics has fetched specs for it
// from namespace, with the single dimension dimName=dimValue.
func (sc *scope) withMetrics(r scanners.Resource, namespace, dimName, dimValue string, window int, specs ...metricSpec) {
	p := &pendingResource{res: r, results: make([]*scanners.Metric, len(specs))}
	for _, sp := range specs {
		p.queries = append(p.queries, metricQuery{namespace: namespace, dimName: dimName, dimValue: dimValue, spec: sp, window: window})
	}
	sc.mu.Lock()
	sc.pending = append(sc.pending, p)
	sc.mu.Unlock()
}

// metricRef names query q of pending resource p.
type metricRef struct {
	p *pendingResource
	q int
}

// flushMetrics fetches every queued query and emits the held resources.
func (sc *scope) flushMetrics(ctx context.Context) {
	sc.mu.Lock()
	pending := sc.pending
	sc.pending = nil
	sc.mu.Unlock()
	if len(pending) == 0 {
		return
	}
	byWindow := map[int][]metricRef{}
	var windows []int
	for _, p := range pending {
		for i, q := range p.queries {
			if _, ok := byWindow[q.window]; !ok {
				windows = append(windows, q.window)
			}
			byWindow[q.window] = append(byWindow[q.window], metricRef{p, i})
		}
	}
	var batches [][]metricRef
	for _, w := range windows {
		refs := byWindow[w]
		for len(refs) > 0 {
			n := min(len(refs), maxQueriesPerCall)
			batches = append(batches, refs[:n])
			refs = refs[n:]
		}
	}
	// Each batch writes only its own result slots. The CloudWatch client's
	// limiter keeps at most cloudwatchInFlight calls in flight.
	var wg sync.WaitGroup
	for _, b := range batches {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := sc.getMetricData(ctx, b); err != nil {
				sc.gap(ctx, "cloudwatch:GetMetricData", "", err)
			}
		}()
	}
	wg.Wait()
	// Only a cancelled scan drops the held resources. When the scope's
	// deadline ended the metrics pass, the resources are still emitted,
	// without metrics (the gap says why), as for any failed batch.
	if sc.scan != nil && sc.scan.Err() != nil || sc.scan == nil && ctx.Err() != nil {
		return
	}
	for _, p := range pending {
		complete := true
		ms := make([]scanners.Metric, 0, len(p.results)) // exact: the inventory keeps it
		for _, m := range p.results {
			if m == nil {
				complete = false
				break
			}
			ms = append(ms, *m)
		}
		if complete {
			p.res.Metrics = ms
		}
		sc.emit(p.res)
	}
}

// getMetricData sends one batch of at most maxQueriesPerCall queries with
// the same window, following NextToken, and fills the results.
func (sc *scope) getMetricData(ctx context.Context, refs []metricRef) error {
	window := refs[0].p.queries[refs[0].q].window
	end := sc.now.Truncate(day) // midnight UTC: sc.now is UTC and the epoch is midnight
	start := end.AddDate(0, 0, -window)
	in := &cloudwatch.GetMetricDataInput{
		StartTime: aws.Time(start),
		EndTime:   aws.Time(end),
		ScanBy:    cwtypes.ScanByTimestampAscending,
	}
	for i, r := range refs {
		q := r.p.queries[r.q]
		in.MetricDataQueries = append(in.MetricDataQueries, cwtypes.MetricDataQuery{
			Id: aws.String(queryID(i)), // ^[a-z][a-zA-Z0-9_]*$
			MetricStat: &cwtypes.MetricStat{
				Metric: &cwtypes.Metric{
					Namespace:  aws.String(q.namespace),
					MetricName: aws.String(q.spec.name),
					Dimensions: []cwtypes.Dimension{{Name: aws.String(q.dimName), Value: aws.String(q.dimValue)}},
				},
				Period: aws.Int32(int32(day / time.Second)),
				Stat:   aws.String(q.spec.stat),
			},
			ReturnData: aws.Bool(true),
		})
	}
	type series struct {
		ts       []time.Time
		vals     []float64
		status   cwtypes.StatusCode // of the last page that had the query
		messages []cwtypes.MessageData
	}
	got := make([]series, len(refs))
	p := cloudwatch.NewGetMetricDataPaginator(sc.cw, in)
	for p.HasMorePages() {
		page, err := sc.cwWire.nextPage(ctx, p) // CBOR, or awsQuery where CBOR is not understood
		if err != nil {
			return fmt.Errorf("cloudwatch GetMetricData %s: %w", sc.region, err)
		}
		for _, r := range page.MetricDataResults {
			var i int
			if _, err := fmt.Sscanf(aws.ToString(r.Id), "q%d", &i); err != nil || i < 0 || i >= len(refs) {
				continue
			}
			got[i].ts = append(got[i].ts, r.Timestamps...)
			got[i].vals = append(got[i].vals, r.Values...)
			got[i].status, got[i].messages = r.StatusCode, r.Messages
		}
	}
	// A query is answered when its last result said Complete (PartialData
	// followed by a NextToken page is the paging of a long series). Any
	// other final status, or no result at all, leaves it unanswered: its
	// resource is emitted without metrics, as for a failed call, and never
	// with a partial or empty series that would read as no traffic.
	qe := &queryStatusError{region: sc.region, total: len(refs), allForbidden: true}
	for i, r := range refs {
		q := r.p.queries[r.q]
		if st := got[i].status; st != cwtypes.StatusCodeComplete {
			qe.add(q, st, got[i].messages)
			continue
		}
		m := summarise(q, start, end, got[i].ts, got[i].vals)
		r.p.results[r.q] = &m
	}
	if qe.failed > 0 {
		return qe
	}
	return nil
}

// queryStatusError reports the queries of one GetMetricData batch whose
// MetricDataResult StatusCode was not Complete (InternalError,
// PartialData without a NextToken, Forbidden, or no result), the first
// few by name, with CloudWatch's messages.
type queryStatusError struct {
	region       string
	total        int
	failed       int
	allForbidden bool
	examples     []string
}

const maxStatusExamples = 3

func (e *queryStatusError) add(q metricQuery, status cwtypes.StatusCode, msgs []cwtypes.MessageData) {
	e.failed++
	if status != cwtypes.StatusCodeForbidden {
		e.allForbidden = false
	}
	if len(e.examples) == maxStatusExamples {
		return
	}
	st := string(status)
	if st == "" {
		st = "no result"
	}
	ex := fmt.Sprintf("%s %s %s=%s %s: %s", q.namespace, q.spec.name, q.dimName, q.dimValue, q.spec.stat, st)
	for _, m := range msgs {
		ex += fmt.Sprintf(" (%s: %s)", aws.ToString(m.Code), aws.ToString(m.Value))
	}
	e.examples = append(e.examples, ex)
}

func (e *queryStatusError) Error() string {
	s := fmt.Sprintf("cloudwatch GetMetricData %s: %d of %d queries not Complete, their resources have no metrics: %s",
		e.region, e.failed, e.total, strings.Join(e.examples, "; "))
	if more := e.failed - len(e.examples); more > 0 {
		s += fmt.Sprintf("; and %d more", more)
	}
	return s
}

// reason is the gap reason: denied when every failed query was Forbidden.
func (e *queryStatusError) reason() string {
	if e.allForbidden {
		return scanners.ReasonDenied
	}
	return scanners.ReasonError
}

func queryID(i int) string { return fmt.Sprintf("q%d", i) }

// summarise turns daily datapoints into a Metric (see the package comment
// of this file for the meaning of Daily, Points and Value).
func summarise(q metricQuery, start, end time.Time, ts []time.Time, vals []float64) scanners.Metric {
	m := scanners.Metric{Name: q.spec.name, Stat: q.spec.stat, Unit: q.spec.unit, WindowDays: q.window, End: end,
		Daily: make([]float64, q.window)}
	seen := make([]bool, q.window)
	for i := range ts {
		if i >= len(vals) {
			break
		}
		d := int(ts[i].Sub(start) / day)
		if ts[i].Before(start) || d >= q.window || seen[d] {
			continue
		}
		seen[d] = true
		m.Daily[d] = vals[i]
	}
	var sum float64
	peak := math.Inf(-1)
	for d, ok := range seen {
		if !ok {
			continue
		}
		m.Points++
		sum += m.Daily[d]
		peak = math.Max(peak, m.Daily[d])
	}
	if m.Points == 0 {
		return m
	}
	switch q.spec.stat {
	case "Average":
		m.Value = sum / float64(m.Points)
	case "Maximum":
		m.Value = peak
	default:
		m.Value = sum
	}
	return m
}
