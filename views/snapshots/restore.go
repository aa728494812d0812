package snapshots

import (
	"context"
	"fmt"
	"path/filepath"

	tea "charm.land/bubbletea/v2"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/embednode"
	"github.com/etcdeck/etcdeck/views/common"
)

// restoreID names `R`'s question and its task in the status bar.
const restoreID = "snapshots.restore"

// restoreWord is what the user types to confirm a restore.
const restoreWord = "restore"

// restorer is `R`: the selected snapshot restored into the embedded member, after the user typed
// "restore", as a critical task (quitting asks) reported step by step in the status bar.
type restorer struct {
	asked   string // the file the question is about
	auth    bool   // its cluster had authentication on: a user and password follow the word
	waiting string // the file R waits for the status of (whether auth was on), then asks
	creds   credForm
	task    *common.Task[restored]
}

// restored is what a restore task did: the member's restore, and the session reconnected as the
// backup's user when its data has authentication on (nil otherwise).
type restored struct {
	res     embednode.MemberRestoreResult
	session *cluster.Session
}

// restorable is a session's member that a snapshot can be restored into (the embedded member):
// the view asks the member handle for the capability, never for its concrete type.
type restorable interface {
	cluster.Member
	RestoreFrom(ctx context.Context, exe string, r embednode.MemberRestore) (embednode.MemberRestoreResult, error)
}

// member is the session's member when it can be restored into, or nil (connected elsewhere, or
// a snapshot's temporary member).
func (m *Model) member() restorable {
	if m.common.Session == nil {
		return nil
	}
	c, _ := m.common.Session.Member.(restorable)
	return c
}

// askRestore opens the typed question for the selected file, or says why not.
func (m *Model) askRestore() tea.Cmd {
	f, ok := m.selected()
	switch {
	case !ok:
		return nil
	case m.restore.task.Running():
		return flashWarn("a restore is already running")
	case m.open.Running():
		return flashWarn("a snapshot is being opened: R when it is shown (then esc back) or cancelled")
	case m.member() == nil:
		return flashWarn("R restores into etcdeck's embedded member; this console is connected to a cluster elsewhere: P shows the restore plan for it")
	case m.common.Session.Client != nil && m.common.Session.Client.ReadOnly():
		// Said before the typed question, by the write gate itself, so the refusal is audited.
		return refuseWrite(m.common.Session.Client, "restore", f.Path)
	case m.exe == "":
		return flashErr("restore: etcdeck's own binary is unknown, and the restore must run in a child process")
	case m.statusPending(f.Path):
		// Whether the backup's cluster had authentication on decides what R asks: the question
		// opens once the status is read.
		m.restore.waiting = f.Path
		return tea.Batch(flashInfo("R: reading the file's status first (whether its cluster had authentication on)…"), m.readStatus(f.Path))
	}
	m.restore.asked, m.restore.auth = f.Path, m.authOn(f.Path)
	q := fmt.Sprintf("Restore %s (rev %s) into the embedded member? Its data moves aside, not deleted.", f.Name, m.revisionCell(f))
	if m.restore.auth {
		q += " The backup's cluster had authentication on: the restored member will require a user and password" +
			" (of the backup's users, asked next), and the console reconnects as that user."
	}
	return m.confirm.AskTyped(restoreID, q, restoreWord)
}

// confirmed follows the typed word: a backup with authentication on asks its user first.
func (m *Model) confirmed() tea.Cmd {
	if m.restore.auth && m.restore.asked != "" {
		return m.askCredentials()
	}
	return m.startRestore("", "")
}

// statusArrived opens R's question when the status it waited for is read and its file is still
// the one selected.
func (m *Model) statusArrived(path string) tea.Cmd {
	if m.restore.waiting != path {
		return nil
	}
	m.restore.waiting = ""
	if f, ok := m.selected(); !ok || f.Path != path || m.confirm.Active() || m.restore.creds.active() {
		return nil
	}
	return m.askRestore()
}

// newRestoreTask is the task restores run on; the ✓ line says what the restore did to
// retention too, and as whom the console is connected when the data has authentication on.
func (m *Model) newRestoreTask() *common.Task[restored] {
	return common.NewTask(restoreID, common.TaskCritical[restored](),
		common.TaskResultText(func(r restored) string {
			s := r.res.String() + "; " + m.oldBackupsNote()
			if r.session != nil {
				s += "; the console is connected as " + r.session.Client.Config().User // the status bar escapes
			}
			return s
		}))
}

// startRestore runs the restore the user confirmed; user and password are the backup's when its
// cluster had authentication on ("" otherwise). The password lives in this task's closure only.
func (m *Model) startRestore(user, password string) tea.Cmd {
	file, child := m.restore.asked, m.member()
	m.restore.asked, m.restore.auth = "", false
	if file == "" || child == nil {
		return nil
	}
	sess := m.common.Session
	exe, client := m.exe, sess.Client
	run := m.restore.task.Start(m.common.Context(), "restore "+filepath.Base(file), func(ctx context.Context, r *common.TaskRun) (restored, error) {
		var out restored
		restore := func(ctx context.Context) (int64, error) {
			var err error
			out.res, err = child.RestoreFrom(ctx, exe, embednode.MemberRestore{Snapshot: file, User: user, Password: password,
				Step: func(s string) { r.Step(stepText(s)) }})
			return out.res.Revision, err
		}
		var err error
		if client != nil {
			_, err = client.Restore(ctx, file, restore) // refused when read-only, audited
		} else {
			_, err = restore(ctx)
		}
		if err != nil || !out.res.AuthEnabled || client == nil {
			return out, err
		}
		// The session's client has no user for the member now: the console goes on as the user
		// the member was just checked with.
		r.Step("reconnecting as " + user)
		authed, err := client.WithCredentials(ctx, user, password)
		if err != nil {
			return out, fmt.Errorf("%s; but reconnecting as %s failed: %w (restart etcdeck with --user)", out.res, user, err)
		}
		out.session = sess.WithClient(authed)
		return out, nil
	})
	// The root learns the member stops on purpose long before the restore child is done and
	// stops it.
	return tea.Batch(common.Cmd(common.MemberBusyMsg{Busy: true}), run)
}

// stepText says what a restore step does, for the status bar.
func stepText(step string) string {
	switch step {
	case embednode.StepRestoring:
		return "restoring into a new dir (child process)"
	case embednode.StepStopping:
		return "stopping the member"
	case embednode.StepMovedAside:
		return "old data moved aside; moving the restored data in"
	case embednode.StepStarting:
		return "starting the member"
	case embednode.StepChecking:
		return "checking health and keys"
	}
	return step
}

// restoreDone tells the root the member is its own again and, when the member's data changed,
// rebuilds every view: their listings, watches and revisions belong to the old data.
func (m *Model) restoreDone(res *common.TaskResult[restored]) tea.Cmd {
	if res == nil {
		return nil
	}
	idle := common.Cmd(common.MemberBusyMsg{Busy: false})
	if res.Err != nil && res.Value.res.Backup == "" {
		return idle // rolled back or never begun: the member's data is what the views show
	}
	// With a new session, the root's swap watches the member again under its ID, whichever of
	// the two messages comes first (an exit reported twice shows the same panel).
	return tea.Batch(idle, common.Cmd(common.ReloadViewsMsg{Session: res.Value.session}))
}

// oldBackupsNote says what the restore did to retention. The restore gives the member a fresh
// cluster token (as etcd's guide asks: nothing of the old cluster may rejoin it), so its cluster ID
// changes and retention, which prunes per cluster ID, never prunes the earlier backups. Keeping
// the old ID is not safe when the snapshot came from another cluster, so this is said, not fixed.
func (m *Model) oldBackupsNote() string {
	note := "backups taken before the restore carry the old cluster ID and are kept by retention"
	if k := common.KeyName(m.common.Keys.Snapshots.Delete); k != "" {
		note += ": delete them with " + k + " when no longer needed"
	}
	return note
}
