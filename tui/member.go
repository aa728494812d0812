package tui

import (
	"context"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/views/common"
)

// memberLines is how many of the member's last log lines the exit panel shows.
const memberLines = 10

// memberExitedMsg says the embedded member of session sid ended. The session may no longer be
// the one shown (a snapshot opened on top), so the message names it.
type memberExitedMsg struct {
	sid   uint64
	lines []string
}

// restartID names the restart's task in the status bar.
const restartID = "tui.restart-member"

// restartTimeout bounds a restart of the embedded member.
const restartTimeout = time.Minute

// newRestartTask is the task restarting the embedded member runs on; its value is the session
// whose member it restarted (the one shown, or one underneath once a snapshot was opened).
func newRestartTask() *common.Task[uint64] {
	return common.NewTask(restartID, common.TaskTimeout[uint64](restartTimeout),
		common.TaskResultText(func(uint64) string { return "member running again" }))
}

// waitMember watches the shown session's member for its exit.
func (m *Model) waitMember() tea.Cmd {
	return waitMemberOf(m.member, sessionID(m.common.Session))
}

func waitMemberOf(mem cluster.Member, sid uint64) tea.Cmd {
	if mem == nil {
		return nil
	}
	ch := mem.Exited()
	return func() tea.Msg {
		<-ch
		return memberExitedMsg{sid: sid, lines: mem.LastLines(memberLines)}
	}
}

func (m *Model) restartMember() tea.Cmd {
	if m.restart.Running() || m.member == nil {
		return nil // one restart at a time; the status bar shows it running
	}
	mem, sid := m.member, sessionID(m.common.Session)
	// Quitting ends the session and so abandons the restart.
	return m.restart.Start(m.common.Context(), "restarting the embedded member", func(ctx context.Context, _ *common.TaskRun) (uint64, error) {
		return sid, mem.Restart(ctx)
	})
}

// updateRestart gives msg to the restart's task; ok is true when it was the task's.
func (m *Model) updateRestart(msg tea.Msg) (tea.Cmd, bool) {
	res, mine, cmd := m.restart.Update(msg)
	if !mine {
		return nil, false
	}
	return tea.Batch(cmd, m.memberRestarted(res)), true
}

// memberExited shows the exit panel when the shown session's member ended; the exit of the
// member of a session underneath is kept in its frame and shown when that session is back.
func (m *Model) memberExited(msg memberExitedMsg) tea.Cmd {
	lines := msg.lines
	if len(lines) == 0 {
		lines = []string{"(the member wrote nothing)"}
	}
	if msg.sid != sessionID(m.common.Session) {
		if f := m.frameOf(msg.sid); f != nil && !memberRunning(f.member) {
			f.memberDown = lines
		}
		return nil // a session already closed: nothing to report
	}
	if m.memberBusy || memberRunning(m.member) {
		// Stopped on purpose (watched again when the work ends), or the exit of a process
		// a restore already replaced.
		return nil
	}
	m.memberDown, m.memberPanel = lines, true
	m.keys.Global.RestartMember.SetEnabled(true)
	return nil
}

// memberRestarted watches the new process, for the session shown or one underneath (a restart
// begun before a snapshot was opened); the task's ✓/✗ line is the status bar's.
func (m *Model) memberRestarted(res *common.TaskResult[uint64]) tea.Cmd {
	if res == nil || res.Err != nil {
		return nil
	}
	if sid := res.Value; sid != sessionID(m.common.Session) {
		f := m.frameOf(sid)
		if f == nil {
			return nil
		}
		f.memberDown = nil
		return waitMemberOf(f.member, sid)
	}
	m.memberDown, m.memberPanel = nil, false
	m.keys.Global.RestartMember.SetEnabled(false)
	return tea.Batch(m.waitMember(), m.status.restartPolling(m.common.Session))
}

// frameOf is the frame underneath holding session sid, nil when none does.
func (m *Model) frameOf(sid uint64) *sessionFrame {
	for i := range m.stack {
		if sessionID(m.stack[i].common.Session) == sid {
			return &m.stack[i]
		}
	}
	return nil
}

// memberRunning is true when mem's current process has not exited.
func memberRunning(mem cluster.Member) bool {
	if mem == nil {
		return false
	}
	select {
	case <-mem.Exited():
		return false
	default:
		return true
	}
}
