package cluster_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/embednode"
	"github.com/etcdeck/etcdeck/embednode/nodetest"
)

// TestHashKVAgreesOnThreeMembers: three members that applied the same writes and compaction hash
// alike at one revision.
func TestHashKVAgreesOnThreeMembers(t *testing.T) {
	t.Parallel()
	members := nodetest.StartCluster(t, 3)
	c := optClient(t, cluster.ConnConfig{Endpoints: nodetest.Endpoints(members...), InsecureTransport: true}, cluster.WithReadOnly(true))
	w := optClient(t, cluster.ConnConfig{Endpoints: nodetest.Endpoints(members...), InsecureTransport: true})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for i := range 50 {
		if _, err := w.Put(ctx, fmt.Sprintf("/k/%d", i%7), []byte(fmt.Sprint(i)), cluster.PutOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := w.Compact(ctx, 0, true); err != nil {
		t.Fatal(err)
	}
	rep, err := c.HashKV(ctx, 0) // a read: read-only allows it
	if err != nil {
		t.Fatal(err)
	}
	if rep.Rev < 51 || len(rep.Members) != 3 {
		t.Fatalf("report: %+v", rep)
	}
	for _, h := range rep.Members {
		if h.Err != nil || h.Hash == 0 || h.CompactRev == 0 {
			t.Fatalf("%s: %+v", h.Label(), h)
		}
	}
	if mm := rep.Mismatches(); mm != nil || rep.Compared() != 3 {
		t.Fatalf("mismatches %+v, compared %d", mm, rep.Compared())
	}
}

// TestHashKVMismatchOfRestoredMember: a member restored from an older snapshot, then written to
// on its own up to the cluster's revision, holds other data at the same revision: the check
// puts it alone on one side, the three cluster members on the other.
func TestHashKVMismatchOfRestoredMember(t *testing.T) {
	t.Parallel()
	members := nodetest.StartCluster(t, 3)
	eps := nodetest.Endpoints(members...)
	c := optClient(t, cluster.ConnConfig{Endpoints: eps, InsecureTransport: true})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for i := range 10 {
		if _, err := c.Put(ctx, fmt.Sprintf("/k/%d", i), []byte("same"), cluster.PutOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	snap := restoredFromSnapshot(t, c)
	old := optClient(t, cluster.ConnConfig{Endpoints: snap, InsecureTransport: true})
	var rev, oldRev int64
	for i := range 10 {
		r, err := c.Put(ctx, fmt.Sprintf("/k/%d", i), []byte("new"), cluster.PutOptions{})
		if err != nil {
			t.Fatal(err)
		}
		rev = r
	}
	for oldRev < rev {
		r, err := old.Put(ctx, "/diverged", []byte(fmt.Sprint(oldRev)), cluster.PutOptions{})
		if err != nil {
			t.Fatal(err)
		}
		oldRev = r
	}
	if oldRev != rev {
		t.Fatalf("restored member reached revision %d, the cluster %d", oldRev, rev)
	}
	rep, err := c.HashKVEndpoints(ctx, rev, append(append([]string(nil), eps...), snap...))
	if err != nil {
		t.Fatal(err)
	}
	mm := rep.Mismatches()
	if len(mm) != 1 || len(mm[0].Sides) != 2 || len(mm[0].Sides[0].Members) != 3 || len(mm[0].Sides[1].Members) != 1 || mm[0].Sides[1].Members[0] != snap[0] {
		t.Fatalf("mismatch %+v of report %+v", mm, rep)
	}
}

// restoredFromSnapshot saves a snapshot of c's cluster now, restores it into a member of its own
// (a cluster of one, as after etcdutl snapshot restore) and returns its endpoints.
func restoredFromSnapshot(t *testing.T, c *cluster.Client) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	raw := nodetest.Client(t, c.Endpoints()[:1])
	rc, err := raw.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	dir := t.TempDir()
	file := filepath.Join(dir, "old.db")
	f, err := os.Create(file)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(f, rc); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	cfg := nodetest.Config(t, "old")
	cfg.InitialCluster = "old=" + cfg.ListenPeerURLs[0]
	if _, err := embednode.Restore(embednode.RestoreOptions{Snapshot: file, DataDir: cfg.DataDir, Name: "old",
		InitialCluster: cfg.InitialCluster, PeerURLs: cfg.ListenPeerURLs, SkipHashCheck: true}, zap.NewNop()); err != nil {
		t.Fatal(err)
	}
	return nodetest.StartConfig(t, cfg).Endpoints()
}
