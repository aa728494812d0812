package cluster_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/embednode/nodetest"
)

// fullFilesystem mounts a small tmpfs and returns a directory in it and a function that fills
// it to the last byte (the audit log's file is opened before); the test skips where mounting is
// not allowed.
func fullFilesystem(t *testing.T) (dir string, fill func(), free func()) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("mounting a small tmpfs needs root")
	}
	dir = t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs here: %v %s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", dir).Run() })
	filler := filepath.Join(dir, "filler")
	fill = func() {
		f, err := os.Create(filler)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		buf := make([]byte, 4096)
		for {
			if _, err := f.Write(buf); err != nil {
				break
			}
		}
		for {
			if _, err := f.Write(buf[:1]); err != nil {
				return
			}
		}
	}
	free = func() { os.Remove(filler) }
	return dir, fill, free
}

// TestAuditFailsClosed: with the audit log's filesystem full, a write is not sent and says why;
// once there is room again the same write goes through with its line.
func TestAuditFailsClosed(t *testing.T) {
	dir, fill, free := fullFilesystem(t)
	path := filepath.Join(dir, "state", cluster.AuditFile)
	audit, err := cluster.OpenAudit(path)
	if err != nil {
		t.Fatal(err)
	}
	defer audit.Close()
	c, eps := writeClient(t, cluster.WithAudit(audit))
	etcd := nodetest.Client(t, eps)
	ctx := context.Background()
	if _, err := c.Put(ctx, "/before", []byte("v"), cluster.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	fill()
	// Room reserved before the disk filled still takes some lines; every write that goes through
	// has its line, and the first one whose line cannot be kept is refused before it is sent.
	sent, refused := 0, ""
	for i := 0; i < 10000 && refused == ""; i++ {
		key := fmt.Sprintf("/fc/%04d", i)
		if _, err := c.Put(ctx, key, []byte("v"), cluster.PutOptions{CreateOnly: true}); err != nil {
			if !strings.Contains(err.Error(), "audit log") || !strings.Contains(err.Error(), "not sent") {
				t.Fatalf("put with a full audit filesystem: %v, want a refusal naming the audit log", err)
			}
			refused = key
			break
		}
		sent++
	}
	if refused == "" {
		t.Fatal("10,000 writes went through with the audit log's filesystem full")
	}
	if resp, err := etcd.Get(ctx, refused); err != nil || len(resp.Kvs) != 0 {
		t.Fatalf("the write was sent although its audit line could not be kept: %v %v", resp, err)
	}
	if _, _, err := c.DeletePrefix(ctx, "/before"); err == nil {
		t.Fatal("delete-prefix went through with a full audit filesystem")
	}
	free()
	if _, err := c.Put(ctx, refused, []byte("v"), cluster.PutOptions{CreateOnly: true}); err != nil {
		t.Fatalf("put once there is room: %v", err)
	}
	lines := readAudit(t, path)
	if n := len(lines); n != sent+2 || lines[n-1].Key != refused || lines[n-1].Result != "ok" {
		t.Fatalf("%d audit lines for %d writes sent (+ the first and the last): %+v", len(lines), sent, lines[len(lines)-1])
	}
	for i, e := range lines[1 : sent+1] {
		if want := fmt.Sprintf("/fc/%04d", i); e.Key != want || e.Result != "ok" {
			t.Fatalf("audit line %d: %+v, want %s ok", i+1, e, want)
		}
	}
}

// TestBackupDeleteThroughGate: deleting a backup file is a write: refused under read-only (the
// file stays) and audited; allowed otherwise, audited too. CheckWrite audits a refusal.
func TestBackupDeleteThroughGate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state", cluster.AuditFile)
	audit, err := cluster.OpenAudit(path)
	if err != nil {
		t.Fatal(err)
	}
	defer audit.Close()
	m := nodetest.Start(t)
	conf := cluster.ConnConfig{Endpoints: m.Endpoints(), InsecureTransport: true}
	ro := optClient(t, conf, cluster.WithReadOnly(true), cluster.WithAudit(audit))
	rw := optClient(t, conf, cluster.WithAudit(audit))
	file := filepath.Join(t.TempDir(), "etcd-snapshot-1-20260101T000000Z-rev5.db")
	if err := os.WriteFile(file, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := ro.DeleteBackup(ctx, file); !errors.Is(err, cluster.ErrReadOnly) {
		t.Fatalf("read-only delete of a backup: %v", err)
	}
	if _, err := os.Stat(file); err != nil {
		t.Fatalf("read-only session deleted the backup: %v", err)
	}
	if err := ro.CheckWrite("put", "/k", ""); !errors.Is(err, cluster.ErrReadOnly) {
		t.Fatalf("CheckWrite on a read-only client: %v", err)
	}
	if err := rw.CheckWrite("put", "/k", ""); err != nil {
		t.Fatalf("CheckWrite on a writable client: %v", err)
	}
	if err := rw.DeleteBackup(ctx, file); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(file); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("backup still there: %v", err)
	}
	var got []string
	for _, e := range readAudit(t, path) {
		got = append(got, e.Action+" "+e.Key+e.Target+" "+e.Result)
	}
	want := []string{"delete-backup " + file + " refused: read-only", "put /k refused: read-only", "delete-backup " + file + " ok"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("audit:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
