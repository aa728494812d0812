package clusterview

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/cluster/monitor"
	"github.com/etcdeck/etcdeck/config"
	"github.com/etcdeck/etcdeck/embednode/nodetest"
	"github.com/etcdeck/etcdeck/keymap"
	"github.com/etcdeck/etcdeck/views/common"
	"github.com/etcdeck/etcdeck/views/common/viewtest"
)

// until delivers the view's messages until cond holds, failing after timeout.
func until(t *testing.T, d *viewtest.Driver, m *Model, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.After(timeout)
	for !cond() {
		select {
		case msg := <-d.Msgs:
			d.Send(msg)
		case <-time.After(10 * time.Millisecond):
		case <-deadline:
			t.Fatalf("timed out waiting for %s; screen:\n%s", what, ansi.Strip(m.View()))
		}
	}
}

func row(m *Model, name string) (monitor.MemberHealth, bool) {
	for _, h := range m.members() {
		if h.Member.Name == name {
			return h, true
		}
	}
	return monitor.MemberHealth{}, false
}

// TestFlowThreeMembers drives the view against three real members connected through one
// endpoint: all three rows turn healthy with one leader; a stopped follower shows unreachable
// with its error within a poll while the others keep being polled; hidden, the view stops
// polling, and shown again it polls at once.
func TestFlowThreeMembers(t *testing.T) {
	t.Parallel()
	members := nodetest.StartCluster(t, 3)
	sess := viewtest.SessionOf(t, cluster.ConnConfig{Endpoints: members[0].Endpoints(), InsecureTransport: true,
		DialTimeout: 2 * time.Second, CommandTimeout: 3 * time.Second}, "test", nil)
	st := config.Defaults()
	st.HealthPollInterval = 300 * time.Millisecond
	m := New(common.Common{Settings: st, Session: sess, Styles: common.NewStyles(false), Keys: keymap.DefaultKeyMap()})
	m.SetSize(120, 30)
	d := viewtest.New(t, m)
	d.Run(m.Focus())

	until(t, d, m, 15*time.Second, "three healthy members and a leader", func() bool {
		leader, _ := m.tracker.Leader()
		healthy := 0
		for _, h := range m.members() {
			if h.State == monitor.StateHealthy {
				healthy++
			}
		}
		return healthy == 3 && leader != 0
	})
	s := ansi.Strip(m.View())
	if strings.Count(s, " healthy ") != 3 || !strings.Contains(s, " * m") {
		t.Fatalf("screen:\n%s", s)
	}
	leader, _ := m.tracker.Leader()
	follower := "m1"
	if m.tracker.Name(leader) == "m1" {
		follower = "m2"
	}
	idx := map[string]int{"m0": 0, "m1": 1, "m2": 2}[follower]
	members[idx].Close(10 * time.Second)
	// "Within a poll" is counted in polls, not timed: the first poll started after the stop must
	// show it (one more allowed as margin). The wait is generous so a loaded machine cannot fail it.
	stopped, seen, polls := time.Now(), m.tracker.Last().Time, 0
	until(t, d, m, 30*time.Second, follower+" unreachable", func() bool {
		if p := m.tracker.Last(); !p.Time.Equal(seen) {
			seen = p.Time
			if p.Time.After(stopped) {
				polls++
			}
		}
		h, _ := row(m, follower)
		return h.State == monitor.StateUnreachable && h.Err != ""
	})
	if polls > 2 {
		t.Errorf("the stopped member showed unreachable after %d polls started after the stop, want the first (or the next)", polls)
	}
	h, _ := row(m, "m0")
	before := h.Time
	until(t, d, m, 15*time.Second, "m0 polled again", func() bool {
		h, _ := row(m, "m0")
		return h.Time.After(before) && h.State == monitor.StateHealthy
	})
	if s := ansi.Strip(m.View()); !strings.Contains(s, "└ connection refused at ") {
		t.Fatalf("the error is not under the stopped member's row:\n%s", s)
	}

	// Hidden: no poll for several intervals. Shown again: a poll at once.
	m.Blur()
	d.Settle(500 * time.Millisecond) // a poll already running may still land
	last := m.tracker.Last().Time
	d.Settle(time.Second)
	if got := m.tracker.Last().Time; !got.Equal(last) {
		t.Fatalf("the hidden view polled (last poll %v, then %v)", last, got)
	}
	d.Run(m.Focus())
	until(t, d, m, 15*time.Second, "a poll after Focus", func() bool { return m.tracker.Last().Time.After(last) })
}
