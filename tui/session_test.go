package tui

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/embednode/nodetest"
	"github.com/etcdeck/etcdeck/views/common"
)

// labelledSession is a session on a fresh member holding one key.
func labelledSession(t *testing.T, label, key string, readOnly bool) *cluster.Session {
	t.Helper()
	mem := nodetest.Start(t)
	nodetest.Client(t, mem.Endpoints()).Put(context.Background(), key, "v")
	s := testSession(t, mem.Endpoints(), cluster.WithReadOnly(readOnly))
	s.Label = label
	return s
}

// TestFlowSnapshotSession: a session opened on top (a snapshot) replaces the views and the
// status bar; esc and :close go back to the cluster's, whose views kept their state, and release
// the snapshot's session; quitting releases one still open.
func TestFlowSnapshotSession(t *testing.T) {
	env := testConfig()
	env.session = labelledSession(t, "cluster-a", "/alpha-cluster", false)
	m := newRealModel(t, env)
	f := startFlow(t, m, 120, 30)
	f.waitText("alpha-cluster")

	var closed atomic.Int32
	open := func() *cluster.Session {
		s := labelledSession(t, "snapshot b.db · read-only", "/bravo-snapshot", true)
		f.tm.Send(common.OpenSessionMsg{Session: s, Close: func() error { closed.Add(1); return nil }})
		f.waitFor("the snapshot's keys", func(s snapshot) bool {
			return contains(s.screen, "bravo-snapshot") && contains(s.screen, "snapshot b.db · read-only") &&
				contains(s.screen, "READ-ONLY") && !contains(s.screen, "alpha-cluster")
		})
		// 120 columns: the inspector previews the key beside the list (the first esc closes it).
		f.waitText("Preview  /bravo-snapshot")
		return s
	}

	s := open()
	f.keys("s")
	f.waitText("this is a snapshot opened read-only")
	f.keys("esc")
	f.waitFor("the preview closed", func(sn snapshot) bool { return !contains(sn.screen, "Preview  /bravo-snapshot") })
	f.keys("esc")
	f.waitFor("the cluster back", func(sn snapshot) bool {
		return contains(sn.screen, "alpha-cluster") && contains(sn.screen, "cluster-a") && !contains(sn.screen, "READ-ONLY")
	})
	f.waitFor("the snapshot released", func(snapshot) bool { return closed.Load() == 1 })
	if s.Context().Err() == nil {
		t.Fatal("the snapshot's session did not end")
	}
	f.keys("esc") // nothing underneath now: esc stays
	f.waitText("alpha-cluster")
	f.keys(":")
	f.typeText("close")
	f.keys("enter")
	f.waitText("nothing to close: no snapshot is open")

	open()
	f.keys(":")
	f.typeText("close")
	f.keys("enter")
	f.waitFor("the cluster back after :close", func(sn snapshot) bool { return contains(sn.screen, "alpha-cluster") })
	f.waitFor("the second snapshot released", func(snapshot) bool { return closed.Load() == 2 })

	open()
	f.quit()
	if errs := m.CloseSessions(); len(errs) != 0 || closed.Load() != 3 {
		t.Fatalf("after quit: %v, %d closed, want 3", errs, closed.Load())
	}
	if m.common.Session != env.session || !strings.Contains(m.status.label, "cluster-a") {
		t.Fatal("CloseSessions did not go back to the first session")
	}
}

// TestFlowEscClearsFilterFirst: on a snapshot, esc clears the Keys view's filter before it closes
// the session.
func TestFlowEscClearsFilterFirst(t *testing.T) {
	env := testConfig()
	env.session = labelledSession(t, "cluster-a", "/alpha-cluster", false)
	m := newRealModel(t, env)
	f := startFlow(t, m, 120, 30)
	f.waitText("alpha-cluster")
	s := labelledSession(t, "snapshot b.db · read-only", "/bravo-snapshot", true)
	f.tm.Send(common.OpenSessionMsg{Session: s})
	f.waitText("bravo-snapshot")
	f.keys("/")
	f.typeText("bravo")
	f.keys("enter")
	// The screen, not the model: the program owns the model while it runs.
	// The status line under the list says the filter; with the preview open beside a narrow list
	// its end ("bravo") is cut, so the test looks for its start.
	f.waitFor("the filter applied", func(sn snapshot) bool { return contains(sn.screen, `filter: names starting with`) })
	f.waitText("Preview  /bravo-snapshot") // the preview beside the list, closed by the first esc
	f.keys("esc")
	f.waitFor("the preview closed", func(sn snapshot) bool { return !contains(sn.screen, "Preview  /bravo-snapshot") })
	f.keys("esc")
	f.waitFor("the filter cleared, the snapshot still shown", func(sn snapshot) bool {
		return !contains(sn.screen, `filter:`) && contains(sn.screen, "snapshot b.db") && contains(sn.screen, "bravo-snapshot")
	})
	f.keys("esc")
	f.waitText("alpha-cluster")
	f.quit()
}

// TestFlowEscBackOneLevelInSnapshot: in an opened snapshot esc goes back one directory at a time
// as in the live Keys view (it closed the whole snapshot from any depth), and closes the snapshot
// only from the directory the view opened at; :close closes it from any depth.
func TestFlowEscBackOneLevelInSnapshot(t *testing.T) {
	env := testConfig()
	env.session = labelledSession(t, "cluster-a", "/alpha-cluster", false)
	m := newRealModel(t, env)
	f := startFlow(t, m, 80, 24)
	f.waitText("alpha-cluster")
	open := func() {
		s := labelledSession(t, "snapshot b.db · read-only", "/bravo/deep/key", true)
		f.tm.Send(common.OpenSessionMsg{Session: s})
		f.waitText("bravo/")
	}
	open()
	f.keys(":")
	f.typeText("goto /bravo/deep/")
	f.keys("enter")
	f.waitFor("the deep directory", func(sn snapshot) bool { return sn.keysPath == "/bravo/deep/" && contains(sn.screen, "key") })
	f.keys("esc")
	f.waitFor("one level up", func(sn snapshot) bool { return sn.keysPath == "/bravo/" && contains(sn.screen, "snapshot b.db") })
	f.keys("esc")
	f.waitFor("the top", func(sn snapshot) bool { return sn.keysPath == "/" && contains(sn.screen, "snapshot b.db") })
	f.keys("esc")
	f.waitText("alpha-cluster")

	open()
	f.keys(":")
	f.typeText("goto /bravo/deep/")
	f.keys("enter")
	f.waitFor("the deep directory", func(sn snapshot) bool { return sn.keysPath == "/bravo/deep/" })
	f.keys(":")
	f.typeText("close")
	f.keys("enter")
	f.waitText("alpha-cluster")
	f.quit()
}

// TestFlowMemberBusyDuringRestore: while a restore stops and starts the member on purpose, its
// exit is not reported; afterwards the new process is watched, and a member that did not come
// back is reported at once.
func TestFlowMemberBusyDuringRestore(t *testing.T) {
	mem := &testMember{exited: make(chan struct{})}
	cfg := testConfig()
	cfg.member = mem
	f := startFlow(t, newTestModel(t, cfg), 80, 24)
	f.tm.Send(common.MemberBusyMsg{Busy: true})
	mem.exit()
	mem.Restart(context.Background())
	f.tm.Send(common.MemberBusyMsg{Busy: false})
	f.keys("2") // a frame after both messages
	if s := f.waitFor("the Watch view", func(s snapshot) bool { return s.active == viewWatch }); contains(s.screen, "The embedded etcd member exited.") {
		t.Fatalf("a restore's stop reported as an exit:\n%s", s.screen)
	}
	mem.exit() // the restarted process is watched
	f.waitText("The embedded etcd member exited.")
	f.quit()

	mem = &testMember{exited: make(chan struct{})}
	cfg.member = mem
	f = startFlow(t, newTestModel(t, cfg), 80, 24)
	f.tm.Send(common.MemberBusyMsg{Busy: true})
	mem.exit() // and never restarted: the restore failed to bring it back
	f.tm.Send(common.MemberBusyMsg{Busy: false})
	f.waitText("The embedded etcd member exited.")
	f.quit()
}
