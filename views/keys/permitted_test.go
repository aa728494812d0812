package keys

import (
	"fmt"
	"strings"
	"sync"
	"testing"

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

// authView is a Keys view as user on a member with nodetest.AuthUsers' users, with the flashes
// it raises collected.
func authView(t *testing.T, endpoints []string, user, password string, w, h int, set func(*config.Settings)) (*driver, *flashes) {
	t.Helper()
	s := viewtest.SessionOf(t, cluster.ConnConfig{Endpoints: endpoints, InsecureTransport: true, User: user, Password: password}, "test", nil)
	if set == nil {
		set = func(*config.Settings) {}
	}
	v := New(common.Common{Styles: common.NewStyles(false), Keys: keymap.DefaultKeyMap(), Session: s, Settings: settings(set)})
	t.Cleanup(v.stopLive)
	v.SetSize(w, h)
	d := newDriver(t, v)
	f := &flashes{}
	d.Seen = func(msg tea.Msg) {
		if fm, ok := msg.(common.FlashMsg); ok {
			f.add(fm.Text)
		}
	}
	d.Run(v.Init())
	return d, f
}

type flashes struct {
	mu   sync.Mutex
	seen []string
}

func (f *flashes) add(s string) { f.mu.Lock(); f.seen = append(f.seen, s); f.mu.Unlock() }
func (f *flashes) has(s string) func() bool {
	return func() bool {
		f.mu.Lock()
		defer f.mu.Unlock()
		for _, x := range f.seen {
			if strings.Contains(x, s) {
				return true
			}
		}
		return false
	}
}

// TestGoldenPermitted: the reader's and the writer's first screens list what their roles allow
// below "/" (which they may not read) with the permission, and say why at the bottom.
func TestGoldenPermitted(t *testing.T) {
	m := nodetest.Start(t)
	nodetest.AuthUsers(t, m.Endpoints())
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		for _, u := range []struct{ user, pw, want string }{
			{"reader", nodetest.ReaderPassword, "app/"},
			{"writer", nodetest.WriterPassword, "app/w/"},
		} {
			t.Run(fmt.Sprintf("%s_%dx%d", u.user, size[0], size[1]), func(t *testing.T) {
				d, _ := authView(t, m.Endpoints(), u.user, u.pw, size[0], size[1], nil)
				d.until("the permitted listing", d.contains(u.want))
				golden.RequireEqual(t, []byte(d.screen()))
			})
		}
	}
}

// TestPermittedReader: the reader's first screen lists /app/ (it showed a bare "permission
// denied"); enter opens it and it is live; H shows the history of /app/a and :rev pins a past
// revision (both probed "\x00" and failed); e is refused with the role named before any prompt.
func TestPermittedReader(t *testing.T) {
	mem := nodetest.Start(t)
	root := nodetest.AuthUsers(t, mem.Endpoints())
	ctx := t.Context()
	first, err := root.Put(ctx, "/app/a", "1b")
	if err != nil {
		t.Fatal(err)
	}
	d, f := authView(t, mem.Endpoints(), "reader", nodetest.ReaderPassword, 100, 30, nil)
	m := d.m
	d.until("the permitted listing", d.contains("app/"))
	screen := ansi.Strip(m.View())
	if !strings.Contains(screen, "read") || !strings.Contains(screen, "permission denied: reading /: your roles (app-reader) allow /app/ (read)") {
		t.Fatalf("first screen:\n%s", screen)
	}
	d.Press("enter")
	d.until("/app/ listed and live", func() bool { return m.dir == "/app/" && m.live != nil && len(m.rows) == 2 })
	d.Press("H")
	d.until("the history of /app/a", func() bool { return m.hist.h.Key == "/app/a" && len(m.hist.h.Revs) == 2 })
	d.Press("esc")
	d.Send(TimeTravelMsg{Rev: first.Header.Revision - 1})
	d.until("pinned", func() bool { return m.pinRev == first.Header.Revision-1 })
	d.Send(TimeTravelMsg{Rev: 0})
	d.until("live again", func() bool { return m.pinRev == 0 && m.live != nil })
	d.Send(common.GotoMsg{Path: "/app/a"})
	d.until("/app/a selected", func() bool { return m.selectedName() == "a" })
	d.Press("e")
	d.until("the refusal", f.has("permission denied: writing /app/a: your roles (app-reader) allow /app/ (read)"))
	if m.focused() == focusPrompt || m.focused() == focusEditor {
		t.Fatal("an editor opened for a write the roles refuse")
	}
}

// TestPermittedWriterAndPrefix: the writer's first screen lists /app/w/ (readwrite); going up
// from /app/w/ lists /app/ as the writer may see it; --prefix starts the view at /app/w/.
func TestPermittedWriterAndPrefix(t *testing.T) {
	mem := nodetest.Start(t)
	nodetest.AuthUsers(t, mem.Endpoints())
	d, _ := authView(t, mem.Endpoints(), "writer", nodetest.WriterPassword, 100, 30, nil)
	m := d.m
	d.until("the permitted listing", d.contains("app/w/"))
	if r, ok := m.selected(); !ok || m.permission(r) != cluster.PermReadWrite {
		t.Fatalf("selected %+v, permission %q", r, m.permission(r))
	}
	d.Press("enter")
	d.until("/app/w/ listed", func() bool { return m.dir == "/app/w/" && len(m.rows) == 1 && m.live != nil })
	d.Press("h")
	d.until("/app/ as permitted", func() bool { return m.dir == "/app/" && m.permitted != nil && m.selectedName() == "w" })

	p, _ := authView(t, mem.Endpoints(), "writer", nodetest.WriterPassword, 100, 30, func(s *config.Settings) { s.Prefix = "/app/w/" })
	p.until("--prefix", func() bool { return p.m.dir == "/app/w/" && len(p.m.rows) == 1 && p.m.err == nil })
}
