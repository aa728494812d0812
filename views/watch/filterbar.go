package watch

import (
	tea "charm.land/bubbletea/v2"

	"github.com/etcdeck/etcdeck/views/common"
)

// The filter prompt: / opens it on the current text, and the rows narrow as you type (as the
// Keys view's filter does); enter keeps the filter and closes the prompt, esc clears it — in the
// prompt and, with the prompt closed, on the list too (HandlesBack).

// filterKey feeds the open filter prompt and applies its text at every change; a regular
// expression still being typed that does not compile leaves the last one that did until enter,
// which says why it is not one.
func (m *Model) filterKey(msg tea.Msg) tea.Cmd {
	res, cmd := m.prompt.Update(msg)
	switch res {
	case common.PromptCancelled:
		m.clearFilter()
		return cmd
	case common.PromptSubmitted:
		f, err := m.flt.withText(m.prompt.Value(), m.flt.regexp)
		if err != nil {
			return common.Flash(common.FlashError, err.Error())
		}
		m.setFilter(f)
		return cmd
	}
	if v := m.prompt.Value(); v != m.flt.text {
		if f, err := m.flt.withText(v, m.flt.regexp); err == nil {
			m.setFilter(f)
		}
	}
	return cmd
}

// setFilter shows the rows f matches, when it differs from the filter shown.
func (m *Model) setFilter(f filter) {
	if f.text == m.flt.text && f.regexp == m.flt.regexp {
		m.flt = f
		return
	}
	m.flt = f
	m.refilter()
}

// clearFilter drops the filter's text (the PUT/DEL toggles stay, as V and R do).
func (m *Model) clearFilter() {
	f, _ := m.flt.withText("", m.flt.regexp) // the empty text always compiles
	m.setFilter(f)
}

// HandlesBack is true while a filter text narrows the list: esc clears it before the root's esc.
func (m *Model) HandlesBack() bool { return m.watched && m.flt.text != "" && !m.prompt.Active() }

// refilter recomputes the rows after the filter changed and follows the newest again.
func (m *Model) refilter() {
	m.vis.rebuild(m.buf, &m.flt)
	m.list.follow = true
	m.scroll()
}
