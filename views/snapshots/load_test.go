package snapshots

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/etcdeck/etcdeck/cluster/backup"
	"github.com/etcdeck/etcdeck/config"
	"github.com/etcdeck/etcdeck/embednode"
	"github.com/etcdeck/etcdeck/keymap"
	"github.com/etcdeck/etcdeck/views/common"
)

// TestHundredsOfCachedBackupsOpenAtOnce: 300 backups whose statuses are in the cache are listed
// with their statuses by the first listing, without a child process (the executable is missing).
// (Statuses cached by an etcdeck that did not read authentication are read once again.)
func TestHundredsOfCachedBackupsOpenAtOnce(t *testing.T) {
	dir, state := t.TempDir(), t.TempDir()
	cache := embednode.OpenStatusCache(filepath.Join(state, statusCacheFile))
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < 300; i++ {
		p := filepath.Join(dir, backup.Name(0xabc, base.Add(time.Duration(i)*time.Hour), int64(i)))
		if err := os.WriteFile(p, make([]byte, 544), 0o600); err != nil {
			t.Fatal(err)
		}
		info, _ := os.Stat(p)
		cache.Put(p, info.Size(), info.ModTime(), embednode.SnapshotStatus{Path: p, Size: info.Size(), SHA256: embednode.SHA256OK, Revision: int64(i), TotalKey: i, Auth: embednode.AuthOff})
	}
	if err := cache.Save(); err != nil {
		t.Fatal(err)
	}
	s := config.Defaults()
	s.BackupDir, s.StateDir = dir, state
	m := New(common.Common{Styles: common.NewStyles(false), Keys: keymap.DefaultKeyMap(), Settings: s}).WithStatusExe("/nonexistent/etcdeck")
	m.SetSize(120, 40)
	start := time.Now()
	msg := m.reload()()
	if cmd := m.applyListing(msg.(listedMsg)); cmd != nil {
		t.Error("a child process was started although every status is cached")
	}
	took := time.Since(start)
	if len(m.files) != 300 || len(m.statuses) != 300 {
		t.Fatalf("%d files, %d statuses", len(m.files), len(m.statuses))
	}
	screen := ansi.Strip(m.View())
	if !strings.Contains(screen, "300 files") || strings.Contains(screen, "checking") || !strings.Contains(screen, "✓ sha256 ok") {
		t.Errorf("screen:\n%s", screen)
	}
	// How long it took is logged, not asserted: no child ran (checked above), which is what keeps
	// it fast; a time bound here would fail on a loaded machine for nothing.
	t.Logf("300 cached backups listed with their statuses in %s", took)
}
