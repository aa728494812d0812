package clusterview

// HandlesBack is true while esc has something to do here — leave a member's details, close a
// question, cancel a running action or close its result — so on an opened snapshot esc does
// that before it closes the snapshot (common.BackHandler).
func (m *Model) HandlesBack() bool {
	return m.details || m.maint.confirm.Active() || m.maint.task.Running() || len(m.maint.result.Lines) > 0
}
