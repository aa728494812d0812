package cluster

import (
	"context"
	"fmt"
	"math/rand"
	"testing"

	clientv3 "go.etcd.io/etcd/client/v3"
)

// putAll writes keys (value "v") in transactions of 128.
func putAll(t *testing.T, c *Client, keys []string) {
	t.Helper()
	for start := 0; start < len(keys); start += 128 {
		var ops []clientv3.Op
		for _, k := range keys[start:min(start+128, len(keys))] {
			ops = append(ops, clientv3.OpPut(k, "v"))
		}
		if _, err := c.c.Txn(context.Background()).Then(ops...).Commit(); err != nil {
			t.Fatal(err)
		}
	}
}

// TestWindowsPageCountsItsOwn: a page of a directory of many children probes about the windows
// of its own rows, not every window the directory was cut into (each probe counts its whole
// window on etcd < 3.7): its rows are the first of the whole listing, with every count known
// exact, and after the first round it counts a fraction of what the whole listing counts.
func TestWindowsPageCountsItsOwn(t *testing.T) {
	_, c := internalClient(t)
	ctx := context.Background()
	rng := rand.New(rand.NewSource(3))
	const p = "/many/"
	var keys []string
	under := map[string]int64{}
	for i := 0; i < 400; i++ { // 400 namespaces "team-xyz-NNN" sharing "team-", 10–30 keys each
		ns := fmt.Sprintf("team-%c%c%c-%03d", 'a'+rng.Intn(26), 'a'+rng.Intn(26), 'a'+rng.Intn(26), i)
		for j := 0; j < 10+rng.Intn(21); j++ {
			keys = append(keys, fmt.Sprintf("%s%s/e%02d", p, ns, j))
			under[ns]++
		}
	}
	putAll(t, c, keys)
	tune := windowTune{restMax: 40, twoLevelMin: 1000}
	whole, err := c.ListDir(ctx, p, ListOptions{Strategy: StrategyWindows, tune: tune})
	if err != nil {
		t.Fatal(err)
	}
	if len(whole.Rows) != 400 {
		t.Fatalf("whole listing: %d rows, want 400", len(whole.Rows))
	}
	page, err := c.ListDir(ctx, p, ListOptions{Strategy: StrategyWindows, Limit: 40, Rev: whole.Rev, tune: tune})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Rows) < 40 || page.Next == "" {
		t.Fatalf("page of 40: %d rows, next %q", len(page.Rows), page.Next)
	}
	for i, r := range page.Rows {
		if r.Name != whole.Rows[i].Name {
			t.Fatalf("page row %d is %q, the whole listing's %q", i, r.Name, whole.Rows[i].Name)
		}
		if r.Count >= 0 && r.Count != under[r.Name] {
			t.Fatalf("page row %q counted %d keys, it has %d", r.Name, r.Count, under[r.Name])
		}
	}
	// Both count the directory once in their first round, to learn that the names share
	// "team-"; what they count after that is what the page saves.
	n := int64(len(keys))
	if extra := page.Stats.KeysCounted - n; extra*3 > whole.Stats.KeysCounted-n {
		t.Errorf("a page of 40 of 400 rows counted %d keys after the first round, the whole listing %d: want under a third",
			extra, whole.Stats.KeysCounted-n)
	}
	t.Logf("%d keys; page of %d rows: %d keys counted, %d round trips; whole listing: %d, %d", n,
		len(page.Rows), page.Stats.KeysCounted, page.Stats.RoundTrips, whole.Stats.KeysCounted, whole.Stats.RoundTrips)
}

// TestWindowsLaterPageCountsItsOwn: a later page (ListOptions.After) probes the windows next to
// where the previous page ended first, not every window of the rest of the directory, and reads
// about what it keeps; the pages together are the whole directory, each row once.
func TestWindowsLaterPageCountsItsOwn(t *testing.T) {
	_, c := internalClient(t)
	ctx := context.Background()
	rng := rand.New(rand.NewSource(5))
	const p = "/leaves/"
	apps := []string{"api", "db", "web", "worker"}
	const letters = "bcdfghjklmnpqrstvwxz2456789"
	seen := map[string]bool{}
	var keys []string
	for len(keys) < 6000 {
		name := apps[rng.Intn(len(apps))] + "-"
		for range 8 {
			name += string(letters[rng.Intn(len(letters))])
		}
		if !seen[name] {
			seen[name] = true
			keys = append(keys, p+name)
		}
	}
	putAll(t, c, keys)
	var rows []Row
	next, rev := "", int64(0)
	var laterCounted, laterRead int64
	pages := 0
	for {
		l, err := c.ListDir(ctx, p, ListOptions{Strategy: StrategyWindows, Limit: 100, After: next, Rev: rev})
		if err != nil {
			t.Fatal(err)
		}
		if testing.Verbose() {
			t.Logf("page %d: %d rows, %d counted, %d read, %d round trips", pages, len(l.Rows), l.Stats.KeysCounted, l.Stats.KeysRead, l.Stats.RoundTrips)
		}
		if pages > 0 {
			laterCounted += l.Stats.KeysCounted
			laterRead += l.Stats.KeysRead
		}
		rows, next, rev = MergeRows(rows, l.Rows), l.Next, l.Rev
		pages++
		if next == "" {
			break
		}
		if pages > len(keys) {
			t.Fatal("pages never end")
		}
	}
	if len(rows) != len(keys) {
		t.Fatalf("%d rows over %d pages, want the %d leaves", len(rows), pages, len(keys))
	}
	for _, r := range rows {
		if !seen[r.Name] || !r.Leaf || r.Dir {
			t.Fatalf("row %v: not one of the leaves", r)
		}
	}
	// Counting the whole rest at each page counts ~n²/2/rows-per-page keys: 30.7 × the
	// directory here; about its own windows, 15.
	n := int64(len(keys))
	if laterCounted > 22*n {
		t.Errorf("%d later pages counted %d keys in all (%.1f × the directory): want each to count about its own windows",
			pages-1, laterCounted, float64(laterCounted)/float64(n))
	}
	if laterRead > 4*n {
		t.Errorf("%d later pages read %d keys to list %d rows", pages-1, laterRead, n)
	}
	t.Logf("%d pages; later pages counted %d keys (%.1f × the directory) and read %d", pages, laterCounted,
		float64(laterCounted)/float64(n), laterRead)
}

// TestPendingCut: which windows a round probes and where a page ends, without a server: each
// window counts as its rows, a reading one as its rows and the keys it has left, one not probed
// yet as its expectation (a hinted name 1, a refined window refinedRows), a later page probes at
// most probeCap windows it knows nothing of, and a gap window never ends a page.
func TestPendingCut(t *testing.T) {
	rows := func(n int) *builder {
		b := &builder{prefix: "/d/", sep: '/'}
		for i := 0; i < n; i++ {
			b.row(fmt.Sprintf("r%03d", i))
		}
		return b
	}
	done := func(n int) *window { return &window{b: rows(n), probed: true, done: true} }
	fresh := func() *window { return &window{b: rows(0), refined: true, limit: 16} }
	reading := func(n int, unread int64) *window {
		return &window{b: rows(n), probed: true, refined: true, unread: unread, limit: 4096}
	}
	many := func(n int, mk func() *window) []*window {
		var ws []*window
		for i := 0; i < n; i++ {
			ws = append(ws, mk())
		}
		return ws
	}
	cases := []struct {
		name         string
		limit, cap   int
		ws           []*window
		pending, cut int
	}{
		{"a whole listing probes every open window", 0, 0, append([]*window{done(5)}, many(30, fresh)...), 30, 31},
		{"done windows fill the page", 10, 0, []*window{done(4), done(4), done(4), done(4)}, 0, 3},
		{"a refined window counts as half a row before any answered", 3, 0, many(20, fresh), 6, 6},
		{"a reading window counts its keys left", 10, 0, append([]*window{reading(2, 100)}, many(10, fresh)...), 1, 1},
		{"a later page probes at most its cap of unknown windows", 100, 8, many(40, fresh), 8, 8},
		{"a gap window never ends a page", 1, 0, []*window{done(1), {b: rows(0), gap: true}, fresh()}, 1, 2},
	}
	for _, c := range cases {
		s := &windowScan{b: rows(0), limit: c.limit, probeCap: c.cap}
		pending, cut := s.pending(c.ws)
		if len(pending) != c.pending || cut != c.cut {
			t.Errorf("%s: %d windows to probe, page ends at %d; want %d and %d", c.name, len(pending), cut, c.pending, c.cut)
		}
	}
	// The reading window may read only what the page still needs after the windows before it.
	s := &windowScan{b: rows(0), limit: 10}
	w := reading(2, 100)
	s.pending([]*window{done(3), w})
	if w.need != 9 || w.limit != 7 {
		t.Errorf("a window holding 2 rows after 3: the page ends at its row %d and it reads %d keys; want 9 and 7", w.need, w.limit)
	}
}
