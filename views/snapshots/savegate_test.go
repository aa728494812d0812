package snapshots

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/embednode/nodetest"
	"github.com/etcdeck/etcdeck/views/common"
	"github.com/etcdeck/etcdeck/views/common/viewtest"
)

// TestSaveRefusedReadOnly: the view's save (SaveSnapshotMsg, the global s) on a read-only
// session is refused before any task starts, in the write path's words, and audited like R and
// d; the backup directory is not even created.
func TestSaveRefusedReadOnly(t *testing.T) {
	mem := nodetest.Start(t)
	auditPath := filepath.Join(t.TempDir(), cluster.AuditFile)
	audit, err := cluster.OpenAudit(auditPath)
	if err != nil {
		t.Fatal(err)
	}
	defer audit.Close()
	s := viewtest.SessionOf(t, cluster.ConnConfig{Endpoints: mem.Endpoints(), InsecureTransport: true}, "", nil,
		cluster.WithReadOnly(true), cluster.WithAudit(audit))
	m := fixtureView(120, 40)
	m.common.Session = s
	dir := filepath.Join(t.TempDir(), "backups")
	m.common.Settings.BackupDir = dir
	_, cmd := m.Update(common.SaveSnapshotMsg{})
	if m.save.Running() || cmd == nil {
		t.Fatalf("a save started on a read-only session (running %v, cmd %v)", m.save.Running(), cmd != nil)
	}
	flash, ok := cmd().(common.FlashMsg)
	if !ok || flash.Level != common.FlashError || flash.Text != "snapshot-save: "+cluster.ErrReadOnly.Error() {
		t.Fatalf("save on a read-only session: %+v", flash)
	}
	data, err := os.ReadFile(auditPath)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	if len(lines) != 1 || !strings.Contains(lines[0], `"action":"snapshot-save","target":"`+dir+`","result":"refused: read-only"`) {
		t.Fatalf("audit log after a refused save:\n%s", data)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Fatalf("a refused save created the backup directory: %v", err)
	}
}
