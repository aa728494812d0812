package backup_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/cluster/backup"
	"github.com/etcdeck/etcdeck/embednode/nodetest"
)

// gatedClient connects to endpoints with an audit log at auditPath and opts (read-only…).
func gatedClient(t *testing.T, endpoints []string, audit *cluster.AuditLog, opts ...cluster.Option) *cluster.Client {
	t.Helper()
	conf := cluster.ConnConfig{Endpoints: endpoints, InsecureTransport: true, DialTimeout: 2 * time.Second, CommandTimeout: 3 * time.Second}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := cluster.Connect(ctx, conf, nil, append(opts, cluster.WithAudit(audit))...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// openAudit opens an audit log at path, closed when the test ends.
func openAudit(t *testing.T, path string) *cluster.AuditLog {
	t.Helper()
	a, err := cluster.OpenAudit(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	return a
}

// auditLines reads the audit log at path as "action target new_rev result" lines.
func auditLines(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var e cluster.AuditEntry
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatalf("audit line %q: %v", sc.Text(), err)
		}
		out = append(out, strings.Join([]string{e.Action, e.Target, itoa(e.NewRev), e.Result}, " "))
	}
	return out
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// clusterIDOf is the cluster ID the member at endpoints reports.
func clusterIDOf(t *testing.T, endpoints []string) uint64 {
	t.Helper()
	resp, err := nodetest.Client(t, endpoints).Get(context.Background(), "/")
	if err != nil {
		t.Fatal(err)
	}
	return resp.Header.ClusterId
}

// plantExpired writes two backups of clusterID 60 and 50 days old into dir (which it creates)
// and returns their paths, oldest last.
func plantExpired(t *testing.T, dir string, clusterID uint64) []string {
	t.Helper()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, days := range []int{50, 60} {
		p := filepath.Join(dir, backup.Name(clusterID, time.Now().AddDate(0, 0, -days), 1))
		if err := os.WriteFile(p, []byte("old"), 0o600); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	return paths
}

// TestSaveRefusedReadOnly: writing a backup is a write. A read-only client refuses a save before
// anything is read or written — no directory created, no file, no expired backup deleted by
// retention, --output's file not written — and each refusal is one "refused: read-only" line.
func TestSaveRefusedReadOnly(t *testing.T) {
	m := nodetest.Start(t)
	auditPath := filepath.Join(t.TempDir(), "state", cluster.AuditFile)
	ro := gatedClient(t, m.Endpoints(), openAudit(t, auditPath), cluster.WithReadOnly(true))
	ctx, root := context.Background(), t.TempDir()
	fresh := filepath.Join(root, "fresh")
	withOld := filepath.Join(root, "old")
	expired := plantExpired(t, withOld, clusterIDOf(t, m.Endpoints()))
	out := filepath.Join(root, "exact.db")
	keep := backup.Retention{Keep: 1, KeepDays: 1}
	for _, opt := range []backup.SaveOptions{{Dir: fresh}, {Dir: withOld, Retention: &keep}, {Output: out}} {
		res, err := backup.Save(ctx, ro, opt)
		if !errors.Is(err, cluster.ErrReadOnly) || err.Error() != cluster.ErrReadOnly.Error() || res.Path != "" || len(res.Deleted) != 0 {
			t.Fatalf("read-only save %+v: %+v, %v; want the read-only refusal", opt, res, err)
		}
	}
	if _, err := os.Stat(fresh); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a refused save created its directory: %v", err)
	}
	if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a refused save wrote --output: %v", err)
	}
	for _, p := range expired {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("retention deleted %s under read-only: %v", p, err)
		}
	}
	want := []string{
		"snapshot-save " + fresh + " 0 refused: read-only",
		"snapshot-save " + withOld + " 0 refused: read-only",
		"snapshot-save " + out + " 0 refused: read-only",
	}
	if got := auditLines(t, auditPath); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("audit:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestSaveAudited: a save is one audit line naming the file written and the revision, and each
// file retention deletes after it is one retention-delete line of its own.
func TestSaveAudited(t *testing.T) {
	m := nodetest.Start(t)
	seed(t, m.Endpoints(), "/a/", 5, 10)
	auditPath := filepath.Join(t.TempDir(), "state", cluster.AuditFile)
	c := gatedClient(t, m.Endpoints(), openAudit(t, auditPath))
	dir := filepath.Join(t.TempDir(), "backups")
	expired := plantExpired(t, dir, clusterIDOf(t, m.Endpoints()))
	keep := backup.Retention{Keep: 1, KeepDays: 30}
	res, err := backup.Save(context.Background(), c, backup.SaveOptions{Dir: dir, Retention: &keep})
	if err != nil || res.RetentionErr != nil || len(res.Deleted) != 2 || res.Revision < 6 {
		t.Fatalf("save: %+v, %v", res, err)
	}
	want := []string{
		"snapshot-save " + res.Path + " " + itoa(res.Revision) + " ok",
		"retention-delete " + expired[1] + " 0 ok", // the oldest first, as retention lists them
		"retention-delete " + expired[0] + " 0 ok",
	}
	got := auditLines(t, auditPath)
	if len(got) == 3 && got[1] == want[2] && got[2] == want[1] {
		got[1], got[2] = got[2], got[1] // the order between the two deleted files is retention's own
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("audit:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for _, p := range expired {
		if _, err := os.Stat(p); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s kept: %v", p, err)
		}
	}
}

// TestSaveAuditUnwritable: a save whose audit line cannot be kept is refused before anything is
// written (the audit log fails closed, as for keys): a closed log, and (as root) a log on a full
// filesystem. The backup directory stays empty.
func TestSaveAuditUnwritable(t *testing.T) {
	m := nodetest.Start(t)
	closed := openAudit(t, filepath.Join(t.TempDir(), cluster.AuditFile))
	c := gatedClient(t, m.Endpoints(), closed)
	closed.Close()
	dir := filepath.Join(t.TempDir(), "backups")
	if _, err := backup.Save(context.Background(), c, backup.SaveOptions{Dir: dir}); err == nil || !strings.Contains(err.Error(), "nothing was sent") {
		t.Fatalf("save with a closed audit log: %v, want refused", err)
	}
	if names := dirEntries(t, dir); len(names) != 0 {
		t.Fatalf("refused save left %v", names)
	}

	if os.Geteuid() != 0 {
		t.Skip("mounting a small tmpfs (a full audit filesystem) needs root")
	}
	stateDir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", stateDir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs here: %v %s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", stateDir).Run() })
	auditPath := filepath.Join(stateDir, cluster.AuditFile)
	full := gatedClient(t, m.Endpoints(), openAudit(t, auditPath))
	fill(t, filepath.Join(stateDir, "filler"))
	_, err := backup.Save(context.Background(), full, backup.SaveOptions{Dir: dir})
	if err == nil || !strings.Contains(err.Error(), "not sent: the audit log") || !strings.Contains(err.Error(), "no space left on device") {
		t.Fatalf("save with a full audit filesystem: %v, want refused naming the audit log", err)
	}
	if names := dirEntries(t, dir); len(names) != 0 {
		t.Fatalf("refused save left %v", names)
	}
	if got := auditLines(t, auditPath); len(got) != 0 {
		t.Fatalf("audit lines %v on a full filesystem", got)
	}
}

// fill writes path until its filesystem has no byte left.
func fill(t *testing.T, path string) {
	t.Helper()
	f, err := os.Create(path)
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
