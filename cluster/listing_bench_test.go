package cluster_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"go.uber.org/zap"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/embednode"
	"github.com/etcdeck/etcdeck/embednode/nodetest"
	"github.com/etcdeck/etcdeck/embednode/nodetest/k8s"
)

// The listing benchmarks run against a member in another process, holding the Kubernetes-shaped
// keyspace of k8s.DefaultShape (400k keys of 1 KiB, ~550 MB of data dir).
//
//	go test ./cluster -run XXX -bench Listing -benchtime 20x
//
// Without ETCDECK_BENCH_ENDPOINT the benchmark starts that member itself by re-running this test
// binary as TestBenchMember, with its data under $ETCDECK_BENCH_DIR (default /tmp/etcdeck-bench),
// loading the keyspace the first time (a few minutes) and reusing it afterwards. With
// ETCDECK_BENCH_ENDPOINT=host:port it uses that member as is; add ETCDECK_BENCH_LOAD=1 once to
// load the shape into it (how the etcd 3.4 figures of the README were made).

const benchMemberEnv = "ETCDECK_BENCH_MEMBER_DIR"

// TestBenchMember is the member process of the benchmarks; it does nothing in ordinary runs.
func TestBenchMember(t *testing.T) {
	dir := os.Getenv(benchMemberEnv)
	if dir == "" {
		t.Skip("only run as the benchmarks' member process")
	}
	port, _ := strconv.Atoi(os.Getenv("ETCDECK_BENCH_MEMBER_PORT"))
	m, err := embednode.Start(context.Background(), embednode.Config{
		Name: "bench", DataDir: dir, Logger: zap.NewNop(), UnsafeNoFsync: true,
		ListenClientURLs: []string{fmt.Sprintf("http://127.0.0.1:%d", port)},
		ListenPeerURLs:   []string{fmt.Sprintf("http://127.0.0.1:%d", port+1)},
	})
	if err != nil {
		t.Fatal(err)
	}
	fmt.Println("ready")
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, os.Interrupt)
	go func() { bufio.NewReader(os.Stdin).ReadByte(); stop <- syscall.SIGTERM }() // parent gone
	<-stop
	m.Close(20 * time.Second)
}

// benchClient returns a client of the benchmark member, starting and loading it when needed.
func benchClient(b *testing.B) *cluster.Client {
	b.Helper()
	if ep := os.Getenv("ETCDECK_BENCH_ENDPOINT"); ep != "" {
		c := listClient(b, []string{ep})
		if os.Getenv("ETCDECK_BENCH_LOAD") != "" { // an empty member to fill (etcd 3.4, say)
			if err := k8s.Load(context.Background(), nodetest.Client(b, []string{ep}), benchShape(), loadProgress); err != nil {
				b.Fatalf("load: %v", err)
			}
		}
		return c
	}
	base := os.Getenv("ETCDECK_BENCH_DIR")
	if base == "" {
		base = "/tmp/etcdeck-bench"
	}
	shape := benchShape()
	tag := fmt.Sprintf("k8s-%d-%d-%d-%d", shape.Keys, shape.ValueSize, shape.BigDir, shape.Namespaces)
	dir := filepath.Join(base, tag+".etcd")
	port := 23790 + os.Getpid()%1000*2
	cmd := exec.Command(os.Args[0], "-test.run=^TestBenchMember$", "-test.v")
	cmd.Env = append(os.Environ(), benchMemberEnv+"="+dir, "ETCDECK_BENCH_MEMBER_PORT="+strconv.Itoa(port))
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	// The member listens before it serves: at a million keys etcd rebuilds its index for a
	// minute or more first. It prints "ready" once it serves.
	ready := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if sc.Text() == "ready" {
				close(ready)
				break
			}
		}
		io.Copy(io.Discard, stdout)
	}()
	b.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		stdin.Close()
		cmd.Wait()
	})
	ep := fmt.Sprintf("127.0.0.1:%d", port)
	select {
	case <-ready:
	case <-time.After(10 * time.Minute):
		b.Fatalf("benchmark member on %s not ready after 10 minutes", ep)
	}
	c := listClient(b, []string{ep})
	marker := filepath.Join(base, tag+".loaded")
	if _, err := os.Stat(marker); err != nil {
		start := time.Now()
		err := k8s.Load(context.Background(), nodetest.Client(b, []string{ep}), shape, loadProgress)
		if err != nil {
			b.Fatalf("load: %v", err)
		}
		os.WriteFile(marker, []byte(time.Since(start).String()+"\n"), 0o600)
	}
	return c
}

// benchShape is k8s.DefaultShape, or ETCDECK_BENCH_KEYS keys with a quarter of them in the big
// directory (issue 22's 1,000,000 keys: a 250,000-child directory).
func benchShape() k8s.Shape {
	shape := k8s.DefaultShape()
	if n, err := strconv.Atoi(os.Getenv("ETCDECK_BENCH_KEYS")); err == nil && n > 0 {
		shape.Keys, shape.BigDir = n, n/4
	}
	return shape
}

func loadProgress(n int) { fmt.Fprintf(os.Stderr, "loaded %d keys\n", n) }

// benchDirs are the directories measured: the top, a directory of namespaces (one holding 100k
// pods), that 100k-children directory, an ordinary namespace, and a directory of ~60 resources.
var benchDirs = []string{"", "/registry/", "/registry/pods/", k8s.BigDirPrefix,
	"/registry/events/", "/registry/events/kube-system/", "/registry/services/"}

// BenchmarkListing lists each directory whole and reports round trips, keys read, keys counted
// and the time of one count-only request over the same directory (count-ms) for comparison.
func BenchmarkListing(b *testing.B) {
	c := benchClient(b)
	ctx := context.Background()
	for _, dir := range benchDirs {
		for _, s := range []cluster.Strategy{cluster.StrategyStream, cluster.StrategyWindows} {
			b.Run(fmt.Sprintf("dir=%s/%v", strings.ReplaceAll(dir, "/", "_"), s), func(b *testing.B) {
				var l cluster.Listing
				var err error
				var countTime time.Duration
				for i := 0; i < b.N; i++ {
					countTime += timeCount(b, c, dir)
					if l, err = c.ListDir(ctx, dir, cluster.ListOptions{Strategy: s}); err != nil {
						if s == cluster.StrategyStream && status.Code(err) == codes.Unimplemented {
							b.Skip("the server has no RangeStream (etcd < 3.7)")
						}
						b.Fatal(err)
					}
				}
				reportListing(b, l, countTime)
			})
		}
	}
}

// BenchmarkListingHinted lists each directory whole with names known beforehand, as the Keys
// view does (the names of directory rows; a directory of leaves gets none): its own (listed
// again, hint=self); for /registry/events/ and /registry/pods/ the other's (a sibling listed
// before, hint=sibling: both are directories of namespaces); and, where cluster.ProbeSibling
// picks one from the parent's rows, a small sibling listed first for them (hint=probe: the
// view's first visit; that listing is timed with the directory's). count-ms as in
// BenchmarkListing.
func BenchmarkListingHinted(b *testing.B) {
	c := benchClient(b)
	ctx := context.Background()
	var strategy cluster.Strategy // as the view passes the one its first listing found
	list := func(dir string) cluster.Listing {
		l, err := c.ListDir(ctx, dir, cluster.ListOptions{Strategy: strategy})
		if err != nil {
			b.Fatal(err)
		}
		strategy = l.Stats.Strategy
		return l
	}
	sibling := map[string]string{"/registry/events/": "/registry/pods/", "/registry/pods/": "/registry/events/"}
	for _, dir := range benchDirs {
		for _, from := range []string{"self", "sibling", "probe"} {
			var hints []string
			probe := ""
			switch from {
			case "self":
				hints = cluster.DirNames(list(dir).Rows)
			case "sibling":
				if sibling[dir] == "" {
					continue
				}
				hints = cluster.DirNames(list(sibling[dir]).Rows)
			case "probe":
				parent, name, ok := splitDir(dir)
				if !ok {
					continue
				}
				pl := list(parent)
				if err := c.FillDetails(ctx, parent, '/', pl.Rev, pl.Rows); err != nil {
					b.Fatal(err)
				}
				sib, ok := cluster.ProbeSibling(pl.Rows, name, cluster.ProbeMin)
				if !ok {
					continue
				}
				probe = parent + sib + "/"
			}
			b.Run(fmt.Sprintf("dir=%s/hint=%s", strings.ReplaceAll(dir, "/", "_"), from), func(b *testing.B) {
				var l cluster.Listing
				var err error
				var countTime time.Duration
				for i := 0; i < b.N; i++ {
					countTime += timeCount(b, c, dir)
					h := hints
					var cost cluster.ListStats
					if probe != "" {
						p, err := c.ListDir(ctx, probe, cluster.ListOptions{Strategy: strategy})
						if err != nil {
							b.Fatal(err)
						}
						h, cost = cluster.DirNames(p.Rows), p.Stats
					}
					if l, err = c.ListDir(ctx, dir, cluster.ListOptions{Hints: h, Strategy: strategy}); err != nil {
						b.Fatal(err)
					}
					l.Stats.RoundTrips += cost.RoundTrips
					l.Stats.KeysCounted += cost.KeysCounted
				}
				reportListing(b, l, countTime)
			})
		}
	}
}

// splitDir is the parent of the directory dir and dir's name in it ("/registry/events/" →
// "/registry/", "events"); false for the top.
func splitDir(dir string) (string, string, bool) {
	trimmed := strings.TrimSuffix(dir, "/")
	i := strings.LastIndexByte(trimmed, '/')
	if i < 0 || trimmed == dir {
		return "", "", false
	}
	return trimmed[:i+1], trimmed[i+1:], true
}

// BenchmarkListingSkipAfter sweeps how many keys of a subtree the stream reads before skipping.
func BenchmarkListingSkipAfter(b *testing.B) {
	c := benchClient(b)
	ctx := context.Background()
	for _, dir := range benchDirs[1:5] {
		for _, skip := range []int{32, 512, 1024, 2048} {
			b.Run(fmt.Sprintf("dir=%s/skip=%d", strings.ReplaceAll(dir, "/", "_"), skip), func(b *testing.B) {
				var l cluster.Listing
				var err error
				for i := 0; i < b.N; i++ {
					if l, err = c.ListDir(ctx, dir, cluster.ListOptions{SkipAfter: skip}); err != nil {
						b.Fatal(err)
					}
				}
				reportListing(b, l, 0)
			})
		}
	}
}

// BenchmarkListingFirstScreen lists the first 50 rows of each directory as the Keys view asks
// for them (ns/op), then fetches the counts and value sizes of the first 40 as the Keys view
// does for a screen (details-ms), and times one count-only request over the directory for
// comparison (count-ms).
func BenchmarkListingFirstScreen(b *testing.B) {
	c := benchClient(b)
	ctx := context.Background()
	for _, dir := range benchDirs {
		b.Run("dir="+strings.ReplaceAll(dir, "/", "_"), func(b *testing.B) {
			var l cluster.Listing
			var err error
			var details, countTime time.Duration
			for i := 0; i < b.N; i++ {
				countTime += timeCount(b, c, dir)
				if l, err = c.ListDir(ctx, dir, cluster.ListOptions{Limit: 50}); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				t0 := time.Now()
				if err := c.FillDetails(ctx, dir, '/', l.Rev, l.Rows[:min(len(l.Rows), 40)]); err != nil {
					b.Fatal(err)
				}
				details += time.Since(t0)
				b.StartTimer()
			}
			reportListing(b, l, countTime)
			b.ReportMetric(float64(details.Microseconds())/1000/float64(b.N), "details-ms")
		})
	}
}

// timeCount times one count-only request over dir, the floor the listings are measured against,
// with the benchmark's timer stopped.
func timeCount(b *testing.B, c *cluster.Client, dir string) time.Duration {
	b.StopTimer()
	defer b.StartTimer()
	t0 := time.Now()
	if _, err := c.CountPrefix(context.Background(), dir, 0); err != nil {
		b.Fatal(err)
	}
	return time.Since(t0)
}

func reportListing(b *testing.B, l cluster.Listing, countTime time.Duration) {
	b.ReportMetric(float64(l.Stats.RoundTrips), "roundtrips")
	b.ReportMetric(float64(l.Stats.KeysRead), "keysread")
	b.ReportMetric(float64(l.Stats.KeysCounted), "keyscounted")
	b.ReportMetric(float64(len(l.Rows)), "rows")
	if countTime > 0 {
		b.ReportMetric(float64(countTime.Microseconds())/1000/float64(b.N), "count-ms")
	}
}

// BenchmarkBrowseAll lists every directory of the keyspace, page by page as the view does,
// fetching the details of each page's first 40 rows, and reports the process's resident memory.
func BenchmarkBrowseAll(b *testing.B) {
	c := benchClient(b)
	ctx := context.Background()
	for i := 0; i < b.N; i++ {
		dirs, rows := 0, 0
		queue := []string{""}
		for len(queue) > 0 {
			dir := queue[len(queue)-1]
			queue = queue[:len(queue)-1]
			opts := cluster.ListOptions{Limit: 1000}
			for {
				l, err := c.ListDir(ctx, dir, opts)
				if err != nil {
					b.Fatal(err)
				}
				if err := c.FillDetails(ctx, dir, '/', l.Rev, l.Rows[:min(len(l.Rows), 40)]); err != nil {
					b.Fatal(err)
				}
				rows += len(l.Rows)
				for _, r := range l.Rows {
					if r.Dir {
						queue = append(queue, dir+r.Name+"/")
					}
				}
				if l.Next == "" {
					break
				}
				opts.Rev, opts.After = l.Rev, l.Next
			}
			dirs++
		}
		b.ReportMetric(float64(dirs), "dirs")
		b.ReportMetric(float64(rows), "rows")
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	b.ReportMetric(float64(ms.HeapInuse)/(1<<20), "heap-MB")
	b.ReportMetric(float64(procStatusKB("VmHWM"))/1024, "maxrss-MB")
	b.ReportMetric(float64(procStatusKB("VmRSS"))/1024, "rss-MB")
}

// procStatusKB reads a "kB" field of /proc/self/status; 0 where there is none.
func procStatusKB(field string) int64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, field+":") {
			f := strings.Fields(line)
			if len(f) >= 2 {
				n, _ := strconv.ParseInt(f[1], 10, 64)
				return n
			}
		}
	}
	return 0
}
