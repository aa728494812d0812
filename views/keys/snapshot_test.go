package keys

import (
	"context"
	"errors"
	"fmt"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/embednode/nodetest"
	"github.com/etcdeck/etcdeck/keymap"
	"github.com/etcdeck/etcdeck/views/common"
	"github.com/etcdeck/etcdeck/views/common/viewtest"
)

// TestSnapshotSaysSnapshot: on an opened snapshot (a client WithSnapshot) the title says
// `rev N · snapshot`, not `· live`, and a write is refused as "snapshot <file> is read-only"
// (it said "started with --read-only", a flag never given), still ErrReadOnly and audited.
// Goldens at 80x24 and 120x40.
func TestSnapshotSaysSnapshot(t *testing.T) {
	member := nodetest.Start(t)
	etcd := nodetest.Client(t, member.Endpoints())
	for _, k := range []string{"/app/config", "/app/notes"} {
		if _, err := etcd.Put(context.Background(), k, "v"); err != nil {
			t.Fatal(err)
		}
	}
	s := viewtest.Session(t, member.Endpoints(), cluster.WithSnapshot("/backups/etcd-snapshot-2026-12-05-rev102.db"))
	if _, err := s.Client.Put(context.Background(), "/app/x", []byte("v"), cluster.PutOptions{}); !errors.Is(err, cluster.ErrReadOnly) ||
		err.Error() != "snapshot etcd-snapshot-2026-12-05-rev102.db is read-only: writes are disabled (:close goes back to the cluster)" {
		t.Fatalf("a write on a snapshot: %v", err)
	}
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		t.Run(fmt.Sprintf("snapshot_%dx%d", size[0], size[1]), func(t *testing.T) {
			v := New(common.Common{Styles: common.NewStyles(false), Keys: keymap.DefaultKeyMap(), Session: s})
			t.Cleanup(v.stopLive)
			v.SetSize(size[0], size[1])
			d := newDriver(t, v)
			var flash []string
			d.Seen = func(msg tea.Msg) {
				if fm, ok := msg.(common.FlashMsg); ok {
					flash = append(flash, fm.Text)
				}
			}
			d.Send(gotoDir("/app/notes"))
			d.until("the listing", d.contains("notes"))
			if !d.contains("rev 3 · snapshot")() || d.contains("live")() {
				t.Fatalf("title on a snapshot:\n%s", d.screen())
			}
			d.Press("e")
			d.until("the refusal", func() bool { return len(flash) > 0 })
			if flash[0] != "snapshot etcd-snapshot-2026-12-05-rev102.db is read-only: writes are disabled (:close goes back to the cluster)" {
				t.Fatalf("e on a snapshot: %q", flash)
			}
			golden.RequireEqual(t, []byte(d.screen()))
		})
	}
}
