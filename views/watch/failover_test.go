package watch

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/etcdeck/etcdeck/config"
	"github.com/etcdeck/etcdeck/embednode/nodetest"
	"github.com/etcdeck/etcdeck/keymap"
	"github.com/etcdeck/etcdeck/views/common"
	"github.com/etcdeck/etcdeck/views/common/viewtest"
)

// TestMemberKilledUnderTheWatch: three members, a writer running, and the member serving the
// view's watch stopped: a row says which member the watch reconnected to, and every write
// shows exactly once, revisions contiguous.
func TestMemberKilledUnderTheWatch(t *testing.T) {
	members := nodetest.StartCluster(t, 3)
	eps := nodetest.Endpoints(members...)
	s := viewtest.Session(t, eps)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	m := New(common.Common{Styles: common.NewStyles(false), Keys: keymap.DefaultKeyMap(), Session: s, Settings: config.Defaults()})
	m.SetSize(120, 30)
	t.Cleanup(func() {
		if cmd := m.stop(); cmd != nil {
			cmd()
		}
	})
	d := newDriver(t, m)
	d.watch("/fo/", 0)
	start := m.w.LastRev() + 1

	writer := nodetest.Client(t, eps)
	var written atomic.Int64
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			wctx, wcancel := context.WithTimeout(context.Background(), 2*time.Second)
			if _, err := writer.Put(wctx, fmt.Sprintf("/fo/%d", i), "v"); err == nil {
				written.Add(1)
			}
			wcancel()
			time.Sleep(2 * time.Millisecond)
		}
	}()
	d.until("some events", func() bool { return m.buf.total >= 20 })
	served := -1
	for i, mem := range members {
		st, err := nodetest.Client(t, mem.Endpoints()).Status(ctx, mem.Endpoints()[0])
		if err == nil && st.Header.MemberId == m.w.MemberID() {
			served = i
		}
	}
	if served < 0 {
		t.Fatalf("no member has the watch's ID %x", m.w.MemberID())
	}
	killed := fmt.Sprintf("m%d", served)
	members[served].Close(10 * time.Second)
	d.until("the reconnection row", d.contains("reconnected to member "))
	close(stop)
	<-done
	want := written.Load()
	d.until(fmt.Sprintf("%d events", want), func() bool { return m.buf.total >= want })

	var revs []int64
	var notes []string
	for i := range m.rows() {
		e := m.buf.bySeq(m.vis.at(i))
		if e.isNote() {
			notes = append(notes, e.note)
			continue
		}
		revs = append(revs, e.ev.Rev)
	}
	if int64(len(revs)) != want || m.buf.total != want {
		t.Fatalf("%d rows, total %d, for %d writes", len(revs), m.buf.total, want)
	}
	for i, r := range revs {
		if r != start+int64(i) {
			t.Fatalf("row %d has revision %d, want %d: a gap or a duplicate", i, r, start+int64(i))
		}
	}
	last := notes[len(notes)-1]
	if !strings.HasPrefix(last, "reconnected to member m") || strings.Contains(last, killed+" ") {
		t.Errorf("notes %q: want the last to name a member other than the stopped %s", notes, killed)
	}
	d.Press("P", "D") // hide every event: the notes stay
	if !strings.Contains(ansi.Strip(m.View()), "── reconnected to member") {
		t.Errorf("no reconnection row on screen:\n%s", ansi.Strip(m.View()))
	}
	t.Logf("%d writes, stopped %s; notes %q", want, killed, notes)
}
