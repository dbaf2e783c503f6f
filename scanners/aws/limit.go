package aws

import (
	"context"
	"sync"
	"time"

	"github.com/aws/smithy-go/middleware"
)

// Client-side limits per service per account × region.
//
// AWS throttles per account, per region and per API family: EC2's
// Describe* calls share one request-rate token bucket per account and
// region ("Request throttling for the Amazon EC2 API"), CloudWatch's
// GetMetricData has its own transactions-per-second quota per account and
// region, and each GetMetricData call carries up to 500 queries and is
// billed per metric, so a few calls in flight are enough. The scanner
// therefore caps, per account × region and service, the calls in flight
// (cloudwatchInFlight for CloudWatch, serviceInFlight for the others, so
// the concurrent service families of one scope cannot pile onto one
// bucket) and, with Options.RateLimit, the request rate. Throttling that
// still happens is absorbed by the standard retryer (see loadConfig).
//
// The in-flight caps only stop one scope from piling calls onto a bucket;
// the rate is what AWS throttles on. They are sized so that a scope's
// independent calls still leave in one round trip: a scope sends one
// GetMetricData per metric window (three windows: 7, 14 and 30 days) and
// about nine EC2 calls at once (seven listings, then launch template
// versions), all well inside EC2's bucket of 100 and CloudWatch's 50 TPS.
// With 2 and 4 (the values before BenchmarkOrgScale) those calls took two
// and three round trips, which put the metrics pass two round trips later.
const (
	cloudwatchInFlight = 4
	serviceInFlight    = 8
	// defaultRateLimit is below EC2's documented refill rate for
	// non-mutating actions (20 per second per account and region), so a
	// scan leaves headroom for the account's other callers.
	defaultRateLimit = 10
	// logsRateLimit caps CloudWatch Logs calls per account and region
	// below DescribeLogGroups' documented default quota (5 per second), as
	// defaultRateLimit stays below EC2's: a client bucket exactly at the
	// server's rate still collides with it now and then.
	logsRateLimit = 4
	// elbRateLimit caps Elastic Load Balancing calls (ELBv2 and Classic
	// share one rate) per account and region. AWS publishes no figure for
	// them; BenchmarkOrgScale assumes 10 per second, and a client bucket
	// at exactly that rate collided with it (DescribeTargetHealth
	// throttled and retried), so the client stays below it as for Logs.
	elbRateLimit = 8
)

// limiter bounds one service's calls in one account × region: at most
// cap(sem) attempts in flight and, when bucket is set, a request rate.
type limiter struct {
	sem    chan struct{}
	bucket *tokenBucket
}

func newLimiter(inFlight, perSecond int) *limiter {
	l := &limiter{sem: make(chan struct{}, inFlight)}
	if perSecond > 0 {
		l.bucket = newTokenBucket(float64(perSecond), perSecond)
	}
	return l
}

const limiterID = "ghostaudit.Limiter"

// withLimiter returns a copy of opts with l's middleware added. The copy
// matters: opts may share its backing array with the aws.Config that
// every scope's clients are built from.
func withLimiter(opts []func(*middleware.Stack) error, l *limiter) []func(*middleware.Stack) error {
	if l == nil {
		return opts
	}
	out := make([]func(*middleware.Stack) error, 0, len(opts)+1)
	return append(append(out, opts...), l.apiOption)
}

// apiOption adds the limiter at the end of the Finalize step, after the
// retry middleware: every attempt (not only the first) takes a slot and a
// token, and no slot is held while the retryer backs off.
func (l *limiter) apiOption(stack *middleware.Stack) error {
	return stack.Finalize.Add(middleware.FinalizeMiddlewareFunc(limiterID, func(
		ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler,
	) (middleware.FinalizeOutput, middleware.Metadata, error) {
		// The token first: a call waiting for the rate does not hold one of
		// the in-flight slots that calls already allowed to go could use.
		if l.bucket != nil {
			if err := l.bucket.wait(ctx); err != nil {
				return middleware.FinalizeOutput{}, middleware.Metadata{}, err
			}
		}
		select {
		case l.sem <- struct{}{}:
		case <-ctx.Done():
			return middleware.FinalizeOutput{}, middleware.Metadata{}, ctx.Err()
		}
		defer func() { <-l.sem }()
		return next.HandleFinalize(ctx, in)
	}), middleware.After)
}

// tokenBucket is a small token bucket: rate tokens per second up to burst.
// golang.org/x/time/rate is not a dependency of the module, and this is
// all the scanner needs of it.
type tokenBucket struct {
	mu     sync.Mutex
	rate   float64 // tokens per second
	burst  float64
	tokens float64
	last   time.Time
	now    func() time.Time
}

func newTokenBucket(rate float64, burst int) *tokenBucket {
	return &tokenBucket{rate: rate, burst: float64(burst), tokens: float64(burst), now: time.Now}
}

// wait takes one token, sleeping until it is available or ctx is done.
// A waiter reserves its token at once (tokens may go negative), so
// waiters are served in arrival order.
func (b *tokenBucket) wait(ctx context.Context) error {
	b.mu.Lock()
	now := b.now()
	if !b.last.IsZero() {
		b.tokens = min(b.burst, b.tokens+now.Sub(b.last).Seconds()*b.rate)
	}
	b.last = now
	b.tokens--
	var delay time.Duration
	if b.tokens < 0 {
		delay = time.Duration(-b.tokens / b.rate * float64(time.Second))
	}
	b.mu.Unlock()
	if delay <= 0 {
		return nil
	}
	t := time.NewTimer(delay)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		b.mu.Lock()
		b.tokens++ // give the reservation back
		b.mu.Unlock()
		return ctx.Err()
	}
}
