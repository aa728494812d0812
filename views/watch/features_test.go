package watch

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/etcdeck/etcdeck/cluster"
)

// TestFilterAlertExport: the filter hides rows without dropping events, the kind and value
// toggles work, an alert from the filter rings once a second at most and counts every match,
// and the export of the filtered rows reads back equal to their events.
func TestFilterAlertExport(t *testing.T) {
	m, c := testView(t, 120, 24, 0)
	d := newDriver(t, m)
	d.watch("/f/", 0)
	put(t, c, "/f/app/a", "hello")
	put(t, c, "/f/db/b", "needle in value")
	put(t, c, "/f/app/c", "x")
	if _, err := etcd(t, c).Delete(context.Background(), "/f/app/a"); err != nil {
		t.Fatal(err)
	}
	d.until("four events", d.rowCount(4))
	d.Press("/", "a", "p", "p", "enter")
	if got := len(m.rowsText()); got != 3 || m.buf.len() != 4 {
		t.Fatalf("filter app: %d rows of %d events, want 3 of 4", got, m.buf.len())
	}
	d.Press("D")
	if got := m.rowsText(); len(got) != 2 || !strings.Contains(ansi.Strip(m.View()), `key contains "app" · PUT only`) {
		t.Fatalf("PUT only: %q\n%s", got, ansi.Strip(m.View()))
	}
	d.Press("D", "P")
	if got := m.rowsText(); len(got) != 1 || !strings.Contains(got[0], "delete /f/app/a") {
		t.Fatalf("DEL only: %q", got)
	}
	d.Press("P", "/", "backspace", "backspace", "backspace", "n", "e", "e", "d", "l", "e", "enter")
	if got := len(m.rowsText()); got != 0 {
		t.Fatalf("needle on keys: %d rows", got)
	}
	d.Press("V")
	if got := m.rowsText(); len(got) != 1 || !strings.Contains(got[0], "/f/db/b") {
		t.Fatalf("needle on values: %q", got)
	}
	d.Press("R", "/", "backspace", "backspace", "backspace", "backspace", "backspace", "backspace", "^", "/", "f", "/", "(", "a", "p", "p", "|", "d", "b", ")", "/", "enter")
	if got := len(m.rowsText()); got != 4 {
		t.Fatalf("regexp ^/f/(app|db)/: %d rows, want 4\n%s", got, ansi.Strip(m.View()))
	}
	d.Press("R", "/", "backspace", "backspace", "backspace", "backspace", "backspace", "backspace", "backspace", "backspace",
		"backspace", "backspace", "backspace", "backspace", "backspace", "backspace", "a", "l", "a", "r", "m", "enter", "V", "!")
	if m.alert == nil || !strings.Contains(ansi.Strip(m.View()), "alert: 0 matched") {
		t.Fatalf("no alert set:\n%s", ansi.Strip(m.View()))
	}
	var want []string
	for i := range 5 {
		want = append(want, fmt.Sprintf("/f/alarm/%d", i))
		put(t, c, want[i], "on")
		put(t, c, "/f/quiet", "no")
	}
	d.until("five alerts", func() bool { return m.alert.count == 5 })
	d.Settle(100 * time.Millisecond) // the bell and the status bar's count are messages too
	if d.bells != 1 {                // the view's clock is fixed in tests: all five matches fall in one second
		t.Errorf("%d bells for 5 matches within a second, want one", d.bells)
	}
	if last := d.alerts[len(d.alerts)-1]; last.Count != 5 || !strings.Contains(last.Rule, "alarm") {
		t.Errorf("last AlertMsg %+v, want count 5 naming the rule", last)
	}
	if m.buf.total != 14 || len(m.rowsText()) != 5 {
		t.Fatalf("%d events, %d rows: the filter must not drop events", m.buf.total, len(m.rowsText()))
	}

	d.Press("x")
	d.until("the export", func() bool { return len(d.exports) == 1 })
	d.Settle(100 * time.Millisecond)
	ex := d.exports[0]
	f, err := os.Open(ex.path)
	if err != nil || ex.err != nil {
		t.Fatalf("export: %v %v", ex.err, err)
	}
	defer f.Close()
	back, err := cluster.ReadWatchJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	var shown []cluster.Event
	for i := range m.rows() {
		shown = append(shown, m.buf.bySeq(m.vis.at(i)).ev)
	}
	if ex.n != 5 || fmt.Sprintf("%+v", back) != fmt.Sprintf("%+v", shown) {
		t.Fatalf("exported %d events:\n%+v\nwant the 5 rows shown:\n%+v", ex.n, back, shown)
	}
	if !strings.Contains(strings.Join(d.flashes, "\n"), "exported 5 events to "+ex.path) {
		t.Errorf("flashes %q do not name the file", d.flashes)
	}
	d.Press("!")
	d.Settle(100 * time.Millisecond)
	if m.alert != nil || d.alerts[len(d.alerts)-1].Rule != "" {
		t.Error("! did not clear the alert")
	}
}

// TestTotalEqualsWritesUnderLoad: writers on their own connection, in other goroutines, put
// 20,000 keys in small transactions while the view drains the watch with a small buffer; the
// title's total equals the writes exactly, and they came in batches.
func TestTotalEqualsWritesUnderLoad(t *testing.T) {
	m, c := testView(t, 80, 24, 5000)
	d := newDriver(t, m)
	d.watch("/load/", 0)
	writer, err := clientv3.New(clientv3.Config{Endpoints: c.Endpoints()})
	if err != nil {
		t.Fatal(err)
	}
	defer writer.Close()
	const writers, txns, per = 8, 250, 10
	var written atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for g := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range txns {
				ops := make([]clientv3.Op, per)
				for j := range ops {
					ops[j] = clientv3.OpPut(fmt.Sprintf("/load/%d/%d/%d", g, i, j), "value")
				}
				if _, err := writer.Txn(context.Background()).Then(ops...).Commit(); err == nil {
					written.Add(per)
				}
			}
		}()
	}
	wg.Wait()
	want := fmt.Sprintf("%s events", "20,000")
	d.until(want, d.contains(want))
	if written.Load() != writers*txns*per || m.buf.total != written.Load() || m.buf.dropped != written.Load()-5000 {
		t.Fatalf("wrote %d, view total %d dropped %d", written.Load(), m.buf.total, m.buf.dropped)
	}
	if d.batches > int(written.Load())/20 {
		t.Errorf("%d events came in %d messages, want batches", written.Load(), d.batches)
	}
	t.Logf("%d events written by %d writers and counted in %v, in %d messages", written.Load(), writers,
		time.Since(start).Round(time.Millisecond), d.batches)
}

// TestDetail: enter shows the selected put's value and, over an existing key, the diff.
func TestDetail(t *testing.T) {
	m, c := testView(t, 100, 30, 0)
	d := newDriver(t, m)
	d.watch("/d/", 0)
	put(t, c, "/d/conf", "port=1\nhost=a")
	put(t, c, "/d/conf", "port=2\nhost=a")
	put(t, c, "/d/bin", "\x00\x01\xfe")
	d.until("three events", d.rowCount(3))
	d.Press("enter", "k")
	s := ansi.Strip(m.View())
	for _, w := range []string{"PUT /d/conf", "version 2", "- port=1", "+ port=2", "  host=a"} {
		if !strings.Contains(s, w) {
			t.Errorf("detail lacks %q:\n%s", w, s)
		}
	}
	d.Press("j")
	if s := ansi.Strip(m.View()); !strings.Contains(s, "00000000  00 01 fe") {
		t.Errorf("binary value not shown as hex:\n%s", s)
	}
}
