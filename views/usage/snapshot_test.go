package usage

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/cluster/backup"
	"github.com/etcdeck/etcdeck/config"
	"github.com/etcdeck/etcdeck/embednode/nodetest"
	"github.com/etcdeck/etcdeck/keymap"
	"github.com/etcdeck/etcdeck/views/common"
	"github.com/etcdeck/etcdeck/views/common/viewtest"
)

// etcdeckBin reads the snapshot files in a child, as the console runs itself.
var etcdeckBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "etcdeck-usage")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if etcdeckBin, err = nodetest.BuildEtcdeck(dir); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// host is the panel as the root holds it: keys to HandleKey first, everything to Update, so
// viewtest's Driver runs its commands.
type host struct {
	p    *Panel
	keys *keymap.KeyMap
}

func (h host) Init() tea.Cmd             { return nil }
func (h host) View() string              { return h.p.View(120) }
func (h host) SetSize(int, int)          {}
func (h host) InputFocused() bool        { return h.p.Asking() }
func (h host) Focus() tea.Cmd            { return nil }
func (h host) Blur()                     {}
func (h host) ShortHelp() []key.Binding  { return nil }
func (h host) FullHelp() [][]key.Binding { return nil }
func (h host) Update(msg tea.Msg) (common.Component, tea.Cmd) {
	if k, ok := msg.(tea.KeyPressMsg); ok {
		cmd, _ := h.p.HandleKey(k)
		return h, cmd
	}
	_, cmd := h.p.Update(msg)
	return h, cmd
}

// usageFlow is the panel on a real member whose backup directory is empty, with the messages
// that reached the status bar and the audit log's path.
type usageFlow struct {
	t     *testing.T
	p     *Panel
	d     *viewtest.Driver
	dir   string
	audit string
	seen  []tea.Msg
}

func newUsageFlow(t *testing.T, readOnly bool) *usageFlow {
	mem := nodetest.Start(t)
	cli := nodetest.Client(t, mem.Endpoints())
	ctx := context.Background()
	for i := range 200 {
		if _, err := cli.Put(ctx, "/hot/k", fmt.Sprintf("%0200d", i)); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 5 {
		if _, err := cli.Put(ctx, fmt.Sprintf("/cold/%d", i), strings.Repeat("c", 300)); err != nil {
			t.Fatal(err)
		}
	}
	state := t.TempDir()
	auditPath := cluster.AuditPath(state)
	audit, err := cluster.OpenAudit(auditPath)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { audit.Close() })
	s := viewtest.Session(t, mem.Endpoints(), cluster.WithReadOnly(readOnly), cluster.WithAudit(audit))
	st := config.Defaults()
	st.BackupDir, st.StateDir = filepath.Join(t.TempDir(), "backups"), state
	keys := keymap.DefaultKeyMap()
	p := New(common.Common{Styles: common.NewStyles(false), Keys: keys, Session: s, Settings: st}).WithExe(etcdeckBin)
	f := &usageFlow{t: t, p: &p, dir: st.BackupDir, audit: auditPath}
	f.d = viewtest.New(t, host{p: f.p, keys: keys})
	f.d.Seen = func(msg tea.Msg) { f.seen = append(f.seen, msg) }
	return f
}

// until feeds the panel its messages until cond holds.
func (f *usageFlow) until(what string, cond func() bool) {
	f.t.Helper()
	deadline := time.After(60 * time.Second) // a save and a child's read on a loaded machine
	for !cond() {
		select {
		case msg := <-f.d.Msgs:
			f.d.Send(msg)
		case <-deadline:
			f.t.Fatalf("timed out waiting for %s; panel:\n%s", what, ansi.Strip(f.p.View(120)))
		}
	}
}

// screen is the panel's text with its lines joined, so a check does not depend on where a
// line wrapped.
func (f *usageFlow) screen() string {
	return strings.Join(strings.Fields(ansi.Strip(f.p.View(120))), " ")
}

func (f *usageFlow) auditLines() []cluster.AuditEntry {
	f.t.Helper()
	file, err := os.Open(f.audit)
	if err != nil {
		if os.IsNotExist(err) {
			return nil
		}
		f.t.Fatal(err)
	}
	defer file.Close()
	var out []cluster.AuditEntry
	sc := bufio.NewScanner(file)
	for sc.Scan() {
		var e cluster.AuditEntry
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			f.t.Fatalf("audit line %q: %v", sc.Text(), err)
		}
		out = append(out, e)
	}
	return out
}

// TestUsageTakesSnapshot: with no backup of the cluster, :usage asks before taking one (the
// directory and the member's DB size named); yes saves a backup there through the write path
// (audited) and the panel shows the stored numbers read from it: the overwritten key's 200
// revisions first.
func TestUsageTakesSnapshot(t *testing.T) {
	f := newUsageFlow(t, false)
	f.d.Run(f.p.Open(""))
	f.until("the question", func() bool { return f.p.Asking() && f.p.liveDone })
	sc := f.screen()
	if !strings.Contains(sc, "Take a snapshot for :usage? It is saved into "+f.dir) || !strings.Contains(sc, "the database size of the") {
		t.Fatalf("question does not say where and how large:\n%s", sc)
	}
	if files, _ := backup.List(f.dir); len(files) != 0 {
		t.Fatalf("a snapshot was taken before the answer: %v", files)
	}
	f.d.Press("y")
	f.until("the stored report", func() bool { return !f.p.Taking() && f.p.storedDone && !f.p.noBackup })
	if f.p.storedErr != nil || f.p.snap.err != nil {
		t.Fatalf("take failed: %v / %v", f.p.storedErr, f.p.snap.err)
	}
	files, err := backup.List(f.dir)
	if err != nil || len(files) != 1 || files[0].Path != f.p.file.Path {
		t.Fatalf("backups %+v (%v), panel read %q", files, err, f.p.file.Path)
	}
	if rows := f.p.stored.Rows; len(rows) < 2 || rows[0].Prefix != "/hot/" || rows[0].Revisions != 200 || rows[1].Prefix != "/cold/" || rows[1].Revisions != 5 {
		t.Fatalf("stored rows %+v", f.p.stored.Rows)
	}
	if sc := f.screen(); !strings.Contains(sc, "Stored in "+files[0].Name) {
		t.Fatalf("panel does not show the file read:\n%s", sc)
	}
	lines := f.auditLines()
	if len(lines) != 1 || lines[0].Action != "usage-snapshot" || lines[0].Result != "ok" || lines[0].Target != files[0].Path {
		t.Fatalf("audit %+v, want one usage-snapshot of %s", lines, files[0].Path)
	}
	var started, done bool
	f.until("the status bar's ✓ naming the file", func() bool {
		for _, msg := range f.seen {
			switch m := msg.(type) {
			case common.TaskStartMsg:
				started = started || m.Label == "snapshot for :usage"
			case common.TaskDoneMsg:
				done = done || m.Err == nil && strings.Contains(m.Result, files[0].Path)
			}
		}
		return started && done
	})
}

// TestUsageSnapshotDeclined: n leaves the directory empty; s asks again for a current one.
func TestUsageSnapshotDeclined(t *testing.T) {
	f := newUsageFlow(t, false)
	f.d.Run(f.p.Open("/hot/"))
	f.until("the question", f.p.Asking)
	f.d.Press("n")
	f.until("the answer", func() bool { return !f.p.Asking() })
	f.d.Settle(200 * time.Millisecond)
	if files, _ := backup.List(f.dir); len(files) != 0 || f.p.Taking() {
		t.Fatalf("declined, yet a snapshot was taken: %v", files)
	}
	if sc := f.screen(); !strings.Contains(sc, "s takes one for :usage") {
		t.Fatalf("the panel does not say how to take one:\n%s", sc)
	}
	f.d.Press("s")
	f.until("the question again", f.p.Asking)
	f.d.Press("esc")
	f.until("the question closed", func() bool { return !f.p.Asking() })
	if lines := f.auditLines(); len(lines) != 0 {
		t.Fatalf("nothing was written, yet audited: %+v", lines)
	}
}

// TestUsageSnapshotReadOnly: in read-only mode no question opens; the panel says why none can
// be taken, the refusal is in the audit log, and nothing is written.
func TestUsageSnapshotReadOnly(t *testing.T) {
	f := newUsageFlow(t, true)
	f.d.Run(f.p.Open(""))
	f.until("the stored half", func() bool { return f.p.storedDone && f.p.liveDone })
	if f.p.Asking() {
		t.Fatal("a question opened in a read-only session")
	}
	if sc := f.screen(); !strings.Contains(sc, "none can be taken for :usage: read-only session") {
		t.Fatalf("the refusal is not said:\n%s", sc)
	}
	f.d.Press("s") // asked for anyway: refused again, audited again
	f.until("the second refusal", func() bool { return len(f.auditLines()) == 2 })
	for _, l := range f.auditLines() {
		if l.Action != "usage-snapshot" || l.Result != "refused: read-only" || l.Target != f.dir {
			t.Fatalf("audit line %+v", l)
		}
	}
	if f.p.Asking() {
		t.Fatal("a question opened in a read-only session")
	}
	if _, err := os.Stat(f.dir); !os.IsNotExist(err) {
		t.Fatalf("the backup directory was created in a read-only session: %v", err)
	}
}

// TestUsageSnapshotCancel: esc while the snapshot is being taken cancels it: no backup is left,
// the panel says it was cancelled, and esc then closes as before (the root's).
func TestUsageSnapshotCancel(t *testing.T) {
	f := newUsageFlow(t, false)
	holding := make(chan struct{})
	f.p.snap.hold = func(ctx context.Context) { close(holding); <-ctx.Done() }
	f.d.Run(f.p.Open(""))
	f.until("the question", f.p.Asking)
	f.d.Press("y")
	f.until("the save started", func() bool {
		select {
		case <-holding:
			return true
		default:
			return false
		}
	})
	if !strings.Contains(f.screen(), "esc cancel the snapshot") {
		t.Fatalf("the panel does not say esc cancels:\n%s", f.screen())
	}
	f.d.Press("esc")
	f.until("the task's end", func() bool { return !f.p.Taking() })
	if f.p.snap.err == nil || !strings.Contains(f.p.snap.err.Error(), "cancelled") {
		t.Fatalf("err %v, want cancelled", f.p.snap.err)
	}
	if files, _ := backup.List(f.dir); len(files) != 0 {
		t.Fatalf("cancelled, yet a backup is there: %v", files)
	}
	if sc := f.screen(); !strings.Contains(sc, "the snapshot for :usage failed: cancelled") {
		t.Fatalf("the panel does not say it was cancelled:\n%s", sc)
	}
	if _, handled := f.p.HandleKey(viewtest.Key("esc")); handled {
		t.Fatal("esc is still the panel's once nothing runs: it must close the panel")
	}
}
