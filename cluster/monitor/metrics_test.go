package monitor_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/cluster/clustertest"
	"github.com/etcdeck/etcdeck/cluster/monitor"
	"github.com/etcdeck/etcdeck/embednode/nodetest"
)

// Members run in child processes: in-process members would share one Prometheus registry and
// every page would mix their figures.
func TestScrapeMetricsOfThreeMembers(t *testing.T) {
	t.Parallel()
	children := nodetest.SpawnCluster(t, etcdeckBinary(t), 3)
	c, err := clustertest.Connect(t, cluster.ConnConfig{Endpoints: children[0].Endpoints(), InsecureTransport: true})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	raw := nodetest.Client(t, children[0].Endpoints())
	for i := 0; i < 50; i++ {
		if _, err := raw.Put(ctx, "/metrics-test", strings.Repeat("v", i)); err != nil {
			t.Fatal(err)
		}
	}
	m := monitor.NewMonitor(ctx, c)
	defer m.Close()
	tr := monitor.NewTracker(0)
	p := pollUntil(t, m, tr, 15*time.Second, "three healthy members", allHealthy)
	names := map[string]bool{}
	for _, h := range p.Members {
		names[h.Member.Name] = true
	}
	// Peer round trips are probed every few seconds; wait until each member has seen both peers.
	deadline := time.Now().Add(30 * time.Second)
	var ms []monitor.Metrics
	for {
		ms, _ = m.Scrape(ctx, 5*time.Second)
		ready := len(ms) == 3
		for _, x := range ms {
			ready = ready && x.Err == "" && len(x.PeerRTT) == 2 && x.PeerRTT[x.PeerIDs()[0]].Count > 0 && x.PeerRTT[x.PeerIDs()[1]].Count > 0
		}
		if ready || time.Now().After(deadline) {
			break
		}
		time.Sleep(time.Second)
	}
	t.Logf("peer round trips seen after %s", 30*time.Second-time.Until(deadline))
	tr.AddMetrics(ms)
	leader, _ := tr.Leader()
	for _, x := range ms {
		if x.Err != "" {
			t.Fatalf("member %s: %s", x.Member.Name, x.Err)
		}
		if x.WALFsync.Count == 0 || x.BackendCommit.Count == 0 || x.QuotaBytes <= 0 {
			t.Fatalf("member %s: WAL fsyncs %d, backend commits %d, quota %v", x.Member.Name, x.WALFsync.Count, x.BackendCommit.Count, x.QuotaBytes)
		}
		if x.Member.ID == leader && x.LeaderChanges < 1 {
			t.Fatalf("leader %s has seen %v leader changes, want at least its own election", x.Member.Name, x.LeaderChanges)
		}
		s := tr.Metrics(x.Member.ID)
		if s == nil || len(s.PeerRTTP99) != 2 || s.WALFsyncP99 <= 0 {
			t.Fatalf("member %s summary: %+v", x.Member.Name, s)
		}
		for peer, d := range s.PeerRTTP99 {
			if !names[peer] || peer == x.Member.Name || d <= 0 || d > time.Second {
				t.Fatalf("member %s: peer RTT p99 %v to %q (members %v)", x.Member.Name, d, peer, names)
			}
		}
	}
}

func TestScrapeMetricsNotServed(t *testing.T) {
	mem := nodetest.Start(t)
	c, err := clustertest.Connect(t, cluster.ConnConfig{Endpoints: mem.Endpoints(), InsecureTransport: true})
	if err != nil {
		t.Fatal(err)
	}
	m := monitor.NewMonitor(context.Background(), c)
	defer m.Close()
	m.Poll(context.Background(), 2*time.Second)
	// A member gone between the member list and the scrape: one line says why.
	mem.Close(10 * time.Second)
	ms, err := m.Scrape(context.Background(), 2*time.Second)
	if err != nil || len(ms) != 1 || !strings.HasPrefix(ms[0].Err, "metrics not reachable: ") || !strings.Contains(ms[0].Err, "connection refused") {
		t.Fatalf("scrape of a stopped member: %+v", ms)
	}
}

// TestScrapeMetricsTLS: /metrics of a member that wants client certificates is read over https
// with the session's CA and certificate, and the health probe works through the same TLS.
func TestScrapeMetricsTLS(t *testing.T) {
	certs := nodetest.NewCerts(t)
	cfg := nodetest.Config(t, "tls")
	cfg.ListenClientURLs[0] = strings.Replace(cfg.ListenClientURLs[0], "http://", "https://", 1)
	cfg.CertFile, cfg.KeyFile, cfg.TrustedCAFile, cfg.ClientCertAuth = certs.ServerCert, certs.ServerKey, certs.CA, true
	mem := nodetest.StartConfig(t, cfg)
	c, err := clustertest.Connect(t, cluster.ConnConfig{Endpoints: mem.ClientURLs, CACert: certs.CA, Cert: certs.ClientCert, Key: certs.ClientKey, InsecureTransport: true})
	if err != nil {
		t.Fatal(err)
	}
	m := monitor.NewMonitor(context.Background(), c)
	defer m.Close()
	tr := monitor.NewTracker(0)
	pollUntil(t, m, tr, 10*time.Second, "healthy over TLS", allHealthy)
	ms, err := m.Scrape(context.Background(), 5*time.Second)
	if err != nil || len(ms) != 1 || ms[0].Err != "" || !strings.HasPrefix(ms[0].URL, "https://") || ms[0].QuotaBytes <= 0 {
		t.Fatalf("scrape over TLS: %v %+v", err, ms)
	}
}
