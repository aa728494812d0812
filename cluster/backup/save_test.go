package backup_test

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/cluster/backup"
	"github.com/etcdeck/etcdeck/cluster/clustertest"
	"github.com/etcdeck/etcdeck/embednode/nodetest"
)

// seed writes n keys of size bytes under prefix straight through clientv3 (test set-up only).
func seed(t testing.TB, endpoints []string, prefix string, n, size int) {
	t.Helper()
	cli := nodetest.Client(t, endpoints)
	val := strings.Repeat("v", size)
	for i := 0; i < n; i++ {
		if _, err := cli.Put(context.Background(), fmt.Sprintf("%s%06d", prefix, i), val); err != nil {
			t.Fatal(err)
		}
	}
}

// dirEntries lists the names in dir (none when it does not exist).
func dirEntries(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}

func TestSaveSnapshot(t *testing.T) {
	m := nodetest.Start(t)
	seed(t, m.Endpoints(), "/snap/", 200, 100)
	c, err := clustertest.Connect(t, cluster.ConnConfig{Endpoints: m.Endpoints(), InsecureTransport: true})
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "a", "backups")
	var mu sync.Mutex
	var last cluster.SaveProgress
	calls := 0
	at := time.Date(2026, 11, 25, 1, 2, 3, 0, time.UTC)
	res, err := backup.Save(context.Background(), c, backup.SaveOptions{
		Dir: dir, Now: func() time.Time { return at },
		Progress: func(p cluster.SaveProgress) { mu.Lock(); last, calls = p, calls+1; mu.Unlock() },
	})
	if err != nil {
		t.Fatalf("save: %v", err)
	}
	if res.Role != "leader" || res.Endpoint != m.Endpoints()[0] {
		t.Errorf("source = %s %s, want the only member (leader)", res.Role, res.Endpoint)
	}
	want := filepath.Join(dir, fmt.Sprintf("etcd-snapshot-%016x-20261125T010203Z-rev%d.db", res.ClusterID, res.Revision))
	if res.Path != want {
		t.Errorf("path = %s, want %s", res.Path, want)
	}
	if res.Revision < 201 || res.ClusterID == 0 {
		t.Errorf("revision %d, cluster %x: want ≥ 201 and an ID", res.Revision, res.ClusterID)
	}
	st, err := os.Stat(res.Path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 || st.Size() != res.Bytes || !cluster.HasSHA256Trailer(st.Size()) {
		t.Errorf("file mode %v size %d (result %d)", st.Mode().Perm(), st.Size(), res.Bytes)
	}
	dst, err := os.Stat(dir)
	if err != nil || dst.Mode().Perm() != 0o700 {
		t.Errorf("dir mode: %v %v", dst.Mode().Perm(), err)
	}
	if calls == 0 || last.Bytes != res.Bytes || last.Total == 0 {
		t.Errorf("progress: %d calls, last %+v, want final bytes %d and a total", calls, last, res.Bytes)
	}
	data, err := os.ReadFile(res.Path)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data[:len(data)-32])
	if string(sum[:]) != string(data[len(data)-32:]) {
		t.Error("the file's sha256 trailer does not match its content")
	}
	if names := dirEntries(t, dir); len(names) != 1 {
		t.Errorf("backup dir holds %v, want only the backup", names)
	}

	// The same second again: refuse rather than overwrite, and leave no temporary file.
	if _, err := backup.Save(context.Background(), c, backup.SaveOptions{Dir: dir, Now: func() time.Time { return at }}); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("second save in the same second: %v", err)
	}
	if names := dirEntries(t, dir); len(names) != 1 {
		t.Errorf("backup dir holds %v after the refused save", names)
	}

	// A partial file left by a save that was killed is removed by the next save once stale; a
	// fresh one (another save running) is left alone.
	stale, fresh := filepath.Join(dir, ".etcdeck-partial-1.tmp"), filepath.Join(dir, ".etcdeck-partial-2.tmp")
	os.WriteFile(stale, []byte("half"), 0o600)
	os.WriteFile(fresh, []byte("half"), 0o600)
	old := time.Now().Add(-2 * time.Hour)
	os.Chtimes(stale, old, old)
	if _, err := backup.Save(context.Background(), c, backup.SaveOptions{Dir: dir}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stale); err == nil {
		t.Error("a stale partial file was kept")
	}
	if _, err := os.Stat(fresh); err != nil {
		t.Error("a fresh partial file (a save running) was removed")
	}

	// --output writes exactly that file.
	out := filepath.Join(t.TempDir(), "exact.db")
	res2, err := backup.Save(context.Background(), c, backup.SaveOptions{Output: out})
	if err != nil || res2.Path != out {
		t.Fatalf("save --output: %v %s", err, res2.Path)
	}
}

func TestSaveSnapshotPrefersFollower(t *testing.T) {
	ms := nodetest.StartCluster(t, 3)
	c, err := clustertest.Connect(t, cluster.ConnConfig{Endpoints: nodetest.Endpoints(ms...), InsecureTransport: true})
	if err != nil {
		t.Fatal(err)
	}
	res, err := backup.Save(context.Background(), c, backup.SaveOptions{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if res.Role != "follower" {
		t.Errorf("saved from the %s (%s), want a follower", res.Role, res.Endpoint)
	}
	// A dead endpoint is skipped.
	ms[0].Close(5 * time.Second)
	res, err = backup.Save(context.Background(), c, backup.SaveOptions{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if res.Endpoint == ms[0].Endpoints()[0] {
		t.Errorf("saved from the stopped member %s", res.Endpoint)
	}
}

func TestSaveSnapshotCancelLeavesNothing(t *testing.T) {
	m := nodetest.Start(t)
	seed(t, m.Endpoints(), "/big/", 400, 64<<10) // ~26 MB, long enough to cancel mid-stream
	c, err := clustertest.Connect(t, cluster.ConnConfig{Endpoints: m.Endpoints(), InsecureTransport: true})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	var once sync.Once
	sawTemp := false
	_, err = backup.Save(ctx, c, backup.SaveOptions{Dir: dir, Progress: func(p cluster.SaveProgress) {
		once.Do(func() {
			for _, n := range dirEntries(t, dir) {
				_, isBackup := backup.ParseName(n)
				sawTemp = sawTemp || !isBackup
			}
			cancel()
		})
	}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want cancelled", err)
	}
	if !sawTemp {
		t.Error("no temporary file was seen while saving")
	}
	if names := dirEntries(t, dir); len(names) != 0 {
		t.Errorf("cancelled save left %v", names)
	}

	// Its own timeout, not --command-timeout.
	_, err = backup.Save(context.Background(), c, backup.SaveOptions{Dir: dir, Timeout: time.Millisecond})
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "not finished within 1ms") {
		t.Fatalf("1ms save: %v", err)
	}
	if names := dirEntries(t, dir); len(names) != 0 {
		t.Errorf("timed-out save left %v", names)
	}
}

func TestSaveSnapshotPermissionDenied(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root ignores directory permissions")
	}
	m := nodetest.Start(t)
	c, err := clustertest.Connect(t, cluster.ConnConfig{Endpoints: m.Endpoints(), InsecureTransport: true})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	os.Chmod(dir, 0o500)
	defer os.Chmod(dir, 0o700)
	_, err = backup.Save(context.Background(), c, backup.SaveOptions{Dir: dir})
	if !errors.Is(err, os.ErrPermission) {
		t.Fatalf("err = %v, want permission denied", err)
	}
}

// TestSaveSnapshotDiskFull saves into a 1 MiB tmpfs: the save fails with ENOSPC in words and
// leaves the directory empty.
func TestSaveSnapshotDiskFull(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("mounting a small tmpfs needs root; run as root (as CI does) to simulate a full disk")
	}
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs to simulate a full disk: %v %s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", dir).Run() })
	m := nodetest.Start(t)
	seed(t, m.Endpoints(), "/fill/", 100, 32<<10) // ~3 MB
	c, err := clustertest.Connect(t, cluster.ConnConfig{Endpoints: m.Endpoints(), InsecureTransport: true})
	if err != nil {
		t.Fatal(err)
	}
	_, err = backup.Save(context.Background(), c, backup.SaveOptions{Dir: dir})
	if !errors.Is(err, syscall.ENOSPC) || !strings.Contains(err.Error(), "no space left on device") {
		t.Fatalf("err = %v, want no space left on device", err)
	}
	if names := dirEntries(t, dir); len(names) != 0 {
		t.Errorf("failed save left %v", names)
	}
}

// TestSaveSnapshotTLSAndAuth: the one-endpoint connection of a save carries the client's TLS
// settings and its auth token (Snapshot needs the root role when auth is on).
func TestSaveSnapshotTLSAndAuth(t *testing.T) {
	certs := nodetest.NewCerts(t)
	cfg := nodetest.Config(t, "tls")
	cfg.ListenClientURLs[0] = strings.Replace(cfg.ListenClientURLs[0], "http://", "https://", 1)
	cfg.CertFile, cfg.KeyFile, cfg.TrustedCAFile, cfg.ClientCertAuth = certs.ServerCert, certs.ServerKey, certs.CA, true
	m := nodetest.StartConfig(t, cfg)
	conf := cluster.ConnConfig{Endpoints: m.Endpoints(), CACert: certs.CA, Cert: certs.ClientCert, Key: certs.ClientKey, InsecureTransport: true}
	ctx := context.Background()
	e := nodetest.ClientAs(t, m.Endpoints(), "", "", &certs)
	for _, step := range []func() error{
		func() error { _, err := e.UserAdd(ctx, "root", "s3cret-pw"); return err },
		func() error { _, err := e.UserGrantRole(ctx, "root", "root"); return err },
		func() error { _, err := e.UserAdd(ctx, "reader", "reader-pw"); return err },
		func() error { _, err := e.AuthEnable(ctx); return err },
	} {
		if err := step(); err != nil {
			t.Fatalf("enable auth: %v", err)
		}
	}
	conf.User, conf.Password = "reader", "reader-pw"
	r, err := clustertest.Connect(t, conf)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if _, err := backup.Save(ctx, r, backup.SaveOptions{Dir: dir}); err == nil || !strings.Contains(err.Error(), "permission denied") {
		t.Errorf("a user without the root role: %v", err)
	}
	if names := dirEntries(t, dir); len(names) != 0 {
		t.Errorf("refused save left %v", names)
	}
	conf.User, conf.Password = "root", "s3cret-pw"
	c, err := clustertest.Connect(t, conf)
	if err != nil {
		t.Fatal(err)
	}
	res, err := backup.Save(ctx, c, backup.SaveOptions{Dir: t.TempDir()})
	if err != nil || !cluster.HasSHA256Trailer(res.Bytes) {
		t.Fatalf("save over TLS with auth: %+v %v", res, err)
	}
}

// TestSaveAppliesRetention: a save with Retention deletes the cluster's expired backups after it
// (the headless command and the Snapshots view share this), and never with Output.
func TestSaveAppliesRetention(t *testing.T) {
	m := nodetest.Start(t)
	c, err := clustertest.Connect(t, cluster.ConnConfig{Endpoints: m.Endpoints(), InsecureTransport: true})
	if err != nil {
		t.Fatal(err)
	}
	ctx, dir := context.Background(), t.TempDir()
	var old []string
	for _, age := range []time.Duration{60 * 24 * time.Hour, 50 * 24 * time.Hour} {
		at := time.Now().Add(-age)
		res, err := backup.Save(ctx, c, backup.SaveOptions{Dir: dir, Now: func() time.Time { return at }})
		if err != nil || len(res.Deleted) != 0 {
			t.Fatalf("save without retention: %v, deleted %v", err, res.Deleted)
		}
		old = append(old, res.Path)
	}
	keep := backup.Retention{Keep: 1, KeepDays: 1}
	res, err := backup.Save(ctx, c, backup.SaveOptions{Output: filepath.Join(dir, "exact.db"), Retention: &keep})
	if err != nil || len(res.Deleted) != 0 {
		t.Fatalf("save --output applied retention: %v, deleted %v", err, res.Deleted)
	}
	res, err = backup.Save(ctx, c, backup.SaveOptions{Dir: dir, Retention: &keep})
	if err != nil || res.RetentionErr != nil {
		t.Fatalf("save with retention: %v, %v", err, res.RetentionErr)
	}
	var deleted []string
	for _, d := range res.Deleted {
		deleted = append(deleted, d.Path)
	}
	sort.Strings(deleted)
	if strings.Join(deleted, ",") != strings.Join(old, ",") {
		t.Errorf("retention deleted %v, want %v", deleted, old)
	}
	if names := dirEntries(t, dir); len(names) != 2 {
		t.Errorf("backup dir holds %v, want the new backup and exact.db", names)
	}
}
