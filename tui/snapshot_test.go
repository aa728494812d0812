package tui

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/embednode/nodetest"
)

// TestFlowSnapshotFromAnyView: s in the Keys view saves a snapshot of the connected cluster
// (the Snapshots view runs it; the status bar reports ✓ with the path), view 4 lists the file,
// and s does nothing while the help is open.
func TestFlowSnapshotFromAnyView(t *testing.T) {
	mem := nodetest.Start(t)
	env := testConfig()
	env.session = testSession(t, mem.Endpoints())
	env.settings.BackupDir = filepath.Join(t.TempDir(), "backups")
	f := startFlow(t, newRealModel(t, env), 200, 30)

	f.keys("?")
	f.waitFor("help", func(s snapshot) bool { return s.help })
	f.keys("s")
	f.keys("esc")
	f.waitFor("help closed", func(s snapshot) bool { return !s.help })
	if es, _ := os.ReadDir(env.settings.BackupDir); len(es) != 0 {
		t.Fatalf("s with the help open saved %v", es)
	}

	f.keys("s")
	s := f.waitText("✓ snapshot: saved " + env.settings.BackupDir + "/etcd-snapshot-")
	if !strings.Contains(s.screen, "from the leader") || s.active != viewKeys {
		t.Errorf("after s in the Keys view:\n%s", s.screen)
	}
	f.keys("4")
	f.waitText("1 file ·")
	es, _ := os.ReadDir(env.settings.BackupDir)
	if len(es) != 1 {
		t.Errorf("backup dir holds %v", es)
	}
	f.quit()
}

// TestFlowSnapshotReadOnly: a save writes a backup file, so under --read-only s is refused in
// the Keys view and in the Snapshots view alike — the write path's words in the status bar, one
// "refused: read-only" audit line each, and no file nor backup directory.
func TestFlowSnapshotReadOnly(t *testing.T) {
	mem := nodetest.Start(t)
	auditPath := filepath.Join(t.TempDir(), "state", cluster.AuditFile)
	audit, err := cluster.OpenAudit(auditPath)
	if err != nil {
		t.Fatal(err)
	}
	defer audit.Close()
	env := testConfig()
	env.session = testSession(t, mem.Endpoints(), cluster.WithReadOnly(true), cluster.WithAudit(audit))
	env.settings.BackupDir = filepath.Join(t.TempDir(), "backups")
	f := startFlow(t, newRealModel(t, env), 200, 30)

	refusals := func() int {
		data, _ := os.ReadFile(auditPath)
		return strings.Count(string(data), `"action":"snapshot-save","target":"`+env.settings.BackupDir+`","result":"refused: read-only"`)
	}
	f.keys("s")
	s := f.waitText("read-only session: writes are disabled")
	if s.active != viewKeys {
		t.Fatalf("s in the Keys view left it: %v", s.active)
	}
	f.waitFor("the Keys view's refusal audited", func(snapshot) bool { return refusals() == 1 })
	f.keys("4")
	f.waitFor("the Snapshots view", func(s snapshot) bool { return s.active == viewSnapshots })
	f.keys("s")
	f.waitFor("the Snapshots view's refusal audited", func(snapshot) bool { return refusals() == 2 })
	f.waitText("read-only session: writes are disabled")
	data, _ := os.ReadFile(auditPath)
	if n := strings.Count(string(data), "\n"); n != 2 {
		t.Fatalf("audit log:\n%s\nwant two snapshot-save refusals", data)
	}
	if _, err := os.Stat(env.settings.BackupDir); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a refused save created the backup directory: %v", err)
	}
	f.quit()
}
