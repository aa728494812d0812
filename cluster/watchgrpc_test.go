package cluster

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/etcdeck/etcdeck/embednode/nodetest"
)

// TestWatchFragmentedRevisionsResume: a backlog larger than the server's request limit comes in
// fragments, which split revisions (a fragment ends after the event that takes it past the
// limit). The connection is cut again and again while the consumer reads slowly through a
// channel of 2, so streams end inside revisions and resume from the revision not yet
// complete: every event still arrives exactly once and in order, and LastRev never counts a
// revision as done before its last event was returned.
func TestWatchFragmentedRevisionsResume(t *testing.T) {
	m := nodetest.Start(t)
	proxy := newWatchProxy(t, m.Endpoints()[0])
	c := watchConnect(t, []string{proxy.addr()})
	etcd := nodetest.Client(t, m.Endpoints())
	ctx := context.Background()
	start := watchRev(t, c) + 1
	// 10 revisions of 4 puts of 300 KB: 12 MB, one response of the server's catch-up, sent
	// in fragments of ~2 MiB (1.5 MiB + its allowance), i.e. 7 events each.
	const revs, perRev = 10, 4
	value := strings.Repeat("v", 300<<10)
	for r := range revs {
		var ops []clientv3.Op
		for k := range perRev {
			ops = append(ops, clientv3.OpPut(fmt.Sprintf("/frag/%02d/%d", r, k), value))
		}
		if _, err := etcd.Txn(ctx).Then(ops...).Commit(); err != nil {
			t.Fatal(err)
		}
	}
	w := c.Watch(ctx, "/frag/", WatchOptions{Prefix: true, StartRev: start, Buffer: 2})
	defer w.Close()
	nctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	var evs []Event
	var states []State
	for len(evs) < revs*perRev {
		b, err := w.Next(nctx, 1)
		if err != nil {
			t.Fatalf("after %d events (states %v): %v", len(evs), states, err)
		}
		if b.State != nil {
			states = append(states, *b.State)
			if b.State.Terminal() {
				t.Fatalf("the watch ended after %d events: %v", len(evs), b.State)
			}
		}
		for _, e := range b.Events {
			i := len(evs)
			if want := fmt.Sprintf("/frag/%02d/%d", i/perRev, i%perRev); e.Key != want || e.Rev != start+int64(i/perRev) {
				t.Fatalf("event %d is %s at revision %d, want %s at %d (a repeat or a gap)", i, e.Key, e.Rev, want, start+int64(i/perRev))
			}
			if len(e.Value) != len(value) {
				t.Fatalf("event %d: a value of %d bytes, want %d", i, len(e.Value), len(value))
			}
			evs = append(evs, e)
		}
		// The revision of the last event returned is done only once its last event was.
		if n := len(evs); n > 0 {
			done := start + int64(n/perRev) - 1
			if got := w.LastRev(); got > done {
				t.Fatalf("after %d events LastRev is %d, want at most %d", n, got, done)
			}
		}
		if len(evs)%3 == 0 {
			proxy.cut() // mid-fragment, mid-revision, or between: the stream resumes
		}
		time.Sleep(5 * time.Millisecond)
	}
	if got := w.LastRev(); got != start+revs-1 {
		t.Fatalf("after the last event LastRev is %d, want %d", got, start+revs-1)
	}
	t.Logf("%d events over %d revisions; states %v", len(evs), revs, states)
}

// TestWatchEndsWithItsClient: once the session's client is closed its connection never comes
// back, so the watch ends with StateFailed saying so instead of retrying for ever.
func TestWatchEndsWithItsClient(t *testing.T) {
	m := nodetest.Start(t)
	c := watchConnect(t, m.Endpoints())
	w := c.Watch(context.Background(), "/closed/", WatchOptions{Prefix: true})
	defer w.Close()
	watchQueued(t, w, 1) // created
	c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for {
		b, err := w.Next(ctx, 0)
		if err != nil {
			t.Fatalf("no terminal state 10 s after the client closed: %v", err)
		}
		if b.State == nil || !b.State.Terminal() {
			continue
		}
		if b.State.Kind != StateFailed || !strings.Contains(b.State.String(), "connection to the cluster was closed") {
			t.Fatalf("state %v, want StateFailed: the connection to the cluster was closed", b.State)
		}
		return
	}
}
