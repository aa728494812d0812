package cluster_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/embednode/nodetest"
)

// BenchmarkFindValues measures `:find TEXT --values` over /registry/ (cluster.Find with its
// default pages) against `etcdctl get /registry/ --prefix | grep -c TEXT` on the same member,
// holding $ETCDECK_BENCH_FIND_KEYS Kubernetes-shaped keys of 1 KiB (default 20,000;
// scripts/find-bench.sh runs it at the 400,000). Loading them is outside the timing. It
// reports both times and their ratio (the target: at most 1.0); the counts must agree.
// etcdctl gets a long --command-timeout: its default 5 s ends a single 400 MB range first.
func BenchmarkFindValues(b *testing.B) {
	n := 20000
	if v, err := strconv.Atoi(os.Getenv("ETCDECK_BENCH_FIND_KEYS")); err == nil && v > 0 {
		n = v
	}
	etcdctl, err := exec.LookPath("etcdctl")
	if err != nil {
		b.Skip("etcdctl is not installed: nothing to compare with")
	}
	m := nodetest.Start(b)
	ctx := context.Background()
	c, err := cluster.Connect(ctx, cluster.ConnConfig{Endpoints: m.Endpoints(), InsecureTransport: true}, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	want := loadRegistry(b, nodetest.Client(b, m.Endpoints()), n)
	const text = "image: nginx:1.27"
	b.ResetTimer()
	var find, grep time.Duration
	for range b.N {
		t0 := time.Now()
		p, err := c.Find(ctx, cluster.FindOptions{Prefix: "/registry/", Text: text, Values: true}, nil)
		if err != nil || p.Found != want || p.Scanned != int64(n) {
			b.Fatalf("find: %+v, %v; want %d found in %d", p, err, want, n)
		}
		t1 := time.Now()
		var stderr strings.Builder
		cmd := exec.Command("sh", "-c", fmt.Sprintf("%s --endpoints=%s --command-timeout=30m get /registry/ --prefix | grep -c '%s'",
			etcdctl, m.Endpoints()[0], text))
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil || strings.TrimSpace(string(out)) != strconv.Itoa(want) {
			b.Fatalf("etcdctl | grep -c: %q, %v (%s); want %d", out, err, stderr.String(), want)
		}
		find, grep = find+t1.Sub(t0), grep+time.Since(t1)
	}
	b.ReportMetric(float64(n), "keys")
	b.ReportMetric(float64(find.Milliseconds())/float64(b.N), "find-ms/op")
	b.ReportMetric(float64(grep.Milliseconds())/float64(b.N), "etcdctl-grep-ms/op")
	b.ReportMetric(float64(find)/float64(grep), "ratio")
}

// loadRegistry puts n keys /registry/<resource>/<namespace>/<name> of 1 KiB (a manifest-like
// text; one in 100 runs nginx) in transactions of 100 from 8 goroutines, and returns how many
// hold the nginx image.
func loadRegistry(b *testing.B, cli *clientv3.Client, n int) int {
	b.Helper()
	resources := []string{"pods", "configmaps", "secrets", "services/specs", "events", "deployments"}
	pad := strings.Repeat("x", 1024)
	value := func(i int) string {
		img := "registry.k8s.io/pause:3.9"
		if i%100 == 42 {
			img = "nginx:1.27"
		}
		v := fmt.Sprintf("apiVersion: v1\nkind: Object\nmetadata:\n  name: obj-%07d\n  uid: %08x\nspec:\n  containers:\n  - name: c\n    image: %s\n  note: ", i, i*2654435761, img)
		return v + pad[:1024-len(v)]
	}
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for start := g * 100; start < n; start += 800 {
				var ops []clientv3.Op
				for i := start; i < min(start+100, n); i++ {
					key := fmt.Sprintf("/registry/%s/ns-%03d/obj-%07d", resources[i%len(resources)], i%300, i)
					ops = append(ops, clientv3.OpPut(key, value(i)))
				}
				if _, err := cli.Txn(context.Background()).Then(ops...).Commit(); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		b.Fatal(err)
	}
	found := 0
	for i := range n {
		if i%100 == 42 {
			found++
		}
	}
	return found
}
