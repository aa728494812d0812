package cluster

// Internal tests (package cluster) so they can see how much a watch has queued; their helpers
// are in watchhelpers_test.go.

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/etcdeck/etcdeck/embednode/nodetest"
)

func TestWatchEventsInOrderAndBatches(t *testing.T) {
	m := nodetest.Start(t)
	c := watchConnect(t, m.Endpoints())
	ctx := context.Background()
	etcd := nodetest.Client(t, c.Endpoints())
	start := watchRev(t, c) + 1
	mustDo := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	mustDo(etcd.Put(ctx, "/a/1", "one"))                     // start
	mustDo(etcd.Put(ctx, "/a/2", "two"))                     // start+1
	mustDo(etcd.Txn(ctx).Then(clientv3.OpPut("/a/1", "uno"), // start+2, both events
		clientv3.OpDelete("/a/2")).Commit())
	mustDo(etcd.Put(ctx, "/b/1", "elsewhere")) // start+3, outside the prefix
	mustDo(etcd.Delete(ctx, "/a/1"))           // start+4

	w := c.Watch(ctx, "/a/", WatchOptions{Prefix: true, StartRev: start, PrevKV: true, Buffer: 16})
	defer w.Close()
	watchQueued(t, w, 5)
	b, err := w.Next(ctx, 2)
	if err != nil || len(b.Events) != 2 || b.State != nil {
		t.Fatalf("Next(2) = %+v, %v; want the 2 first events", b, err)
	}
	// The txn's revision was not all returned yet.
	if got := w.LastRev(); got != start+1 {
		t.Errorf("LastRev after 2 events = %d, want %d", got, start+1)
	}
	rest, err := w.Next(ctx, 0)
	if err != nil || len(rest.Events) != 3 {
		t.Fatalf("Next(0) = %+v, %v; want the 3 remaining events", rest, err)
	}
	got := append(b.Events, rest.Events...)
	// Replayed at once: every event's response header says the store's revision then.
	h := start + 4
	want := []Event{
		{Kind: EventPut, Key: "/a/1", Value: []byte("one"), ValueSize: 3, Rev: start, CreateRev: start, Version: 1, HeaderRev: h},
		{Kind: EventPut, Key: "/a/2", Value: []byte("two"), ValueSize: 3, Rev: start + 1, CreateRev: start + 1, Version: 1, HeaderRev: h},
		{Kind: EventPut, Key: "/a/1", Value: []byte("uno"), ValueSize: 3, Rev: start + 2, CreateRev: start, Version: 2, HasPrev: true,
			PrevValue: []byte("one"), PrevRev: start, PrevCreateRev: start, PrevVersion: 1, HeaderRev: h},
		{Kind: EventDelete, Key: "/a/2", Rev: start + 2, HasPrev: true, PrevValue: []byte("two"), PrevRev: start + 1,
			PrevCreateRev: start + 1, PrevVersion: 1, HeaderRev: h},
		{Kind: EventDelete, Key: "/a/1", Rev: start + 4, HasPrev: true, PrevValue: []byte("uno"), PrevRev: start + 2,
			PrevCreateRev: start, PrevVersion: 2, HeaderRev: h},
	}
	for i := range want {
		// The rest of the header: one cluster, the one member, its term (watchlog_test checks them against etcdctl).
		if got[i].ClusterID == 0 || got[i].MemberID != got[0].MemberID || got[i].RaftTerm == 0 {
			t.Errorf("event %d header: cluster %x member %x term %d", i, got[i].ClusterID, got[i].MemberID, got[i].RaftTerm)
		}
		want[i].ClusterID, want[i].MemberID, want[i].RaftTerm = got[i].ClusterID, got[i].MemberID, got[i].RaftTerm
		if fmt.Sprintf("%+v", got[i]) != fmt.Sprintf("%+v", want[i]) {
			t.Errorf("event %d = %+v\nwant %+v", i, got[i], want[i])
		}
	}
	if got := w.LastRev(); got != start+4 {
		t.Errorf("LastRev = %d, want %d", got, start+4)
	}

	t.Run("keys only, single key, from now", func(t *testing.T) {
		w := c.Watch(ctx, "/a/1", WatchOptions{KeysOnly: true, PrevKV: true})
		defer w.Close()
		watchQueued(t, w, 1) // the server registered the watch: a progress mark
		mustDo(etcd.Put(ctx, "/a/1", "secret"))
		mustDo(etcd.Put(ctx, "/a/10", "not this key"))
		mustDo(etcd.Put(ctx, "/a/1", "secret too"))
		now := watchRev(t, c)
		watchQueued(t, w, 3)
		b, err := w.Next(ctx, 10)
		if err != nil || len(b.Events) != 2 {
			t.Fatalf("Next = %+v, %v; want two events", b, err)
		}
		e := b.Events[1]
		if e.Key != "/a/1" || e.Value != nil || e.ValueSize != int64(len("secret too")) || e.Rev != now || !e.HasPrev || e.PrevValue != nil {
			t.Errorf("event = %+v, want a put of /a/1 at %d with a previous key, the value's size but no values", e, now)
		}
		if w.LastRev() != now {
			t.Errorf("LastRev = %d, want %d", w.LastRev(), now)
		}
	})
}

func TestWatchCompacted(t *testing.T) {
	m := nodetest.Start(t)
	c := watchConnect(t, m.Endpoints())
	ctx := context.Background()
	start := watchRev(t, c) + 1
	watchPuts(t, c, "/c/", 10)
	compactAt := start + 7
	if _, err := nodetest.Client(t, c.Endpoints()).Compact(ctx, compactAt); err != nil {
		t.Fatal(err)
	}
	w := c.Watch(ctx, "/c/", WatchOptions{Prefix: true, StartRev: start + 2})
	defer w.Close()
	nctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	b, err := w.Next(nctx, 100)
	if err != nil || len(b.Events) != 0 || b.State == nil || b.State.Kind != StateCompacted || b.State.Rev != compactAt {
		t.Fatalf("Next = %+v (state %v), %v; want only StateCompacted at %d", b, b.State, err, compactAt)
	}
	b, err = w.Next(nctx, 100)
	if err != nil || b.State == nil || b.State.Kind != StateClosed {
		t.Fatalf("Next after the terminal state = %+v, %v; want StateClosed", b, err)
	}
}

func TestWatchBackpressure(t *testing.T) {
	m := nodetest.Start(t)
	c := watchConnect(t, m.Endpoints())
	start := watchRev(t, c) + 1
	const n = 300
	// A buffer of 4 and a consumer slower than the writer: the watch stops reading its server
	// stream many times (flow control holds the server back) and must still deliver everything
	// once.
	w := c.Watch(context.Background(), "/bp/", WatchOptions{Prefix: true, StartRev: start, Buffer: 4})
	defer w.Close()
	putErr, etcd := make(chan error, 1), nodetest.Client(t, c.Endpoints())
	go func() { putErr <- watchPutsErr(etcd, "/bp/", n) }()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var evs []Event
	for len(evs) < n {
		b, err := w.Next(ctx, 3)
		if err != nil {
			t.Fatalf("after %d events: %v", len(evs), err)
		}
		if b.State != nil || len(b.Events) > 3 {
			t.Fatalf("Next(3) = %d events, state %v", len(b.Events), b.State)
		}
		evs = append(evs, b.Events...)
		time.Sleep(3 * time.Millisecond)
	}
	watchContiguous(t, evs, start, start+n-1)
	if err := <-putErr; err != nil {
		t.Fatal(err)
	}
}

func TestWatchCloseStopsGoroutines(t *testing.T) {
	m := nodetest.Start(t)
	c := watchConnect(t, m.Endpoints())
	ctx := context.Background()
	start := watchRev(t, c) + 1
	watchPuts(t, c, "/g/", 5)
	// Buffer 1: the goroutine is blocked on a full channel when Close comes.
	w := c.Watch(ctx, "/g/", WatchOptions{Prefix: true, StartRev: start, Buffer: 1})
	watchQueued(t, w, 1)
	closed := make(chan struct{})
	go func() { w.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not return within 5s")
	}
	w.Close() // twice is fine
	b, err := w.Next(ctx, 10)
	if err != nil || b.State == nil || b.State.Kind != StateClosed || len(b.Events) != 0 {
		t.Fatalf("Next after Close = %+v, %v; want StateClosed", b, err)
	}
	// clientv3 tears its stream down asynchronously.
	deadline := time.Now().Add(5 * time.Second)
	for {
		left := watchGoroutines()
		if left == "" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("watch goroutines still running 5s after Close:\n%s", left)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestWatchResumesAfterMemberRestart(t *testing.T) {
	t.Parallel()
	node := &watchNode{cfg: nodetest.Config(t, "restart")}
	t.Cleanup(node.stop)
	node.start(t)
	proxy := newWatchProxy(t, node.m.Endpoints()[0])
	c := watchConnect(t, []string{proxy.addr()})
	writer := watchConnect(t, node.m.Endpoints())
	start := watchRev(t, c) + 1
	w := c.Watch(context.Background(), "/r/", WatchOptions{Prefix: true, StartRev: start})
	defer w.Close()
	watchPuts(t, writer, "/r/a/", 20)
	first, _ := watchCollect(t, w, start+19, 0, 10*time.Second)

	watchCrash(node, proxy)
	node.start(t) // same data dir and ports
	// Writes right after the restart race with the watch's reconnection: it must catch up on
	// them from the revision after the last one it delivered.
	watchPuts(t, writer, "/r/b/", 20)
	end := watchRev(t, writer)
	rest, _ := watchCollect(t, w, end, 0, 15*time.Second)
	watchContiguous(t, append(first, rest...), start, end)
}

func TestWatchSurvivesMemberFailures(t *testing.T) {
	t.Parallel()
	nodes, proxies, c, writerClient := watchProxiedCluster(t)
	start := watchRev(t, c) + 1
	w := c.Watch(context.Background(), "/f/", WatchOptions{Prefix: true, StartRev: start})
	defer w.Close()
	stop := watchWriter(nodetest.Client(t, writerClient.Endpoints()), "/f/")
	// Fail every member in turn while the writer runs, so the one serving the watch fails too.
	for i, n := range nodes {
		time.Sleep(300 * time.Millisecond)
		watchCrash(n, proxies[i])
		time.Sleep(300 * time.Millisecond)
		n.start(t)
	}
	time.Sleep(300 * time.Millisecond)
	puts := stop()
	end := watchRev(t, writerClient)
	if puts < 50 {
		t.Errorf("only %d puts succeeded: the test did not exercise much", puts)
	}
	evs, states := watchCollect(t, w, end, 500, 20*time.Second)
	watchContiguous(t, evs, start, end)
	t.Logf("%d revisions delivered across 3 member failures; states: %v", len(evs), states)
}

func TestWatchRequireLeader(t *testing.T) {
	t.Parallel()
	nodes := watchCluster(t, 3)
	c := watchConnect(t, nodes[0].m.Endpoints()) // the watch can only use m0
	start := watchRev(t, c) + 1
	w := c.Watch(context.Background(), "/l/", WatchOptions{Prefix: true, StartRev: start})
	defer w.Close()
	watchPuts(t, c, "/l/a/", 3)
	evs, _ := watchCollect(t, w, start+2, 0, 10*time.Second)

	// m0 loses its peers, hence its leader: the watch must say so rather than go quiet. Make m0
	// the leader first: stopping a leader waits for a leadership transfer that cannot finish.
	watchMoveLeader(t, nodes, 0)
	lost := time.Now()
	var wg sync.WaitGroup
	for _, n := range nodes[1:] {
		wg.Add(1)
		go func() { defer wg.Done(); n.stop() }()
	}
	wg.Wait()
	stopped := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	b, err := w.Next(ctx, 10)
	if err != nil || b.State == nil || b.State.Kind != StateReconnecting {
		t.Fatalf("after losing quorum Next = %+v, %v; want StateReconnecting", b, err)
	}
	if !strings.Contains(b.State.String(), "no leader") {
		t.Errorf("state = %q, want it to name the lost leader", b.State)
	}
	t.Logf("stopping m1 and m2 took %v; StateReconnecting %v later: %v", stopped.Sub(lost).Round(100*time.Millisecond),
		time.Since(stopped).Round(100*time.Millisecond), b.State)

	restart := time.Now()
	nodes[1].start(t) // quorum again
	t.Logf("m1 restarted in %v", time.Since(restart).Round(100*time.Millisecond))
	for {
		b, err := w.Next(ctx, 10)
		if err != nil {
			t.Fatalf("no StateResumed after quorum came back: %v", err)
		}
		if b.State != nil && b.State.Kind == StateResumed {
			t.Logf("StateResumed %v after the restart", time.Since(restart).Round(100*time.Millisecond))
			if b.State.Rev != start+3 {
				t.Errorf("resumed at %d, want %d", b.State.Rev, start+3)
			}
			break
		}
		if len(b.Events) > 0 || b.State == nil || b.State.Kind != StateReconnecting {
			t.Fatalf("while reconnecting Next = %+v (state %v); want only StateReconnecting", b, b.State)
		}
	}
	watchPuts(t, c, "/l/b/", 3)
	rest, _ := watchCollect(t, w, start+5, 0, 10*time.Second)
	watchContiguous(t, append(evs, rest...), start, start+5)
}

func TestWatchPermissionDenied(t *testing.T) {
	m := nodetest.Start(t)
	ctx := context.Background()
	e := nodetest.Client(t, m.Endpoints())
	for _, step := range []func() error{
		func() error { _, err := e.RoleAdd(ctx, "pub-reader"); return err },
		func() error {
			_, err := e.RoleGrantPermission(ctx, "pub-reader", "/pub/", clientv3.GetPrefixRangeEnd("/pub/"), clientv3.PermissionType(clientv3.PermRead))
			return err
		},
		func() error { _, err := e.UserAdd(ctx, "reader", "reader-pw"); return err },
		func() error { _, err := e.UserGrantRole(ctx, "reader", "pub-reader"); return err },
		func() error { _, err := e.UserAdd(ctx, "root", "root-pw"); return err },
		func() error { _, err := e.UserGrantRole(ctx, "root", "root"); return err },
		func() error { _, err := e.AuthEnable(ctx); return err },
	} {
		if err := step(); err != nil {
			t.Fatalf("set up auth: %v", err)
		}
	}
	cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	c, err := Connect(cctx, ConnConfig{Endpoints: m.Endpoints(), InsecureTransport: true, User: "reader", Password: "reader-pw"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()

	denied := c.Watch(ctx, "/secret/", WatchOptions{Prefix: true})
	defer denied.Close()
	b, err := denied.Next(cctx, 10)
	want := Explain(rpctypes.ErrPermissionDenied).Error()
	if err != nil || b.State == nil || b.State.Kind != StateFailed || b.State.Err.Error() != want {
		t.Fatalf("Next = %+v (state %v), %v; want StateFailed: %s", b, b.State, err, want)
	}

	// A permitted watch on the same connection still works.
	allowed := c.Watch(ctx, "/pub/", WatchOptions{Prefix: true})
	defer allowed.Close()
	watchQueued(t, allowed, 1) // registered
	root, err := Connect(cctx, ConnConfig{Endpoints: m.Endpoints(), InsecureTransport: true, User: "root", Password: "root-pw"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	put, err := nodetest.ClientAs(t, m.Endpoints(), "root", "root-pw", nil).Put(cctx, "/pub/news", "hello")
	if err != nil {
		t.Fatal(err)
	}
	b, err = allowed.Next(cctx, 10)
	if err != nil || len(b.Events) != 1 || b.Events[0].Rev != put.Header.Revision || string(b.Events[0].Value) != "hello" {
		t.Fatalf("permitted watch: Next = %+v (state %v), %v; want the put of /pub/news", b, b.State, err)
	}
}

// TestWatchRequestProgress: a quiet watch's LastRev stays at its start until asked; a progress
// request moves it to the current revision and Next returns (with no events) to say so.
func TestWatchRequestProgress(t *testing.T) {
	m := nodetest.Start(t)
	c := watchConnect(t, m.Endpoints())
	ctx := context.Background()
	start := watchRev(t, c) + 1
	w := c.Watch(ctx, "/quiet/", WatchOptions{Prefix: true, StartRev: start, KeysOnly: true})
	defer w.Close()
	// One event first, so the watch is surely registered before the request.
	if _, err := c.c.Put(ctx, "/quiet/a", "v"); err != nil {
		t.Fatal(err)
	}
	if b, err := w.Next(ctx, 10); err != nil || len(b.Events) != 1 {
		t.Fatalf("first event: %+v %v", b, err)
	}
	var now int64
	for i := 0; i < 5; i++ {
		resp, err := c.c.Put(ctx, "/elsewhere", "v")
		if err != nil {
			t.Fatal(err)
		}
		now = resp.Header.Revision
	}
	if err := w.RequestProgress(); err != nil {
		t.Fatalf("RequestProgress: %v", err)
	}
	nctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	for w.LastRev() < now {
		b, err := w.Next(nctx, 10)
		if err != nil || len(b.Events) != 0 || b.State != nil {
			t.Fatalf("Next = %+v, %v; want an empty batch after the progress notification", b, err)
		}
	}
}
