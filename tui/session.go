package tui

import (
	tea "charm.land/bubbletea/v2"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/views/common"
	"github.com/etcdeck/etcdeck/views/usage"
)

// sessionFrame is everything the console holds for one session: the root model holds the
// shown session's, and each session underneath (the cluster's, while a snapshot opened read-only
// is shown) is a frame on the stack, whole. Showing another session is building its frame and
// entering it: openSession pushes the shown one, closeSession pops it back; switching to another
// cluster would end the shown frame and enter the new one in its place.
type sessionFrame struct {
	common common.Common
	member cluster.Member // the session's member; nil when there is none
	views  [numViews]common.Component
	active int
	// header is what the status bar says of the session; the status bar holds the shown one's,
	// and leave keeps it here while the session is underneath.
	header header
	cmd    cmdline
	close  func() error // releases what the session stands on; nil for the first
	// usage is :usage's panel, drawn in the overlay.
	usage usage.Panel
	// memberDown holds the member's last lines when it exited (shown again when the session is).
	memberDown []string
}

// newFrame builds the frame of session c.Session: its views and command line.
func (m *Model) newFrame(c common.Common, member cluster.Member, h header, release func() error) sessionFrame {
	h.label = cluster.EscapeText(h.label) // a session's label names endpoints or a snapshot file
	f := sessionFrame{common: c, member: member, header: h, close: release,
		cmd: newCmdline(c.Styles, c.Session, c.Settings.Sep), views: m.makeViews(c), usage: usage.New(c)}
	f.cmd.prompt.SetWidth(m.width)
	return f
}

// enter makes f the shown session.
func (m *Model) enter(f sessionFrame) {
	m.sessionFrame = f
	m.status.header = f.header
}

// leave is the shown session's frame as it stands, to keep underneath.
func (m *Model) leave() sessionFrame {
	f := m.sessionFrame
	f.header = m.status.header
	return f
}

// openSession shows s in place of the current session: the current views are blurred and kept
// (their results still reach them), new views are built on s.
func (m *Model) openSession(msg common.OpenSessionMsg) tea.Cmd {
	if msg.Session == nil {
		return nil
	}
	m.views[m.active].Blur()
	m.stack = append(m.stack, m.leave())
	c := m.common
	c.Session = msg.Session
	// A snapshot's temporary member is not the console's to restart.
	m.enter(m.newFrame(c, nil, header{label: msg.Session.Label, readOnly: msg.Session.ReadOnly()}, msg.Close))
	// The member's panel and restart belong to the session underneath.
	m.memberPanel = false
	m.keys.Global.RestartMember.SetEnabled(false)
	return m.startViews()
}

// closeSession ends the session shown and shows the one underneath again; with none underneath
// it says there is nothing to close (:close on the cluster).
func (m *Model) closeSession() tea.Cmd {
	if len(m.stack) == 0 {
		return m.status.setFlash(common.FlashInfo, "nothing to close: no snapshot is open (o on the Snapshots view opens one)")
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
	shown := m.sessionFrame
	m.enter(m.stack[len(m.stack)-1])
	m.stack = m.stack[:len(m.stack)-1]
	m.memberPanel = len(m.memberDown) > 0 // it exited while the snapshot was shown
	m.keys.Global.RestartMember.SetEnabled(m.memberPanel)
	return shown.common.Session, shown.close
}

// swapSession shows s in place of the session shown, for the same member: a restore of a backup
// with authentication on made the member answer only the backup's users, and s is the
// connection as one of them. The old session ends (its client would only hear "user name is
// empty"); the views are rebuilt by the caller. The command watches the member again under
// s's ID, so its exit is reported.
func (m *Model) swapSession(s *cluster.Session) tea.Cmd {
	if len(m.stack) > 0 || m.common.Session == nil || s.Member != m.member {
		s.End() // not the shown member's session any more: nothing to swap
		return nil
	}
	old := m.common.Session
	m.common.Session = s
	m.cmd = newCmdline(m.common.Styles, s, m.common.Settings.Sep)
	m.cmd.prompt.SetWidth(m.width)
	m.status.header.label = cluster.EscapeText(s.Label)
	if m.close == nil {
		// The first session is main's to end, but s is the console's: CloseSessions ends a
		// session that has a release.
		m.close = func() error { return nil }
	}
	old.End()
	return m.waitMember()
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
	// A session :ctx switched to is the console's to end; the first one is its caller's.
	if m.close != nil && m.common.Session != nil {
		m.common.Session.End()
		if err := m.close(); err != nil {
			errs = append(errs, err)
		}
		m.close = nil
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
