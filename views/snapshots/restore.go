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
	asked string // the file the question is about
	task  *common.Task[embednode.MemberRestoreResult]
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
	case m.member() == nil:
		return flashWarn("R restores into etcdeck's embedded member; this console is connected to a cluster elsewhere: P shows the restore plan for it")
	case m.common.Session.Client != nil && m.common.Session.Client.ReadOnly():
		// Said before the typed question, by the write gate itself, so the refusal is audited.
		return refuseWrite(m.common.Session.Client, "restore", f.Path)
	case m.exe == "":
		return flashErr("restore: etcdeck's own binary is unknown, and the restore must run in a child process")
	}
	m.restore.asked = f.Path
	return m.confirm.AskTyped(restoreID, fmt.Sprintf("Restore %s (rev %s) into the embedded member? Its data moves aside, not deleted.",
		f.Name, m.revisionCell(f)), restoreWord)
}

// newRestoreTask is the task restores run on; the ✓ line says what the restore did to
// retention too.
func (m *Model) newRestoreTask() *common.Task[embednode.MemberRestoreResult] {
	return common.NewTask(restoreID, common.TaskCritical[embednode.MemberRestoreResult](),
		common.TaskResultText(func(res embednode.MemberRestoreResult) string { return res.String() + "; " + m.oldBackupsNote() }))
}

// startRestore runs the restore the user confirmed.
func (m *Model) startRestore() tea.Cmd {
	file, child := m.restore.asked, m.member()
	m.restore.asked = ""
	if file == "" || child == nil {
		return nil
	}
	exe, client := m.exe, m.common.Session.Client
	run := m.restore.task.Start(m.common.Context(), "restore "+filepath.Base(file), func(ctx context.Context, r *common.TaskRun) (embednode.MemberRestoreResult, error) {
		var res embednode.MemberRestoreResult
		restore := func(ctx context.Context) (int64, error) {
			var err error
			res, err = child.RestoreFrom(ctx, exe, embednode.MemberRestore{Snapshot: file,
				Step: func(s string) { r.Step(stepText(s)) }})
			return res.Revision, err
		}
		var err error
		if client != nil {
			_, err = client.Restore(ctx, file, restore) // refused when read-only, audited
		} else {
			_, err = restore(ctx)
		}
		return res, err
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
func (m *Model) restoreDone(res *common.TaskResult[embednode.MemberRestoreResult]) tea.Cmd {
	if res == nil {
		return nil
	}
	idle := common.Cmd(common.MemberBusyMsg{Busy: false})
	if res.Err != nil {
		return idle
	}
	return tea.Batch(idle, common.Cmd(common.ReloadViewsMsg{}))
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
