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

// TestWatchStallMemberKilled: the console was given one endpoint, and that member is killed
// (SIGKILL) under a watch while writes go on through the others. clientv3 alone retries the
// dead endpoint for ever and the watch says nothing; now it reports reconnecting, resumes on
// another member, and delivers every write once, revisions contiguous.
func TestWatchStallMemberKilled(t *testing.T) {
	testWatchStall(t, func(t *testing.T, child *embednode.Child) {
		if err := syscall.Kill(child.Pid(), syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
	})
}

// TestWatchStallMemberFrozen: the same with the member frozen (SIGSTOP): its TCP connection
// stays open and nothing is refused, so only the unanswered progress request shows the stall.
func TestWatchStallMemberFrozen(t *testing.T) {
	testWatchStall(t, func(t *testing.T, child *embednode.Child) {
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

func testWatchStall(t *testing.T, fail func(*testing.T, *embednode.Child)) {
	children := nodetest.SpawnCluster(t, etcdeckBinary(t), 3)
	// Watch through a follower, so the writes (through the other two) keep their leader.
	served := stallFollower(t, children)
	var others []string
	for i, ch := range children {
		if i != served {
			others = append(others, ch.Endpoints()...)
		}
	}
	writer := nodetest.Client(t, others)
	c, err := clustertest.Connect(t, cluster.ConnConfig{Endpoints: children[served].Endpoints(), InsecureTransport: true})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	start, err := writer.Get(ctx, "\x00", clientv3.WithCountOnly())
	if err != nil {
		t.Fatal(err)
	}
	from := start.Header.Revision + 1
	w := c.Watch(context.Background(), "/stall/", cluster.WatchOptions{Prefix: true, StartRev: from, StallAfter: 2 * time.Second})
	t.Cleanup(w.Close)

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
	col.until("reconnecting", 30*time.Second, func() bool { return col.has(cluster.StateReconnecting) })
	took := time.Since(failed)
	col.until("resumed", 30*time.Second, func() bool { return col.has(cluster.StateResumed) })
	n := len(col.evs)
	col.until("events after the resume", 30*time.Second, func() bool { return len(col.evs) >= n+20 })
	close(stop)
	<-done
	end, err := writer.Get(ctx, "\x00", clientv3.WithCountOnly())
	if err != nil {
		t.Fatal(err)
	}
	col.until(fmt.Sprintf("revision %d", end.Header.Revision), 30*time.Second, func() bool { return w.LastRev() >= end.Header.Revision })

	t.Logf("reconnecting %s after the member failed; states %v", took.Round(10*time.Millisecond), col.states)
	if took > 2*stallBound {
		t.Errorf("reconnecting came %s after the member failed, want about %s", took, stallBound)
	}
	name := fmt.Sprintf("m%d", served)
	for _, st := range col.states {
		switch st.Kind {
		case cluster.StateReconnecting:
			if !strings.Contains(st.Err.Error(), "member "+name+" did not answer") {
				t.Errorf("reconnecting: %v, want it to name the stalled member %s", st.Err, name)
			}
		case cluster.StateResumed:
			if st.Member == "" || st.Member == name {
				t.Errorf("resumed on %q, want another member than %s", st.Member, name)
			}
			if st.LateFrom != st.Rev || st.LateTo < st.LateFrom || !strings.Contains(st.String(), "arrive late") {
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

// stallFollower returns the index of a member that is not the leader.
func stallFollower(t *testing.T, children []*embednode.Child) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	eps := children[0].Endpoints()
	st, err := nodetest.Client(t, eps).Status(ctx, eps[0])
	if err != nil {
		t.Fatal(err)
	}
	if st.Leader != st.Header.MemberId {
		return 0
	}
	return 1
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
