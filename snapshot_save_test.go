package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/etcdeck/etcdeck/cluster/backup"
	"github.com/etcdeck/etcdeck/embednode"
	"github.com/etcdeck/etcdeck/embednode/nodetest"
)

// TestSnapshotSaveHeadless: the cron path. Path on stdout, mode 0600, retention of this cluster's
// expired files only (listed on stderr), status of the result, and --output.
func TestSnapshotSaveHeadless(t *testing.T) {
	m := nodetest.Start(t)
	ep := m.Endpoints()[0]
	dir := filepath.Join(t.TempDir(), "backups")
	cli := nodetest.Client(t, m.Endpoints())
	for i := range 10 {
		if _, err := cli.Put(context.Background(), fmt.Sprintf("/k/%d", i), "v"); err != nil {
			t.Fatal(err)
		}
	}

	code, out, errText := etcdeck(t, "snapshot", "save", "--endpoints", ep, "--backup-dir", dir)
	if code != 0 || !strings.Contains(errText, "saved from the leader "+ep) {
		t.Fatalf("save: exit %d, stdout %q, stderr %q", code, out, errText)
	}
	path := strings.TrimSuffix(out, "\n")
	first, ok := backup.ParseName(filepath.Base(path))
	if !ok || filepath.Dir(path) != dir {
		t.Fatalf("stdout %q is not a backup in %s", out, dir)
	}
	if st, err := os.Stat(path); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("saved file: %v %v", st, err)
	}

	// Old files: two of this cluster (expired), one of another cluster, one foreign name.
	old := time.Now().AddDate(0, 0, -40)
	mine1 := backup.Name(first.ClusterID, old, 1)
	mine2 := backup.Name(first.ClusterID, old.Add(-time.Hour), 1)
	other := backup.Name(first.ClusterID+1, old, 1)
	for _, n := range []string{mine1, mine2, other, "etcd-backup-old.db"} {
		os.WriteFile(filepath.Join(dir, n), []byte("old"), 0o600)
	}
	time.Sleep(1100 * time.Millisecond) // a new second: a new name
	code, out, errText = etcdeck(t, "snapshot", "save", "--endpoints", ep, "--backup-dir", dir, "--keep", "2", "--keep-days", "30")
	if code != 0 {
		t.Fatalf("second save: exit %d, stderr %q", code, errText)
	}
	// Kept: the two new ones (--keep 2); deleted: both expired ones of this cluster.
	for _, n := range []string{mine1, mine2} {
		if !strings.Contains(errText, "deleted "+filepath.Join(dir, n)) {
			t.Errorf("stderr does not list %s as deleted:\n%s", n, errText)
		}
		if _, err := os.Stat(filepath.Join(dir, n)); err == nil {
			t.Errorf("%s was kept", n)
		}
	}
	for _, n := range []string{other, "etcd-backup-old.db", filepath.Base(path), filepath.Base(strings.TrimSpace(out))} {
		if _, err := os.Stat(filepath.Join(dir, n)); err != nil {
			t.Errorf("%s was deleted: %v", n, err)
		}
	}

	code, out, errText = etcdeck(t, "snapshot", "status", "-w", "json", path)
	var st embednode.SnapshotStatus
	if code != 0 || json.Unmarshal([]byte(out), &st) != nil || !st.OK() || st.Revision != first.Revision || st.TotalKey != 10 {
		t.Fatalf("status: exit %d, %q %q", code, out, errText)
	}
	code, out, _ = etcdeck(t, "snapshot", "status", path)
	if code != 0 || !strings.Contains(out, "sha256      ok") || !strings.Contains(out, fmt.Sprintf("revision    %d", first.Revision)) {
		t.Fatalf("status table: exit %d\n%s", code, out)
	}
	data, _ := os.ReadFile(path)
	data[len(data)/2] ^= 1
	bad := filepath.Join(t.TempDir(), "bad.db")
	os.WriteFile(bad, data, 0o600)
	code, _, errText = etcdeck(t, "snapshot", "status", bad)
	if code != 1 || !strings.Contains(errText, "hash mismatch: the file is corrupt or truncated") {
		t.Fatalf("corrupt status: exit %d, stderr %q", code, errText)
	}

	exact := filepath.Join(t.TempDir(), "exact.db")
	code, out, _ = etcdeck(t, "snapshot", "save", "--endpoints", ep, "--output", exact)
	if code != 0 || out != exact+"\n" {
		t.Fatalf("--output: exit %d, stdout %q", code, out)
	}
}

// TestSnapshotSaveFirstEndpointDead: the README's cron line keeps working while a member is down
// (issue 17): the save comes from a live member and the dead endpoint is a warning on stderr.
func TestSnapshotSaveFirstEndpointDead(t *testing.T) {
	members := nodetest.StartCluster(t, 3)
	dead := fmt.Sprintf("127.0.0.1:%d", nodetest.FreePort(t))
	eps := "--endpoints=" + strings.Join(append([]string{dead}, nodetest.Endpoints(members[1:]...)...), ",")
	dir := filepath.Join(t.TempDir(), "backups")
	code, out, errText := etcdeck(t, "snapshot", "save", eps, "--backup-dir", dir)
	if code != 0 || !strings.HasPrefix(errText, "etcdeck snapshot save: warning: connection refused at "+dead+"\n") {
		t.Fatalf("first endpoint dead: exit %d, stdout %q, stderr %q", code, out, errText)
	}
	if st, err := os.Stat(strings.TrimSpace(out)); err != nil || st.Size() == 0 {
		t.Fatalf("saved file %q: %v", out, err)
	}
}

// TestSnapshotSaveFailures: an unreachable cluster and a directory that cannot be written exit 1
// with the cause and leave no file; usage mistakes exit 2.
func TestSnapshotSaveFailures(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "backups")
	port := nodetest.FreePort(t)
	code, out, errText := etcdeck(t, "snapshot", "save", "--endpoints", fmt.Sprintf("127.0.0.1:%d", port), "--dial-timeout", "500ms", "--backup-dir", dir)
	if code != 1 || out != "" || errText != fmt.Sprintf("etcdeck snapshot save: connection refused at 127.0.0.1:%d\n", port) {
		t.Fatalf("unreachable: exit %d, stdout %q, stderr %q", code, out, errText)
	}
	if _, err := os.Stat(dir); err == nil {
		t.Error("the backup directory was created for a failed save")
	}

	m := nodetest.Start(t)
	file := filepath.Join(t.TempDir(), "a-file")
	os.WriteFile(file, nil, 0o600)
	code, out, errText = etcdeck(t, "snapshot", "save", "--endpoints", m.Endpoints()[0], "--backup-dir", filepath.Join(file, "sub"))
	if code != 1 || out != "" || !strings.Contains(errText, "create backup directory") || !strings.Contains(errText, "not a directory") {
		t.Fatalf("unwritable: exit %d, stdout %q, stderr %q", code, out, errText)
	}

	for _, args := range [][]string{
		{"snapshot", "save", "--output", "x.db", "--backup-dir", dir},
		{"snapshot", "save", "--keep", "0"},
		{"snapshot", "save", "--keep-days", "-1"},
		{"snapshot", "save", "extra"},
		{"snapshot", "save", "--bogus"},
		{"snapshot", "status"},
		{"snapshot", "status", "-w", "yaml", "f.db"},
	} {
		// The reason first, then the command's usage line: never the usage alone.
		usage := "\nUsage: etcdeck " + strings.Join(args[:2], " ")
		if code, _, errText := etcdeck(t, args...); code != 2 || !strings.HasPrefix(errText, "etcdeck "+strings.Join(args[:2], " ")+": ") || !strings.Contains(errText, usage) || !strings.HasSuffix(errText, "lists them)\n") {
			t.Errorf("%v: exit %d, stderr %q; want 2, the reason and the usage line", args, code, errText)
		}
	}
	if code, _, errText := etcdeck(t, "snapshot", "status", filepath.Join(dir, "missing.db")); code != 1 || !strings.Contains(errText, "no such file") {
		t.Errorf("missing file: exit %d, stderr %q", code, errText)
	}
}

// TestSnapshotSavePermissionDenied: a backup directory etcdeck may not write to is exit 1 with
// "permission denied" and no file. As root (which may write anywhere) the binary runs as nobody.
func TestSnapshotSavePermissionDenied(t *testing.T) {
	m := nodetest.Start(t)
	dir := filepath.Join(t.TempDir(), "backups")
	if err := os.Mkdir(dir, 0o500); err != nil {
		t.Fatal(err)
	}
	defer os.Chmod(dir, 0o700)
	home := t.TempDir()
	cmd := exec.Command(bin, "snapshot", "save", "--endpoints", m.Endpoints()[0], "--backup-dir", dir)
	cmd.Env = append(os.Environ(), "XDG_STATE_HOME="+filepath.Join(home, "state"), "XDG_CONFIG_HOME="+filepath.Join(home, "config"), "ETCDCTL_ENDPOINTS=")
	if os.Geteuid() == 0 {
		// nobody must reach the binary and its state dir, and must not own the backup dir.
		for _, d := range []string{filepath.Dir(bin), filepath.Dir(filepath.Dir(dir)), filepath.Dir(dir)} {
			os.Chmod(d, 0o755)
		}
		os.Chmod(home, 0o777)
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	}
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 || stdout.Len() != 0 || !strings.Contains(stderr.String(), "create snapshot file") || !strings.Contains(stderr.String(), "permission denied") {
		t.Fatalf("exit %v, stdout %q, stderr %q", err, stdout.String(), stderr.String())
	}
	if es, _ := os.ReadDir(dir); len(es) != 0 {
		t.Errorf("left %v", es)
	}
}
