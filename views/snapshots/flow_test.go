package snapshots

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/cluster/backup"
	"github.com/etcdeck/etcdeck/config"
	"github.com/etcdeck/etcdeck/embednode/nodetest"
	"github.com/etcdeck/etcdeck/keymap"
	"github.com/etcdeck/etcdeck/views/common"
	"github.com/etcdeck/etcdeck/views/common/viewtest"
)

// etcdeckBin is the etcdeck binary the view runs as `etcdeck snapshot status`.
var etcdeckBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "etcdeck-snapshots")
	if err != nil {
		panic(err)
	}
	if etcdeckBin, err = nodetest.BuildEtcdeck(dir); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// flow is the view on a real member with a driver that records what reaches the status bar.
type flow struct {
	t    *testing.T
	m    *Model
	d    *viewtest.Driver
	dir  string
	cli  *clientv3.Client
	s    *cluster.Session
	mu   sync.Mutex
	seen []tea.Msg
}

func newFlow(t *testing.T, r backup.Retention) *flow {
	mem := nodetest.Start(t)
	s := viewtest.Session(t, mem.Endpoints())
	cli := nodetest.Client(t, mem.Endpoints())
	st := config.Defaults()
	st.BackupDir = filepath.Join(t.TempDir(), "backups")
	st.StateDir = t.TempDir()
	st.Retention = r
	m := New(common.Common{Styles: common.NewStyles(false), Keys: keymap.DefaultKeyMap(), Session: s, Settings: st}).WithStatusExe(etcdeckBin)
	m.SetSize(120, 30)
	f := &flow{t: t, m: m, dir: st.BackupDir, cli: cli, s: s}
	f.d = viewtest.New(t, m)
	f.d.Seen = func(msg tea.Msg) { f.mu.Lock(); f.seen = append(f.seen, msg); f.mu.Unlock() }
	f.d.Run(m.Init())
	return f
}

func (f *flow) put(n, size int) {
	val := strings.Repeat("v", size)
	for i := 0; i < n; i++ {
		if _, err := f.cli.Put(context.Background(), fmt.Sprintf("/k/%06d", i), val); err != nil {
			f.t.Fatal(err)
		}
	}
}

// waitLimit bounds one wait of a flow. It is generous on purpose: tests assert as soon as the
// condition holds, and the machine may be shared with builds (listing a snapshot runs the
// etcdeck binary).
const waitLimit = 2 * time.Minute

// until feeds the view its messages until cond holds.
func (f *flow) until(what string, cond func() bool) {
	f.t.Helper()
	deadline := time.After(waitLimit)
	for !cond() {
		select {
		case msg := <-f.d.Msgs:
			f.d.Send(msg)
		case <-time.After(10 * time.Millisecond):
		case <-deadline:
			f.t.Fatalf("timed out waiting for %s; screen:\n%s", what, ansi.Strip(f.m.View()))
		}
	}
}

func (f *flow) screenHas(s string) func() bool {
	return func() bool { return strings.Contains(ansi.Strip(f.m.View()), s) }
}

// done waits for the save task to end and returns its message.
func (f *flow) done() common.TaskDoneMsg {
	f.t.Helper()
	var out common.TaskDoneMsg
	f.until("the save to end", func() bool {
		f.mu.Lock()
		defer f.mu.Unlock()
		for i, msg := range f.seen {
			if d, ok := msg.(common.TaskDoneMsg); ok && d.ID == saveTaskID {
				out = d
				f.seen = append(f.seen[:i], f.seen[i+1:]...)
				return true
			}
		}
		return false
	})
	return out
}

func (f *flow) sawProgress() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, msg := range f.seen {
		if p, ok := msg.(common.TaskProgressMsg); ok && p.ID == saveTaskID && strings.Contains(p.Label, "iB/s") {
			return true
		}
	}
	return false
}

// TestSaveFlow: s saves (progress, ✓ with the path), the file is listed with its keys and a
// checked sha256; a second save applies retention; d deletes after y.
func TestSaveFlow(t *testing.T) {
	f := newFlow(t, backup.Retention{Keep: 1, KeepDays: 0})
	f.put(50, 10)
	f.until("the empty listing", f.screenHas("no snapshots here yet"))

	f.d.Send(common.SaveSnapshotMsg{})
	first := f.done()
	if first.Err != nil || !strings.Contains(first.Result, "saved "+f.dir+"/etcd-snapshot-") || !strings.Contains(first.Result, "from the leader") {
		t.Fatalf("first save: %+v", first)
	}
	// The progress report and the end of the task come back from different goroutines, in
	// either order.
	f.until("progress with a rate in the status bar", f.sawProgress)
	f.until("the file with its keys and integrity", f.screenHas("50  "))
	f.until("the sha256 verdict", f.screenHas("✓ sha256 ok"))

	// Backups are named to the second: the next save waits for a new one.
	older := backupOf(t, first)
	f.until("a new second for the next name", func() bool { return time.Now().UTC().Truncate(time.Second).After(older.Time) })
	f.d.Press("s") // the view's own s does nothing: the root sends SaveSnapshotMsg
	f.d.Send(common.SaveSnapshotMsg{})
	second := f.done()
	if second.Err != nil || !strings.Contains(second.Result, "retention deleted 1: etcd-snapshot-") {
		t.Fatalf("second save: %+v", second)
	}
	// The listing shows the new file only (not the stale listing from before the save).
	newer := backupOf(t, second)
	f.until("the new file listed alone", func() bool {
		return f.screenHas("1 file ·")() && f.screenHas(newer.Time.Format("2006-01-02 15:04:05"))()
	})

	f.d.Press("enter")
	f.until("the full status", f.screenHas("key revs    50"))
	f.d.Press("esc")
	f.d.Press("d")
	if !f.m.InputFocused() {
		t.Fatal("the delete question does not hold the keys")
	}
	f.d.Press("y")
	f.until("the file gone", f.screenHas("no snapshots here yet"))
	if es, _ := os.ReadDir(f.dir); len(es) != 0 {
		t.Errorf("left in the backup dir: %v", es)
	}
}

// backupOf is the backup a save's result names.
func backupOf(t *testing.T, done common.TaskDoneMsg) backup.File {
	t.Helper()
	path, _, _ := strings.Cut(strings.TrimPrefix(done.Result, "saved "), " ")
	b, ok := backup.ParseName(filepath.Base(path))
	if !ok {
		t.Fatalf("the save's result names no backup: %q", done.Result)
	}
	return b
}

// TestSaveFlowCancel: esc during a save cancels it; nothing that looks like a backup is left.
func TestSaveFlowCancel(t *testing.T) {
	f := newFlow(t, backup.DefaultRetention())
	f.put(500, 64<<10) // ~33 MB: long enough to cancel
	f.d.Send(common.SaveSnapshotMsg{})
	f.d.Send(common.SaveSnapshotMsg{}) // a second s while one runs is refused
	f.d.Press("esc")
	res := f.done()
	if res.Err == nil || !strings.Contains(res.Err.Error(), "cancelled") {
		t.Fatalf("cancelled save: %+v", res)
	}
	f.mu.Lock()
	refused := false
	for _, msg := range f.seen {
		if fl, ok := msg.(common.FlashMsg); ok && strings.Contains(fl.Text, "already running") {
			refused = true
		}
	}
	f.mu.Unlock()
	if !refused {
		t.Error("a second save while one runs was not refused")
	}
	es, _ := os.ReadDir(f.dir)
	if len(es) != 0 {
		t.Errorf("cancelled save left %v", es)
	}
}
