package e2e

import (
	"regexp"
	"strings"
	"testing"
	"time"
)

// leaderRowRE is the embedded member's row: the leader mark, its name, healthy.
var leaderRowRE = regexp.MustCompile(`\* default\s+healthy\s`)

// TestClusterView: 3 shows the Cluster view with the embedded member's row, healthy and marked
// leader; enter opens its details, esc goes back.
func TestClusterView(t *testing.T) {
	bin := buildEtcdeck(t)
	c := startConsole(t, bin, 100, 30)
	c.WaitFor("embedded "+c.endpoint, startupTimeout)
	c.SendKeys("3")
	if _, err := c.Poll(leaderRowRE.MatchString, 15*time.Second); err != nil {
		t.Fatalf("no healthy leader row in the Cluster view:\n%s", c.Screen())
	}
	screen := c.WaitFor("1 member · leader default", 5*time.Second)
	if !strings.Contains(screen, "enter member details") {
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
