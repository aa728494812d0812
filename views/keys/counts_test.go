package keys

import (
	"context"
	"errors"
	"fmt"
	"math/rand"
	"slices"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/embednode/nodetest"
	"github.com/etcdeck/etcdeck/views/common"
)

// TestCountsExactUnderWrites: directory counts stay equal to the server's while keys are
// created and deleted during listings and count fetches, and a directory with keys left never
// vanishes.
func TestCountsExactUnderWrites(t *testing.T) {
	m, c := testView(t, 80, 24)
	// Subtrees large enough that the listing skips them (count unknown, fetched at appliedRev),
	// and small ones it counts itself.
	sizes := map[string]int{"d0": 1100, "d1": 600, "d2": 300, "d3": 150, "d4": 100, "e0": 1, "e1": 2}
	var keys []string
	for dir, n := range sizes {
		for i := 0; i < n; i++ {
			keys = append(keys, fmt.Sprintf("/cnt/%s/a%04d", dir, i))
		}
	}
	putKeys(t, c, keys)
	d := newDriver(t, m)
	d.Send(common.GotoMsg{Path: "/cnt/"})
	d.until("the listing", func() bool { return len(m.rows) == len(sizes) })

	ctx, stop := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	lastRev := make([]int64, 4)
	dirs := []string{"d0", "d1", "d2", "d3", "d4", "e0", "e1"}
	for w := range lastRev {
		wg.Add(1)
		go func() { // each writer creates and deletes keys, 8 per transaction, until stopped
			defer wg.Done()
			rnd := rand.New(rand.NewSource(int64(w)))
			for ctx.Err() == nil {
				var ops []clientv3.Op
				for range 8 {
					dir := dirs[rnd.Intn(len(dirs))]
					k := fmt.Sprintf("/cnt/%s/a%04d", dir, rnd.Intn(sizes[dir]+3))
					if rnd.Intn(2) == 0 {
						ops = append(ops, clientv3.OpPut(k, "w"))
					} else {
						ops = append(ops, clientv3.OpDelete(k))
					}
				}
				resp, err := nodetest.Client(t, c.Endpoints()).Txn(context.Background()).Then(dedupe(ops)...).Commit()
				if err != nil {
					t.Error(err)
					return
				}
				lastRev[w] = resp.Header.Revision
			}
		}()
	}
	for i := 0; i < 12; i++ {
		d.Press("r") // each reload fetches the unknown counts again while keys change
		d.until("the reload", func() bool { return m.live != nil && len(m.rows) > 0 })
	}
	stop()
	wg.Wait()
	d.until("the watch to catch up and every count", func() bool {
		if m.appliedRev < slices.Max(lastRev) {
			return false
		}
		for _, r := range m.rows {
			if r.Dir && r.Count < 0 {
				return false
			}
		}
		return true
	})
	checkAgainstServer(t, m, c)
}

// dedupe drops operations on a key already in ops: a transaction may not write a key twice.
func dedupe(ops []clientv3.Op) []clientv3.Op {
	seen := map[string]bool{}
	out := ops[:0]
	for _, op := range ops {
		if k := string(op.KeyBytes()); !seen[k] {
			seen[k] = true
			out = append(out, op)
		}
	}
	return out
}

// TestCountsWhenEventsAndDetailsCross: keys written between the listing and its count fetch are
// counted once, whether their events reach the view before or after the counts do.
func TestCountsWhenEventsAndDetailsCross(t *testing.T) {
	for _, detailsFirst := range []bool{true, false} {
		t.Run(fmt.Sprintf("detailsFirst=%v", detailsFirst), func(t *testing.T) {
			m, c := testView(t, 80, 24)
			var keys []string
			for dir, n := range map[string]int{"d0": 1100, "d1": 600} {
				for i := 0; i < n; i++ {
					keys = append(keys, fmt.Sprintf("/cnt/%s/a%04d", dir, i))
				}
			}
			putKeys(t, c, keys)
			d := newDriver(t, m)
			d.Send(common.GotoMsg{Path: "/cnt/"})
			listed := d.hold(func(msg tea.Msg) bool { _, ok := msg.(listedMsg); return ok })
			if _, err := nodetest.Client(t, c.Endpoints()).Txn(context.Background()).Then(clientv3.OpPut("/cnt/d0/new", "v"),
				clientv3.OpPut("/cnt/d1/new", "v"), clientv3.OpDelete("/cnt/d0/a0000")).Commit(); err != nil {
				t.Fatal(err)
			}
			d.Send(listed)
			details := d.hold(func(msg tea.Msg) bool { _, ok := msg.(detailsMsg); return ok })
			live := d.hold(func(msg tea.Msg) bool { _, ok := msg.(liveMsg); return ok })
			if detailsFirst {
				d.Send(details)
				d.Send(live)
			} else {
				d.Send(live)
				d.Send(details)
			}
			d.until("every count", func() bool {
				i, ok := cluster.FindRow(m.rows, "d1")
				return ok && m.rows[i].Count >= 0
			})
			checkAgainstServer(t, m, c)
		})
	}
}

// hold processes messages until one matching want arrives, and returns it unprocessed.
func (d *driver) hold(want func(tea.Msg) bool) tea.Msg {
	d.t.Helper()
	var held []tea.Msg
	defer func() {
		for _, msg := range held { // put back what was not processed, in order
			d.Msgs <- msg
		}
	}()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case msg := <-d.Msgs:
			switch msg.(type) {
			case listedMsg, detailsMsg, liveMsg:
				if want(msg) {
					return msg
				}
				held = append(held, msg) // another awaited result: keep it for its own hold
			default:
				d.Send(msg)
			}
		case <-deadline:
			d.t.Fatal("timed out waiting for a message")
		}
	}
}

// TestCountsAfterCompactionAskProgress: in a quiet directory the applied revision stays at the
// listing's; once the cluster compacts past it, reading details (here value sizes, which a
// keys-only listing never has) asks the watch for a progress notification and reads at the
// current revision, without reloading the listing.
func TestCountsAfterCompactionAskProgress(t *testing.T) {
	m, c := testView(t, 80, 24)
	var keys []string
	for i := 0; i < firstPageRows; i++ { // one page, most of it off screen
		keys = append(keys, fmt.Sprintf("/quiet/k%02d", i))
	}
	last := fmt.Sprintf("k%02d", firstPageRows-1)
	putKeys(t, c, keys)
	d := newDriver(t, m)
	d.Send(common.GotoMsg{Path: "/quiet/"})
	d.until("the first screen's sizes", func() bool {
		i, ok := cluster.FindRow(m.rows, "k00")
		return ok && m.rows[i].ValueSize >= 0
	})
	if i, _ := cluster.FindRow(m.rows, last); m.rows[i].ValueSize >= 0 {
		t.Fatalf("%s is off screen: its size should not be known yet", last)
	}
	listingRev := m.rev
	ctx := context.Background()
	var rev int64
	for i := 0; i < 20; i++ {
		resp, err := nodetest.Client(t, c.Endpoints()).Put(ctx, fmt.Sprintf("/elsewhere/%d", i), "v")
		if err != nil {
			t.Fatal(err)
		}
		rev = resp.Header.Revision
	}
	if _, err := nodetest.Client(t, c.Endpoints()).Compact(ctx, rev); err != nil {
		t.Fatal(err)
	}
	d.Press("G") // rows below the first screen need their sizes now
	d.until("sizes below the first screen", func() bool {
		i, ok := cluster.FindRow(m.rows, last)
		return ok && m.rows[i].ValueSize >= 0
	})
	if m.rev != listingRev {
		t.Fatalf("the listing was reloaded (rev %d -> %d); the watch's progress should have been enough", listingRev, m.rev)
	}
	if m.appliedRev < rev {
		t.Fatalf("appliedRev %d did not move to the current revision %d (listing %d, m.rev %d, asked %v)", m.appliedRev, rev, listingRev, m.rev, m.progressAsked)
	}
}

// firstPageShown opens a directory of a first page and 30 rows more at 120x40 (the cursor near
// the first page's end) and applies its first page; the first screen's details are still to come.
func firstPageShown(t *testing.T) (*Model, *driver) {
	t.Helper()
	m, c := testView(t, 120, 40)
	var keys []string
	for i := 0; i < firstPageRows+30; i++ {
		keys = append(keys, fmt.Sprintf("/two/k%03d", i))
	}
	putKeys(t, c, keys)
	d := newDriver(t, m)
	d.Send(common.GotoMsg{Path: "/two/"})
	d.Send(d.hold(func(msg tea.Msg) bool { _, ok := msg.(listedMsg); return ok }))
	if len(m.rows) != firstPageRows || m.next == "" {
		t.Fatalf("first page: %d rows, next %q; want %d and more", len(m.rows), m.next, firstPageRows)
	}
	return m, d
}

// TestNextPageAfterTheFirstScreen: a first page that leaves the cursor near its end asks for the
// next page only once the first screen's details have come (on etcd 3.7 both cost the member's
// cores, and the screen is what the user waits for); then the next page comes by itself.
func TestNextPageAfterTheFirstScreen(t *testing.T) {
	m, d := firstPageShown(t)
	if m.paging || !m.pageAfterDetails {
		t.Fatalf("with the first screen's sizes still coming: paging %v, waiting %v; want the next page to wait", m.paging, m.pageAfterDetails)
	}
	d.Send(d.hold(func(msg tea.Msg) bool { _, ok := msg.(detailsMsg); return ok }))
	if !m.paging || m.pageAfterDetails {
		t.Fatalf("after the first screen's sizes: paging %v, waiting %v; want the next page asked", m.paging, m.pageAfterDetails)
	}
	d.until("the next page", func() bool { return len(m.rows) == firstPageRows+30 && m.next == "" })
}

// TestNextPageAfterFailedDetails: when the first screen's counts fail (a member down or frozen),
// the next page is still asked: the failure does not leave the directory stuck at its first page.
func TestNextPageAfterFailedDetails(t *testing.T) {
	m, d := firstPageShown(t)
	failed := d.hold(func(msg tea.Msg) bool { _, ok := msg.(detailsMsg); return ok }).(detailsMsg)
	failed.err = errors.New("etcdserver: request timed out")
	d.Send(failed)
	if !m.paging || m.pageAfterDetails {
		t.Fatalf("after the first screen's sizes failed: paging %v, waiting %v; want the next page asked", m.paging, m.pageAfterDetails)
	}
	d.until("the next page", func() bool { return len(m.rows) == firstPageRows+30 && m.next == "" })
}
