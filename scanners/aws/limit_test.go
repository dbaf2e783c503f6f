package aws

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/smithy-go/middleware"
)

func TestTokenBucketPaces(t *testing.T) {
	t.Parallel()
	b := newTokenBucket(100, 1) // one token every 10ms, no burst beyond one
	start := time.Now()
	for range 6 {
		if err := b.wait(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if d := time.Since(start); d < 45*time.Millisecond {
		t.Errorf("6 tokens at 100/s with burst 1 took %v, want ≥ 50ms", d)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	b.tokens = -100
	if err := b.wait(ctx); err == nil {
		t.Error("wait ignored a cancelled context")
	}
}

// TestLimiterCapsInFlight runs the limiter's middleware with a handler that
// records how many calls are inside it at once.
func TestLimiterCapsInFlight(t *testing.T) {
	t.Parallel()
	l := newLimiter(cloudwatchInFlight, 0)
	var inside, peak atomic.Int32
	// The SDK builds one stack per operation call; the limiter is shared.
	handler := func() middleware.Handler {
		stack := middleware.NewStack("test", func() interface{} { return nil })
		if err := l.apiOption(stack); err != nil {
			t.Fatal(err)
		}
		return middleware.DecorateHandler(middleware.HandlerFunc(func(ctx context.Context, in interface{}) (interface{}, middleware.Metadata, error) {
			n := inside.Add(1)
			for {
				p := peak.Load()
				if n <= p || peak.CompareAndSwap(p, n) {
					break
				}
			}
			time.Sleep(5 * time.Millisecond)
			inside.Add(-1)
			return nil, middleware.Metadata{}, nil
		}), stack)
	}
	var wg sync.WaitGroup
	for range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, _, err := handler().Handle(context.Background(), struct{}{}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if p := peak.Load(); p != cloudwatchInFlight {
		t.Errorf("peak in flight: %d, want %d", p, cloudwatchInFlight)
	}
}
