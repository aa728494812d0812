package keys

import (
	"context"
	"strings"
	"testing"

	"github.com/etcdeck/etcdeck/config"
	"github.com/etcdeck/etcdeck/embednode/nodetest"
	"github.com/etcdeck/etcdeck/keymap"
	"github.com/etcdeck/etcdeck/views/common"
	"github.com/etcdeck/etcdeck/views/common/viewtest"
)

// TestOtherSeparator: with ':' as the separator the view opens at ":", lists "a:" as a
// directory, opens it, and shows rows with ':' after directory names.
func TestOtherSeparator(t *testing.T) {
	_, c := testView(t, 80, 24)
	for _, k := range []string{":app:db:host", ":app:db:port", ":app:name", ":other"} {
		if _, err := nodetest.Client(t, c.Endpoints()).Put(context.Background(), k, "v"); err != nil {
			t.Fatal(err)
		}
	}
	m := New(common.Common{Styles: common.NewStyles(false), Keys: keymap.DefaultKeyMap(), Session: viewtest.Session(t, c.Endpoints()),
		Settings: settings(func(s *config.Settings) { s.WatchBufferSize, s.Sep = 1000, ':' })})
	t.Cleanup(m.stopLive)
	m.SetSize(80, 24)
	d := newDriver(t, m)
	d.Run(m.Init())
	d.until("the root of ':'", d.contains("app:"))
	if m.dir != ":" {
		t.Fatalf("opened at %q, want \":\"", m.dir)
	}
	d.Press("enter")
	d.until(":app:", func() bool { return m.dir == ":app:" && strings.Contains(m.View(), "db:") })
	if !strings.Contains(m.View(), "name") {
		t.Fatalf(":app: should list db: and name:\n%s", m.View())
	}
}

// TestLargeValues: a directory of values at etcd's 1.5 MiB request limit lists with their sizes
// (fetched a few per transaction) and a live put of another one shows its size too.
func TestLargeValues(t *testing.T) {
	m, c := testView(t, 80, 24)
	big := strings.Repeat("x", 1536*1024-512)
	for _, k := range []string{"/big/a", "/big/b", "/big/c", "/big/d", "/big/e", "/big/f"} {
		if _, err := nodetest.Client(t, c.Endpoints()).Put(context.Background(), k, big); err != nil {
			t.Fatal(err)
		}
	}
	d := newDriver(t, m)
	d.Send(common.GotoMsg{Path: "/big/"})
	d.until("six sizes", func() bool { return strings.Count(m.View(), "1.5 MiB") == 6 })
	if _, err := nodetest.Client(t, c.Endpoints()).Put(context.Background(), "/big/g", big); err != nil {
		t.Fatal(err)
	}
	d.until("the live put", func() bool { return strings.Count(m.View(), "1.5 MiB") == 7 })
}
