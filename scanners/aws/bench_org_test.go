package aws

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"runtime"
	"runtime/metrics"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/credentials"
	elbv2types "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"

	"github.com/ghostaudit/ghostaudit/scanners"
	"github.com/ghostaudit/ghostaudit/scanners/aws/awssim"
	"github.com/ghostaudit/ghostaudit/scanners/estate"
)

// The organisation-scale benchmark (make bench; not run by go test):
//
//	go test -run '^$' -bench BenchmarkOrgScale -benchtime 1x ./scanners/aws/
//
// 200 accounts × 17 regions × 50 resources, 40 ms per call, and the
// per-service request-rate buckets of orgRates in every account × region.

// orgRegions are the 17 regions Komiser hard-codes (research/aws.md §5).
var orgRegions = []string{
	"us-east-1", "us-east-2", "us-west-1", "us-west-2", "ca-central-1",
	"eu-west-1", "eu-west-2", "eu-west-3", "eu-central-1", "eu-north-1",
	"ap-south-1", "ap-southeast-1", "ap-southeast-2", "ap-northeast-1", "ap-northeast-2",
	"ap-northeast-3", "sa-east-1",
}

// orgRate is one service's request-rate bucket per account × region.
type orgRate struct {
	key   string // awssim rate key: the service's IAM prefix
	rate  float64
	burst int
}

// orgRates are the simulator's throttles. AWS throttles per account and per
// region; the figures:
//   - ec2: "Request throttling for the Amazon EC2 API": a non-mutating
//     action's bucket holds 100 tokens and refills 20 per second. AWS keeps
//     one bucket per action; one bucket shared by every EC2 action is
//     stricter.
//   - cloudwatch: GetMetricData's Service Quotas default, 50 TPS per
//     account and region (burst taken as one second).
//   - elasticloadbalancing, rds: no published figure; 10 per second,
//     burst 10, below EC2's as the issue asks ("ELB/RDS lower").
//   - logs: DescribeLogGroups' Service Quotas default, 5 TPS.
var orgRates = []orgRate{
	{"ec2", 20, 100},
	{"cloudwatch", 50, 50},
	{"elasticloadbalancing", 10, 10},
	{"rds", 10, 10},
	{"logs", 5, 5},
}

// orgRegionYAML writes one region of 50 resources: 8 instances (6 running,
// with CPU and network metrics), 10 volumes, 5 Elastic IPs, 8 snapshots,
// 3 AMIs, 2 launch templates, 2 NAT gateways, 2 ELBv2 load balancers with a
// listener and a target group each, 1 Classic LB, 2 DB instances, 2 DB
// snapshots and 5 log groups. r makes every id unique in the template.
func orgRegionYAML(b *strings.Builder, name string, r int) {
	id := func(prefix string, i int) string { return fmt.Sprintf("%s-%08x%09d", prefix, r, i) }
	fmt.Fprintf(b, "        - name: %s\n          instances:\n", name)
	for i := range 8 {
		state, metrics := "running", ", metrics: {CPUUtilization: {avg: 4, days: 14}, NetworkIn: {avg: 1e6, days: 14}, NetworkOut: {avg: 1e6, days: 14}}"
		if i >= 6 {
			state, metrics = "stopped", ", stopped_at: -40d"
		}
		fmt.Fprintf(b, "            - {id: %s, type: m5.large, state: %s, launched: -90d%s}\n", id("i", i), state, metrics)
	}
	b.WriteString("          volumes:\n")
	for i := range 10 {
		att := ""
		if i < 6 {
			att = ", attached_to: " + id("i", i)
		}
		fmt.Fprintf(b, "            - {id: %s, size_gib: %d, type: gp3, created: -30d%s}\n", id("vol", i), 20+i, att)
	}
	b.WriteString("          addresses:\n")
	for i := range 5 {
		fmt.Fprintf(b, "            - {allocation_id: %s, public_ip: 198.51.%d.%d}\n", id("eipalloc", i), 100+r%100, i+1)
	}
	b.WriteString("          snapshots:\n")
	for i := range 8 {
		fmt.Fprintf(b, "            - {id: %s, volume_id: %s, size_gib: 20, started: -%dd}\n", id("snap", i), id("vol", i), 10+20*i)
	}
	b.WriteString("          images:\n")
	for i := range 3 {
		fmt.Fprintf(b, "            - {id: %s, name: img-%d, snapshot_ids: [%s], created: -100d}\n", id("ami", i), i, id("snap", i))
	}
	b.WriteString("          launch_templates:\n")
	for i := range 2 {
		fmt.Fprintf(b, "            - {id: %s, name: lt-%d, versions: [{image_id: %s, instance_type: m5.large}]}\n", id("lt", i), i, id("ami", i))
	}
	b.WriteString("          nat_gateways:\n")
	for i := range 2 {
		fmt.Fprintf(b, "            - {id: %s, public_ip: 198.18.%d.%d, metrics: {BytesOutToDestination: {avg: 0, days: 30}}}\n", id("nat", i), r%100, i+1)
	}
	b.WriteString("          load_balancers:\n")
	for i := range 2 {
		fmt.Fprintf(b, "            - {name: alb-%d, created: -90d, listeners: [{port: 80}], target_groups: [{name: tg-%d, targets: [{id: %s}]}], metrics: {RequestCount: {avg: 10, days: 7}}}\n", i, i, id("i", i))
	}
	fmt.Fprintf(b, "          classic_load_balancers:\n            - {name: clb-0, instances: [{id: %s}], metrics: {RequestCount: {avg: 0, days: 7}}}\n", id("i", 2))
	b.WriteString("          db_instances:\n")
	for i := range 2 {
		fmt.Fprintf(b, "            - {id: db-%d, class: db.m5.large, created: -300d, metrics: {DatabaseConnections: {avg: 3, days: 14}}}\n", i)
	}
	b.WriteString("          db_snapshots:\n")
	for i := range 2 {
		fmt.Fprintf(b, "            - {id: dbsnap-%d, db_instance_id: db-%d, created: -60d}\n", i, i)
	}
	b.WriteString("          log_groups:\n")
	for i := range 5 {
		fmt.Fprintf(b, "            - {name: /aws/lambda/fn-%d, stored_bytes: 1048576, created: -30d}\n", i)
	}
}

// orgResourcesPerRegion is what orgRegionYAML declares.
const orgResourcesPerRegion = 8 + 10 + 5 + 8 + 3 + 2 + 2 + 2 + 1 + 2 + 2 + 5

// orgEstate returns an estate of accounts × regions × 50 resources, with
// latency per call and orgRates in every account × region. One account
// template is parsed and validated (YAML for 170,000 resources would take
// longer than the scan); the other accounts share its regions, so resource
// ids repeat across accounts, which the scanner's keys (account, region,
// kind, id) and the simulator (resources per account and region) allow.
func bigOrgEstate(tb testing.TB, accounts, regions int, latency time.Duration) *awssim.Estate {
	tb.Helper()
	var b strings.Builder
	var rates, bursts []string
	for _, r := range orgRates {
		rates = append(rates, fmt.Sprintf("%s: %g", r.key, r.rate))
		bursts = append(bursts, fmt.Sprintf("%s: %d", r.key, r.burst))
	}
	fmt.Fprintf(&b, "aws:\n  accounts:\n    - id: \"100000000000\"\n      faults: {latency: %s, rate: {%s}, burst: {%s}}\n      regions:\n",
		latency, strings.Join(rates, ", "), strings.Join(bursts, ", "))
	for r := range regions {
		orgRegionYAML(&b, orgRegions[r], r)
	}
	e, err := estate.Parse("org.yaml", []byte(b.String()))
	if err != nil {
		tb.Fatal(err)
	}
	tmpl, ok, err := awssim.Load(e)
	if err != nil || !ok {
		tb.Fatalf("awssim.Load: %v %v", ok, err)
	}
	est := &awssim.Estate{CallerAccount: "100000000000", Accounts: make([]awssim.Account, accounts)}
	for i := range est.Accounts {
		est.Accounts[i] = tmpl.Accounts[0]
		est.Accounts[i].ID = fmt.Sprintf("%012d", 100000000000+i)
	}
	return est
}

func pages(n, size int) int {
	if n <= 0 {
		return 1 // an empty list is still one call
	}
	return (n + size - 1) / size
}

// boundCalls is the calls of one account × region that no scanner can
// avoid, per rate key, and the longest chain of calls that depend on one
// another (each waits for the previous one's answer).
type boundCalls struct {
	calls map[string]int
	chain int
}

// regionCalls counts the calls needed to list one region with the
// scanner's page sizes, and the dependency chain:
//
//	list pages → GetMetricData                  (instances, NAT, RDS, LBs)
//	DescribeLoadBalancers → DescribeTargetGroups → DescribeTargetHealth
//	DescribeLoadBalancers (Classic) → DescribeInstanceHealth
//	DescribeLoadBalancers (both) → DescribeTags
//	DescribeLogGroups → ListTagsForResource
//	DescribeLaunchTemplates → DescribeLaunchTemplateVersions
//
// Pages of one listing follow each other (NextToken). GetMetricData takes
// up to 500 queries of one window (StartTime) per call; a resource's
// queries can be sent as soon as its page has arrived, so the chain counts
// one GetMetricData after the longest listing that feeds it.
func regionCalls(r *awssim.Region, pageSize int) boundCalls {
	c := boundCalls{calls: map[string]int{}}
	p := func(n, lo, hi int) int { return pages(n, min(max(pageSize, lo), hi)) }
	chain := func(n int) { c.chain = max(c.chain, n) }
	running := 0
	for _, in := range r.Instances {
		if in.State == "running" {
			running++
		}
	}
	activeNAT := 0
	for _, n := range r.NatGateways {
		if n.State != "deleted" {
			activeNAT++
		}
	}
	queries := map[int]int{} // window days -> queries
	queries[instanceWindowDays] += len(instanceMetrics) * running
	queries[natWindowDays] += len(natMetrics) * activeNAT
	queries[dbWindowDays] += len(r.DBInstances)
	for _, lb := range r.LoadBalancers {
		queries[lbWindowDays] += len(lbMetrics[elbv2types.LoadBalancerTypeEnum(lb.Type)].specs)
	}
	queries[lbWindowDays] += len(r.ClassicLoadBalancers)

	ec2Lists := []int{p(len(r.Instances), 5, 1000), p(len(r.Volumes), 5, 500), 1, p(len(r.Snapshots), 5, 1000),
		p(len(r.Images), 5, 1000), p(len(r.LaunchTemplates), 1, 200), p(len(r.NatGateways), 5, 1000)}
	for _, n := range ec2Lists {
		c.calls["ec2"] += n
		chain(n)
	}
	c.calls["ec2"] += len(r.LaunchTemplates) // one versions page each
	if len(r.LaunchTemplates) > 0 {
		chain(ec2Lists[5] + 1)
	}
	lbPages := p(len(r.LoadBalancers), 1, 400)
	c.calls["elasticloadbalancing"] += lbPages + 2*len(r.LoadBalancers) // listeners, target groups
	for _, lb := range r.LoadBalancers {
		c.calls["elasticloadbalancing"] += len(lb.TargetGroups) // target health
		if len(lb.TargetGroups) > 0 {
			chain(lbPages + 2)
		}
	}
	clbPages := p(len(r.ClassicLoadBalancers), 1, 400)
	c.calls["elasticloadbalancing"] += clbPages + len(r.ClassicLoadBalancers)
	chain(clbPages + min(1, len(r.ClassicLoadBalancers)))
	// Tags: DescribeTags takes up to 20 load balancers (ELBv2 ARNs or
	// Classic names) per call, after the listing page that names them.
	if n := len(r.LoadBalancers); n > 0 {
		c.calls["elasticloadbalancing"] += pages(n, 20)
		chain(lbPages + 1)
	}
	if n := len(r.ClassicLoadBalancers); n > 0 {
		c.calls["elasticloadbalancing"] += pages(n, 20)
		chain(clbPages + 1)
	}
	dbPages := p(len(r.DBInstances), 20, 100)
	c.calls["rds"] += dbPages + p(len(r.DBSnapshots), 20, 100)
	chain(p(len(r.DBSnapshots), 20, 100))
	c.calls["logs"] += p(len(r.LogGroups), 1, 50)
	chain(p(len(r.LogGroups), 1, 50))
	// ListTagsForResource: one call per log group, after its page.
	if n := len(r.LogGroups); n > 0 {
		c.calls["logs"] += n
		chain(p(n, 1, 50) + 1)
	}
	for w, q := range queries {
		if q == 0 {
			continue
		}
		c.calls["cloudwatch"] += pages(q, maxQueriesPerCall)
		feed := 0
		switch w {
		case instanceWindowDays: // also dbWindowDays, the same 14 days
			feed = max(ec2Lists[0], dbPages)
		case natWindowDays:
			feed = ec2Lists[6]
		case lbWindowDays:
			feed = max(lbPages, clbPages)
		}
		chain(feed + pages(q, maxQueriesPerCall))
	}
	return c
}

// lowerBound is the shortest possible scan of est with latency L per call
// and the rates of orgRates (per account × region), for a scanner with
// unlimited concurrency and no CPU cost:
//
//	scope(a, r)  = max( chain(a, r) × L,
//	                    max over services s of  L + max(0, n_s − burst_s) / rate_s )
//	account(a)   = L (sts:AssumeRole, skipped for the caller's account)
//	             + L (ec2:DescribeRegions)
//	             + max over regions r of scope(a, r)
//	bound        = L (sts:GetCallerIdentity of the caller) + max over accounts a of account(a)
//
// where chain and n_s come from regionCalls. A bucket starts full (burst)
// and refills at rate; the last of n_s calls cannot be sent before
// (n_s − burst)/rate and is answered L later. Accounts and regions are
// independent, since AWS's buckets are per account and region.
func lowerBound(est *awssim.Estate, pageSize int, L time.Duration) (bound time.Duration, calls int) {
	rate := map[string]orgRate{}
	for _, r := range orgRates {
		rate[r.key] = r
	}
	var worst time.Duration
	for _, a := range est.Accounts {
		acct := L // DescribeRegions
		if a.ID != est.CallerAccount {
			acct += L // AssumeRole
			calls++
		}
		calls++
		var slowest time.Duration
		for i := range a.Regions {
			bc := regionCalls(&a.Regions[i], pageSize)
			scope := time.Duration(bc.chain) * L
			for svc, n := range bc.calls {
				calls += n
				r, ok := rate[svc]
				if !ok || n <= r.burst {
					continue
				}
				scope = max(scope, L+time.Duration(float64(n-r.burst)/r.rate*float64(time.Second)))
			}
			slowest = max(slowest, scope)
		}
		worst = max(worst, acct+slowest)
	}
	return L + worst, calls + 1
}

// memSampler records the heap's high-water mark (runtime/metrics, sampled
// every 10 ms) while a scan runs.
type memSampler struct {
	stop chan struct{}
	done sync.WaitGroup
	peak uint64
}

func startMemSampler() *memSampler {
	m := &memSampler{stop: make(chan struct{})}
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	m.done.Add(1)
	go func() {
		defer m.done.Done()
		t := time.NewTicker(10 * time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(s)
			m.peak = max(m.peak, s[0].Value.Uint64())
			select {
			case <-m.stop:
				return
			case <-t.C:
			}
		}
	}()
	return m
}

func (m *memSampler) Stop() uint64 { close(m.stop); m.done.Wait(); return m.peak }

// procStatusKB reads a "VmHWM:"-style field of /proc/self/status in kB
// (0 when unavailable).
func procStatusKB(field string) uint64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), field+":"); ok {
			n, _ := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return n
		}
	}
	return 0
}

// resetPeakRSS resets VmHWM to the current RSS (Linux: clear_refs 5).
func resetPeakRSS() bool {
	return os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) == nil
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// orgRun is one measured scan.
type orgRun struct {
	wall, cpu, simCPU   time.Duration
	resources, gaps     int
	requests, throttled int
	peakHeap, peakRSS   uint64 // bytes
	liveHeap            uint64 // bytes held after the scan: the inventory
}

// orgChildEnv carries a childSpec to TestOrgScaleChild in the child
// process that runs the scanner.
const orgChildEnv = "GHOSTAUDIT_ORGBENCH_CHILD"

type childSpec struct {
	URL         string   `json:"url"`
	Accounts    []string `json:"accounts"`
	Concurrency int      `json:"concurrency"`
	Now         int64    `json:"now"`
}

type childResult struct {
	WallNS, CPUNS     int64
	Resources, Gaps   int
	PeakRSS, PeakHeap uint64
	LiveHeap          uint64 // heap in use after the scan and a GC: the collected inventory
	FirstGaps         []string
}

// scanOrg scans est with the scanner in a child process (this test binary
// running TestOrgScaleChild) and the simulator in this one, so that the
// child's CPU time and peak RSS (VmHWM) are the scanner's alone and this
// process's CPU time during the scan is the simulator's.
func scanOrg(b *testing.B, est *awssim.Estate, concurrency int) orgRun {
	now := time.Now().UTC().Truncate(time.Second)
	sim := awssim.New(est, awssim.Options{Now: func() time.Time { return now }})
	srv := httptest.NewServer(sim)
	defer srv.Close()
	spec := childSpec{URL: srv.URL, Concurrency: concurrency, Now: now.Unix()}
	for _, a := range est.Accounts[1:] {
		spec.Accounts = append(spec.Accounts, a.ID)
	}
	js, _ := json.Marshal(spec)
	args := []string{"-test.run=^TestOrgScaleChild$", "-test.count=1", "-test.v"}
	// GHOSTAUDIT_ORGBENCH_CPUPROFILE profiles the scanner's process.
	if f := os.Getenv("GHOSTAUDIT_ORGBENCH_CPUPROFILE"); f != "" {
		args = append(args, "-test.cpuprofile="+f+"."+strconv.Itoa(concurrency))
	}
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), orgChildEnv+"="+string(js))
	cpu0 := cpuTime()
	out, err := cmd.CombinedOutput()
	simCPU := cpuTime() - cpu0
	var res childResult
	_, line, ok := strings.Cut(string(out), "ORGBENCH ")
	if line, _, _ = strings.Cut(line, "\n"); err != nil || !ok || json.Unmarshal([]byte(line), &res) != nil {
		b.Fatalf("scanner child: %v\n%s", err, out)
	}
	run := orgRun{wall: time.Duration(res.WallNS), cpu: time.Duration(res.CPUNS), simCPU: simCPU,
		resources: res.Resources, gaps: res.Gaps, peakRSS: res.PeakRSS, peakHeap: res.PeakHeap, liveHeap: res.LiveHeap}
	for _, g := range res.FirstGaps {
		b.Logf("gap: %s", g)
	}
	byOp := map[string]int{}
	for _, q := range sim.Requests() {
		run.requests++
		if q.Status == 503 || q.Status == 400 && q.Service != "" {
			run.throttled++
			byOp[q.Service+":"+q.Action]++
		}
	}
	if len(byOp) > 0 {
		b.Logf("throttled or failed, by operation: %v", byOp)
	}
	return run
}

// TestOrgScaleChild is the scanner half of BenchmarkOrgScale; it is
// skipped unless the benchmark runs it.
func TestOrgScaleChild(t *testing.T) {
	js := os.Getenv(orgChildEnv)
	if js == "" {
		t.Skip("run by BenchmarkOrgScale")
	}
	var spec childSpec
	if err := json.Unmarshal([]byte(js), &spec); err != nil {
		t.Fatal(err)
	}
	opts := NewOptions()
	opts.EndpointURL = spec.URL
	opts.Credentials = credentials.NewStaticCredentialsProvider(awssim.AccessKeyID, awssim.SecretAccessKey, "")
	opts.HomeRegion = "us-east-1"
	opts.Accounts = spec.Accounts
	opts.Concurrency = spec.Concurrency
	// The simulator's clock, which is the wall clock: the SDK's credential
	// cache compares the AssumeRole credentials' Expiration with real time.
	now := time.Unix(spec.Now, 0).UTC()
	s, err := New(opts, scanners.Env{Logger: discardLogger(), Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	col := &scanners.Collector{}
	runtime.GC()
	resetPeakRSS()
	mem := startMemSampler()
	cpu0, start := cpuTime(), time.Now()
	if err := s.Scan(context.Background(), col); err != nil {
		t.Fatal(err)
	}
	res := childResult{WallNS: int64(time.Since(start)), CPUNS: int64(cpuTime() - cpu0)}
	res.PeakHeap = mem.Stop()
	res.PeakRSS = procStatusKB("VmHWM") * 1024
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	res.LiveHeap = ms.HeapAlloc
	runtime.KeepAlive(col)
	// GHOSTAUDIT_ORGBENCH_HEAPPROFILE writes the heap held at the end of
	// the scan (the collected resources included).
	if f := os.Getenv("GHOSTAUDIT_ORGBENCH_HEAPPROFILE"); f != "" {
		runtime.GC()
		if out, err := os.Create(f); err == nil {
			_ = pprof.WriteHeapProfile(out)
			_ = out.Close()
		}
	}
	rs, _, gaps := col.Snapshot()
	res.Resources, res.Gaps = len(rs), len(gaps)
	for _, g := range gaps[:min(3, len(gaps))] {
		res.FirstGaps = append(res.FirstGaps, g.Scope+" "+g.Operation+": "+string(g.Reason))
	}
	out, _ := json.Marshal(res)
	fmt.Printf("ORGBENCH %s\n", out)
}

// BenchmarkOrgScale scans 200 accounts × 17 regions × 50 resources with
// 40 ms per call under orgRates, and reports in one run the wall time, the
// lower bound computed from the estate (lowerBound), a sequential scan of
// a subset extrapolated to the estate, and the peak memory.
func BenchmarkOrgScale(b *testing.B) {
	const (
		regions     = 17
		latency     = 40 * time.Millisecond
		seqAccounts = 2 // sequential reference: 2 accounts × 17 regions
	)
	accounts := 200
	// GHOSTAUDIT_ORGBENCH_ACCOUNTS shrinks the estate while working on it.
	if n, err := strconv.Atoi(os.Getenv("GHOSTAUDIT_ORGBENCH_ACCOUNTS")); err == nil && n >= seqAccounts {
		accounts = n
	}
	est := bigOrgEstate(b, accounts, regions, latency)
	bound, boundCalls := lowerBound(est, NewOptions().PageSize, latency)
	wantResources := accounts * regions * orgResourcesPerRegion
	// The pool size for an organisation: the documented maximum of
	// --aws-concurrency (GHOSTAUDIT_ORGBENCH_CONCURRENCY overrides it).
	concurrency := 64
	if n, err := strconv.Atoi(os.Getenv("GHOSTAUDIT_ORGBENCH_CONCURRENCY")); err == nil && n >= 1 {
		concurrency = n
	}
	b.ResetTimer()
	var run orgRun
	for range b.N {
		run = scanOrg(b, est, concurrency)
	}
	b.StopTimer()
	if run.resources != wantResources || run.gaps != 0 {
		b.Errorf("scan: %d resources (want %d), %d gaps", run.resources, wantResources, run.gaps)
	}

	sub := &awssim.Estate{CallerAccount: est.CallerAccount, Accounts: est.Accounts[:seqAccounts]}
	seq := scanOrg(b, sub, 1)
	seqBound, _ := lowerBound(sub, NewOptions().PageSize, latency)
	// Sequential scans one account × region after another: its time grows
	// with the number of scopes (plus the per-account assume/regions
	// prologue, which is part of what is scaled).
	seqFull := time.Duration(float64(seq.wall) * float64(accounts) / float64(seqAccounts))

	cores := time.Duration(runtime.NumCPU())
	// CPU floors: the scanner's CPU (child process) and the scanner's plus
	// the simulator's (this process), each spread over every core.
	scanFloor, bothFloor := run.cpu/cores, (run.cpu+run.simCPU)/cores
	mb := func(n uint64) float64 { return float64(n) / (1 << 20) }
	b.ReportMetric(run.wall.Seconds(), "wall-s")
	b.ReportMetric(bound.Seconds(), "bound-s")
	b.ReportMetric(run.wall.Seconds()/bound.Seconds(), "wall/bound")
	b.ReportMetric(seqFull.Seconds(), "seq-extrap-s")
	b.ReportMetric(mb(run.peakRSS), "peakRSS-MB")
	b.ReportMetric(mb(run.peakHeap), "peakHeap-MB")
	b.ReportMetric(run.cpu.Seconds(), "scanner-cpu-s")
	b.ReportMetric(run.simCPU.Seconds(), "sim-cpu-s")
	b.ReportMetric(run.wall.Seconds()/bothFloor.Seconds(), "wall/cpu-floor")
	ratio := func(d time.Duration) float64 { return d.Seconds() / bound.Seconds() }
	fmt.Printf("\n"+
		"estate: %d accounts × %d regions × %d resources = %d resources; latency %v; rates per account × region: %v\n"+
		"| figure                                          | value     | ÷ bound  |\n"+
		"|-------------------------------------------------|----------:|---------:|\n"+
		"| lower bound from the estate (%6d calls)       | %8.2fs | %7.2f× |\n"+
		"| concurrent scan, wall (--aws-concurrency %-3d)   | %8.2fs | %7.2f× |\n"+
		"| scanner CPU %7.2fs / %d cores                  | %8.2fs | %7.2f× |\n"+
		"| scanner + simulator CPU (%6.2fs) / %d cores     | %8.2fs | %7.2f× |\n"+
		"| concurrent wall ÷ that CPU floor                | %8.2f× |          |\n"+
		"| sequential, %d accounts (their bound %5.2fs)     | %8.2fs |          |\n"+
		"| sequential, extrapolated ×%-3d                   | %8.2fs | %7.1f× |\n"+
		"| scanner peak RSS (VmHWM of the child process)   | %6.0f MB |          |\n"+
		"| scanner peak heap objects (runtime/metrics)     | %6.0f MB |          |\n"+
		"| heap held after the scan (the inventory)        | %6.0f MB |          |\n"+
		"targets: wall ≤ 1.3× bound: %s; scanner peak RSS < 500 MB: %s; host load average at the end: %s\n"+
		"%d requests served, %d throttled or failed, %d gaps, %d resources\n",
		accounts, regions, orgResourcesPerRegion, wantResources, latency, orgRates,
		boundCalls, bound.Seconds(), 1.0,
		concurrency, run.wall.Seconds(), ratio(run.wall),
		run.cpu.Seconds(), cores, scanFloor.Seconds(), ratio(scanFloor),
		run.simCPU.Seconds(), cores, bothFloor.Seconds(), ratio(bothFloor),
		run.wall.Seconds()/bothFloor.Seconds(),
		seqAccounts, seqBound.Seconds(), seq.wall.Seconds(),
		accounts/seqAccounts, seqFull.Seconds(), ratio(seqFull),
		mb(run.peakRSS), mb(run.peakHeap), mb(run.liveHeap),
		verdict(run.wall <= bound*13/10), verdict(run.peakRSS < 500<<20), loadAvg(),
		run.requests, run.throttled, run.gaps, run.resources)
}

func verdict(ok bool) string {
	if ok {
		return "met"
	}
	return "MISSED"
}

// loadAvg is /proc/loadavg's first three fields: the benchmark shares the
// host, and other processes' load shows up in the wall time.
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	return strings.Join(f[:min(3, len(f))], " ")
}
