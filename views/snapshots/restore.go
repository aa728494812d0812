package snapshots

import (
	"context"
	"fmt"
	"path/filepath"

	tea "charm.land/bubbletea/v2"

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
	seq     int
	running bool
	steps   chan string
}

// restoreStepMsg is the step restore seq has reached.
type restoreStepMsg struct {
	sid  uint64
	seq  int
	step string
}

// restoreDoneMsg ends restore seq.
type restoreDoneMsg struct {
	sid uint64
	seq int
	res embednode.MemberRestoreResult
	err error
}

// member is the embedded member the session runs, or nil when connected elsewhere.
func (m *Model) member() *embednode.Child {
	if m.common.Session == nil {
		return nil
	}
	c, _ := m.common.Session.Member.(*embednode.Child)
	return c
}

// askRestore opens the typed question for the selected file, or says why not.
func (m *Model) askRestore() tea.Cmd {
	f, ok := m.selected()
	switch {
	case !ok:
		return nil
	case m.restore.running:
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
	return m.confirm.AskTyped(restoreID, fmt.Sprintf("Restore %s (rev %d) into the embedded member? Its data moves aside, not deleted.",
		f.Name, f.Revision), restoreWord)
}

// startRestore runs the restore the user confirmed.
func (m *Model) startRestore() tea.Cmd {
	file, child := m.restore.asked, m.member()
	m.restore.asked = ""
	if file == "" || child == nil {
		return nil
	}
	m.restore.seq++
	m.restore.running = true
	steps := make(chan string, 8)
	m.restore.steps = steps
	seq, sid, exe, ctx, client := m.restore.seq, m.common.SessionID(), m.exe, m.common.Context(), m.common.Session.Client
	run := func() tea.Msg {
		defer close(steps)
		var res embednode.MemberRestoreResult
		restore := func(ctx context.Context) (int64, error) {
			var err error
			res, err = embednode.RestoreMember(ctx, exe, child, embednode.MemberRestore{Snapshot: file,
				Step: func(s string) {
					select {
					case steps <- s:
					default: // the bar shows the latest step; never block the restore on the UI
					}
				}})
			return res.Revision, err
		}
		var err error
		if client != nil {
			_, err = client.Restore(ctx, file, restore) // refused when read-only, audited
		} else {
			_, err = restore(ctx)
		}
		return restoreDoneMsg{sid: sid, seq: seq, res: res, err: err}
	}
	// The root learns the member stops on purpose long before the restore child is done and
	// stops it.
	return tea.Batch(common.Cmd(common.MemberBusyMsg{Busy: true}), common.StartTask(restoreID, "restore "+filepath.Base(file), true),
		run, waitStep(sid, seq, steps))
}

// waitStep delivers the next step of restore seq; it ends with the restore.
func waitStep(sid uint64, seq int, steps chan string) tea.Cmd {
	return func() tea.Msg {
		s, ok := <-steps
		if !ok {
			return nil
		}
		return restoreStepMsg{sid: sid, seq: seq, step: s}
	}
}

func (m *Model) restoreStep(msg restoreStepMsg) tea.Cmd {
	if msg.sid != m.common.SessionID() || !m.restore.running || msg.seq != m.restore.seq {
		return nil
	}
	return tea.Batch(common.TaskProgress(restoreID, stepText(msg.step)), waitStep(msg.sid, msg.seq, m.restore.steps))
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

// restoreDone reports the restore and, when the member's data changed, rebuilds every view:
// their listings, watches and revisions belong to the old data.
func (m *Model) restoreDone(msg restoreDoneMsg) tea.Cmd {
	if msg.sid != m.common.SessionID() || msg.seq != m.restore.seq {
		return nil
	}
	m.restore.running = false
	idle := common.Cmd(common.MemberBusyMsg{Busy: false})
	if msg.err != nil {
		return tea.Batch(common.EndTask(restoreID, "", msg.err), idle)
	}
	return tea.Batch(common.EndTask(restoreID, msg.res.String()+"; "+m.oldBackupsNote(), nil), idle, common.Cmd(common.ReloadViewsMsg{}))
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
