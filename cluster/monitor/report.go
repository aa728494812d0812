package monitor

import (
	"context"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/cluster/member"
)

// MemberReport is everything known about one member: the last probe, latency over the tracked
// window, and the metrics summary.
type MemberReport struct {
	Member        member.Info     `json:"member"`
	Endpoint      string          `json:"endpoint"`
	State         HealthState     `json:"state"`
	Err           string          `json:"error,omitempty"`
	Leader        bool            `json:"leader"`
	Status        *MemberStatus   `json:"status,omitempty"`
	AppliedLag    uint64          `json:"applied_lag"`
	Alarms        []string        `json:"alarms,omitempty"`
	Linearizable  Stats           `json:"linearizable"`
	Serializable  Stats           `json:"serializable"`
	StatusLatency Stats           `json:"status_latency"`
	Metrics       *MetricsSummary `json:"metrics,omitempty"`
}

// Report is the state of the cluster as the tracker saw it: what `etcdeck diagnose` prints.
type Report struct {
	Time          time.Time      `json:"time"`
	Leader        string         `json:"leader"`
	Term          uint64         `json:"raft_term"`
	Healthy       bool           `json:"healthy"`
	Members       []MemberReport `json:"members"`
	LeaderChanges []LeaderChange `json:"leader_changes"`
	Findings      []Finding      `json:"findings"`
}

// Report assembles the tracker's view into a Report. Healthy means every member is.
func (t *Tracker) Report() Report {
	leader, term := t.Leader()
	r := Report{Time: t.last.Time, Term: term, Healthy: len(t.last.Members) > 0,
		LeaderChanges: t.LeaderChanges(), Findings: t.Findings()}
	if leader != 0 && t.leaderlessSince.IsZero() {
		r.Leader = t.Name(leader)
	}
	if r.LeaderChanges == nil {
		r.LeaderChanges = []LeaderChange{}
	}
	if r.Findings == nil {
		r.Findings = []Finding{}
	}
	for _, h := range t.last.Members {
		lin, ser, st := t.Latency(h.Member.ID)
		mr := MemberReport{Member: h.Member, Endpoint: h.Endpoint, State: h.State, Err: h.Err,
			Leader: h.Status != nil && h.Status.Leader == h.Member.ID, Status: h.Status,
			AppliedLag: t.AppliedLag(h), Alarms: h.Alarms,
			Linearizable: lin.Stats(), Serializable: ser.Stats(), StatusLatency: st.Stats(),
			Metrics: t.Metrics(h.Member.ID)}
		r.Healthy = r.Healthy && h.State == StateHealthy
		r.Members = append(r.Members, mr)
	}
	return r
}

// DiagnoseOptions say how long `etcdeck diagnose` samples.
type DiagnoseOptions struct {
	// Duration is how long to sample; zero polls once.
	Duration time.Duration
	// Interval is the time between polls (one second when zero).
	Interval time.Duration
	// Stop, when closed, ends the sampling early (ctrl+c): the report covers what was seen.
	Stop <-chan struct{}
}

// Diagnose polls every member every interval for the duration (at least once), scraping
// /metrics at the start and the end so quantiles cover the sample, and returns the report. Its
// RPCs derive from ctx (the session's).
func Diagnose(ctx context.Context, c *cluster.Client, o DiagnoseOptions) Report {
	if o.Interval <= 0 {
		o.Interval = time.Second
	}
	m := NewMonitor(ctx, c)
	defer m.Close()
	tr := NewTracker(max(o.Duration, DefaultWindow))
	wait := min(o.Interval, c.CommandTimeout())
	end := time.Now().Add(o.Duration)
	polled := time.Now() // polls start every interval, however long each takes
	tr.AddPoll(m.Poll(ctx, wait))
	scrape(tr, m, ctx, c.CommandTimeout())
	stopped := false
	for !stopped && time.Now().Before(end) && ctx.Err() == nil {
		select {
		case <-ctx.Done():
			stopped = true
		case <-o.Stop:
			stopped = true
		case <-time.After(time.Until(earlier(polled.Add(o.Interval), end))):
			polled = time.Now()
			tr.AddPoll(m.Poll(ctx, wait))
		}
	}
	if o.Duration > 0 && ctx.Err() == nil {
		scrape(tr, m, ctx, c.CommandTimeout())
	}
	return tr.Report()
}

// scrape feeds one scrape to the tracker; without a member list there is nothing to scrape and
// the polls already say why.
func scrape(tr *Tracker, m *Monitor, ctx context.Context, timeout time.Duration) {
	if ms, err := m.Scrape(ctx, timeout); err == nil {
		tr.AddMetrics(ms)
	}
}

func earlier(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// WriteText prints the report as tables for a terminal or a ticket.
func (r Report) WriteText(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	p := func(format string, args ...any) { fmt.Fprintf(tw, format, args...) }
	verdict := "healthy"
	if !r.Healthy {
		verdict = "NOT healthy"
	}
	leader := r.Leader
	if leader == "" {
		leader = "none"
	}
	p("cluster %s at %s: leader %s, raft term %d\n\n", verdict, r.Time.Format(time.RFC3339), leader, r.Term)
	p("MEMBER\tID\tENDPOINT\tSTATE\tVERSION\tDB SIZE\tIN USE\tQUOTA\tTERM\tINDEX\tAPPLIED\tLAG\tALARMS\n")
	for _, m := range r.Members {
		name := m.Member.Label()
		if m.Leader {
			name += " *"
		}
		if m.Member.Learner {
			name += " (learner)"
		}
		p("%s\t%s\t%s\t%s\t", name, m.Member.IDString(), m.Endpoint, m.State)
		if s := m.Status; s != nil {
			alarms := "-"
			if len(m.Alarms) > 0 {
				alarms = strings.Join(m.Alarms, ", ")
			}
			p("%s\t%s\t%s\t%s\t%d\t%d\t%d\t%d\t%s\n", s.Version, cluster.FormatBytes(s.DBSize), cluster.FormatBytes(s.DBSizeInUse),
				quotaText(s), s.RaftTerm, s.RaftIndex, s.RaftAppliedIndex, m.AppliedLag, alarms)
		} else {
			p("-\t-\t-\t-\t-\t-\t-\t-\t-\n")
		}
	}
	p("\nMEMBER\tLINEARIZABLE p50/p99/max\tSERIALIZABLE p50/p99/max\tSTATUS p50/p99/max\tFAILED\n")
	for _, m := range r.Members {
		p("%s\t%s\t%s\t%s\t%d\n", m.Member.Label(), statsText(m.Linearizable), statsText(m.Serializable),
			statsText(m.StatusLatency), m.StatusLatency.Failed)
	}
	p("\nMEMBER\tWAL FSYNC p99\tBACKEND COMMIT p99\tPEER RTT p99\tLEADER CHANGES\tHEARTBEAT FAILURES\tPROPOSALS PENDING/FAILED\n")
	for _, m := range r.Members {
		s := m.Metrics
		switch {
		case s == nil:
			p("%s\tnot scraped\n", m.Member.Label())
		case s.Err != "":
			p("%s\t%s\n", m.Member.Label(), s.Err)
		default:
			p("%s\t%s\t%s\t%s\t%.0f\t%.0f\t%.0f/%.0f\n", m.Member.Label(), quantileText(s.WALFsyncP99),
				quantileText(s.BackendCommitP99), peersText(s.PeerRTTP99), s.LeaderChanges, s.HeartbeatFails,
				s.ProposalsPending, s.ProposalsFailed)
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	var b strings.Builder
	b.WriteString("\nleader changes during the sample: ")
	if len(r.LeaderChanges) == 0 {
		b.WriteString("none\n")
	} else {
		b.WriteString("\n")
		for _, c := range r.LeaderChanges {
			fmt.Fprintf(&b, "  %s  %s → %s (term %d → %d), no leader for %s\n", c.Time.Format("15:04:05"),
				c.OldLeader, c.NewLeader, c.OldTerm, c.NewTerm, c.LeaderlessText())
		}
	}
	b.WriteString("\nfindings:")
	if len(r.Findings) == 0 {
		b.WriteString(" none\n")
	} else {
		b.WriteString("\n")
		for _, f := range r.Findings {
			fmt.Fprintf(&b, "  %-5s  %s\n", f.Severity, f.Text)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func quotaText(s *MemberStatus) string {
	if s.DBSizeQuota <= 0 {
		return "-"
	}
	return fmt.Sprintf("%s (%d%%)", cluster.FormatBytes(s.DBSizeQuota), s.DBSize*100/s.DBSizeQuota)
}

func statsText(s Stats) string {
	if s.Count == 0 {
		return "-"
	}
	return cluster.FormatDuration(s.P50) + " / " + cluster.FormatDuration(s.P99) + " / " + cluster.FormatDuration(s.Max)
}

func peersText(m map[string]time.Duration) string {
	if len(m) == 0 {
		return "-"
	}
	var parts []string
	for _, name := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, name+" "+quantileText(m[name]))
	}
	return strings.Join(parts, ", ")
}

// quantileText is a quantile, or "-" when nothing was observed in the window.
func quantileText(d time.Duration) string {
	if d <= 0 {
		return "-"
	}
	return cluster.FormatDuration(d)
}
