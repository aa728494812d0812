package snapshots

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/cluster/backup"
	"github.com/etcdeck/etcdeck/config"
	"github.com/etcdeck/etcdeck/embednode"
	"github.com/etcdeck/etcdeck/embednode/nodetest"
	"github.com/etcdeck/etcdeck/keymap"
	"github.com/etcdeck/etcdeck/views/common"
	"github.com/etcdeck/etcdeck/views/common/viewtest"
)

// seenMsg waits until a message matching match has passed through the view and returns it.
func (f *flow) seenMsg(what string, match func(tea.Msg) bool) tea.Msg {
	f.t.Helper()
	var out tea.Msg
	f.until(what, func() bool {
		f.mu.Lock()
		defer f.mu.Unlock()
		for _, msg := range f.seen {
			if match(msg) {
				out = msg
				return true
			}
		}
		return false
	})
	return out
}

// taskDone waits for the end of the task id.
func (f *flow) taskDone(id string) common.TaskDoneMsg {
	f.t.Helper()
	return f.seenMsg(id+" to end", func(m tea.Msg) bool { d, ok := m.(common.TaskDoneMsg); return ok && d.ID == id }).(common.TaskDoneMsg)
}

// TestOpenFlow: o on a saved snapshot opens a read-only session on a temporary member that holds
// the snapshot's keys (later writes absent); closing it stops the member and removes its dir.
func TestOpenFlow(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp) // where OpenSnapshot puts its directory
	f := newFlow(t, backup.DefaultRetention())
	f.put(20, 10)
	f.until("the empty listing", f.screenHas("no snapshots here yet"))
	f.d.Send(common.SaveSnapshotMsg{})
	if d := f.done(); d.Err != nil {
		t.Fatal(d.Err)
	}
	f.until("the file listed", f.screenHas("✓ sha256 ok"))
	if _, err := f.cli.Put(context.Background(), "/later", "x"); err != nil {
		t.Fatal(err)
	}

	f.d.Press("o")
	done := f.taskDone(openID)
	if done.Err != nil || !strings.Contains(done.Result, "read-only (esc or :close goes back)") {
		t.Fatalf("open: %+v", done)
	}
	for _, label := range []string{"restoring into a temporary dir (child process)", "starting the temporary member", "connecting to the temporary member"} {
		f.seenMsg("the step "+label, func(m tea.Msg) bool {
			p, ok := m.(common.TaskProgressMsg)
			return ok && p.ID == openID && p.Label == label
		})
	}
	open := f.seenMsg("the session switch", func(m tea.Msg) bool { _, ok := m.(common.OpenSessionMsg); return ok }).(common.OpenSessionMsg)
	s := open.Session
	if !s.ReadOnly() || !strings.HasPrefix(s.Label, "snapshot etcd-snapshot-") || !strings.HasSuffix(s.Label, " · read-only") || s.Member != nil {
		t.Fatalf("session %q read-only %v member %v", s.Label, s.ReadOnly(), s.Member)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	l, err := s.Client.ListDir(ctx, "/k/", cluster.ListOptions{})
	if err != nil || len(l.Rows) != 20 {
		t.Fatalf("the snapshot's /k/: %d rows, %v; want 20", len(l.Rows), err)
	}
	if _, err := s.Client.Get(ctx, "/later", 0); !errors.Is(err, cluster.ErrNotFound) {
		t.Fatalf("/later, written after the snapshot: %v, want not found", err)
	}
	if _, err := s.Client.Put(ctx, "/w", []byte("x"), cluster.PutOptions{}); !errors.Is(err, cluster.ErrReadOnly) {
		t.Fatalf("a write through the snapshot's session: %v, want ErrReadOnly", err)
	}
	if entries, _ := os.ReadDir(tmp); len(entries) != 1 {
		t.Fatalf("temporary dirs while open: %v", entries)
	}
	s.End()
	if err := open.Close(); err != nil {
		t.Fatal(err)
	}
	if entries, _ := os.ReadDir(tmp); len(entries) != 0 {
		t.Fatalf("left after close: %v", entries)
	}
}

// TestOpenCancelled: esc while a snapshot is being restored for o, and quitting (Close, which
// the root calls when the program ends) while its member starts, leave no temporary directory.
func TestOpenCancelled(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	f := newFlow(t, backup.DefaultRetention())
	f.put(20, 10)
	f.d.Send(common.SaveSnapshotMsg{})
	if d := f.done(); d.Err != nil {
		t.Fatal(d.Err)
	}
	f.until("the file listed", f.screenHas("✓ sha256 ok"))
	step := func(label string) func(tea.Msg) bool {
		return func(m tea.Msg) bool {
			p, ok := m.(common.TaskProgressMsg)
			return ok && p.ID == openID && p.Label == label
		}
	}
	empty := func(when string) {
		t.Helper()
		if entries, _ := os.ReadDir(tmp); len(entries) != 0 {
			t.Fatalf("left in $TMPDIR %s: %v", when, entries)
		}
	}

	f.d.Press("o")
	f.seenMsg("the restore step", step("restoring into a temporary dir (child process)"))
	if !f.m.HandlesBack() || !slices.ContainsFunc(f.m.ShortHelp(), func(b key.Binding) bool { return b.Help().Desc == "cancel open" }) {
		t.Fatal("esc is not offered to cancel the open")
	}
	f.d.Press("esc")
	if done := f.taskDone(openID); done.Err == nil || !strings.Contains(done.Err.Error(), "cancelled") {
		t.Fatalf("esc during the open: %+v", done)
	}
	empty("after esc")

	f.mu.Lock()
	f.seen = nil
	f.mu.Unlock()
	f.d.Press("o")
	f.seenMsg("the member step", step("starting the temporary member"))
	f.m.Close() // the console quit
	empty("after quitting")
}

// TestRestoreFlow: R on the embedded member's snapshot, the word typed, restores it: the key
// written after the snapshot is gone, the old data kept, the views asked to rebuild.
func TestRestoreFlow(t *testing.T) {
	cfg := nodetest.Config(t, "embedded")
	cfg.Logger = nil
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	child, err := embednode.Spawn(ctx, etcdeckBin, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { child.Stop(10 * time.Second) })
	s := viewtest.SessionOf(t, cluster.ConnConfig{Endpoints: child.Endpoints(), InsecureTransport: true}, "embedded", child)
	c := s.Client
	st := config.Defaults()
	st.BackupDir, st.StateDir = filepath.Join(t.TempDir(), "backups"), t.TempDir()
	m := New(common.Common{Styles: common.NewStyles(false), Keys: keymap.DefaultKeyMap(), Session: s, Settings: st}).WithStatusExe(etcdeckBin)
	m.SetSize(120, 30)
	f := &flow{t: t, m: m, dir: st.BackupDir}
	f.d = viewtest.New(t, m)
	f.d.Seen = func(msg tea.Msg) { f.mu.Lock(); f.seen = append(f.seen, msg); f.mu.Unlock() }
	f.d.Run(m.Init())

	if _, err := c.Put(ctx, "/kept", []byte("v"), cluster.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	f.d.Send(common.SaveSnapshotMsg{})
	if d := f.done(); d.Err != nil {
		t.Fatal(d.Err)
	}
	f.until("the file listed", f.screenHas("✓ sha256 ok"))
	if _, err := s.Client.Put(ctx, "/later", []byte("v"), cluster.PutOptions{}); err != nil {
		t.Fatal(err)
	}

	f.d.Press("R")
	if !m.InputFocused() || !f.screenHas("into the embedded member?")() {
		t.Fatalf("R does not ask:\n%s", m.View())
	}
	f.d.Press("r", "e", "s", "t", "o", "r", "e", "enter")
	start := f.seenMsg("the critical task", func(m tea.Msg) bool { s, ok := m.(common.TaskStartMsg); return ok && s.ID == restoreID }).(common.TaskStartMsg)
	if !start.Critical {
		t.Error("the restore is not marked critical: quitting would not ask")
	}
	done := f.taskDone(restoreID)
	if done.Err != nil || !strings.HasPrefix(done.Result, "restored rev 2, 1 keys; the old data is in "+cfg.DataDir+".bak-") {
		t.Fatalf("restore: %+v", done)
	}
	f.seenMsg("the views rebuilt", func(m tea.Msg) bool { _, ok := m.(common.ReloadViewsMsg); return ok })
	if _, err := c.Get(ctx, "/later", 0); !errors.Is(err, cluster.ErrNotFound) {
		t.Fatalf("/later after the restore: %v, want not found", err)
	}
	if _, err := c.Get(ctx, "/kept", 0); err != nil {
		t.Fatalf("/kept after the restore: %v", err)
	}
	if !strings.HasSuffix(done.Result, "; backups taken before the restore carry the old cluster ID and are kept by retention: delete them with d when no longer needed") {
		t.Errorf("the report does not say retention keeps the old cluster's backups: %q", done.Result)
	}
	backup, _, _ := strings.Cut(strings.TrimPrefix(done.Result, "restored rev 2, 1 keys; the old data is in "), "; ")
	if _, err := os.Stat(filepath.Join(backup, "member", "snap", "db")); err != nil {
		t.Fatalf("old data not kept: %v", err)
	}
}

// TestRestoreRefusedReadOnly: on a read-only session R and d say so before asking anything,
// through the write gate: each refusal is in the audit log, and the file is still there.
func TestRestoreRefusedReadOnly(t *testing.T) {
	mem := nodetest.Start(t)
	auditPath := filepath.Join(t.TempDir(), cluster.AuditFile)
	audit, err := cluster.OpenAudit(auditPath)
	if err != nil {
		t.Fatal(err)
	}
	defer audit.Close()
	s := viewtest.SessionOf(t, cluster.ConnConfig{Endpoints: mem.Endpoints(), InsecureTransport: true}, "embedded", &embednode.Child{},
		cluster.WithReadOnly(true), cluster.WithAudit(audit))
	m := fixtureView(120, 40)
	m.common.Session = s
	_, cmd := m.Update(viewtest.Key("R"))
	flash, ok := cmd().(common.FlashMsg)
	if !ok || flash.Level != common.FlashError || !strings.Contains(flash.Text, "read-only session") || m.InputFocused() {
		t.Fatalf("R on a read-only session: %+v, question open %v", flash, m.InputFocused())
	}
	_, cmd = m.Update(viewtest.Key("d"))
	if cmd == nil {
		t.Fatal("d on a read-only session asked nothing and said nothing")
	}
	flash, ok = cmd().(common.FlashMsg)
	if !ok || flash.Level != common.FlashError || !strings.Contains(flash.Text, "read-only session") || m.InputFocused() {
		t.Fatalf("d on a read-only session: %+v, question open %v", flash, m.InputFocused())
	}
	data, err := os.ReadFile(auditPath)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], `"action":"restore"`) || !strings.Contains(lines[1], `"action":"delete-backup"`) ||
		!strings.Contains(lines[1], `"result":"refused: read-only"`) {
		t.Fatalf("audit log after R and d refused:\n%s", data)
	}
}

// TestPlanFlow: P on a live three-member cluster shows each member's restore command, from the
// member list.
func TestPlanFlow(t *testing.T) {
	members := nodetest.StartCluster(t, 3)
	s := viewtest.SessionOf(t, cluster.ConnConfig{Endpoints: nodetest.Endpoints(members...), InsecureTransport: true}, "three", nil)
	m := fixtureView(160, 60)
	m.common.Session = s
	d := viewtest.New(t, m)
	d.Press("P")
	deadline := time.After(20 * time.Second)
	for m.plan.loading {
		select {
		case msg := <-d.Msgs:
			d.Send(msg)
		case <-deadline:
			t.Fatal("no plan")
		}
	}
	text := ansi.Strip(m.View())
	for i, mem := range members {
		want := "--name m" + string(rune('0'+i))
		if !strings.Contains(text, want) || !strings.Contains(text, "--initial-advertise-peer-urls "+mem.PeerURLs[0]) {
			t.Errorf("the plan lacks %s with %s:\n%s", want, mem.PeerURLs[0], text)
		}
	}
	if !strings.Contains(text, "Restore plan for cluster ") || !strings.Contains(text, ": 3 members from /backups/") {
		t.Errorf("plan header:\n%s", text)
	}
}
