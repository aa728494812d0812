package watch

import "time"

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
