package embednode_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"
	"go.etcd.io/etcd/client/v3/snapshot"
	"go.uber.org/zap"

	"github.com/etcdeck/etcdeck/embednode"
	"github.com/etcdeck/etcdeck/embednode/nodetest"
)

// saved is a snapshot written by etcd's client library (as `etcdctl snapshot save` writes it).
type saved struct {
	path string
	rev  int64
	kvs  map[string]string
}

// saveSnapshot fills a member with n keys (and a deleted one, so tombstones are in the file),
// saves a snapshot with client/v3/snapshot.SaveWithVersion and stops the member.
func saveSnapshot(t *testing.T, n int) saved {
	t.Helper()
	m := nodetest.Start(t)
	c := client(t, m.ClientURLs)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s := saved{kvs: map[string]string{}, path: filepath.Join(t.TempDir(), "snap.db")}
	for i := range n {
		k, v := fmt.Sprintf("/registry/pods/ns%d/p%d", i%3, i), fmt.Sprintf("value-%d", i)
		if _, err := c.Put(ctx, k, v); err != nil {
			t.Fatal(err)
		}
		s.kvs[k] = v
	}
	if _, err := c.Put(ctx, "/gone", "x"); err != nil {
		t.Fatal(err)
	}
	resp, err := c.Delete(ctx, "/gone")
	if err != nil {
		t.Fatal(err)
	}
	s.rev = resp.Header.Revision
	if _, err := snapshot.SaveWithVersion(ctx, zap.NewNop(), clientv3.Config{Endpoints: m.ClientURLs}, s.path); err != nil {
		t.Fatalf("save: %v", err)
	}
	m.Close(10 * time.Second)
	return s
}

// restoreOpts restores as member `name` of a one-member cluster whose peer URL is cfg's.
func restoreOpts(file string, cfg embednode.Config) embednode.RestoreOptions {
	return embednode.RestoreOptions{Snapshot: file, DataDir: cfg.DataDir, Name: cfg.Name,
		PeerURLs: cfg.ListenPeerURLs, InitialClusterToken: "restored"}
}

func restoreInChild(t *testing.T, o embednode.RestoreOptions) (embednode.RestoreResult, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	return embednode.RestoreInChild(ctx, etcdeckBin, o)
}

// checkKeys asserts the member serves exactly s's keys and values at revision rev.
func checkKeys(t *testing.T, endpoints []string, s saved, rev int64) {
	t.Helper()
	resp, err := client(t, endpoints).Get(context.Background(), "", clientv3.WithFromKey())
	if err != nil {
		t.Fatal(err)
	}
	if resp.Header.Revision != rev {
		t.Errorf("served revision %d, want %d", resp.Header.Revision, rev)
	}
	got := map[string]string{}
	for _, kv := range resp.Kvs {
		got[string(kv.Key)] = string(kv.Value)
	}
	if len(got) != len(s.kvs) {
		t.Errorf("%d keys, want %d", len(got), len(s.kvs))
	}
	for k, v := range s.kvs {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
}

// leftovers lists what a failed restore left in dir.
func leftovers(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func TestRestoreRoundTrip(t *testing.T) {
	s := saveSnapshot(t, 50)
	cfg := nodetest.Config(t, "restored")
	res, err := restoreInChild(t, restoreOpts(s.path, cfg))
	if err != nil {
		t.Fatalf("restore: %v", err)
	}
	if res.Revision != s.rev || res.CompactRevision != 0 || !res.HashChecked || res.DataDir != cfg.DataDir {
		t.Fatalf("result %+v, want revision %d in %s, hash checked", res, s.rev, cfg.DataDir)
	}
	if got := leftovers(t, filepath.Dir(cfg.DataDir)); len(got) != 1 {
		t.Fatalf("beside the data dir: %v, want only the data dir", got)
	}
	if info, err := os.Stat(cfg.DataDir); err != nil || info.Mode().Perm() != 0o700 {
		t.Fatalf("data dir: %v %v, want mode 0700", info, err)
	}
	m := nodetest.StartConfig(t, cfg)
	checkKeys(t, m.ClientURLs, s, s.rev)
}

func TestRestoreBumpMarkCompacted(t *testing.T) {
	s := saveSnapshot(t, 10)
	cfg := nodetest.Config(t, "bumped")
	o := restoreOpts(s.path, cfg)
	o.BumpRevision, o.MarkCompacted = 1000, true
	res, err := restoreInChild(t, o)
	if err != nil {
		t.Fatalf("restore: %v", err)
	}
	want := s.rev + 1000
	if res.Revision != want || res.CompactRevision != want {
		t.Fatalf("result %+v, want revision and compaction %d", res, want)
	}
	m := nodetest.StartConfig(t, cfg)
	checkKeys(t, m.ClientURLs, s, want)
	c := client(t, m.ClientURLs)
	if _, err := c.Get(context.Background(), "/registry/pods/ns0/p0", clientv3.WithRev(s.rev)); !errors.Is(err, rpctypes.ErrCompacted) {
		t.Fatalf("get at the snapshot's revision %d: %v, want compacted", s.rev, err)
	}
	put, err := c.Put(context.Background(), "/after", "x")
	if err != nil || put.Header.Revision != want+1 {
		t.Fatalf("put after restore: %v %v, want revision %d", put, err, want+1)
	}
}

func TestRestoreRefusesCorruptFiles(t *testing.T) {
	s := saveSnapshot(t, 20)
	data, err := os.ReadFile(s.path)
	if err != nil {
		t.Fatal(err)
	}
	flipped := append([]byte(nil), data...)
	flipped[len(flipped)/2] ^= 0x01
	for _, tc := range []struct {
		name    string
		content []byte
		want    error
		text    string
	}{
		{"bit flip", flipped, embednode.ErrHashMismatch, "hash mismatch: the file is corrupt or truncated"},
		{"truncated", data[:len(data)-1000], embednode.ErrTruncated, "the file is truncated"},
		{"trailer cut off", data[:len(data)-32], embednode.ErrNoHash, "no sha256 trailer: a db copied from a data dir"},
		{"empty", nil, embednode.ErrEmptyFile, "empty file"},
		// Random bytes are no snapshot: not "no sha256 trailer … --skip-hash-check".
		{"random bytes", randomBytes(8192), embednode.ErrNoBoltHeader, "not an etcd snapshot (no bbolt header)"},
		{"random odd size", randomBytes(5000), embednode.ErrNoBoltHeader, "not an etcd snapshot (no bbolt header)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			file := filepath.Join(t.TempDir(), "bad.db")
			if err := os.WriteFile(file, tc.content, 0o600); err != nil {
				t.Fatal(err)
			}
			parent := t.TempDir()
			o := restoreOpts(file, embednode.Config{Name: "x", DataDir: filepath.Join(parent, "x.etcd"), ListenPeerURLs: []string{"http://127.0.0.1:2380"}})
			_, err := restoreInChild(t, o)
			if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.text) {
				t.Fatalf("err = %v, want %v naming %q", err, tc.want, tc.text)
			}
			if got := leftovers(t, parent); len(got) != 0 {
				t.Fatalf("left behind: %v", got)
			}
		})
	}
}

// randomBytes is n bytes of a fixed pseudo-random sequence (no bbolt meta page).
func randomBytes(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7919 + i>>8 + 13)
	}
	return b
}

// TestRestoreRefusesNonFiles: a directory and a FIFO are refused before anything opens them
// (opening a FIFO blocks; the sha256 check called it truncated), with or without the hash check;
// random bytes are refused even with --skip-hash-check.
func TestRestoreRefusesNonFiles(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "pipe.db")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	random := filepath.Join(dir, "random.db")
	if err := os.WriteFile(random, randomBytes(8192), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, file string
		want       error
	}{
		{"directory", filepath.Join(dir), embednode.ErrNotRegular},
		{"fifo", fifo, embednode.ErrNotRegular},
		{"random bytes", random, embednode.ErrNoBoltHeader},
	} {
		for _, skip := range []bool{false, true} {
			parent := t.TempDir()
			o := restoreOpts(tc.file, embednode.Config{Name: "x", DataDir: filepath.Join(parent, "x.etcd"), ListenPeerURLs: []string{"http://127.0.0.1:2380"}})
			o.SkipHashCheck = skip
			_, err := restoreInChild(t, o)
			if !errors.Is(err, tc.want) || strings.Contains(err.Error(), "skip-hash-check") {
				t.Errorf("%s (skip-hash-check %v): err = %v, want %v", tc.name, skip, err, tc.want)
			}
			if got := leftovers(t, parent); len(got) != 0 {
				t.Errorf("%s: left behind: %v", tc.name, got)
			}
		}
	}
}

// TestSkipHashCheckCorruptFailsInChild scrambles the pages of a bbolt file (meta pages kept, so
// bbolt opens it and trips over the rest): the child fails or dies, the parent reports it.
func TestSkipHashCheckCorruptFailsInChild(t *testing.T) {
	s := saveSnapshot(t, 200)
	data, err := os.ReadFile(s.path)
	if err != nil {
		t.Fatal(err)
	}
	body := data[:len(data)-32] // without the trailer: a db as copied from a data dir
	for i := 8192; i < len(body); i++ {
		body[i] = byte(i*7919 + i>>8)
	}
	file := filepath.Join(t.TempDir(), "scrambled.db")
	if err := os.WriteFile(file, body, 0o600); err != nil {
		t.Fatal(err)
	}
	parent := t.TempDir()
	o := restoreOpts(file, embednode.Config{Name: "x", DataDir: filepath.Join(parent, "x.etcd"), ListenPeerURLs: []string{"http://127.0.0.1:2380"}})
	o.SkipHashCheck = true
	_, err = restoreInChild(t, o)
	// The scrambling is deterministic: bbolt panics on the first page it reads.
	if !errors.Is(err, embednode.ErrRestoreCrashed) || !strings.Contains(err.Error(), "panic:") {
		t.Fatalf("err = %v, want the child's crash with its panic line", err)
	}
	if got := leftovers(t, parent); len(got) != 0 {
		t.Fatalf("left behind: %v", got)
	}
	o.SkipHashCheck = false
	if _, err := restoreInChild(t, o); !errors.Is(err, embednode.ErrNoHash) {
		t.Fatalf("without --skip-hash-check: %v, want ErrNoHash", err)
	}
}

func TestRestoreRefusesNonEmptyDir(t *testing.T) {
	s := saveSnapshot(t, 1)
	cfg := nodetest.Config(t, "busy")
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		t.Fatal(err)
	}
	keep := filepath.Join(cfg.DataDir, "precious")
	if err := os.WriteFile(keep, []byte("mine"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := restoreInChild(t, restoreOpts(s.path, cfg))
	if !errors.Is(err, embednode.ErrNotEmpty) {
		t.Fatalf("err = %v, want ErrNotEmpty", err)
	}
	if b, err := os.ReadFile(keep); err != nil || string(b) != "mine" {
		t.Fatalf("the existing data dir was touched: %q %v", b, err)
	}
	if got := leftovers(t, filepath.Dir(cfg.DataDir)); len(got) != 1 {
		t.Fatalf("beside the data dir: %v", got)
	}
}

func TestRestoreOptionsValidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		o    embednode.RestoreOptions
		want string
	}{
		{"defaults", embednode.RestoreOptions{Snapshot: "f"}, ""},
		{"bump and mark", embednode.RestoreOptions{Snapshot: "f", BumpRevision: 5, MarkCompacted: true}, ""},
		{"mark alone", embednode.RestoreOptions{Snapshot: "f", MarkCompacted: true}, "--mark-compacted needs --bump-revision > 0"},
		{"bump alone", embednode.RestoreOptions{Snapshot: "f", BumpRevision: 5}, "--bump-revision needs --mark-compacted"},
		{"no fsync", embednode.RestoreOptions{Snapshot: "f", UnsafeNoFsync: true}, ""},
		{"no fsync with a bump", embednode.RestoreOptions{Snapshot: "f", UnsafeNoFsync: true, BumpRevision: 5, MarkCompacted: true}, "does not bump revisions"},
		{"no file", embednode.RestoreOptions{}, "no snapshot file"},
		{"name not in cluster", embednode.RestoreOptions{Snapshot: "f", Name: "m9", InitialCluster: "m1=http://a:2380"}, "does not name this member"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.o.WithDefaults().Validate()
			if (tc.want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tc.want)) {
				t.Fatalf("Validate() = %v, want %q", err, tc.want)
			}
		})
	}
	d := embednode.RestoreOptions{Snapshot: "f", Name: "m1"}.WithDefaults()
	if d.DataDir != "m1.etcd" || d.InitialCluster != "m1=http://localhost:2380" || d.InitialClusterToken != "etcd-cluster" {
		t.Fatalf("defaults: %+v", d)
	}
}

func TestOpenSnapshotBrowsesAndCleansUp(t *testing.T) {
	s := saveSnapshot(t, 25)
	root := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	o, err := embednode.OpenSnapshot(ctx, etcdeckBin, s.path, root, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if o.Result.Revision != s.rev {
		t.Errorf("opened at revision %d, want %d", o.Result.Revision, s.rev)
	}
	checkKeys(t, o.Endpoints(), s, s.rev)
	if err := o.Close(); err != nil {
		t.Fatal(err)
	}
	if got := leftovers(t, root); len(got) != 0 {
		t.Fatalf("left behind after Close: %v", got)
	}
	select {
	case <-o.Member.Exited():
	default:
		t.Fatal("the temporary member still runs after Close")
	}
	bad := filepath.Join(t.TempDir(), "bad.db")
	os.WriteFile(bad, []byte("not a snapshot"), 0o600)
	if _, err := embednode.OpenSnapshot(ctx, etcdeckBin, bad, root, nil, nil); !errors.Is(err, embednode.ErrNoBoltHeader) ||
		strings.Contains(err.Error(), "bad.db") || err.Error() != "not an etcd snapshot (no bbolt header)" {
		t.Fatalf("open a bad file: %v, want ErrNoBoltHeader not naming the file (the caller does)", err)
	}
	if got := leftovers(t, root); len(got) != 0 {
		t.Fatalf("left behind after a refused open: %v", got)
	}
}

// TestOpenSnapshotCancelledLeavesNothing: the console quitting (its context ending) while a
// snapshot is being restored or its member starts leaves no directory and no process behind.
func TestOpenSnapshotCancelledLeavesNothing(t *testing.T) {
	s := saveSnapshot(t, 5)
	for _, at := range []string{embednode.StepRestoring, embednode.StepServing} {
		t.Run(at, func(t *testing.T) {
			root := t.TempDir()
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			var steps []string
			o, err := embednode.OpenSnapshot(ctx, etcdeckBin, s.path, root, nil, func(step string) {
				steps = append(steps, step)
				if step == at {
					cancel()
				}
			})
			if err == nil {
				o.Close()
				t.Fatal("opened although cancelled")
			}
			if !errors.Is(err, context.Canceled) {
				t.Errorf("err %v, want context.Canceled", err)
			}
			if got := leftovers(t, root); len(got) != 0 {
				t.Fatalf("left behind after a cancelled open: %v", got)
			}
			if steps[len(steps)-1] != at {
				t.Errorf("steps %v went past %s", steps, at)
			}
		})
	}
}
