package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/cluster/backup"
	"github.com/etcdeck/etcdeck/embednode/nodetest"
)

// etcdeckIn runs the binary with XDG_* under home (so the test reads the audit log at
// home/state/etcdeck/audit.log).
func etcdeckIn(t *testing.T, home string, args ...string) (int, string, string) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "ETCDCTL_") && !strings.HasPrefix(kv, "XDG_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, "XDG_CONFIG_HOME="+home+"/config", "XDG_STATE_HOME="+home+"/state", "XDG_DATA_HOME="+home+"/data")
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return exit.ExitCode(), stdout.String(), stderr.String()
	}
	if err != nil {
		t.Fatal(err)
	}
	return 0, stdout.String(), stderr.String()
}

// auditOf reads an audit log as "action target result" lines (none when there is no file).
func auditOf(t *testing.T, path string) []string {
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
		out = append(out, e.Action+" "+e.Target+" "+e.Result)
	}
	return out
}

// TestSnapshotSaveReadOnly: a save writes a file, so `etcdeck snapshot save` under read-only —
// the flag, the config file's read-only, a context's — exits 1 with the write path's refusal on
// stderr, writes no file nor directory, deletes nothing by retention, and leaves one
// "refused: read-only" audit line. Without it, the save is audited with its file, and the file
// retention deletes after it with a line of its own.
func TestSnapshotSaveReadOnly(t *testing.T) {
	m := nodetest.Start(t)
	ep := m.Endpoints()[0]
	root := t.TempDir()
	cfg := filepath.Join(root, "config.yaml")
	os.WriteFile(cfg, []byte("read-only: true\n"), 0o600)
	ctxCfg := filepath.Join(root, "contexts.yaml")
	os.WriteFile(ctxCfg, []byte("contexts:\n  prod:\n    endpoints: ["+ep+"]\n    read-only: true\n"), 0o600)
	for _, c := range []struct {
		name string
		args []string
	}{
		{"flag", []string{"--endpoints", ep, "--read-only"}},
		{"config", []string{"--endpoints", ep, "--config", cfg}},
		{"context", []string{"--config", ctxCfg, "--context", "prod"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			home := t.TempDir()
			dir := filepath.Join(home, "backups")
			out := filepath.Join(home, "exact.db")
			for _, target := range [][]string{{"--backup-dir", dir}, {"--output", out}} {
				code, stdout, stderr := etcdeckIn(t, home, append(append([]string{"snapshot", "save"}, c.args...), target...)...)
				if want := "etcdeck snapshot save: " + cluster.ErrReadOnly.Error() + "\n"; code != 1 || stdout != "" || stderr != want {
					t.Fatalf("%v: exit %d, stdout %q, stderr %q; want 1 and %q", target, code, stdout, stderr, want)
				}
			}
			if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("a refused save created %s: %v", dir, err)
			}
			if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("a refused save wrote %s: %v", out, err)
			}
			want := []string{"snapshot-save " + dir + " refused: read-only", "snapshot-save " + out + " refused: read-only"}
			if got := auditOf(t, filepath.Join(home, "state", "etcdeck", cluster.AuditFile)); strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Fatalf("audit:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
		})
	}

	// Writable: the save's line names the file, and retention's deletion has a line of its own.
	home := t.TempDir()
	dir := filepath.Join(home, "backups")
	resp, err := nodetest.Client(t, m.Endpoints()).Get(context.Background(), "/")
	if err != nil {
		t.Fatal(err)
	}
	expired := filepath.Join(dir, backup.Name(resp.Header.ClusterId, time.Now().AddDate(0, 0, -60), 1))
	os.MkdirAll(dir, 0o700)
	os.WriteFile(expired, []byte("old"), 0o600)
	code, stdout, stderr := etcdeckIn(t, home, "snapshot", "save", "--endpoints", ep, "--backup-dir", dir, "--keep", "1", "--keep-days", "30")
	if code != 0 {
		t.Fatalf("save: exit %d, stderr %q", code, stderr)
	}
	want := []string{"snapshot-save " + strings.TrimSpace(stdout) + " ok", "retention-delete " + expired + " ok"}
	if got := auditOf(t, filepath.Join(home, "state", "etcdeck", cluster.AuditFile)); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("audit of a save:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestSnapshotSaveAuditUnwritable: an audit log that cannot be written (here its path is a
// directory) refuses the save: exit 1 naming the audit log, no file, no directory.
func TestSnapshotSaveAuditUnwritable(t *testing.T) {
	m := nodetest.Start(t)
	home := t.TempDir()
	if err := os.MkdirAll(filepath.Join(home, "state", "etcdeck", cluster.AuditFile), 0o700); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(home, "backups")
	code, stdout, stderr := etcdeckIn(t, home, "snapshot", "save", "--endpoints", m.Endpoints()[0], "--backup-dir", dir)
	if code != 1 || stdout != "" || !strings.HasPrefix(stderr, "etcdeck snapshot save: audit log: ") {
		t.Fatalf("exit %d, stdout %q, stderr %q; want 1 naming the audit log", code, stdout, stderr)
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a refused save created %s: %v", dir, err)
	}
}
