package tui

import (
	tea "charm.land/bubbletea/v2"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/views/common"
)

// sessionFrame is the console's state on one session, kept underneath while another session (a
// snapshot opened read-only) is shown.
type sessionFrame struct {
	common   common.Common
	member   cluster.Member
	views    [numViews]common.Component
	active   int
	label    string
	insecure string
	readOnly bool
	cmd      cmdline
	close    func() error // releases what the shown session stands on; nil for the first
	// memberDown holds the member's last lines when it exited (shown again when the session is).
	memberDown []string
}

// openSession shows s in place of the current session: the current views are blurred and kept
// (their results still reach them), new views are built on s.
func (m *Model) openSession(msg common.OpenSessionMsg) tea.Cmd {
	if msg.Session == nil {
		return nil
	}
	m.views[m.active].Blur()
	m.stack = append(m.stack, sessionFrame{common: m.common, member: m.member, views: m.views, active: m.active,
		label: m.status.label, insecure: m.status.insecure, readOnly: m.status.readOnly, cmd: m.cmd, close: m.closeShown,
		memberDown: m.memberDown})
	m.closeShown = msg.Close
	// The member's panel and restart belong to the session underneath.
	m.memberDown, m.memberPanel = nil, false
	m.keys.Global.RestartMember.SetEnabled(false)
	c := m.common
	c.Session = msg.Session
	m.common, m.member = c, nil // a snapshot's temporary member is not the console's to restart
	m.status.label, m.status.insecure, m.status.readOnly = msg.Session.Label, "", msg.Session.ReadOnly
	m.cmd = newCmdline(c.Styles, msg.Session, m.sep())
	m.cmd.prompt.SetWidth(m.width)
	m.views = m.makeViews(c)
	m.active = viewKeys
	return m.startViews()
}

// closeSession ends the session shown and shows the one underneath again.
func (m *Model) closeSession() tea.Cmd {
	if len(m.stack) == 0 {
		return nil
	}
	m.views[m.active].Blur()
	shown, release := m.pop()
	m.setSize(m.width, m.height)
	end := func() tea.Msg {
		shown.End()
		var err error
		if release != nil {
			err = release()
		}
		return common.SessionClosedMsg{Label: shown.Label, Err: err}
	}
	return tea.Batch(end, m.status.restartPolling(m.common.Session), m.views[m.active].Focus())
}

// pop shows the session underneath again and returns the one shown with its release.
func (m *Model) pop() (*cluster.Session, func() error) {
	shown, release := m.common.Session, m.closeShown
	f := m.stack[len(m.stack)-1]
	m.stack = m.stack[:len(m.stack)-1]
	m.common, m.member, m.views, m.active, m.cmd, m.closeShown = f.common, f.member, f.views, f.active, f.cmd, f.close
	m.status.label, m.status.insecure, m.status.readOnly = f.label, f.insecure, f.readOnly
	m.memberDown = f.memberDown
	m.memberPanel = len(f.memberDown) > 0 // it exited while the snapshot was shown
	m.keys.Global.RestartMember.SetEnabled(m.memberPanel)
	return shown, release
}

// reloadViews rebuilds the views of the session shown: its data changed under them.
func (m *Model) reloadViews() tea.Cmd {
	m.views[m.active].Blur()
	m.views = m.makeViews(m.common)
	return m.startViews()
}

// startViews sizes and starts freshly built views, focuses the active one, and polls the status
// of the session shown.
func (m *Model) startViews() tea.Cmd {
	m.setSize(m.width, m.height)
	cmds := []tea.Cmd{m.status.restartPolling(m.common.Session)}
	for _, v := range m.views {
		cmds = append(cmds, v.Init())
	}
	return tea.Batch(append(cmds, m.views[m.active].Focus())...)
}

// sessionClosed reports a failure to release a closed session.
func (m *Model) sessionClosed(msg common.SessionClosedMsg) tea.Cmd {
	if msg.Err != nil {
		return m.status.setFlash(common.FlashError, "closing "+msg.Label+": "+msg.Err.Error())
	}
	return m.status.setFlash(common.FlashInfo, "closed "+msg.Label)
}

// forwardUnder hands a message to the views of the sessions underneath: their results keep
// arriving while a snapshot is shown, and each drops what is not its own.
func (m *Model) forwardUnder(msg tea.Msg) tea.Cmd {
	var cmds []tea.Cmd
	for i := range m.stack {
		for j, v := range m.stack[i].views {
			nv, cmd := v.Update(msg)
			m.stack[i].views[j] = nv
			cmds = append(cmds, cmd)
		}
	}
	return tea.Batch(cmds...)
}

// backClosesSession is true when esc should close the snapshot shown: one is shown and the
// active view has no use for esc now.
func (m *Model) backClosesSession() bool {
	if len(m.stack) == 0 {
		return false
	}
	if h, ok := m.views[m.active].(common.BackHandler); ok && h.HandlesBack() {
		return false
	}
	return true
}

// CloseSessions ends every session opened on top of the first and releases what they stand on;
// Run calls it when the console exits.
func (m *Model) CloseSessions() []error {
	var errs []error
	for len(m.stack) > 0 {
		shown, release := m.pop()
		shown.End()
		if release != nil {
			if err := release(); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return errs
}

// sessionID is s's ID, 0 for no session (rendering tests, whose messages carry 0).
func sessionID(s *cluster.Session) uint64 {
	if s == nil {
		return 0
	}
	return s.ID
}
