package keys

// HandlesBack is true while esc clears the filter, so esc does not close a snapshot's session
// then (common.BackHandler).
func (m *Model) HandlesBack() bool { return m.filterText != "" || m.substring }
