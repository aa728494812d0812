package monitor

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/etcdeck/etcdeck/cluster"
)

// LeaderChange is a change of leader or raft term seen between two polls.
type LeaderChange struct {
	Time      time.Time `json:"time"`
	OldLeader string    `json:"old_leader"`
	NewLeader string    `json:"new_leader"`
	OldTerm   uint64    `json:"old_term"`
	NewTerm   uint64    `json:"new_term"`
	// Leaderless is how long polls saw no leader before the new one; zero when the change fell
	// between two polls.
	Leaderless time.Duration `json:"leaderless_ns"`
}

// LeaderlessText is how long the cluster had no leader, in words: "less than a poll" when the
// change fell between two polls.
func (c LeaderChange) LeaderlessText() string {
	if c.Leaderless <= 0 {
		return "less than a poll"
	}
	return cluster.FormatDuration(c.Leaderless)
}

// maxLeaderChanges bounds the history kept.
const maxLeaderChanges = 100

// Tracker is what the polls of a Monitor saw over time: latency rings per member, the last
// metrics, leader changes. It is plain data fed by whoever owns it (the Cluster view's Update,
// the diagnose loop), never from several goroutines.
type Tracker struct {
	window  time.Duration
	last    Poll
	names   map[uint64]string
	members map[uint64]*memberTrack
	changes []LeaderChange
	// The leader and term last seen, and since when no leader has been seen (zero: there is one).
	leader, term    uint64
	known           bool
	leaderlessSince time.Time
}

// memberTrack is one member's history.
type memberTrack struct {
	lin, ser, status Ring
	metrics, prev    *Metrics
}

// NewTracker keeps latency samples for window (DefaultWindow when zero).
func NewTracker(window time.Duration) *Tracker {
	if window <= 0 {
		window = DefaultWindow
	}
	return &Tracker{window: window, names: map[uint64]string{}, members: map[uint64]*memberTrack{}}
}

func (t *Tracker) track(id uint64) *memberTrack {
	mt := t.members[id]
	if mt == nil {
		mt = &memberTrack{lin: Ring{Window: t.window}, ser: Ring{Window: t.window}, status: Ring{Window: t.window}}
		t.members[id] = mt
	}
	return mt
}

// AddPoll records a poll: latency samples, member names, leader and term changes.
func (t *Tracker) AddPoll(p Poll) {
	if len(p.Members) == 0 && p.ListErr != "" {
		t.last.ListErr, t.last.Time = p.ListErr, p.Time
		return
	}
	t.last = p
	for _, h := range p.Members {
		t.names[h.Member.ID] = h.Member.Label()
		if h.Pending {
			continue // its probe is still running; the sample comes when it answers
		}
		mt := t.track(h.Member.ID)
		reached := h.Status != nil
		mt.status.Add(Sample{Time: h.Time, Took: h.StatusTook, OK: reached})
		mt.lin.Add(Sample{Time: h.Time, Took: h.Linearizable, OK: reached && h.Linearizable > 0})
		mt.ser.Add(Sample{Time: h.Time, Took: h.Serializable, OK: reached && h.Serializable > 0})
	}
	t.observeLeader(p)
}

// observeLeader follows the cluster's leader: the leader named by the member at the highest
// term (a member cut off from the others lags behind and must not look like a change).
func (t *Tracker) observeLeader(p Poll) {
	var leader, term uint64
	reached := false
	for _, h := range p.Members {
		if h.Status == nil {
			continue
		}
		reached = true
		if h.Status.Leader != 0 && h.Status.RaftTerm >= term {
			leader, term = h.Status.Leader, h.Status.RaftTerm
		}
	}
	switch {
	case !reached:
		return // nobody answered: nothing is known about the leader
	case leader == 0:
		if t.leaderlessSince.IsZero() {
			t.leaderlessSince = p.Time
		}
		return
	case !t.known:
		t.leader, t.term, t.known = leader, term, true
	case leader != t.leader || term > t.term:
		c := LeaderChange{Time: p.Time, OldLeader: t.Name(t.leader), NewLeader: t.Name(leader), OldTerm: t.term, NewTerm: term}
		if !t.leaderlessSince.IsZero() {
			c.Leaderless = p.Time.Sub(t.leaderlessSince)
		}
		t.changes = append(t.changes, c)
		if len(t.changes) > maxLeaderChanges {
			t.changes = append(t.changes[:0], t.changes[len(t.changes)-maxLeaderChanges:]...)
		}
		t.leader, t.term = leader, term
	}
	t.leaderlessSince = time.Time{}
}

// AddMetrics records a scrape; the previous one is kept so quantiles cover the last interval.
func (t *Tracker) AddMetrics(ms []Metrics) {
	for i := range ms {
		m := ms[i]
		mt := t.track(m.Member.ID)
		if m.Err == "" {
			if mt.metrics != nil && mt.metrics.Err == "" {
				mt.prev = mt.metrics
			}
		}
		mt.metrics = &m
	}
}

// Last is the most recent poll.
func (t *Tracker) Last() Poll { return t.last }

// Name is a member's name from the polls, or its ID in hex when unknown; "none" for 0.
func (t *Tracker) Name(id uint64) string {
	if id == 0 {
		return "none"
	}
	if n, ok := t.names[id]; ok {
		return n
	}
	return fmt.Sprintf("%x", id)
}

// Leader is the leader last seen and its term (0 when none is known).
func (t *Tracker) Leader() (id, term uint64) { return t.leader, t.term }

// LeaderlessSince is when polls started seeing no leader; zero while there is one.
func (t *Tracker) LeaderlessSince() time.Time { return t.leaderlessSince }

// LeaderChanges are the changes of leader or term seen, oldest first.
func (t *Tracker) LeaderChanges() []LeaderChange { return append([]LeaderChange(nil), t.changes...) }

// Latency returns copies of a member's rings: linearizable read, serializable read, Status.
func (t *Tracker) Latency(id uint64) (lin, ser, status Ring) {
	mt := t.members[id]
	if mt == nil {
		return Ring{Window: t.window}, Ring{Window: t.window}, Ring{Window: t.window}
	}
	cp := func(r Ring) Ring { return Ring{Window: r.Window, samples: r.Samples()} }
	return cp(mt.lin), cp(mt.ser), cp(mt.status)
}

// Window is how far back the latency rings go.
func (t *Tracker) Window() time.Duration { return t.window }

// AppliedLag is how far a member's applied index is behind the leader's raft index (0 when
// either is unknown).
func (t *Tracker) AppliedLag(h MemberHealth) uint64 {
	if h.Status == nil {
		return 0
	}
	for _, o := range t.last.Members {
		if o.Status != nil && o.Member.ID == o.Status.Leader && o.Member.ID == t.leader {
			if o.Status.RaftIndex > h.Status.RaftAppliedIndex {
				return o.Status.RaftIndex - h.Status.RaftAppliedIndex
			}
			return 0
		}
	}
	return 0
}

// Disagreements names members whose member list or raft term differs from the others'.
func (t *Tracker) Disagreements() []string {
	var out []string
	ref := map[uint64]bool{}
	for _, h := range t.last.Members {
		ref[h.Member.ID] = true
	}
	var maxTerm uint64
	for _, h := range t.last.Members {
		if h.Status != nil && !h.Pending {
			maxTerm = max(maxTerm, h.Status.RaftTerm)
		}
	}
	for _, h := range t.last.Members {
		if h.Pending || h.Status == nil {
			continue
		}
		if h.MemberIDs != nil {
			if diff := t.listDiff(ref, h.MemberIDs); diff != "" {
				out = append(out, fmt.Sprintf("member %s disagrees on the member list: %s", h.Member.Label(), diff))
			}
		}
		if h.Status.RaftTerm < maxTerm {
			out = append(out, fmt.Sprintf("member %s is at raft term %d, others at %d", h.Member.Label(), h.Status.RaftTerm, maxTerm))
		}
	}
	return out
}

func (t *Tracker) listDiff(ref map[uint64]bool, ids []uint64) string {
	has := map[uint64]bool{}
	var extra, missing []string
	for _, id := range ids {
		has[id] = true
		if !ref[id] {
			extra = append(extra, t.Name(id))
		}
	}
	for id := range ref {
		if !has[id] {
			missing = append(missing, t.Name(id))
		}
	}
	sort.Strings(extra)
	sort.Strings(missing)
	var parts []string
	if len(missing) > 0 {
		parts = append(parts, "it lacks "+strings.Join(missing, ", "))
	}
	if len(extra) > 0 {
		parts = append(parts, "it also lists "+strings.Join(extra, ", "))
	}
	return strings.Join(parts, "; ")
}
