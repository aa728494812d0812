package cluster_test

import (
	"context"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/embednode/nodetest"
)

// BenchmarkLeaseFirstScreen measures what the Leases view reads before its first screen: every
// lease ID, then TimeToLive (with keys) for the 36 rows a 120x40 terminal shows. The member holds
// $ETCDECK_BENCH_LEASES leases (default 1,000; scripts/leases-bench.sh runs it with 100,000,
// the scale, whose target is 1 s). Granting them is outside the timing.
func BenchmarkLeaseFirstScreen(b *testing.B) {
	n := 1000
	if v, err := strconv.Atoi(os.Getenv("ETCDECK_BENCH_LEASES")); err == nil && v > 0 {
		n = v
	}
	m := nodetest.Start(b)
	ctx := context.Background()
	c, err := cluster.Connect(ctx, cluster.ConnConfig{Endpoints: m.Endpoints(), InsecureTransport: true}, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	grantMany(b, c, n)
	b.ResetTimer()
	var list, rows time.Duration
	for range b.N {
		t0 := time.Now()
		ids, err := c.LeaseIDs(ctx)
		if err != nil || len(ids) != n {
			b.Fatalf("listed %d leases, %v; want %d", len(ids), err, n)
		}
		t1 := time.Now()
		if _, err := c.LeaseDetails(ctx, ids[:min(36, len(ids))]); err != nil {
			b.Fatal(err)
		}
		list, rows = list+t1.Sub(t0), rows+time.Since(t1)
	}
	b.ReportMetric(float64(n), "leases")
	b.ReportMetric(float64(list.Milliseconds())/float64(b.N), "list-ms/op")
	b.ReportMetric(float64(rows.Milliseconds())/float64(b.N), "rows-ms/op")
}

// grantMany grants n leases of an hour from 32 goroutines.
func grantMany(b *testing.B, c *cluster.Client, n int) {
	b.Helper()
	var wg sync.WaitGroup
	next := make(chan struct{}, n)
	for range n {
		next <- struct{}{}
	}
	close(next)
	errs := make(chan error, 32)
	for range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range next {
				if _, err := c.GrantLease(context.Background(), 3600e9); err != nil {
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
}
