package clusterview

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/cluster/monitor"
	"github.com/etcdeck/etcdeck/embednode/nodetest"
	"github.com/etcdeck/etcdeck/views/common"
	"github.com/etcdeck/etcdeck/views/common/viewtest"
)

func fixtureMismatch() cluster.HashReport {
	return cluster.HashReport{Rev: 1203, Members: []cluster.MemberHash{
		{ID: 1, Name: "m0", Hash: 0xdeadbeef, CompactRev: 1100},
		{ID: 2, Name: "m1", Hash: 0xdeadbeef, CompactRev: 1100},
		{ID: 3, Name: "m2", Hash: 0x0badf00d, CompactRev: 1100},
		{ID: 4, Name: "m3", Skipped: "a learner: etcd answers it no HashKV"},
	}}
}

// TestGoldenMembership renders the remove questions (a member down: plain; a healthy one:
// losing quorum, loudly), a learner's start flags and a HashKV mismatch, at 80x24 and 120x40.
func TestGoldenMembership(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		for _, tc := range []struct {
			name string
			do   func(m *Model, d *viewtest.Driver)
		}{
			{"remove", func(m *Model, d *viewtest.Driver) { d.Send(ActionMsg{Kind: MemberRemove, Member: "m2"}) }},
			{"remove_quorum", func(m *Model, d *viewtest.Driver) { d.Send(ActionMsg{Kind: MemberRemove, Member: "m0"}) }},
			{"member_add", func(m *Model, d *viewtest.Driver) {
				d.Send(ActionMsg{Kind: MemberAdd, Member: "m3", PeerURL: "http://10.0.0.13:2380"})
			}},
			{"join_result", func(m *Model, d *viewtest.Driver) {
				m.maint.result = joinResult(cluster.JoinPlan{ID: 0xabc, Name: "m3", PeerURL: "http://10.0.0.13:2380",
					ClientURL: "http://10.0.0.13:2379", ClientGuessed: true,
					InitialCluster: "m0=http://10.0.0.10:2380,m1=http://10.0.0.11:2380,m3=http://10.0.0.13:2380"})
			}},
			{"hashkv_mismatch", func(m *Model, d *viewtest.Driver) { m.maint.result, _ = hashResult(fixtureMismatch()) }},
			{"promote", func(m *Model, d *viewtest.Driver) {
				// m2 back as a learner, 12 entries behind the leader.
				p := fixturePoll(30)
				l := &p.Members[2]
				l.Member.Learner, l.State, l.Err = true, monitor.StateHealthy, ""
				l.Status = &monitor.MemberStatus{Version: "3.7.3", Leader: p.Members[1].Status.Leader, RaftTerm: 3,
					RaftIndex: p.Members[1].Status.RaftIndex - 12, RaftAppliedIndex: p.Members[1].Status.RaftIndex - 12}
				m.applyPoll(p, nil, 0, 2*time.Second)
				d.Send(ActionMsg{Kind: MemberPromote, Member: "m2"})
			}},
		} {
			t.Run(fmt.Sprintf("%s_%dx%d", tc.name, size[0], size[1]), func(t *testing.T) {
				m := fixtureView(size[0], size[1])
				tc.do(m, viewtest.New(t, m))
				golden.RequireEqual(t, []byte(screen(m)))
			})
		}
	}
}

// TestHashResultSaysMismatchLoudly: the two sides are named, the majority first, the learner is
// said to be left out, and the result is an error (a ✗ in the status bar).
func TestHashResultSaysMismatchLoudly(t *testing.T) {
	r, err := hashResult(fixtureMismatch())
	if err == nil || !strings.Contains(r.Summary, "MISMATCH") {
		t.Fatalf("summary %q, err %v", r.Summary, err)
	}
	all := strings.Join(r.Lines, "\n")
	for _, want := range []string{"MISMATCH at revision 1203 (compacted at 1100): m0, m1 (hash deadbeef) ≠ m2 (hash 0badf00d)",
		"m3           not compared: a learner", "Do not restore or snapshot from a member of the smaller side"} {
		if !strings.Contains(all, want) {
			t.Errorf("lines lack %q:\n%s", want, all)
		}
	}
	// Different compact revisions are not compared: no mismatch, the lone member named.
	rep := fixtureMismatch()
	rep.Members[2].CompactRev = 1000
	if r, err := hashResult(rep); err != nil || !strings.Contains(strings.Join(r.Lines, "\n"), "not compared (no other member at its compact revision): m2") {
		t.Fatalf("lines %q, err %v", r.Lines, err)
	}
}

// TestRemoveQuestions: the last voter is refused outright; a healthy member of a cluster that
// already lost one says it loses quorum; the typed name is needed, a wrong one changes nothing.
func TestRemoveQuestions(t *testing.T) {
	m := fixtureView(120, 40)
	d := viewtest.New(t, m)
	d.Send(ActionMsg{Kind: MemberRemove, Member: "m0"})
	if s := ansi.Strip(m.View()); !strings.Contains(s, "REMOVING m0 LOSES QUORUM: 2 of 3 voters answer now") {
		t.Fatalf("question:\n%s", s)
	}
	d.Press("m", "1", "enter")
	if m.InputFocused() || m.maint.task.Running() {
		t.Fatal("a wrong name removed or left the question open")
	}
	d.Send(ActionMsg{Kind: MemberPromote, Member: "m1"})
	if m.InputFocused() {
		t.Fatal("promote of a voter asked")
	}
	one := fixtureView(120, 40)
	p := one.tracker.Last()
	p.Members = p.Members[:1]
	one.applyPoll(p, nil, 0, time.Second)
	var flashes []string
	d = viewtest.New(t, one)
	d.Seen = func(msg tea.Msg) {
		if f, ok := msg.(common.FlashMsg); ok {
			flashes = append(flashes, f.Text)
		}
	}
	d.Send(ActionMsg{Kind: MemberRemove, Member: "m0"})
	until(t, d, one, 5*time.Second, "the refusal said", func() bool {
		return strings.Contains(strings.Join(flashes, "\n"), "m0: it is the last voting member")
	})
	if one.InputFocused() {
		t.Fatal("last voter: a question opened")
	}
}

// TestMembershipAndHashKVFromView drives x, :member add (y copies its flags), the learner's
// promote question with its lag and :member remove (typed) on three real members.
func TestMembershipAndHashKVFromView(t *testing.T) {
	m, d, path, seen := maintView(t, false)
	d.Press("x")
	until(t, d, m, 30*time.Second, "the consistency check", func() bool {
		_, ok := taskDone(*seen)
		return ok && !m.maint.task.Running()
	})
	if done, _ := taskDone(*seen); done.Err != nil || !strings.HasPrefix(done.Result, "3 members agree at revision ") {
		t.Fatalf("✓ line %q, err %v", done.Result, done.Err)
	}

	*seen = nil
	peer := fmt.Sprintf("http://127.0.0.1:%d", nodetest.FreePort(t))
	d.Send(ActionMsg{Kind: MemberAdd, Member: "m3", PeerURL: peer})
	d.Press("y")
	until(t, d, m, 40*time.Second, "the learner added", func() bool {
		done, ok := taskDone(*seen)
		if ok && done.Err != nil && strings.Contains(done.Err.Error(), "unhealthy cluster") {
			// etcd's 5 s after start before a member change: ask again.
			*seen = nil
			d.Send(ActionMsg{Kind: MemberAdd, Member: "m3", PeerURL: peer})
			d.Press("y")
			return false
		}
		return ok && !m.maint.task.Running()
	})
	if done, _ := taskDone(*seen); done.Err != nil {
		t.Fatal(done.Err)
	}
	join := m.maint.result.Join
	if !strings.Contains(join, "--initial-cluster-state existing") || !strings.Contains(join, "m3="+peer) {
		t.Fatalf("join command %q", join)
	}
	if !m.keys().CopyJoin.Enabled() || m.copyJoin() == nil {
		t.Fatal("y does not copy the flags")
	}
	// Never started, the learner has no name yet: it goes by its hex ID.
	var learner string
	until(t, d, m, 15*time.Second, "the learner in the table", func() bool {
		for _, h := range m.members() {
			if h.Member.Learner {
				learner = h.Member.IDString()
			}
		}
		return learner != ""
	})
	d.Send(ActionMsg{Kind: MemberPromote, Member: learner})
	if s := ansi.Strip(m.View()); !strings.Contains(s, "Promote learner "+learner+" to a voting member? Its lag is unknown") {
		t.Fatalf("promote question:\n%s", s)
	}
	d.Press("n")

	*seen = nil
	d.Send(ActionMsg{Kind: MemberRemove, Member: learner})
	if s := ansi.Strip(m.View()); !strings.Contains(s, "Remove learner "+learner+"? The quorum does not change.") {
		t.Fatalf("remove question:\n%s", s)
	}
	for _, r := range learner {
		d.Press(string(r))
	}
	d.Press("enter")
	until(t, d, m, 30*time.Second, "the learner removed", func() bool {
		_, ok := taskDone(*seen)
		return ok && !m.maint.task.Running() && len(m.members()) == 3
	})
	list, err := m.client().ListMembers(context.Background())
	if err != nil || len(list.Members) != 3 {
		t.Fatalf("member list %+v, %v", list, err)
	}
	var got []string
	for _, l := range viewtest.AuditLog(t, path) {
		got = append(got, l.Action+" "+l.Result)
	}
	if !slices.Contains(got, "member-add-learner ok") || !slices.Contains(got, "member-remove ok") {
		t.Fatalf("audit %q", got)
	}
}

// TestMembershipReadOnly: add, promote and remove open no question under --read-only, each
// refusal audited; x still runs (a read).
func TestMembershipReadOnly(t *testing.T) {
	m, d, path, seen := maintView(t, true)
	d.Send(ActionMsg{Kind: MemberAdd, Member: "m3", PeerURL: "http://127.0.0.1:1"})
	d.Send(ActionMsg{Kind: MemberPromote, Member: "m1"})
	d.Send(ActionMsg{Kind: MemberRemove, Member: "m1"})
	if m.InputFocused() {
		t.Fatal("a question opened on a read-only session")
	}
	d.Press("x")
	until(t, d, m, 30*time.Second, "refusals and the check", func() bool {
		_, ok := taskDone(*seen)
		return ok && len(viewtest.AuditLog(t, path)) == 3
	})
	var got []string
	for _, l := range viewtest.AuditLog(t, path) {
		got = append(got, l.Action+" "+l.Result)
	}
	slices.Sort(got)
	if strings.Join(got, ",") != "member-add-learner refused: read-only,member-promote refused: read-only,member-remove refused: read-only" {
		t.Fatalf("audit %q", got)
	}
	if done, _ := taskDone(*seen); done.Err != nil {
		t.Fatalf("x on a read-only session: %v", done.Err)
	}
}
