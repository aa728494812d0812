package tui

import (
	"context"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/views/common"
	"github.com/etcdeck/etcdeck/views/common/viewtest"
)

// find runs cmd (and the commands of a batch) and returns the first message of type T; each
// command gets a second, so a tick does not hold the test.
func find[T tea.Msg](t *testing.T, cmd tea.Cmd) (T, bool) {
	t.Helper()
	var zero T
	if cmd == nil {
		return zero, false
	}
	out := make(chan tea.Msg, 1)
	go func() { out <- cmd() }()
	var msg tea.Msg
	select {
	case msg = <-out:
	case <-time.After(time.Second):
		return zero, false
	}
	if b, ok := msg.(tea.BatchMsg); ok {
		for _, c := range b {
			if m, ok := find[T](t, c); ok {
				return m, true
			}
		}
	}
	m, ok := msg.(T)
	return m, ok
}

// feed runs cmd (and the commands of a batch, each given a second) and hands each message to
// m, as the program would, except the ones m's answers produce: those are returned as one
// command (a watch armed again), with the TaskDoneMsg among them, if any.
func feed(t *testing.T, m *Model, cmd tea.Cmd) (tea.Cmd, *common.TaskDoneMsg) {
	t.Helper()
	var out []tea.Cmd
	var done *common.TaskDoneMsg
	var walk func(tea.Cmd)
	walk = func(cmd tea.Cmd) {
		if cmd == nil {
			return
		}
		ch := make(chan tea.Msg, 1)
		go func() { ch <- cmd() }()
		var msg tea.Msg
		select {
		case msg = <-ch:
		case <-time.After(time.Second):
			return
		}
		switch msg := msg.(type) {
		case tea.BatchMsg:
			for _, c := range msg {
				walk(c)
			}
		case nil:
		default:
			_, next := m.Update(msg)
			if d, ok := find[common.TaskDoneMsg](t, next); ok {
				done = &d
			}
			out = append(out, next)
		}
	}
	walk(cmd)
	return tea.Batch(out...), done
}

// TestMemberEventsFollowTheirSession: the cluster's member exiting while a snapshot is shown
// does not show the exit panel (nor offer a restart) on the snapshot; the panel waits for the
// cluster's session to be shown again. A restart begun on the cluster and finishing under a
// snapshot is applied to the cluster's session; events of an unknown session are dropped.
func TestMemberEventsFollowTheirSession(t *testing.T) {
	mem := &testMember{exited: make(chan struct{})}
	env := testConfig()
	env.member = mem
	m := newTestModel(t, env)
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	const panel = "The embedded etcd member exited."

	wait := m.waitMember() // armed on the cluster's session, as Init does
	snap := cluster.NewSession(context.Background(), nil, "snapshot b.db · read-only", nil)
	t.Cleanup(snap.End)
	m.Update(common.OpenSessionMsg{Session: snap})
	mem.exit()
	exited, ok := find[memberExitedMsg](t, wait)
	if !ok {
		t.Fatal("no exit message from the member's watch")
	}
	m.Update(exited)
	if s := asciiScreen(t, m); contains(s, panel) || m.keys.Global.RestartMember.Enabled() {
		t.Fatalf("the cluster's member exit shown on the snapshot (restart enabled %v):\n%s",
			m.keys.Global.RestartMember.Enabled(), s)
	}
	if _, cmd := m.Update(viewtest.Key("ctrl+r")); cmd != nil {
		if st, ok := find[common.TaskStartMsg](t, cmd); ok && st.ID == restartID {
			t.Fatal("ctrl+r restarted a member from the snapshot's session")
		}
	}
	m.Update(memberExitedMsg{sid: snap.ID + 1000, lines: []string{"someone else's"}})
	if contains(asciiScreen(t, m), "someone else's") {
		t.Fatal("an unknown session's member exit was applied")
	}

	m.Update(common.CloseSessionMsg{})
	if s := asciiScreen(t, m); !contains(s, panel) || !contains(s, "panic: disk full") {
		t.Fatalf("back on the cluster, the exit panel is missing:\n%s", s)
	}
	if !m.keys.Global.RestartMember.Enabled() {
		t.Fatal("restart not offered on the cluster whose member exited")
	}

	// Restart on the cluster, open a snapshot before it finishes.
	_, cmd := m.Update(viewtest.Key("ctrl+r"))
	snap2 := cluster.NewSession(context.Background(), nil, "snapshot c.db · read-only", nil)
	t.Cleanup(snap2.End)
	m.Update(common.OpenSessionMsg{Session: snap2})
	// The restart's messages (its start, its result) reach the root under the snapshot.
	rewatch, done := feed(t, m, cmd)
	if done == nil || done.Err != nil || done.ID != restartID {
		t.Fatalf("restart result %+v, want the restart done", done)
	}
	if m.memberPanel || m.restart.Running() {
		t.Fatalf("the restart result changed the snapshot's state (panel %v, restarting %v)", m.memberPanel, m.restart.Running())
	}
	m.Update(common.CloseSessionMsg{})
	if s := asciiScreen(t, m); contains(s, panel) || m.restart.Running() || m.keys.Global.RestartMember.Enabled() {
		t.Fatalf("after the restart the cluster still shows the member down (restarting %v):\n%s", m.restart.Running(), s)
	}
	// The restarted process is watched again: its exit reaches the cluster's session.
	mem.exit()
	again, ok := find[memberExitedMsg](t, rewatch)
	if !ok {
		t.Fatal("the restarted member is not watched")
	}
	m.Update(again)
	if !contains(asciiScreen(t, m), panel) {
		t.Fatal("the restarted member's exit is not reported")
	}
}
