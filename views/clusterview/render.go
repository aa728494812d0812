package clusterview

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/cluster/monitor"
	"github.com/etcdeck/etcdeck/views/common"
)

// column is one column of the member table. Columns are dropped by priority (highest number
// first) until the table fits; flex columns take what is left, up to max.
type column struct {
	title      string
	width, max int
	prio       int
	right      bool
	cell       func(m *Model, h monitor.MemberHealth) (string, *lipgloss.Style)
}

// barWidth is the quota bar's width in cells.
const barWidth = 6

func (m *Model) columns() []column {
	st := m.common.Styles
	plain := func(s string) (string, *lipgloss.Style) { return s, nil }
	status := func(f func(*monitor.MemberStatus) string) func(*Model, monitor.MemberHealth) (string, *lipgloss.Style) {
		return func(_ *Model, h monitor.MemberHealth) (string, *lipgloss.Style) {
			if h.Status == nil {
				return plain("-")
			}
			return plain(f(h.Status))
		}
	}
	return []column{
		{title: "", width: 1, cell: func(_ *Model, h monitor.MemberHealth) (string, *lipgloss.Style) {
			switch {
			case h.Status != nil && h.Status.Leader == h.Member.ID:
				return "*", &st.Title
			case h.Member.Learner:
				return "L", &st.Muted
			}
			return plain("")
		}},
		{title: "NAME", width: 4, max: 16, cell: func(_ *Model, h monitor.MemberHealth) (string, *lipgloss.Style) {
			return plain(h.Member.Label())
		}},
		{title: "HEALTH", width: 11, cell: func(_ *Model, h monitor.MemberHealth) (string, *lipgloss.Style) {
			if h.State == monitor.StateHealthy {
				return string(h.State), &st.Success
			}
			return string(h.State), &st.Error
		}},
		{title: "TOOK", width: 7, right: true, cell: func(_ *Model, h monitor.MemberHealth) (string, *lipgloss.Style) {
			return plain(took(h.Linearizable))
		}},
		{title: "SERIAL", width: 7, right: true, prio: 3, cell: func(_ *Model, h monitor.MemberHealth) (string, *lipgloss.Style) {
			return plain(took(h.Serializable))
		}},
		{title: "VER", width: 6, prio: 2, cell: status(func(s *monitor.MemberStatus) string { return s.Version })},
		{title: "DB", width: 8, right: true, cell: status(func(s *monitor.MemberStatus) string { return size(s.DBSize) })},
		{title: "IN USE", width: 8, right: true, prio: 2, cell: status(func(s *monitor.MemberStatus) string { return size(s.DBSizeInUse) })},
		{title: "QUOTA", width: barWidth + 5, cell: func(m *Model, h monitor.MemberHealth) (string, *lipgloss.Style) {
			return m.quotaBar(h.Status)
		}},
		{title: "TERM", width: 5, right: true, prio: 1, cell: status(func(s *monitor.MemberStatus) string { return strconv.FormatUint(s.RaftTerm, 10) })},
		{title: "INDEX", width: 8, right: true, prio: 1, cell: status(func(s *monitor.MemberStatus) string { return strconv.FormatUint(s.RaftIndex, 10) })},
		{title: "APPLIED", width: 8, right: true, prio: 2, cell: status(func(s *monitor.MemberStatus) string { return strconv.FormatUint(s.RaftAppliedIndex, 10) })},
		{title: "LAG", width: 6, right: true, prio: 1, cell: func(m *Model, h monitor.MemberHealth) (string, *lipgloss.Style) {
			if h.Status == nil {
				return plain("-")
			}
			lag := m.tracker.AppliedLag(h)
			if lag > 1000 {
				return strconv.FormatUint(lag, 10), &st.Caution
			}
			return plain(strconv.FormatUint(lag, 10))
		}},
		{title: "URL", width: 14, max: 30, prio: 2, cell: func(_ *Model, h monitor.MemberHealth) (string, *lipgloss.Style) {
			_, rest, ok := strings.Cut(h.Endpoint, "://")
			if !ok {
				rest = h.Endpoint
			}
			return plain(rest)
		}},
		{title: "ID", width: 16, prio: 4, cell: func(_ *Model, h monitor.MemberHealth) (string, *lipgloss.Style) {
			return plain(h.Member.IDString())
		}},
	}
}

// layout picks the columns that fit width (one space between them) and sizes the flex ones.
func (m *Model) layout(width int) []column {
	cols := m.columns()
	for i := range cols {
		if cols[i].max > 0 { // flex: as wide as its widest cell
			w := len(cols[i].title)
			for _, h := range m.members() {
				text, _ := cols[i].cell(m, h)
				w = max(w, lipgloss.Width(text))
			}
			cols[i].width = max(cols[i].width, min(w, cols[i].max))
		}
	}
	used := -1
	keep := make([]bool, len(cols))
	for prio := 0; prio <= 4; prio++ {
		for i, c := range cols {
			if c.prio == prio && used+1+c.width <= width {
				keep[i], used = true, used+1+c.width
			}
		}
	}
	var out []column
	for i, c := range cols {
		if keep[i] {
			out = append(out, c)
		}
	}
	return out
}

// View renders the table, or the selected member's details, exactly width×height.
func (m *Model) View() string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	if m.details && m.index() >= 0 {
		return m.detailsView()
	}
	st := m.common.Styles
	lines := []string{m.titleLine()}
	ms := m.members()
	switch {
	case m.common.Session == nil && len(ms) == 0:
		lines = append(lines, "", " "+st.Muted.Render("not connected: no members to show"))
	case len(ms) == 0 && m.pollErr == "":
		lines = append(lines, "", " "+st.Muted.Render("asking every member for its health…"))
	case len(ms) > 0:
		lines = append(lines, m.table()...)
	}
	body := m.height - 1 // the status line
	ask := m.maint.confirm.View()
	if ask != "" {
		body = max(1, m.height-m.maint.confirm.Height())
	}
	if p := m.maintPanel(body - len(lines) - 1); len(p) > 0 {
		lines = append(lines, "")
		lines = append(lines, p...)
	}
	if f := m.findings(body - len(lines) - 1); len(f) > 0 {
		lines = append(lines, "")
		lines = append(lines, f...)
	}
	for len(lines) < body {
		lines = append(lines, "")
	}
	lines = lines[:body]
	if ask != "" {
		lines = append(lines, ask)
	} else {
		lines = append(lines, m.statusLine())
	}
	return common.Fit(strings.Join(lines, "\n"), m.width, m.height)
}

// table is the header and one line per member, plus a line under each failing member with its
// error.
func (m *Model) table() []string {
	st := m.common.Styles
	cols := m.layout(m.width - 1)
	var head []string
	for _, c := range cols {
		head = append(head, pad(c.title, c.width, c.right))
	}
	out := []string{st.Muted.Render(" " + strings.Join(head, " "))}
	for _, h := range m.members() {
		selected := h.Member.ID == m.selected
		var cells []string
		for _, c := range cols {
			text, style := c.cell(m, h)
			text = pad(cluster.EscapeText(text), c.width, c.right) // names and URLs came from the cluster
			if style != nil && !selected {
				text = style.Render(text)
			}
			cells = append(cells, text)
		}
		line := " " + strings.Join(cells, " ")
		if selected {
			line = st.Selected.Render(common.Pad(line, m.width))
		}
		out = append(out, line)
		if h.Err != "" {
			out = append(out, "   "+st.Error.Render("└ "+cluster.EscapeText(h.Err)))
		}
	}
	return out
}

// findings lists what deserves attention, wrapped, in at most n lines (the last says how many
// were left out).
func (m *Model) findings(n int) []string {
	fs := m.tracker.Findings()
	if n <= 1 || len(fs) == 0 {
		return nil
	}
	st := m.common.Styles
	var out []string
	for i, f := range fs {
		mark, style := "· ", st.Muted
		switch f.Severity {
		case "error":
			mark, style = "✗ ", st.Error
		case "warn":
			mark, style = "! ", st.Caution
		}
		wrapped := strings.Split(ansi.Wordwrap(cluster.EscapeText(f.Text), max(m.width-4, 10), ""), "\n")
		if len(out)+len(wrapped) > n-1 && i < len(fs)-1 || len(out)+len(wrapped) > n {
			out = append(out, " "+st.Muted.Render(fmt.Sprintf("… %d more (%s on a member for its details)", len(fs)-i,
				common.KeyName(m.common.Keys.Cluster.Details))))
			break
		}
		for j, l := range wrapped {
			if j == 0 {
				out = append(out, " "+style.Render(mark+l))
			} else {
				out = append(out, "   "+style.Render(l))
			}
		}
	}
	return out
}

// titleLine is " Cluster  N members · leader X (term T)" with the last poll's time on the right.
func (m *Model) titleLine() string {
	st := m.common.Styles
	p := m.tracker.Last()
	if len(p.Members) == 0 {
		return st.TitleLine(m.width, "Cluster", "", "")
	}
	subject := common.Plural(len(p.Members), "member")
	leader, term := m.tracker.Leader()
	switch since := m.tracker.LeaderlessSince(); {
	case !since.IsZero():
		subject += " · " + st.Error.Render("NO LEADER since "+since.Format("15:04:05"))
	case leader != 0:
		subject += fmt.Sprintf(" · leader %s · term %d", cluster.EscapeText(m.tracker.Name(leader)), term)
	}
	return st.TitleLine(m.width, "Cluster", subject, st.Muted.Render("polled "+p.Time.Format("15:04:05")))
}

// statusLine says how the polls go: their intervals, or the failure and the retry.
func (m *Model) statusLine() string {
	st := m.common.Styles
	if m.pollErr != "" {
		msg := fmt.Sprintf("health poll failed (%d×): %s", m.failures, cluster.EscapeText(m.pollErr))
		if m.next > 0 {
			msg += " · retrying in " + m.next.Round(time.Second).String()
		}
		return " " + st.Error.Render(msg)
	}
	if m.health == nil && len(m.members()) == 0 {
		return "" // not connected: nothing is polled
	}
	interval := m.common.Settings.HealthPollInterval
	msg := "health every " + interval.String() + " · metrics every " + monitor.DefaultMetricsInterval.String()
	if !m.scraped.IsZero() {
		msg += " (" + m.scraped.Format("15:04:05") + ")"
	}
	return " " + st.Muted.Render(common.Hints(msg, "* leader", "L learner"))
}

// quotaBar is "███░░░ 52%": the database size against the quota, amber from 80%, red when full.
func (m *Model) quotaBar(s *monitor.MemberStatus) (string, *lipgloss.Style) {
	if s == nil || s.DBSizeQuota <= 0 {
		return "-", nil
	}
	pct := s.DBSize * 100 / s.DBSizeQuota
	filled := int(min(int64(barWidth), (s.DBSize*barWidth*2+s.DBSizeQuota)/(2*s.DBSizeQuota)))
	text := strings.Repeat("█", filled) + strings.Repeat("░", barWidth-filled) + fmt.Sprintf(" %3d%%", pct)
	st := m.common.Styles
	switch {
	case pct >= 100:
		return text, &st.Error
	case pct >= monitor.QuotaWarnPercent:
		return text, &st.Caution
	}
	return text, &st.Muted
}

// took is a round trip for a narrow column; "-" when the call failed.
func took(d time.Duration) string {
	if d <= 0 {
		return "-"
	}
	return cluster.FormatDuration(d)
}

// size is a compact size for a narrow column: "512 B", "9.5 MiB", "1023 MiB".
func size(n int64) string {
	s := cluster.FormatBytes(n)
	if v, unit, ok := strings.Cut(s, " "); ok && len(v) > 3 {
		if f, err := strconv.ParseFloat(v, 64); err == nil && f >= 10 {
			return fmt.Sprintf("%.0f %s", f, unit)
		}
	}
	return s
}

// pad cuts or pads s to w cells, on the left for right-aligned columns.
func pad(s string, w int, right bool) string {
	if lipgloss.Width(s) > w {
		return common.Pad(s, w)
	}
	if right {
		return strings.Repeat(" ", w-lipgloss.Width(s)) + s
	}
	return common.Pad(s, w)
}
