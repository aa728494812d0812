package clusterview

import (
	"context"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/etcdeck/etcdeck/views/common"
	"github.com/etcdeck/etcdeck/views/common/viewtest"
)

// TestDetailsShowConsoleMemory: a sample taken by the view's own poller (this test process's
// memory, and the limit the runtime holds) shows at the end of the details, and says where the
// limit came from.
func TestDetailsShowConsoleMemory(t *testing.T) {
	old := debug.SetMemoryLimit(320 << 20)
	defer debug.SetMemoryLimit(old)
	m := fixtureView(120, 80) // tall enough for the whole details
	m.self = newSelfMem(context.Background(), time.Hour)
	msg := m.self.focus()()
	if _, mine, _ := m.self.update(msg); !mine || m.self.last == nil {
		t.Fatalf("the poller's result %T was not taken", msg)
	}
	if m.self.last.Limit != 320<<20 {
		t.Errorf("sampled limit %d, want the runtime's %d", m.self.last.Limit, 320<<20)
	}
	d := viewtest.New(t, m)
	d.Press("enter")
	s := ansi.Strip(m.View())
	for _, want := range []string{"This console (etcdeck)", "heap ", "memory limit 320.0 MiB (watch buffer + caches + runtime)"} {
		if !strings.Contains(s, want) {
			t.Errorf("details lack %q:\n%s", want, s)
		}
	}
	if m.self.err == "" && !strings.Contains(s, "resident ") {
		t.Errorf("details lack the resident memory:\n%s", s)
	}

	m.self.last = &common.SelfMemory{RSS: 90 << 20, PeakRSS: 120 << 20, Heap: 40 << 20, Limit: 100 << 20, FromEnv: true}
	if s := ansi.Strip(m.View()); !strings.Contains(s, "resident 90.0 MiB (peak 120.0 MiB) · heap 40.0 MiB · memory limit 100.0 MiB (GOMEMLIMIT)") {
		t.Errorf("details do not say the limit came from GOMEMLIMIT:\n%s", s)
	}
	m.self.last.Limit = 0
	if s := ansi.Strip(m.View()); !strings.Contains(s, "no memory limit") {
		t.Errorf("details do not say there is no limit:\n%s", s)
	}
}
