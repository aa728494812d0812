package e2e

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/etcdeck/etcdeck/embednode"
	"github.com/etcdeck/etcdeck/embednode/nodetest"
)

// TestRecoverNospace drives :recover-nospace as an operator would: three members with a 4 MiB
// quota are filled until etcd raises NOSPACE and refuses writes; in the console, :recover-nospace
// shows each member's size and quota, then y at each of the four steps (compact, defragment
// every member, disarm, test put); afterwards a put from outside the console works again.
func TestRecoverNospace(t *testing.T) {
	t.Parallel()
	bin := buildEtcdeck(t)
	members := nodetest.StartClusterWith(t, 3, func(c *embednode.Config) { c.QuotaBackendBytes = 4 << 20 })
	eps := nodetest.Endpoints(members...)
	cl := nodetest.Client(t, eps)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	val := string(bytes.Repeat([]byte("x"), 256<<10))
	for i := 0; ; i++ {
		if _, err := cl.Put(ctx, "/big", val); err != nil {
			if !strings.Contains(err.Error(), "space") {
				t.Fatalf("put %d: %v, want the NOSPACE refusal", i, err)
			}
			break
		}
		if i > 100 {
			t.Fatal("100 puts of 256 KiB fit in a 4 MiB quota")
		}
	}

	home := t.TempDir()
	c := Start(t, 120, 40, isolatedEnv(home), home, bin, "--endpoints", strings.Join(eps, ","))
	c.WaitFor("· leader m", startupTimeout)
	c.SendKeys(":")
	c.Type("recover-nospace")
	c.SendKeys("Enter")
	c.WaitFor("NOSPACE recovery, step 1 of 4: compact to the current revision?", 15*time.Second)
	if s := c.Screen(); !strings.Contains(s, "quota 4.0 MiB") {
		t.Errorf("the members' sizes and quota are not shown:\n%s", s)
	}
	c.SendKeys("y")
	c.WaitFor("step 2 of 4: defragment every member", 30*time.Second)
	c.SendKeys("y")
	c.WaitFor("step 3 of 4: disarm the NOSPACE alarms?", 90*time.Second)
	c.SendKeys("y")
	c.WaitFor("step 4 of 4: a test put", 30*time.Second)
	c.SendKeys("y")
	screen := c.WaitFor("writes work again", 30*time.Second)
	for _, want := range []string{"✓ step 1: compacted to revision", "✓ step 2: defragmented 3 members", "✓ step 3: disarmed"} {
		if !strings.Contains(screen, want) {
			t.Errorf("the panel lacks %q:\n%s", want, screen)
		}
	}
	if _, err := cl.Put(ctx, "/after", "ok"); err != nil {
		t.Fatalf("a put after the recovery: %v", err)
	}
	c.SendKeys("q")
	c.WaitFor("[exited 0]", 30*time.Second)
}
