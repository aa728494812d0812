package cluster_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/cluster/backup"
	"github.com/etcdeck/etcdeck/cluster/clustertest"
	"github.com/etcdeck/etcdeck/embednode"
	"github.com/etcdeck/etcdeck/embednode/nodetest"
)

// One dead endpoint before two live members must not refuse the connection (issue 17): the
// client connects, works, and names the dead one.
func TestConnectFirstEndpointDead(t *testing.T) {
	t.Parallel()
	ms := nodetest.StartCluster(t, 3)
	dead := fmt.Sprintf("127.0.0.1:%d", nodetest.FreePort(t))
	eps := append([]string{dead}, nodetest.Endpoints(ms[1:]...)...)
	c, err := clustertest.Connect(t, cluster.ConnConfig{Endpoints: eps, InsecureTransport: true})
	if err != nil {
		t.Fatalf("connect with %s dead first: %v", dead, err)
	}
	if got, want := c.Unreachable(), []string{"connection refused at " + dead}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("Unreachable() = %q, want %q", got, want)
	}
	for i := 0; i < 6; i++ { // every call, whichever endpoint the balancer picks
		if _, err := c.Overview(context.Background()); err != nil {
			t.Fatalf("overview %d: %v", i, err)
		}
	}
}

// An HTTP/1 server is not etcd: say so instead of timing out (issue 16).
func TestConnectHTTPServer(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, "hello") }))
	t.Cleanup(srv.Close)
	addr := strings.TrimPrefix(srv.URL, "http://")
	start := time.Now()
	_, err := clustertest.Connect(t, cluster.ConnConfig{Endpoints: []string{addr}, InsecureTransport: true})
	t.Logf("refused after %s", time.Since(start).Round(10*time.Millisecond))
	want := addr + " answers HTTP, not etcd's gRPC"
	if err == nil || err.Error() != want {
		t.Fatalf("err = %v, want %q", err, want)
	}
}

// An endpoint that accepts TCP and never answers is named as such, within --dial-timeout.
func TestConnectSilentEndpoint(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			t.Cleanup(func() { conn.Close() }) // held open, never answered
		}
	}()
	addr := ln.Addr().String()
	start := time.Now()
	_, err = clustertest.Connect(t, cluster.ConnConfig{Endpoints: []string{addr}, InsecureTransport: true, DialTimeout: time.Second})
	t.Logf("refused after %s (--dial-timeout 1s)", time.Since(start).Round(10*time.Millisecond))
	want := addr + " accepts connections but does not answer within 1s (--dial-timeout)"
	if err == nil || err.Error() != want {
		t.Fatalf("err = %v, want %q", err, want)
	}
}

// After the leader is killed, Overview (the header's source) names the new leader even when the
// killed member is the first endpoint (issue 17: the header kept the old leader for > 10 s).
func TestOverviewAfterLeaderKilled(t *testing.T) {
	t.Parallel()
	ms := nodetest.StartCluster(t, 3)
	c, err := clustertest.Connect(t, cluster.ConnConfig{Endpoints: nodetest.Endpoints(ms...), InsecureTransport: true})
	if err != nil {
		t.Fatal(err)
	}
	o, err := c.Overview(context.Background())
	if err != nil || o.LeaderName == "" {
		t.Fatalf("overview: %+v %v", o, err)
	}
	old := o.LeaderName
	// The leader first: the endpoint a poll used to ask before the others.
	var eps []string
	for i, m := range ms {
		if fmt.Sprintf("m%d", i) == old { // StartCluster names them m0, m1, ... in order
			eps = append(m.Endpoints(), eps...)
			m.Close(10 * time.Second)
		} else {
			eps = append(eps, m.Endpoints()...)
		}
	}
	c2, err := clustertest.Connect(t, cluster.ConnConfig{Endpoints: eps, InsecureTransport: true})
	if err != nil {
		t.Fatalf("connect with the killed leader first: %v", err)
	}
	// A new election takes about a second; the bound is generous (a poll interval is 2 s).
	deadline := time.Now().Add(20 * time.Second)
	for {
		o, err = c2.Overview(context.Background())
		if err == nil && o.LeaderName != "" && o.LeaderName != old {
			t.Logf("new leader %s (was %s)", o.LeaderName, old)
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("overview still %+v, %v; want a leader other than %s", o, err, old)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// With the leader and a dead member as endpoints, a save comes from a healthy follower the user
// did not list, found in the member list (issue 17: it saved from the leader).
func TestSaveSnapshotFromUnlistedFollower(t *testing.T) {
	t.Parallel()
	ms := nodetest.StartCluster(t, 3)
	c, err := clustertest.Connect(t, cluster.ConnConfig{Endpoints: nodetest.Endpoints(ms...), InsecureTransport: true})
	if err != nil {
		t.Fatal(err)
	}
	o, err := c.Overview(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var leader, others []*embednode.Member
	for i, m := range ms {
		if fmt.Sprintf("m%d", i) == o.LeaderName {
			leader = append(leader, m)
		} else {
			others = append(others, m)
		}
	}
	if len(leader) != 1 {
		t.Fatalf("leader %q is none of m0..m2", o.LeaderName)
	}
	others[0].Close(10 * time.Second)
	eps := append(leader[0].Endpoints(), others[0].Endpoints()...)
	c2, err := clustertest.Connect(t, cluster.ConnConfig{Endpoints: eps, InsecureTransport: true})
	if err != nil {
		t.Fatalf("connect to the leader and a dead member: %v", err)
	}
	res, err := backup.Save(context.Background(), c2, backup.SaveOptions{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if res.Role != "follower" || !strings.Contains(res.Endpoint, others[1].Endpoints()[0]) {
		t.Errorf("saved from the %s %s, want the follower %s", res.Role, res.Endpoint, others[1].Endpoints()[0])
	}
}

// A listing whose only member died names the cause, not the timeout (issue 17: `r` in Keys said
// "timed out waiting for the cluster (--command-timeout)").
func TestListDirMemberDown(t *testing.T) {
	t.Parallel()
	m := nodetest.Start(t)
	c, err := clustertest.Connect(t, cluster.ConnConfig{Endpoints: m.Endpoints(), InsecureTransport: true, CommandTimeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.ListDir(context.Background(), "/", cluster.ListOptions{}); err != nil {
		t.Fatalf("listing while up: %v", err)
	}
	m.Close(10 * time.Second)
	_, err = c.ListDir(context.Background(), "/", cluster.ListOptions{})
	want := m.Endpoints()[0] + " refuses connections (member down?)"
	if err == nil || err.Error() != want {
		t.Fatalf("listing after the member stopped: %v, want %q", err, want)
	}
	_, err = c.Overview(context.Background())
	if err == nil || err.Error() != want {
		t.Fatalf("overview after the member stopped: %v, want %q", err, want)
	}
}

// TestWindowsPagesMemberKilled: pages of a directory listed by the windows (etcd < 3.7's way)
// go on at the first page's revision after the member that served it stopped; the pages
// together are the whole directory, each row once.
func TestWindowsPagesMemberKilled(t *testing.T) {
	t.Parallel()
	ms := nodetest.StartCluster(t, 3)
	c, err := clustertest.Connect(t, cluster.ConnConfig{Endpoints: nodetest.Endpoints(ms...), InsecureTransport: true,
		CommandTimeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	raw := nodetest.Client(t, nodetest.Endpoints(ms[1:]...))
	ctx := context.Background()
	const n = 3000
	for start := 0; start < n; start += 100 {
		var ops []clientv3.Op
		for i := start; i < start+100; i++ {
			ops = append(ops, clientv3.OpPut(fmt.Sprintf("/pg/%c-k%04d", 'a'+i%7, i), "v"))
		}
		if _, err := raw.Txn(ctx).Then(ops...).Commit(); err != nil {
			t.Fatal(err)
		}
	}
	l, err := c.ListDir(ctx, "/pg/", cluster.ListOptions{Strategy: cluster.StrategyWindows, Limit: 100})
	if err != nil || l.Next == "" {
		t.Fatalf("first page: %d rows, next %q, %v", len(l.Rows), l.Next, err)
	}
	ms[0].Close(10 * time.Second)
	rows, next := l.Rows, l.Next
	for pages := 1; next != ""; pages++ {
		p, err := c.ListDir(ctx, "/pg/", cluster.ListOptions{Strategy: cluster.StrategyWindows, Limit: 500, After: next, Rev: l.Rev})
		if err != nil {
			t.Fatalf("page %d after %s stopped: %v", pages, ms[0].Endpoints()[0], err)
		}
		rows, next = cluster.MergeRows(rows, p.Rows), p.Next
		if pages > n {
			t.Fatal("pages never end")
		}
	}
	seen := map[string]bool{}
	for _, r := range rows {
		if seen[r.Name] || !r.Leaf {
			t.Fatalf("row %v twice or not a key", r)
		}
		seen[r.Name] = true
	}
	if len(seen) != n {
		t.Fatalf("%d rows over the pages, want %d", len(seen), n)
	}
}
