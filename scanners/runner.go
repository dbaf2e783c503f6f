package scanners

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"
	"time"
)

// Collector is a Sink that keeps everything in memory. It is safe for
// concurrent use. OnRecord, when set, is called with the running count of
// resources and seats after each one (for progress displays).
type Collector struct {
	OnRecord  func(records int)
	mu        sync.Mutex
	resources []Resource
	seats     []Seat
	gaps      []Gap
}

// Resource implements Sink.
func (c *Collector) Resource(r Resource) {
	c.mu.Lock()
	c.resources = append(c.resources, r)
	n := len(c.resources) + len(c.seats)
	c.mu.Unlock()
	if c.OnRecord != nil {
		c.OnRecord(n)
	}
}

// Seat implements Sink.
func (c *Collector) Seat(s Seat) {
	c.mu.Lock()
	c.seats = append(c.seats, s)
	n := len(c.resources) + len(c.seats)
	c.mu.Unlock()
	if c.OnRecord != nil {
		c.OnRecord(n)
	}
}

// Gap implements Sink.
func (c *Collector) Gap(g Gap) { c.mu.Lock(); c.gaps = append(c.gaps, g); c.mu.Unlock() }

// Snapshot returns copies of what was collected so far.
func (c *Collector) Snapshot() ([]Resource, []Seat, []Gap) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]Resource(nil), c.resources...), append([]Seat(nil), c.seats...), append([]Gap(nil), c.gaps...)
}

// take hands over what was collected, without the copy Snapshot makes,
// and empties the collector: for a scanner whose job is done (an
// organisation-scale AWS scan collects hundreds of MB, which a copy would
// double at the end of the scan).
func (c *Collector) take() ([]Resource, []Seat, []Gap) {
	c.mu.Lock()
	defer c.mu.Unlock()
	res, seats, gaps := c.resources, c.seats, c.gaps
	c.resources, c.seats, c.gaps = nil, nil, nil
	return res, seats, gaps
}

// appendOrTake appends more to all, or returns more itself when all is
// empty (the first or only scanner's records are not copied).
func appendOrTake[T any](all, more []T) []T {
	if len(all) == 0 {
		return more
	}
	return append(all, more...)
}

// Job is one scanner to run.
type Job struct {
	Name    string
	Scanner Scanner
	Options Options // redacted form is recorded in the status
}

// Runner runs scanners concurrently with failure isolation.
type Runner struct {
	Logger      *slog.Logger
	Now         func() time.Time
	Parallelism int           // at most this many scanners at once; <= 0 means all
	Timeout     time.Duration // per scanner; 0 means none beyond ctx
	ToolVersion string
	Progress    Progress // may be nil
}

// Run executes the jobs and returns the inventory. One scanner failing or
// panicking never aborts the others: a failure is recorded in its status
// and as a Gap. Run itself fails only when ctx is cancelled.
func (r *Runner) Run(ctx context.Context, jobs []Job) (*Inventory, error) {
	logger := r.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	now := r.Now
	if now == nil {
		now = time.Now
	}
	par := r.Parallelism
	if par <= 0 || par > len(jobs) {
		par = len(jobs)
	}
	inv := &Inventory{Schema: InventorySchema, ToolVersion: r.ToolVersion, ScannedAt: now().UTC()}
	statuses := make([]ScanStatus, len(jobs))
	sem := make(chan struct{}, max(par, 1))
	var wg sync.WaitGroup
	var mu sync.Mutex
	for i, job := range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				statuses[i] = ScanStatus{Scanner: job.Name, Err: ctx.Err().Error()}
				return
			}
			defer func() { <-sem }()
			col := &Collector{}
			if r.Progress != nil {
				col.OnRecord = func(n int) { r.Progress.Found(job.Name, n) }
			}
			st := r.runOne(ctx, logger.With("scanner", job.Name), job, col, now)
			res, seats, gaps := col.take()
			st.Counts = map[string]int{}
			for _, x := range res {
				st.Counts[x.Kind]++
			}
			if len(seats) > 0 {
				st.Counts["seats"] = len(seats)
			}
			if len(gaps) > 0 {
				st.Counts["gaps"] = len(gaps)
			}
			statuses[i] = st
			mu.Lock()
			inv.Resources = appendOrTake(inv.Resources, res)
			inv.Seats = appendOrTake(inv.Seats, seats)
			inv.Gaps = appendOrTake(inv.Gaps, gaps)
			mu.Unlock()
		}()
	}
	wg.Wait()
	inv.Status = statuses
	inv.Sort()
	if err := ctx.Err(); err != nil {
		return inv, fmt.Errorf("scan interrupted: %w", err)
	}
	return inv, nil
}

func (r *Runner) runOne(ctx context.Context, logger *slog.Logger, job Job, sink *Collector, now func() time.Time) (st ScanStatus) {
	st = ScanStatus{Scanner: job.Name, Started: now().UTC()}
	if job.Options != nil {
		st.Options = job.Options.Redacted()
	}
	if r.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, r.Timeout)
		defer cancel()
	}
	start := time.Now()
	defer func() {
		st.Duration = time.Since(start)
		if p := recover(); p != nil {
			logger.Error("scanner panicked", "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			st.Err = fmt.Sprintf("panic: %v", p)
			st.Succeeded = false
			sink.Gap(Gap{Scanner: job.Name, Scope: "scanner " + job.Name, Reason: ReasonPanic,
				Message: fmt.Sprintf("the scanner crashed and its results are incomplete: %v", p)})
		}
	}()
	logger.Info("scan started")
	err := job.Scanner.Scan(ctx, sink)
	if err != nil {
		st.Err = err.Error()
		reason := ReasonError
		if errors.Is(err, ErrNoCredentials) {
			st.NoCreds = true
			reason = ReasonNoCredentials
		}
		sink.Gap(Gap{Scanner: job.Name, Scope: "scanner " + job.Name, Reason: reason, Message: err.Error()})
		logger.Error("scan failed", "err", err, "duration_seconds", time.Since(start).Seconds())
		return st
	}
	st.Succeeded = true
	logger.Info("scan finished", "duration_seconds", time.Since(start).Seconds())
	return st
}
