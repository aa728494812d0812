package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/etcdeck/etcdeck/embednode/nodetest"
)

// TestUsagePanel drives `:usage` in a real terminal: with a backup saved by `etcdeck snapshot
// save`, the panel lists the overwritten prefix first from the snapshot (read by a child
// process), then the live children; esc closes it.
func TestUsagePanel(t *testing.T) {
	bin := buildEtcdeck(t)
	m := nodetest.Start(t)
	cli := nodetest.Client(t, m.Endpoints())
	ctx := context.Background()
	for i := range 300 {
		if _, err := cli.Put(ctx, "/hot/k", fmt.Sprintf("%0100d", i)); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 10 {
		if _, err := cli.Put(ctx, fmt.Sprintf("/cold/%d", i), strings.Repeat("c", 500)); err != nil {
			t.Fatal(err)
		}
	}
	home := t.TempDir()
	save := exec.Command(bin, "snapshot", "save", "--endpoints", m.Endpoints()[0])
	save.Env = append(os.Environ(), isolatedEnv(home)...)
	if out, err := save.CombinedOutput(); err != nil {
		t.Fatalf("snapshot save: %v\n%s", err, out)
	}

	s := Start(t, 100, 30, isolatedEnv(home), home, bin, "--endpoints", m.Endpoints()[0])
	s.WaitFor("hot/", startupTimeout)
	s.SendKeys(":")
	s.Type("usage")
	s.SendKeys("Enter")
	s.WaitFor("Usage of every key", 5*time.Second)
	screen := s.WaitFor("Live at revision", 30*time.Second)
	screen = s.WaitFor("Stored in etcd-snapshot-", 30*time.Second)
	var rows []string
	for _, l := range strings.Split(screen, "\n") {
		if f := strings.Fields(l); len(f) > 0 && (f[0] == "/hot/" || f[0] == "/cold/") {
			rows = append(rows, f[0]+" "+f[1])
		}
	}
	// Stored first (the hot key's 300 revisions outweigh the cold keys), then live (the cold
	// values outweigh the one hot value).
	if want := []string{"/hot/ 300", "/cold/ 10", "/cold/ 10", "/hot/ 1"}; strings.Join(rows, ",") != strings.Join(want, ",") {
		t.Errorf("rows %q, want %q in:\n%s", rows, want, screen)
	}
	s.SendKeys("Escape")
	s.WaitGone("Usage of every key", 5*time.Second)
	s.SendKeys("q")
	s.WaitFor("[exited 0]", 30*time.Second)
}
