package watch

import (
	"charm.land/bubbles/v2/key"

	"github.com/etcdeck/etcdeck/keymap"
)

// ShortHelp lists the bindings that work now: none before a watch starts.
func (m *Model) ShortHelp() []key.Binding {
	if !m.watched {
		return nil
	}
	return m.keys().ShortHelp()
}

// FullHelp groups the bindings that work now for the help overlay.
func (m *Model) FullHelp() [][]key.Binding {
	if !m.watched {
		return nil
	}
	return m.keys().FullHelp()
}

// keys is the view's bindings with those that would do nothing now disabled, so help, hints
// and key handling agree: moving, the value and export without rows; scrolling the value
// while the pane is closed or the value fits; cycling renderings with one; an alert without a
// filter. It is a copy: the cluster's Watch view and a snapshot's share one keymap.
func (m *Model) keys() keymap.Watch {
	k := m.common.Keys.Watch
	rows := m.rows() > 0
	open := m.detail.open && m.selected() != nil
	at, most := 0, 0
	if open {
		at, most = m.valueScroll()
	}
	for _, b := range []struct {
		b  *key.Binding
		on bool
	}{
		{&k.Up, rows}, {&k.Down, rows}, {&k.Top, rows}, {&k.Bottom, rows},
		{&k.Detail, rows}, {&k.Export, rows},
		{&k.Clear, m.buf.len() > 0},
		{&k.ValueDown, open && at < most},
		{&k.ValueUp, open && at > 0},
		{&k.Render, open && len(m.detail.choices) > 1},
		{&k.Alert, m.alert != nil || m.flt.active()},
	} {
		b.b.SetEnabled(b.b.Enabled() && b.on)
	}
	if m.alert != nil {
		k.Alert.SetHelp(k.Alert.Help().Key, "clear alert")
	}
	return k
}

// valueScroll is the detail pane's scroll position as shown (the pane clamps it) and the
// largest one that still fills the pane.
func (m *Model) valueScroll() (at, most int) {
	head, b := m.detail.parts(m.common.Styles, m.selected(), paneHints{})
	rows := max(m.detailHeight()-1-min(detailHead, len(head)), 0)
	most = max(b.len()-rows, 0)
	return min(m.detail.scroll, most), most
}
