package aws

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/elasticloadbalancing"
	"github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/smithy-go"

	"github.com/ghostaudit/ghostaudit/scanners"
)

// scope is one account × region being scanned: its clients (each with its
// own limiter), the sink, and the resources waiting for their metrics.
type scope struct {
	s         *Scanner
	scan      context.Context // the whole scan's context (the scope's own has its deadline)
	acct      string
	region    string
	name      string // "account 111111111111 region us-east-1"
	now       time.Time
	sink      scanners.Sink
	log       *slog.Logger
	pageSize  int32
	ec2       *ec2.Client
	cw        *cloudwatch.Client
	cwWire    *cwEndpoint // the CloudWatch endpoint's protocol (cwprotocol.go)
	elbv2     *elasticloadbalancingv2.Client
	elb       *elasticloadbalancing.Client
	rds       *rds.Client
	logs      *cloudwatchlogs.Client
	mu        sync.Mutex
	pending   []*pendingResource
	gapsSeen  map[string]bool
	cwLimiter *limiter
	// noManagedParam: the EC2 endpoint refused IncludeManagedResources
	// (managed.go); later calls go without it.
	noManagedParam atomic.Bool
}

func (s *Scanner) newScope(a account, region string, sink scanners.Sink) *scope {
	lim := func() *limiter { return newLimiter(serviceInFlight, s.opts.RateLimit) }
	sc := &scope{
		s: s, acct: a.id, region: region, sink: sink,
		name:     fmt.Sprintf("account %s region %s", a.id, region),
		now:      s.env.Now().UTC(),
		log:      s.env.Logger.With("account", a.id, "region", region),
		pageSize: int32(s.opts.PageSize),
		gapsSeen: map[string]bool{},
	}
	sc.cwLimiter = newLimiter(cloudwatchInFlight, s.opts.RateLimit)
	sc.ec2 = s.ec2Client(a.cfg, region, lim())
	sc.cw, sc.cwWire = s.cloudwatchClient(a.cfg, region, sc.cwLimiter)
	// ELBv2 and Classic ELB are one service (elasticloadbalancing) with
	// one request rate per account and region: one limiter.
	elbLimiter := newLimiter(serviceInFlight, min(s.opts.RateLimit, elbRateLimit))
	sc.elbv2 = s.elbv2Client(a.cfg, region, elbLimiter)
	sc.elb = s.elbClient(a.cfg, region, elbLimiter)
	sc.rds = s.rdsClient(a.cfg, region, lim())
	// CloudWatch Logs' read quotas are lower than the other services' (5
	// transactions per second for DescribeLogGroups per account and region,
	// Service Quotas default), and every log group costs one
	// ListTagsForResource call: keep its rate below that (logsRateLimit).
	// (0, client-side limits turned off, stays off.)
	logsRate := min(s.opts.RateLimit, logsRateLimit)
	sc.logs = s.logsClient(a.cfg, region, newLimiter(serviceInFlight, logsRate))
	return sc
}

// emit sends a resource of this scope to the sink.
func (sc *scope) emit(r scanners.Resource) {
	r.Provider, r.Account, r.Region, r.ObservedAt = "aws", sc.acct, sc.region, sc.now
	sc.sink.Resource(r)
}

// key returns the key of a resource of this scope.
func (sc *scope) key(kind, id string) string {
	return scanners.MakeKey("aws", sc.acct, sc.region, kind, id)
}

// gap records a failed operation once per scope. The operation is taken
// from the error when the SDK names it (a family of calls such as ELBv2's
// DescribeLoadBalancers → DescribeListeners → DescribeTargetHealth fails
// on one of them), else op is used.
func (sc *scope) gap(ctx context.Context, op, scopeSuffix string, err error) {
	if sc.scan != nil && sc.scan.Err() != nil || sc.scan == nil && ctx.Err() != nil {
		return // the scan was cancelled: not a gap of this scope
	}
	if errors.Is(ctx.Err(), context.DeadlineExceeded) && errors.Is(err, context.DeadlineExceeded) {
		err = fmt.Errorf("%w (account × region not finished within --aws-scope-timeout %s)", err, sc.s.opts.ScopeTimeout)
	}
	var oe *smithy.OperationError
	if errors.As(err, &oe) {
		if a, ok := IAMActionFor(oe.ServiceID, oe.OperationName); ok {
			op = a
		}
	}
	g := gapFor(sc.acct, sc.region, op, sc.name+scopeSuffix, err)
	sc.mu.Lock()
	dup := sc.gapsSeen[g.Key()]
	sc.gapsSeen[g.Key()] = true
	sc.mu.Unlock()
	if dup {
		return
	}
	sc.sink.Gap(g)
	sc.log.Warn("coverage gap", "operation", op, "reason", g.Reason, "err", err)
}

// pageSizeIn clamps the configured page size into an API's documented
// MaxResults range.
func (sc *scope) pageSizeIn(lo, hi int32) *int32 {
	n := min(max(sc.pageSize, lo), hi)
	return &n
}

// each runs f(0) … f(n-1) concurrently and waits for them. It is for the
// calls that depend on a listing (a load balancer's listeners, a launch
// template's versions): sent one after another they would add a round
// trip each to the scope's critical path. The scope's limiters still
// bound the calls in flight and their rate.
func each(n int, f func(i int)) {
	if n == 1 {
		f(0)
		return
	}
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f(i)
		}()
	}
	wg.Wait()
}
