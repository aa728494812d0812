package tui

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/embednode/nodetest"
	"github.com/etcdeck/etcdeck/views/common"
)

// waitLong is waitFor with a deadline for conditions that span a member's outage.
func (f *flow) waitLong(what string, d time.Duration, cond func(snapshot) bool) snapshot {
	f.t.Helper()
	deadline := time.Now().Add(d)
	for {
		s := f.snap()
		if cond(s) {
			return s
		}
		if time.Now().After(deadline) {
			f.t.Fatalf("timed out after %s waiting for %s; screen:\n%s", d, what, s.screen)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// The member under the console stops and comes back on the same port: the Cluster view and the
// Keys view recover by themselves, without r, within a few of the status bar's polls; before,
// the Cluster view waited out its backoff (here 16 s) and the Keys view stayed in error.
func TestViewsRecoverWhenMemberComesBack(t *testing.T) {
	cfg := nodetest.Config(t, "m0")
	mem := nodetest.StartConfig(t, cfg)
	cli := nodetest.Client(t, mem.Endpoints())
	if _, err := cli.Put(context.Background(), "/alpha", "1"); err != nil {
		t.Fatal(err)
	}
	env := testConfig()
	env.settings.HealthPollInterval = 250 * time.Millisecond
	env.session = testSession(t, mem.Endpoints())
	f := startFlow(t, newRealModel(t, env), 120, 40)
	defer f.quit()
	f.waitText("alpha")

	stopAt := time.Now()
	mem.Close(30 * time.Second)
	t.Logf("member stopped in %s", time.Since(stopAt).Round(time.Millisecond))
	f.keys("r")
	f.waitLong("the Keys view in error", 20*time.Second, func(s snapshot) bool { return !contains(s.screen, "alpha") })
	f.keys("3")
	// Six failures: the Cluster view's own next try is 16 s away.
	f.waitLong("the Cluster view backing off", 60*time.Second, func(s snapshot) bool {
		return contains(s.screen, "(6×)") || contains(s.screen, "(7×)")
	})

	t.Logf("header while down: %s", strings.SplitN(f.snap().screen, "\n", 2)[0])
	back := time.Now()
	nodetest.StartConfig(t, cfg)
	// Generous (gRPC redials a member back within 5 s, then one 2 s poll); the Keys view never
	// recovered without r before, the Cluster view after its backoff.
	f.waitLong("the Cluster view recovered", 20*time.Second, func(s snapshot) bool {
		return !contains(s.screen, "health poll failed")
	})
	t.Logf("Cluster view recovered %s after the member was started", time.Since(back).Round(time.Millisecond))
	f.keys("1")
	f.waitLong("the Keys view recovered without r", 20*time.Second, func(s snapshot) bool {
		return contains(s.screen, "alpha") && !strings.Contains(s.screen, "✗")
	})
	t.Logf("Keys view listed again %s after the member was started", time.Since(back).Round(time.Millisecond))
}

// An error flash raised while the cluster did not answer goes when it answers again (it
// reported the outage); one raised while it answered stays its usual time.
func TestOutageFlashGoesWithTheOutage(t *testing.T) {
	s := newStatus(common.NewStyles(false), header{label: "x"})
	s.applyOverview(cluster.Overview{}, errors.New("127.0.0.1:1 refuses connections (member down?)"))
	s.setFlash(common.FlashError, "✗ listing /: refuses connections")
	if cmd := s.applyOverview(cluster.Overview{Revision: 5, LeaderName: "m0"}, nil); cmd == nil {
		t.Fatal("no ClusterBackMsg when the cluster answered again")
	} else if _, ok := cmd().(common.ClusterBackMsg); !ok {
		t.Fatalf("recovery sent %T, want common.ClusterBackMsg", cmd())
	}
	if s.flash != nil {
		t.Fatalf("the outage's flash %q outlived it", s.flash.text)
	}
	s.setFlash(common.FlashError, "✗ put /a: permission denied")
	s.applyOverview(cluster.Overview{Revision: 6, LeaderName: "m0"}, nil)
	if s.flash == nil {
		t.Fatal("a flash raised while connected was dropped by a routine poll")
	}
}

// The console starts before its cluster: the header says why it cannot connect, and once a
// member comes up on that port the console connects and the Keys view lists it, without r.
// Before, Connect refused and the console exited with the error.
func TestConsoleStartsBeforeItsCluster(t *testing.T) {
	cfg := nodetest.Config(t, "m0")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := cluster.Connect(ctx, cluster.ConnConfig{Endpoints: cfg.ListenClientURLs, InsecureTransport: true,
		DialTimeout: time.Second}, nil, cluster.WithOffline())
	if err != nil {
		t.Fatalf("the console's Connect refused with no member up: %v", err)
	}
	if c.OfflineCause() == nil {
		t.Fatal("no cause kept although no endpoint answered")
	}
	sess := cluster.NewSession(context.Background(), c, "", nil)
	t.Cleanup(sess.End)
	env := testConfig()
	env.session = sess
	f := startFlow(t, newRealModel(t, env), 120, 40)
	defer f.quit()
	f.waitLong("the cause in the header", 10*time.Second, func(s snapshot) bool {
		return contains(s.screen, "refused") || contains(s.screen, "no connection")
	})

	mem := nodetest.StartConfig(t, cfg)
	if _, err := nodetest.Client(t, mem.Endpoints()).Put(context.Background(), "/beta", "1"); err != nil {
		t.Fatal(err)
	}
	back := time.Now()
	s := f.waitLong("connected: the leader in the header and the key listed", 30*time.Second, func(s snapshot) bool {
		return contains(s.screen, "leader m0") && contains(s.screen, "beta")
	})
	t.Logf("connected %s after the member came up", time.Since(back).Round(time.Millisecond))
	if contains(s.screen, "refused") {
		t.Fatalf("the cause outlived the outage:\n%s", s.screen)
	}
}
