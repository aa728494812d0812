package watch

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/embednode/nodetest"
	"github.com/etcdeck/etcdeck/keymap"
	"github.com/etcdeck/etcdeck/views/common"
)

// TestStateLine: each change in the watch's health is named in the status line, and a watch
// that ended says so in the title.
func TestStateLine(t *testing.T) {
	for _, tc := range []struct {
		state cluster.State
		want  []string
	}{
		{cluster.State{Kind: cluster.StateReconnecting, Attempt: 2, Err: errors.New("etcdserver: no leader")},
			[]string{"reconnecting (attempt 2): etcdserver: no leader"}},
		{cluster.State{Kind: cluster.StateResumed, Rev: 42}, []string{"watch resumed at revision 42"}},
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

// TestGoldenWatch renders the view at 80x24 and 120x40: nothing watched, events after known
// writes on a fresh member (so the revisions are the same on every run), and scrolled and paused.
func TestGoldenWatch(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		m, c := testView(t, size[0], size[1], 0)
		d := newDriver(t, m)
		for _, sc := range []struct {
			name string
			do   func()
			want func() bool
		}{
			{"nothing", func() {}, d.contains("nothing watched yet")},
			{"waiting", func() { d.watch("/registry/") }, d.contains("waiting for changes")},
			{"events", func() {
				for i := 0; i < 3; i++ {
					put(t, c, fmt.Sprintf("/registry/pods/default/web-%d", i), strings.Repeat("x", 1000+i*300))
				}
				put(t, c, "/registry/configmaps/kube-system/cm", "small")
				put(t, c, "/outside", "x")
				put(t, c, "/registry/bad\xffname", "1")
				put(t, c, "/registry/events/default/"+strings.Repeat("a-very-long-event-name-", 5), "e")
				nodetest.Client(t, c.Endpoints()).Delete(context.Background(), "/registry/pods/default/web-1")
				put(t, c, "/registry/pods/default/web-1", strings.Repeat("y", 1200*1024))
			}, d.rowCount(8)},
			{"scrolled_paused", func() { d.Press("k", "k", "space") }, d.contains("PAUSED")},
		} {
			t.Run(fmt.Sprintf("%s_%dx%d", sc.name, size[0], size[1]), func(t *testing.T) {
				sc.do()
				d.until(sc.name, sc.want)
				golden.RequireEqual(t, []byte(d.screen()))
			})
		}
	}
}

// TestLargeValue: a put of a 1.4 MiB value (near etcd's 1.5 MiB request limit) shows its
// size, while the events reaching the view carry no value bytes: a paused watch holding
// thousands of such events must not hold their values.
func TestLargeValue(t *testing.T) {
	m, c := testView(t, 80, 24, 0)
	d := newDriver(t, m)
	d.watch("/big/")
	const size = 1468006 // 1.4 MiB
	rev := put(t, c, "/big/blob", strings.Repeat("z", size))
	put(t, c, "/big/small", "tiny")
	d.until("two events", d.rowCount(2))
	want := []string{fmt.Sprintf("%d put /big/blob %d", rev, size), fmt.Sprintf("%d put /big/small 4", rev+1)}
	if got := m.rowsText(); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("rows:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if s := ansi.Strip(m.View()); !strings.Contains(s, "1.4 MiB") || !strings.Contains(s, "4 B") {
		t.Errorf("screen lacks the sizes 1.4 MiB and 4 B:\n%s", s)
	}
	if d.values != 0 {
		t.Errorf("%d events reached the view with their values; the watch should be keys-only", d.values)
	}
}

// TestHintsFollowKeymap: the hints naming keys (how to start a watch, how to resume, how to
// follow again) show the keys as configured, the overridden pause key works, and a hint for an
// unbound action names no key at all.
func TestHintsFollowKeymap(t *testing.T) {
	km := keymap.DefaultKeyMap()
	if err := km.Apply(map[string][]string{"watch.pause": {"p"}, "watch.bottom": {"b"}, "keys.watch": {"W"}}); err != nil {
		t.Fatal(err)
	}
	m, c := testView(t, 120, 10, 0)
	m.common.Keys = km
	d := newDriver(t, m)
	if s := ansi.Strip(m.View()); !strings.Contains(s, "press W in the Keys view") {
		t.Errorf("the start hint does not name the configured key W:\n%s", s)
	}
	d.watch("/h/")
	put(t, c, "/h/a", "1")
	put(t, c, "/h/b", "2")
	d.until("two events", d.rowCount(2))
	d.Press("k")
	if s := ansi.Strip(m.View()); !strings.Contains(s, "live · b follows") || strings.Contains(s, "G follows") {
		t.Errorf("scrolled, the title does not name the configured bottom key b:\n%s", s)
	}
	d.Press("space") // the default pause key, now unbound: nothing happens
	if m.paused {
		t.Fatal("space still pauses after watch.pause was rebound to p")
	}
	d.Press("p")
	s := ansi.Strip(m.View())
	if !m.paused || !strings.Contains(s, "PAUSED: the watch holds new events until p resumes") || strings.Contains(s, "space") {
		t.Errorf("after p: paused %v, the status line does not name p:\n%s", m.paused, s)
	}

	// Unbound actions: the same screens name no key.
	km = keymap.DefaultKeyMap()
	if err := km.Apply(map[string][]string{"watch.pause": {}, "watch.bottom": {}, "keys.watch": {}}); err != nil {
		t.Fatal(err)
	}
	m.common.Keys = km
	if s := ansi.Strip(m.View()); !strings.Contains(s, "PAUSED: the watch holds new events") || strings.Contains(s, "until") {
		t.Errorf("with watch.pause unbound the status line names a key:\n%s", s)
	}
	m.paused = false // only the title is looked at from here on
	if s := ansi.Strip(m.View()); !strings.Contains(s, "live · scrolled") || strings.Contains(s, "follows") {
		t.Errorf("with watch.bottom unbound the title names a key:\n%s", s)
	}
	u := New(common.Common{Styles: common.NewStyles(false), Keys: km})
	u.SetSize(120, 10)
	if s := ansi.Strip(u.View()); !strings.Contains(s, "nothing watched yet: type :watch <prefix>") || strings.Contains(s, "press") {
		t.Errorf("with keys.watch unbound the start hint names a key:\n%s", s)
	}
}
