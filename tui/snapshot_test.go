package tui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

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
