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
				c.Etcd().Delete(context.Background(), "/registry/pods/default/web-1")
				put(t, c, "/registry/pods/default/web-1", strings.Repeat("y", 1200*1024))
			}, d.rowCount(8)},
			{"scrolled_paused", func() { d.press("k", "k", "space") }, d.contains("PAUSED")},
		} {
			t.Run(fmt.Sprintf("%s_%dx%d", sc.name, size[0], size[1]), func(t *testing.T) {
				sc.do()
				d.until(sc.name, sc.want)
				golden.RequireEqual(t, []byte(d.screen()))
			})
		}
	}
}
