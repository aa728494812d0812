package watch

import (
	tea "charm.land/bubbletea/v2"

	"github.com/etcdeck/etcdeck/views/common"
)

// The filter prompt: / opens it on the current text; enter applies it, esc leaves the filter as
// it was.

// filterKey feeds the open filter prompt; enter applies the text.
func (m *Model) filterKey(msg tea.KeyPressMsg) tea.Cmd {
	res, cmd := m.prompt.Update(msg)
	if res != common.PromptSubmitted {
		return cmd
	}
	f, err := m.flt.withText(m.prompt.Value(), m.flt.regexp)
	if err != nil {
		return common.Flash(common.FlashError, err.Error())
	}
	m.flt = f
	m.refilter()
	return cmd
}

// refilter recomputes the rows after the filter changed and follows the newest again.
func (m *Model) refilter() {
	m.vis.rebuild(m.buf, &m.flt)
	m.list.follow = true
	m.scroll()
}
