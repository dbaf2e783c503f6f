package aws

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ghostaudit/ghostaudit/scanners"
)

// largeEstate generates accounts × regions with volumes and addresses and
// a fixed latency per request, so the benchmark measures what concurrency
// buys against a slow API rather than CPU.
func largeEstate(accounts, regions, volumes int, latency string) string {
	regionNames := []string{"us-east-1", "us-east-2", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-1", "ap-northeast-1", "ca-central-1"}
	var b strings.Builder
	b.WriteString("aws:\n  caller_account: \"100000000000\"\n  accounts:\n")
	for a := 0; a < accounts; a++ {
		fmt.Fprintf(&b, "    - id: \"%012d\"\n      faults: {latency: %s}\n      regions:\n", 100000000000+a, latency)
		for r := 0; r < regions; r++ {
			fmt.Fprintf(&b, "        - name: %s\n          volumes:\n", regionNames[r])
			for v := 0; v < volumes; v++ {
				state := ""
				if v%3 == 0 {
					state = fmt.Sprintf(", attached_to: i-%05d%05d%07d", a, r, 1)
				}
				fmt.Fprintf(&b, "            - {id: vol-%05d%05d%07d, size_gib: %d, type: gp2%s, created: -30d}\n", a, r, v, 10+v%500, state)
			}
			fmt.Fprintf(&b, "          instances:\n            - {id: i-%05d%05d%07d, type: m5.large, state: running, launched: -90d}\n", a, r, 1)
			b.WriteString("          addresses:\n")
			for e := 0; e < 20; e++ {
				fmt.Fprintf(&b, "            - {allocation_id: eipalloc-%05d%05d%07d, public_ip: 198.51.%d.%d}\n", a, r, e, 100+a, r*20+e)
			}
		}
	}
	return b.String()
}

// BenchmarkScanLargeEstate scans 3 accounts × 4 regions × 1,200 volumes
// (3 pages each) with 20 ms of simulated latency per request, sequentially
// and with the default concurrency, in the same run; it reports the
// speed-up as the ratio of the two.
func BenchmarkScanLargeEstate(b *testing.B) {
	est := largeEstate(3, 4, 1200, "20ms")
	t := &testing.T{}
	run := func(concurrency int) time.Duration {
		fx := newFixture(t, est, nil, func(o *Options) { o.Concurrency = concurrency })
		start := time.Now()
		col := &scanners.Collector{}
		if err := fx.scanner.Scan(context.Background(), col); err != nil {
			b.Fatal(err)
		}
		res, _, gaps := col.Snapshot()
		if len(gaps) != 0 || len(res) != 3*4*(1200+1+20) {
			b.Fatalf("scan: %d resources, %d gaps", len(res), len(gaps))
		}
		return time.Since(start)
	}
	var seq, par time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		seq += run(1)
		par += run(8)
	}
	b.ReportMetric(float64(seq.Milliseconds())/float64(b.N), "ms-sequential/op")
	b.ReportMetric(float64(par.Milliseconds())/float64(b.N), "ms-concurrent/op")
	b.ReportMetric(float64(seq)/float64(par), "speedup")
}
