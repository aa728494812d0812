package monitor_test

import (
	"context"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/cluster/clustertest"
	"github.com/etcdeck/etcdeck/cluster/monitor"
	"github.com/etcdeck/etcdeck/embednode/nodetest"
)

// TestMonitorAuth: the per-member clients log in as the session's user; a user allowed to read
// nothing still counts as healthy (the denied read went through consensus), as etcdctl has it.
func TestMonitorAuth(t *testing.T) {
	mem := nodetest.Start(t)
	e := nodetest.Client(t, mem.Endpoints())
	ctx := context.Background()
	for _, step := range []func() error{
		func() error { _, err := e.UserAdd(ctx, "root", "s3cret-pw"); return err },
		func() error { _, err := e.UserGrantRole(ctx, "root", "root"); return err },
		func() error { _, err := e.UserAdd(ctx, "nobody", "n0body-pw"); return err },
		func() error { _, err := e.AuthEnable(ctx); return err },
	} {
		if err := step(); err != nil {
			t.Fatalf("enable auth: %v", err)
		}
	}
	for _, user := range []struct{ name, pw string }{{"root", "s3cret-pw"}, {"nobody", "n0body-pw"}} {
		c, err := clustertest.Connect(t, cluster.ConnConfig{Endpoints: mem.Endpoints(), User: user.name, Password: user.pw, InsecureTransport: true})
		if err != nil {
			t.Fatalf("%s: %v", user.name, err)
		}
		m := monitor.NewMonitor(ctx, c)
		p := m.Poll(ctx, 3*time.Second)
		m.Close()
		if len(p.Members) != 1 || p.Members[0].State != monitor.StateHealthy {
			t.Fatalf("%s: %+v", user.name, p)
		}
	}
}

// TestMonitorEtcd34: an etcd 3.4 member (no quota in its Status, no serializable member list) is
// polled healthy and its /metrics read.
func TestMonitorEtcd34(t *testing.T) {
	ep := nodetest.StartEtcd34(t)
	c, err := clustertest.Connect(t, cluster.ConnConfig{Endpoints: []string{ep}, InsecureTransport: true})
	if err != nil {
		t.Fatal(err)
	}
	m := monitor.NewMonitor(context.Background(), c)
	t.Cleanup(m.Close)
	p := pollUntil(t, m, monitor.NewTracker(0), 10*time.Second, "healthy", allHealthy)
	if st := p.Members[0].Status; st == nil || !strings.HasPrefix(st.Version, "3.4.") {
		t.Fatalf("status %+v", st)
	}
	ms, err := m.Scrape(context.Background(), 5*time.Second)
	if err != nil || len(ms) != 1 || ms[0].Err != "" || ms[0].WALFsync.Count == 0 {
		t.Fatalf("scrape: %v %+v", err, ms)
	}
}

// TestMonitorConfiguredEndpoint: the member the session reaches through a given endpoint (a
// port-forward, a proxy) is polled there, not at the URL it advertises, which may not be
// reachable from here.
func TestMonitorConfiguredEndpoint(t *testing.T) {
	mem := nodetest.Start(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	target := mem.Endpoints()[0]
	go func() { // a TCP forwarder, like kubectl port-forward
		for {
			in, err := l.Accept()
			if err != nil {
				return
			}
			out, err := net.Dial("tcp", target)
			if err != nil {
				in.Close()
				continue
			}
			go func() { io.Copy(out, in); out.Close() }()
			go func() { io.Copy(in, out); in.Close() }()
		}
	}()
	c, err := clustertest.Connect(t, cluster.ConnConfig{Endpoints: []string{l.Addr().String()}, InsecureTransport: true})
	if err != nil {
		t.Fatal(err)
	}
	m := monitor.NewMonitor(context.Background(), c)
	t.Cleanup(m.Close)
	p := pollUntil(t, m, monitor.NewTracker(0), 10*time.Second, "healthy", allHealthy)
	if got, want := p.Members[0].Endpoint, "http://"+l.Addr().String(); got != want {
		t.Fatalf("polled at %s, want the configured endpoint %s", got, want)
	}
	ms, err := m.Scrape(context.Background(), 5*time.Second)
	if err != nil || ms[0].Err != "" || ms[0].URL != "http://"+l.Addr().String() {
		t.Fatalf("scrape: %v %+v", err, ms)
	}
}
