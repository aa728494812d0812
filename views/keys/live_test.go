package keys

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/embednode/nodetest"
	"github.com/etcdeck/etcdeck/keymap"
	"github.com/etcdeck/etcdeck/views/common"
)

// putKeys writes keys (value "v") in transactions of 128 and returns the last revision.
func putKeys(t *testing.T, c *cluster.Client, keys []string) int64 {
	t.Helper()
	ctx := context.Background()
	var rev int64
	for start := 0; start < len(keys); start += 128 {
		var ops []clientv3.Op
		for _, k := range keys[start:min(start+128, len(keys))] {
			ops = append(ops, clientv3.OpPut(k, "v"))
		}
		resp, err := nodetest.Client(t, c.Endpoints()).Txn(ctx).Then(ops...).Commit()
		if err != nil {
			t.Fatal(err)
		}
		rev = resp.Header.Revision
	}
	return rev
}

// pageAll presses G until the whole directory is loaded.
func (d *driver) pageAll() {
	d.t.Helper()
	for i := 0; i < 50 && (d.m.next != "" || d.m.loading); i++ {
		d.Press("G")
		d.until("the next page", func() bool { return true })
	}
	if d.m.next != "" {
		d.t.Fatalf("still not fully loaded after paging: next %q", d.m.next)
	}
}

// checkAgainstServer compares the view's rows with a fresh listing, and every known count with
// a fresh count of the subtree.
func checkAgainstServer(t *testing.T, m *Model, c *cluster.Client) {
	t.Helper()
	ctx := context.Background()
	l, err := c.ListDir(ctx, m.dir, cluster.ListOptions{Sep: m.sep})
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Rows) != len(m.rows) {
		t.Fatalf("the view has %d rows, a fresh listing %d: %v", len(m.rows), len(l.Rows), diffRows(m.rows, l.Rows))
	}
	for i, want := range l.Rows {
		got := m.rows[i]
		if got.Name != want.Name || got.Leaf != want.Leaf || got.Dir != want.Dir {
			t.Fatalf("row %d is %v, a fresh listing has %v", i, got, want)
		}
		if got.Dir && got.Count >= 0 {
			n, err := c.CountPrefix(ctx, m.dir+got.Name+string(m.sep), 0)
			if err != nil {
				t.Fatal(err)
			}
			if got.Count != n {
				t.Errorf("directory %q shows %d keys, the server counts %d", got.Name, got.Count, n)
			}
		}
	}
}

// diffRows names the rows only one side has.
func diffRows(got, want []cluster.Row) string {
	in := map[string]int{}
	for _, r := range got {
		in[r.Name]++
	}
	for _, r := range want {
		in[r.Name]--
	}
	var out []string
	for n, v := range in {
		switch {
		case v > 0:
			out = append(out, "extra "+cluster.EscapeKey(n))
		case v < 0:
			out = append(out, "missing "+cluster.EscapeKey(n))
		}
	}
	return strings.Join(out, ", ")
}

// liveFixture writes /live/: 200 keys (one first page), a directory m/ that the second page
// starts inside, and 300 more keys. It returns the view open on it with the first page loaded.
func liveFixture(t *testing.T, holdMax int) (*driver, *cluster.Client) {
	m, c := testView(t, 80, 24)
	m.holdMax = holdMax
	var keys []string
	for i := 0; i < firstPageRows; i++ {
		keys = append(keys, fmt.Sprintf("/live/k%03d", i))
	}
	for i := 0; i < 10; i++ {
		keys = append(keys, fmt.Sprintf("/live/m/b%d", i))
	}
	for i := 0; i < 300; i++ {
		keys = append(keys, fmt.Sprintf("/live/n%03d", i))
	}
	putKeys(t, c, keys)
	d := newDriver(t, m)
	d.Send(common.GotoMsg{Path: "/live/"})
	d.until("the first page", func() bool { return len(m.rows) > 0 && m.live != nil })
	if len(m.rows) != firstPageRows || m.next != "/live/m/b0" {
		t.Fatalf("first page: %d rows, next %q; want %d rows and the next page inside m/", len(m.rows), m.next, firstPageRows)
	}
	return d, c
}

// TestLiveBeyondLoadedPages: keys created and deleted after the listing, on pages not loaded
// yet, are right once those pages load, without a reload.
func TestLiveBeyondLoadedPages(t *testing.T) {
	d, c := liveFixture(t, defaultHoldMax)
	m := d.m
	ctx := context.Background()
	var rev int64
	do := func(op clientv3.Op) {
		resp, err := nodetest.Client(t, c.Endpoints()).Do(ctx, op)
		if err != nil {
			t.Fatal(err)
		}
		rev = max(rev, headerRev(resp))
	}
	do(clientv3.OpPut("/live/m/a0", "new"))    // in m/, before the next page's first key
	do(clientv3.OpPut("/live/m/b0", "again"))  // overwritten: no new key
	do(clientv3.OpPut("/live/n150new", "new")) // beyond
	do(clientv3.OpDelete("/live/n200"))
	do(clientv3.OpPut("/live/zz/x", "new"))
	do(clientv3.OpPut("/live/zz/y", "new"))
	do(clientv3.OpDelete("/live/zz/y"))
	do(clientv3.OpDelete("/live/k010")) // loaded
	do(clientv3.OpPut("/live/k010a", "new"))
	d.until("the watch to catch up", func() bool { return m.appliedRev >= rev })
	if len(m.held) == 0 {
		t.Fatal("no change beyond the first page was held for the later pages")
	}
	if _, ok := cluster.FindRow(m.rows, "k010"); ok {
		t.Fatal("k010 was deleted but is still listed")
	}
	d.pageAll()
	for _, want := range []struct {
		name  string
		count int64
	}{{"m", 11}, {"zz", 1}} {
		i, ok := cluster.FindRow(m.rows, want.name)
		if !ok {
			t.Fatalf("row %s is missing", want.name)
		}
		if r := m.rows[i]; !r.Dir || (r.Count >= 0 && r.Count != want.count) {
			t.Fatalf("row %s: %v, want a directory of %d keys", want.name, r, want.count)
		}
	}
	for name, want := range map[string]bool{"n150new": true, "n200": false, "k010a": true, "k010": false} {
		if _, ok := cluster.FindRow(m.rows, name); ok != want {
			t.Errorf("row %s listed: %v, want %v", name, ok, want)
		}
	}
	d.Send(common.GotoMsg{Path: "/live/m/"}) // counts of the rows on screen
	d.until("m/", d.contains("a0"))
	d.Send(common.GotoMsg{Path: "/live/zz/"})
	d.until("zz/", d.contains("x"))
	d.Send(common.GotoMsg{Path: "/live/"})
	d.until("the first page again", func() bool { return len(m.rows) > 0 })
	d.pageAll()
	checkAgainstServer(t, m, c)
	if len(m.held) != 0 || m.heldLost {
		t.Fatalf("after paging through, %d changes are still held (lost: %v)", len(m.held), m.heldLost)
	}
}

// headerRev is the revision an operation's response was written at.
func headerRev(r clientv3.OpResponse) int64 {
	switch {
	case r.Put() != nil:
		return r.Put().Header.Revision
	case r.Del() != nil:
		return r.Del().Header.Revision
	}
	return 0
}

// TestHeldOverflowRelists: when more changes arrive beyond the loaded pages than are held, the
// next page lists the directory again at a fresh revision instead of showing stale rows.
func TestHeldOverflowRelists(t *testing.T) {
	d, c := liveFixture(t, 5)
	m := d.m
	var keys []string
	for i := 0; i < 20; i++ {
		keys = append(keys, fmt.Sprintf("/live/n%03d-new", i))
	}
	rev := putKeys(t, c, keys)
	if _, err := nodetest.Client(t, c.Endpoints()).Delete(context.Background(), "/live/n299"); err != nil {
		t.Fatal(err)
	}
	d.until("the watch to catch up", func() bool { return m.appliedRev >= rev })
	if !m.heldLost {
		t.Fatalf("%d changes beyond the first page, %d held, none reported lost", len(keys), len(m.held))
	}
	first := m.rev
	d.pageAll()
	if m.rev <= first {
		t.Fatalf("paging after lost changes kept the listing's revision %d", m.rev)
	}
	checkAgainstServer(t, m, c)
}

// TestFilterPaste: text pasted into the open filter filters like typed text.
func TestFilterPaste(t *testing.T) {
	m, _ := testView(t, 80, 24)
	d := newDriver(t, m)
	d.Send(common.GotoMsg{Path: "/registry/"})
	d.until("/registry/", d.contains("configmaps/"))
	d.Press("/")
	d.Send(tea.PasteMsg{Content: "po"})
	d.until("the pasted filter", d.contains("(and key pods)"))
	if m.filterText != "po" || len(m.visible) != 1 {
		t.Fatalf("after pasting \"po\" the filter is %q and shows %d rows, want 1", m.filterText, len(m.visible))
	}
}

// TestWatchFailedStops: a failed watch is closed, not just forgotten.
func TestWatchFailedStops(t *testing.T) {
	m, _ := testView(t, 80, 24)
	d := newDriver(t, m)
	d.Send(common.GotoMsg{Path: "/registry/"})
	d.until("/registry/ live", func() bool { return m.live != nil })
	w := m.live.w
	d.Send(liveMsg{sid: m.common.SessionID(), gen: m.gen, w: m.live.w, rev: m.appliedRev,
		batch: cluster.Batch{State: &cluster.State{Kind: cluster.StateFailed, Err: errors.New("permission denied")}}})
	if m.live != nil {
		t.Fatal("the view still holds the failed watch")
	}
	if strings.Contains(ansi.Strip(m.View()), "live") {
		t.Fatalf("the title still says live:\n%s", ansi.Strip(m.View()))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	b, err := w.Next(ctx, 1)
	if err != nil || b.State == nil || b.State.Kind != cluster.StateClosed {
		t.Fatalf("the failed watch was left running: Next returned %+v, %v", b, err)
	}
}

// TestHintsFollowKeyOverrides: hints and the filter-clearing key follow the config's keys.
func TestHintsFollowKeyOverrides(t *testing.T) {
	m, _ := testView(t, 80, 24)
	km := keymap.DefaultKeyMap()
	if err := km.Apply(map[string][]string{"keys.reload": {"R"}, "global.back": {"Z"}}); err != nil {
		t.Fatal(err)
	}
	m.common.Keys = km
	d := newDriver(t, m)
	d.Send(common.GotoMsg{Path: "/registry/"})
	d.until("/registry/", d.contains("configmaps/"))
	d.Press("/", "z", "z", "enter")
	d.until("the empty filter", d.contains("no name matches the filter (Z clears it)"))
	d.Press("esc")
	if m.filterText != "zz" {
		t.Fatalf("esc cleared the filter although back is bound to Z (filter %q)", m.filterText)
	}
	d.Press("Z")
	d.until("the cleared filter", d.contains("configmaps/"))
	if m.filterText != "" {
		t.Fatalf("Z (back) left the filter %q", m.filterText)
	}
	m.err = errors.New("the listing failed")
	if s := ansi.Strip(m.View()); !strings.Contains(s, "R reload · h/⌫ parent") {
		t.Fatalf("the error hint does not name the configured keys:\n%s", s)
	}
}

// TestTitleShowsAppliedRevision: after the live watch applied writes made after the listing,
// the title names the revision applied, not the listing's.
func TestTitleShowsAppliedRevision(t *testing.T) {
	m, c := testView(t, 80, 24)
	d := newDriver(t, m)
	d.Send(common.GotoMsg{Path: "/registry/pods/default/"})
	d.until("the listing, live", func() bool { return m.live != nil && m.rev > 0 })
	listed := m.rev
	if want := fmt.Sprintf("rev %d · live", listed); !strings.Contains(ansi.Strip(m.titleLine()), want) {
		t.Fatalf("title %q lacks %q", ansi.Strip(m.titleLine()), want)
	}
	var rev int64
	for i := range 3 {
		rev = putKeys(t, c, []string{fmt.Sprintf("/registry/pods/default/late-%d", i)})
	}
	if rev <= listed {
		t.Fatalf("writes after the listing at %d ended at %d", listed, rev)
	}
	want := fmt.Sprintf("rev %d · live", rev)
	d.until("the title to show "+want, func() bool { return strings.Contains(ansi.Strip(m.titleLine()), want) })
	if !strings.Contains(ansi.Strip(m.View()), "late-2") {
		t.Fatalf("the title says %q but the rows lack late-2:\n%s", want, ansi.Strip(m.View()))
	}
}

// TestTitleSaysReconnecting: while the directory's watch is interrupted (its member stalled),
// the title says "reconnecting" instead of "live", and "live" again once it resumed. The
// stall itself, with a member killed or frozen, is tested in cluster (TestWatchStall*).
func TestTitleSaysReconnecting(t *testing.T) {
	m, _ := testView(t, 80, 24)
	d := newDriver(t, m)
	d.Send(common.GotoMsg{Path: "/registry/"})
	d.until("/registry/ live", func() bool { return m.live != nil })
	d.Send(liveMsg{sid: m.common.SessionID(), gen: m.gen, w: m.live.w, rev: m.appliedRev,
		batch: cluster.Batch{State: &cluster.State{Kind: cluster.StateReconnecting, Attempt: 1,
			Err: errors.New("member m1 did not answer a progress request within 2s")}}})
	want := fmt.Sprintf("rev %d · reconnecting", m.shownRev())
	if title := ansi.Strip(m.titleLine()); !strings.Contains(title, want) {
		t.Fatalf("title %q lacks %q", title, want)
	}
	d.Send(liveMsg{sid: m.common.SessionID(), gen: m.gen, w: m.live.w, rev: m.appliedRev,
		batch: cluster.Batch{State: &cluster.State{Kind: cluster.StateResumed, Member: "m2", Rev: m.appliedRev + 1}}})
	if title := ansi.Strip(m.titleLine()); !strings.Contains(title, "· live") || strings.Contains(title, "reconnecting") {
		t.Fatalf("title after the resume: %q", title)
	}
}
