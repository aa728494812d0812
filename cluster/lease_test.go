package cluster_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/etcdeck/etcdeck/cluster"
)

// TestLeaseSummaryCountsAndOrphans grants leases with 0, 1 and 3 keys (and keys without a lease
// beside them) on a real member: the IDs are listed in order, each lease's detail counts its
// keys and names them, the summary counts keys attached and orphans, and buckets the granted
// TTLs; a revoked lease reads as gone.
func TestLeaseSummaryCountsAndOrphans(t *testing.T) {
	c, _ := writeClient(t)
	ctx := context.Background()
	ttls := []time.Duration{30 * time.Second, 300 * time.Second, 3000 * time.Second}
	var ids []int64
	for _, ttl := range ttls {
		id, err := c.GrantLease(ctx, ttl)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	for i, n := range []int{0, 1, 3} {
		for k := range n {
			if _, err := c.Put(ctx, fmt.Sprintf("/l/%d/%d", i, k), []byte("v"), cluster.PutOptions{Lease: ids[i]}); err != nil {
				t.Fatal(err)
			}
		}
	}
	for k := range 5 { // keys without a lease are not counted
		if _, err := c.Put(ctx, fmt.Sprintf("/plain/%d", k), []byte("v"), cluster.PutOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	got, err := c.LeaseIDs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := slices.Sorted(slices.Values(ids))
	if !slices.Equal(got, want) {
		t.Fatalf("LeaseIDs = %x, want %x", got, want)
	}
	d, err := c.LeaseDetail(ctx, ids[2], true)
	if err != nil || d.Granted != 3000 || d.NumKeys != 3 || !slices.Equal(d.Keys, []string{"/l/2/0", "/l/2/1", "/l/2/2"}) || d.Gone() {
		t.Fatalf("LeaseDetail = %+v, %v; want granted 3000 with /l/2/0..2", d, err)
	}
	ds, err := c.LeaseDetails(ctx, ids)
	if err != nil {
		t.Fatal(err)
	}
	for i, n := range []int{0, 1, 3} {
		if ds[i].ID != ids[i] || ds[i].NumKeys != n || ds[i].Keys != nil {
			t.Errorf("LeaseDetails[%d] = %+v, want %d keys counted (names not kept)", i, ds[i], n)
		}
	}
	s, err := c.SummarizeLeases(ctx, got)
	if err != nil {
		t.Fatal(err)
	}
	if s.Leases != 3 || s.KeysAttached != 4 || s.Orphans != 1 || s.Sampled != 3 || !slices.Equal(s.ByTTL, []int{1, 1, 1, 0, 0}) {
		t.Fatalf("summary = %+v; want 3 leases, 4 keys attached, 1 orphan, one per bucket ≤1m, ≤10m, ≤1h", s)
	}
	if _, err := c.RevokeLease(ctx, ids[1]); err != nil {
		t.Fatal(err)
	}
	if d, err := c.LeaseDetail(ctx, ids[1], true); err != nil || !d.Gone() {
		t.Fatalf("revoked lease reads %+v, %v; want gone", d, err)
	}
}

// TestParseLeaseID reads IDs as etcdctl prints them and refuses the rest with a clear error.
func TestParseLeaseID(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64
		ok   bool
	}{
		{"694d7a1e2f3b0c11", 0x694d7a1e2f3b0c11, true},
		{"0x694D7A1E2F3B0C11", 0x694d7a1e2f3b0c11, true},
		{"1", 1, true},
		{"", 0, false},
		{"0", 0, false},
		{"xyz", 0, false},
		{"ffffffffffffffff", 0, false}, // above int64: etcd's IDs are positive int64
		{"12 34", 0, false},
	} {
		got, err := cluster.ParseLeaseID(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("ParseLeaseID(%q) = %x, %v; want %x ok=%v", tc.in, got, err, tc.want, tc.ok)
		}
		if got := cluster.FormatLeaseID(tc.want); tc.ok && got != fmt.Sprintf("%x", tc.want) {
			t.Errorf("FormatLeaseID(%x) = %s", tc.want, got)
		}
	}
}
