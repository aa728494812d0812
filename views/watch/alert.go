package watch

import (
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/etcdeck/etcdeck/views/common"
)

// bellInterval is the least time between two bells of one alert.
const bellInterval = time.Second

// alert counts the events matching a filter from when it was set, and says when to ring the
// terminal bell: at the first match, then at most once per bellInterval.
type alert struct {
	f        filter
	count    int64
	lastBell time.Time
}

// observe counts ev when it matches and reports whether the bell should ring now.
func (a *alert) observe(e *entry, now time.Time) (ring bool) {
	if e.isNote() || !a.f.matchEvent(&e.ev) {
		return false
	}
	a.count++
	if a.lastBell.IsZero() || now.Sub(a.lastBell) >= bellInterval {
		a.lastBell = now
		return true
	}
	return false
}

// toggleAlert sets an alert from the current filter, or clears the one set.
func (m *Model) toggleAlert() tea.Cmd {
	if m.alert != nil {
		m.alert = nil
		return tea.Batch(common.Cmd(common.AlertMsg{}), common.Flash(common.FlashInfo, "alert cleared"))
	}
	if !m.flt.active() {
		return common.Flash(common.FlashWarn, "set a filter first (/): the alert rings for the events it matches")
	}
	m.alert = &alert{f: m.flt}
	return tea.Batch(m.alertCmd(), common.Flash(common.FlashInfo, "alert set: "+m.flt.String()))
}

// alertCmd tells the root the alert's count for the status bar.
func (m *Model) alertCmd() tea.Cmd {
	return common.Cmd(common.AlertMsg{Count: m.alert.count, Rule: m.alert.f.String()})
}
