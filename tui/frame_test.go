package tui

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/etcdeck/etcdeck/embednode/nodetest"
	"github.com/etcdeck/etcdeck/views/common"
	"github.com/etcdeck/etcdeck/views/common/viewtest"
)

// An idle console's status poll (a tick and an answer equal to the last, every 2 s) draws no
// frame: View returns the one drawn before (issue 22, the idle CPU). Any other message draws
// again. The label is changed behind the model's back, so only a new frame shows it.
func TestQuietPollKeepsTheFrame(t *testing.T) {
	mem := nodetest.Start(t)
	env := testConfig()
	env.session = testSession(t, mem.Endpoints())
	m := newTestModel(t, env)
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	// run executes cmd's tree and feeds its messages to the model but ClusterBackMsg (for the
	// views, not quiet), returning the commands they gave back.
	run := func(cmd tea.Cmd) []tea.Cmd {
		var out []tea.Cmd
		var walk func(tea.Cmd)
		walk = func(c tea.Cmd) {
			if c == nil {
				return
			}
			switch msg := c().(type) {
			case tea.BatchMsg:
				for _, c := range msg {
					walk(c)
				}
			case common.ClusterBackMsg, nil:
			default:
				_, next := m.Update(msg)
				out = append(out, next)
			}
		}
		walk(cmd)
		return out
	}
	next := run(m.status.restartPolling(env.session)) // the first answer: a frame is drawn after it
	if !m.status.haveOv {
		t.Fatalf("no answer from the member: %v", m.status.ovErr)
	}
	before := m.View().Content
	m.status.label = "relabelled behind the model's back"
	for range 2 { // the tick, then the answer: both equal to what was shown
		var cmds []tea.Cmd
		for _, c := range next {
			cmds = append(cmds, run(c)...)
		}
		next = cmds
		if !m.status.quiet {
			t.Fatalf("a poll message with nothing new was not quiet (rev %d, err %v)", m.status.ov.Revision, m.status.ovErr)
		}
		if got := m.View().Content; got != before {
			t.Fatal("a quiet poll message drew a new frame")
		}
	}
	m.Update(common.FlashMsg{Level: common.FlashInfo, Text: "hello"})
	if got := m.View().Content; !strings.Contains(got, "relabelled") || !strings.Contains(got, "hello") {
		t.Fatalf("after a flash the frame was not drawn again:\n%s", got)
	}
}

// A message the active view calls quiet (common.Quieter: the Cluster view given the status
// poll's ClusterBackMsg while its own polls are fine) keeps the frame; the same message on a
// view that is not a Quieter (the Keys view) draws one (issue 22, the idle CPU).
func TestQuietViewKeepsTheFrame(t *testing.T) {
	mem := nodetest.Start(t)
	env := testConfig()
	env.session = testSession(t, mem.Endpoints())
	m := newRealModel(t, env)
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	m.Update(viewtest.Key("3"))
	if m.active != viewCluster {
		t.Fatalf("view %d active after 3", m.active)
	}
	back := common.ClusterBackMsg{SessionID: env.session.ID}
	before := m.View().Content
	m.status.label = "relabelled behind the model's back"
	m.Update(back)
	if got := m.View().Content; got != before {
		t.Fatal("a message the Cluster view called quiet drew a new frame")
	}
	m.Update(viewtest.Key("1"))
	if got := m.View().Content; !strings.Contains(got, "relabelled") {
		t.Fatalf("after a key the frame was not drawn again:\n%s", got)
	}
	before = m.View().Content
	m.status.label = "relabelled again"
	m.Update(back)
	if got := m.View().Content; got == before || !strings.Contains(got, "relabelled again") {
		t.Fatal("the Keys view is no Quieter: a message to the views must draw a frame")
	}
}
