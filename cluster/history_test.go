package cluster

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/etcdeck/etcdeck/embednode/nodetest"
)

// describe renders a history as "v1@5 del(v3)@8 …", newest first, for comparisons.
func describe(h History) string {
	var parts []string
	for _, r := range h.Revs {
		if r.Deleted {
			parts = append(parts, fmt.Sprintf("del(%s)@%d", r.Value, r.Rev))
		} else {
			parts = append(parts, fmt.Sprintf("%s@%d", r.Value, r.Rev))
		}
	}
	return strings.Join(parts, " ")
}

func TestHistoryAcrossGenerationsAndCompaction(t *testing.T) {
	m := nodetest.Start(t)
	c := watchConnect(t, m.Endpoints())
	ctx := context.Background()
	put := func(k, v string) int64 {
		t.Helper()
		r, err := c.c.Put(ctx, k, v)
		if err != nil {
			t.Fatal(err)
		}
		return r.Header.Revision
	}
	r1 := put("/h/k", "v1")
	put("/h/other", "x") // revisions of other keys are not the key's history
	r2 := put("/h/k", "v2")
	r3 := put("/h/k", "v3")
	dr, err := c.c.Delete(ctx, "/h/k")
	if err != nil {
		t.Fatal(err)
	}
	rd := dr.Header.Revision
	w1 := put("/h/k", "w1")
	w2 := put("/h/k", "w2")

	h, err := c.History(ctx, "/h/k", 0)
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("w2@%d w1@%d del(v3)@%d v3@%d v2@%d v1@%d", w2, w1, rd, r3, r2, r1)
	if got := describe(h); got != want || h.CompactedAt != 0 || h.Truncated || h.EarlierErr != "" {
		t.Fatalf("history = %q (compacted %d, truncated %v, %q)\nwant %q", got, h.CompactedAt, h.Truncated, h.EarlierErr, want)
	}
	if h.Revs[1].Version != 1 || h.Revs[1].CreateRev != w1 || h.Revs[3].Version != 3 {
		t.Errorf("versions: %+v", h.Revs)
	}

	lim, err := c.History(ctx, "/h/k", 3)
	if err != nil || len(lim.Revs) != 3 || !lim.Truncated {
		t.Errorf("History limit 3 = %q truncated %v, %v", describe(lim), lim.Truncated, err)
	}

	// Compacting at r2 keeps the state at r2: v1 is gone, v2 is the oldest readable version.
	if _, err := c.c.Compact(ctx, r2, clientv3.WithCompactPhysical()); err != nil {
		t.Fatal(err)
	}
	h, err = c.History(ctx, "/h/k", 0)
	if err != nil {
		t.Fatal(err)
	}
	want = fmt.Sprintf("w2@%d w1@%d del(v3)@%d v3@%d v2@%d", w2, w1, rd, r3, r2)
	if got := describe(h); got != want || h.CompactedAt != r2 {
		t.Fatalf("after compaction at %d: %q compacted at %d\nwant %q", r2, got, h.CompactedAt, want)
	}

	// Compaction inside the current generation stops the walk there.
	w3 := put("/h/k", "w3")
	if _, err := c.c.Compact(ctx, w3, clientv3.WithCompactPhysical()); err != nil {
		t.Fatal(err)
	}
	h, err = c.History(ctx, "/h/k", 0)
	if err != nil {
		t.Fatal(err)
	}
	if got := describe(h); got != fmt.Sprintf("w3@%d", w3) || h.CompactedAt != w3 {
		t.Errorf("compacted in the generation: %q at %d, want w3@%d at %d", got, h.CompactedAt, w3, w3)
	}

	// A key deleted and never recreated: its deletion carries the last value (for undelete).
	rg := put("/h/gone", "last")
	gd, _ := c.c.Delete(ctx, "/h/gone")
	h, err = c.History(ctx, "/h/gone", 0)
	if err != nil {
		t.Fatal(err)
	}
	if got := describe(h); got != fmt.Sprintf("del(last)@%d last@%d", gd.Header.Revision, rg) {
		t.Errorf("deleted key: %q", got)
	}
}

func TestGetKeyLeaseAndCheckRev(t *testing.T) {
	m := nodetest.Start(t)
	c := watchConnect(t, m.Endpoints())
	ctx := context.Background()
	lease, err := c.c.Grant(ctx, 60)
	if err != nil {
		t.Fatal(err)
	}
	r1, _ := c.c.Put(ctx, "/l/k", "one", clientv3.WithLease(lease.ID))
	r2, _ := c.c.Put(ctx, "/l/k", "two", clientv3.WithIgnoreLease())
	kv, err := c.GetKey(ctx, "/l/k", 0)
	if err != nil {
		t.Fatal(err)
	}
	if !kv.Found || string(kv.Value) != "two" || kv.CreateRev != r1.Header.Revision || kv.ModRev != r2.Header.Revision ||
		kv.Version != 2 || kv.Lease != int64(lease.ID) || kv.TTL <= 0 || kv.TTL > 60 || kv.LeaseGone {
		t.Fatalf("GetKey = %+v", kv)
	}
	old, err := c.GetKey(ctx, "/l/k", r1.Header.Revision)
	if err != nil || string(old.Value) != "one" || old.Rev != r1.Header.Revision {
		t.Errorf("GetKey at rev %d = %+v, %v", r1.Header.Revision, old, err)
	}
	if _, err := c.c.Revoke(ctx, lease.ID); err != nil {
		t.Fatal(err)
	}
	if ttl, gone, err := c.leaseTTL(ctx, int64(lease.ID)); err != nil || !gone || ttl != -1 {
		t.Errorf("leaseTTL after revoke = %d, %v, %v", ttl, gone, err)
	}
	if missing, err := c.GetKey(ctx, "/l/k", 0); err != nil || missing.Found {
		t.Errorf("the key went with its lease: %+v, %v", missing, err)
	}

	cur := r2.Header.Revision + 1
	if err := c.CheckRev(ctx, cur); err != nil {
		t.Errorf("CheckRev(current) = %v", err)
	}
	err = c.CheckRev(ctx, cur+100)
	if !errors.Is(err, rpctypes.ErrFutureRev) || !strings.Contains(err.Error(), "in the future") {
		t.Errorf("CheckRev(future) = %v", err)
	}
	if _, err := c.GetKey(ctx, "/l/k", cur+100); !errors.Is(err, rpctypes.ErrFutureRev) {
		t.Errorf("GetKey(future) = %v", err)
	}
	if _, err := c.c.Compact(ctx, r2.Header.Revision); err != nil {
		t.Fatal(err)
	}
	err = c.CheckRev(ctx, r1.Header.Revision)
	want := fmt.Sprintf("revision %d is compacted: the oldest kept is %d", r1.Header.Revision, r2.Header.Revision)
	if !errors.Is(err, rpctypes.ErrCompacted) || !strings.Contains(err.Error(), want) {
		t.Errorf("CheckRev(compacted) = %v, want %q", err, want)
	}
	if at, err := c.CompactedAt(ctx); err != nil || at != r2.Header.Revision {
		t.Errorf("CompactedAt = %d, %v; want %d", at, err, r2.Header.Revision)
	}
}
