package clusterview

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"charm.land/bubbles/v2/key"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/etcdeck/etcdeck/cluster/member"
	"github.com/etcdeck/etcdeck/cluster/monitor"
	"github.com/etcdeck/etcdeck/keymap"
	"github.com/etcdeck/etcdeck/views/common"
	"github.com/etcdeck/etcdeck/views/common/viewtest"
)

var t0 = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

var fixtureMembers = []member.Info{
	{ID: 0x8e9e05c52164694d, Name: "m0", ClientURLs: []string{"http://10.0.0.10:2379"}, PeerURLs: []string{"http://10.0.0.10:2380"}},
	{ID: 0x91bc3c398fb3c146, Name: "m1", ClientURLs: []string{"http://10.0.0.11:2379"}, PeerURLs: []string{"http://10.0.0.11:2380"}},
	{ID: 0xfd422379fda50e48, Name: "m2", ClientURLs: []string{"http://10.0.0.12:2379"}, PeerURLs: []string{"http://10.0.0.12:2380"}},
}

// fixturePoll is poll i (10 s apart) of the fixture cluster: m0 leads at term 2 until poll 10,
// poll 10 sees no leader, m1 leads at term 3 from poll 11; m2 stops answering at poll 28; m0's
// database is at 86% of its quota.
func fixturePoll(i int) monitor.Poll {
	at := t0.Add(time.Duration(i) * 10 * time.Second)
	p := monitor.Poll{Time: at}
	for j, mm := range fixtureMembers {
		h := monitor.MemberHealth{Member: mm, Endpoint: mm.ClientURLs[0], Time: at, State: monitor.StateHealthy,
			MemberIDs: []uint64{fixtureMembers[0].ID, fixtureMembers[1].ID, fixtureMembers[2].ID}}
		if j == 2 && i >= 28 {
			h.State, h.Err = monitor.StateUnreachable, "connection refused at 10.0.0.12:2379"
			p.Members = append(p.Members, h)
			continue
		}
		leader, term := fixtureMembers[0].ID, uint64(2)
		switch {
		case i == 10:
			leader, term = 0, 3
			h.State, h.Err = monitor.StateNoLeader, "the member knows no leader (lost quorum?)"
		case i > 10:
			leader, term = fixtureMembers[1].ID, 3
		}
		h.Status = &monitor.MemberStatus{Version: "3.7.3", DBSize: 24 << 20, DBSizeInUse: 20 << 20, DBSizeQuota: 2 << 30,
			Leader: leader, RaftTerm: term, RaftIndex: uint64(1000 + 7*i), RaftAppliedIndex: uint64(1000 + 7*i - j), Revision: int64(900 + 7*i)}
		if j == 0 {
			h.Status.DBSize, h.Status.DBSizeInUse, h.Status.DBSizeQuota = 86<<20, 80<<20, 100<<20
		}
		if h.State == monitor.StateHealthy {
			// Deterministic, varied latencies; m0's disk gets slow late in the window.
			base := time.Duration(800+((i*37+j*11)%9)*150) * time.Microsecond
			if j == 0 && i > 20 {
				base += time.Duration(i-20) * 4 * time.Millisecond
			}
			h.Linearizable, h.Serializable, h.StatusTook = base+time.Millisecond, base/2, base
		}
		p.Members = append(p.Members, h)
	}
	return p
}

func fixtureMetrics(at time.Time, fsyncs uint64) []monitor.Metrics {
	bounds := []float64{0.001, 0.008, 0.064, math.Inf(1)}
	var out []monitor.Metrics
	for j, mm := range fixtureMembers {
		if j == 2 {
			out = append(out, monitor.Metrics{Member: mm, Time: at, Err: "metrics not reachable: dial tcp 10.0.0.12:2379: connect: connection refused"})
			continue
		}
		m := monitor.Metrics{Member: mm, Time: at, LeaderChanges: 2, ProposalsPending: 0, ProposalsFailed: 1,
			WALFsync:      monitor.Histogram{Count: fsyncs, Bounds: bounds, Buckets: []uint64{fsyncs / 2, fsyncs, fsyncs, fsyncs}},
			BackendCommit: monitor.Histogram{Count: fsyncs, Bounds: bounds, Buckets: []uint64{fsyncs, fsyncs, fsyncs, fsyncs}},
			PeerRTT:       map[string]monitor.Histogram{}}
		if j == 0 { // m0's disk is slow: most fsyncs between 8 and 64 ms
			m.WALFsync.Buckets = []uint64{fsyncs / 10, fsyncs / 5, fsyncs, fsyncs}
		}
		for k, peer := range fixtureMembers {
			if k != j {
				n := fsyncs / 10
				m.PeerRTT[fmt.Sprintf("%x", peer.ID)] = monitor.Histogram{Count: n, Bounds: bounds, Buckets: []uint64{n * uint64(k+1) / 4, n, n, n}}
			}
		}
		out = append(out, m)
	}
	return out
}

// fixtureView is the view fed 30 polls and two scrapes, through the same methods the pollers'
// results go through, so the screens are the same on every run.
func fixtureView(w, h int) *Model {
	m := New(common.Common{Styles: common.NewStyles(false), Keys: keymap.DefaultKeyMap()})
	m.SetSize(w, h)
	for i := 0; i < 30; i++ {
		m.applyPoll(fixturePoll(i), nil, 0, 2*time.Second)
	}
	m.applyMetrics(fixtureMetrics(t0.Add(275*time.Second), 100))
	m.applyMetrics(fixtureMetrics(t0.Add(290*time.Second), 200))
	return m
}

func screen(m *Model) string {
	var buf bytes.Buffer
	w := &colorprofile.Writer{Forward: &buf, Profile: colorprofile.Ascii}
	w.WriteString(m.View())
	return buf.String()
}

// TestGoldenCluster renders the member table and a member's details at 80x24 and 120x40, and the
// table at 60x15 (the console's minimum).
func TestGoldenCluster(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {120, 40}, {60, 15}, {100, 30}} { // 100x30: the README's pictures
		m := fixtureView(size[0], size[1])
		d := viewtest.New(t, m)
		t.Run(fmt.Sprintf("table_%dx%d", size[0], size[1]), func(t *testing.T) {
			golden.RequireEqual(t, []byte(screen(m)))
		})
		if size[0] == 60 {
			continue
		}
		t.Run(fmt.Sprintf("details_%dx%d", size[0], size[1]), func(t *testing.T) {
			d.Press("enter")
			golden.RequireEqual(t, []byte(screen(m)))
		})
	}
	t.Run("not_connected_80x24", func(t *testing.T) {
		m := New(common.Common{Styles: common.NewStyles(false), Keys: keymap.DefaultKeyMap()})
		m.SetSize(80, 24)
		golden.RequireEqual(t, []byte(screen(m)))
	})
}

// TestTableContent checks what the goldens show in words: every member's row, the leader mark,
// the unreachable member's error under its row, the amber quota and the findings.
func TestTableContent(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {60, 15}} {
		m := fixtureView(size[0], size[1])
		s := ansi.Strip(m.View())
		lines := strings.Split(s, "\n")
		if len(lines) != size[1] {
			t.Fatalf("%dx%d: %d lines", size[0], size[1], len(lines))
		}
		for _, want := range []string{" m0 ", "* m1 ", " m2 ", "unreachable", "└ connection refused at 10.0.0.12:2379",
			" 86%", "leader m1 · term 3", "polled 12:04:50"} {
			if !strings.Contains(s, want) {
				t.Errorf("%dx%d: screen lacks %q:\n%s", size[0], size[1], want, s)
			}
		}
		for _, l := range lines {
			if w := ansi.StringWidth(l); w != size[0] {
				t.Errorf("%dx%d: line of width %d: %q", size[0], size[1], w, l)
			}
		}
	}
	m := fixtureView(80, 24)
	viewtest.New(t, m).Press("j") // the selected row is drawn reversed, without its cells' styles
	if !strings.Contains(m.View(), m.common.Styles.Caution.Render("█████░  86%")) {
		t.Error("the quota bar at 86% is not drawn in the caution (amber) style")
	}
	s := ansi.Strip(m.View())
	for _, want := range []string{"✗ member m2 unreachable: connection refused", "! member m0: DB at 86% of quota",
		"! member m0: WAL fsync p99 63 ms — disk too slow for etcd (wants < 10 ms)"} {
		if !strings.Contains(s, want) {
			t.Errorf("findings lack %q:\n%s", want, s)
		}
	}
}

// TestSelectionAndDetails: j/k move the selection, enter opens the member's details (latency
// sparklines, metrics, leader history), esc goes back.
func TestSelectionAndDetails(t *testing.T) {
	m := fixtureView(120, 40)
	d := viewtest.New(t, m)
	d.Press("j", "j", "j", "k")
	if m.selected != fixtureMembers[1].ID {
		t.Fatalf("selected %x after j j j k, want m1", m.selected)
	}
	d.Press("enter")
	s := ansi.Strip(m.View())
	for _, want := range []string{"m1 · leader · 91bc3c398fb3c146", "linearizable", "serializable", "status",
		"WAL fsync p99", "peer round trip p99: m0 ", "m0 → m1  term 2 → 3  no leader for 10.0 s", "esc back"} {
		if !strings.Contains(s, want) {
			t.Errorf("details lack %q:\n%s", want, s)
		}
	}
	if help := m.ShortHelp(); help[len(help)-1].Help().Key != "esc" {
		t.Errorf("the short help lacks esc while the details show: %v", help)
	}
	d.Press("esc")
	if m.details || !strings.Contains(ansi.Strip(m.View()), "HEALTH") {
		t.Fatalf("esc did not go back to the table:\n%s", ansi.Strip(m.View()))
	}
}

// TestHintsNameOnlyWhatWorks: enter is hinted only with a member to show and not while its
// details show; r only with a session to poll (these fixtures have none). Help shows enabled
// bindings only, so those are what the short and full help offer.
func TestHintsNameOnlyWhatWorks(t *testing.T) {
	offered := func(m *Model) map[string]bool {
		out := map[string]bool{}
		for _, b := range append(m.ShortHelp(), slices.Concat(m.FullHelp()...)...) {
			if b.Enabled() {
				out[b.Help().Key] = true
			}
		}
		return out
	}
	empty := New(common.Common{Styles: common.NewStyles(false), Keys: keymap.DefaultKeyMap()})
	if got := offered(empty); got["enter"] || got["r"] {
		t.Errorf("no session, no member: offered %v", got)
	}
	m := fixtureView(80, 24)
	if got := offered(m); !got["enter"] || got["r"] {
		t.Errorf("members, no session: offered %v, want enter and no r", got)
	}
	viewtest.New(t, m).Press("enter")
	if got := offered(m); got["enter"] || !got["esc"] {
		t.Errorf("details shown: offered %v, want esc and no enter", got)
	}
}

// TestPollFailureAndNoLeader: a failed poll (no member list) says so with the retry in the status
// line; a poll where no member knows a leader puts it in the title.
func TestPollFailureAndNoLeader(t *testing.T) {
	m := New(common.Common{Styles: common.NewStyles(false), Keys: keymap.DefaultKeyMap()})
	m.SetSize(80, 24)
	m.applyPoll(monitor.Poll{Time: t0, ListErr: "connection refused at 10.0.0.10:2379"}, errors.New("connection refused at 10.0.0.10:2379"), 2, 8*time.Second)
	s := ansi.Strip(m.View())
	if !strings.Contains(s, "health poll failed (2×): connection refused at 10.0.0.10:2379 · retrying in 8s") {
		t.Errorf("status line:\n%s", s)
	}
	m = fixtureView(80, 24)
	m.applyPoll(fixturePoll(10), nil, 0, 2*time.Second) // every member without a leader
	s = ansi.Strip(m.View())
	if !strings.Contains(s, "NO LEADER since 12:01:40") || !strings.Contains(s, "✗ no leader since 12:01:40") {
		t.Errorf("no leader:\n%s", s)
	}
}

// TestDetailsScrollAt60x15: at the console's minimum the details do not fit; pgdn/J scroll them
// under the fixed title until the leader changes show, offered only while there is more that
// way, and pgup/K go back to the top.
func TestDetailsScrollAt60x15(t *testing.T) {
	m := fixtureView(60, 15)
	d := viewtest.New(t, m)
	enabled := func(b key.Binding) bool {
		for _, h := range m.ShortHelp() {
			if h.Help().Key == b.Help().Key && h.Enabled() {
				return true
			}
		}
		return false
	}
	k := m.common.Keys.Cluster
	if enabled(k.ScrollDown) || enabled(k.ScrollUp) {
		t.Fatal("scrolling offered on the table")
	}
	d.Press("enter")
	s := ansi.Strip(m.View())
	if strings.Contains(s, "Leader changes") || !strings.Contains(s, "more lines (pgdn/J scroll)") {
		t.Fatalf("at 60x15 the details should overflow and say so:\n%s", s)
	}
	if !enabled(k.ScrollDown) || enabled(k.ScrollUp) {
		t.Fatal("at the top of overflowing details only scrolling down should be offered")
	}
	for i := 0; i < 10 && enabled(k.ScrollDown); i++ {
		d.Press("pgdown")
	}
	s = ansi.Strip(m.View())
	for _, want := range []string{"m0 · follower", "lines above", "Leader changes", "m0 → m1  term 2 → 3  no leader for 10.0 s"} {
		if !strings.Contains(s, want) {
			t.Errorf("scrolled to the end, the details lack %q:\n%s", want, s)
		}
	}
	if lines := strings.Split(s, "\n"); len(lines) != 15 {
		t.Errorf("%d lines, want 15", len(lines))
	}
	if enabled(k.ScrollDown) || !enabled(k.ScrollUp) {
		t.Fatal("at the end only scrolling back should be offered")
	}
	d.Press("K", "K", "K", "K", "K")
	if s := ansi.Strip(m.View()); strings.Contains(s, "lines above") || !strings.Contains(s, "raft term") {
		t.Fatalf("K did not scroll back to the top:\n%s", s)
	}
	d.Press("J", "esc", "enter")
	if strings.Contains(ansi.Strip(m.View()), "lines above") {
		t.Fatal("details reopened scrolled")
	}
}

// TestHostileMemberNameEscaped: a member name or error text holding ESC or a bidi override is
// shown escaped (as \x1b, \u{202e}) in the table, the title and the details, never obeyed.
func TestHostileMemberNameEscaped(t *testing.T) {
	m := New(common.Common{Styles: common.NewStyles(false), Keys: keymap.DefaultKeyMap()})
	m.SetSize(120, 40)
	p := fixturePoll(0)
	p.Members[0].Member.Name = "ev\x1b[31mil\u202e"
	p.Members[2].Err, p.Members[2].State = "refused by \u202eevil\x1b[2J", monitor.StateUnreachable
	m.applyPoll(p, nil, 0, 2*time.Second)
	out := ansi.Strip(m.View())
	m.Update(viewtest.Key("enter"))
	out += ansi.Strip(m.View())
	if strings.ContainsAny(out, "\x1b\u202e") {
		t.Fatalf("a raw ESC or U+202E reached the screen:\n%q", out)
	}
	for _, want := range []string{`ev\x1b[31mil\u{202e}`, `refused by \u{202e}evil\x1b[2J`} {
		if !strings.Contains(out, want) {
			t.Errorf("the screen lacks %q:\n%s", want, out)
		}
	}
}
