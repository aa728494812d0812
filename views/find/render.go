package find

import (
	"fmt"
	"strings"
	"time"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/views/common"
)

// View renders the title (the search and its revision), the figures line, the matches (key,
// mod revision, matching line) and the hints; everything from the cluster is escaped.
func (m *Model) View() string {
	st := m.common.Styles
	var b strings.Builder
	right := ""
	if m.prog.Rev > 0 {
		right = st.Muted.Render(fmt.Sprintf("rev %d", m.prog.Rev))
	}
	b.WriteString(st.TitleLine(m.width, "Find", m.subject(), right))
	b.WriteString("\n")
	if !m.ran {
		b.WriteString(" " + st.Muted.Render("no search yet: :find TEXT [in PREFIX] [--values] [--regex] [--decoded]") + "\n " +
			st.Muted.Render("searches keys (and values) under the Keys view's directory or PREFIX, at one revision"))
		return common.Fit(b.String(), m.width, m.height)
	}
	b.WriteString(" " + m.figures() + "\n")
	if len(m.matches) == 0 {
		b.WriteString(" " + st.Muted.Render(m.emptyText()))
	} else {
		b.WriteString(m.table())
	}
	body := common.Fit(b.String(), m.width, max(0, m.height-1))
	return body + "\n" + common.Fit(" "+st.Muted.Render(m.hints()), m.width, 1)
}

// subject is the search as typed: the text, where, and how.
func (m *Model) subject() string {
	if !m.ran {
		return ""
	}
	q := m.query
	s := `"` + cluster.EscapeText(q.Text) + `" under ` + cluster.EscapeKey(q.Prefix)
	if q.Prefix == "" {
		s = `"` + cluster.EscapeText(q.Text) + `" in every key`
	}
	var how []string
	if q.Values || q.Decoded {
		how = append(how, "values")
	}
	if q.Decoded {
		how = append(how, "decoded")
	}
	if q.Regex {
		how = append(how, "regex")
	}
	if len(how) > 0 {
		s += " · " + strings.Join(how, " ")
	}
	return s
}

// figures is how far the search came: matches, keys scanned (of the total while it runs or when
// it stopped early), and how it ended; the cap is said when it was reached.
func (m *Model) figures() string {
	st := m.common.Styles
	p := m.prog
	s := matchCount(p.Found) + " in " + common.Thousands(p.Scanned)
	if p.Scanned != p.Total {
		s += " of " + common.Thousands(p.Total)
	}
	s += " keys"
	switch {
	case m.task.Running():
		s += " · scanning…"
	case m.cancelled:
		s += " · stopped, matches kept"
	case m.ended != "":
		s += " · ✗ " + cluster.EscapeText(m.ended)
	case p.Finished:
		s += " · " + p.Elapsed.Round(10*time.Millisecond).String()
	}
	if p.Capped {
		s += fmt.Sprintf(" · first %s kept (the cap)", common.Thousands(int64(len(m.matches))))
	}
	if m.ended != "" {
		return st.Caution.Render(s)
	}
	return st.Muted.Render(s)
}

// emptyText is what shows while no match is kept.
func (m *Model) emptyText() string {
	if m.task.Running() {
		return "no match yet"
	}
	return "no match"
}

// listHeight is how many matches fit: the title, figures, header and hints take 4 lines.
func (m *Model) listHeight() int { return max(1, m.height-4) }

// table is the header and the matches on screen: the key takes about half the width.
func (m *Model) table() string {
	st := m.common.Styles
	keyW := max(12, (m.width-2)*45/100)
	const revW = 9
	lineW := max(1, m.width-keyW-revW-3)
	lines := []string{st.Muted.Render(" " + common.Pad("KEY", keyW) + " " + common.Pad("MOD REV", revW) + " MATCHING LINE")}
	end := min(len(m.matches), m.offset+m.listHeight())
	if m.rows.width != m.width || len(m.rows.text) > 4*m.listHeight()+64 {
		m.rows = rowCache{width: m.width, text: map[int]cachedRow{}}
	}
	for i := m.offset; i < end; i++ {
		mt := m.matches[i]
		r, ok := m.rows.text[i]
		line := r.text
		if !ok || r.key != mt.Key || r.rev != mt.ModRev { // a row of another search's match: made again
			where := ""
			if !mt.InValue {
				where = "(key) "
			}
			line = " " + common.Pad(cluster.EscapeKey(mt.Key), keyW) + " " + common.Pad(fmt.Sprint(mt.ModRev), revW) + " " +
				common.Pad(where+strings.TrimSpace(cluster.EscapeText(mt.Line)), lineW)
			m.rows.text[i] = cachedRow{key: mt.Key, rev: mt.ModRev, text: line}
		}
		if i == m.cursor {
			line = st.Selected.Render(common.Pad(line, m.width))
		}
		lines = append(lines, line)
	}
	return strings.Join(lines, "\n")
}

// rowCache holds the rows of the matches on screen as drawn at width (unselected). A frame is
// drawn after every message, a scan's reports included, and escaping and measuring 200-byte
// lines cell by cell for every row took most of a frame's CPU (BenchmarkFindKeyPress in tui/):
// a match never changes once found, so its row is made once per width. It holds a few screens of
// rows at most; a new search empties it.
type rowCache struct {
	width int
	text  map[int]cachedRow // by index in matches
}

// cachedRow is a match's row and the match it was made from.
type cachedRow struct {
	key  string
	rev  int64
	text string
}

// hints are the keys that act now, from the bindings.
func (m *Model) hints() string {
	k := m.common.Keys.Find
	var hs []string
	if len(m.matches) > 0 {
		hs = append(hs, common.BindingHint(k.Open, "open in keys"), common.KeyName(k.Next)+"/"+common.KeyName(k.Prev)+" next/previous",
			common.BindingHint(k.Export, "export"))
	}
	if m.task.Running() {
		hs = append(hs, common.BindingHint(m.common.Keys.Global.Back, "stop"))
	}
	return common.Hints(hs...)
}
