package watch

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"
	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/config"
	"github.com/etcdeck/etcdeck/embednode/nodetest"
	"github.com/etcdeck/etcdeck/keymap"
	"github.com/etcdeck/etcdeck/views/common"
	"github.com/etcdeck/etcdeck/views/common/viewtest"
)

// testView starts a fresh member and a Watch view on it, sized w×h, with a watch buffer of
// buffer events.
func testView(t *testing.T, w, h, buffer int) (*Model, *cluster.Client) {
	t.Helper()
	mem := nodetest.Start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := cluster.Connect(ctx, cluster.ConnConfig{Endpoints: mem.Endpoints(), InsecureTransport: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	st := config.Defaults()
	st.WatchBufferSize = buffer
	s := cluster.NewSession(context.Background(), c, "test", nil)
	t.Cleanup(s.End)
	v := New(common.Common{Styles: common.NewStyles(false), Keys: keymap.DefaultKeyMap(), Session: s, Settings: st})
	t.Cleanup(func() {
		if cmd := v.stop(); cmd != nil {
			cmd() // waits for the watch goroutine
		}
	})
	v.SetSize(w, h)
	return v, c
}

// driver runs the view's commands in goroutines and feeds their messages back, as Bubble Tea
// does; tests wait for a condition instead of sleeping.
type driver struct {
	*viewtest.Driver
	t       *testing.T
	m       *Model
	batches int // watch batches delivered
	values  int // events delivered with their value bytes (the view asks for none)
}

func newDriver(t *testing.T, m *Model) *driver {
	d := &driver{Driver: viewtest.New(t, m), t: t, m: m}
	d.Seen = func(msg tea.Msg) {
		if b, ok := msg.(watchBatchMsg); ok {
			d.batches++
			for _, ev := range b.batch.Events {
				if ev.Value != nil {
					d.values++
				}
			}
		}
	}
	return d
}

// until processes messages until cond holds.
func (d *driver) until(what string, cond func() bool) {
	d.t.Helper()
	deadline := time.After(10 * time.Second)
	for !cond() {
		select {
		case msg := <-d.Msgs:
			d.Send(msg)
		case <-time.After(10 * time.Millisecond): // cond may read state no message brings
		case <-deadline:
			d.t.Fatalf("timed out waiting for %s; screen:\n%s", what, ansi.Strip(d.m.View()))
		}
	}
}

// watch starts watching prefix and waits until the server has registered the watch, so every
// write after it is delivered.
func (d *driver) watch(prefix string) {
	d.t.Helper()
	d.Send(common.WatchMsg{Prefix: prefix})
	w := d.m.w
	d.until("the watch to be registered", func() bool { return w.LastRev() > 0 })
}

func (d *driver) screen() string {
	var buf bytes.Buffer
	w := &colorprofile.Writer{Forward: &buf, Profile: colorprofile.Ascii}
	w.WriteString(d.m.View())
	return buf.String()
}

func (d *driver) contains(s string) func() bool {
	return func() bool { return strings.Contains(ansi.Strip(d.m.View()), s) }
}

func (d *driver) rowCount(n int) func() bool { return func() bool { return d.m.rows.len() == n } }

// rowsText lists the rows the view holds as "rev PUT key size", oldest first.
func (m *Model) rowsText() []string {
	var out []string
	for i := 0; i < m.rows.len(); i++ {
		r := m.rows.at(i)
		out = append(out, fmt.Sprintf("%d %s %s %d", r.rev, r.kind, r.key, r.size))
	}
	return out
}

func put(t *testing.T, c *cluster.Client, k, v string) int64 {
	t.Helper()
	resp, err := nodetest.Client(t, c.Endpoints()).Put(context.Background(), k, v)
	if err != nil {
		t.Fatal(err)
	}
	return resp.Header.Revision
}

// TestEventsInOrder: puts and deletes under the prefix arrive in order with their revisions
// and sizes; writes elsewhere do not.
func TestEventsInOrder(t *testing.T) {
	m, c := testView(t, 80, 24, 0)
	d := newDriver(t, m)
	d.watch("/a/")
	r1 := put(t, c, "/a/one", "12345")
	put(t, c, "/b/other", "x")
	r3 := put(t, c, "/a/two\x01", strings.Repeat("y", 2048))
	resp, err := nodetest.Client(t, c.Endpoints()).Delete(context.Background(), "/a/one")
	if err != nil {
		t.Fatal(err)
	}
	d.until("three events", d.rowCount(3))
	want := []string{
		fmt.Sprintf("%d put /a/one 5", r1),
		fmt.Sprintf("%d put /a/two\x01 2048", r3),
		fmt.Sprintf("%d delete /a/one 0", resp.Header.Revision),
	}
	if got := m.rowsText(); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("rows:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	s := ansi.Strip(m.View())
	for _, w := range []string{"watching /a/", `/a/two\x01`, "2.0 KiB", "DEL", "3 events", "following"} {
		if !strings.Contains(s, w) {
			t.Errorf("screen lacks %q:\n%s", w, s)
		}
	}
	if strings.Contains(s, "/b/other") {
		t.Errorf("a write outside the prefix is shown:\n%s", s)
	}
}

// TestReplace: a new WatchMsg closes the old watch (its goroutine ends), empties the list and
// shows only events under the new prefix.
func TestReplace(t *testing.T) {
	m, c := testView(t, 80, 24, 0)
	d := newDriver(t, m)
	d.watch("/a/")
	put(t, c, "/a/old", "1")
	d.until("the first event", d.rowCount(1))
	old := m.w
	d.watch("/b/")
	closed := make(chan struct{})
	go func() { old.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(2 * time.Second):
		t.Fatal("the replaced watch's goroutine is still running")
	}
	if m.rows.len() != 0 || !strings.Contains(ansi.Strip(m.View()), "watching /b/") {
		t.Fatalf("after the new watch:\n%s", ansi.Strip(m.View()))
	}
	put(t, c, "/a/ignored", "1")
	put(t, c, "/b/new", "22")
	d.until("the new prefix's event", d.rowCount(1))
	d.Settle(200 * time.Millisecond)
	if got := m.rowsText(); len(got) != 1 || !strings.HasSuffix(got[0], "put /b/new 2") {
		t.Fatalf("rows after the replacement: %q", got)
	}
}

// TestPauseResume: while paused the list does not change and the watch (with a buffer far
// smaller than the writes) holds everything; after resuming every event arrives, in order.
func TestPauseResume(t *testing.T) {
	m, c := testView(t, 80, 24, 16)
	d := newDriver(t, m)
	d.watch("/p/")
	d.Press("space")
	first := put(t, c, "/p/k000", "v")
	for i := 1; i < 200; i++ {
		put(t, c, fmt.Sprintf("/p/k%03d", i), "v")
	}
	d.Settle(300 * time.Millisecond)
	if m.rows.len() != 0 || !d.contains("PAUSED")() {
		t.Fatalf("while paused the list changed (%d rows):\n%s", m.rows.len(), ansi.Strip(m.View()))
	}
	d.Press("space")
	d.until("every event", d.rowCount(200))
	for i, r := range m.rowsText() {
		if want := fmt.Sprintf("%d put /p/k%03d 1", first+int64(i), i); r != want {
			t.Fatalf("row %d is %q, want %q", i, r, want)
		}
	}
	if d.contains("PAUSED")() || m.state != nil {
		t.Fatalf("after resuming:\n%s", ansi.Strip(m.View()))
	}
}

// TestCompactedWhilePaused: revisions compacted while the paused watch waited end it with a
// message saying how to start again, after the events it did hold.
func TestCompactedWhilePaused(t *testing.T) {
	m, c := testView(t, 80, 24, 16)
	d := newDriver(t, m)
	d.watch("/p/")
	d.Press("space")
	var last int64
	for i := 0; i < 100; i++ {
		last = put(t, c, fmt.Sprintf("/p/k%03d", i), "v")
	}
	if _, err := nodetest.Client(t, c.Endpoints()).Compact(context.Background(), last); err != nil {
		t.Fatal(err)
	}
	d.Press("space")
	d.until("the compacted state", d.contains("were compacted"))
	if m.w != nil || m.rows.len() == 0 || m.rows.len() >= 100 || !d.contains("stopped")() {
		t.Fatalf("after compaction: %d rows, watch %v:\n%s", m.rows.len(), m.w, ansi.Strip(m.View()))
	}
}

// TestClearFollowAndLimit: clear empties the list; moving up leaves follow mode and the cursor
// stays on its event while new ones arrive; G follows again; the list keeps only the newest.
func TestClearFollowAndLimit(t *testing.T) {
	m, c := testView(t, 80, 24, 0)
	d := newDriver(t, m)
	d.watch("/c/")
	put(t, c, "/c/a", "1")
	d.until("an event", d.rowCount(1))
	d.Press("c")
	if m.rows.len() != 0 || !d.contains("0 events")() {
		t.Fatalf("after clear:\n%s", ansi.Strip(m.View()))
	}
	m.rows = newRing(30)
	for i := 0; i < 25; i++ {
		put(t, c, fmt.Sprintf("/c/k%02d", i), "v")
	}
	d.until("25 events", d.rowCount(25))
	if m.cursor != 24 || m.offset != 25-m.listHeight() {
		t.Fatalf("following: cursor %d offset %d", m.cursor, m.offset)
	}
	d.Press("k", "k")
	if m.follow || m.rows.at(m.cursor).key != "/c/k22" {
		t.Fatalf("after k k: follow %v, cursor on %q", m.follow, m.rows.at(m.cursor).key)
	}
	for i := 25; i < 40; i++ {
		put(t, c, fmt.Sprintf("/c/k%02d", i), "v")
	}
	d.until("the newest event", func() bool { return m.rows.len() == 30 && m.rows.at(29).key == "/c/k39" })
	if got := m.rows.at(m.cursor).key; got != "/c/k22" {
		t.Fatalf("the cursor moved to %q while scrolled, want /c/k22", got)
	}
	if !d.contains("10 older left the list")() {
		t.Fatalf("the status line does not count the dropped events:\n%s", ansi.Strip(m.View()))
	}
	d.Press("g")
	if m.cursor != 0 || m.offset != 0 {
		t.Fatalf("g: cursor %d offset %d", m.cursor, m.offset)
	}
	d.Press("G")
	if !m.follow || m.cursor != 29 {
		t.Fatalf("G: follow %v cursor %d", m.follow, m.cursor)
	}
}

// TestNotWatching: before any WatchMsg the view says how to start one and offers no keys; help
// never offers the filter, which the view does not have.
func TestNotWatching(t *testing.T) {
	m := New(common.Common{Styles: common.NewStyles(false), Keys: keymap.DefaultKeyMap()})
	m.SetSize(80, 24)
	if s := ansi.Strip(m.View()); !strings.Contains(s, "press w in the Keys view or type :watch <prefix>") {
		t.Fatalf("empty view:\n%s", s)
	}
	if len(m.ShortHelp()) != 0 || len(m.FullHelp()) != 0 {
		t.Fatal("help offers keys before anything is watched")
	}
	m.Update(common.WatchMsg{Prefix: "/x/"})
	for _, g := range append(m.FullHelp(), m.ShortHelp()) {
		for _, b := range g {
			if b.Help().Key == "/" {
				t.Fatal("help offers the filter")
			}
		}
	}
	if s := ansi.Strip(m.View()); !strings.Contains(s, "not connected") {
		t.Fatalf("without a client:\n%s", s)
	}
}

// TestBurst: 12,000 events written in transactions of 128 reach the view in a few messages
// (never one per event), in order; the list keeps the newest 10,000 and counts the rest.
func TestBurst(t *testing.T) {
	m, c := testView(t, 80, 24, 0)
	d := newDriver(t, m)
	d.watch("/burst/")
	const total = 12000
	start := time.Now()
	var ops []clientv3.Op
	for i := 0; i < total; i++ {
		ops = append(ops, clientv3.OpPut(fmt.Sprintf("/burst/k%05d", i), "v"))
		if len(ops) == 128 || i == total-1 {
			if _, err := nodetest.Client(t, c.Endpoints()).Txn(context.Background()).Then(ops...).Commit(); err != nil {
				t.Fatal(err)
			}
			ops = ops[:0]
		}
	}
	d.until("every event", func() bool { return m.dropped+m.rows.len() == total })
	took := time.Since(start)
	if m.rows.len() != maxRows || m.dropped != total-maxRows {
		t.Fatalf("the list holds %d events and dropped %d, want %d and %d", m.rows.len(), m.dropped, maxRows, total-maxRows)
	}
	for i := 0; i < m.rows.len(); i++ {
		if want := fmt.Sprintf("/burst/k%05d", total-maxRows+i); m.rows.at(i).key != want {
			t.Fatalf("row %d is %q, want %q", i, m.rows.at(i).key, want)
		}
	}
	if d.batches > total/50 {
		t.Errorf("%d events came in %d messages, want batches", total, d.batches)
	}
	t.Logf("%d events written and shown in %v, in %d messages", total, took, d.batches)
	if !d.contains("2,000 older left the list")() {
		t.Errorf("the status line does not count the dropped events:\n%s", ansi.Strip(m.View()))
	}
}
