package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/etcdeck/etcdeck/embednode/nodetest"
)

// TestLeasesView drives view 6 in a real terminal: the leases of a member with their key counts
// and the summary, `:lease grant` adds one, `enter` lists a lease's keys, `d` revokes it after the
// typed question naming its keys, and the keys are gone from etcd.
func TestLeasesView(t *testing.T) {
	bin := buildEtcdeck(t)
	m := nodetest.Start(t)
	cli := nodetest.Client(t, m.Endpoints())
	ctx := context.Background()
	held, err := cli.Grant(ctx, 600)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		if _, err := cli.Put(ctx, fmt.Sprintf("/sessions/s%d", i), "v", clientv3.WithLease(held.ID)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := cli.Grant(ctx, 30); err != nil { // an orphan
		t.Fatal(err)
	}
	home := t.TempDir()
	s := Start(t, 100, 30, isolatedEnv(home), home, bin, "--endpoints", m.Endpoints()[0])
	s.WaitFor("sessions/", startupTimeout)
	s.SendKeys("6")
	s.WaitFor("[6 Leases]", 5*time.Second)
	s.WaitFor("2 leases · 2 keys attached · 1 with no key", 10*time.Second)
	id := fmt.Sprintf("%x", int64(held.ID))
	if screen := s.WaitFor(id, 5*time.Second); !strings.Contains(screen, "10m") {
		t.Errorf("the 10-minute lease's row does not show its granted TTL:\n%s", screen)
	}

	s.SendKeys(":")
	s.Type("lease grant 120")
	s.SendKeys("Enter")
	s.WaitFor("granted lease", 10*time.Second)
	s.WaitFor("3 leases", 10*time.Second)

	// The held lease was granted first: its ID is the lowest, the first row.
	s.SendKeys("g", "Enter")
	s.WaitFor("keys of lease "+id+" · 2 keys", 10*time.Second)
	s.WaitFor("/sessions/s1", 5*time.Second)
	s.SendKeys("Escape")
	s.WaitGone("keys of lease", 5*time.Second)
	s.SendKeys("d")
	s.WaitFor("It deletes 2 keys: /sessions/s0, /sessions/s1.", 10*time.Second)
	s.Type("revoke")
	s.SendKeys("Enter")
	s.WaitFor("revoked lease "+id+": 2 keys deleted", 10*time.Second)
	resp, err := cli.Get(ctx, "/sessions/", clientv3.WithPrefix(), clientv3.WithCountOnly())
	if err != nil || resp.Count != 0 {
		t.Fatalf("keys of the revoked lease left: %v %v", resp, err)
	}
	s.WaitFor("2 leases", 10*time.Second)
	s.SendKeys("q")
	s.WaitFor("[exited 0]", 30*time.Second)
}
