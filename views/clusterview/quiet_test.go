package clusterview

import (
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/etcdeck/etcdeck/config"
	"github.com/etcdeck/etcdeck/embednode/nodetest"
	"github.com/etcdeck/etcdeck/keymap"
	"github.com/etcdeck/etcdeck/views/common"
	"github.com/etcdeck/etcdeck/views/common/viewtest"
)

// TestIdleDrawsOnlyAnswers: against a real member with nothing happening, the view calls every
// poll tick quiet (the root keeps its frame) and every health answer not quiet (it shows the
// new latency and poll time); the console's memory is sampled only while the details show it
// (issue 22: an idle Cluster view costs under 1% of a core).
func TestIdleDrawsOnlyAnswers(t *testing.T) {
	t.Parallel()
	mem := nodetest.Start(t)
	st := config.Defaults()
	st.HealthPollInterval = 100 * time.Millisecond
	m := New(common.Common{Settings: st, Session: viewtest.Session(t, mem.Endpoints()),
		Styles: common.NewStyles(false), Keys: keymap.DefaultKeyMap()})
	m.SetSize(120, 40)
	d := viewtest.New(t, m)
	d.Run(m.Focus())

	// deliver hands the view its messages until n health answers were applied, and counts the
	// quiet messages and the drawn ones.
	deliver := func(n int) (quiet, drawn int) {
		t.Helper()
		deadline := time.After(30 * time.Second)
		for answers := 0; answers < n; {
			select {
			case msg := <-d.Msgs:
				if _, ok := msg.(tea.BatchMsg); ok {
					d.Send(msg) // the driver runs its commands; Bubble Tea never hands a batch to Update
					continue
				}
				before := m.tracker.Last().Time
				d.Send(msg)
				answered := !m.tracker.Last().Time.Equal(before)
				switch {
				case answered && m.Quiet():
					t.Fatalf("a health answer (%T) was called quiet: its poll time would not be drawn", msg)
				case answered:
					answers++
					drawn++
				case m.Quiet():
					quiet++
				default:
					drawn++
				}
			case <-deadline:
				t.Fatalf("%d of %d health answers in 30 s", answers, n)
			}
		}
		return quiet, drawn
	}
	quiet, drawn := deliver(5)
	if m.self.last != nil {
		t.Error("the console's memory was sampled while the details were closed")
	}
	// Each poll is a tick and an answer; /metrics answers once at focus. Nothing else draws.
	if quiet < 4 || drawn > 5+1 {
		t.Errorf("5 health polls: %d messages quiet, %d drawn; want the ticks quiet and only the answers (and one /metrics scrape) drawn", quiet, drawn)
	}

	d.Press("enter") // the details: now the memory is sampled, and its samples are drawn
	deliver(3)
	if m.self.last == nil {
		t.Fatal("the details are open and the console's memory was never sampled")
	}
	d.Press("esc")
	d.Settle(300 * time.Millisecond) // a sample already running may land
	sampled := *m.self.last
	m.self.last = nil
	deliver(3)
	if m.self.last != nil {
		t.Errorf("the details closed and the memory was sampled again (last before %+v)", sampled)
	}
}
