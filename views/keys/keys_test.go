package keys

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
	"github.com/charmbracelet/x/exp/golden"
	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/config"
	"github.com/etcdeck/etcdeck/embednode/nodetest"
	"github.com/etcdeck/etcdeck/keymap"
	"github.com/etcdeck/etcdeck/views/common"
	"github.com/etcdeck/etcdeck/views/common/viewtest"
)

// fixture is a small Kubernetes-shaped keyspace with odd keys, written in a fixed order so the
// revisions (shown on screen) are the same on every run.
func fixture() [][2]string {
	var kv [][2]string
	add := func(k string, size int) { kv = append(kv, [2]string{k, strings.Repeat("x", size)}) }
	for _, ns := range []string{"default", "kube-system", "monitoring"} {
		add("/registry/namespaces/"+ns, 90)
		for i := 0; i < 5; i++ {
			add(fmt.Sprintf("/registry/pods/%s/web-%d", ns, i), 1000+i*300)
			add(fmt.Sprintf("/registry/configmaps/%s/cm-%d", ns, i), 200)
		}
	}
	add("/registry/services/specs/default/kubernetes", 400)
	add("/registry/", 3)
	add("/registry//empty-segment", 5)
	add("/registry/bad\xffname", 7)
	add("/registry/ctl\x01char", 7)
	add("/registry/pods", 9) // a key named like a directory
	add("config", 12)        // no leading "/"
	add("config/a", 1)
	return kv
}

// testView starts a member holding the fixture and a Keys view on it, sized w×h.
func testView(t *testing.T, w, h int) (*Model, *cluster.Client) {
	t.Helper()
	m := nodetest.Start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s := viewtest.Session(t, m.Endpoints())
	c := s.Client
	for _, kv := range fixture() {
		if _, err := nodetest.Client(t, c.Endpoints()).Put(ctx, kv[0], kv[1]); err != nil {
			t.Fatal(err)
		}
	}
	v := New(common.Common{Styles: common.NewStyles(false), Keys: keymap.DefaultKeyMap(),
		Session: s, Settings: settings(func(s *config.Settings) { s.WatchBufferSize = 1000 })})
	t.Cleanup(v.stopLive)
	v.SetSize(w, h)
	return v, c
}

// driver runs the view's commands in goroutines and feeds their messages back, as Bubble Tea
// does; tests wait for a condition instead of sleeping.
type driver struct {
	*viewtest.Driver
	t *testing.T
	m *Model
}

func newDriver(t *testing.T, m *Model) *driver {
	return &driver{Driver: viewtest.New(t, m), t: t, m: m}
}

// until processes messages until cond holds and the view is idle (nothing loading).
func (d *driver) until(what string, cond func() bool) {
	d.t.Helper()
	deadline := time.After(10 * time.Second)
	var settle time.Time // under a steady stream of writes the view is never quiet: stop waiting
	for {
		if cond() && d.m.idle() {
			if settle.IsZero() {
				settle = time.Now().Add(500 * time.Millisecond)
			} else if time.Now().After(settle) {
				return
			}
			// Let already-finished commands land so the screen is stable.
			select {
			case msg := <-d.Msgs:
				d.Send(msg)
				continue
			case <-time.After(50 * time.Millisecond):
				return
			}
		}
		select {
		case msg := <-d.Msgs:
			d.Send(msg)
		case <-deadline:
			d.t.Fatalf("timed out waiting for %s; screen:\n%s", what, ansi.Strip(d.m.View()))
		}
	}
}

// idle: nothing is being listed, paged or counted.
func (m *Model) idle() bool {
	return !m.loading && !m.paging && len(m.pending) == 0 && !m.prev.waiting && !(m.insp.open && m.insp.loading) && !m.outsideWait
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

// TestGoldenKeys renders the view at 80x24 and 120x40: /registry/ with counts, a directory of
// keys with sizes, the root with odd keys, and a filter.
func TestGoldenKeys(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		m, _ := testView(t, size[0], size[1])
		d := newDriver(t, m)
		d.Run(m.Init())
		d.until("the root listing", d.contains("registry/"))
		for _, sc := range []struct {
			name string
			do   func()
			want string
		}{
			{"slash", func() {}, "registry/"},
			{"registry", func() { d.Press("enter") }, "15 keys"},
			{"pods_default", func() { d.Send(common.GotoMsg{Path: "/registry/pods/default/web-3"}) }, "1.9 KiB"},
			{"root", func() { d.Send(common.GotoMsg{Path: ""}) }, "config"},
			{"registry_filter", func() { d.Send(common.GotoMsg{Path: "/registry/"}); d.Press("/", "p", "o") }, "(and key pods)"},
		} {
			t.Run(fmt.Sprintf("%s_%dx%d", sc.name, size[0], size[1]), func(t *testing.T) {
				sc.do()
				d.until(sc.want, d.contains(sc.want))
				golden.RequireEqual(t, []byte(d.screen()))
			})
		}
		m.stopLive()
	}
}

// TestNavigation: open, parent (selecting where we came from), goto and g/G.
func TestNavigation(t *testing.T) {
	m, _ := testView(t, 80, 24)
	d := newDriver(t, m)
	d.Send(common.GotoMsg{Path: "/registry/"})
	d.until("/registry/", d.contains("configmaps/"))
	d.Press("j", "j") // "" (key and directory), bad\xffname, configmaps/ … in byte order
	want := m.selectedName()
	d.Press("enter")
	d.until("the child directory", func() bool { return m.dir == "/registry/"+want+"/" })
	d.Press("h")
	d.until("the parent", func() bool { return m.dir == "/registry/" })
	if got := m.selectedName(); got != want {
		t.Fatalf("after going up the cursor is on %q, want %q", got, want)
	}
	d.Send(common.GotoMsg{Path: "/registry/pods/kube-system/web-2"})
	d.until("goto", func() bool { return m.dir == "/registry/pods/kube-system/" })
	if got := m.selectedName(); got != "web-2" {
		t.Fatalf("goto selected %q, want web-2", got)
	}
	d.Press("G")
	if got := m.selectedName(); got != "web-4" {
		t.Fatalf("G selected %q, want web-4", got)
	}
	d.Press("g")
	if got := m.selectedName(); got != "web-0" {
		t.Fatalf("g selected %q, want web-0", got)
	}
	d.Send(tea.MouseWheelMsg{Button: tea.MouseWheelDown})
	if got := m.selectedName(); got != "web-3" {
		t.Fatalf("the wheel moved the cursor to %q, want web-3", got)
	}
}

// TestLiveUpdates: rows appear, change and disappear soon after a write (no reload), and the cursor
// stays on the selected key while rows are added before it.
func TestLiveUpdates(t *testing.T) {
	m, c := testView(t, 80, 24)
	d := newDriver(t, m)
	d.Send(common.GotoMsg{Path: "/registry/pods/default/web-3"})
	d.until("web-3 selected", func() bool { return m.selectedName() == "web-3" && m.live != nil })
	ctx := context.Background()
	start := time.Now()
	nodetest.Client(t, c.Endpoints()).Put(ctx, "/registry/pods/default/aaa-new", "12345")
	nodetest.Client(t, c.Endpoints()).Put(ctx, "/registry/pods/default/sub/x", "1")
	nodetest.Client(t, c.Endpoints()).Delete(ctx, "/registry/pods/default/web-0")
	nodetest.Client(t, c.Endpoints()).Put(ctx, "/registry/pods/default/web-4", strings.Repeat("y", 2048))
	d.until("the changes", func() bool {
		s := ansi.Strip(m.View())
		return strings.Contains(s, "aaa-new") && strings.Contains(s, "sub/") && !strings.Contains(s, "web-0") &&
			strings.Contains(s, "2.0 KiB")
	})
	// Typically a few milliseconds; the bound leaves room for a loaded 2-core machine under -race.
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("changes took %v to show, want under 5 s", took)
	}
	if got := m.selectedName(); got != "web-3" {
		t.Fatalf("cursor moved to %q, want it to stay on web-3", got)
	}
	nodetest.Client(t, c.Endpoints()).Delete(ctx, "/registry/pods/default/sub/", clientv3.WithPrefix())
	d.until("the emptied directory to go", func() bool { return !strings.Contains(ansi.Strip(m.View()), "sub/") })

	// A burst of creations (batched into few messages) keeps the rows sorted and complete.
	before := len(m.rows)
	for b := 0; b < 4; b++ {
		var ops []clientv3.Op
		for i := 0; i < 100; i++ {
			ops = append(ops, clientv3.OpPut(fmt.Sprintf("/registry/pods/default/burst-%d-%02d", 3-b, i), "z"))
		}
		if _, err := nodetest.Client(t, c.Endpoints()).Txn(ctx).Then(ops...).Commit(); err != nil {
			t.Fatal(err)
		}
	}
	d.until("the burst", func() bool { return len(m.rows) == before+400 })
	for i := 1; i < len(m.rows); i++ {
		if m.rows[i-1].Name >= m.rows[i].Name {
			t.Fatalf("rows out of order after the burst: %q before %q", m.rows[i-1].Name, m.rows[i].Name)
		}
	}
	if got := m.selectedName(); got != "web-3" {
		t.Fatalf("cursor moved to %q during the burst, want web-3", got)
	}
}

// TestPaging: a directory larger than a page shows its first page at once and loads the rest
// as the cursor nears the end.
func TestPaging(t *testing.T) {
	m, c := testView(t, 80, 24)
	ctx := context.Background()
	var ops []clientv3.Op
	for i := 0; i < 2*firstPageRows+pageRows/2; i++ {
		ops = append(ops, clientv3.OpPut(fmt.Sprintf("/big/k%05d", i), "v"))
		if len(ops) == 128 {
			nodetest.Client(t, c.Endpoints()).Txn(ctx).Then(ops...).Commit()
			ops = ops[:0]
		}
	}
	nodetest.Client(t, c.Endpoints()).Txn(ctx).Then(ops...).Commit()
	d := newDriver(t, m)
	// A substring filter searches loaded rows and says how many keys it has not searched.
	d.Send(common.GotoMsg{Path: "/big/"})
	d.until("the first page", func() bool { return len(m.rows) > 0 })
	d.Press("/", "*", "9", "9", "9", "enter")
	d.until("the unsearched count", d.contains(fmt.Sprintf("0 of %d rows, %s keys not loaded yet", firstPageRows,
		common.Thousands(int64(firstPageRows+pageRows/2)))))
	d.Press("G")
	d.until("the next page", d.contains("k00999"))
	d.Press("esc")
	d.until("no filter", func() bool { return m.filterText == "" })

	d.Send(common.GotoMsg{Path: "/big/"})
	d.until("the first page", func() bool { return len(m.rows) > 0 })
	if len(m.rows) != firstPageRows || m.next == "" {
		t.Fatalf("first page holds %d rows (next %q), want %d and more", len(m.rows), m.next, firstPageRows)
	}
	// A prefix filter on a directory not fully loaded narrows server-side.
	d.Press("/", "k", "0", "1", "enter")
	d.until("the filter", d.contains("k01000"))
	for _, i := range m.visible {
		if !strings.HasPrefix(m.rows[i].Name, "k01") {
			t.Fatalf("filter k01 shows %q", m.rows[i].Name)
		}
	}
	if m.filteredList != "k01" {
		t.Fatalf("filter k01 was not sent to the server (listing narrowed to %q)", m.filteredList)
	}
	d.Press("esc")
	d.until("the unfiltered listing", d.contains("k00000"))
	for i := 0; i < 20 && m.next != ""; i++ {
		d.Press("G")
		d.until("the next page", func() bool { return true })
	}
	if total := 2*firstPageRows + pageRows/2; len(m.rows) != total || m.next != "" {
		t.Fatalf("after paging: %d rows, next %q; want all %d", len(m.rows), m.next, total)
	}
	if n := strings.Count(ansi.Strip(m.View()), " k0"); n != m.listHeight() {
		t.Fatalf("a full screen shows %d rows, want %d:\n%s", n, m.listHeight(), ansi.Strip(m.View()))
	}
	// On a fully loaded directory the filter works in memory.
	d.Press("/", "k", "0", "0", "9", "enter")
	d.until("the filter", d.contains("k00900"))
	if len(m.visible) != 100 || m.filteredList != "" {
		t.Fatalf("filter k009 shows %d rows (server filter %q), want 100 filtered in memory", len(m.visible), m.filteredList)
	}
}

// TestCompactedWhilePaging: when the listing's revision is compacted before the next page is
// read, the view reloads the directory at a fresh revision instead of showing an error.
func TestCompactedWhilePaging(t *testing.T) {
	m, c := testView(t, 80, 24)
	ctx := context.Background()
	var ops []clientv3.Op
	for i := 0; i < firstPageRows+50; i++ {
		ops = append(ops, clientv3.OpPut(fmt.Sprintf("/c/k%04d", i), "v"))
		if len(ops) == 128 {
			nodetest.Client(t, c.Endpoints()).Txn(ctx).Then(ops...).Commit()
			ops = ops[:0]
		}
	}
	nodetest.Client(t, c.Endpoints()).Txn(ctx).Then(ops...).Commit()
	d := newDriver(t, m)
	d.Send(common.GotoMsg{Path: "/c/"})
	d.until("the first page", func() bool { return len(m.rows) > 0 })
	old := m.rev
	resp, err := nodetest.Client(t, c.Endpoints()).Put(ctx, "/elsewhere", "x")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := nodetest.Client(t, c.Endpoints()).Compact(ctx, resp.Header.Revision); err != nil {
		t.Fatal(err)
	}
	d.Press("G")
	d.until("a reload at a fresh revision", func() bool { return m.rev > old && m.err == nil })
	for i := 0; i < 5 && m.next != ""; i++ {
		d.Press("G")
		d.until("the next page", func() bool { return true })
	}
	if len(m.rows) != firstPageRows+50 || m.err != nil {
		t.Fatalf("after the reload: %d rows, error %v", len(m.rows), m.err)
	}
}
