package cluster_test

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.etcd.io/etcd/client/v3/snapshot"
	"go.uber.org/zap"

	"github.com/etcdeck/etcdeck/cluster/backup"
)

// BenchmarkSnapshotSave compares SaveSnapshot with the client library's SaveWithVersion (what
// etcdctl snapshot save runs) on the benchmark member (see benchClient: the Kubernetes-shaped
// keyspace, a database of ~500 MB or more), alternating so both see the same machine load:
//
//	go test ./cluster -run XXX -bench SnapshotSave -benchtime 3x
//
// Files go to $ETCDECK_BENCH_DIR (default /tmp/etcdeck-bench)/snapshots, on the same disk, and
// are removed after each run.
func BenchmarkSnapshotSave(b *testing.B) {
	c := benchClient(b)
	base := os.Getenv("ETCDECK_BENCH_DIR")
	if base == "" {
		base = "/tmp/etcdeck-bench"
	}
	dir := filepath.Join(base, "snapshots")
	ep := c.Endpoints()[0]
	var ours, lib time.Duration
	var size int64
	for i := 0; i < b.N; i++ {
		// Alternate which goes first: the shared machine's load drifts.
		runs := []func(){
			func() {
				t := time.Now()
				res, err := backup.Save(context.Background(), c, backup.SaveOptions{Output: filepath.Join(dir, "etcdeck.db")})
				if err != nil {
					b.Fatal(err)
				}
				ours += time.Since(t)
				size = res.Bytes
				os.Remove(res.Path)
			},
			func() {
				t := time.Now()
				out := filepath.Join(dir, "lib.db")
				if _, err := snapshot.SaveWithVersion(context.Background(), zap.NewNop(), clientv3.Config{Endpoints: []string{ep}}, out); err != nil {
					b.Fatal(err)
				}
				lib += time.Since(t)
				os.Remove(out)
			},
		}
		if i%2 == 1 {
			runs[0], runs[1] = runs[1], runs[0]
		}
		runs[0]()
		runs[1]()
	}
	mbs := func(d time.Duration) float64 { return float64(size) * float64(b.N) / d.Seconds() / 1e6 }
	b.ReportMetric(float64(size)/1e6, "MB")
	b.ReportMetric(mbs(ours), "etcdeck-MB/s")
	b.ReportMetric(mbs(lib), "library-MB/s")
	b.ReportMetric(lib.Seconds()/ours.Seconds()*100, "etcdeck-%-of-library")
	reportHeap(b)
}

// reportHeap reports the heap in use after a save: it must not grow with the database.
func reportHeap(b *testing.B) {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	b.ReportMetric(float64(ms.HeapInuse)/(1<<20), "heap-MB")
}
