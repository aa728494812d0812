package keys

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/views/common"
)

// The Keys view is a parent of small parts: the directory list (keys.go, load.go, live.go),
// the inspector (inspector.go), the history (history.go), time travel (timetravel.go) and the
// edits (edit.go). This file routes messages and keys between them and lays them out.

// sideBySide is the least width at which a pane goes beside the list rather than below it.
const sideBySide = 120

// pane is what shows beside or below the list.
type pane int

const (
	paneNone pane = iota
	paneInspector
	paneHistory
)

// layout gives the list and the open pane their parts of the view's full size.
func (m *Model) layout() {
	w, h := m.fullW, m.fullH
	m.width, m.height = w, h
	if m.pane == paneNone {
		return
	}
	pw, ph := w, h
	if w >= sideBySide {
		// The pane gets 80 columns when it can: a hex dump line is 79 wide.
		m.width = max(30, min(w*2/5, w-81))
		pw = w - m.width - 1
	} else {
		m.height = max(5, h/3)
		ph = h - m.height
	}
	m.insp.width, m.insp.height = pw, ph
	m.hist.width, m.hist.height = pw, ph
	m.insp.clamp()
}

// setPane opens or closes a pane and lays the view out again.
func (m *Model) setPane(p pane) {
	m.edit.whenShown = false
	if p != paneInspector && m.pane == paneInspector {
		m.insp.close()
	}
	if p != paneHistory && m.pane == paneHistory {
		m.hist.close()
	}
	m.pane = p
	m.layout()
	m.clamp()
}

// updateParts gives the parts their own results; ok is false for messages they do not own.
func (m *Model) updateParts(msg tea.Msg) (tea.Cmd, bool) {
	switch msg := msg.(type) {
	case inspectedMsg:
		current := msg.gen == m.insp.gen
		cmd := m.insp.update(msg)
		if m.edit.whenShown && current {
			m.edit.whenShown = false
			return tea.Batch(cmd, m.startEdit()), true
		}
		return cmd, true
	case renderedMsg, ttlTickMsg:
		return m.insp.update(msg), true
	case historyMsg:
		return m.hist.loaded(msg), true
	case diffMsg:
		m.hist.diffed(msg)
		return nil, true
	case tea.MouseWheelMsg:
		if m.pane != paneInspector || m.insp.doc == nil || (msg.Button != tea.MouseWheelUp && msg.Button != tea.MouseWheelDown) {
			return nil, false
		}
		if msg.Button == tea.MouseWheelUp {
			m.insp.offset -= 3
		} else {
			m.insp.offset += 3
		}
		m.insp.clamp() // the wheel scrolls the open value, not the list behind it
		return nil, true
	case TimeTravelMsg:
		return m.timeTravel(msg.Rev), true
	case revCheckedMsg:
		return m.revChecked(msg), true
	}
	return m.updateEdit(msg)
}

// handlePaneKey handles a key while a pane is open; ok is false to let the list have it.
func (m *Model) handlePaneKey(msg tea.KeyPressMsg) (tea.Cmd, bool) {
	km := m.common.Keys.Keys
	if m.pane == paneNone {
		return nil, false
	}
	if key.Matches(msg, m.common.Keys.Global.Back) || key.Matches(msg, km.Parent) {
		if m.pane == paneInspector && m.insp.label != "" && m.hist.key == m.insp.key {
			m.pane = paneHistory // back from a revision's value to the history it came from
			m.hist.open = true
			m.layout()
			return nil, true
		}
		m.setPane(paneNone)
		return nil, true
	}
	switch m.pane {
	case paneHistory:
		if key.Matches(msg, km.Open) {
			r, ok := m.hist.selected()
			if !ok {
				return nil, true
			}
			m.pane = paneInspector
			m.layout()
			return m.insp.showValue(m.hist.key, r), true
		}
		if key.Matches(msg, km.Undelete) {
			r, ok := m.hist.selected()
			if !ok {
				return nil, true
			}
			return m.askUndelete(m.hist.key, r), true
		}
		if cmd, ok := m.hist.handleKey(msg); ok {
			return cmd, true
		}
	case paneInspector:
		if key.Matches(msg, km.History) {
			return m.openHistory(m.insp.key), true
		}
		if key.Matches(msg, km.Undelete) && m.insp.info.Found {
			return m.askUndelete(m.insp.key, cluster.Revision{Rev: m.insp.info.ModRev, Value: m.insp.info.Value}), true
		}
		if key.Matches(msg, km.Edit) {
			return m.startEdit(), true
		}
		if key.Matches(msg, km.Delete) {
			return m.askDelete(m.insp.key, m.insp.info), true
		}
		if cmd, ok := m.insp.handleKey(msg); ok {
			return cmd, true
		}
	}
	return nil, false
}

// handleListKey handles the list's keys added by the parts: history, copy, new, delete.
func (m *Model) handleListKey(msg tea.KeyPressMsg) (tea.Cmd, bool) {
	km := m.common.Keys.Keys
	r, ok := m.selected()
	leaf := ok && r.Leaf
	switch {
	case key.Matches(msg, km.History) && leaf:
		return m.openHistory(m.dir + r.Name), true
	case key.Matches(msg, km.CopyKey) && ok:
		return copyCmd(cluster.EscapeKey(m.dir+r.Name), "key "+cluster.EscapeKey(m.dir+r.Name)), true
	case key.Matches(msg, km.New):
		return m.startNew(), true
	case key.Matches(msg, km.DeleteDir):
		return m.askDeleteDir(), true
	case key.Matches(msg, km.Edit) && leaf:
		if cmd := m.refusal("put", m.dir+r.Name); cmd != nil {
			return cmd, true
		}
		cmd := m.openInspector(r)
		m.edit.whenShown = true // the edit starts from the value the inspector is about to show
		return cmd, true
	case key.Matches(msg, km.Delete) && leaf:
		return m.askDeleteSelected(), true
	}
	return nil, false
}

// openInspector opens the inspector on the leaf row r of the open directory.
func (m *Model) openInspector(r cluster.Row) tea.Cmd {
	m.setPane(paneInspector)
	return m.insp.show(m.dir+r.Name, m.pinRev)
}

// openHistory opens the history pane on key.
func (m *Model) openHistory(key string) tea.Cmd {
	m.setPane(paneHistory)
	return m.hist.show(key)
}

// View renders the list and the open pane, and the edit prompt or question on the last line.
func (m *Model) View() string {
	if m.fullW <= 0 || m.fullH <= 0 {
		return ""
	}
	list := m.listView()
	var out string
	switch {
	case m.pane == paneNone:
		out = list
	case m.fullW >= sideBySide:
		ll, pl := strings.Split(list, "\n"), strings.Split(m.paneView(), "\n")
		sep := m.common.Styles.Muted.Render("│")
		var b strings.Builder
		for i := range m.fullH {
			if i > 0 {
				b.WriteString("\n")
			}
			b.WriteString(at(ll, i) + sep + at(pl, i))
		}
		out = b.String()
	default:
		out = list + "\n" + m.paneView()
	}
	if line := m.editLine(); line != "" {
		lines := strings.Split(out, "\n")
		lines[len(lines)-1] = line
		out = strings.Join(lines, "\n")
	}
	return common.Fit(out, m.fullW, m.fullH)
}

// paneView is the open pane: the history, the inline editor, or the inspector.
func (m *Model) paneView() string {
	switch {
	case m.pane == paneHistory:
		return m.hist.view()
	case m.edit.areaOpen:
		return m.editAreaView(m.insp.width, m.insp.height)
	}
	return m.insp.view()
}

func at(lines []string, i int) string {
	if i < len(lines) {
		return lines[i]
	}
	return ""
}

// syncBindings enables the bindings that apply now and disables the rest, so help shows only
// what a key would do here: the list's keys with the key or directory actions of the selected
// row, the inspector's, or the history's. Edits stay enabled under --read-only and at :rev N,
// where pressing them says why they are refused.
func (m *Model) syncBindings() {
	km := &m.common.Keys.Keys
	r, sel := m.selected()
	list, insp, hist := m.pane == paneNone, m.pane == paneInspector, m.pane == paneHistory
	for _, b := range []struct {
		b  *key.Binding
		on bool
	}{
		{&km.Open, list || hist},
		{&km.Reload, list}, {&km.Filter, list}, {&km.Watch, list}, {&km.New, list},
		{&km.DeleteDir, list && sel && r.Dir},
		{&km.History, list && sel && r.Leaf || insp},
		{&km.Edit, list && sel && r.Leaf || insp},
		{&km.Delete, list && sel && r.Leaf || insp},
		{&km.CopyKey, list && sel || insp},
		{&km.Render, insp}, {&km.CopyValue, insp},
		{&km.Undelete, insp || hist},
	} {
		b.b.SetEnabled(b.on)
	}
}

// inspectedChanged reads the inspected key again when the directory's live watch saw it change,
// so the inspector shows the current value and mod revision (an edit already started keeps the
// revision it was opened at: it stays compare-and-swap on what the user saw).
func (m *Model) inspectedChanged(msg liveMsg) tea.Cmd {
	in := &m.insp
	if msg.gen != m.gen || m.pane != paneInspector || !in.open || in.rev != 0 || in.label != "" || in.loading {
		return nil
	}
	for _, ev := range msg.batch.Events {
		if ev.Key == in.key && ev.Rev > in.info.ModRev {
			return in.fetch()
		}
	}
	return nil
}
