package keys

import (
	"context"
	"strings"
	"testing"

	"github.com/etcdeck/etcdeck/keymap"
	"github.com/etcdeck/etcdeck/views/common"
)

// TestOtherSeparator: with ':' as the separator the view opens at ":", lists "a:" as a
// directory, opens it, and shows rows with ':' after directory names.
func TestOtherSeparator(t *testing.T) {
	_, c := testView(t, 80, 24)
	for _, k := range []string{":app:db:host", ":app:db:port", ":app:name", ":other"} {
		if _, err := c.Etcd().Put(context.Background(), k, "v"); err != nil {
			t.Fatal(err)
		}
	}
	m := New(common.Common{Styles: common.NewStyles(false), Keys: keymap.DefaultKeyMap(), Client: c, WatchBufferSize: 1000, Sep: ':'})
	t.Cleanup(m.stopLive)
	m.SetSize(80, 24)
	d := newDriver(t, m)
	d.run(m.Init())
	d.until("the root of ':'", d.contains("app:"))
	if m.dir != ":" {
		t.Fatalf("opened at %q, want \":\"", m.dir)
	}
	d.press("enter")
	d.until(":app:", func() bool { return m.dir == ":app:" && strings.Contains(m.View(), "db:") })
	if !strings.Contains(m.View(), "name") {
		t.Fatalf(":app: should list db: and name:\n%s", m.View())
	}
}
