package snapshots

import (
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
	"github.com/etcdeck/etcdeck/views/common/viewtest"
)

// TestRevisionFromFile: a file named rev40 that holds rev 102 (renamed, or made by hand) shows
// "~40" — the name's claim, marked approximate — until its status is read, then 102 in the list
// and in the delete question; a status from the cache is exact at once. The list showed the
// name's 40 while enter showed 102.
func TestRevisionFromFile(t *testing.T) {
	at := time.Date(2026, 11, 25, 1, 2, 3, 0, time.UTC)
	name := backup.Name(0xcdf818194e3a8c32, at, 40)
	f := backup.File{Path: filepath.Join("/backups", name), Name: name, ClusterID: 0xcdf818194e3a8c32, Time: at, Revision: 40, Size: 20480}
	st := embednode.SnapshotStatus{Path: f.Path, Size: f.Size, SHA256: embednode.SHA256OK, Revision: 102, TotalKey: 9}
	row := func(m *Model) string {
		lines := strings.Split(ansi.Strip(m.View()), "\n")
		if len(lines) < 3 {
			t.Fatalf("no row:\n%s", ansi.Strip(m.View()))
		}
		return lines[2]
	}
	newView := func() *Model {
		s := config.Defaults()
		s.BackupDir = "/backups"
		m := New(common.Common{Styles: common.NewStyles(false), Keys: keymap.DefaultKeyMap(), Settings: s})
		m.exe = "etcdeck" // the status arrives as a message below; commands are not run
		m.SetSize(120, 40)
		return m
	}

	m := newView()
	m.Update(listedMsg{gen: m.gen, files: []backup.File{f}})
	if r := row(m); !strings.Contains(r, " ~40 ") {
		t.Errorf("before the status, the row does not mark the name's revision approximate: %q", r)
	}
	m.reading = ""
	m.Update(statusMsg{path: f.Path, st: st})
	if r := row(m); !strings.Contains(r, " 102 ") || strings.Contains(r, "40 ") {
		t.Errorf("after the status, the row does not show the file's revision 102: %q", r)
	}
	m.Update(viewtest.Key("d"))
	if s := ansi.Strip(m.View()); !strings.Contains(s, "(rev 102,") {
		t.Errorf("the delete question does not name rev 102:\n%s", s)
	}

	cached := newView()
	cached.Update(listedMsg{gen: cached.gen, files: []backup.File{f}, cached: map[string]embednode.SnapshotStatus{f.Path: st}})
	if r := row(cached); !strings.Contains(r, " 102 ") {
		t.Errorf("a cached status is not used for the revision: %q", r)
	}
}
