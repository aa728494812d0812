package snapshots

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/cluster/backup"
	"github.com/etcdeck/etcdeck/config"
	"github.com/etcdeck/etcdeck/embednode"
	"github.com/etcdeck/etcdeck/embednode/nodetest"
	"github.com/etcdeck/etcdeck/keymap"
	"github.com/etcdeck/etcdeck/views/common"
	"github.com/etcdeck/etcdeck/views/common/viewtest"
)

// authFlow is the view on a spawned embedded member holding /kept, with a backup of a cluster
// with authentication on (nodetest.AuthBackup) in its backup directory, its status read.
func authFlow(t *testing.T) (*flow, *embednode.Child, embednode.Config) {
	t.Helper()
	file := nodetest.AuthBackup(t)
	cfg := nodetest.Config(t, "embedded")
	cfg.Logger = nil
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	child, err := embednode.Spawn(ctx, etcdeckBin, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { child.Stop(10 * time.Second) })
	st := config.Defaults()
	st.BackupDir, st.StateDir = filepath.Join(t.TempDir(), "backups"), t.TempDir()
	audit, err := cluster.OpenAudit(filepath.Join(st.StateDir, cluster.AuditFile))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { audit.Close() })
	s := viewtest.SessionOf(t, cluster.ConnConfig{Endpoints: child.Endpoints(), InsecureTransport: true}, "embedded", child, cluster.WithAudit(audit))
	if _, err := s.Client.Put(ctx, "/kept", []byte("v"), cluster.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(st.BackupDir, 0o700); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	name := backup.Name(0xa1, time.Date(2026, 12, 1, 3, 0, 0, 0, time.UTC), 17)
	if err := os.WriteFile(filepath.Join(st.BackupDir, name), data, 0o600); err != nil {
		t.Fatal(err)
	}
	m := New(common.Common{Styles: common.NewStyles(false), Keys: keymap.DefaultKeyMap(), Session: s, Settings: st}).WithStatusExe(etcdeckBin)
	m.SetSize(120, 30)
	f := &flow{t: t, m: m, dir: st.BackupDir, s: s}
	f.d = viewtest.New(t, m)
	f.d.Seen = func(msg tea.Msg) { f.mu.Lock(); f.seen = append(f.seen, msg); f.mu.Unlock() }
	f.d.Run(m.Init())
	f.until("the file's status", f.screenHas("✓ sha256 ok"))
	return f, child, cfg
}

// auditHasRestore checks the audit log has the restore's line, with result, and never password.
func (f *flow) auditHasRestore(result, password string) {
	f.t.Helper()
	data, err := os.ReadFile(filepath.Join(f.m.common.Settings.StateDir, cluster.AuditFile))
	if err != nil || !strings.Contains(string(data), `"action":"restore"`) || !strings.Contains(string(data), result) {
		f.t.Fatalf("audit log: %s %v, want the restore with %s", data, err, result)
	}
	if strings.Contains(string(data), password) {
		f.t.Fatalf("the audit log holds the password: %s", data)
	}
}

// answerRestore presses R, checks the question says the member will require a user and
// password, types the word, then the user and the password; it checks the password never shows.
func (f *flow) answerRestore(user, password string) {
	f.t.Helper()
	f.d.Press("R")
	f.until("the question", f.screenHas("into the embedded member?"))
	if q := strings.Join(strings.Fields(ansi.Strip(f.m.View())), " "); !strings.Contains(q, "authentication on: the restored member will require a user and password") {
		f.t.Fatalf("R does not say the member will require a user and password:\n%s", f.m.View())
	}
	f.d.Press("r", "e", "s", "t", "o", "r", "e", "enter")
	f.until("the user field", f.screenHas("user of the backup: root"))
	f.d.Press("ctrl+u")
	for _, r := range user {
		f.d.Press(string(r))
	}
	f.d.Press("enter")
	f.until("the password field", f.screenHas("password of "+user+" (not shown):"))
	for _, r := range password {
		f.d.Press(string(r))
	}
	if strings.Contains(ansi.Strip(f.m.View()), password) {
		f.t.Fatalf("the password is echoed:\n%s", f.m.View())
	}
	f.d.Press("enter")
}

// TestRestoreAuthBackupFlow: R of a backup whose cluster had authentication on says so before
// restoring, asks the backup's user and password (never echoed), restores, and hands the root a
// session connected as that user that reads the backup's keys; the old session's client, without
// a user, is refused by the member now. The audit line holds no password.
func TestRestoreAuthBackupFlow(t *testing.T) {
	f, _, cfg := authFlow(t)
	old := f.s.Client
	f.answerRestore("root", nodetest.RootPassword)
	done := f.taskDone(restoreID)
	if done.Err != nil || !strings.HasPrefix(done.Result, "restored rev ") || !strings.Contains(done.Result, "the old data is in "+cfg.DataDir+".bak-") ||
		!strings.HasSuffix(done.Result, "; the console is connected as root") {
		t.Fatalf("restore: %+v", done)
	}
	reload := f.seenMsg("the session swap", func(m tea.Msg) bool { r, ok := m.(common.ReloadViewsMsg); return ok && r.Session != nil }).(common.ReloadViewsMsg)
	s := reload.Session
	t.Cleanup(s.End)
	if s.Member != f.s.Member || s.ID == f.s.ID || s.Label != f.s.Label || s.Client.Config().User != "root" {
		t.Fatalf("new session: member %v id %d label %q user %q", s.Member, s.ID, s.Label, s.Client.Config().User)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if kv, err := s.Client.Get(ctx, "/other/secret", 0); err != nil || string(kv.Value) != "3" {
		t.Fatalf("the backup's key through the new session: %v %v", kv, err)
	}
	if _, err := s.Client.Get(ctx, "/kept", 0); !errors.Is(err, cluster.ErrNotFound) {
		t.Fatalf("/kept, written before the restore: %v, want not found", err)
	}
	if _, err := old.Get(ctx, "/app/a", 0); err == nil || !strings.Contains(err.Error(), "user name is empty") {
		t.Fatalf("the old session's client after the restore: %v, want user name is empty", err)
	}
	if f.m.InputFocused() {
		t.Fatal("a field is still open after the restore")
	}
	f.auditHasRestore(`"result":"ok"`, nodetest.RootPassword)
	// The new session writes through the same gate: audited.
	if _, err := s.Client.Put(ctx, "/after-restore", []byte("v"), cluster.PutOptions{}); err != nil {
		t.Fatalf("a write as root through the new session: %v", err)
	}
	f.auditHasRestore(`"/after-restore"`, nodetest.RootPassword)
}

// TestRestoreAuthBackupWrongPassword: a wrong password is refused by the restored member: the
// restore is rolled back (the old data served again without a user), the error says the
// credentials were refused and the member runs on its old data, and no session is swapped.
func TestRestoreAuthBackupWrongPassword(t *testing.T) {
	f, _, _ := authFlow(t)
	f.answerRestore("root", "wrong-pw")
	done := f.taskDone(restoreID)
	if done.Err == nil || !strings.Contains(done.Err.Error(), `user "root" or its password is wrong`) ||
		!strings.Contains(done.Err.Error(), "the member runs on its old data again") {
		t.Fatalf("restore with a wrong password: %+v", done)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := f.s.Client.Get(ctx, "/kept", 0); err != nil {
		t.Fatalf("/kept after the rollback, through the session without a user: %v", err)
	}
	f.auditHasRestore("the restored data refused the user and password given", "wrong-pw")
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, msg := range f.seen {
		if _, ok := msg.(common.ReloadViewsMsg); ok {
			t.Fatal("the views were rebuilt (or the session swapped) after a rolled-back restore")
		}
	}
}

// TestRestoreAuthFieldsCancel: esc in the user or the password field restores nothing.
func TestRestoreAuthFieldsCancel(t *testing.T) {
	m := authQuestionView(80, 24)
	for _, at := range []string{"user", "password"} {
		press(m, "R")
		press(m, "r", "e", "s", "t", "o", "r", "e", "enter")
		if at == "password" {
			press(m, "enter")
		}
		if !m.InputFocused() {
			t.Fatalf("%s: no field open:\n%s", at, m.View())
		}
		cmd := press(m, "esc")
		if flash, ok := cmd().(common.FlashMsg); !ok || !strings.Contains(flash.Text, "restore cancelled") || m.InputFocused() || m.restore.task.Running() {
			t.Fatalf("esc in the %s field: %+v, open %v", at, flash, m.InputFocused())
		}
	}
}

// authQuestionView is the fixture view on an embedded member's session (no client: nothing
// runs), its selected file's status saying authentication was on.
func authQuestionView(w, h int) *Model {
	s := config.Defaults()
	s.BackupDir = "/backups"
	sess := cluster.NewSession(context.Background(), nil, "embedded", &embednode.Child{})
	m := New(common.Common{Styles: common.NewStyles(false), Keys: keymap.DefaultKeyMap(), Settings: s, Session: sess})
	m.exe = "etcdeck"
	m.SetSize(w, h)
	files, sts := fixture()
	m.Update(listedMsg{sid: sess.ID, gen: m.gen, files: files})
	for _, f := range files {
		if st, ok := sts[f.Path]; ok {
			st.Auth = embednode.AuthOn
			m.reading = ""
			m.Update(statusMsg{sid: sess.ID, path: f.Path, st: st})
		}
	}
	return m
}

// press feeds keys to m, running each command and feeding back the messages it returns (the
// question's answer), and returns the last key's command.
func press(m *Model, keys ...string) tea.Cmd {
	var last tea.Cmd
	for _, k := range keys {
		_, cmd := m.Update(viewtest.Key(k))
		last = cmd
		if cmd == nil {
			continue
		}
		if msg, ok := cmd().(common.ConfirmMsg); ok {
			_, last = m.Update(msg)
		}
	}
	return last
}

// TestGoldenRestoreAuth renders R's question for a backup with authentication on, and the
// password field with a password typed (nothing of it shows), at 80x24 and 120x40.
func TestGoldenRestoreAuth(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		w, h := size[0], size[1]
		for _, sc := range []struct {
			name string
			keys []string
		}{
			{"question", []string{"R"}},
			{"password", []string{"R", "r", "e", "s", "t", "o", "r", "e", "enter", "enter", "s", "e", "c", "r", "e", "t"}},
		} {
			t.Run(fmt.Sprintf("%s_%dx%d", sc.name, w, h), func(t *testing.T) {
				m := authQuestionView(w, h)
				press(m, sc.keys...)
				got := screen(m)
				if lines := strings.Split(got, "\n"); len(lines) != h {
					t.Fatalf("%d lines, want %d", len(lines), h)
				}
				if strings.Contains(got, "secret") {
					t.Fatalf("the password shows:\n%s", got)
				}
				golden.RequireEqual(t, []byte(got))
			})
		}
	}
}

// TestRestoreWaitsForAuthStatus: R on a file whose status is not read yet says it reads it
// first, and asks once the status arrives, with the authentication warning when it is on.
func TestRestoreWaitsForAuthStatus(t *testing.T) {
	m := authQuestionView(120, 40)
	files, sts := fixture()
	var waiting backup.File
	for i, f := range files {
		if _, ok := sts[f.Path]; !ok {
			waiting = f
			for range i {
				press(m, "j")
			}
			break
		}
	}
	delete(m.statuses, waiting.Path)
	press(m, "R")
	if m.InputFocused() || m.restore.waiting != waiting.Path {
		t.Fatalf("R before the status: question open %v, waiting for %q", m.InputFocused(), m.restore.waiting)
	}
	st := embednode.SnapshotStatus{Path: waiting.Path, SHA256: embednode.SHA256OK, Revision: 3990, Auth: embednode.AuthOn}
	m.reading = waiting.Path
	m.Update(statusMsg{sid: m.common.SessionID(), path: waiting.Path, st: st})
	if q := strings.Join(strings.Fields(ansi.Strip(m.View())), " "); !m.InputFocused() ||
		!strings.Contains(q, "Restore "+waiting.Name+" (rev 3,990)") || !strings.Contains(q, "will require a user and password") {
		t.Fatalf("the question once the status arrived:\n%s", m.View())
	}
}

// TestRestoreAuthBackupRefusedReadOnly: on a read-only session R of a backup with authentication
// on is refused before anything is asked (no question, no user or password field), and the
// refusal is in the audit log.
func TestRestoreAuthBackupRefusedReadOnly(t *testing.T) {
	mem := nodetest.Start(t)
	auditPath := filepath.Join(t.TempDir(), cluster.AuditFile)
	audit, err := cluster.OpenAudit(auditPath)
	if err != nil {
		t.Fatal(err)
	}
	defer audit.Close()
	s := viewtest.SessionOf(t, cluster.ConnConfig{Endpoints: mem.Endpoints(), InsecureTransport: true}, "embedded", &embednode.Child{},
		cluster.WithReadOnly(true), cluster.WithAudit(audit))
	m := authQuestionView(120, 40)
	m.common.Session = s
	cmd := press(m, "R")
	if cmd == nil {
		t.Fatal("R on a read-only session said nothing")
	}
	flash, ok := cmd().(common.FlashMsg)
	if !ok || flash.Level != common.FlashError || !strings.Contains(flash.Text, "read-only session") || m.InputFocused() {
		t.Fatalf("R on a read-only session: %+v, question open %v", flash, m.InputFocused())
	}
	data, err := os.ReadFile(auditPath)
	if err != nil || !strings.Contains(string(data), `"action":"restore"`) || !strings.Contains(string(data), `"result":"refused: read-only"`) {
		t.Fatalf("audit log after R refused: %s %v", data, err)
	}
}

// TestRestoreAndOpenExclusive: o while a restore runs, and R while a snapshot is being opened,
// say so and start nothing: a snapshot shown on top would hold the session the restore replaces.
func TestRestoreAndOpenExclusive(t *testing.T) {
	m := authQuestionView(120, 40)
	block := make(chan struct{})
	defer close(block)
	wait := func(context.Context, *common.TaskRun) (restored, error) { <-block; return restored{}, nil }
	m.restore.task.Start(context.Background(), "restore", wait)
	if flash, ok := press(m, "o")().(common.FlashMsg); !ok || !strings.Contains(flash.Text, "a restore into the embedded member is running") || m.open.Running() {
		t.Fatalf("o during a restore: %+v, open running %v", flash, m.open.Running())
	}
	m2 := authQuestionView(120, 40)
	m2.open.Start(context.Background(), "open", func(context.Context, *common.TaskRun) (opened, error) { <-block; return opened{}, nil })
	if flash, ok := press(m2, "R")().(common.FlashMsg); !ok || !strings.Contains(flash.Text, "a snapshot is being opened") || m2.InputFocused() {
		t.Fatalf("R during an open: %+v, question open %v", flash, m2.InputFocused())
	}
}
