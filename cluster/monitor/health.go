package monitor

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	pb "go.etcd.io/etcd/api/v3/etcdserverpb"
	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/cluster/member"
)

// HealthState is a member's condition, in the words the Cluster view and `etcdeck diagnose` print.
type HealthState string

// The states a member can be in.
const (
	StateHealthy     HealthState = "healthy"     // answered a linearizable read, no NOSPACE/CORRUPT alarm
	StateUnhealthy   HealthState = "unhealthy"   // reached, but the read failed or an alarm is raised
	StateUnreachable HealthState = "unreachable" // could not be dialled or did not answer in time
	StateNoLeader    HealthState = "no leader"   // reached, but it knows no leader (lost quorum?)
	StateNotStarted  HealthState = "not started" // in the member list without client URLs (added, never started)
)

// MemberStatus is what one member's Status RPC says about itself.
type MemberStatus struct {
	Version          string   `json:"version"`
	StorageVersion   string   `json:"storage_version,omitempty"`
	DBSize           int64    `json:"db_size"`
	DBSizeInUse      int64    `json:"db_size_in_use"`
	DBSizeQuota      int64    `json:"db_size_quota"`
	Leader           uint64   `json:"leader"`
	RaftTerm         uint64   `json:"raft_term"`
	RaftIndex        uint64   `json:"raft_index"`
	RaftAppliedIndex uint64   `json:"raft_applied_index"`
	Revision         int64    `json:"revision"`
	Learner          bool     `json:"learner"`
	Errors           []string `json:"errors,omitempty"`
}

// MemberHealth is one probe of one member: the health read as `etcdctl endpoint health` does it,
// a serializable read beside it (the gap is the cost of consensus), and the member's status.
type MemberHealth struct {
	Member   member.Info `json:"member"`
	Endpoint string      `json:"endpoint"`
	Time     time.Time   `json:"time"`
	State    HealthState `json:"state"`
	Err      string      `json:"error,omitempty"`
	// Round-trip times; zero when that call failed.
	Linearizable time.Duration `json:"linearizable_ns"`
	Serializable time.Duration `json:"serializable_ns"`
	StatusTook   time.Duration `json:"status_ns"`
	Status       *MemberStatus `json:"status,omitempty"`
	// Alarms raised anywhere in the cluster, as this member reports them ("NOSPACE on m3").
	Alarms []string `json:"alarms,omitempty"`
	// MemberIDs is this member's own (serializable) member list, for the agreement check.
	MemberIDs []uint64 `json:"member_ids,omitempty"`
	// Pending is set when the probe had not answered when the poll returned; it keeps running and
	// a later poll reports its result.
	Pending bool `json:"pending,omitempty"`
	// list is the member's own member list, the next poll's list when this member leads.
	list []member.Info
}

// Poll is one round over every member.
type Poll struct {
	Time    time.Time      `json:"time"`
	Members []MemberHealth `json:"members"`
	// ListErr says why the member list could not be read (the last known list was used).
	ListErr string `json:"list_error,omitempty"`
}

// Poll reads the member list and probes every member concurrently, each with its own client and
// the command timeout. It returns after wait at most: a member still silent then is reported
// unreachable ("no answer within …") while its probe keeps running, so one dead member never
// delays the others; the next poll picks up that probe's result.
func (m *Monitor) Poll(ctx context.Context, wait time.Duration) Poll {
	p := Poll{Time: time.Now()}
	// After the first poll the list comes with the probes (each member's own, serializable).
	list, err := m.knownMembers(ctx, wait)
	if err != nil {
		p.ListErr = err.Error()
		return p
	}
	chans := make([]chan MemberHealth, len(list))
	m.mu.Lock()
	for i, mm := range list {
		ch := m.inflight[mm.ID]
		if ch == nil {
			ch = make(chan MemberHealth, 1)
			m.inflight[mm.ID] = ch
			go func(mm member.Info, ch chan MemberHealth) { ch <- m.probe(mm) }(mm, ch)
		}
		chans[i] = ch
	}
	m.mu.Unlock()

	timer := time.NewTimer(wait)
	defer timer.Stop()
	p.Members = make([]MemberHealth, len(list))
	for i, ch := range chans {
		select {
		case h := <-ch:
			p.Members[i] = m.collected(list[i], h)
			continue
		case <-timer.C:
		case <-ctx.Done():
		}
		// Out of time: the members not yet collected are checked once more without waiting.
		for j := i; j < len(chans); j++ {
			select {
			case h := <-chans[j]:
				p.Members[j] = m.collected(list[j], h)
			default:
				p.Members[j] = m.pending(list[j], p.Time, wait)
			}
		}
		break
	}
	if l := agreedList(p.Members); l != nil && !sameMembers(l, list) {
		m.setMembers(l)
	}
	return p
}

// agreedList is the member list to poll next: the leader's own, else any healthy member's.
func agreedList(hs []MemberHealth) []member.Info {
	var any []member.Info
	for _, h := range hs {
		if h.State != StateHealthy || h.list == nil {
			continue
		}
		if h.Status != nil && h.Status.Leader == h.Member.ID {
			return h.list
		}
		if any == nil {
			any = h.list
		}
	}
	return any
}

func sameMembers(a, b []member.Info) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := a[i], b[i]
		if x.ID != y.ID || x.Name != y.Name || x.Learner != y.Learner ||
			fmt.Sprint(x.ClientURLs) != fmt.Sprint(y.ClientURLs) || fmt.Sprint(x.PeerURLs) != fmt.Sprint(y.PeerURLs) {
			return false
		}
	}
	return true
}

// pending words a probe still running after wait: unreachable when even Status has not
// answered; otherwise what Status said, and that the read is slow (a member without a leader
// answers Status at once but its linearizable read waits for one).
func (m *Monitor) pending(mm member.Info, at time.Time, wait time.Duration) MemberHealth {
	w := wait.Round(time.Millisecond)
	h := MemberHealth{Member: mm, Endpoint: m.url(mm), Time: at, Pending: true,
		State: StateUnreachable, Err: fmt.Sprintf("no answer within %s", w)}
	m.mu.Lock()
	st, took := m.partial[mm.ID].status, m.partial[mm.ID].took
	m.mu.Unlock()
	switch {
	case st == nil:
	case st.Leader == 0:
		h.Status, h.StatusTook = st, took
		h.State, h.Err = StateNoLeader, fmt.Sprintf("the member knows no leader (lost quorum?); its read has not answered within %s", w)
	default:
		h.Status, h.StatusTook = st, took
		h.State, h.Err = StateUnhealthy, fmt.Sprintf("it answers Status but its linearizable read has not answered within %s", w)
	}
	return h
}

// collected clears the member's in-flight probe and returns its result under the current entry.
func (m *Monitor) collected(mm member.Info, h MemberHealth) MemberHealth {
	m.mu.Lock()
	delete(m.inflight, mm.ID)
	delete(m.partial, mm.ID)
	m.mu.Unlock()
	h.Member = mm
	return h
}

// probe runs the checks on one member, in the order that tells the states apart: Status (is it
// reachable, does it know a leader), then the reads, alarms and its own member list.
func (m *Monitor) probe(mm member.Info) MemberHealth {
	url := m.url(mm)
	h := MemberHealth{Member: mm, Endpoint: url, Time: time.Now()}
	if url == "" {
		h.State, h.Err = StateNotStarted, "added to the member list but never started (no client URL)"
		return h
	}
	ctx, cancel := context.WithTimeout(m.ctx, m.base.Config().CommandTimeout)
	defer cancel()
	cli, err := m.client(m.conn(mm.ID), url)
	if err != nil {
		h.State, h.Err = StateUnreachable, err.Error()
		return h
	}
	// Calls go straight to the member's connection without waiting for it to be ready: a stopped
	// member then fails at once ("connection refused") instead of at the timeout.
	conn := cli.ActiveConnection()
	maint, kv := pb.NewMaintenanceClient(conn), pb.NewKVClient(conn)

	start := time.Now()
	st, err := maint.Status(ctx, &pb.StatusRequest{})
	if err != nil {
		h.State, h.Err = StateUnreachable, m.unreachable(ctx, url, err)
		return h
	}
	h.StatusTook = time.Since(start)
	h.Status = statusOf(st)
	m.mu.Lock()
	m.partial[mm.ID] = partialProbe{status: h.Status, took: h.StatusTook}
	m.mu.Unlock()

	var linErr error
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		// The serializable read runs beside the linearizable one: the gap is consensus.
		defer wg.Done()
		s := time.Now()
		if _, err := kv.Range(ctx, &pb.RangeRequest{Key: []byte("health"), Serializable: true, CountOnly: true}); err == nil || cluster.IsPermissionDenied(err) {
			h.Serializable = time.Since(s)
		}
	}()
	start = time.Now()
	_, linErr = kv.Range(ctx, &pb.RangeRequest{Key: []byte("health"), Serializable: mm.Learner || st.IsLearner, CountOnly: true})
	// A learner serves no linearizable read: its health is its serializable one. Permission
	// denied still went through consensus, as etcdctl counts it. Count-only: a big value at
	// "health" must not make the probe slow.
	if linErr == nil || cluster.IsPermissionDenied(linErr) {
		h.Linearizable, linErr = time.Since(start), nil
	}
	wg.Wait()

	if resp, err := maint.Alarm(ctx, &pb.AlarmRequest{Action: pb.AlarmRequest_GET}); err == nil {
		for _, a := range resp.Alarms {
			h.Alarms = append(h.Alarms, fmt.Sprintf("%s on %s", a.Alarm, m.nameOf(a.MemberID)))
		}
	} else if linErr == nil {
		linErr = fmt.Errorf("unable to fetch the alarm list: %w", cluster.Explain(err))
	}
	if ml, err := pb.NewClusterClient(conn).MemberList(ctx, &pb.MemberListRequest{}); err == nil {
		h.list = cluster.MembersOf(ml.Members)
		for _, x := range h.list {
			h.MemberIDs = append(h.MemberIDs, x.ID)
		}
	}

	switch {
	case st.Leader == 0 || errors.Is(rpctypes.Error(linErr), rpctypes.ErrNoLeader):
		h.State, h.Err = StateNoLeader, "the member knows no leader (lost quorum?)"
		if linErr != nil {
			h.Err += ": " + cluster.Explain(linErr).Error()
		}
	case linErr != nil:
		h.State, h.Err = StateUnhealthy, cluster.Explain(linErr).Error()
	case len(h.Alarms) > 0:
		h.State, h.Err = StateUnhealthy, "active alarm: "+strings.Join(h.Alarms, ", ")
	default:
		h.State = StateHealthy
	}
	return h
}

// unreachable words a failed Status call: the transport's own cause when the dial failed.
func (m *Monitor) unreachable(ctx context.Context, url string, err error) string {
	code := status.Code(err)
	if code == codes.Unavailable || code == codes.DeadlineExceeded || errors.Is(err, context.DeadlineExceeded) {
		dctx, cancel := context.WithTimeout(m.ctx, m.base.Config().DialTimeout)
		defer cancel()
		if why := m.base.WhyUnreachable(dctx, cluster.HostOf(url)); why != "" {
			return why
		}
		if code == codes.DeadlineExceeded || errors.Is(err, context.DeadlineExceeded) {
			return fmt.Sprintf("no answer from %s within %s (--command-timeout)", cluster.HostOf(url), m.base.Config().CommandTimeout)
		}
	}
	return cluster.Explain(err).Error()
}

func statusOf(st *pb.StatusResponse) *MemberStatus {
	s := &MemberStatus{Version: st.Version, StorageVersion: st.StorageVersion, DBSize: st.DbSize,
		DBSizeInUse: st.DbSizeInUse, DBSizeQuota: st.DbSizeQuota, Leader: st.Leader, RaftTerm: st.RaftTerm,
		RaftIndex: st.RaftIndex, RaftAppliedIndex: st.RaftAppliedIndex, Learner: st.IsLearner,
		Errors: append([]string(nil), st.Errors...)}
	if st.Header != nil {
		s.Revision = st.Header.Revision
	}
	return s
}
