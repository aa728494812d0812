package usage

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/cluster/backup"
	"github.com/etcdeck/etcdeck/config"
	"github.com/etcdeck/etcdeck/embednode"
	"github.com/etcdeck/etcdeck/keymap"
	"github.com/etcdeck/etcdeck/views/common"
)

// clock is the fixture's now: the backup was taken 2 hours before.
var clock = time.Date(2026, 12, 5, 21, 0, 0, 0, time.UTC)

func newPanel() Panel {
	s := config.Defaults()
	s.BackupDir = "/var/backups/etcd"
	return New(common.Common{Settings: s, Styles: common.NewStyles(false), Keys: keymap.DefaultKeyMap()})
}

// fixture is a report of a Kubernetes-like snapshot: events overwritten heavily, a prefix with a
// control character and bytes that are not UTF-8 (escaped on screen), 20 rows (some past the
// first screen), and the live children.
func fixture() Panel {
	p := newPanel()
	p.prefix, p.opened = "/registry/", clock
	p.liveDone, p.storedDone = true, true
	p.file = backup.File{Name: "etcd-snapshot-00000000000000ab-20261205T190000Z-rev90210.db", Time: clock.Add(-2 * time.Hour)}
	u := embednode.Usage{MinRev: 41200, MaxRev: 90210, CompactRev: 41199, Leases: []embednode.UsageLease{{ID: 0x694d8a0f1e2c3b4a, TTL: 3660, Keys: 812}, {ID: 0x694d8a0f1e2c3b4b, TTL: 60, Keys: 1}}, LeasedKeys: 813}
	names := []string{"events/", "pods/", "leases/", "configmaps/", "secrets/", "services/", "bad\x1b[2Jname\xff/"}
	for i := 0; i < 20; i++ {
		name := fmt.Sprintf("crd%02d/", i)
		if i < len(names) {
			name = names[i]
		}
		r := embednode.UsageRow{Prefix: "/registry/" + name, Revisions: int64(40000 / (i + 1)), Tombstones: int64(400 / (i + 1)), Bytes: int64(90 << 20 / (i*i + 1))}
		u.Rows = append(u.Rows, r)
		u.Revisions += r.Revisions
		u.Tombstones += r.Tombstones
		u.BucketBytes += r.Bytes
	}
	p.stored = u
	p.live = cluster.LiveUsageReport{Prefix: "/registry/", Rev: 90210, Rows: []cluster.LiveUsageRow{
		{Name: "/registry/pods/", Keys: 3000, KeyBytes: 120000, ValueBytes: 9 << 20},
		{Name: "/registry/events/", Keys: 812, KeyBytes: 60000, ValueBytes: 700 << 10},
		{Name: "/registry/leases/", Keys: 40, KeyBytes: 1600, ValueBytes: 12000},
	}}
	for _, r := range p.live.Rows {
		p.live.Keys += r.Keys
		p.live.Bytes += r.KeyBytes + r.ValueBytes
	}
	return p
}

// screen renders the panel in a content area of w×h with the ASCII colour profile.
func screen(p Panel, w, h int) string {
	var buf bytes.Buffer
	cw := &colorprofile.Writer{Forward: &buf, Profile: colorprofile.Ascii}
	cw.WriteString(common.Fit(p.View(w), w, h))
	return buf.String()
}

func TestGoldenUsage(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		w, h := size[0], size[1]-3 // the content area under the status bar and tabs
		for _, sc := range []struct {
			name  string
			panel func() Panel
		}{
			{"report", fixture},
			{"loading", func() Panel { p := newPanel(); p.prefix = "/registry/"; return p }},
			{"nobackup", func() Panel {
				p := fixture()
				p.noBackup, p.stored = true, embednode.Usage{}
				return p
			}},
			// No backup: the question comes first, naming the directory, the member and the size.
			{"question", func() Panel {
				p := fixture()
				p.noBackup, p.stored = true, embednode.Usage{}
				p.ask(offer{dir: "/var/backups/etcd", src: cluster.SnapshotSource{Endpoint: "10.0.0.5:2379", Role: "follower", DBSize: 372 << 20}})
				return p
			}},
			{"refused", func() Panel {
				p := fixture()
				p.noBackup, p.stored = true, embednode.Usage{}
				p.ask(offer{dir: "/var/backups/etcd", err: cluster.ErrReadOnly, refused: true})
				return p
			}},
			{"errors", func() Panel {
				p := fixture()
				p.storedErr = fmt.Errorf("/b/x.db: %w (exit status 2: assertion failed)", embednode.ErrUsageCrashed)
				p.liveErr = errors.New("usage of /registry/: permission denied")
				return p
			}},
		} {
			t.Run(fmt.Sprintf("%s_%dx%d", sc.name, size[0], size[1]), func(t *testing.T) {
				golden.RequireEqual(t, []byte(screen(sc.panel(), w, h)))
			})
		}
	}
}

// TestUsageEscapesAndSorts: a prefix holding a terminal escape and a byte that is not UTF-8
// is shown escaped; the first row shown is the largest, with the longest bar.
func TestUsageEscapesAndSorts(t *testing.T) {
	out := fixture().View(120)
	if strings.Contains(out, "\x1b[2J") {
		t.Fatalf("a raw escape reached the screen:\n%q", out)
	}
	if !strings.Contains(out, `bad\x1b[2Jname\xff/`) {
		t.Errorf("the odd prefix is not shown escaped:\n%s", out)
	}
	var first string
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, " /registry/") {
			first = l
			break
		}
	}
	if !strings.HasPrefix(first, " /registry/events/") || !strings.Contains(first, "########........") {
		t.Errorf("first row %q, want /registry/events/ with half a bar", first)
	}
}

// TestUsageDropsStale: a result of an earlier :usage, or of another session, is dropped; the
// current request's lands.
func TestUsageDropsStale(t *testing.T) {
	p := newPanel()
	p.Open("/a/")
	old := p.gen
	p.Open("/b/")
	p.liveDone = false // no session here: Open had nothing to ask
	stale := liveMsg{gen: old, rep: cluster.LiveUsageReport{Prefix: "/a/", Keys: 7}}
	if ok, _ := p.Update(stale); !ok || p.liveDone {
		t.Fatalf("a result of the earlier request landed: %+v", p.live)
	}
	if ok, _ := p.Update(liveMsg{sid: 99, gen: p.gen, rep: cluster.LiveUsageReport{Keys: 8}}); !ok || p.liveDone {
		t.Fatalf("another session's result landed: %+v", p.live)
	}
	p.Update(liveMsg{gen: p.gen, rep: cluster.LiveUsageReport{Prefix: "/b/", Keys: 9}})
	if !p.liveDone || p.live.Keys != 9 || p.prefix != "/b/" {
		t.Fatalf("the current result did not land: %+v", p.live)
	}
}
