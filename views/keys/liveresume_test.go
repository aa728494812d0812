package keys

import (
	"context"
	"fmt"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/embednode/nodetest"
	"github.com/etcdeck/etcdeck/views/common"
)

// hiddenFixture opens /registry/ live with every directory's count known.
func hiddenFixture(t *testing.T) (*driver, *cluster.Client) {
	m, c := testView(t, 80, 24)
	d := newDriver(t, m)
	d.Send(common.GotoMsg{Path: "/registry/"})
	d.until("/registry/ live with its counts", func() bool {
		if m.live == nil || len(m.rows) == 0 {
			return false
		}
		for _, r := range m.rows {
			if r.Dir && r.Count < 0 {
				return false
			}
		}
		return true
	})
	return d, c
}

// writeWhileHidden changes /registry/ in five revisions — a pod added (pods/ counts one more),
// a configmap deleted, a new directory, a leaf deleted, a leaf overwritten — and returns the
// last revision.
func writeWhileHidden(t *testing.T, c *cluster.Client) int64 {
	t.Helper()
	ctx := context.Background()
	e := nodetest.Client(t, c.Endpoints())
	var rev int64
	for _, op := range []clientv3.Op{
		clientv3.OpPut("/registry/pods/default/web-9", "new"),
		clientv3.OpDelete("/registry/configmaps/monitoring/cm-0"),
		clientv3.OpPut("/registry/secrets/default/token", "new"),
		clientv3.OpDelete("/registry/ctl\x01char"),
		clientv3.OpPut("/registry/pods", "longer than before"),
	} {
		resp, err := e.Do(ctx, op)
		if err != nil {
			t.Fatal(err)
		}
		rev = headerRev(resp)
	}
	return rev
}

// TestHiddenViewResumesItsWatch: while another view is on screen the Keys view keeps no live
// watch (under a storm it received every value written under the open directory, issue 22).
// Shown again after a few changes, the watch resumes from the revision after the last one
// applied — no new listing — and the rows and counts are the server's: nothing missed, nothing
// counted twice. A late message of the stopped watch is dropped.
func TestHiddenViewResumesItsWatch(t *testing.T) {
	d, c := hiddenFixture(t)
	m := d.m
	old := m.live.w
	listed, applied := m.rev, m.appliedRev
	m.Blur()
	if m.live != nil {
		t.Fatal("Blur left the live watch running")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if b, err := old.Next(ctx, 1); err != nil || b.State == nil || b.State.Kind != cluster.StateClosed {
		t.Fatalf("the stopped watch still runs: Next returned %+v, %v", b, err)
	}
	rev := writeWhileHidden(t, c)
	d.Settle(300 * time.Millisecond)
	if m.appliedRev != applied {
		t.Fatalf("the hidden view applied changes up to %d (was %d)", m.appliedRev, applied)
	}
	if _, ok := cluster.FindRow(m.rows, "secrets"); ok {
		t.Fatal("the hidden view shows a directory created after Blur")
	}
	d.Run(m.Focus())
	d.until("the changes made while hidden", func() bool { return m.live != nil && m.appliedRev >= rev })
	if m.rev != listed {
		t.Fatalf("listed again at %d (the listing was at %d): want the watch resumed", m.rev, listed)
	}
	checkAgainstServer(t, m, c)
	if _, ok := cluster.FindRow(m.rows, "secrets"); !ok {
		t.Fatal("the directory created while hidden is not shown")
	}
	d.Send(liveMsg{sid: m.common.SessionID(), gen: m.gen, w: old, rev: m.appliedRev,
		batch: cluster.Batch{State: &cluster.State{Kind: cluster.StateClosed}}})
	if m.live == nil {
		t.Fatal("a message of the watch stopped by Blur ended the resumed one")
	}
}

// TestHiddenViewFarBehindLists: shown again after more revisions than it may replay, the view
// lists the directory again at a fresh revision, then watches from there; a listing that lands
// while the view is hidden starts no watch.
func TestHiddenViewFarBehindLists(t *testing.T) {
	d, c := hiddenFixture(t)
	m := d.m
	m.liveCatchUp = 3
	m.Blur()
	rev := writeWhileHidden(t, c) // five revisions
	d.Send(common.GotoMsg{Path: "/registry/pods/"})
	d.until("pods/ listed while hidden", d.contains("default/"))
	if m.live != nil {
		t.Fatal("a listing landing while hidden started a watch")
	}
	d.Send(common.GotoMsg{Path: "/registry/"})
	d.until("/registry/ listed while hidden", d.contains("pods/"))
	if m.live != nil || m.rev < rev {
		t.Fatalf("listing at %d (want ≥ %d), live watch %v", m.rev, rev, m.live != nil)
	}
	var more int64
	for i := range 5 { // five more revisions: past liveCatchUp
		more = putKeys(t, c, []string{fmt.Sprintf("/registry/events/default/e%d", i)})
	}
	d.Run(m.Focus())
	d.until("a new listing, live", func() bool { return m.live != nil && m.rev >= more })
	checkAgainstServer(t, m, c)
	last := putKeys(t, c, []string{"/registry/leases/kube-system/a"})
	d.until("the watch from the new listing", func() bool { return m.appliedRev >= last })
	checkAgainstServer(t, m, c)
}

// TestHiddenViewCompactedMeanwhile: the store is compacted past the revision the hidden view
// applied (an operator's compaction, or the cluster's automatic one, while the view was away).
// Shown again, the resumed watch is refused as compacted and the view lists the directory
// again: the rows and counts are the server's, and the watch runs from the new listing.
func TestHiddenViewCompactedMeanwhile(t *testing.T) {
	d, c := hiddenFixture(t)
	m := d.m
	applied := m.appliedRev
	m.Blur()
	rev := writeWhileHidden(t, c)
	e := nodetest.Client(t, c.Endpoints())
	if _, err := e.Compact(context.Background(), rev, clientv3.WithCompactPhysical()); err != nil {
		t.Fatal(err)
	}
	d.Run(m.Focus())
	d.until("listed again after the compaction, live", func() bool { return m.live != nil && m.rev >= rev })
	if m.appliedRev <= applied {
		t.Fatalf("applied revision %d, want past the compaction at %d", m.appliedRev, rev)
	}
	checkAgainstServer(t, m, c)
	last := putKeys(t, c, []string{"/registry/leases/kube-system/b"})
	d.until("the watch from the new listing", func() bool { return m.appliedRev >= last })
	checkAgainstServer(t, m, c)
}
