package keys

// HandlesBack is true while esc has work in the view: back from the value to the list, close the
// inspector or the history, clear the filter, or go up a level below the directory the view
// opened at. So in an opened snapshot esc goes back one level at a time, and closes the snapshot
// only from the top (common.BackHandler); :close closes it from anywhere.
func (m *Model) HandlesBack() bool {
	return m.pane != paneNone || m.filterText != "" || m.substring || m.belowHome()
}
