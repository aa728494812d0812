package tui

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/config"
	"github.com/etcdeck/etcdeck/embednode/nodetest"
	"github.com/etcdeck/etcdeck/views/common"
	"github.com/etcdeck/etcdeck/views/common/viewtest"
)

// TestStatusBarPollsRealMember: against a real member the status bar shows the endpoint, the
// leader's name and the revision, and follows a write.
func TestStatusBarPollsRealMember(t *testing.T) {
	mem := nodetest.Start(t)
	ctx := context.Background()
	sess := testSession(t, mem.Endpoints())
	c := sess.Client

	// The real views, talking to the real member.
	m, err := New(config.Defaults(), sess, nil)
	if err != nil {
		t.Fatal(err)
	}
	f := startFlow(t, m, 100, 24)
	revRE := regexp.MustCompile(`leader default · rev (\d+)`)
	s := f.waitFor("leader and revision", func(s snapshot) bool { return revRE.MatchString(s.screen) })
	if want := "etcdeck  " + mem.Endpoints()[0]; !contains(s.screen, want) {
		t.Errorf("status bar lacks %q:\n%s", want, s.screen)
	}
	before, _ := strconv.Atoi(revRE.FindStringSubmatch(s.screen)[1])

	if _, err := nodetest.Client(t, c.Endpoints()).Put(ctx, "/etcdeck/test", "x"); err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("rev %d", before+1)
	f.waitFor(want, func(s snapshot) bool { return contains(s.screen, want) })
	f.quit()
}

// TestStalePollDropped: the status bar polls through a Poller per session (and per restart);
// a result of a replaced poller, such as an ended session's, neither shows nor re-arms a poll,
// while the current one's shows and re-arms.
func TestStalePollDropped(t *testing.T) {
	mem := nodetest.Start(t)
	old, cur := testSession(t, mem.Endpoints()), testSession(t, mem.Endpoints())
	m := newTestModel(t, testConfig())
	stale := m.status.restartPolling(old)()
	fresh := m.status.restartPolling(cur)()
	old.End()
	cmd, handled := m.status.update(stale)
	if handled || cmd != nil || m.status.haveOv {
		t.Errorf("the old session's result: handled %v, cmd %v, shown %v", handled, cmd != nil, m.status.haveOv)
	}
	cmd, handled = m.status.update(fresh)
	if !handled || cmd == nil || !m.status.haveOv || m.status.ov.Revision == 0 {
		t.Errorf("the current result: handled %v, re-armed %v, shown %v (%+v)", handled, cmd != nil, m.status.haveOv, m.status.ov)
	}
	if m.status.restartPolling(cluster.NewSession(context.Background(), nil, "no client", nil)) != nil || m.status.poll != nil {
		t.Error("a session without a client is polled")
	}
}

// TestCommandLineCompletesPaths: against a real member, tab completes the directory being typed
// on the command line from etcd's keys.
func TestCommandLineCompletesPaths(t *testing.T) {
	mem := nodetest.Start(t)
	ctx := context.Background()
	sess := testSession(t, mem.Endpoints())
	c := sess.Client
	for _, k := range []string{"/registry/pods/default/a", "/registry/services/specs/default/b", "/registry/secrets", "/odd/bad\xffname"} {
		if _, err := nodetest.Client(t, c.Endpoints()).Put(ctx, k, "v"); err != nil {
			t.Fatal(err)
		}
	}
	cfg := testConfig()
	cfg.session = sess
	f := startFlow(t, newTestModel(t, cfg), 100, 24)
	f.keys(":")
	f.typeText("goto /registry/p")
	// The suggestion shows after the cursor once the listing arrived; then tab takes it.
	f.waitText("goto /registry/pods/")
	f.keys("tab")
	f.waitFor("completed directory", func(s snapshot) bool { return s.cmdValue == "goto /registry/pods/" })
	f.typeText("d")
	f.waitText("goto /registry/pods/default/")
	f.keys("tab", "enter")
	f.waitFor("Keys at the completed path", func(s snapshot) bool { return s.keysPath == "/registry/pods/default/" })

	// A key and a directory of the same stem are both offered; the key first (byte order).
	f.keys(":")
	f.typeText("/registry/se")
	f.waitText("/registry/secrets")
	f.keys("tab")
	f.waitFor("completed key", func(s snapshot) bool { return s.cmdValue == "/registry/secrets" })
	f.keys("esc")

	// Odd bytes are offered escaped, as the Keys view shows them, and the typed escapes list.
	f.keys(":")
	f.typeText("/odd/ba")
	f.waitText(`/odd/bad\xffname`)
	f.keys("tab")
	f.waitFor("completed odd key", func(s snapshot) bool { return s.cmdValue == `/odd/bad\xffname` })
	f.quit()
}

// TestStatusBarAlert: the Watch view's alert count shows in the tab line from every view, and
// goes when the alert is cleared.
func TestStatusBarAlert(t *testing.T) {
	m := newTestModel(t, testConfig())
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 24})
	m.Update(common.AlertMsg{Count: 1234, Rule: `key contains "lock"`})
	for _, v := range []string{"1", "3"} {
		m.Update(viewtest.Key(v))
		if s := ansi.Strip(m.View().Content); !contains(s, `! 1,234 events alert (key contains "lock")`) {
			t.Errorf("view %s: no alert in the status bar:\n%s", v, s)
		}
	}
	m.Update(common.AlertMsg{})
	if s := ansi.Strip(m.View().Content); contains(s, "alert") {
		t.Errorf("the cleared alert still shows:\n%s", s)
	}
}

// TestStatusBarEscapesTasks: a running task's label (a file name) and its progress show by the
// one escaping rule, ESC as \x1b and bidi as \u{…}, never raw.
func TestStatusBarEscapesTasks(t *testing.T) {
	m := newTestModel(t, testConfig())
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 24})
	m.Update(common.TaskStartMsg{ID: "t", Label: "saving a\u2066b.db"})
	m.Update(common.TaskProgressMsg{ID: "t", Label: "at\x1b[2J\u200b 50%"})
	s := m.View().Content
	for _, want := range []string{`saving a\u{2066}b.db`, `at\x1b[2J\u{200b} 50%`} {
		if !contains(s, want) {
			t.Errorf("the status bar lacks %q:\n%q", want, s)
		}
	}
	if strings.ContainsAny(s, "\u2066\u200b") {
		t.Errorf("a bidi or zero-width character reached the screen:\n%q", s)
	}
}

// TestMemberPanelEscapes: the exited member's last log lines quote keys and names from the
// cluster; the panel shows them by the one escaping rule, never raw.
func TestMemberPanelEscapes(t *testing.T) {
	m := newTestModel(t, testConfig())
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 24})
	m.Update(memberExitedMsg{lines: []string{"bad key /ev\x1b[31mil\u202e", "exit status 1"}})
	s := m.View().Content
	if !contains(s, `bad key /ev\x1b[31mil\u{202e}`) || strings.ContainsRune(s, 0x202e) {
		t.Errorf("the member's lines are not escaped:\n%q", s)
	}
}

// TestStatusBarStaleWhenMemberDies: when the only endpoint dies the header stops showing the
// leader and revision it saw last (issue 17: "leader m3 · rev 763" stayed for a minute) and says
// "no connection" with the age of what it knew.
func TestStatusBarStaleWhenMemberDies(t *testing.T) {
	mem := nodetest.Start(t)
	sess := testSession(t, mem.Endpoints())
	m, err := New(config.Defaults(), sess, nil)
	if err != nil {
		t.Fatal(err)
	}
	f := startFlow(t, m, 100, 24)
	f.waitFor("leader and revision", func(s snapshot) bool { return contains(s.screen, "leader default · rev ") })
	mem.Close(10 * time.Second)
	staleRE := regexp.MustCompile(`no connection · stale \d+s`)
	f.waitFor("no connection · stale", func(s snapshot) bool {
		return staleRE.MatchString(s.screen) && !contains(s.screen, "leader default")
	})
	f.quit()
}

// TestStatusBarNamesDeadEndpoint: a console given a dead endpoint before a live one connects and
// names the dead one in the header (issue 17: it refused to start).
func TestStatusBarNamesDeadEndpoint(t *testing.T) {
	mem := nodetest.Start(t)
	dead := fmt.Sprintf("127.0.0.1:%d", nodetest.FreePort(t))
	sess := testSession(t, append([]string{dead}, mem.Endpoints()...))
	m, err := New(config.Defaults(), sess, nil)
	if err != nil {
		t.Fatal(err)
	}
	f := startFlow(t, m, 160, 24)
	want := "⚠ connection refused at " + dead + " (at connect)"
	f.waitFor(want, func(s snapshot) bool { return contains(s.screen, want) && contains(s.screen, "leader default · rev ") })
	f.quit()
}
