package watch

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/views/common"
)

// Column widths besides the key's.
const (
	kindW = 3
	sizeW = 10
)

// View renders the title, the column header, the events on screen and a status line, exactly
// width×height.
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
	revW := m.revWidth()
	keyW := max(m.width-revW-kindW-sizeW-7, 1)
	b.WriteString(st.Muted.Render(fmt.Sprintf(" %*s  %-*s  %s %*s ", revW, "REV", kindW, "OP",
		common.Pad("KEY", keyW), sizeW, "SIZE")) + "\n")
	h := m.listHeight()
	if m.rows.len() == 0 {
		b.WriteString(" " + st.Muted.Render(m.emptyText()) + "\n")
		h--
	}
	end := min(m.rows.len(), m.offset+h)
	for i := m.offset; i < end; i++ {
		r := m.rows.at(i)
		kind, size := "PUT", common.FormatSize(r.size)
		if r.kind == cluster.EventDelete {
			kind, size = "DEL", ""
		}
		line := fmt.Sprintf(" %*d  %-*s  %s %*s ", revW, r.rev, kindW, kind,
			common.Pad(cluster.EscapeKey(r.key), keyW), sizeW, size)
		if i == m.cursor && !m.follow {
			line = st.Selected.Render(line)
		}
		b.WriteString(line + "\n")
		h--
	}
	for ; h > 0; h-- {
		b.WriteString("\n")
	}
	b.WriteString(m.statusLine())
	return common.Fit(b.String(), m.width, m.height)
}

// listHeight is how many rows fit between the header and the status line.
func (m *Model) listHeight() int { return m.height - 3 }

// revWidth fits the newest revision, so the column does not jump while revisions are short.
func (m *Model) revWidth() int { return max(len(strconv.FormatInt(m.rev, 10)), 6) }

// label is the watched prefix as shown: escaped, and named when it is every key.
func (m *Model) label() string {
	if m.prefix == "" {
		return "every key"
	}
	return cluster.EscapeKey(m.prefix)
}

// titleLine is " Watch  watching <prefix>" with the newest revision and the mode on the right.
func (m *Model) titleLine() string {
	st := m.common.Styles
	if !m.watched {
		return st.TitleLine(m.width, "Watch", "", "")
	}
	var right string
	switch {
	case m.common.Session == nil:
		right = st.Muted.Render("not connected")
	case m.paused:
		right = st.Warning.Render("PAUSED")
	case m.w == nil:
		right = st.Error.Render("stopped")
	case m.follow:
		right = st.Muted.Render("live · following")
	default:
		right = "live · scrolled"
		if k := common.KeyName(m.common.Keys.Watch.Bottom); k != "" {
			right = "live · " + k + " follows"
		}
		right = st.Muted.Render(right)
	}
	if m.rev > 0 {
		right = st.Muted.Render("rev "+strconv.FormatInt(m.rev, 10)+" · ") + right
	}
	return st.TitleLine(m.width, "Watch", "watching "+m.label(), right)
}

// startHint says how to start a watch, naming the Keys view's watch key as configured.
func (m *Model) startHint() string {
	if k := common.KeyName(m.common.Keys.Keys.Watch); k != "" {
		return "nothing watched yet: press " + k + " in the Keys view or type :watch <prefix>"
	}
	return "nothing watched yet: type :watch <prefix>"
}

// emptyText is what the list shows before the first event.
func (m *Model) emptyText() string {
	switch {
	case m.common.Session == nil:
		return "not connected: nothing to watch"
	case m.w == nil:
		return "the watch has stopped"
	}
	return "waiting for changes under " + m.label() + "…"
}

// statusLine puts a problem with the watch first, then what the list holds and the mode.
func (m *Model) statusLine() string {
	st := m.common.Styles
	var parts []string
	if s := m.stateText(); s != "" {
		style := st.Warning
		if m.state.Terminal() {
			style = st.Error
		} else if m.state.Kind == cluster.StateResumed {
			style = st.Info
		}
		parts = append(parts, style.Render(s))
	}
	if m.paused {
		p := "PAUSED: the watch holds new events"
		if k := common.KeyName(m.common.Keys.Watch.Pause); k != "" {
			p += " until " + k + " resumes"
		}
		parts = append(parts, st.Warning.Render(p))
	}
	n := common.Plural(m.rows.len(), "event")
	if m.dropped > 0 {
		n += fmt.Sprintf(" (%s older left the list, which keeps the newest %s)", common.Thousands(int64(m.dropped)),
			common.Thousands(int64(m.rows.limit)))
	}
	parts = append(parts, st.Muted.Render(n))
	return " " + strings.Join(parts, st.Muted.Render(" · "))
}

// stateText says what happened to the watch, in words a person can act on.
func (m *Model) stateText() string {
	s := m.state
	if s == nil {
		return ""
	}
	switch s.Kind {
	case cluster.StateCompacted:
		return fmt.Sprintf("watch stopped: revisions up to %d were compacted before it caught up; :watch %s starts again from now",
			s.Rev, m.label())
	case cluster.StateClosed:
		return "watch stopped; :watch <prefix> starts a new one"
	}
	return s.String()
}
