package clusterview

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/cluster/member"
	"github.com/etcdeck/etcdeck/cluster/monitor"
	"github.com/etcdeck/etcdeck/views/common"
)

// detailsView is the selected member's details from the scroll position, under their title line,
// exactly the view's height; the first and last rows say what is above and below when they do
// not fit.
func (m *Model) detailsView() string {
	st := m.common.Styles
	all := m.detailsLines()
	title, body := all[0], all[1:]
	rows := max(m.height-1, 0)
	start := min(m.detailsOff, m.detailsMaxOff())
	end := min(start+rows, len(body))
	out := []string{title}
	if start > 0 && end > start {
		// The first row says what is above, in place of a line.
		out = append(out, st.Muted.Render(fmt.Sprintf(" … %d lines above", start+1)))
		start++
	}
	left := len(body) - end
	more := left > 0 && end > start
	if more {
		end-- // the last row says what is below, in place of a line
	}
	out = append(out, body[start:end]...)
	if more {
		out = append(out, st.Muted.Render(fmt.Sprintf(" … %d more lines (%s)", left+1,
			common.BindingHint(m.keys().ScrollDown, "scroll"))))
	}
	return common.Fit(strings.Join(out, "\n"), m.width, m.height)
}

// detailsPage is how far one press scrolls the details: half the rows under the title.
func (m *Model) detailsPage() int { return max((m.height-1)/2, 1) }

// detailsMaxOff is the last scroll position that still fills the rows under the title.
func (m *Model) detailsMaxOff() int {
	if m.index() < 0 {
		return 0
	}
	return max(len(m.detailsLines())-1-max(m.height-1, 0), 0)
}

// detailsLines is the selected member in full, its title line first: identity and status,
// latency sparklines over the tracked window, the metrics excerpts and the leader-change history.
func (m *Model) detailsLines() []string {
	st := m.common.Styles
	h := m.members()[m.index()]
	mm := h.Member
	role := "follower"
	switch {
	case h.Status != nil && h.Status.Leader == mm.ID:
		role = "leader"
	case mm.Learner:
		role = "learner"
	}
	back := common.BindingHint(m.common.Keys.Global.Back, "back")
	lines := []string{st.TitleLine(m.width, "Cluster", fmt.Sprintf("%s · %s · %s", cluster.EscapeText(mm.Label()), role, mm.IDString()), st.Muted.Render(back))}

	state := st.Success.Render(string(h.State))
	if h.State != monitor.StateHealthy {
		state = st.Error.Render(string(h.State))
	}
	line := " " + state + "  " + cluster.EscapeText(h.Endpoint)
	if s := h.Status; s != nil {
		line += " · etcd " + cluster.EscapeText(s.Version)
		if s.StorageVersion != "" {
			line += " (storage " + cluster.EscapeText(s.StorageVersion) + ")"
		}
	}
	lines = append(lines, line)
	if h.Err != "" {
		lines = append(lines, " "+st.Error.Render("└ "+cluster.EscapeText(h.Err)))
	}
	if s := h.Status; s != nil {
		bar, style := m.quotaBar(s)
		if style != nil {
			bar = style.Render(bar)
		}
		lines = append(lines,
			fmt.Sprintf(" DB %s, %s in use, quota %s %s", cluster.FormatBytes(s.DBSize), cluster.FormatBytes(s.DBSizeInUse), cluster.FormatBytes(s.DBSizeQuota), bar),
			fmt.Sprintf(" raft term %d · index %d · applied %d (lag %d) · revision %d", s.RaftTerm, s.RaftIndex, s.RaftAppliedIndex, m.tracker.AppliedLag(h), s.Revision))
	}
	if len(h.Alarms) > 0 {
		lines = append(lines, " "+st.Error.Render("alarms: "+cluster.EscapeText(strings.Join(h.Alarms, ", "))))
	}
	if s := h.Status; s != nil && len(s.Errors) > 0 {
		lines = append(lines, " "+st.Error.Render("the member reports: "+cluster.EscapeText(strings.Join(s.Errors, "; "))))
	}
	if len(mm.PeerURLs) > 0 {
		lines = append(lines, " "+st.Muted.Render("peers reach it at "+cluster.EscapeText(strings.Join(mm.PeerURLs, ", "))))
	}
	lines = append(lines, "")
	lines = append(lines, m.latencyLines(h)...)
	lines = append(lines, "")
	lines = append(lines, m.metricsLines(mm)...)
	lines = append(lines, "")
	lines = append(lines, m.leaderLines()...)
	return append(lines, m.self.lines(st)...)
}

// latencyLines are the three sparklines (linearizable read, serializable read, Status) over the
// tracked window with p50/p99/max beside them.
func (m *Model) latencyLines(h monitor.MemberHealth) []string {
	st := m.common.Styles
	lin, ser, status := m.tracker.Latency(h.Member.ID)
	const labelW, statsW = 13, 36
	sparkW := max(m.width-labelW-statsW-3, 8)
	to := m.tracker.Last().Time
	from := to.Add(-m.tracker.Window())
	out := []string{st.Title.Render(fmt.Sprintf(" %-*s %-*s %s", labelW, "Latency", sparkW,
		"last "+windowText(m.tracker.Window()), "p50 / p99 / max"))}
	for _, r := range []struct {
		name string
		ring monitor.Ring
	}{{"linearizable", lin}, {"serializable", ser}, {"status", status}} {
		s := r.ring.Stats()
		figures := "-"
		if s.Count > 0 {
			figures = fmt.Sprintf("%s / %s / %s", took(s.P50), took(s.P99), took(s.Max))
		}
		if s.Failed > 0 {
			figures += fmt.Sprintf(" · %d failed", s.Failed)
		}
		out = append(out, fmt.Sprintf(" %-*s %s %s", labelW, r.name,
			st.Running.Render(monitor.Sparkline(r.ring.Samples(), from, to, sparkW)), figures))
	}
	return out
}

// metricsLines are the excerpts of the member's last /metrics scrape, or why there is none.
func (m *Model) metricsLines(mm member.Info) []string {
	st := m.common.Styles
	s := m.tracker.Metrics(mm.ID)
	head := " Metrics"
	switch {
	case s == nil:
		return []string{st.Title.Render(head), " " + st.Muted.Render("not scraped yet (every "+monitor.DefaultMetricsInterval.String()+")")}
	case s.Err != "":
		return []string{st.Title.Render(head), " " + st.Caution.Render(cluster.EscapeText(s.Err))}
	}
	over := "since the member started"
	if s.Window > 0 {
		over = "over the last " + cluster.FormatDuration(s.Window)
	}
	out := []string{st.Title.Render(head) + st.Muted.Render(fmt.Sprintf("  %s, quantiles %s", s.Time.Format("15:04:05"), over)),
		fmt.Sprintf(" WAL fsync p99 %s · backend commit p99 %s", took(s.WALFsyncP99), took(s.BackendCommitP99))}
	if len(s.PeerRTTP99) > 0 {
		var peers []string
		for _, name := range slices.Sorted(maps.Keys(s.PeerRTTP99)) {
			peers = append(peers, cluster.EscapeText(name)+" "+took(s.PeerRTTP99[name]))
		}
		out = append(out, " peer round trip p99: "+strings.Join(peers, " · "))
	}
	out = append(out, fmt.Sprintf(" leader changes seen %s · heartbeat failures %s · proposals pending %s, failed %s",
		num(s.LeaderChanges), num(s.HeartbeatFails), num(s.ProposalsPending), num(s.ProposalsFailed)))
	return out
}

// leaderLines is the leader-change history, newest first (the tracker keeps the last few).
func (m *Model) leaderLines() []string {
	st := m.common.Styles
	ch := m.tracker.LeaderChanges()
	out := []string{st.Title.Render(" Leader changes")}
	if len(ch) == 0 {
		return append(out, " "+st.Muted.Render("none seen since the view opened"))
	}
	for i := len(ch) - 1; i >= 0; i-- {
		c := ch[i]
		out = append(out, fmt.Sprintf(" %s  %s → %s  term %d → %d  no leader for %s",
			c.Time.Format("15:04:05"), c.OldLeader, c.NewLeader, c.OldTerm, c.NewTerm, c.LeaderlessText()))
	}
	return out
}

func num(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// windowText is the latency window as people say it: "5 min", "90s".
func windowText(d time.Duration) string {
	if d%time.Minute == 0 {
		return strconv.Itoa(int(d/time.Minute)) + " min"
	}
	return d.String()
}
