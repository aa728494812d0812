package tui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/config"
	"github.com/etcdeck/etcdeck/views/common"
	"github.com/etcdeck/etcdeck/views/common/viewtest"
)

// TestGoldenScreens renders the final frame of each screen at 80x24 and 120x40 with the ASCII
// colour profile and compares it with testdata/TestGoldenScreens/*.golden (go test -update
// rewrites them). The views are the real ones with no connection, so the help is what the
// console offers. The revision and leader come from a message, so the files are stable.
func TestGoldenScreens(t *testing.T) {
	screens := []struct {
		name  string
		cfg   func(*testEnv)
		steps []tea.Msg
	}{
		{name: "keys"},
		{name: "watch", steps: []tea.Msg{viewtest.Key("2")}},
		{name: "cluster", steps: []tea.Msg{viewtest.Key("3")}},
		{name: "snapshots", steps: []tea.Msg{viewtest.Key("4")}},
		{name: "access", steps: []tea.Msg{viewtest.Key("5")}},
		{name: "leases", steps: []tea.Msg{viewtest.Key("6")}},
		{name: "find", steps: []tea.Msg{viewtest.Key("7")}},
		{name: "help", steps: []tea.Msg{viewtest.Key("?")}},
		{name: "help_watch", steps: []tea.Msg{viewtest.Key("2"), viewtest.Key("?")}},
		{name: "help_watching", steps: []tea.Msg{common.WatchMsg{Prefix: "/registry/"}, viewtest.Key("?")}},
		{name: "command_line", steps: keySeq(":", "g", "o", "t", "o", " ", "/", "r", "e", "g", "/", "4", "0", "0", "6")},
		{name: "keys_filter", steps: keySeq("/", "p", "o", "d", "s")},
		{name: "goto", steps: []tea.Msg{common.GotoMsg{Path: "/registry/services/specs/default/kubernetes"}}},
		{
			name: "read_only_insecure_task",
			cfg: func(c *testEnv) {
				c.settings.ReadOnly = true
				c.label = ""
				c.settings.Conn = cluster.ConnConfig{Endpoints: []string{"10.0.0.5:2379", "10.0.0.6:2379"}, InsecureTransport: true}
			},
			steps: []tea.Msg{common.TaskStartMsg{ID: "t", Label: "saving snapshot"}},
		},
		{name: "task_failed", steps: []tea.Msg{
			common.TaskStartMsg{ID: "t", Label: "defragmenting 127.0.0.1:2379"},
			common.TaskDoneMsg{ID: "t", Err: errors.New("etcdserver: request timed out")},
		}},
		{name: "quit_confirm", steps: []tea.Msg{
			common.TaskStartMsg{ID: "r", Label: "restore of snap-4006.db", Critical: true}, viewtest.Key("q"),
		}},
		{name: "member_exited", steps: []tea.Msg{memberExitedMsg{lines: []string{
			`{"level":"fatal","msg":"failed to open backend","error":"disk full"}`,
			"exit status 1",
		}}}},
		// A result longer than the bottom line is cut there and whole in :messages.
		{name: "messages", steps: []tea.Msg{
			common.TaskStartMsg{ID: "r", Label: "restore"},
			common.TaskDoneMsg{ID: "r", Err: errors.New("restore etcd-snapshot-mmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmm-rev102.db: the member did not start; the old data is in /var/lib/etcdeck/member.before-restore-2026-12-05T17-02-50Z")},
			common.FlashMsg{Level: common.FlashInfo, Text: "saved etcd-snapshot-mmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmm-rev102.db (rev 102, 1.2 MiB) from the member node-a at https://10.0.0.5:2379"},
			func(m *Model) {
				for i := range m.status.log {
					m.status.log[i].at = time.Date(2026, 12, 5, 17, 2, 50+i, 0, time.UTC) // golden: a fixed clock
				}
			},
			openMessagesMsg{},
		}},
		{name: "no_color_help", cfg: func(c *testEnv) { c.settings.NoColor = true; c.settings.ReadOnly = true }, steps: []tea.Msg{viewtest.Key("?")}},
		// :ctx's list: the active context marked, never a password.
		{name: "contexts", steps: []tea.Msg{func(m *Model) { WithContexts(listedContexts{}, "prod")(m) }, ctxMsg{}}},
		{name: "unreachable", steps: []tea.Msg{func(m *Model) {
			m.status.applyOverview(cluster.Overview{}, errors.New("cannot reach 127.0.0.1:2379: connection refused"))
		}}},
	}
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		for _, sc := range screens {
			t.Run(fmt.Sprintf("%s_%dx%d", sc.name, size[0], size[1]), func(t *testing.T) {
				cfg := testConfig()
				if sc.cfg != nil {
					sc.cfg(&cfg)
				}
				m := newRealModel(t, cfg)
				m.Update(tea.WindowSizeMsg{Width: size[0], Height: size[1]})
				// A poll's result, as the status bar's poller hands it over.
				m.status.applyOverview(cluster.Overview{Revision: 4006, LeaderName: "node-a"}, nil)
				for _, msg := range sc.steps {
					if f, ok := msg.(func(*Model)); ok {
						f(m) // what no message can bring without a connection
						continue
					}
					m.Update(msg)
				}
				golden.RequireEqual(t, asciiScreen(t, m))
			})
		}
	}
}

func keySeq(ks ...string) []tea.Msg {
	out := make([]tea.Msg, len(ks))
	for i, k := range ks {
		out[i] = viewtest.Key(k)
	}
	return out
}

// TestTooSmall: below the minimum size the whole screen is one line saying what is needed.
func TestTooSmall(t *testing.T) {
	for _, size := range [][2]int{{59, 24}, {80, 14}, {20, 5}} {
		m := newTestModel(t, testConfig())
		m.Update(tea.WindowSizeMsg{Width: size[0], Height: size[1]})
		got := m.render()
		want := "terminal too small (need 60x15)"
		if size[0] < len(want) {
			want = want[:size[0]-1] + "…"
		}
		if got != want {
			t.Errorf("%dx%d: render = %q, want %q", size[0], size[1], got, want)
		}
	}
}

// TestFrameFillsTerminal: every frame is exactly the terminal's size, so nothing scrolls.
func TestFrameFillsTerminal(t *testing.T) {
	m := newRealModel(t, testConfig())
	for _, size := range [][2]int{{60, 15}, {80, 24}, {200, 60}} {
		m.Update(tea.WindowSizeMsg{Width: size[0], Height: size[1]})
		for _, k := range []string{"1", "2", "3", "4", "?", "?"} {
			m.Update(viewtest.Key(k))
			lines := splitLines(m.render())
			if len(lines) != size[1] {
				t.Fatalf("%dx%d after %q: %d lines", size[0], size[1], k, len(lines))
			}
			for i, l := range lines {
				if w := displayWidth(l); w != size[0] {
					t.Fatalf("%dx%d after %q: line %d is %d wide: %q", size[0], size[1], k, i, w, l)
				}
			}
		}
	}
}

// TestFocusFollowsActiveView: only the view on screen is focused, whichever way it was reached
// (number, tab, shift+tab, goto, watch), and the first view is focused at start.
func TestFocusFollowsActiveView(t *testing.T) {
	m := newTestModel(t, testConfig())
	m.Init()
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	check := func(step string, want int) {
		t.Helper()
		for i, v := range m.views {
			if got := v.(*shellView).focused; got != (i == want) {
				t.Fatalf("after %s: view %d focused = %v (active %d)", step, i, got, m.active)
			}
		}
	}
	check("start", viewKeys)
	steps := []struct {
		step string
		msg  tea.Msg
		want int
	}{
		{"3", viewtest.Key("3"), viewCluster},
		{"tab", viewtest.Key("tab"), viewSnapshots},
		{"tab", viewtest.Key("tab"), viewAccess},
		{"tab", viewtest.Key("tab"), viewLeases},
		{"tab", viewtest.Key("tab"), viewFind},
		{"tab", viewtest.Key("tab"), viewKeys},
		{"shift+tab", viewtest.Key("shift+tab"), viewFind},
		{"watch", common.WatchMsg{Prefix: "/registry/"}, viewWatch},
		{"goto", common.GotoMsg{Path: "/registry/"}, viewKeys},
	}
	for _, s := range steps {
		m.Update(s.msg)
		check(s.step, s.want)
	}
	// Showing the view already on screen does not focus it again (a poller would poll twice).
	n := m.views[viewKeys].(*shellView).focuses
	m.Update(viewtest.Key("1"))
	if got := m.views[viewKeys].(*shellView).focuses; got != n {
		t.Errorf("pressing 1 on the Keys view focused it again (%d -> %d)", n, got)
	}
}

// TestHelpNamesActions: the help names each binding's action for the config's keys: section,
// and a narrow terminal, where they would not fit, says so instead.
func TestHelpNamesActions(t *testing.T) {
	m := newRealModel(t, testConfig())
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	m.Update(viewtest.Key("?"))
	s := ansi.Strip(m.render())
	for _, want := range []string{"as keys.<action>", "page-down", "as global.<action>", "view-snapshots", "interrupt"} {
		if !strings.Contains(s, want) {
			t.Errorf("help at 80 columns lacks %q:\n%s", want, s)
		}
	}
	// Tall enough that the note at the help's end shows without scrolling (six views' keys).
	m.Update(tea.WindowSizeMsg{Width: 64, Height: 40})
	s = ansi.Strip(m.render())
	if strings.Contains(s, "view-snapshots") || !strings.Contains(s, "A wider terminal shows the action names") {
		t.Errorf("help at 64 columns:\n%s", s)
	}
}

// listedContexts is a fixed list of contexts for the golden of :ctx; it opens none.
type listedContexts struct{}

func (listedContexts) List() []config.ContextInfo {
	return []config.ContextInfo{
		{Name: "prod", Endpoints: []string{"https://10.0.0.1:2379", "https://10.0.0.2:2379"}, User: "reader", ReadOnly: true},
		{Name: "staging", Endpoints: []string{"10.1.0.1:2379"}, User: "root"},
		{Name: config.EmbeddedContext},
	}
}

func (listedContexts) Open(context.Context, string) (Opened, error) {
	return Opened{}, errors.New("not in a golden")
}
