package watch

import "charm.land/bubbles/v2/key"

// ShortHelp lists the bindings that work now: none before a watch starts.
func (m *Model) ShortHelp() []key.Binding {
	if !m.watched {
		return nil
	}
	return m.common.Keys.Watch.ShortHelp()
}

// FullHelp groups the bindings that work now for the help overlay.
func (m *Model) FullHelp() [][]key.Binding {
	if !m.watched {
		return nil
	}
	return m.common.Keys.Watch.FullHelp()
}
