package watch

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/etcdeck/etcdeck/views/common"
)

// handleKey moves the cursor, pauses, filters, exports and sets alerts.
func (m *Model) handleKey(msg tea.KeyPressMsg) tea.Cmd {
	if !m.watched {
		return nil
	}
	k := m.keys() // what does nothing now is disabled and matches no key
	n, h := m.rows(), m.listHeight()
	switch {
	case m.HandlesBack() && key.Matches(msg, m.common.Keys.Global.Back):
		m.clearFilter()
	case key.Matches(msg, k.Up):
		m.move(-1)
	case key.Matches(msg, k.Down):
		m.move(1)
	case key.Matches(msg, k.Top):
		m.list.top(n, h)
		m.detail.scroll = 0
	case key.Matches(msg, k.Bottom):
		m.list.bottom(n, h)
		m.detail.scroll = 0
	case key.Matches(msg, k.Detail):
		m.detail.open, m.detail.scroll = !m.detail.open, 0
		m.scroll()
	case key.Matches(msg, k.ValueDown):
		at, most := m.valueScroll()
		m.detail.scroll = min(at+max(m.detailHeight()/2, 1), most)
	case key.Matches(msg, k.ValueUp):
		at, _ := m.valueScroll()
		m.detail.scroll = max(at-max(m.detailHeight()/2, 1), 0)
	case key.Matches(msg, k.Render):
		return m.cycleRendering()
	case key.Matches(msg, k.Clear):
		m.buf.clear()
		m.detail.reset()
		m.vis = visible{}
		m.list = list{follow: true}
		m.pauseSeq, m.pauseTotal = m.buf.nextSeq, m.buf.total
	case key.Matches(msg, k.Pause):
		m.paused = !m.paused
		m.pauseSeq, m.pauseTotal = m.buf.nextSeq, m.buf.total
		m.scroll()
	case key.Matches(msg, k.Filter):
		return m.prompt.Open(m.flt.text)
	case key.Matches(msg, k.Values):
		m.flt.values = !m.flt.values
		m.refilter()
	case key.Matches(msg, k.Regexp):
		f, err := m.flt.withText(m.flt.text, !m.flt.regexp)
		if err != nil {
			return common.Flash(common.FlashError, err.Error())
		}
		m.flt = f
		m.refilter()
	case key.Matches(msg, k.Puts):
		m.flt.puts = !m.flt.puts
		m.refilter()
	case key.Matches(msg, k.Deletes):
		m.flt.deletes = !m.flt.deletes
		m.refilter()
	case key.Matches(msg, k.Export):
		return m.export()
	case key.Matches(msg, k.Alert):
		return m.toggleAlert()
	}
	return nil
}

// move moves the cursor by delta rows; moving up leaves follow mode.
func (m *Model) move(delta int) {
	m.list.move(delta, m.rows(), m.listHeight())
	m.detail.scroll = 0 // another event: its value from the top
}

// scroll keeps the cursor on screen, and on the newest row while following.
func (m *Model) scroll() { m.list.scroll(m.rows(), m.listHeight()) }
