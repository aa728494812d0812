package cluster

// Helpers of the watch tests (watch_test.go): members a test stops and restarts, a proxy whose
// connections it cuts, writers and collectors. Prefixed "watch" to stay clear of other tests.

import (
	"context"
	"fmt"
	"io"
	"net"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/etcdeck/etcdeck/embednode"
	"github.com/etcdeck/etcdeck/embednode/nodetest"
)

func watchConnect(t *testing.T, endpoints []string) *Client {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	c, err := Connect(ctx, ConnConfig{Endpoints: endpoints, InsecureTransport: true,
		DialTimeout: 2 * time.Second, CommandTimeout: 3 * time.Second}, nil)
	if err != nil {
		t.Fatalf("connect %v: %v", endpoints, err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// watchNode is a member a test stops and restarts on the same data dir and ports. It is
// stopped once at the end of the test (embednode.Member.Close must not run twice).
type watchNode struct {
	cfg embednode.Config
	m   *embednode.Member
}

func (n *watchNode) stop() {
	if n.m != nil {
		n.m.Close(10 * time.Second)
		n.m = nil
	}
}

func (n *watchNode) start(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	m, err := embednode.Start(ctx, n.cfg)
	if err != nil {
		t.Fatalf("start member %s: %v", n.cfg.Name, err)
	}
	n.m = m
}

// watchProxy forwards TCP connections to a member. A test cuts them when it stops the member,
// as a crash would: embed's graceful stop otherwise waits 7 s for the open watch stream.
type watchProxy struct {
	l      net.Listener
	target string
	mu     sync.Mutex
	conns  []net.Conn
}

func newWatchProxy(t *testing.T, target string) *watchProxy {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &watchProxy{l: l, target: target}
	t.Cleanup(func() { l.Close(); p.cut() })
	go func() {
		for {
			in, err := l.Accept()
			if err != nil {
				return
			}
			out, err := net.DialTimeout("tcp", target, time.Second)
			if err != nil {
				in.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, in, out)
			p.mu.Unlock()
			go func() { io.Copy(out, in); out.Close() }()
			go func() { io.Copy(in, out); in.Close() }()
		}
	}()
	return p
}

func (p *watchProxy) addr() string { return p.l.Addr().String() }

func (p *watchProxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

// watchCrash stops a member while cutting the proxied connections to it.
func watchCrash(n *watchNode, p *watchProxy) {
	done := make(chan struct{})
	go func() { n.stop(); close(done) }()
	for {
		p.cut()
		select {
		case <-done:
			return
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// watchCluster starts n members forming one cluster, like nodetest.StartCluster, as nodes a
// test can stop and restart.
func watchCluster(t *testing.T, n int) []*watchNode {
	t.Helper()
	nodes := make([]*watchNode, n)
	var initial []string
	token := fmt.Sprintf("watchtest-%d", time.Now().UnixNano())
	for i := range nodes {
		cfg := nodetest.Config(t, fmt.Sprintf("m%d", i))
		cfg.InitialClusterToken = token
		initial = append(initial, cfg.Name+"="+cfg.ListenPeerURLs[0])
		nodes[i] = &watchNode{cfg: cfg}
		t.Cleanup(nodes[i].stop)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i, node := range nodes {
		node.cfg.InitialCluster = strings.Join(initial, ",")
		wg.Add(1)
		go func() {
			defer wg.Done()
			node.m, errs[i] = embednode.Start(ctx, node.cfg)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("start member m%d: %v", i, err)
		}
	}
	return nodes
}

// watchRev returns the cluster's current revision.
func watchRev(t *testing.T, c *Client) int64 {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	resp, err := nodetest.Client(t, c.Endpoints()).Get(ctx, "\x00", clientv3.WithCountOnly())
	if err != nil {
		t.Fatalf("get revision: %v", err)
	}
	return resp.Header.Revision
}

// watchCollect reads batches of at most max events until the watch has delivered every change
// up to rev; it fails the test on a terminal state or when that takes longer than timeout.
func watchCollect(t *testing.T, w *Watch, rev int64, max int, timeout time.Duration) ([]Event, []State) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	var evs []Event
	var states []State
	for w.LastRev() < rev {
		b, err := w.Next(ctx, max)
		if err != nil {
			t.Fatalf("watch reached revision %d of %d after %d events and states %v: %v", w.LastRev(), rev, len(evs), states, err)
		}
		if max > 0 && len(b.Events) > max {
			t.Fatalf("Next(%d) returned %d events", max, len(b.Events))
		}
		evs = append(evs, b.Events...)
		if b.State != nil {
			states = append(states, *b.State)
			if b.State.Terminal() {
				t.Fatalf("watch ended at revision %d: %v", w.LastRev(), b.State)
			}
		}
	}
	return evs, states
}

// watchContiguous checks that evs are puts of the revisions from..to, each exactly once and in
// order, with the value the writer stored (the key's number).
func watchContiguous(t *testing.T, evs []Event, from, to int64) {
	t.Helper()
	if got, want := int64(len(evs)), to-from+1; got != want {
		t.Errorf("got %d events for revisions %d..%d, want %d", got, from, to, want)
	}
	for i, e := range evs {
		if want := from + int64(i); e.Rev != want {
			t.Fatalf("event %d: revision %d, want %d (gap or duplicate); events around: %v", i, e.Rev, want, evs[max(0, i-2):min(len(evs), i+3)])
		}
		if e.Kind != EventPut || !strings.HasSuffix(e.Key, "/"+string(e.Value)) {
			t.Fatalf("event %d: %s %s=%q, want a put of the key's number", i, e.Kind, e.Key, e.Value)
		}
	}
}

// watchWriter puts prefix/<n> = n in a loop until stopped, ignoring failures (a member may be
// down); stop returns how many puts succeeded.
func watchWriter(etcd *clientv3.Client, prefix string) (stop func() int) {
	ctx, cancel := context.WithCancel(context.Background())
	var ok atomic.Int64
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 1; ctx.Err() == nil; i++ {
			pctx, pcancel := context.WithTimeout(ctx, 2*time.Second)
			if _, err := etcd.Put(pctx, fmt.Sprintf("%s%d", prefix, i), strconv.Itoa(i)); err == nil {
				ok.Add(1)
			}
			pcancel()
			time.Sleep(2 * time.Millisecond)
		}
	}()
	return func() int {
		cancel()
		<-done
		return int(ok.Load())
	}
}

// watchPuts puts prefix<i> = i for i in 1..n.
func watchPuts(t *testing.T, c *Client, prefix string, n int) {
	t.Helper()
	if err := watchPutsErr(nodetest.Client(t, c.Endpoints()), prefix, n); err != nil {
		t.Fatal(err)
	}
}

func watchPutsErr(etcd *clientv3.Client, prefix string, n int) error {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for i := 1; i <= n; i++ {
		if _, err := etcd.Put(ctx, fmt.Sprintf("%s%d", prefix, i), strconv.Itoa(i)); err != nil {
			return fmt.Errorf("put %s%d: %w", prefix, i, err)
		}
	}
	return nil
}

// watchQueued waits until the watch's goroutine has queued n items.
func watchQueued(t *testing.T, w *Watch, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for len(w.out) < n {
		if time.Now().After(deadline) {
			t.Fatalf("watch queued %d items, want %d", len(w.out), n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// watchGoroutines returns the stacks of goroutines belonging to a watch (ours or clientv3's).
func watchGoroutines() string {
	buf := make([]byte, 4<<20)
	var out []string
	for _, g := range strings.Split(string(buf[:runtime.Stack(buf, true)]), "\n\n") {
		if strings.Contains(g, "cluster.(*watchRun)") || strings.Contains(g, "clientv3.(*watchGRPCStream)") {
			out = append(out, g)
		}
	}
	return strings.Join(out, "\n\n")
}

// watchMoveLeader makes nodes[i] the cluster's leader.
func watchMoveLeader(t *testing.T, nodes []*watchNode, i int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	st, err := nodetest.Client(t, nodes[i].m.Endpoints()).Status(ctx, nodes[i].m.Endpoints()[0])
	if err != nil {
		t.Fatal(err)
	}
	if st.Leader == st.Header.MemberId {
		return
	}
	for _, n := range nodes {
		lc := nodetest.Client(t, n.m.Endpoints())
		if ls, err := lc.Status(ctx, n.m.Endpoints()[0]); err == nil && ls.Header.MemberId == st.Leader {
			if _, err := lc.MoveLeader(ctx, st.Header.MemberId); err != nil {
				t.Fatalf("move leader to %s: %v", nodes[i].cfg.Name, err)
			}
			return
		}
	}
	t.Fatalf("leader %x not found", st.Leader)
}

// watchProxiedCluster starts three members, each behind a proxy the test can cut, and returns
// them, a client that reaches them only through the proxies (the one whose watch is tested), and
// a writer connected to the members directly.
func watchProxiedCluster(t *testing.T) ([]*watchNode, []*watchProxy, *Client, *Client) {
	t.Helper()
	nodes := watchCluster(t, 3)
	var eps, proxied []string
	proxies := make([]*watchProxy, len(nodes))
	for i, n := range nodes {
		eps = append(eps, n.m.Endpoints()...)
		proxies[i] = newWatchProxy(t, n.m.Endpoints()[0])
		proxied = append(proxied, proxies[i].addr())
	}
	return nodes, proxies, watchConnect(t, proxied), watchConnect(t, eps)
}
