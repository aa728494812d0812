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

// memberRestartedMsg carries the result of restarting the member of session sid.
type memberRestartedMsg struct {
	sid uint64
	err error
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
	if m.restarting || m.member == nil {
		return nil // one restart at a time; the status bar shows it running
	}
	m.restarting = true
	mem, parent, sid := m.member, m.common.Context(), sessionID(m.common.Session)
	return tea.Batch(
		common.StartTask("tui.restart-member", "restarting the embedded member", false),
		func() tea.Msg {
			// Quitting ends the session and so abandons the restart.
			ctx, cancel := context.WithTimeout(parent, time.Minute)
			defer cancel()
			return memberRestartedMsg{sid: sid, err: mem.Restart(ctx)}
		})
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

// memberRestarted ends the restart task and watches the new process, for the session shown or
// one underneath (a restart begun before a snapshot was opened).
func (m *Model) memberRestarted(msg memberRestartedMsg) tea.Cmd {
	if msg.err != nil {
		if msg.sid == sessionID(m.common.Session) {
			m.restarting = false
		} else if f := m.frameOf(msg.sid); f != nil {
			f.restarting = false
		}
		return common.EndTask("tui.restart-member", "", msg.err)
	}
	done := common.EndTask("tui.restart-member", "member running again", nil)
	if msg.sid != sessionID(m.common.Session) {
		f := m.frameOf(msg.sid)
		if f == nil {
			return done
		}
		f.restarting, f.memberDown = false, nil
		return tea.Batch(done, waitMemberOf(f.member, msg.sid))
	}
	m.restarting = false
	m.memberDown, m.memberPanel = nil, false
	m.keys.Global.RestartMember.SetEnabled(false)
	return tea.Batch(done, m.waitMember(), m.status.restartPolling(m.common.Session))
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
