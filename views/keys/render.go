package keys

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/views/common"
)

// listView renders the title, the column header, the rows on screen and a status line (or the
// filter field while it is open), exactly width×height.
func (m *Model) listView() string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	st := m.common.Styles
	var b strings.Builder
	b.WriteString(m.titleLine() + "\n")
	detailW := 16
	head := "KEYS / SIZE "
	if m.permitted != nil {
		head = "YOUR ACCESS " // the roles' permissions, not counts: the directory is not readable
	}
	b.WriteString(st.Muted.Render(common.Pad("  NAME", m.width-detailW-1)+" "+fmt.Sprintf("%*s", detailW, head)) + "\n")
	h := m.listHeight()
	switch {
	case m.err != nil:
		b.WriteString(" " + st.Error.Render("✗ "+cluster.EscapeText(m.err.Error())) + "\n")
		km := m.common.Keys.Keys
		b.WriteString(" " + st.Muted.Render(common.Hints(common.BindingHint(km.Reload, "reload"), common.BindingHint(km.Parent, "parent"))) + "\n")
		h -= 2
	case m.loading && len(m.visible) == 0:
		b.WriteString(" " + st.Muted.Render("listing "+m.dirLabel()+"…") + "\n")
		h--
	case len(m.visible) == 0:
		b.WriteString(" " + st.Muted.Render(m.emptyText()) + "\n")
		h--
	}
	end := min(len(m.visible), m.offset+h)
	for i := m.offset; i < end; i++ {
		r := m.rows[m.visible[i]]
		detail := rowDetail(r)
		if p := m.permission(r); p != "" {
			detail = p
		}
		line := common.Pad(" "+rowName(r, m.sep), m.width-detailW-1) + " " + fmt.Sprintf("%*s", detailW, detail+" ")
		if i == m.cursor {
			line = st.Selected.Render(line)
		}
		b.WriteString(line + "\n")
		h--
	}
	for ; h > 0; h-- {
		b.WriteString("\n")
	}
	if m.showsOutside() {
		b.WriteString(" " + st.Muted.Render(m.outsideLine()) + "\n")
	}
	if m.filter.Active() {
		b.WriteString(m.filter.View())
	} else {
		b.WriteString(st.Muted.Render(m.statusText()))
	}
	return common.Fit(b.String(), m.width, m.height)
}

// titleLine is " Keys  <dir>" with the revision applied and liveness on the right.
func (m *Model) titleLine() string {
	st := m.common.Styles
	var right string
	switch {
	case m.common.Session == nil:
		right = "not connected"
	case m.loading:
		right = "loading…"
	case m.pinRev > 0:
		right = "at rev " + strconv.FormatInt(m.pinRev, 10) + " · not live"
	case m.live != nil && m.live.reconnecting:
		// The rows are current to the revision shown, no further: say so until it resumes.
		return st.TitleLine(m.width, "Keys", m.dirLabel(),
			st.Warning.Render("rev "+strconv.FormatInt(m.shownRev(), 10)+" · reconnecting"))
	case m.live != nil && m.common.Session.Client != nil && m.common.Session.Client.SnapshotFile() != "":
		// A snapshot's member takes no writes: "live" would say its keys may change.
		right = "rev " + strconv.FormatInt(m.shownRev(), 10) + " · snapshot"
	case m.live != nil:
		right = "rev " + strconv.FormatInt(m.shownRev(), 10) + " · live"
	case m.rev > 0:
		right = "rev " + strconv.FormatInt(m.shownRev(), 10)
	}
	if right != "" {
		right = st.Muted.Render(right)
	}
	return st.TitleLine(m.width, "Keys", m.dirLabel(), right)
}

// shownRev is the revision the rows on screen are current to: the listing's, moved on by every
// change the live watch has applied since (not the listing's alone, which would say "rev 1"
// of a directory already showing rev 7's keys).
func (m *Model) shownRev() int64 { return max(m.appliedRev, m.rev) }

// dirLabel is the open directory as shown: escaped, and "(root)" for the empty prefix.
func (m *Model) dirLabel() string {
	if m.dir == "" {
		return "(root)"
	}
	return cluster.EscapeKey(m.dir)
}

func (m *Model) emptyText() string {
	if m.filterText != "" {
		if h := common.BindingHint(m.common.Keys.Global.Back, "clears it"); h != "" {
			return "no name matches the filter (" + h + ")"
		}
		return "no name matches the filter"
	}
	return "nothing under " + m.dirLabel()
}

// statusText is the status line wrapped to the list's width (the list gives up a row for each
// line more): beside the preview the list is narrow, and a filter cut to `"…` would hide what
// is filtered. Continuation lines are indented as the first.
func (m *Model) statusText() string {
	if m.filter.Active() {
		return ""
	}
	text := strings.TrimPrefix(m.statusLine(), " ")
	lines := strings.Split(ansi.Wrap(text, max(1, m.width-1), ""), "\n")
	for i := range lines {
		lines[i] = " " + strings.TrimLeft(lines[i], " ")
	}
	return strings.Join(lines, "\n")
}

// statusLine counts the rows, says what is not loaded yet, and names the filter.
func (m *Model) statusLine() string {
	if m.deniedNote != "" {
		return " " + cluster.EscapeText(m.deniedNote)
	}
	parts := []string{}
	n := " " + common.Plural(len(m.rows), "row")
	if len(m.visible) != len(m.rows) {
		n = fmt.Sprintf(" %s of %s", common.Thousands(int64(len(m.visible))), common.Plural(len(m.rows), "row"))
	}
	if m.next != "" {
		if m.substring && m.remaining >= 0 {
			n += ", " + common.Plural(int(m.remaining), "key") + " not loaded yet (not searched)"
		} else {
			n += ", more not loaded yet"
		}
		if m.paging {
			n += " (loading)"
		}
	}
	parts = append(parts, n)
	if m.filterText != "" {
		kind := "names starting with"
		if m.substring {
			kind = "loaded names containing"
		}
		parts = append(parts, fmt.Sprintf("filter: %s %q", kind, cluster.EscapeKey(m.filterText)))
	}
	if m.stats != "" && m.width >= 100 {
		parts = append(parts, "listed in "+m.stats)
	}
	return strings.Join(parts, " · ")
}

// rowName shows a directory with the separator after it and an empty key name as "".
func rowName(r cluster.Row, sep byte) string {
	name := cluster.EscapeKey(r.Name)
	s := cluster.EscapeKey(string(sep))
	switch {
	case r.Dir && r.Leaf:
		return name + s + "  (and key " + quoteEmpty(name) + ")"
	case r.Dir:
		return name + s
	default:
		return quoteEmpty(name)
	}
}

func quoteEmpty(name string) string {
	if name == "" {
		return `""`
	}
	return name
}

// rowDetail is a directory's key count or a key's value size; "…" while being fetched.
func rowDetail(r cluster.Row) string {
	if r.Dir {
		if r.Count < 0 {
			return "…"
		}
		if r.Count == 1 {
			return "1 key"
		}
		return common.Thousands(r.Count) + " keys"
	}
	if r.ValueSize < 0 {
		return "…"
	}
	return cluster.FormatBytes(r.ValueSize)
}
