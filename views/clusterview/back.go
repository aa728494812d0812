package clusterview

// HandlesBack is true while esc leaves a member's details, so on an opened snapshot esc does
// that before it closes the snapshot (common.BackHandler).
func (m *Model) HandlesBack() bool { return m.details }
