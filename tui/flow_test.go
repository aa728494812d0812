package tui

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/etcdeck/etcdeck/views/common"
)

// TestFlowTabOrder: tab and shift+tab cycle Keys, Watch, Cluster, Snapshots, Access, Leases,
// Find; the numbers their tabs show jump.
func TestFlowTabOrder(t *testing.T) {
	f := startFlow(t, newTestModel(t, testConfig()), 80, 24)
	for _, want := range []int{viewWatch, viewCluster, viewSnapshots, viewAccess, viewLeases, viewFind, viewKeys} {
		f.keys("tab")
		f.waitFor(viewNames[want], func(s snapshot) bool { return s.active == want })
	}
	f.keys("shift+tab")
	f.waitFor("Find after shift+tab", func(s snapshot) bool { return s.active == viewFind })
	for i, k := range []string{"3", "1", "4", "6", "5", "7", "2"} {
		want := []int{viewCluster, viewKeys, viewSnapshots, viewLeases, viewAccess, viewFind, viewWatch}[i]
		f.keys(k)
		s := f.waitFor(viewNames[want], func(s snapshot) bool { return s.active == want })
		if !strings.Contains(s.screen, viewNames[want]) {
			t.Errorf("screen after %q does not show %s:\n%s", k, viewNames[want], s.screen)
		}
	}
	f.quit()
}

// TestFlowHelp: ? shows help built from the active view's and the global bindings, without
// disabled ones; esc closes it.
func TestFlowHelp(t *testing.T) {
	f := startFlow(t, newTestModel(t, testConfig()), 120, 40)
	f.keys("?")
	s := f.waitText("Help · Keys view")
	for _, want := range []string{"watch", "filter", "next view", "command", "ctrl+c"} {
		if !strings.Contains(s.screen, want) {
			t.Errorf("help lacks %q:\n%s", want, s.screen)
		}
	}
	if strings.Contains(s.screen, "restart member") {
		t.Errorf("help shows the disabled restart binding:\n%s", s.screen)
	}
	f.keys("2") // view switches work under help and help follows the view
	f.waitText("Help · Watch view")
	f.keys("esc")
	f.waitFor("help closed", func(s snapshot) bool { return !s.help && !strings.Contains(s.screen, "Help ·") })
	f.quit()
}

// TestFlowCommandLineTypedInFull: while the command line has focus, keys bound elsewhere (q,
// ?, 1..4, tab's neighbours) are text. Enter then goes to the path in the Keys view.
func TestFlowCommandLineTypedInFull(t *testing.T) {
	f := startFlow(t, newTestModel(t, testConfig()), 80, 24)
	f.keys("2")
	f.waitFor("Watch", func(s snapshot) bool { return s.active == viewWatch })
	path := "/registry/services/q?1234:4006"
	f.keys(":")
	f.typeText(path)
	s := f.waitFor("the whole path typed", func(s snapshot) bool { return s.cmdValue == path })
	if s.active != viewWatch || s.help || !s.cmdOpen {
		t.Fatalf("typing switched state: active %d help %v command line open %v", s.active, s.help, s.cmdOpen)
	}
	if !strings.Contains(s.screen, ":"+path) {
		t.Errorf("command line not shown:\n%s", s.screen)
	}
	f.keys("enter")
	s = f.waitFor("Keys at the path", func(s snapshot) bool { return s.active == viewKeys && s.keysPath == path })
	if s.cmdOpen || !strings.Contains(s.screen, "at "+path) {
		t.Errorf("after enter: command line open %v, screen:\n%s", s.cmdOpen, s.screen)
	}
	f.quit()
}

// TestFlowCommandLine covers the verbs, completion and the unknown-command message.
func TestFlowCommandLine(t *testing.T) {
	f := startFlow(t, newTestModel(t, testConfig()), 80, 24)

	f.keys(":")
	f.typeText("wa")
	f.keys("tab")
	f.waitFor("completion to watch", func(s snapshot) bool { return s.cmdValue == "watch " })
	f.typeText("/registry/")
	f.keys("enter")
	f.waitFor("Watch view watching", func(s snapshot) bool {
		return s.active == viewWatch && strings.Contains(s.screen, "watching /registry/")
	})

	f.keys(":")
	f.typeText("goto /a/b")
	f.keys("enter")
	f.waitFor("Keys at /a/b", func(s snapshot) bool { return s.keysPath == "/a/b" && s.active == viewKeys })

	f.keys(":")
	f.typeText("frobnicate")
	f.keys("enter")
	f.waitText(`unknown command "frobnicate"`)

	f.keys(":")
	f.typeText("help")
	f.keys("enter")
	f.waitFor("help", func(s snapshot) bool { return s.help })
	f.keys("esc")

	f.keys(":")
	f.typeText("g")
	f.keys("tab") // history comes after the verbs: "goto " first
	f.waitFor("completion to goto", func(s snapshot) bool { return s.cmdValue == "goto " })
	f.keys("esc")
	f.waitFor("command line closed", func(s snapshot) bool { return !s.cmdOpen })

	f.keys(":")
	f.typeText("quit")
	f.keys("enter")
	f.tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
}

// TestFlowViewFilterHasFocus: a view's own text field (the Keys filter) also takes every key.
func TestFlowViewFilterHasFocus(t *testing.T) {
	f := startFlow(t, newTestModel(t, testConfig()), 80, 24)
	f.keys("/")
	f.typeText("q4?:")
	s := f.waitText("/q4?:")
	if s.active != viewKeys || s.help || s.cmdOpen {
		t.Fatalf("typing in the filter changed state: active %d help %v cmd %v", s.active, s.help, s.cmdOpen)
	}
	f.keys("enter")
	f.waitText("filter: q4?:")
	f.keys("2")
	f.waitFor("Watch after the filter closed", func(s snapshot) bool { return s.active == viewWatch })
	f.quit()
}

// TestFlowTooSmall: a terminal under the minimum shows only the size message.
func TestFlowTooSmall(t *testing.T) {
	f := startFlow(t, newTestModel(t, testConfig()), 50, 10)
	s := f.waitText("terminal too small (need 60x15)")
	if strings.Count(s.screen, "\n") != 0 {
		t.Errorf("more than one line: %q", s.screen)
	}
	f.quit()
}

// TestFlowQuit: q quits at once when nothing critical runs.
func TestFlowQuit(t *testing.T) {
	f := startFlow(t, newTestModel(t, testConfig()), 80, 24)
	f.keys("q")
	f.tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
}

// TestFlowCtrlCQuitsFromCommandLine: ctrl+c is the one key a text field does not keep.
func TestFlowCtrlCQuitsFromCommandLine(t *testing.T) {
	f := startFlow(t, newTestModel(t, testConfig()), 80, 24)
	f.keys(":")
	f.typeText("goto /x")
	f.waitFor("typed", func(s snapshot) bool { return s.cmdValue == "goto /x" })
	f.keys("ctrl+c")
	f.tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
}

// TestFlowQuitAsksDuringCriticalWrite: quitting during a restore asks, naming it; anything but
// y keeps running; a finished restore no longer asks.
func TestFlowQuitAsksDuringCriticalWrite(t *testing.T) {
	f := startFlow(t, newTestModel(t, testConfig()), 80, 24)
	f.tm.Send(common.TaskStartMsg{ID: "snap.restore", Label: "restore of snap-4006.db", Critical: true})
	f.waitText("restore of snap-4006.db")
	f.keys("q")
	f.waitText("restore of snap-4006.db is running. Quit and interrupt it?")
	f.keys("n")
	f.waitFor("question gone", func(s snapshot) bool { return !strings.Contains(s.screen, "Quit and interrupt") })
	f.tm.Send(common.TaskDoneMsg{ID: "snap.restore", Result: "restored to /tmp/x"})
	f.waitText("✓ restore of snap-4006.db: restored to /tmp/x")
	f.keys("q")
	f.tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
}

// TestFlowQuitConfirmYes: y answers the question and quits.
func TestFlowQuitConfirmYes(t *testing.T) {
	f := startFlow(t, newTestModel(t, testConfig()), 80, 24)
	f.tm.Send(common.TaskStartMsg{ID: "defrag", Label: "defragmenting node-a", Critical: true})
	f.keys("q")
	f.waitText("defragmenting node-a is running")
	f.keys("y")
	f.tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
}

// testMember stands in for the lead's child-process member: the TUI only needs the exit
// signal, its last lines and a restart.
type testMember struct {
	mu       sync.Mutex
	exited   chan struct{}
	restarts int
}

func (m *testMember) Exited() <-chan struct{} {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.exited
}

func (m *testMember) Endpoints() []string { return []string{"http://127.0.0.1:2379"} }

func (m *testMember) LastLines(int) []string { return []string{"panic: disk full", "exit status 2"} }

func (m *testMember) Restart(context.Context) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.restarts++
	m.exited = make(chan struct{})
	return nil
}

func (m *testMember) exit() {
	m.mu.Lock()
	defer m.mu.Unlock()
	close(m.exited)
}

// TestFlowMemberExitAndRestart: when the member exits the console shows its last lines and
// restarts it on ctrl+r, then watches the new process.
func TestFlowMemberExitAndRestart(t *testing.T) {
	mem := &testMember{exited: make(chan struct{})}
	cfg := testConfig()
	cfg.member = mem
	f := startFlow(t, newTestModel(t, cfg), 80, 24)
	f.keys("ctrl+r") // disabled while the member runs
	mem.exit()
	s := f.waitText("The embedded etcd member exited.")
	if !strings.Contains(s.screen, "panic: disk full") {
		t.Errorf("last lines missing:\n%s", s.screen)
	}
	f.keys("ctrl+r")
	f.waitText("✓ restarting the embedded member: member running again")
	mem.mu.Lock()
	if mem.restarts != 1 {
		t.Errorf("restarts = %d, want 1", mem.restarts)
	}
	mem.mu.Unlock()
	mem.exit() // the new process is watched too
	f.waitText("The embedded etcd member exited.")
	f.quit()
}

// TestFlowPasteGoesToCommandLine: a bracketed paste lands in the open command line, whole.
func TestFlowPasteGoesToCommandLine(t *testing.T) {
	f := startFlow(t, newTestModel(t, testConfig()), 80, 24)
	f.keys(":")
	f.tm.Send(tea.PasteMsg{Content: "goto /registry/4/q?"})
	s := f.waitFor("pasted text", func(s snapshot) bool { return s.cmdValue == "goto /registry/4/q?" })
	if s.active != viewKeys || s.help {
		t.Errorf("paste acted on the console: active %d help %v", s.active, s.help)
	}
	f.quit()
}
