package tui

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/config"
	"github.com/etcdeck/etcdeck/embednode/nodetest"
)

// testContexts opens sessions on fixed endpoints by name, as main's contexts do, counting releases.
type testContexts struct {
	t        *testing.T
	eps      map[string][]string
	released atomic.Int32
}

func (tc *testContexts) List() []config.ContextInfo {
	return []config.ContextInfo{{Name: "a", Endpoints: tc.eps["a"]}, {Name: "b", Endpoints: tc.eps["b"], User: "-", ReadOnly: true}}
}

func (tc *testContexts) Open(ctx context.Context, name string) (Opened, error) {
	eps, ok := tc.eps[name]
	if !ok {
		return Opened{}, fmt.Errorf("no context %q", name)
	}
	cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	c, err := cluster.Connect(cctx, cluster.ConnConfig{Endpoints: eps, InsecureTransport: true}, nil)
	if err != nil {
		return Opened{}, err
	}
	s := cluster.NewSession(context.Background(), c, name+" "+strings.Join(eps, ","), nil)
	return Opened{Session: s, Release: func() error { tc.released.Add(1); return nil }}, nil
}

// established counts this process's established TCP connections to the port of endpoint ep (the
// members run in the test process, so both ends are here: the client's side has the member's
// port as its remote port).
func established(t *testing.T, ep string) int {
	t.Helper()
	_, p, err := net.SplitHostPort(cluster.HostOf(ep))
	if err != nil {
		t.Fatal(err)
	}
	port, _ := strconv.Atoi(p)
	want := fmt.Sprintf(":%04X", port)
	n := 0
	for _, file := range []string{"/proc/self/net/tcp", "/proc/self/net/tcp6"} {
		f, err := os.Open(file)
		if err != nil {
			continue
		}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			fields := strings.Fields(sc.Text())
			if len(fields) > 3 && strings.HasSuffix(fields[2], want) && fields[3] == "01" {
				n++
			}
		}
		f.Close()
	}
	return n
}

// TestFlowCtxSwitch: :ctx lists the contexts; :ctx b ends a's session — no connection to a is
// left and the goroutines come back to what one session costs — and the views reload on b, the
// header naming b; :ctx a switches back; a context that does not answer leaves the shown one.
func TestFlowCtxSwitch(t *testing.T) {
	ma, mb := nodetest.Start(t), nodetest.Start(t)
	ctx := context.Background()
	nodetest.Client(t, ma.Endpoints()).Put(ctx, "/alpha-only", "1")
	nodetest.Client(t, mb.Endpoints()).Put(ctx, "/bravo-only", "1")
	// Connections that are not the console's (the members' own, the test's clients above).
	preA, preB := established(t, ma.Endpoints()[0]), established(t, mb.Endpoints()[0])
	tc := &testContexts{t: t, eps: map[string][]string{"a": ma.Endpoints(), "b": mb.Endpoints(), "dead": {"127.0.0.1:1"}}}
	first, err := tc.Open(ctx, "a")
	if err != nil {
		t.Fatal(err)
	}
	env := testConfig()
	env.session = first.Session
	m := newRealModel(t, env)
	WithContexts(tc, "a")(m)
	f := startFlow(t, m, 120, 30)
	f.waitText("alpha-only")
	// What one session costs, settled: the baseline the switches must come back to. Counted
	// are the goroutines of gRPC clients (a session's client is one): the process's total also
	// moves with Bubble Tea's ticks and the members' own work.
	// The most seen over a second: reconnects of the members' own clients come and go.
	baseline := 0
	for range 10 {
		baseline = max(baseline, clientGoroutines())
		time.Sleep(100 * time.Millisecond)
	}
	if n := established(t, ma.Endpoints()[0]); n <= preA {
		t.Fatalf("the console held no connection to a (%d, %d before)", n, preA) // the count would prove nothing
	}

	f.keys(":")
	f.typeText("ctx")
	f.keys("enter")
	f.waitFor("the list", func(s snapshot) bool {
		return contains(s.screen, "Contexts") && contains(s.screen, "● a") && contains(s.screen, ma.Endpoints()[0])
	})
	f.keys("esc")

	f.keys(":")
	f.typeText("ctx b")
	f.keys("enter")
	f.waitFor("b's keys and header", func(s snapshot) bool {
		return contains(s.screen, "bravo-only") && !contains(s.screen, "alpha-only") && contains(s.screen, "b "+mb.Endpoints()[0])
	})
	if first.Session.Context().Err() == nil {
		t.Fatal("a's session did not end")
	}
	waitCond(t, "no connection to a left", func() bool { return established(t, ma.Endpoints()[0]) <= preA })

	f.keys(":")
	f.typeText("ctx dead")
	f.keys("enter")
	f.waitText(":ctx dead:")
	if !contains(f.snap().screen, "bravo-only") {
		t.Fatalf("a failed switch left b:\n%s", f.snap().screen)
	}

	f.keys(":")
	f.typeText("ctx a")
	f.keys("enter")
	f.waitFor("a again", func(s snapshot) bool {
		return contains(s.screen, "alpha-only") && contains(s.screen, "a "+ma.Endpoints()[0])
	})
	waitCond(t, "no connection to b left", func() bool { return established(t, mb.Endpoints()[0]) <= preB })
	if tc.released.Load() != 1 { // b's; the first session is its caller's
		t.Fatalf("released %d sessions, want 1", tc.released.Load())
	}
	// Two switches later the client goroutines are back to one session's. A client left open
	// keeps at least five (three serializers, a connection's reader and writer); the margin of
	// two is the members' and test clients' reconnects, counted at one moment or the other.
	waitCond(t, fmt.Sprintf("client goroutines back to %d", baseline), func() bool { return clientGoroutines() <= baseline+2 })
	t.Logf("client goroutines: %d with one session, %d after two switches", baseline, clientGoroutines())
	f.quit()
}

// waitCond polls cond for up to 15 s.
func waitCond(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// clientGoroutines counts the goroutines running etcd or gRPC client code (not the members'
// servers, which run in this process too).
func clientGoroutines() int {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	count := 0
	for _, g := range strings.Split(string(buf), "\n\n") {
		if (strings.Contains(g, "go.etcd.io/etcd/client/v3") || strings.Contains(g, "google.golang.org/grpc.(*ClientConn)") ||
			strings.Contains(g, "google.golang.org/grpc.(*addrConn)") || strings.Contains(g, "grpc/internal/transport.newHTTP2Client") ||
			strings.Contains(g, "(*http2Client)")) && !strings.Contains(g, "etcd/server") {
			count++
		}
	}
	return count
}
