package keys

import (
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/views/common"
)

// The preview: while the inspector is shown and the list has the focus, the inspector shows the
// key under the cursor, as lazygit's and k9s's panes do, so the next key is one j away instead of
// esc, j, enter. The value is read only once the cursor has rested on a row for previewDelay:
// holding j through a directory reads nothing for the rows passed. 120 columns and wider the
// preview opens by itself beside the list when the cursor rests on a key (there is room); esc on
// the list closes it, and it stays closed until enter opens a value again.

// previewDelay is how long the cursor rests on a row before the inspector reads it.
const previewDelay = 100 * time.Millisecond

// previewMsg says the cursor may have rested: it is current when seq is still the last asked.
type previewMsg struct {
	sid uint64
	seq int
}

func (m previewMsg) ResultSession() uint64 { return m.sid }

// preview is the list's part of the preview.
type preview struct {
	seq     int    // bumps on every cursor move: older ticks are dropped
	waiting bool   // a tick for seq is armed
	row     string // the row the tick was armed for
	closed  bool   // esc closed the auto-opened preview: it stays closed until enter
}

// previewing: a preview would be shown for the row under the cursor now.
func (m *Model) previewing() bool {
	if m.focus != focusList || m.edit.areaOpen {
		return false
	}
	return m.pane == paneInspector || (m.pane == paneNone && m.autoPreview())
}

// autoPreview: the preview opens by itself beside the list.
func (m *Model) autoPreview() bool { return m.fullW >= sideBySide && !m.prev.closed }

// schedulePreview arms the rest timer for the row under the cursor when it changed since the
// last one armed (a live update that keeps the cursor on its row reads nothing).
func (m *Model) schedulePreview() tea.Cmd {
	if !m.previewing() {
		return nil
	}
	r, ok := m.selected()
	if !ok {
		if m.pane == paneInspector && m.insp.label == "" && !m.loading {
			m.setPane(paneNone) // no row (an empty or failed listing): nothing to preview
			m.prev.row = ""
		}
		return nil
	}
	name := m.dir + r.Name
	if name == m.prev.row && (m.prev.waiting || m.showsPreviewOf(r)) {
		return nil
	}
	m.prev.seq++
	m.prev.waiting, m.prev.row = true, name
	seq, sid := m.prev.seq, m.common.SessionID()
	return tea.Tick(previewDelay, func(time.Time) tea.Msg { return previewMsg{sid: sid, seq: seq} })
}

// showsPreviewOf: the inspector already shows row r as the preview would.
func (m *Model) showsPreviewOf(r cluster.Row) bool {
	in := &m.insp
	if m.pane != paneInspector || !in.open || in.key != m.dir+r.Name || in.label != "" {
		return false
	}
	if r.Leaf {
		return in.note == "" && in.rev == m.pinRev
	}
	return in.note != ""
}

// previewRested shows the row under the cursor once it rested there: a key's value (read now),
// or a line saying what a directory holds.
func (m *Model) previewRested(msg previewMsg) tea.Cmd {
	if msg.seq != m.prev.seq {
		return nil // the cursor moved on since
	}
	m.prev.waiting = false
	r, ok := m.selected()
	if !ok || !m.previewing() || m.dir+r.Name != m.prev.row || m.showsPreviewOf(r) {
		return nil
	}
	if m.pane == paneNone {
		if !r.Leaf {
			return nil // opened by itself on keys only: a directory row keeps the list whole
		}
		m.pane = paneInspector // the list keeps the focus
		m.layout()
		m.clamp()
	}
	if !r.Leaf {
		m.insp.showNote(m.dir+r.Name+string(m.sep), dirNote(r))
		return nil
	}
	return m.insp.show(m.dir+r.Name, m.pinRev)
}

// dirNote is what the preview says of a directory row.
func dirNote(r cluster.Row) string {
	what := "a directory"
	if r.Count >= 0 {
		what = "a directory of " + common.Plural(int(r.Count), "key")
	}
	return what + ": enter opens it"
}

// focusValue gives the value shown beside the list the focus (enter or tab on a key): the one
// previewed when it is the row's, else read now.
func (m *Model) focusValue(r cluster.Row) tea.Cmd {
	m.prev.closed = false
	if m.showsPreviewOf(r) && r.Leaf {
		m.prev.waiting = false
		m.prev.seq++ // a tick still armed for this row has nothing left to do
		m.show(paneInspector)
		return nil
	}
	return m.openInspector(r)
}

// listBack is esc on the list: it closes the preview when one is shown, else clears the filter,
// else goes up a level below the directory the view opened at. It reports whether esc did
// anything, so the root can close an opened snapshot when it did not (HandlesBack).
func (m *Model) listBack() (tea.Cmd, bool) {
	switch {
	case m.pane != paneNone:
		if m.autoPreview() {
			m.prev.closed = true
		}
		m.setPane(paneNone)
		return nil, true
	case m.filterText != "" || m.substring:
		m.filterText, m.substring = "", false
		if m.needsRelist() {
			return m.relist(), true
		}
		return m.refilter(), true
	case m.belowHome():
		return m.up(), true
	}
	return nil, false
}

// belowHome: the open directory is under the one the view opened at, so esc goes up a level
// (and esc at the top of an opened snapshot closes the snapshot instead).
func (m *Model) belowHome() bool {
	return len(m.dir) > len(m.home) && m.dir[:len(m.home)] == m.home
}

// TakesTab is true while tab moves the focus between the list and the value shown beside it
// rather than to the next view (common.TabTaker).
func (m *Model) TakesTab() bool {
	if m.focused() == focusInspector {
		return true
	}
	r, ok := m.selected()
	return m.focused() == focusList && m.pane == paneInspector && ok && r.Leaf
}
