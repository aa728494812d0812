package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/etcdeck/etcdeck/embednode/nodetest"
)

// TestPasswordPrompt: a user without a password is asked on the terminal, without echo, before
// the UI starts; a wrong one ends with the clear message and a restored terminal.
func TestPasswordPrompt(t *testing.T) {
	t.Parallel()
	bin := buildEtcdeck(t)
	m := nodetest.Start(t)
	c, err := clientv3.New(clientv3.Config{Endpoints: m.Endpoints(), DialTimeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := c.UserAdd(ctx, "root", "hunter2-secret"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.UserGrantRole(ctx, "root", "root"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.AuthEnable(ctx); err != nil {
		t.Fatal(err)
	}
	c.Close()

	home := t.TempDir()
	env := isolatedEnv(home)
	ep := m.Endpoints()[0]

	s := Start(t, 100, 30, env, home, bin, "--endpoints", ep, "--user", "root")
	s.WaitFor("Password for root:", startupTimeout)
	s.Type("hunter2-secret")
	s.SendKeys("Enter")
	s.WaitFor(ep, startupTimeout)
	s.WaitFor("leader default", 15*time.Second)
	if strings.Contains(s.Screen(), "hunter2") {
		t.Fatalf("the password is on screen:\n%s", s.Screen())
	}
	s.SendKeys("q")
	s.WaitFor("[exited 0]", 10*time.Second)

	wrong := Start(t, 100, 30, env, home, bin, "--endpoints", ep, "--user", "root")
	wrong.WaitFor("Password for root:", startupTimeout)
	wrong.Type("not-the-password")
	wrong.SendKeys("Enter")
	screen := wrong.WaitFor("[exited 1]", 15*time.Second)
	if !strings.Contains(screen, "etcdeck: authentication failed for user root: wrong user name or password") ||
		strings.Contains(screen, "not-the-password") || !strings.Contains(screen, "icanon echo") {
		t.Fatalf("wrong password screen:\n%s", screen)
	}

	// ctrl+c at the prompt leaves the terminal echoing, as it was.
	interrupted := Start(t, 100, 30, env, home, bin, "--endpoints", ep, "--user", "root")
	interrupted.WaitFor("Password for root:", startupTimeout)
	interrupted.SendKeys("C-c")
	screen = interrupted.WaitFor("[exited 130]", 15*time.Second)
	if !strings.Contains(screen, "icanon echo") {
		t.Fatalf("ctrl+c at the password prompt left the terminal changed:\n%s", screen)
	}
}
