package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
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

// TestUsageTakesSnapshot drives `:usage` with an empty backup directory: the panel asks before
// taking a snapshot (where it goes, how large), y saves one there (audited) and the panel shows
// the stored rows read from it; s asks again for a current one, esc declines, esc closes.
func TestUsageTakesSnapshot(t *testing.T) {
	bin := buildEtcdeck(t)
	m := nodetest.Start(t)
	cli := nodetest.Client(t, m.Endpoints())
	ctx := context.Background()
	for i := range 300 {
		if _, err := cli.Put(ctx, "/hot/k", fmt.Sprintf("%0100d", i)); err != nil {
			t.Fatal(err)
		}
	}
	home := t.TempDir()
	dir := filepath.Join(home, "bk")
	s := Start(t, 120, 30, isolatedEnv(home), home, bin, "--endpoints", m.Endpoints()[0], "--backup-dir", dir)
	s.WaitFor("hot/", startupTimeout)
	s.SendKeys(":")
	s.Type("usage")
	s.SendKeys("Enter")
	asked := s.WaitFor("Take a snapshot for :usage?", 30*time.Second)
	if !strings.Contains(strings.Join(strings.Fields(asked), " "), "It is saved into "+dir+" (about ") {
		t.Fatalf("the question does not say where and how large:\n%s", asked)
	}
	if files, _ := filepath.Glob(filepath.Join(dir, "*")); len(files) != 0 {
		t.Fatalf("saved before the answer: %v", files)
	}
	s.SendKeys("y")
	screen := s.WaitFor("Stored in etcd-snapshot-", 60*time.Second)
	hot := false
	for _, l := range strings.Split(screen, "\n") {
		if f := strings.Fields(l); len(f) > 1 && f[0] == "/hot/" && f[1] == "300" {
			hot = true
			break
		}
	}
	if !hot {
		t.Fatalf("no stored row /hot/ with 300 revisions:\n%s", screen)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "etcd-snapshot-*.db"))
	if len(files) != 1 {
		t.Fatalf("backups %v, want one", files)
	}
	log, err := os.ReadFile(filepath.Join(home, "state", "etcdeck", "audit.log"))
	if err != nil || !strings.Contains(string(log), `"action":"usage-snapshot"`) || !strings.Contains(string(log), filepath.Base(files[0])) {
		t.Fatalf("audit log (%v):\n%s", err, log)
	}
	s.SendKeys("s")
	s.WaitFor("Take a snapshot for :usage?", 30*time.Second)
	s.SendKeys("Escape")
	s.WaitGone("Take a snapshot for :usage?", 5*time.Second)
	s.SendKeys("Escape")
	s.WaitGone("Usage of every key", 5*time.Second)
	s.SendKeys("q")
	s.WaitFor("[exited 0]", 30*time.Second)
}
