package snapshots

// HandlesBack is true while esc has work in this view (close the plan or a file's status, cancel
// a save or an open), so on an opened snapshot esc does that before it closes the snapshot
// (common.BackHandler).
func (m *Model) HandlesBack() bool {
	return m.plan.shown || m.plan.prompt.Active() || m.restore.creds.active() || m.detail || m.save.Running() || m.open.Running()
}
