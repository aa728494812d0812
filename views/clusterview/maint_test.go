package clusterview

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/config"
	"github.com/etcdeck/etcdeck/embednode/nodetest"
	"github.com/etcdeck/etcdeck/keymap"
	"github.com/etcdeck/etcdeck/views/common"
	"github.com/etcdeck/etcdeck/views/common/viewtest"
)

// TestGoldenMaintenance renders each question at 80x24 and 120x40 (defragment the selected
// member, every member, compact, disarm) and a defragment's result panel.
func TestGoldenMaintenance(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		for _, tc := range []struct {
			name string
			do   func(d *viewtest.Driver)
		}{
			{"defrag", func(d *viewtest.Driver) { d.Press("f") }},
			{"defrag_all", func(d *viewtest.Driver) { d.Press("F") }},
			{"compact", func(d *viewtest.Driver) { d.Press("c") }},
			{"disarm", func(d *viewtest.Driver) { d.Send(ActionMsg{Kind: AlarmDisarm}) }},
			{"move_leader", func(d *viewtest.Driver) { d.Press("m") }}, // m0 is selected, m1 leads
		} {
			t.Run(fmt.Sprintf("%s_%dx%d", tc.name, size[0], size[1]), func(t *testing.T) {
				m := fixtureView(size[0], size[1])
				tc.do(viewtest.New(t, m))
				if !m.InputFocused() {
					t.Fatal("no question open")
				}
				golden.RequireEqual(t, []byte(screen(m)))
			})
		}
		t.Run(fmt.Sprintf("defrag_result_%dx%d", size[0], size[1]), func(t *testing.T) {
			m := fixtureView(size[0], size[1])
			m.maint.result = defragResult(fixtureReport(), nil)
			golden.RequireEqual(t, []byte(screen(m)))
		})
	}
}

func fixtureReport() cluster.DefragReport {
	rep := cluster.DefragReport{Rule: cluster.DefragRule{}.String()}
	for i, mm := range []string{"m2", "m0", "m1"} {
		t := cluster.DefragTarget{Name: mm, Leader: i == 2, Before: cluster.MemberSizes{DBSize: int64(86-i*10) << 20, InUse: 20 << 20}}
		rep.Members = append(rep.Members, cluster.DefragResult{DefragTarget: t,
			After: cluster.MemberSizes{DBSize: 20 << 20, InUse: 20 << 20}, Took: time.Duration(1200+i*300) * time.Millisecond})
	}
	return rep
}

// TestQuestionsSayWhatHappens checks the words of the questions and that n changes nothing.
func TestQuestionsSayWhatHappens(t *testing.T) {
	m := fixtureView(120, 40)
	d := viewtest.New(t, m)
	d.Press("F")
	if s := ansi.Strip(m.View()); !strings.Contains(s, "Defragment all 3 members one at a time, followers first and m1 (leader) last") {
		t.Fatalf("defrag all question:\n%s", s)
	}
	d.Press("n")
	if m.InputFocused() || m.maint.task.Running() {
		t.Fatal("n left the question open or started the task")
	}
	d.Press("c")
	if s := ansi.Strip(m.View()); !strings.Contains(s, "Compact to the current revision (about 1103)? Every older version is gone: H and :rev stop there.") {
		t.Fatalf("compact question:\n%s", s)
	}
	d.Press("esc")
	d.Send(ActionMsg{Kind: Defrag, Member: "nosuch"})
	if m.InputFocused() {
		t.Fatal("a question for a member that is not there")
	}
}

// maintView is the view on a session of three real members, its polls fast and its
// defragment's wait short, with an audit log.
func maintView(t *testing.T, readOnly bool) (*Model, *viewtest.Driver, string, *[]tea.Msg) {
	members := nodetest.StartCluster(t, 3)
	path := filepath.Join(t.TempDir(), cluster.AuditFile)
	audit, err := cluster.OpenAudit(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { audit.Close() })
	sess := viewtest.SessionOf(t, cluster.ConnConfig{Endpoints: nodetest.Endpoints(members...), InsecureTransport: true,
		DialTimeout: 2 * time.Second, CommandTimeout: 5 * time.Second}, "test", nil, cluster.WithAudit(audit), cluster.WithReadOnly(readOnly))
	st := config.Defaults()
	st.HealthPollInterval = 300 * time.Millisecond
	m := New(common.Common{Settings: st, Session: sess, Styles: common.NewStyles(false), Keys: keymap.DefaultKeyMap()})
	m.maint.wait = 100 * time.Millisecond
	m.SetSize(120, 40)
	d := viewtest.New(t, m)
	var seen []tea.Msg
	d.Seen = func(msg tea.Msg) { seen = append(seen, msg) }
	d.Run(m.Focus())
	until(t, d, m, 15*time.Second, "three members and a leader", func() bool {
		leader, _ := m.tracker.Leader()
		return len(m.members()) == 3 && leader != 0
	})
	return m, d, path, &seen
}

func taskDone(seen []tea.Msg) (common.TaskDoneMsg, bool) {
	for i := len(seen) - 1; i >= 0; i-- {
		if done, ok := seen[i].(common.TaskDoneMsg); ok {
			return done, true
		}
	}
	return common.TaskDoneMsg{}, false
}

// TestMaintenanceAgainstMembers drives F, c and :alarm list on three real members: every
// member is defragmented, the leader last; the compaction removes the history before the
// current revision; every write is audited once.
func TestMaintenanceAgainstMembers(t *testing.T) {
	m, d, path, seen := maintView(t, false)
	c := m.client()
	ctx := context.Background()
	first, err := c.Put(ctx, "/k", []byte("1"), cluster.PutOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Put(ctx, "/k", []byte("2"), cluster.PutOptions{}); err != nil {
		t.Fatal(err)
	}

	d.Press("F", "y")
	until(t, d, m, 60*time.Second, "the defragment's result", func() bool {
		_, ok := taskDone(*seen)
		return ok && !m.maint.task.Running()
	})
	done, _ := taskDone(*seen)
	if done.Err != nil || !strings.HasPrefix(done.Result, "defragmented 3 members: ") {
		t.Fatalf("✓ line %q, err %v", done.Result, done.Err)
	}
	lines := m.maint.result.Lines
	if len(lines) != 3 || !strings.Contains(lines[2], "(leader)") || strings.Contains(lines[0]+lines[1], "(leader)") {
		t.Fatalf("result lines %q: the leader goes last", lines)
	}
	if s := ansi.Strip(m.View()); !strings.Contains(s, "Defragment · no rule: every member") || !strings.Contains(s, "→") {
		t.Fatalf("no result panel:\n%s", s)
	}

	*seen = nil
	d.Press("c", "y")
	until(t, d, m, 30*time.Second, "the compaction's result", func() bool {
		_, ok := taskDone(*seen)
		return ok && !m.maint.task.Running()
	})
	if done, _ := taskDone(*seen); done.Err != nil || !strings.HasPrefix(done.Result, "compacted to revision ") {
		t.Fatalf("compact ✓ line %q, err %v", done.Result, done.Err)
	}
	if _, err := c.Get(ctx, "/k", first); !cluster.IsCompacted(err) {
		t.Fatalf("revision %d after the compaction: %v, want compacted", first, err)
	}

	*seen = nil
	d.Send(ActionMsg{Kind: AlarmList})
	until(t, d, m, 15*time.Second, "the alarm list", func() bool { return m.maint.result.Title == "Alarms" })
	if got := strings.Join(m.maint.result.Lines, "\n"); got != "no alarms raised" {
		t.Fatalf("alarm list %q", got)
	}

	counts := map[string]int{}
	for _, l := range viewtest.AuditLog(t, path) {
		counts[l.Action+" "+l.Result]++
	}
	if counts["defragment ok"] != 3 || counts["compact ok"] != 1 || len(counts) != 3 {
		t.Fatalf("audit %v, want 3 defragments and a compact, ok (and the puts)", counts)
	}
}

// TestMaintenanceReadOnly: under --read-only no question opens, the refusal is said, and each
// is in the audit log.
func TestMaintenanceReadOnly(t *testing.T) {
	m, d, path, seen := maintView(t, true)
	d.Press("f", "F", "c")
	d.Send(ActionMsg{Kind: AlarmDisarm})
	selectFollower(t, m)
	d.Press("m")
	if m.InputFocused() {
		t.Fatal("a question opened on a read-only session")
	}
	until(t, d, m, 10*time.Second, "five refusals said", func() bool {
		n := 0
		for _, msg := range *seen {
			if f, ok := msg.(common.FlashMsg); ok && strings.Contains(f.Text, "read-only") {
				n++
			}
		}
		return n == 5
	})
	var got []string
	for _, l := range viewtest.AuditLog(t, path) {
		if l.Result != "refused: read-only" {
			t.Errorf("audit line %+v", l)
		}
		got = append(got, l.Action)
	}
	slices.Sort(got) // each refusal is a command of its own: any order
	if strings.Join(got, " ") != "alarm-disarm compact defragment defragment move-leader" {
		t.Fatalf("audited %q", got)
	}
}

// selectFollower moves the selection to a member that does not lead.
func selectFollower(t *testing.T, m *Model) uint64 {
	t.Helper()
	leader, _ := m.tracker.Leader()
	for _, h := range m.members() {
		if h.Member.ID != leader {
			m.selected = h.Member.ID
			return h.Member.ID
		}
	}
	t.Fatal("no follower")
	return 0
}

// TestMoveLeaderFromView: m on a follower, y: the header's leader becomes that member; m on
// the leader says it already leads and asks nothing.
func TestMoveLeaderFromView(t *testing.T) {
	m, d, path, _ := maintView(t, false)
	to := selectFollower(t, m)
	d.Press("m")
	if s := ansi.Strip(m.View()); !strings.Contains(s, "Move the leadership from ") {
		t.Fatalf("no question:\n%s", s)
	}
	d.Press("y")
	until(t, d, m, 30*time.Second, "the selected member leading", func() bool {
		leader, _ := m.tracker.Leader()
		return leader == to && !m.maint.task.Running()
	})
	if s := ansi.Strip(m.titleLine()); !strings.Contains(s, "leader "+m.tracker.Name(to)) {
		t.Fatalf("title %q", s)
	}
	d.Press("m") // the selected member leads now
	if m.InputFocused() {
		t.Fatal("asked to move the leadership to the leader")
	}
	if lines := viewtest.AuditLog(t, path); len(lines) != 1 || lines[0].Action != "move-leader" || lines[0].Result != "ok" {
		t.Fatalf("audit %+v", lines)
	}
}
