package monitor_test

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/etcdeck/etcdeck/cluster/member"
	"github.com/etcdeck/etcdeck/cluster/monitor"
)

// health builds one member's probe result: leader 0 means the member knows none; term 0 means
// it was not reached.
func health(id uint64, at time.Time, leader, term uint64) monitor.MemberHealth {
	h := monitor.MemberHealth{Member: member.Info{ID: id, Name: "m" + string(rune('0'+id))}, Time: at}
	if term == 0 {
		h.State, h.Err = monitor.StateUnreachable, "connection refused"
		return h
	}
	h.State = monitor.StateHealthy
	if leader == 0 {
		h.State = monitor.StateNoLeader
	}
	h.Status = &monitor.MemberStatus{Leader: leader, RaftTerm: term, RaftIndex: 100, RaftAppliedIndex: 100}
	h.Linearizable, h.Serializable, h.StatusTook = 2*time.Millisecond, time.Millisecond, time.Millisecond
	h.MemberIDs = []uint64{1, 2, 3}
	return h
}

func poll(at time.Time, hs ...monitor.MemberHealth) monitor.Poll {
	return monitor.Poll{Time: at, Members: hs}
}

func TestTrackerLeaderChanges(t *testing.T) {
	tr := monitor.NewTracker(0)
	s := func(n int) time.Time { return t0.Add(time.Duration(n) * time.Second) }
	tr.AddPoll(poll(s(0), health(1, s(0), 1, 2), health(2, s(0), 1, 2), health(3, s(0), 1, 2)))
	if id, term := tr.Leader(); id != 1 || term != 2 || len(tr.LeaderChanges()) != 0 {
		t.Fatalf("first poll: leader %d term %d, changes %v", id, term, tr.LeaderChanges())
	}
	// m1 stops; the others elect nobody for two polls, then m2.
	tr.AddPoll(poll(s(1), health(1, s(1), 0, 0), health(2, s(1), 0, 3), health(3, s(1), 0, 3)))
	tr.AddPoll(poll(s(2), health(1, s(2), 0, 0), health(2, s(2), 0, 3), health(3, s(2), 0, 3)))
	if !tr.LeaderlessSince().Equal(s(1)) {
		t.Fatalf("leaderless since %v, want %v", tr.LeaderlessSince(), s(1))
	}
	found := false
	for _, f := range tr.Findings() {
		found = found || strings.HasPrefix(f.Text, "no leader since")
	}
	if !found {
		t.Fatalf("no finding about the missing leader: %+v", tr.Findings())
	}
	tr.AddPoll(poll(s(3), health(1, s(3), 0, 0), health(2, s(3), 2, 3), health(3, s(3), 2, 3)))
	ch := tr.LeaderChanges()
	want := monitor.LeaderChange{Time: s(3), OldLeader: "m1", NewLeader: "m2", OldTerm: 2, NewTerm: 3, Leaderless: 2 * time.Second}
	if len(ch) != 1 || ch[0] != want {
		t.Fatalf("changes = %+v, want %+v", ch, want)
	}
	// A member cut off at an older term does not look like a change back.
	tr.AddPoll(poll(s(4), health(1, s(4), 1, 2), health(2, s(4), 2, 3), health(3, s(4), 2, 3)))
	// Re-election of the same leader at a new term is a change too, seen between two polls.
	tr.AddPoll(poll(s(5), health(1, s(5), 2, 4), health(2, s(5), 2, 4), health(3, s(5), 2, 4)))
	ch = tr.LeaderChanges()
	if len(ch) != 2 || ch[1].NewTerm != 4 || ch[1].Leaderless != 0 || ch[1].OldLeader != "m2" || ch[1].NewLeader != "m2" {
		t.Fatalf("changes = %+v", ch)
	}
	// Nobody reached: nothing is known, nothing changes.
	tr.AddPoll(poll(s(6), health(1, s(6), 0, 0), health(2, s(6), 0, 0), health(3, s(6), 0, 0)))
	if !tr.LeaderlessSince().IsZero() || len(tr.LeaderChanges()) != 2 {
		t.Fatalf("an unreachable cluster is not a leaderless one: since %v", tr.LeaderlessSince())
	}
	lin, _, st := tr.Latency(1)
	if lin.Len() != 7 || lin.Stats().Failed != 4 || st.Stats().Count != 3 {
		t.Fatalf("m1 latency: %d samples, %+v", lin.Len(), lin.Stats())
	}
}

func TestTrackerDisagreement(t *testing.T) {
	tr := monitor.NewTracker(0)
	a, b, c := health(1, t0, 1, 5), health(2, t0, 1, 5), health(3, t0, 1, 4)
	b.MemberIDs = []uint64{1, 2}
	tr.AddPoll(poll(t0, a, b, c))
	got := strings.Join(tr.Disagreements(), "\n")
	want := "member m2 disagrees on the member list: it lacks m3\nmember m3 is at raft term 4, others at 5"
	if got != want {
		t.Fatalf("disagreements:\n%s\nwant:\n%s", got, want)
	}
}

func TestFindings(t *testing.T) {
	tr := monitor.NewTracker(0)
	a, b, c := health(1, t0, 1, 5), health(2, t0, 1, 5), health(3, t0, 0, 0)
	a.Status.DBSize, a.Status.DBSizeInUse, a.Status.DBSizeQuota = 86<<20, 80<<20, 100<<20
	b.Alarms = []string{"NOSPACE on 1"}
	b.State, b.Err = monitor.StateUnhealthy, "active alarm: NOSPACE on 1"
	b.Status.RaftAppliedIndex = 1
	a.Status.RaftIndex = 5000
	tr.AddPoll(poll(t0, a, b, c))
	slow := monitor.Metrics{Member: a.Member, Time: t0,
		WALFsync: monitor.Histogram{Count: 100, Bounds: []float64{0.008, 0.064, math.Inf(1)}, Buckets: []uint64{10, 100, 100}}}
	earlier := monitor.Metrics{Member: a.Member, Time: t0.Add(-15 * time.Second),
		WALFsync: monitor.Histogram{Count: 50, Bounds: slow.WALFsync.Bounds, Buckets: []uint64{5, 50, 50}}}
	tr.AddMetrics([]monitor.Metrics{earlier})
	for _, f := range tr.Findings() {
		if strings.Contains(f.Text, "WAL fsync") {
			t.Fatalf("a single scrape (lifetime quantiles) gave a disk finding: %+v", f)
		}
	}
	tr.AddMetrics([]monitor.Metrics{slow, {Member: c.Member, Time: t0, Err: "metrics not reachable: connection refused"}})
	var texts []string
	for _, f := range tr.Findings() {
		texts = append(texts, f.Severity+": "+f.Text)
	}
	got := strings.Join(texts, "\n")
	for _, want := range []string{
		"warn: member m1: DB at 86% of quota (86.0 MiB of 100.0 MiB): NOSPACE stops all writes at 100%; compact and defragment",
		"warn: member m1: WAL fsync p99 63 ms — disk too slow for etcd (wants < 10 ms)",
		"error: member m2 unhealthy: active alarm: NOSPACE on 1",
		"warn: member m2: applied index 4999 entries behind the leader",
		"error: member m3 unreachable: connection refused",
		"info: member m3: metrics not reachable: connection refused",
		"error: alarm NOSPACE on 1: every write is refused until space is freed (compact, defragment) and the alarm is disarmed (:recover-nospace does it step by step)",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing finding %q in:\n%s", want, got)
		}
	}
}
