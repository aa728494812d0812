package keys

// HandlesBack is true while esc closes a pane (the inspector, the history) or clears the filter,
// so esc does that before it closes an opened snapshot (common.BackHandler).
func (m *Model) HandlesBack() bool { return m.pane != paneNone || m.filterText != "" || m.substring }
