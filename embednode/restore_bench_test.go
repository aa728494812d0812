package embednode_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.etcd.io/etcd/client/v3/snapshot"
	utl "go.etcd.io/etcd/etcdutl/v3/snapshot"
	"go.uber.org/zap"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/embednode"
	"github.com/etcdeck/etcdeck/embednode/nodetest"
)

// benchSnapshot returns the benchmark's snapshot (ETCDECK_BENCH_SNAPSHOT, default
// /tmp/etcdeck-bench/restore-500mb.db), writing it once: 430,000 keys of 1 KiB in a
// Kubernetes-like layout, saved with client/v3/snapshot.SaveWithVersion (≈ 540 MB).
func benchSnapshot(b *testing.B) string {
	b.Helper()
	path := os.Getenv("ETCDECK_BENCH_SNAPSHOT")
	if path == "" {
		path = "/tmp/etcdeck-bench/restore-500mb.db"
	}
	if _, err := os.Stat(path); err == nil {
		return path
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	m := nodetest.Start(b)
	cli, err := clientv3.New(clientv3.Config{Endpoints: m.ClientURLs, Logger: zap.NewNop(), MaxCallSendMsgSize: 64 << 20})
	if err != nil {
		b.Fatal(err)
	}
	defer cli.Close()
	const keys, batch, workers = 430_000, 120, 4 // etcd takes at most 128 operations a txn
	value := strings.Repeat("v", 1024)
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for first := w * batch; first < keys; first += workers * batch {
				var ops []clientv3.Op
				for i := first; i < min(first+batch, keys); i++ {
					ops = append(ops, clientv3.OpPut(fmt.Sprintf("/registry/pods/ns-%03d/pod-%07d", i%200, i), value))
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
	tmp := path + ".part"
	if _, err := snapshot.SaveWithVersion(context.Background(), zap.NewNop(), clientv3.Config{Endpoints: m.ClientURLs}, tmp); err != nil {
		b.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		b.Fatal(err)
	}
	info, _ := os.Stat(path)
	b.Logf("wrote %s (%d MB) in %s", path, info.Size()>>20, time.Since(start).Round(time.Second))
	return path
}

// BenchmarkRestore500MB compares, on the same snapshot and interleaved (the machine is shared),
// etcdutl's library restore in this process, the etcdutl binary (ETCDUTL_BIN, when set),
// etcdeck's restore in a child process, and opening the snapshot to its first listing.
func BenchmarkRestore500MB(b *testing.B) {
	file := benchSnapshot(b)
	info, _ := os.Stat(file)
	etcdutlBin := os.Getenv("ETCDUTL_BIN")
	var openUntilListed time.Duration
	// o's phases: the restore child, the temporary member's start until it serves, the first
	// answer (connect and first listing).
	var openRestore, openServe, openAnswer []time.Duration
	type step struct {
		name      string
		wall, cpu []time.Duration
		run       func(dir string) error
	}
	steps := []*step{
		{name: "etcdutl-lib", run: func(dir string) error {
			return utl.NewV3(zap.NewNop()).Restore(utl.RestoreConfig{SnapshotPath: file, Name: "default",
				OutputDataDir: filepath.Join(dir, "lib"), PeerURLs: []string{"http://localhost:2380"},
				InitialCluster: "default=http://localhost:2380", InitialClusterToken: "etcd-cluster"})
		}},
		{name: "etcdeck", run: func(dir string) error {
			_, err := embednode.RestoreInChild(context.Background(), etcdeckBin, embednode.RestoreOptions{Snapshot: file, DataDir: filepath.Join(dir, "child")})
			return err
		}},
		{name: "open", run: func(dir string) error {
			t0 := time.Now()
			var serving time.Time
			o, err := embednode.OpenSnapshot(context.Background(), etcdeckBin, file, dir, nil, func(s string) {
				if s == embednode.StepServing {
					serving = time.Now()
				}
			})
			if err != nil {
				return err
			}
			served := time.Now()
			defer o.Close()
			// What the console does next: connect as views/snapshots does, then the Keys view's
			// first page of the root (a limited Range counting every key below it, before
			// ListDir's stream on 3.7).
			cli, err := cluster.Connect(context.Background(), cluster.ConnConfig{Endpoints: o.Endpoints(),
				InsecureTransport: true, CommandTimeout: 30 * time.Second}, nil, cluster.WithSnapshot(file))
			if err != nil {
				return err
			}
			defer cli.Close()
			l, err := cli.ListDir(context.Background(), "", cluster.ListOptions{Limit: 200})
			if err == nil && len(l.Rows) == 0 {
				err = fmt.Errorf("the first listing is empty")
			}
			openUntilListed = time.Since(t0) // stopping the member and removing the dir is not opening
			openRestore, openServe = append(openRestore, serving.Sub(t0)), append(openServe, served.Sub(serving))
			openAnswer = append(openAnswer, time.Since(served))
			return err
		}},
	}
	if etcdutlBin != "" {
		steps = append(steps, &step{name: "etcdutl-bin", run: func(dir string) error {
			if out, err := exec.Command(etcdutlBin, "snapshot", "restore", file, "--data-dir", filepath.Join(dir, "bin")).CombinedOutput(); err != nil {
				return fmt.Errorf("etcdutl: %v\n%s", err, out)
			}
			return nil
		}})
	}
	b.ResetTimer()
	for i := range b.N {
		// Each restore writes the whole file: flush what the previous one left dirty, outside the
		// clock, and rotate the order so none always runs behind another's writeback.
		for j := range steps {
			st := steps[(i+j)%len(steps)]
			b.StopTimer()
			dir := b.TempDir()
			syscall.Sync()
			b.StartTimer()
			cpu0, t0 := cpuTime(), time.Now()
			if err := st.run(dir); err != nil {
				b.Fatal(err)
			}
			d := time.Since(t0)
			if st.name == "open" {
				d = openUntilListed
			}
			st.wall, st.cpu = append(st.wall, d), append(st.cpu, cpuTime()-cpu0)
			b.StopTimer()
			os.RemoveAll(dir)
			b.StartTimer()
		}
	}
	b.StopTimer()
	// The machine is shared: medians, and CPU time (this process and its children), which other
	// people's load barely moves.
	byName := map[string]*step{}
	for _, st := range steps {
		byName[st.name] = st
		b.ReportMetric(median(st.wall).Seconds(), st.name+"-s")
		b.ReportMetric(median(st.cpu).Seconds(), st.name+"-cpu-s")
		b.Logf("%-12s wall %v  cpu %v", st.name, st.wall, st.cpu)
	}
	lib, child, open := median(byName["etcdutl-lib"].wall), median(byName["etcdeck"].wall), median(byName["open"].wall)
	b.ReportMetric(100*lib.Seconds()/child.Seconds(), "speed-%-of-lib")
	if st := byName["etcdutl-bin"]; st != nil {
		b.ReportMetric(100*median(st.wall).Seconds()/child.Seconds(), "speed-%-of-bin")
		b.ReportMetric(open.Seconds()/median(st.wall).Seconds(), "open-x-etcdutl-bin")
	}
	b.ReportMetric(open.Seconds()/lib.Seconds(), "open-x-etcdutl-lib")
	b.ReportMetric(median(openRestore).Seconds(), "open-restore-s")
	b.ReportMetric(median(openServe).Seconds(), "open-serve-s")
	b.ReportMetric(median(openAnswer).Seconds(), "open-answer-s")
	b.ReportMetric(float64(info.Size())/1e6, "MB")
}

// cpuTime is the user and system time of this process and of its children waited for.
func cpuTime() time.Duration {
	var self, children syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &self)
	syscall.Getrusage(syscall.RUSAGE_CHILDREN, &children)
	tv := func(t syscall.Timeval) time.Duration { return time.Duration(t.Nano()) }
	return tv(self.Utime) + tv(self.Stime) + tv(children.Utime) + tv(children.Stime)
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}
