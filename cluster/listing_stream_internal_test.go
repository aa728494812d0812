package cluster

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/etcdeck/etcdeck/embednode/nodetest"
)

// internalClient starts a member and connects a Client to it, closed when the test ends; it
// returns the member's endpoints with it.
func internalClient(t *testing.T) ([]string, *Client) {
	t.Helper()
	m := nodetest.Start(t)
	c, err := Connect(context.Background(), ConnConfig{Endpoints: m.Endpoints(), InsecureTransport: true,
		CommandTimeout: 20 * time.Second}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return m.Endpoints(), c
}

// scanKeys feeds keys (sorted) to b as a stream scan would, skipping what add jumps past, and
// returns how many jumps it made.
func scanKeys(b *builder, st *scanState, keys []string) int {
	jumps, resume := 0, ""
	for _, k := range keys {
		if k < resume {
			continue
		}
		if to, skip := b.add(st, k); skip {
			jumps++
			resume = to
		}
	}
	return jumps
}

// bigThenMedium is a directory holding one child of big keys, then n children of medium keys
// each: /registry/pods/ at a million keys ("big", then 200 namespaces of ~600 pods, most of
// them over 512).
func bigThenMedium(big, n, medium int) []string {
	var keys []string
	for i := 0; i < big; i++ {
		keys = append(keys, fmt.Sprintf("/p/a-big/k%06d", i))
	}
	for c := 0; c < n; c++ {
		for i := 0; i < medium; i++ {
			keys = append(keys, fmt.Sprintf("/p/ns%03d/k%06d", c, i))
		}
	}
	return keys
}

// TestScanLimitAfterBigSibling: after one big child, the limit falls no lower than the least the
// measured costs allow, so medium siblings are read through (exact counts, no jump each). With
// the defaults alone (no measure) it falls to minSkipAfter and every medium sibling costs a jump:
// what made /registry/pods/ take one round trip per namespace.
func TestScanLimitAfterBigSibling(t *testing.T) {
	keys := bigThenMedium(5000, 40, 700)
	b := newBuilder("/p/", '/')
	st := scanState{most: 2000, least: 500}
	if jumps := scanKeys(b, &st, keys); jumps != 1 {
		t.Errorf("%d jumps with the limit between 500 and 2,000, want 1 (past the big child)", jumps)
	}
	rows := b.sorted()
	if len(rows) != 41 || rows[0].Count != -1 {
		t.Fatalf("rows = %v, want the big child (count unknown) and 40 namespaces", rows)
	}
	for _, r := range rows[1:] {
		if r.Count != 700 {
			t.Fatalf("row %v: a medium child read through counts its 700 keys", r)
		}
	}

	b = newBuilder("/p/", '/')
	st = scanState{}
	if jumps := scanKeys(b, &st, keys); jumps != 41 {
		t.Errorf("%d jumps with the default bounds, want 41 (the limit collapses to %d)", jumps, minSkipAfter)
	}
}

// TestScanLimitBounds: bounds outside what the builder allows are clamped, and a limit left from
// wider bounds is brought inside narrower ones before it is used.
func TestScanLimitBounds(t *testing.T) {
	b := newBuilder("/p/", '/')
	b.skipAfter = 4 // a benchmark's fixed limit
	st := scanState{}
	if hi, lo := st.bounds(b); hi != 4 || lo != 4 {
		t.Errorf("bounds = %d, %d with skipAfter 4, want 4, 4", hi, lo)
	}
	st = scanState{most: 100, least: 400}
	if hi, lo := st.bounds(newBuilder("/p/", '/')); hi != 100 || lo != 100 {
		t.Errorf("bounds = %d, %d for most 100, least 400, want 100, 100", hi, lo)
	}
	b = newBuilder("/p/", '/')
	st = scanState{limit: 5000, most: 64, least: 16}
	if jumps := scanKeys(b, &st, bigThenMedium(100, 0, 0)); jumps != 1 || b.rows[0].Count != -1 {
		t.Errorf("%d jumps, rows %v: a limit of 5,000 left from wider bounds must obey most 64", jumps, b.rows)
	}
}

// TestStreamCostBounds: the break-even is the jump's cost over a key's, clamped; the least is a
// quarter of it; nothing measured keeps the defaults.
func TestStreamCostBounds(t *testing.T) {
	for _, tc := range []struct {
		jump, key   time.Duration
		most, least int
	}{
		{0, 0, 0, 0},
		{2 * time.Millisecond, 0, 0, 0},
		{2 * time.Millisecond, 2 * time.Microsecond, 1000, 250},
		{10 * time.Millisecond, 4 * time.Microsecond, 2500, 625},
		{100 * time.Millisecond, time.Microsecond, maxSkipAfter, maxSkipAfter / 4},
		{10 * time.Microsecond, time.Microsecond, minSkipAfter, minSkipAfter},
		{200 * time.Microsecond, time.Microsecond, 200, 50},
	} {
		sc := streamCost{jump: float64(tc.jump), key: float64(tc.key)}
		if most, least := sc.bounds(); most != tc.most || least != tc.least {
			t.Errorf("jump %v, key %v: bounds %d, %d, want %d, %d", tc.jump, tc.key, most, least, tc.most, tc.least)
		}
	}
	var sc streamCost
	sc.add(&sc.jump, 1000)
	sc.add(&sc.jump, 2000)
	if sc.jump != 1250 {
		t.Errorf("moving average of 1,000 then 2,000 = %v, want 1,250 (weight %v)", sc.jump, costWeight)
	}
}

// TestStreamHandsOffToWindows: on a real member, a whole listing whose stream scan has read
// handOffAfter medium subtrees whole in a row lists the rest with the windows (keys counted, not
// read), a paged one stays on the stream (nothing counted), and the rows are exactly the
// children either way. The costs are frozen so that the medium
// subtrees are read through whatever this machine measures.
func TestStreamHandsOffToWindows(t *testing.T) {
	eps, c := internalClient(t)
	ctx := context.Background()
	var keys []string
	for i := 0; i < 2500; i++ {
		keys = append(keys, fmt.Sprintf("/h/a-big/k%05d", i))
	}
	for n := 0; n < 30; n++ {
		for i := 0; i < 300; i++ {
			keys = append(keys, fmt.Sprintf("/h/team-%c%c-%02d/k%03d", 'b'+n%5, 'c'+n%7, n, i))
		}
	}
	keys = append(keys, "/h/team-bc-00", "/h/zz")
	raw := nodetest.Client(t, eps)
	for start := 0; start < len(keys); start += 128 {
		var ops []clientv3.Op
		for _, k := range keys[start:min(start+128, len(keys))] {
			ops = append(ops, clientv3.OpPut(k, "v"))
		}
		if _, err := raw.Txn(ctx).Then(ops...).Commit(); err != nil {
			t.Fatal(err)
		}
	}
	want := map[string]int64{} // name → keys under it (-1: a leaf only)
	for _, k := range keys {
		name, dir := strings.CutPrefix(k, "/h/")
		if i := strings.IndexByte(name, '/'); i >= 0 {
			name, dir = name[:i], true
		} else {
			dir = false
		}
		if dir {
			want[name] = max(want[name], 0) + 1
		} else if _, ok := want[name]; !ok {
			want[name] = -1
		}
	}
	for _, limit := range []int{0, 5} {
		l := Listing{Prefix: "/h/", Sep: '/'}
		resp, err := c.c.Get(ctx, "/h/", clientv3.WithCountOnly())
		if err != nil {
			t.Fatal(err)
		}
		l.Rev = resp.Header.Revision
		var rows []Row
		from := "/h/"
		for page := 0; ; page++ {
			b := newBuilder("/h/", '/')
			cost := &streamCost{jump: float64(2 * time.Millisecond), key: float64(time.Microsecond), frozen: true}
			next, err := c.scanStream(ctx, &l, b, from, clientv3.GetPrefixRangeEnd("/h/"), limit, cost)
			if err != nil {
				t.Fatal(err)
			}
			rows = MergeRows(rows, b.sorted())
			if next == "" {
				break
			}
			if page > 100 {
				t.Fatalf("limit %d: no end after 100 pages", limit)
			}
			from = next
		}
		if len(rows) != len(want) {
			t.Fatalf("limit %d: %d rows, want %d: %v", limit, len(rows), len(want), rows)
		}
		for _, r := range rows {
			w, ok := want[r.Name]
			if !ok || r.Dir != (w >= 0) || (r.Dir && r.Count >= 0 && r.Count != w) {
				t.Fatalf("limit %d: row %v, want %d keys under it (-1: a leaf only)", limit, r, w)
			}
		}
		if limit == 0 && (l.Stats.KeysCounted == 0 || l.Stats.KeysRead >= int64(len(keys))/2) {
			t.Errorf("read %d keys and counted %d of %d: the windows should have listed the rest",
				l.Stats.KeysRead, l.Stats.KeysCounted, len(keys))
		}
		if limit > 0 && l.Stats.KeysCounted != 0 {
			t.Errorf("pages of %d rows counted %d keys: a page is not handed to the windows", limit, l.Stats.KeysCounted)
		}
	}
}
