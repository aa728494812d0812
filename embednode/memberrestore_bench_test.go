package embednode_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	utl "go.etcd.io/etcd/etcdutl/v3/snapshot"
	"go.uber.org/zap"

	"github.com/etcdeck/etcdeck/embednode"
	"github.com/etcdeck/etcdeck/embednode/nodetest"
)

// BenchmarkRestoreMember500MB times `R` (RestoreMember on a running child member) of the ≈540 MB
// snapshot of BenchmarkRestore500MB against what issue 22 compares it with: an etcdutl restore of
// the same file (the etcdutl binary when ETCDUTL_BIN is set, its library otherwise) followed by a
// member start on the restored dir, until it serves. Interleaved, with a sync before each run;
// medians, and R's phases (restore child, stopping the old member, start, check) from its Step
// callback. The member runs as the console's embedded member does: fsync on, etcd's tick.
//
//	scripts/restore-bench.sh (which builds etcdutl), or
//	go test ./embednode -run '^$' -bench RestoreMember500MB -benchtime 3x
func BenchmarkRestoreMember500MB(b *testing.B) {
	file := benchSnapshot(b)
	etcdutlBin := os.Getenv("ETCDUTL_BIN")
	memberConfig := func(dir string) embednode.Config {
		cfg := nodetest.Config(b, "embedded")
		cfg.DataDir, cfg.Logger, cfg.UnsafeNoFsync = filepath.Join(dir, "embedded.etcd"), nil, false
		return cfg
	}
	var ref, r []time.Duration
	phases := map[string][]time.Duration{}
	reference := func(dir string) (time.Duration, error) {
		cfg := memberConfig(dir)
		t0 := time.Now()
		if etcdutlBin != "" {
			if out, err := exec.Command(etcdutlBin, "snapshot", "restore", file, "--data-dir", cfg.DataDir,
				"--name", cfg.Name, "--initial-advertise-peer-urls", cfg.ListenPeerURLs[0],
				"--initial-cluster", cfg.Name+"="+cfg.ListenPeerURLs[0]).CombinedOutput(); err != nil {
				return 0, fmt.Errorf("etcdutl: %v\n%s", err, out)
			}
		} else if err := utl.NewV3(zap.NewNop()).Restore(utl.RestoreConfig{SnapshotPath: file, Name: cfg.Name,
			OutputDataDir: cfg.DataDir, PeerURLs: cfg.ListenPeerURLs, InitialCluster: cfg.Name + "=" + cfg.ListenPeerURLs[0],
			InitialClusterToken: "etcd-cluster"}); err != nil {
			return 0, err
		}
		c, err := embednode.Spawn(context.Background(), etcdeckBin, cfg, nil)
		d := time.Since(t0)
		if err != nil {
			return 0, err
		}
		c.Stop(30 * time.Second)
		return d, nil
	}
	restore := func(dir string) (time.Duration, error) {
		c, err := embednode.Spawn(context.Background(), etcdeckBin, memberConfig(dir), nil)
		if err != nil {
			return 0, err
		}
		defer c.Stop(30 * time.Second)
		syscall.Sync() // the old member's start, outside the clock
		var last string
		var lastAt time.Time
		step := func(s string) {
			now := time.Now()
			if last != "" {
				phases[last] = append(phases[last], now.Sub(lastAt))
			}
			last, lastAt = s, now
		}
		t0 := time.Now()
		res, err := embednode.RestoreMember(context.Background(), etcdeckBin, c, embednode.MemberRestore{Snapshot: file, Step: step})
		d := time.Since(t0)
		if err != nil {
			return 0, err
		}
		step("")
		if res.Keys == 0 {
			return 0, fmt.Errorf("the restored member serves no keys")
		}
		return d, nil
	}
	b.ResetTimer()
	for i := range b.N {
		for j := range 2 {
			b.StopTimer()
			dir := b.TempDir()
			syscall.Sync()
			b.StartTimer()
			var d time.Duration
			var err error
			if (i+j)%2 == 0 {
				d, err = reference(dir)
				ref = append(ref, d)
			} else {
				d, err = restore(dir)
				r = append(r, d)
			}
			if err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			os.RemoveAll(dir)
			b.StartTimer()
		}
	}
	b.StopTimer()
	b.Logf("etcdutl+start %v", ref)
	b.Logf("R             %v", r)
	b.ReportMetric(median(ref).Seconds(), "etcdutl+start-s")
	b.ReportMetric(median(r).Seconds(), "R-s")
	b.ReportMetric(median(r).Seconds()/median(ref).Seconds(), "R-x-etcdutl+start")
	for _, p := range []string{embednode.StepRestoring, embednode.StepStopping, embednode.StepMovedAside, embednode.StepStarting, embednode.StepChecking} {
		if ds := phases[p]; len(ds) > 0 {
			b.ReportMetric(median(ds).Seconds(), "R-"+p+"-s")
		}
	}
}
