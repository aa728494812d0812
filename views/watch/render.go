package watch

import (
	"fmt"
	"strconv"
	"strings"

	"charm.land/lipgloss/v2"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/views/common"
)

// Column widths besides the key's and the preview's.
const (
	timeW = 12 // 15:04:05.000
	kindW = 3
	sizeW = 9
)

// View renders the title, the column header (or the filter being typed), the rows, the
// selected event's detail when open, and a status line: exactly width×height.
func (m *Model) View() string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	st := m.common.Styles
	var b strings.Builder
	b.WriteString(m.titleLine() + "\n")
	if !m.watched {
		b.WriteString("\n " + st.Muted.Render(m.startHint()))
		return common.Fit(b.String(), m.width, m.height)
	}
	revW, keyW, prevW := m.columns()
	if m.prompt.Active() {
		b.WriteString(" " + m.prompt.View() + "\n")
	} else {
		b.WriteString(st.Muted.Render(fmt.Sprintf(" %-*s  %-*s  %*s  %s  %*s  %s", timeW, "TIME", kindW, "OP", revW, "REV",
			common.Pad("KEY", keyW), sizeW, "SIZE", common.Pad("VALUE", prevW))) + "\n")
	}
	h := m.listHeight()
	n := m.rows()
	if n == 0 {
		b.WriteString(" " + st.Muted.Render(m.emptyText()) + "\n")
		h--
	}
	end := min(n, m.list.offset+h)
	for i := m.list.offset; i < end; i++ {
		e := m.buf.bySeq(m.vis.at(i))
		line := m.rowLine(e, revW, keyW, prevW)
		if i == m.list.cursor && (!m.list.follow || m.detail.open) {
			line = st.Selected.Render(common.Pad(line, m.width))
		}
		b.WriteString(line + "\n")
		h--
	}
	for ; h > 0; h-- {
		b.WriteString("\n")
	}
	if dh := m.detailHeight(); dh > 0 {
		b.WriteString(st.Muted.Render(strings.Repeat("─", m.width)) + "\n")
		k := m.keys()
		h := paneHints{renders: common.KeyName(k.Render)}
		if k := common.KeyName(k.ValueDown); k != "" {
			h.more = " · " + k + " scrolls"
		}
		lines := m.detail.view(st, m.selected(), m.width-1, dh-1, h)
		for i := range dh - 1 {
			if i < len(lines) {
				b.WriteString(" " + common.Pad(lines[i], m.width-1))
			}
			b.WriteString("\n")
		}
	}
	b.WriteString(m.statusLine())
	return common.Fit(b.String(), m.width, m.height)
}

// rowLine is one event (time, op, revision, key, size, preview) or one note about the watch.
func (m *Model) rowLine(e *entry, revW, keyW, prevW int) string {
	st := m.common.Styles
	at := e.at.Format("15:04:05.000")
	if e.replay {
		at = common.Pad("replay", timeW) // replayed history all arrives at once: the time says nothing
	}
	if e.isNote() {
		style := st.Info
		if e.warn {
			style = st.Warning
		}
		return " " + at + "  " + style.Render(common.Pad("── "+cluster.EscapeText(e.note), max(m.width-timeW-3, 1)))
	}
	ev := &e.ev
	kind, size := "PUT", cluster.FormatBytes(ev.ValueSize)
	if ev.Kind == cluster.EventDelete {
		kind, size = "DEL", ""
	}
	return fmt.Sprintf(" %s  %-*s  %*d  %s  %*s  %s", at, kindW, kind, revW, ev.Rev,
		common.Pad(cluster.EscapeKey(ev.Key), keyW), sizeW, size, common.Pad(preview(ev, prevW), prevW))
}

// columns sizes the revision column to the newest revision (at least 6, so it does not jump
// while revisions are short) and shares the rest between the key (two thirds) and the preview.
func (m *Model) columns() (revW, keyW, prevW int) {
	revW = max(len(strconv.FormatInt(m.liveRev, 10)), 6)
	rest := m.width - (1 + timeW + 2 + kindW + 2 + revW + 2 + 2 + sizeW + 2)
	keyW = max(rest*2/3, 1)
	return revW, keyW, max(rest-keyW, 0)
}

// listHeight is how many rows fit between the header and the detail pane or the status line.
func (m *Model) listHeight() int { return m.height - 3 - m.detailHeight() }

// detailHeight is the detail pane's height, separator included: 0 when closed, else half the
// space below the header.
func (m *Model) detailHeight() int {
	if !m.detail.open {
		return 0
	}
	return max((m.height-3)/2, 0)
}

// label is the watched prefix as shown: escaped, and named when it is every key.
func (m *Model) label() string {
	if m.prefix == "" {
		return "every key"
	}
	return cluster.EscapeKey(m.prefix)
}

// titleLine is " Watch  <prefix>" on the left; the exact total, the rate, the dropped count
// and the watch's state on the right. On a narrow terminal the rate goes and the state is
// shortened, so the total always shows.
func (m *Model) titleLine() string {
	st := m.common.Styles
	if !m.watched {
		return st.TitleLine(m.width, "Watch", "", "")
	}
	subject := m.label()
	if m.startRev > 0 {
		subject += " from rev " + strconv.FormatInt(m.startRev, 10)
	}
	total := common.Plural(int(m.buf.total), "event")
	dropped := common.Thousands(m.buf.dropped) + " dropped"
	right := st.Muted.Render(fmt.Sprintf("%s · %s/s · %s · ", total, common.Thousands(m.rate.rate(m.now())), dropped)) +
		m.stateLabel(false)
	if lipgloss.Width(right) > m.width-minTitleSubject {
		right = st.Muted.Render(total+" · "+dropped+" · ") + m.stateLabel(true)
	}
	return st.TitleLine(m.width, "Watch", subject, right)
}

// minTitleSubject is the room the title keeps for " Watch  <prefix>" before it shortens the
// right part.
const minTitleSubject = 20

// stateLabel is the watch's state for the title: live at rev N, reconnecting, paused with M
// waiting, stopped; short drops the words that are not numbers.
func (m *Model) stateLabel(short bool) string {
	st := m.common.Styles
	switch {
	case m.common.Session == nil:
		return st.Muted.Render("not connected")
	case m.w == nil:
		return st.Error.Render("stopped")
	case m.paused && short:
		return st.Warning.Render("paused +" + common.Thousands(m.waiting()))
	case m.paused:
		return st.Warning.Render("paused with " + common.Thousands(m.waiting()) + " waiting")
	case m.state != nil && m.state.Kind == cluster.StateReconnecting:
		return st.Warning.Render("reconnecting")
	case m.liveRev == 0:
		return st.Muted.Render("starting")
	}
	if short {
		return st.Muted.Render("rev " + strconv.FormatInt(m.liveRev, 10))
	}
	return st.Muted.Render("live at rev " + strconv.FormatInt(m.liveRev, 10))
}

// startHint says how to start a watch, naming the Keys view's watch key as configured.
func (m *Model) startHint() string {
	if k := common.KeyName(m.common.Keys.Keys.Watch); k != "" {
		return "nothing watched yet: press " + k + " in the Keys view or type :watch <prefix> [--rev N]"
	}
	return "nothing watched yet: type :watch <prefix> [--rev N]"
}

// emptyText is what the list shows when no row does.
func (m *Model) emptyText() string {
	switch {
	case m.common.Session == nil:
		return "not connected: nothing to watch"
	case m.w == nil && m.buf.total == 0:
		return "the watch has stopped"
	case m.flt.active() && m.buf.len() > 0:
		return "no event matches the filter (" + m.flt.String() + ")"
	}
	return "waiting for changes under " + m.label() + "…"
}

// statusLine puts a problem with the watch first, then the pause, the filter, the alert and
// what the buffer holds.
func (m *Model) statusLine() string {
	st := m.common.Styles
	var parts []string
	if s := m.stateText(); s != "" {
		style := st.Warning
		if m.state.Terminal() {
			style = st.Error
		}
		parts = append(parts, style.Render(cluster.EscapeText(s))) // it may quote the server's error
	}
	if m.paused {
		p := "PAUSED: events keep arriving into the buffer"
		if k := common.KeyName(m.common.Keys.Watch.Pause); k != "" {
			p += "; " + k + " resumes"
		}
		parts = append(parts, st.Warning.Render(p))
	}
	if !m.list.follow && m.rows() > 0 {
		p := "scrolled"
		if k := common.KeyName(m.common.Keys.Watch.Bottom); k != "" {
			p += ": " + k + " follows the newest"
		}
		parts = append(parts, p)
	}
	if m.flt.active() {
		parts = append(parts, "filter: "+cluster.EscapeText(m.flt.String()))
	}
	if m.alert != nil {
		parts = append(parts, st.Warning.Render(fmt.Sprintf("alert: %s matched", common.Thousands(m.alert.count))))
	}
	held := fmt.Sprintf("buffer %s/%s rows, %s/%s", common.Thousands(int64(m.buf.len())),
		common.Thousands(int64(m.buf.maxCount)), cluster.FormatBytes(m.buf.bytes), cluster.FormatBytes(m.buf.maxBytes))
	parts = append(parts, st.Muted.Render(held))
	return " " + strings.Join(parts, st.Muted.Render(" · "))
}

// stateText says what happened to the watch when it is not well, in words a person can act on.
func (m *Model) stateText() string {
	s := m.state
	if s == nil {
		return ""
	}
	switch s.Kind {
	case cluster.StateCompacted:
		return fmt.Sprintf("watch stopped: revisions up to %d were compacted; :watch %s starts again from now", s.Rev, m.label())
	case cluster.StateClosed:
		return "watch stopped; :watch <prefix> starts a new one"
	}
	return s.String()
}
