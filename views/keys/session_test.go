package keys

import (
	"testing"

	"github.com/etcdeck/etcdeck/config"
	"github.com/etcdeck/etcdeck/keymap"
	"github.com/etcdeck/etcdeck/views/common"
	"github.com/etcdeck/etcdeck/views/common/viewtest"
)

// settings are the default settings changed by set.
func settings(set func(*config.Settings)) *config.Settings {
	s := config.Defaults()
	set(s)
	return s
}

// TestEndedSessionResultDropped: a listing produced by an ended session is not applied to the
// view of the current one, even with the current generation; the same result tagged with the
// current session is (so the session ID, not the generation, is what drops it).
func TestEndedSessionResultDropped(t *testing.T) {
	cur, c := testView(t, 80, 24)
	old := viewtest.SessionOf(t, c.Config(), "old", nil)
	oldView := New(common.Common{Keys: keymap.DefaultKeyMap(), Session: old})
	msg, ok := oldView.open("/registry/", "")().(listedMsg)
	if !ok || msg.err != nil || len(msg.listing.Rows) == 0 {
		t.Fatalf("the old session's listing: %+v", msg)
	}
	old.End()
	if old.ID == cur.common.SessionID() {
		t.Fatal("two sessions share an ID")
	}

	d := newDriver(t, cur)
	d.Send(cur.Init()())
	d.until("/ listed", func() bool { return cur.dir == "/" && len(cur.rows) > 0 })
	before := cur.View()
	msg.gen = cur.gen // only the session differs
	d.Send(msg)
	if got := cur.View(); got != before {
		t.Fatalf("a result of the ended session was applied:\n%s", got)
	}

	msg.sid = cur.common.SessionID()
	d.Send(msg)
	if cur.View() == before {
		t.Fatal("the same result from the current session was not applied: the test proves nothing")
	}
}
