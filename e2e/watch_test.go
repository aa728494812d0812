package e2e

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/etcdeck/etcdeck/embednode/nodetest"
)

// TestWatchCountsEtcdctlWrites watches a prefix from the command line while etcdctl writes 500
// keys, and reads the exact total in the title; --rev replays them, and x exports them as JSON
// Lines into the current directory.
func TestWatchCountsEtcdctlWrites(t *testing.T) {
	t.Parallel()
	bin := buildEtcdeck(t)
	etcdctl, err := exec.LookPath("etcdctl")
	if err != nil {
		t.Skip("etcdctl not installed")
	}
	m := nodetest.Start(t)
	ep := m.Endpoints()[0]
	home := t.TempDir()
	s := Start(t, 120, 40, isolatedEnv(home), home, bin, "--endpoints", ep)
	s.WaitFor("leader", startupTimeout)
	s.SendKeys(":")
	s.Type("watch /e2e/")
	s.SendKeys("Enter")
	s.WaitFor("live at rev", 10*time.Second)

	// Eight etcdctl processes at a time, 500 in all, plus writes outside the prefix.
	script := fmt.Sprintf(`seq 1 500 | xargs -P 8 -I{} %s --endpoints %s put /e2e/key-{} value-{} >/dev/null &&
		%s --endpoints %s put /elsewhere x >/dev/null`, etcdctl, ep, etcdctl, ep)
	cmd := exec.Command("bash", "-c", script)
	cmd.Env = append(os.Environ(), "ETCDCTL_API=3")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("etcdctl: %v\n%s", err, out)
	}
	screen := s.WaitFor("500 events ·", 30*time.Second)
	if !regexp.MustCompile(`PUT\s+\d+\s+/e2e/key-\d+`).MatchString(screen) {
		t.Errorf("no put row on screen:\n%s", screen)
	}

	s.SendKeys(":")
	s.Type("watch /e2e/ --rev 1")
	s.SendKeys("Enter")
	s.WaitFor("/e2e/ from rev 1", 10*time.Second)
	s.WaitFor("500 events ·", 30*time.Second)

	s.SendKeys("x")
	screen = s.WaitFor("exported 500 events to ", 10*time.Second)
	files, _ := filepath.Glob(filepath.Join(home, "etcdeck-watch-*.jsonl"))
	if len(files) != 1 {
		t.Fatalf("export files %v in %s; screen:\n%s", files, home, screen)
	}
	f, err := os.Open(files[0])
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	lines := 0
	for sc := bufio.NewScanner(f); sc.Scan(); lines++ {
		if !strings.Contains(sc.Text(), `"kv":{"key":"L2UyZS9rZXkt`) { // base64 of "/e2e/key-"
			t.Fatalf("line %d is not an etcdctl watch event of /e2e/key-*: %s", lines+1, sc.Text())
		}
	}
	if lines != 500 {
		t.Errorf("exported %d lines, want 500", lines)
	}
}
