package tui

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/etcdeck/etcdeck/views/common"
)

// handleKey applies the focus rule: whoever holds a text field gets every key except ctrl+c
// (enter and esc go to the field too, which submits or closes it); otherwise overlays first,
// then global bindings, then the active view.
func (m *Model) handleKey(msg tea.KeyPressMsg) tea.Cmd {
	g := m.keys.Global

	if m.confirm.Active() {
		if key.Matches(msg, g.Interrupt) {
			return tea.Quit // a second interrupt means it
		}
		return m.confirm.Update(msg)
	}
	if key.Matches(msg, g.Interrupt) {
		return m.requestQuit()
	}
	if m.cmd.prompt.Active() {
		return m.cmd.update(msg)
	}
	if m.views[m.active].InputFocused() {
		return m.forward(m.active, msg)
	}
	if m.memberPanel {
		switch {
		case key.Matches(msg, g.RestartMember):
			return m.restartMember()
		case key.Matches(msg, g.Quit):
			return m.requestQuit()
		case key.Matches(msg, g.Back):
			m.memberPanel = false // look around anyway; the status bar shows the failing polls
		}
		return nil
	}
	if m.showHelp && m.showUsage {
		// The :usage panel's question takes every key; s and (while it saves) esc are its own.
		if cmd, ok := m.usage.HandleKey(msg); ok {
			if m.usage.Asking() {
				m.overlayTop = 0 // the question is the panel's first line
			}
			return cmd
		}
	}

	if t, ok := m.views[m.active].(common.TabTaker); ok && !m.showHelp && key.Matches(msg, g.NextView) && t.TakesTab() {
		return m.forward(m.active, msg)
	}
	if i, ok := m.viewFor(msg); ok {
		return m.show(i)
	}
	switch {
	case key.Matches(msg, g.Quit):
		return m.requestQuit()
	case key.Matches(msg, g.RestartMember): // enabled only once the member exited
		return m.restartMember()
	case key.Matches(msg, g.Help):
		m.showHelp, m.showMessages, m.showContexts, m.showUsage, m.overlayTop = !m.showHelp, false, false, false, 0
		return nil
	case key.Matches(msg, g.Command):
		m.showHelp = false
		return m.cmd.open()
	case key.Matches(msg, g.NextView):
		return m.show((m.active + 1) % numViews)
	case key.Matches(msg, g.PrevView):
		return m.show((m.active + numViews - 1) % numViews)
	case !m.showHelp && key.Matches(msg, g.Snapshot) && len(m.stack) > 0:
		// A backup of an opened backup would be a copy under a new cluster ID.
		return m.status.setFlash(common.FlashWarn, "this is a snapshot opened read-only: esc goes back to the cluster, where s saves one")
	case !m.showHelp && key.Matches(msg, g.Snapshot):
		// The Snapshots view owns saving; it reports in the status bar from wherever we are.
		return m.forward(viewSnapshots, common.SaveSnapshotMsg{})
	case m.showHelp && key.Matches(msg, g.Back):
		m.showHelp = false
		return nil
	case m.showHelp:
		m.scrollOverlay(msg)
		return nil // the help overlay is modal: view keys would act on a hidden screen
	case key.Matches(msg, g.Back) && m.backClosesSession():
		return m.closeSession()
	}
	return m.forward(m.active, msg)
}
