package cluster_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/cluster/clustertest"
	"github.com/etcdeck/etcdeck/embednode"
	"github.com/etcdeck/etcdeck/embednode/nodetest"
)

// stallBound is how soon the issue wants "reconnecting" after the member goes silent; the test
// allows twice that (a loaded machine), which a watch that never notices fails by far.
const stallBound = 5 * time.Second

// TestWatchStallMemberKilled: the console was given one endpoint, and the member serving its
// watch is killed (SIGKILL) while writes go on through the others. clientv3 alone, given one
// endpoint, retries the dead one for ever and the watch says nothing; etcdeck's client has
// learned the other members' URLs at connect, so the stream moves (by clientv3 on the broken
// connection, or by the stall probe) and says where it resumed, and every write arrives once,
// revisions contiguous.
func TestWatchStallMemberKilled(t *testing.T) {
	t.Parallel()
	testWatchStall(t, false, func(t *testing.T, child *embednode.Child) {
		if err := syscall.Kill(child.Pid(), syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
	})
}

// TestWatchStallMemberFrozen: the same with the member frozen (SIGSTOP): its TCP connection
// stays open and nothing is refused, so only the unanswered progress request shows the stall,
// and "reconnecting" must come before the resume.
func TestWatchStallMemberFrozen(t *testing.T) {
	t.Parallel()
	testWatchStall(t, true, func(t *testing.T, child *embednode.Child) {
		pid := child.Pid()
		if err := syscall.Kill(pid, syscall.SIGSTOP); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { syscall.Kill(pid, syscall.SIGCONT) })
		// kill returns before every thread has stopped: wait until the process is in state T.
		for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
			st, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
			if err == nil && strings.Contains(string(st), ") T ") {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("member %d not stopped: %s %v", pid, st, err)
			}
		}
	})
}

func testWatchStall(t *testing.T, wantReconnecting bool, fail func(*testing.T, *embednode.Child)) {
	children := nodetest.SpawnCluster(t, etcdeckBinary(t), 3)
	var all []string
	for _, ch := range children {
		all = append(all, ch.Endpoints()...)
	}
	admin := nodetest.Client(t, all)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	start, err := admin.Get(ctx, "\x00", clientv3.WithCountOnly())
	if err != nil {
		t.Fatal(err)
	}
	from := start.Header.Revision + 1
	c, err := clustertest.Connect(t, cluster.ConnConfig{Endpoints: children[0].Endpoints(), InsecureTransport: true})
	if err != nil {
		t.Fatal(err)
	}
	w := c.Watch(context.Background(), "/stall/", cluster.WatchOptions{Prefix: true, StartRev: from, StallAfter: 2 * time.Second})
	t.Cleanup(w.Close)
	// The client balances over every member it learned: fail the one the stream landed on,
	// after making sure it is a follower, so the writes (through the other two) keep a leader.
	served := servingMember(t, ctx, admin, w, children)
	var others []string
	for i, ch := range children {
		if i != served {
			others = append(others, ch.Endpoints()...)
		}
	}
	writer := nodetest.Client(t, others)

	var written atomic.Int64
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 1; ; i++ {
			select {
			case <-stop:
				return
			case <-time.After(10 * time.Millisecond):
			}
			pctx, pcancel := context.WithTimeout(context.Background(), 5*time.Second)
			if _, err := writer.Put(pctx, fmt.Sprintf("/stall/%d", i), strconv.Itoa(i)); err == nil {
				written.Add(1)
			}
			pcancel()
		}
	}()
	col := &stallCollector{t: t, w: w}
	col.until("20 events", 20*time.Second, func() bool { return len(col.evs) >= 20 })

	failed := time.Now()
	fail(t, children[served])
	col.until("the watch to notice", 30*time.Second, func() bool { return len(col.states) > 0 })
	took := time.Since(failed)
	col.until("resumed", 30*time.Second, func() bool { return col.has(cluster.StateResumed) })
	n := len(col.evs)
	col.until("events after the resume", 30*time.Second, func() bool { return len(col.evs) >= n+20 })
	close(stop)
	<-done
	ectx, ecancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer ecancel()
	end, err := writer.Get(ectx, "\x00", clientv3.WithCountOnly())
	if err != nil {
		t.Fatal(err)
	}
	col.until(fmt.Sprintf("revision %d", end.Header.Revision), 30*time.Second, func() bool { return w.LastRev() >= end.Header.Revision })

	t.Logf("first state %s after the member failed; states %v", took.Round(10*time.Millisecond), col.states)
	if took > 2*stallBound {
		t.Errorf("the watch said nothing for %s after the member failed, want about %s", took, stallBound)
	}
	if wantReconnecting && col.states[0].Kind != cluster.StateReconnecting {
		t.Errorf("first state %s, want reconnecting before the resume", col.states[0])
	}
	name := fmt.Sprintf("m%d", served)
	for _, st := range col.states {
		switch st.Kind {
		case cluster.StateReconnecting:
			if wantReconnecting && !strings.Contains(st.Err.Error(), "member "+name+" did not answer") {
				t.Errorf("reconnecting: %v, want it to name the stalled member %s", st.Err, name)
			}
		case cluster.StateResumed:
			if st.Member == "" || st.Member == name {
				t.Errorf("resumed on %q, want another member than %s", st.Member, name)
			}
			if st.LateFrom != st.Rev || st.LateTo < st.LateFrom || !strings.Contains(st.String(), " late") {
				t.Errorf("resumed at %d: late revisions %d–%d (%s), want those written during the stall", st.Rev, st.LateFrom, st.LateTo, st)
			}
		default:
			t.Errorf("unexpected state %s", st)
		}
	}
	if got, want := int64(len(col.evs)), written.Load(); got != want {
		t.Errorf("%d events for %d writes", got, want)
	}
	for i, e := range col.evs {
		if e.Rev != from+int64(i) {
			t.Fatalf("event %d: revision %d, want %d (a gap or a duplicate)", i, e.Rev, from+int64(i))
		}
	}
}

// servingMember waits for w's stream to be created and returns the index in children (named
// m0, m1, ...) of the member serving it, first moving the leadership away from that member.
func servingMember(t *testing.T, ctx context.Context, admin *clientv3.Client, w *cluster.Watch, children []*embednode.Child) int {
	t.Helper()
	for w.MemberID() == 0 {
		if ctx.Err() != nil {
			t.Fatal("the watch was never created")
		}
		time.Sleep(20 * time.Millisecond)
	}
	id := w.MemberID()
	list, err := admin.MemberList(ctx)
	if err != nil {
		t.Fatal(err)
	}
	served := -1
	var other uint64
	for _, m := range list.Members {
		var i int
		if _, err := fmt.Sscanf(m.Name, "m%d", &i); err != nil {
			t.Fatalf("member %q: %v", m.Name, err)
		}
		if m.ID == id {
			served = i
		} else {
			other = m.ID
		}
	}
	if served < 0 {
		t.Fatalf("member %x serving the watch is not in the list", id)
	}
	eps := children[served].Endpoints()
	st, err := admin.Status(ctx, eps[0])
	if err != nil {
		t.Fatal(err)
	}
	if st.Leader == id {
		lead := nodetest.Client(t, eps)
		if _, err := lead.MoveLeader(ctx, other); err != nil {
			t.Fatalf("moving the leadership off m%d: %v", served, err)
		}
	}
	return served
}

// stallCollector reads a watch from the test's goroutine, keeping events and states.
type stallCollector struct {
	t      *testing.T
	w      *cluster.Watch
	evs    []cluster.Event
	states []cluster.State
}

func (c *stallCollector) has(k cluster.StateKind) bool {
	for _, st := range c.states {
		if st.Kind == k {
			return true
		}
	}
	return false
}

// until reads batches until ok holds, failing the test after timeout or on a terminal state.
func (c *stallCollector) until(what string, timeout time.Duration, ok func() bool) {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	for !ok() {
		b, err := c.w.Next(ctx, 0)
		if err != nil {
			c.t.Fatalf("waiting for %s: %v (%d events, states %v)", what, err, len(c.evs), c.states)
		}
		c.evs = append(c.evs, b.Events...)
		if b.State != nil {
			c.states = append(c.states, *b.State)
			if b.State.Terminal() {
				c.t.Fatalf("waiting for %s: the watch ended: %s", what, b.State)
			}
		}
	}
}
