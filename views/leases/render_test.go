package leases

import (
	"bytes"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/keymap"
	"github.com/etcdeck/etcdeck/views/common"
	"github.com/etcdeck/etcdeck/views/common/viewtest"
)

// screen renders the view with the ASCII colour profile, as the goldens hold it.
func screen(m *Model) string {
	var buf bytes.Buffer
	w := &colorprofile.Writer{Forward: &buf, Profile: colorprofile.Ascii}
	w.WriteString(m.View())
	return buf.String()
}

// clock is the fixture's now: TTLs are read 12 s before it.
var clock = time.Date(2026, 12, 5, 21, 0, 0, 0, time.UTC)

// fixtureView is the view at w×h listing 60 leases (Kubernetes-like: most 1h with keys, a few
// short ones, orphans, one expired), the rows on screen read, a surge over the last minute.
func fixtureView(w, h int) *Model {
	m := New(common.Common{Styles: common.NewStyles(false), Keys: keymap.DefaultKeyMap()})
	m.SetSize(w, h)
	var ids []int64
	for i := range 60 {
		ids = append(ids, 0x694d7a1e2f3b0c00+int64(i))
	}
	m.listedIDs(ids, nil)
	m.history = nil
	for i, n := range []int{12, 12, 13, 12, 40, 58, 60} {
		m.history = append(m.history, countAt{at: clock.Add(time.Duration(i-6) * pollEvery), n: n})
	}
	read := clock.Add(-12 * time.Second)
	for i, id := range m.visible() {
		l := cluster.Lease{ID: id, Granted: 3660, TTL: 3600 - int64(i)*61, NumKeys: 1 + i%4, Read: read}
		switch {
		case i == 2:
			l.Granted, l.TTL, l.NumKeys = 60, 45, 0
		case i == 3:
			l.TTL = -1
		case i%7 == 5:
			l.NumKeys = 0
		}
		if i < 15 { // the rest is still being read
			m.detail[id] = l
		}
	}
	m.sum = &cluster.LeaseSummary{Leases: 60, Sampled: 59, KeysAttached: 121, Orphans: 9, ByTTL: []int{1, 0, 0, 58, 0}}
	m.now = clock
	return m
}

// TestGoldenLeases renders the view at 80x24 and 120x40: listing, the list with its summary
// and surge, no leases, a failed listing, a lease's keys, and the revoke question.
func TestGoldenLeases(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		w, h := size[0], size[1]
		for _, sc := range []struct {
			name string
			view func() *Model
		}{
			{"listing", func() *Model {
				m := New(common.Common{Styles: common.NewStyles(false), Keys: keymap.DefaultKeyMap()})
				m.SetSize(w, h)
				return m
			}},
			{"list", func() *Model {
				m := fixtureView(w, h)
				m.Update(viewtest.Key("j"))
				return m
			}},
			{"empty", func() *Model {
				m := New(common.Common{Styles: common.NewStyles(false), Keys: keymap.DefaultKeyMap()})
				m.SetSize(w, h)
				m.listedIDs(nil, nil)
				m.sum = &cluster.LeaseSummary{ByTTL: make([]int, 5)}
				return m
			}},
			{"error", func() *Model {
				m := New(common.Common{Styles: common.NewStyles(false), Keys: keymap.DefaultKeyMap()})
				m.SetSize(w, h)
				m.listedIDs(nil, errors.New("etcdserver: permission denied"))
				return m
			}},
			{"keys", func() *Model {
				m := fixtureView(w, h)
				m.Update(viewtest.Key("enter"))
				var keys []string
				for i := range 30 {
					keys = append(keys, fmt.Sprintf("/registry/events/default/web-%d.187e3f%02d", i, i))
				}
				m.keys.arrived(keysMsg{gen: m.keys.gen, lease: cluster.Lease{ID: m.list[0], Granted: 3660, TTL: 3588, Keys: keys, NumKeys: len(keys), Read: clock.Add(-12 * time.Second)}})
				m.Update(viewtest.Key("j"))
				return m
			}},
			{"revoke", func() *Model {
				m := fixtureView(w, h)
				keys := []string{"/registry/events/default/a", "/registry/events/default/b", "/registry/events/default/c", "/registry/events/default/d"}
				m.revokeRead(revokeReadMsg{lease: cluster.Lease{ID: m.list[0], Granted: 3660, TTL: 3588, Keys: keys, NumKeys: 4, Read: clock}})
				return m
			}},
		} {
			t.Run(fmt.Sprintf("%s_%dx%d", sc.name, w, h), func(t *testing.T) {
				golden.RequireEqual(t, []byte(screen(sc.view())))
			})
		}
	}
}

// TestFormatTTL writes TTLs in the units they are granted in.
func TestFormatTTL(t *testing.T) {
	for secs, want := range map[int64]string{0: "0s", 45: "45s", 60: "1m", 90: "1m30s", 3600: "1h", 3660: "1h1m", 86400: "1d", 90061: "1d1h1m1s"} {
		if got := formatTTL(secs); got != want {
			t.Errorf("formatTTL(%d) = %q, want %q", secs, got, want)
		}
	}
}
