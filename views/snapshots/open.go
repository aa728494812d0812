package snapshots

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/embednode"
	"github.com/etcdeck/etcdeck/views/common"
)

// openID names `o`'s task in the status bar.
const openID = "snapshots.open"

// openTimeout bounds restoring and serving one snapshot (a multi-gigabyte file takes a while).
const openTimeout = 10 * time.Minute

// closeWait bounds how long Close waits for an open it cancelled to stop its children and
// remove its directory (a restore child and a member each stop within seconds).
const closeWait = 15 * time.Second

// opened is a snapshot served by a temporary member and the read-only session on it.
type opened struct {
	file    string
	session *cluster.Session
	snap    *embednode.OpenedSnapshot
}

// release ends a session no view will show and stops its member.
func (o opened) release() {
	if o.session != nil {
		o.session.End()
		o.snap.Close()
	}
}

// newOpenTask is `o`'s task: the selected snapshot restored into a temporary directory and
// served by a temporary member, shown as a read-only session the root puts on top of the
// cluster's. esc cancels it; an opened snapshot nobody takes (the console quit) is released.
func newOpenTask() *common.Task[opened] {
	return common.NewTask(openID, common.TaskTimeout[opened](openTimeout),
		common.TaskCancelNote[opened]("its temporary dir is removed"),
		common.TaskRelease(opened.release),
		common.TaskResultText(func(o opened) string {
			return fmt.Sprintf("opened %s at rev %d, read-only (esc or :close goes back)", filepath.Base(o.file), o.snap.Result.Revision)
		}))
}

// startOpen opens the selected snapshot, or says why not.
func (m *Model) startOpen() tea.Cmd {
	f, ok := m.selected()
	switch {
	case !ok:
		return nil
	case m.open.Running():
		return flashWarn("a snapshot is being opened already")
	case m.restore.task.Running():
		// Shown on top, the snapshot would hold the cluster's session underneath while the
		// restore ends and replaces it (a new user, rebuilt views).
		return flashWarn("a restore into the embedded member is running: o when it is done")
	case m.exe == "":
		return flashErr("open: etcdeck's own binary is unknown, and the snapshot must be served by a child process")
	}
	exe, file, log, conn := m.exe, f.Path, m.common.Logger(), m.common.Settings.Conn
	// The session's context ends with the console; esc cancels the task's too.
	return m.open.Start(m.common.Context(), "open "+filepath.Base(file), func(ctx context.Context, r *common.TaskRun) (opened, error) {
		step := func(s string) { r.Step(openStepText(s)) }
		snap, err := embednode.OpenSnapshot(ctx, exe, file, "", io.Discard, step)
		if err != nil {
			return opened{}, err
		}
		step(stepConnecting)
		// Read-only refuses every write in cluster's write path.
		client, err := cluster.Connect(ctx, conn.Local(snap.Endpoints()), log.Named("snapshot"), cluster.WithSnapshot(file))
		if err == nil {
			err = ctx.Err() // cancelled while connecting: nobody waits for the session
		}
		if err != nil {
			if client != nil {
				client.Close()
			}
			snap.Close()
			return opened{}, err
		}
		s := cluster.NewSession(context.Background(), client, "snapshot "+filepath.Base(file)+" · read-only", nil)
		return opened{file: file, session: s, snap: snap}, nil
	})
}

// stepConnecting is the last step of an open, in the view: the client dials the member.
const stepConnecting = "connecting"

// openStepText says what an open is doing, for the status bar.
func openStepText(step string) string {
	switch step {
	case embednode.StepRestoring:
		return "restoring into a temporary dir (child process)"
	case embednode.StepServing:
		return "starting the temporary member"
	case stepConnecting:
		return "connecting to the temporary member"
	}
	return step
}

// Close ends an open still running when the console exits and waits (a few seconds at most)
// for it to stop its children and remove its temporary directory; a snapshot that opened just
// then is closed, since no view will show it. Run calls it after the program ends.
func (m *Model) Close() { m.open.Close(closeWait) }

// openDone shows the opened snapshot's session; the root keeps the cluster's underneath.
func (m *Model) openDone(res *common.TaskResult[opened]) tea.Cmd {
	if res == nil || res.Err != nil {
		return nil
	}
	o := res.Value
	return common.Cmd(common.OpenSessionMsg{Session: o.session, Close: o.snap.Close})
}
