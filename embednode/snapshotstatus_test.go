package embednode_test

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.etcd.io/etcd/client/v3/snapshot"
	utlsnapshot "go.etcd.io/etcd/etcdutl/v3/snapshot"
	"go.uber.org/zap"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/cluster/backup"
	"github.com/etcdeck/etcdeck/embednode"
	"github.com/etcdeck/etcdeck/embednode/nodetest"
)

// savedSnapshot starts a member holding n keys (/k/000000 = v0 ...) with one key deleted and one
// overwritten, saves it with etcdeck's SaveSnapshot, and returns the member, file and live keys.
func savedSnapshot(t *testing.T, n int) (*embednode.Member, string, map[string]string, int64) {
	t.Helper()
	m := nodetest.Start(t)
	cli := nodetest.Client(t, m.Endpoints())
	ctx := context.Background()
	want := map[string]string{}
	for i := 0; i < n; i++ {
		k, v := fmt.Sprintf("/k/%06d", i), fmt.Sprintf("v%d", i)
		if _, err := cli.Put(ctx, k, v); err != nil {
			t.Fatal(err)
		}
		want[k] = v
	}
	cli.Delete(ctx, "/k/000000")
	delete(want, "/k/000000")
	resp, err := cli.Put(ctx, "/k/000001", "changed")
	if err != nil {
		t.Fatal(err)
	}
	want["/k/000001"] = "changed"
	c, err := cluster.Connect(ctx, cluster.ConnConfig{Endpoints: m.Endpoints(), InsecureTransport: true, DialTimeout: 2 * time.Second, CommandTimeout: 5 * time.Second}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	res, err := backup.Save(ctx, c, backup.SaveOptions{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	return m, res.Path, want, resp.Header.Revision
}

func childStatus(t *testing.T, path string) embednode.SnapshotStatus {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	st, err := embednode.SnapshotStatusInChild(ctx, etcdeckBin, path)
	if err != nil {
		t.Fatalf("status of %s: %v", path, err)
	}
	return st
}

func TestSnapshotStatusAndRoundTrip(t *testing.T) {
	m, path, want, rev := savedSnapshot(t, 300)

	st := childStatus(t, path)
	if !st.OK() || st.Revision != rev || st.TotalKey != len(want) || st.TotalSize == 0 || st.Version == "" {
		t.Fatalf("status %+v, want ok, rev %d, %d keys, a storage version", st, rev, len(want))
	}

	// A snapshot written by the client library (as etcdctl writes it) passes too.
	lib := filepath.Join(t.TempDir(), "etcdctl.db")
	if _, err := snapshot.SaveWithVersion(context.Background(), zap.NewNop(), clientv3.Config{Endpoints: m.Endpoints()}, lib); err != nil {
		t.Fatal(err)
	}
	if st2 := childStatus(t, lib); !st2.OK() || st2.Revision != rev || st2.TotalKey != len(want) {
		t.Errorf("SaveWithVersion's file: %+v", st2)
	}

	// Round trip through etcdutl's restore: keys, values and revision identical.
	cfg := nodetest.Config(t, "restored")
	if err := utlsnapshot.NewV3(zap.NewNop()).Restore(utlsnapshot.RestoreConfig{
		SnapshotPath: path, Name: cfg.Name, OutputDataDir: cfg.DataDir,
		PeerURLs: cfg.ListenPeerURLs, InitialCluster: cfg.Name + "=" + cfg.ListenPeerURLs[0],
		InitialClusterToken: "restored",
	}); err != nil {
		t.Fatalf("etcdutl restore: %v", err)
	}
	cfg.InitialClusterToken = "restored"
	r := nodetest.StartConfig(t, cfg)
	got, err := nodetest.Client(t, r.Endpoints()).Get(context.Background(), "", clientv3.WithPrefix())
	if err != nil {
		t.Fatal(err)
	}
	if got.Header.Revision != rev || len(got.Kvs) != len(want) {
		t.Fatalf("restored: rev %d, %d keys; want rev %d, %d keys", got.Header.Revision, len(got.Kvs), rev, len(want))
	}
	for _, kv := range got.Kvs {
		if want[string(kv.Key)] != string(kv.Value) {
			t.Errorf("restored %s = %q, want %q", kv.Key, kv.Value, want[string(kv.Key)])
		}
	}
}

func TestSnapshotStatusDetectsDamage(t *testing.T) {
	_, path, _, _ := savedSnapshot(t, 50)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}

	flipped := append([]byte(nil), data...)
	flipped[len(flipped)/2] ^= 0x10
	st := childStatus(t, write("flipped.db", flipped))
	if st.SHA256 != embednode.SHA256Mismatch || !strings.Contains(st.Problem(), "hash mismatch") {
		t.Errorf("bit flip: %+v", st)
	}

	st = childStatus(t, write("truncated.db", data[:len(data)-1000]))
	if st.SHA256 != embednode.SHA256Truncated || st.OK() || st.Problem() == "" {
		t.Errorf("truncated: %+v", st)
	}

	// A db file without trailer (copied from a data dir) is readable, just unverified.
	st = childStatus(t, write("nohash.db", data[:len(data)-sha256.Size]))
	if st.SHA256 != embednode.SHA256None || st.Error != "" || st.Problem() != "" || st.TotalKey == 0 {
		t.Errorf("no trailer: %+v", st)
	}

	// Page headers damaged and the trailer recomputed (as if the hash check were skipped): bbolt
	// panics in a goroutine no recover reaches; the child dies and the parent says why.
	pages := append([]byte(nil), data[:len(data)-sha256.Size]...)
	for off := 2 * 4096; off+9 < len(pages); off += 4096 {
		pages[off+8], pages[off+9] = 0xeb, 0
	}
	sum := sha256.Sum256(pages)
	st = childStatus(t, write("pages.db", append(pages, sum[:]...)))
	if st.SHA256 != embednode.SHA256OK || !strings.Contains(st.Error, "crashed") || !strings.Contains(st.Error, "unexpected type/flags") {
		t.Errorf("damaged pages: %+v", st)
	}

	// Garbage with a valid trailer: the hash passes, bbolt refuses, the child reports it.
	junk := make([]byte, 8192)
	for i := range junk {
		junk[i] = byte(i * 7)
	}
	sum = sha256.Sum256(junk)
	st = childStatus(t, write("junk.db", append(junk, sum[:]...)))
	if st.Problem() != "not an etcd snapshot (no bbolt header)" || st.OK() {
		t.Errorf("junk: %+v", st)
	}

	// An empty file (was "write …: bad file descriptor"), random bytes of any size and a FIFO
	// (opening it would block) are named for what they are, before any other check.
	fifo := filepath.Join(dir, "pipe.db")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]string{
		write("empty.db", nil):           "empty file",
		write("random.db", junk[:5000]):  "not an etcd snapshot (no bbolt header)",
		write("random2.db", junk[:4096]): "not an etcd snapshot (no bbolt header)",
		fifo:                             "not a regular file",
	} {
		if st := childStatus(t, path); st.Problem() != want || st.OK() {
			t.Errorf("%s: %+v, want %q", filepath.Base(path), st, want)
		}
	}
}

// TestSnapshotStatusChildCrash runs a stand-in for etcdeck that dies the way a bbolt panic does:
// the caller gets a status naming the crash, with the sha256 checked in the parent.
func TestSnapshotStatusChildCrash(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "x.db")
	data := make([]byte, 4096)
	binary.LittleEndian.PutUint32(data[16:], 0xED0CDAED) // bbolt's magic: it gets to the child
	sum := sha256.Sum256(data)
	os.WriteFile(file, append(data, sum[:]...), 0o600)
	crash := filepath.Join(dir, "crash")
	os.WriteFile(crash, []byte("#!/bin/sh\necho 'panic: runtime error: invalid memory address' >&2\necho 'goroutine 7 [running]:' >&2\nexit 2\n"), 0o700)
	garbage := filepath.Join(dir, "garbage")
	os.WriteFile(garbage, []byte("#!/bin/sh\necho not json\n"), 0o700)

	st, err := embednode.SnapshotStatusInChild(context.Background(), crash, file)
	if err != nil || st.SHA256 != embednode.SHA256OK || !strings.Contains(st.Error, "crashed (exit status 2)") ||
		!strings.Contains(st.Error, "invalid memory address") || strings.Contains(st.Error, "goroutine") {
		t.Errorf("crash: %+v %v", st, err)
	}
	st, err = embednode.SnapshotStatusInChild(context.Background(), garbage, file)
	if err == nil || !strings.Contains(err.Error(), "printed no status") || st.Error != "" {
		t.Errorf("garbage: %+v %v", st, err)
	}
	// A directory is no snapshot file: a verdict, said before any child reads it.
	if st, err := embednode.SnapshotStatusInChild(context.Background(), etcdeckBin, dir); err != nil || st.Problem() != "not a regular file" {
		t.Errorf("directory: %+v %v", st, err)
	}
	if _, err := embednode.SnapshotStatusInChild(context.Background(), filepath.Join(dir, "missing"), file); err == nil {
		t.Error("a missing executable is not an error")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := embednode.SnapshotStatusInChild(ctx, etcdeckBin, file); err == nil {
		t.Error("a cancelled status is not an error")
	}
}

func TestStatusCache(t *testing.T) {
	_, path, want, _ := savedSnapshot(t, 20)
	cacheFile := filepath.Join(t.TempDir(), "state", "snapshot-status.json")
	c := embednode.OpenStatusCache(cacheFile)
	st, err := c.Status(context.Background(), etcdeckBin, path)
	if err != nil || !st.OK() || st.TotalKey != len(want) {
		t.Fatalf("first: %+v %v", st, err)
	}
	if err := c.Save(); err != nil {
		t.Fatal(err)
	}
	if info, err := os.Stat(cacheFile); err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("cache file: %v %v", info, err)
	}

	// Reopened, the status comes from the cache: no child runs (the executable is missing).
	c = embednode.OpenStatusCache(cacheFile)
	st2, err := c.Status(context.Background(), "/nonexistent/etcdeck", path)
	if err != nil || st2 != st {
		t.Fatalf("cached: %+v %v", st2, err)
	}

	// A changed file is read again.
	later := time.Now().Add(time.Minute)
	os.Chtimes(path, later, later)
	if _, err := c.Status(context.Background(), "/nonexistent/etcdeck", path); err == nil {
		t.Fatal("a modified file was served from the cache")
	}

	// Entries of deleted files are dropped on save.
	os.Remove(path)
	c.Save()
	data, _ := os.ReadFile(cacheFile)
	if strings.Contains(string(data), filepath.Base(path)) {
		t.Errorf("deleted file still cached: %s", data)
	}
}
