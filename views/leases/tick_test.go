package leases

import (
	"testing"
	"time"

	"github.com/etcdeck/etcdeck/keymap"
	"github.com/etcdeck/etcdeck/views/common"
)

// TestCountdownStopsWithoutLeases: on screen with no lease the countdown tick is not re-armed
// (an idle console redrew the view every second for nothing); a listing with a lease starts it
// again.
func TestCountdownStopsWithoutLeases(t *testing.T) {
	m := New(common.Common{Styles: common.NewStyles(false), Keys: keymap.DefaultKeyMap()})
	m.SetSize(80, 20)
	m.shown, m.ticking = true, true // as Focus leaves it
	m.listedIDs(nil, nil)
	if _, cmd := m.Update(tickMsg{gen: m.tickGen, at: time.Now()}); cmd != nil || m.ticking {
		t.Fatalf("with no lease the tick re-armed (ticking %v)", m.ticking)
	}
	if m.listedIDs([]int64{7}, nil); !m.ticking {
		t.Fatal("a listing with a lease did not start the countdown")
	}
	if _, cmd := m.Update(tickMsg{gen: m.tickGen, at: time.Now()}); cmd == nil {
		t.Fatal("with a lease the tick did not re-arm")
	}
	m.Blur()
	if m.listedIDs([]int64{7, 8}, nil); m.ticking {
		t.Fatal("a listing while hidden started the countdown")
	}
}
