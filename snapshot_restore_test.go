package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.etcd.io/etcd/client/v3/snapshot"
	"go.uber.org/zap"

	"github.com/etcdeck/etcdeck/embednode/nodetest"
)

// testSnapshot saves a snapshot of a member holding one key and returns its path and revision.
func testSnapshot(t *testing.T) (string, int64) {
	t.Helper()
	m := nodetest.Start(t)
	c, err := clientv3.New(clientv3.Config{Endpoints: m.ClientURLs, Logger: zap.NewNop()})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	put, err := c.Put(ctx, "/k", "v")
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "snap.db")
	if _, err := snapshot.SaveWithVersion(ctx, zap.NewNop(), clientv3.Config{Endpoints: m.ClientURLs}, file); err != nil {
		t.Fatal(err)
	}
	return file, put.Header.Revision
}

func TestSnapshotRestoreCommand(t *testing.T) {
	file, rev := testSnapshot(t)
	dir := filepath.Join(t.TempDir(), "new", "parents") // created, as etcdutl does
	target := filepath.Join(dir, "restored.etcd")

	code, out, stderr := etcdeck(t, "snapshot", "restore", file, "--data-dir", target, "--bump-revision", "100", "--mark-compacted")
	want := fmt.Sprintf("restored %s into %s: revision %d, compacted at %d\n", file, target, rev+100, rev+100)
	if code != 0 || out != want || stderr != "" {
		t.Fatalf("exit %d\nstdout %q\nwant   %q\nstderr %q", code, out, want, stderr)
	}
	if _, err := os.Stat(filepath.Join(target, "member", "snap", "db")); err != nil {
		t.Fatal(err)
	}

	code, _, stderr = etcdeck(t, "snapshot", "restore", file, "--data-dir", target)
	if code != 1 || !strings.Contains(stderr, "the data dir is not empty") {
		t.Fatalf("over a restored dir: exit %d, stderr %q", code, stderr)
	}

	data, _ := os.ReadFile(file)
	data[len(data)/3] ^= 0x04
	bad := filepath.Join(t.TempDir(), "flipped.db")
	os.WriteFile(bad, data, 0o600)
	code, out, stderr = etcdeck(t, "snapshot", "restore", bad, "--data-dir", filepath.Join(dir, "bad.etcd"))
	wantErr := fmt.Sprintf("etcdeck snapshot restore: %s: hash mismatch: the file is corrupt or truncated\n", bad)
	if code != 1 || out != "" || stderr != wantErr {
		t.Fatalf("flipped bit: exit %d, stdout %q, stderr %q, want %q", code, out, stderr, wantErr)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("after the refusals the dir holds %d entries, want only the first restore", len(entries))
	}
}

func TestSnapshotRestoreUsage(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"snapshot", "restore"}, "want exactly one snapshot file"},
		{[]string{"snapshot", "restore", "a.db", "b.db"}, "want exactly one snapshot file"},
		{[]string{"snapshot", "restore", "a.db", "--mark-compacted"}, "--mark-compacted needs --bump-revision > 0"},
		{[]string{"snapshot", "restore", "a.db", "--bump-revision", "5"}, "--bump-revision needs --mark-compacted"},
		{[]string{"snapshot", "restore", "a.db", "--no-such"}, "unknown flag: --no-such"},
	} {
		code, out, stderr := etcdeck(t, tc.args...)
		if code != 2 || out != "" || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, stdout %q, stderr %q, want exit 2 and %q", tc.args, code, out, stderr, tc.want)
		}
	}
	code, _, stderr := etcdeck(t, "snapshot", "restore", filepath.Join(t.TempDir(), "missing.db"), "--data-dir", filepath.Join(t.TempDir(), "x"))
	if code != 1 || !strings.Contains(stderr, "no such file or directory") {
		t.Fatalf("missing file: exit %d, stderr %q", code, stderr)
	}
}

// TestSnapshotCommandsNameNonSnapshots: the headless commands say what a file is before any
// other check (status of an empty file said "write …: bad file descriptor"; restore of random
// bytes advised --skip-hash-check, of a directory likewise).
func TestSnapshotCommandsNameNonSnapshots(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty.db")
	os.WriteFile(empty, nil, 0o600)
	random := filepath.Join(dir, "random.db")
	junk := make([]byte, 8192)
	for i := range junk {
		junk[i] = byte(i*31 + 7)
	}
	os.WriteFile(random, junk, 0o600)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"snapshot", "status", empty}, "empty file"},
		{[]string{"snapshot", "status", random}, "not an etcd snapshot (no bbolt header)"},
		{[]string{"snapshot", "status", dir}, "not a regular file"},
		{[]string{"snapshot", "restore", random, "--data-dir", filepath.Join(t.TempDir(), "a.etcd")}, "not an etcd snapshot (no bbolt header)"},
		{[]string{"snapshot", "restore", dir, "--data-dir", filepath.Join(t.TempDir(), "b.etcd")}, "not a regular file"},
		{[]string{"snapshot", "restore", empty, "--data-dir", filepath.Join(t.TempDir(), "c.etcd")}, "empty file"},
	} {
		code, _, stderr := etcdeck(t, tc.args...)
		if code != 1 || !strings.Contains(stderr, tc.want) || strings.Contains(stderr, "skip-hash-check") ||
			strings.Contains(stderr, "bad file descriptor") {
			t.Errorf("%v: exit %d, stderr %q; want 1 and %q", tc.args[:2], code, stderr, tc.want)
		}
	}
}
