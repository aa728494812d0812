package watch

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/keymap"
	"github.com/etcdeck/etcdeck/views/common"
)

// TestStateLine: a watch that is not well says why in the status line and in the title.
func TestStateLine(t *testing.T) {
	for _, tc := range []struct {
		state cluster.State
		want  []string
	}{
		{cluster.State{Kind: cluster.StateReconnecting, Attempt: 2, Err: errors.New("etcdserver: no leader")},
			[]string{"reconnecting (attempt 2): etcdserver: no leader"}},
		{cluster.State{Kind: cluster.StateCompacted, Rev: 17}, []string{"revisions up to 17 were compacted", ":watch /r/ starts again"}},
		{cluster.State{Kind: cluster.StateFailed, Err: errors.New("etcdserver: permission denied")},
			[]string{"watch stopped: etcdserver: permission denied"}},
		{cluster.State{Kind: cluster.StateClosed}, []string{"watch stopped; :watch <prefix> starts a new one"}},
	} {
		m := New(common.Common{Styles: common.NewStyles(false), Keys: keymap.DefaultKeyMap()})
		m.SetSize(120, 10)
		m.Update(common.WatchMsg{Prefix: "/r/"})
		st := tc.state
		m.state = &st
		s := ansi.Strip(m.View())
		for _, w := range tc.want {
			if !strings.Contains(s, w) {
				t.Errorf("%v: screen lacks %q:\n%s", st.Kind, w, s)
			}
		}
	}
}

// TestNotes: a reconnection and lost revisions become rows where they happened, and the
// reconnecting state shows in the title until the watch is back.
func TestNotes(t *testing.T) {
	m := New(common.Common{Styles: common.NewStyles(false), Keys: keymap.DefaultKeyMap()})
	m.SetSize(120, 12)
	m.watched = true
	m.noteState(&cluster.State{Kind: cluster.StateReconnecting, Attempt: 1, Err: errors.New("etcdserver: no leader")}, testClock)
	m.noteState(&cluster.State{Kind: cluster.StateReconnecting, Attempt: 2, Err: errors.New("etcdserver: no leader")}, testClock)
	m.noteState(&cluster.State{Kind: cluster.StateResumed, Rev: 42, Member: "m2"}, testClock)
	m.noteState(&cluster.State{Kind: cluster.StateLost, LostFrom: 50, LostTo: 60, Rev: 61}, testClock)
	got := strings.Join(m.rowsText(), "\n")
	want := strings.Join([]string{
		"note: watch interrupted, reconnecting (attempt 1): etcdserver: no leader",
		"note: reconnected to member m2 at revision 42",
		"note: revisions 50–60 compacted before the watch read them: their changes are lost; continuing from 61",
	}, "\n")
	if got != want || m.state != nil || m.buf.total != 0 {
		t.Fatalf("rows:\n%s\nwant:\n%s\n(state %v, %d events)", got, want, m.state, m.buf.total)
	}
	var buf bytes.Buffer
	w := &colorprofile.Writer{Forward: &buf, Profile: colorprofile.Ascii}
	w.WriteString(m.View())
	golden.RequireEqual(t, buf.Bytes())
}

// TestStallNotes: a stall reads as a reconnecting row naming the silent member, the title says
// reconnecting meanwhile, and the resume row names the member and the revisions that arrive
// late (the stall itself, with a member killed or frozen, is tested in cluster).
func TestStallNotes(t *testing.T) {
	m := New(common.Common{Styles: common.NewStyles(false), Keys: keymap.DefaultKeyMap()})
	m.SetSize(120, 12)
	m.watched = true
	m.noteState(&cluster.State{Kind: cluster.StateReconnecting, Attempt: 1,
		Err: errors.New("member m1 did not answer a progress request within 2s (stopped, frozen or cut off)")}, testClock)
	if s := ansi.Strip(m.View()); !strings.Contains(s, "reconnecting") {
		t.Fatalf("the title lacks reconnecting:\n%s", s)
	}
	m.noteState(&cluster.State{Kind: cluster.StateResumed, Rev: 916, Member: "m2", LateFrom: 916, LateTo: 1517}, testClock)
	got := strings.Join(m.rowsText(), "\n")
	want := strings.Join([]string{
		"note: watch interrupted, reconnecting (attempt 1): member m1 did not answer a progress request within 2s (stopped, frozen or cut off)",
		"note: reconnected to member m2 at revision 916: revisions 916–1517 written meanwhile arrive late",
	}, "\n")
	if got != want || m.state != nil {
		t.Fatalf("rows:\n%s\nwant:\n%s\n(state %v)", got, want, m.state)
	}
}

// TestGoldenWatch renders the view at 80x24 and 120x40: nothing watched, events after known
// writes on a fresh member (so the revisions are the same on every run), scrolled and paused,
// a filter, the selected put's diff, and a JSON value diffed and shown pretty-printed.
func TestGoldenWatch(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {120, 40}, {100, 30}} { // 100x30: the README's pictures
		m, c := testView(t, size[0], size[1], 0)
		d := newDriver(t, m)
		for _, sc := range []struct {
			name string
			do   func()
			want func() bool
		}{
			{"nothing", func() {}, d.contains("nothing watched yet")},
			{"waiting", func() { d.watch("/registry/", 0) }, d.contains("live at rev 1 ")},
			{"events", func() {
				for i := range 3 {
					put(t, c, fmt.Sprintf("/registry/pods/default/web-%d", i), fmt.Sprintf(`{"kind":"Pod","name":"web-%d"}`, i)+strings.Repeat(" ", 1000+i*300))
				}
				put(t, c, "/registry/configmaps/kube-system/cm", "small")
				put(t, c, "/outside", "x")
				put(t, c, "/registry/bad\xffname", "\x00\x01\x02binary")
				put(t, c, "/registry/events/default/"+strings.Repeat("a-very-long-event-name-", 5), "e")
				etcd(t, c).Delete(context.Background(), "/registry/pods/default/web-1")
				put(t, c, "/registry/configmaps/kube-system/cm", "line one\nline two changed\nline three")
			}, d.rowCount(8)},
			{"scrolled_paused", func() { d.Press("k", "k", "space") }, d.contains("paused with 0 waiting")},
			{"filtered", func() {
				d.Press("space", "/")
				for _, r := range "configmaps" {
					d.Press(string(r))
				}
				d.Press("enter")
			}, d.rowCount(2)},
			{"detail_diff", func() { d.Press("enter") }, d.contains("changes from revision")},
			{"detail_json", func() {
				put(t, c, "/registry/configmaps/default/app", `{"mode":"fast","kind":"ConfigMap","data":{"replicas":2}}`)
				put(t, c, "/registry/configmaps/default/app", `{"mode":"slow","kind":"ConfigMap","data":{"replicas":2}}`)
				d.Press("G")
			}, d.contains("diff as json")},
		} {
			t.Run(fmt.Sprintf("%s_%dx%d", sc.name, size[0], size[1]), func(t *testing.T) {
				sc.do()
				d.until(sc.name, sc.want)
				golden.RequireEqual(t, []byte(d.screen()))
			})
		}
	}
}

// TestTitleKeepsTotal: at 80 columns with large figures the title shortens its state but
// always shows the exact total, which end-to-end tests read.
func TestTitleKeepsTotal(t *testing.T) {
	// A session without a client: the title only asks whether there is one.
	m := New(common.Common{Styles: common.NewStyles(false), Keys: keymap.DefaultKeyMap(),
		Session: cluster.NewSession(context.Background(), nil, "test", nil)})
	m.SetSize(80, 24)
	m.watched, m.prefix = true, "/registry/pods/"
	m.buf.total, m.buf.dropped, m.liveRev = 612345, 512345, 60001
	m.w = &cluster.Watch{} // running, as far as the title is concerned
	defer func() { m.w = nil }()
	m.paused, m.pauseTotal = true, 612345-123456
	title := ansi.Strip(m.titleLine())
	for _, w := range []string{"Watch", "612,345 events", "512,345 dropped", "paused +123,456"} {
		if !strings.Contains(title, w) {
			t.Errorf("title %q lacks %q", title, w)
		}
	}
	m.paused = false
	m.SetSize(120, 24)
	if title := ansi.Strip(m.titleLine()); !strings.Contains(title, "612,345 events · 0/s · 512,345 dropped · live at rev 60001") {
		t.Errorf("wide title %q", title)
	}
}

// TestWatchStateEscaped: the watch's error (quoting the server) and the notes in the list show
// by the one escaping rule, ESC as \x1b and bidi as \u{…}, never raw.
func TestWatchStateEscaped(t *testing.T) {
	m := New(common.Common{Styles: common.NewStyles(false), Keys: keymap.DefaultKeyMap()})
	m.SetSize(120, 10)
	m.Update(common.WatchMsg{Prefix: "/r/"})
	m.watched = true
	m.noteState(&cluster.State{Kind: cluster.StateReconnecting, Attempt: 1, Err: errors.New("lost\u2066x\x1b[2J")}, testClock)
	m.state = &cluster.State{Kind: cluster.StateFailed, Err: errors.New("denied\x1b[2J\u202e")}
	s := m.View()
	for _, want := range []string{`denied\x1b[2J\u{202e}`, `lost\u{2066}x\x1b[2J`} {
		if !strings.Contains(s, want) {
			t.Errorf("the screen lacks %q:\n%q", want, s)
		}
	}
	if strings.ContainsAny(s, "\u202e\u2066") {
		t.Errorf("a bidi control reached the screen:\n%q", s)
	}
}
