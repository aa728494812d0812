package monitor

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/cluster/member"
)

// Thresholds of the findings, from etcd's tuning and hardware guides.
const (
	// QuotaWarnPercent is where the quota bar turns amber: NOSPACE stops all writes at 100%.
	QuotaWarnPercent = 80
	walFsyncLimit    = 10 * time.Millisecond  // etcd wants WAL fsync p99 < 10 ms
	backendLimit     = 25 * time.Millisecond  // and backend commit p99 < 25 ms
	peerRTTLimit     = 50 * time.Millisecond  // half the default 100 ms heartbeat
	appliedLagLimit  = 1000                   // entries not yet applied
	fragmentedMin    = 100 << 20              // only worth a defrag above this much free space
	pendingLimit     = 100                    // proposals waiting for consensus
	tookLimit        = 100 * time.Millisecond // a linearizable read slower than a heartbeat
)

// MetricsSummary is the part of a member's /metrics people read: quantiles over the last scrape
// interval (the member's lifetime until two scrapes exist) and counters.
type MetricsSummary struct {
	Time time.Time `json:"time"`
	Err  string    `json:"error,omitempty"`
	// Window is the interval the quantiles cover; zero means the member's lifetime.
	Window           time.Duration            `json:"window_ns"`
	PeerRTTP99       map[string]time.Duration `json:"peer_rtt_p99_ns,omitempty"`
	WALFsyncP99      time.Duration            `json:"wal_fsync_p99_ns"`
	BackendCommitP99 time.Duration            `json:"backend_commit_p99_ns"`
	LeaderChanges    float64                  `json:"leader_changes_seen"`
	HeartbeatFails   float64                  `json:"heartbeat_send_failures"`
	// HeartbeatFailsNew and ProposalsFailedNew are the increases over Window.
	HeartbeatFailsNew  float64 `json:"heartbeat_send_failures_new"`
	ProposalsPending   float64 `json:"proposals_pending"`
	ProposalsFailed    float64 `json:"proposals_failed"`
	ProposalsFailedNew float64 `json:"proposals_failed_new"`
}

// Metrics summarises a member's last scrape; nil when none has been made.
func (t *Tracker) Metrics(id uint64) *MetricsSummary {
	mt := t.members[id]
	if mt == nil || mt.metrics == nil {
		return nil
	}
	cur := mt.metrics
	s := &MetricsSummary{Time: cur.Time, Err: cur.Err}
	if cur.Err != "" {
		return s
	}
	window := func(h Histogram, prev func(*Metrics) (Histogram, bool)) (Histogram, time.Duration) {
		// With two scrapes the quantile covers the interval between them (nothing observed
		// there gives 0): a lifetime figure would keep a slow start-up in view forever.
		if mt.prev != nil {
			if p, ok := prev(mt.prev); ok {
				return h.Since(p), cur.Time.Sub(mt.prev.Time)
			}
		}
		return h, 0
	}
	p99 := func(h Histogram) time.Duration {
		v, _ := h.Quantile(0.99)
		return time.Duration(v * float64(time.Second))
	}
	var wal, be Histogram
	wal, s.Window = window(cur.WALFsync, func(p *Metrics) (Histogram, bool) { return p.WALFsync, true })
	s.WALFsyncP99 = p99(wal)
	be, _ = window(cur.BackendCommit, func(p *Metrics) (Histogram, bool) { return p.BackendCommit, true })
	s.BackendCommitP99 = p99(be)
	if len(cur.PeerRTT) > 0 {
		s.PeerRTTP99 = map[string]time.Duration{}
		for _, to := range cur.PeerIDs() {
			h, _ := window(cur.PeerRTT[to], func(p *Metrics) (Histogram, bool) { x, ok := p.PeerRTT[to]; return x, ok })
			s.PeerRTTP99[t.peerName(to)] = p99(h)
		}
	}
	s.LeaderChanges, s.HeartbeatFails = cur.LeaderChanges, cur.HeartbeatFailures
	s.ProposalsPending, s.ProposalsFailed = cur.ProposalsPending, cur.ProposalsFailed
	if mt.prev != nil {
		s.HeartbeatFailsNew = max(0, cur.HeartbeatFailures-mt.prev.HeartbeatFailures)
		s.ProposalsFailedNew = max(0, cur.ProposalsFailed-mt.prev.ProposalsFailed)
	}
	return s
}

// peerName turns the hex member ID of a "To" label into the member's name when known.
func (t *Tracker) peerName(hexID string) string {
	var id uint64
	if _, err := fmt.Sscanf(hexID, "%x", &id); err == nil {
		if n, ok := t.names[id]; ok {
			return n
		}
	}
	return hexID
}

// Finding is one thing an operator should know, in words.
type Finding struct {
	// Severity is "error" (the cluster or a member is failing), "warn" (it will, or is slow) or
	// "info".
	Severity string `json:"severity"`
	Member   string `json:"member,omitempty"`
	Text     string `json:"text"`
}

// Findings reads the last poll, the metrics and the leader history for what deserves attention.
func (t *Tracker) Findings() []Finding {
	var out []Finding
	add := func(sev, member, format string, args ...any) {
		out = append(out, Finding{Severity: sev, Member: member, Text: fmt.Sprintf(format, args...)})
	}
	p := t.last
	if p.ListErr != "" && len(p.Members) == 0 {
		add("error", "", "cannot read the member list: %s", p.ListErr)
	}
	if !t.leaderlessSince.IsZero() {
		add("error", "", "no leader since %s: writes and linearizable reads fail until a quorum of members is up", t.leaderlessSince.Format("15:04:05"))
	}
	alarms := map[string]bool{}
	for _, h := range p.Members {
		name := h.Member.Label()
		if h.State != StateHealthy {
			add("error", name, "member %s %s: %s", name, h.State, h.Err)
		}
		for _, a := range h.Alarms {
			alarms[a] = true
		}
		if st := h.Status; st != nil {
			if st.DBSizeQuota > 0 {
				if pct := st.DBSize * 100 / st.DBSizeQuota; pct >= QuotaWarnPercent {
					add("warn", name, "member %s: DB at %d%% of quota (%s of %s): NOSPACE stops all writes at 100%%; compact and defragment",
						name, pct, cluster.FormatBytes(st.DBSize), cluster.FormatBytes(st.DBSizeQuota))
				}
			}
			if free := st.DBSize - st.DBSizeInUse; free > fragmentedMin && free > st.DBSizeInUse {
				add("info", name, "member %s: DB %s but %s in use: defragmenting would free %s", name,
					cluster.FormatBytes(st.DBSize), cluster.FormatBytes(st.DBSizeInUse), cluster.FormatBytes(free))
			}
			if lag := t.AppliedLag(h); lag > appliedLagLimit {
				add("warn", name, "member %s: applied index %d entries behind the leader", name, lag)
			}
		}
		lin, _, _ := t.Latency(h.Member.ID)
		if st := lin.Stats(); st.Count >= 5 && st.P99 > tookLimit {
			add("warn", name, "member %s: linearizable read p99 %s over the last %s (etcd heartbeats every 100 ms)",
				name, cluster.FormatDuration(st.P99), cluster.FormatDuration(t.window))
		}
		t.metricFindings(h.Member, add)
	}
	keys := make([]string, 0, len(alarms))
	for a := range alarms {
		keys = append(keys, a)
	}
	sort.Strings(keys)
	for _, a := range keys {
		switch {
		case strings.HasPrefix(a, "NOSPACE"):
			add("error", "", "alarm %s: every write is refused until space is freed (compact, defragment) and the alarm is disarmed (:recover-nospace does it step by step)", a)
		case strings.HasPrefix(a, "CORRUPT"):
			add("error", "", "alarm %s: the member's data differs from the others': replace the member", a)
		default:
			add("error", "", "alarm %s", a)
		}
	}
	for _, d := range t.Disagreements() {
		add("warn", "", "%s", d)
	}
	if n := len(t.changes); n > 0 {
		last := t.changes[n-1]
		what := fmt.Sprintf("from %s to %s", last.OldLeader, last.NewLeader)
		if last.OldLeader == last.NewLeader {
			what = last.NewLeader + " re-elected"
		}
		seen := "leader changes"
		if n == 1 {
			seen = "leader change"
		}
		add("warn", "", "%d %s seen; the last at %s: %s (term %d)", n, seen,
			last.Time.Format("15:04:05"), what, last.NewTerm)
	}
	return out
}

// metricFindings adds what a member's metrics say: slow disks, slow peers, failing heartbeats.
func (t *Tracker) metricFindings(mm member.Info, add func(sev, member, format string, args ...any)) {
	name := mm.Label()
	s := t.Metrics(mm.ID)
	if s == nil {
		return
	}
	if s.Err != "" {
		add("info", name, "member %s: %s", name, s.Err)
		return
	}
	if s.Window == 0 {
		// One scrape: its quantiles span the member's lifetime, start-up included; wait for the
		// next one rather than blame the disk for how the member started.
		return
	}
	if s.WALFsyncP99 > walFsyncLimit {
		add("warn", name, "member %s: WAL fsync p99 %s — disk too slow for etcd (wants < 10 ms)", name, cluster.FormatDuration(s.WALFsyncP99))
	}
	if s.BackendCommitP99 > backendLimit {
		add("warn", name, "member %s: backend commit p99 %s — disk too slow for etcd (wants < 25 ms)", name, cluster.FormatDuration(s.BackendCommitP99))
	}
	peers := make([]string, 0, len(s.PeerRTTP99))
	for p := range s.PeerRTTP99 {
		peers = append(peers, p)
	}
	sort.Strings(peers)
	for _, p := range peers {
		if d := s.PeerRTTP99[p]; d > peerRTTLimit {
			add("warn", name, "member %s → %s: peer round trip p99 %s — network too slow for the default 100 ms heartbeat", name, p, cluster.FormatDuration(d))
		}
	}
	if s.HeartbeatFailsNew > 0 {
		add("warn", name, "member %s: %.0f heartbeat send failures in the last %s (a follower is slow or cut off)", name, s.HeartbeatFailsNew, cluster.FormatDuration(s.Window))
	}
	if s.ProposalsFailedNew > 0 {
		add("warn", name, "member %s: %.0f proposals failed in the last %s", name, s.ProposalsFailedNew, cluster.FormatDuration(s.Window))
	}
	if s.ProposalsPending > pendingLimit {
		add("warn", name, "member %s: %.0f proposals waiting for consensus", name, s.ProposalsPending)
	}
}
