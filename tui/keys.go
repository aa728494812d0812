package tui

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// handleKey applies the focus rule: whoever holds a text field gets every key except ctrl+c
// (enter and esc go to the field too, which submits or closes it); otherwise overlays first,
// then global bindings, then the active view.
func (m *Model) handleKey(msg tea.KeyPressMsg) tea.Cmd {
	g := m.keys.Global

	if m.confirmQuit != nil {
		switch msg.String() {
		case "y", "Y":
			return tea.Quit
		}
		if key.Matches(msg, g.Interrupt) {
			return tea.Quit // a second interrupt means it
		}
		m.confirmQuit = nil
		return nil
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

	switch {
	case key.Matches(msg, g.Quit):
		return m.requestQuit()
	case key.Matches(msg, g.RestartMember): // enabled only once the member exited
		return m.restartMember()
	case key.Matches(msg, g.Help):
		m.showHelp = !m.showHelp
		return nil
	case key.Matches(msg, g.Command):
		m.showHelp = false
		return m.cmd.open()
	case key.Matches(msg, g.NextView):
		m.active = (m.active + 1) % numViews
		return nil
	case key.Matches(msg, g.PrevView):
		m.active = (m.active + numViews - 1) % numViews
		return nil
	case key.Matches(msg, g.ViewKeys):
		m.active = viewKeys
		return nil
	case key.Matches(msg, g.ViewWatch):
		m.active = viewWatch
		return nil
	case key.Matches(msg, g.ViewCluster):
		m.active = viewCluster
		return nil
	case key.Matches(msg, g.ViewSnapshots):
		m.active = viewSnapshots
		return nil
	case m.showHelp && key.Matches(msg, g.Back):
		m.showHelp = false
		return nil
	case m.showHelp:
		return nil // the help overlay is modal: view keys would act on a hidden screen
	}
	return m.forward(m.active, msg)
}
