package keys

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/views/common"
)

// The panes' layout, the inspector's and the history's keys, and the view drawn from the panes.

// sideBySide is the least width at which a pane goes beside the list rather than below it.
const sideBySide = 120

// pane is what shows beside or below the list; which pane has the keys is m.focus (focus.go).
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
	m.show(p)
	m.clamp()
}

// show shows pane p (the other stays open behind it) and gives it the focus: an open pane has
// the keys today; the list has them when none is open.
func (m *Model) show(p pane) {
	m.pane = p
	switch p {
	case paneInspector:
		m.focus = focusInspector
	case paneHistory:
		m.focus = focusHistory
	default:
		m.focus = focusList
	}
	m.layout()
}

// back leaves the focused pane: from a revision's value to the history it came from; from the
// value to the list, the inspector staying open as the preview of the row under the cursor; from
// the history to the list alone.
func (m *Model) back() tea.Cmd {
	if m.pane == paneInspector && m.insp.label != "" && m.hist.key == m.insp.key {
		m.hist.open = true
		m.show(paneHistory)
		return nil
	}
	if m.pane == paneInspector {
		m.focus = focusList
		return nil // the key press's schedulePreview brings the preview to the cursor's row
	}
	m.setPane(paneNone)
	return nil
}

// inspectorKey is the inspector's keys: its own (scroll, renderings, copy) and the actions on
// the key it shows (history, undelete, edit, delete).
func (m *Model) inspectorKey(msg tea.KeyPressMsg) tea.Cmd {
	km := m.common.Keys.Keys
	switch {
	case key.Matches(msg, m.common.Keys.Global.Back) || key.Matches(msg, km.Parent) ||
		key.Matches(msg, m.common.Keys.Global.NextView):
		return m.back()
	case m.insp.note != "":
		return nil // a directory's note: nothing to act on
	case key.Matches(msg, km.History):
		return m.openHistory(m.insp.key)
	case writeKey(msg, km.Undelete) && m.insp.info.Found:
		return m.askUndelete(m.insp.key, cluster.Revision{Rev: m.insp.info.ModRev, Value: m.insp.info.Value})
	case writeKey(msg, km.Edit):
		return m.startEdit()
	case writeKey(msg, km.Delete):
		return m.askDelete(m.insp.key, m.insp.info)
	}
	return m.insp.Update(msg)
}

// historyKey is the history's keys: its own (revisions, diff scrolling), enter to show a
// revision's value in the inspector, undelete.
func (m *Model) historyKey(msg tea.KeyPressMsg) tea.Cmd {
	km := m.common.Keys.Keys
	switch {
	case key.Matches(msg, m.common.Keys.Global.Back) || key.Matches(msg, km.Parent):
		return m.back()
	case key.Matches(msg, km.Open):
		r, ok := m.hist.selected()
		if !ok {
			return nil
		}
		m.show(paneInspector)
		return m.insp.showValue(m.hist.key, r)
	case writeKey(msg, km.Undelete):
		r, ok := m.hist.selected()
		if !ok {
			return nil
		}
		return m.askUndelete(m.hist.key, r)
	}
	return m.hist.Update(msg)
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
	if ask := m.ask.View(); ask != "" {
		// A wrapped question takes as many lines at the bottom as it needs.
		lines := strings.Split(common.Fit(out, m.fullW, m.fullH), "\n")
		al := strings.Split(ask, "\n")
		if len(al) > len(lines) {
			al = al[len(al)-len(lines):]
		}
		copy(lines[len(lines)-len(al):], al)
		out = strings.Join(lines, "\n")
	}
	return common.Fit(out, m.fullW, m.fullH)
}

// paneView is the open pane: the history, the inline editor, or the inspector.
func (m *Model) paneView() string {
	switch {
	case m.pane == paneHistory:
		return m.hist.View()
	case m.edit.areaOpen:
		return m.edit.View(m.insp.width, m.insp.height)
	}
	m.insp.preview = m.focus != focusInspector
	return m.insp.View()
}

func at(lines []string, i int) string {
	if i < len(lines) {
		return lines[i]
	}
	return ""
}

// syncBindings enables the bindings that apply now and disables the rest, so help and hints
// show only what a key would do here: the list's keys with the key or directory actions of the
// selected row, the inspector's, or the history's; none of them while the inline editor or a
// question has the keys. Writes are never offered where they cannot happen (read-only, :rev N,
// a key whose lease expired); pressing one there still says why (writeKey).
func (m *Model) syncBindings() {
	km := &m.common.Keys.Keys
	r, sel := m.selected()
	f := m.focused()
	list, insp, hist := f == focusList, f == focusInspector, f == focusHistory
	writes := m.writable()
	edit := writes && (list && sel && r.Leaf && !m.previewGone(r) || insp && m.insp.editable())
	for _, b := range []struct {
		b  *key.Binding
		on bool
	}{
		{&km.Open, list || hist},
		{&km.Reload, list}, {&km.Filter, list}, {&km.Watch, list}, {&km.New, list && writes},
		{&km.DeleteDir, list && sel && r.Dir && writes},
		{&km.History, list && sel && r.Leaf || insp && m.insp.note == ""},
		{&km.Edit, edit},
		{&km.Delete, writes && (list && sel && r.Leaf || insp && m.insp.note == "")},
		{&km.CopyKey, list && sel || insp},
		{&km.Render, insp}, {&km.CopyValue, insp},
		{&km.Undelete, (insp || hist) && m.writeRefusalText() == ""},
	} {
		b.b.SetEnabled(b.on)
	}
}

// writable: a write could be made now (connected, not read-only, not showing the past).
func (m *Model) writable() bool { return m.pinRev == 0 && m.writeRefusalText() == "" }

// writeRefusalText is why no write can start in this session ("" when one can).
func (m *Model) writeRefusalText() string {
	s := m.common.Session
	switch {
	case s == nil || s.Client == nil:
		return "not connected"
	case s.Client.ReadOnly():
		return "read-only"
	}
	return ""
}

// previewGone: the preview shows row r and says its key is gone (its lease expired).
func (m *Model) previewGone(r cluster.Row) bool {
	return m.pane == paneInspector && m.insp.key == m.dir+r.Name && m.insp.note == "" && !m.insp.editable() && !m.insp.loading
}

// editable: the inspector shows a key's current value that e can edit: read, still there, its
// lease (if any) not expired.
func (in *inspector) editable() bool {
	i := in.info
	return in.note == "" && in.label == "" && in.rev == 0 && !in.loading && in.err == nil && i.Found &&
		(i.Lease == 0 || !i.LeaseGone && i.TTL >= 0)
}

// writeKey is true when msg is one of the write bindings' keys even while the binding is
// disabled for help: in read-only mode or at :rev N, pressing it still says why it is refused.
func writeKey(msg tea.KeyPressMsg, b key.Binding) bool {
	b.SetEnabled(true)
	return key.Matches(msg, b)
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
