package clusterview

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/views/common"
)

// detailsView is the selected member in full: identity and status, latency sparklines over the
// tracked window, the metrics excerpts and the leader-change history.
func (m *Model) detailsView() string {
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
	lines := []string{st.TitleLine(m.width, "Cluster", fmt.Sprintf("%s · %s · %s", mm.Label(), role, mm.IDString()), st.Muted.Render(back))}

	state := st.Success.Render(string(h.State))
	if h.State != cluster.StateHealthy {
		state = st.Error.Render(string(h.State))
	}
	line := " " + state + "  " + h.Endpoint
	if s := h.Status; s != nil {
		line += " · etcd " + s.Version
		if s.StorageVersion != "" {
			line += " (storage " + s.StorageVersion + ")"
		}
	}
	lines = append(lines, line)
	if h.Err != "" {
		lines = append(lines, " "+st.Error.Render("└ "+h.Err))
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
		lines = append(lines, " "+st.Error.Render("alarms: "+strings.Join(h.Alarms, ", ")))
	}
	if s := h.Status; s != nil && len(s.Errors) > 0 {
		lines = append(lines, " "+st.Error.Render("the member reports: "+strings.Join(s.Errors, "; ")))
	}
	if len(mm.PeerURLs) > 0 {
		lines = append(lines, " "+st.Muted.Render("peers reach it at "+strings.Join(mm.PeerURLs, ", ")))
	}
	lines = append(lines, "")
	lines = append(lines, m.latencyLines(h)...)
	lines = append(lines, "")
	lines = append(lines, m.metricsLines(mm)...)
	lines = append(lines, "")
	lines = append(lines, m.leaderLines(m.height-len(lines))...)
	return strings.Join(lines, "\n")
}

// latencyLines are the three sparklines (linearizable read, serializable read, Status) over the
// tracked window with p50/p99/max beside them.
func (m *Model) latencyLines(h cluster.MemberHealth) []string {
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
		ring cluster.Ring
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
			st.Running.Render(cluster.Sparkline(r.ring.Samples(), from, to, sparkW)), figures))
	}
	return out
}

// metricsLines are the excerpts of the member's last /metrics scrape, or why there is none.
func (m *Model) metricsLines(mm cluster.MemberInfo) []string {
	st := m.common.Styles
	s := m.tracker.Metrics(mm.ID)
	head := " Metrics"
	switch {
	case s == nil:
		return []string{st.Title.Render(head), " " + st.Muted.Render("not scraped yet (every "+cluster.DefaultMetricsInterval.String()+")")}
	case s.Err != "":
		return []string{st.Title.Render(head), " " + st.Caution.Render(s.Err)}
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
			peers = append(peers, name+" "+took(s.PeerRTTP99[name]))
		}
		out = append(out, " peer round trip p99: "+strings.Join(peers, " · "))
	}
	out = append(out, fmt.Sprintf(" leader changes seen %s · heartbeat failures %s · proposals pending %s, failed %s",
		num(s.LeaderChanges), num(s.HeartbeatFails), num(s.ProposalsPending), num(s.ProposalsFailed)))
	return out
}

// leaderLines is the leader-change history, newest first, within n lines.
func (m *Model) leaderLines(n int) []string {
	st := m.common.Styles
	ch := m.tracker.LeaderChanges()
	out := []string{st.Title.Render(" Leader changes")}
	if len(ch) == 0 {
		return append(out, " "+st.Muted.Render("none seen since the view opened"))
	}
	for i := len(ch) - 1; i >= 0 && len(out) < n; i-- {
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
