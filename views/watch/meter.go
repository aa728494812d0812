package watch

import "time"

// meter counts events per wall-clock second; rate is the count of the last complete second,
// so the figure is steady between the title's refreshes and falls to 0 when the stream stops.
type meter struct {
	sec       int64 // the second being counted (Unix)
	cur, prev int64 // events in sec and in sec-1
}

// add counts n events at now.
func (m *meter) add(n int, now time.Time) {
	m.roll(now)
	m.cur += int64(n)
}

// rate is the events of the last complete second before now.
func (m *meter) rate(now time.Time) int64 {
	m.roll(now)
	return m.prev
}

func (m *meter) roll(now time.Time) {
	s := now.Unix()
	switch {
	case s == m.sec:
	case s == m.sec+1:
		m.sec, m.prev, m.cur = s, m.cur, 0
	case s > m.sec:
		m.sec, m.prev, m.cur = s, 0, 0
	}
	// A clock going backwards keeps counting into the current second.
}
