package watch

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"sync"
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

// testClock is a fixed local time, so rows and goldens read the same on every run.
var testClock = time.Date(2026, 12, 1, 9, 30, 15, 250e6, time.UTC)

// testView starts a fresh member and a Watch view on it, sized w×h, with a buffer of count
// events (0: the default).
func testView(t *testing.T, w, h, count int) (*Model, *cluster.Client) {
	t.Helper()
	mem := nodetest.Start(t)
	s := viewtest.Session(t, mem.Endpoints())
	c := s.Client
	st := config.Defaults()
	if count > 0 {
		st.WatchBufferSize = count
	}
	v := New(common.Common{Styles: common.NewStyles(false), Keys: keymap.DefaultKeyMap(), Session: s, Settings: st})
	v.now = func() time.Time { return testClock }
	v.exportDir = t.TempDir()
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
	mu      sync.Mutex
	batches int // watch batches delivered
	bells   int
	alerts  []common.AlertMsg
	flashes []string
	exports []exportedMsg
}

func newDriver(t *testing.T, m *Model) *driver {
	d := &driver{Driver: viewtest.New(t, m), t: t, m: m}
	d.Seen = func(msg tea.Msg) {
		switch msg := msg.(type) {
		case watchBatchMsg:
			d.batches++
		case tea.RawMsg:
			if msg.Msg == "\a" {
				d.bells++
			}
		case common.AlertMsg:
			d.alerts = append(d.alerts, msg)
		case common.FlashMsg:
			d.flashes = append(d.flashes, msg.Text)
		case exportedMsg:
			d.exports = append(d.exports, msg)
		}
	}
	return d
}

// until processes messages until cond holds.
func (d *driver) until(what string, cond func() bool) {
	d.t.Helper()
	deadline := time.After(20 * time.Second)
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

// watch starts watching prefix (from rev when > 0) and waits until the server has registered
// the watch, so every write after it is delivered.
func (d *driver) watch(prefix string, rev int64) {
	d.t.Helper()
	d.Send(common.WatchMsg{Prefix: prefix, Rev: rev})
	w := d.m.w
	d.until("the watch to be registered", func() bool { return w.LastRev() > 0 || rev > 0 })
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

func (d *driver) rowCount(n int) func() bool { return func() bool { return d.m.rows() == n } }

// rowsText lists the rows shown as "rev put key size" (notes as "note: text"), oldest first.
func (m *Model) rowsText() []string {
	var out []string
	for i := range m.rows() {
		e := m.buf.bySeq(m.vis.at(i))
		if e.isNote() {
			out = append(out, "note: "+e.note)
			continue
		}
		out = append(out, fmt.Sprintf("%d %s %s %d", e.ev.Rev, e.ev.Kind, e.ev.Key, e.ev.ValueSize))
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

// TestEventsInOrder: puts and deletes under the prefix arrive in order with their revisions,
// sizes and previews; writes elsewhere do not; the title counts them exactly.
func TestEventsInOrder(t *testing.T) {
	m, c := testView(t, 100, 24, 0)
	d := newDriver(t, m)
	d.watch("/a/", 0)
	r1 := put(t, c, "/a/one", "12345")
	put(t, c, "/b/other", "x")
	r3 := put(t, c, "/a/two\x01", strings.Repeat("y", 2048))
	resp, err := etcd(t, c).Delete(context.Background(), "/a/one")
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
	for _, w := range []string{"Watch  /a/", `/a/two\x01`, "2.0 KiB", "DEL", "3 events", "0 dropped", "09:30:15.250",
		"12345", fmt.Sprintf("live at rev %d", resp.Header.Revision)} {
		if !strings.Contains(s, w) {
			t.Errorf("screen lacks %q:\n%s", w, s)
		}
	}
	if strings.Contains(s, "/b/other") {
		t.Errorf("a write outside the prefix is shown:\n%s", s)
	}
}

// TestReplaceAndReplay: a new WatchMsg closes the old watch and empties the list; one with
// --rev replays history from that revision first.
func TestReplaceAndReplay(t *testing.T) {
	m, c := testView(t, 80, 24, 0)
	d := newDriver(t, m)
	d.watch("/a/", 0)
	first := put(t, c, "/a/old", "1")
	put(t, c, "/a/older", "2")
	d.until("two events", d.rowCount(2))
	old := m.w
	d.watch("/b/", 0)
	closed := make(chan struct{})
	go func() { old.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(2 * time.Second):
		t.Fatal("the replaced watch's goroutine is still running")
	}
	if m.rows() != 0 || !d.contains("Watch  /b/")() {
		t.Fatalf("after the new watch:\n%s", ansi.Strip(m.View()))
	}
	put(t, c, "/a/ignored", "1")
	put(t, c, "/b/new", "22")
	d.until("the new prefix's event", d.rowCount(1))

	d.watch("/a/", first)
	d.until("history from --rev", d.rowCount(3))
	want := []string{fmt.Sprintf("%d put /a/old 1", first), fmt.Sprintf("%d put /a/older 1", first+1),
		fmt.Sprintf("%d put /a/ignored 1", first+2)}
	if got := m.rowsText(); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("replayed rows %q, want %q", got, want)
	}
	if !d.contains(fmt.Sprintf("/a/ from rev %d", first))() {
		t.Errorf("the title does not say where the replay started:\n%s", ansi.Strip(m.View()))
	}
}

// TestPauseResume: while paused the list does not change, events keep arriving into the buffer
// and the title counts them as waiting; after resuming every event shows, in order.
func TestPauseResume(t *testing.T) {
	m, c := testView(t, 80, 24, 0)
	d := newDriver(t, m)
	d.watch("/p/", 0)
	d.Press("space")
	first := put(t, c, "/p/k000", "v")
	for i := 1; i < 200; i++ {
		put(t, c, fmt.Sprintf("/p/k%03d", i), "v")
	}
	d.until("200 waiting", d.contains("paused with 200 waiting"))
	if m.rows() != 0 || !d.contains("200 events")() || m.buf.total != 200 {
		t.Fatalf("while paused the list changed (%d rows):\n%s", m.rows(), ansi.Strip(m.View()))
	}
	d.Press("space")
	if m.rows() != 200 {
		t.Fatalf("after resuming %d rows, want 200 at once", m.rows())
	}
	for i, r := range m.rowsText() {
		if want := fmt.Sprintf("%d put /p/k%03d 1", first+int64(i), i); r != want {
			t.Fatalf("row %d is %q, want %q", i, r, want)
		}
	}
	if d.contains("paused")() || m.state != nil {
		t.Fatalf("after resuming:\n%s", ansi.Strip(m.View()))
	}
}

// TestCompactionPastStart: a replay from a compacted revision says exactly which revisions
// were lost, in a row, and continues from the compaction revision without user action.
func TestCompactionPastStart(t *testing.T) {
	m, c := testView(t, 120, 24, 0)
	d := newDriver(t, m)
	start := put(t, c, "/cp/k00", "v")
	for i := 1; i < 10; i++ {
		put(t, c, fmt.Sprintf("/cp/k%02d", i), "v")
	}
	compactAt := start + 6
	if _, err := etcd(t, c).Compact(context.Background(), compactAt); err != nil {
		t.Fatal(err)
	}
	d.watch("/cp/", start)
	d.until("the loss and what is left", d.rowCount(5))
	rows := m.rowsText()
	wantNote := fmt.Sprintf("note: revisions %d–%d compacted before the watch read them: their changes are lost; continuing from %d",
		start, compactAt-1, compactAt)
	if rows[0] != wantNote || rows[1] != fmt.Sprintf("%d put /cp/k06 1", compactAt) {
		t.Fatalf("rows %q\nwant first %q", rows, wantNote)
	}
	last := put(t, c, "/cp/after", "v")
	d.until("the watch continuing", d.rowCount(6))
	if m.w == nil || !d.contains(fmt.Sprintf("live at rev %d", last))() || !d.contains("5 events")() {
		t.Fatalf("after the loss:\n%s", ansi.Strip(m.View()))
	}
}

// TestClearFollowAndLimit: clear empties the list but keeps the total; moving up leaves
// follow mode and the cursor stays on its event while new ones push the oldest out; G follows.
func TestClearFollowAndLimit(t *testing.T) {
	m, c := testView(t, 80, 24, 30)
	d := newDriver(t, m)
	d.watch("/c/", 0)
	put(t, c, "/c/a", "1")
	d.until("an event", d.rowCount(1))
	d.Press("c")
	if m.rows() != 0 || !d.contains("1 event ")() {
		t.Fatalf("after clear:\n%s", ansi.Strip(m.View()))
	}
	for i := range 25 {
		put(t, c, fmt.Sprintf("/c/k%02d", i), "v")
	}
	d.until("25 events", d.rowCount(25))
	if m.list.cursor != 24 || m.list.offset != 25-m.listHeight() {
		t.Fatalf("following: cursor %d offset %d", m.list.cursor, m.list.offset)
	}
	d.Press("k", "k")
	if m.list.follow || m.selected().ev.Key != "/c/k22" {
		t.Fatalf("after k k: follow %v, cursor on %q", m.list.follow, m.selected().ev.Key)
	}
	for i := 25; i < 40; i++ {
		put(t, c, fmt.Sprintf("/c/k%02d", i), "v")
	}
	d.until("the newest event", func() bool { return m.rows() == 30 && m.buf.bySeq(m.vis.at(29)).ev.Key == "/c/k39" })
	if got := m.selected().ev.Key; got != "/c/k22" {
		t.Fatalf("the cursor moved to %q while scrolled, want /c/k22", got)
	}
	if !d.contains("41 events · 0/s · 10 dropped")() || !d.contains("G follows")() {
		t.Fatalf("the title does not count the dropped events:\n%s", ansi.Strip(m.View()))
	}
	d.Press("g")
	if m.list.cursor != 0 || m.list.offset != 0 {
		t.Fatalf("g: cursor %d offset %d", m.list.cursor, m.list.offset)
	}
	d.Press("G")
	if !m.list.follow || m.list.cursor != 29 {
		t.Fatalf("G: follow %v cursor %d", m.list.follow, m.list.cursor)
	}
}

// TestNotWatching: before any WatchMsg the view says how to start one and offers no keys.
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
	if len(m.ShortHelp()) == 0 {
		t.Fatal("no help once watching")
	}
	if s := ansi.Strip(m.View()); !strings.Contains(s, "not connected") {
		t.Fatalf("without a client:\n%s", s)
	}
}

// etcd is a clientv3 client of the member c talks to, for writing as another client would.
func etcd(t *testing.T, c *cluster.Client) *clientv3.Client { return nodetest.Client(t, c.Endpoints()) }

// TestFocusWatchesEveryKey: opening the view with nothing chosen watches the whole keyspace.
func TestFocusWatchesEveryKey(t *testing.T) {
	m, c := testView(t, 80, 24, 0)
	d := newDriver(t, m)
	d.Run(m.Focus())
	d.until("the watch", func() bool { return m.w != nil && m.w.LastRev() > 0 })
	put(t, c, "/one", "1")
	put(t, c, "other", "2")
	d.until("two events", d.rowCount(2))
	if !d.contains("Watch  every key")() || m.Focus() != nil {
		t.Fatalf("after Focus:\n%s", ansi.Strip(m.View()))
	}
}
