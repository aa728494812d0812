package e2e

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/etcdeck/etcdeck/embednode/nodetest"
)

// leaderRowRE is the embedded member's row: the leader mark, its name, healthy.
var leaderRowRE = regexp.MustCompile(`\* default\s+healthy\s`)

// TestClusterView: 3 shows the Cluster view with the embedded member's row, healthy and marked
// leader; enter opens its details, esc goes back.
func TestClusterView(t *testing.T) {
	t.Parallel()
	bin := buildEtcdeck(t)
	c := startConsole(t, bin, 100, 30)
	c.WaitFor("embedded "+c.endpoint, startupTimeout)
	c.SendKeys("3")
	if _, err := c.Poll(leaderRowRE.MatchString, 15*time.Second); err != nil {
		t.Fatalf("no healthy leader row in the Cluster view:\n%s", c.Screen())
	}
	c.WaitFor("1 member · leader default", 15*time.Second)
	// The hint line is drawn in the same frame on a calm machine; under load tmux may show a
	// frame in the middle of its drawing, so it is waited for too.
	if screen, err := c.Poll(func(s string) bool { return strings.Contains(s, "enter member details") }, 15*time.Second); err != nil {
		t.Errorf("the help line lacks the view's keys:\n%s", screen)
	}
	c.SendKeys("Enter")
	c.WaitFor("default · leader", 5*time.Second)
	c.WaitFor("linearizable", 5*time.Second)
	c.SendKeys("Escape")
	c.WaitFor("HEALTH", 5*time.Second)
	c.SendKeys("q")
	c.WaitFor("[exited 0]", 30*time.Second)
}

// TestClusterViewCPU measures what the console costs while the Cluster view polls five members
// every second (health-poll-interval: 1s, /metrics every 15 s), members in other processes; the
// issue allows 2% of one core. It takes a minute, so it runs only with ETCDECK_E2E_CPU=1.
func TestClusterViewCPU(t *testing.T) {
	t.Parallel()
	if os.Getenv("ETCDECK_E2E_CPU") == "" {
		t.Skip("set ETCDECK_E2E_CPU=1 to measure the Cluster view's CPU (45 s)")
	}
	bin := buildEtcdeck(t)
	members := nodetest.SpawnCluster(t, bin, 5)
	home := t.TempDir()
	conf := filepath.Join(home, "config", "etcdeck", "config.yaml")
	os.MkdirAll(filepath.Dir(conf), 0o700)
	if err := os.WriteFile(conf, []byte("health-poll-interval: 1s\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c := Start(t, 120, 40, isolatedEnv(home), home, bin, "--endpoints", strings.Join(members[0].Endpoints(), ","))
	c.SendKeys("3")
	if _, err := c.Poll(func(s string) bool { return strings.Count(s, " healthy ") == 5 }, 30*time.Second); err != nil {
		t.Fatalf("five healthy members not shown:\n%s", c.Screen())
	}
	pid := childPID(t, c.PanePID(), bin)
	time.Sleep(16 * time.Second) // past the first scrape and the dials
	const window = 30 * time.Second
	before := cpuTicks(t, pid)
	time.Sleep(window)
	used := float64(cpuTicks(t, pid)-before) / clockTicks / window.Seconds() * 100
	t.Logf("Cluster view polling 5 members every 1s: console (pid %d) used %.2f%% of one core over %s", pid, used, window)
	if used > 2 {
		t.Errorf("the Cluster view costs %.2f%% of one core, target 2%%", used)
	}
	c.SendKeys("q")
	c.WaitFor("[exited 0]", 30*time.Second)
}
