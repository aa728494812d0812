package cluster

import (
	"context"
	"fmt"
	"maps"
	"math/rand"
	"slices"
	"strings"
	"testing"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/etcdeck/etcdeck/embednode/nodetest"
)

// TestRefineCoversTheRest: whatever the resume point, the window (a band or not, the bytes of
// names or any others) and the depth of the per-byte split, refine's windows are in key order, none empty, each starting where the
// previous one ended, from the resume point to the window's end: nothing is listed twice or
// skipped. Pure: no server.
func TestRefineCoversTheRest(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	alphabet := []byte{'-', '.', 'a', 'm', 'z', '0', '9', 'A', '~', '/', 0x00, 0x7f, 0xfe, 0xff, '_'}
	const p = "/d/"
	end := clientv3.GetPrefixRangeEnd(p)
	newWindow := func(from, to string, band int) *window {
		return &window{start: from, from: from, to: to, band: band}
	}
	for n := 0; n < 20000; n++ {
		name := make([]byte, 1+rng.Intn(12))
		for i := range name {
			name[i] = alphabet[rng.Intn(len(alphabet))]
		}
		resume := p + string(name)
		// The window being refined: the whole directory, a window per byte holding resume, a
		// resume point's own keys, or a band at some level of resume.
		var w *window
		switch k := len(p) + rng.Intn(len(name)); rng.Intn(3) {
		case 0:
			w = &window{start: p + "\x00", from: resume, to: end, band: -1}
		case 1:
			w = &window{start: resume[:k+1], from: resume, to: clientv3.GetPrefixRangeEnd(resume[:k+1]), band: -1}
		default:
			w = &window{start: resume, from: resume, to: clientv3.GetPrefixRangeEnd(resume[:k]), band: k}
		}
		if w.to == "\x00" {
			w.to = end
		}
		depth := 1 + rng.Intn(2)
		out := refine(w, resume, len(p), depth, newWindow)
		if len(out) == 0 {
			t.Fatalf("refine(%q in %q..%q band %d depth %d): no window", resume, w.start, w.to, w.band, depth)
		}
		at := resume
		for i, o := range out {
			if o.from != at || !before(o.from, o.to) {
				t.Fatalf("refine(%q in %q..%q band %d depth %d): window %d is %q..%q, want it to start at %q and not be empty",
					resume, w.start, w.to, w.band, depth, i, o.from, o.to, at)
			}
			at = o.to
		}
		if at != w.to {
			t.Fatalf("refine(%q in %q..%q band %d depth %d): the windows end at %q, not at the window's end",
				resume, w.start, w.to, w.band, depth, at)
		}
	}
}

// TestRefineShortResume: a resume point shorter than the directory's prefix (a page's After from
// elsewhere) makes no window inside the directory and cannot panic.
func TestRefineShortResume(t *testing.T) {
	newWindow := func(from, to string, band int) *window {
		return &window{start: from, from: from, to: to, band: band}
	}
	for _, resume := range []string{"", "/", "/d", "\xff"} {
		out := refine(&window{to: clientv3.GetPrefixRangeEnd("/d/"), band: -1}, resume, len("/d/"), 2, newWindow)
		for _, o := range out {
			if o.from < resume {
				t.Errorf("refine(%q): window %q..%q starts before the resume point", resume, o.from, o.to)
			}
		}
	}
}

// TestWindowsRestAndTwoLevels lists, on a real member, a keyspace of names sharing long prefixes
// (as Kubernetes namespaces do), one huge child among small siblings, and hostile bytes, with
// the windows' thresholds lowered so that every window takes each path: a rest window after a
// small window's first child, and two-level splits of big ones. Every page size must give the
// naive split's rows, each once, and every directory count the listing gives must be exact.
func TestWindowsRestAndTwoLevels(t *testing.T) {
	_, c := internalClient(t)
	ctx := context.Background()
	rng := rand.New(rand.NewSource(7))
	const p = "/w/"
	keys := map[string]bool{}
	for i := 0; i < 150; i++ { // namespaces "team-xy-NNN", 1–4 keys each, some also leaves
		ns := fmt.Sprintf("team-%c%c-%03d", 'a'+rng.Intn(6), 'a'+rng.Intn(26), rng.Intn(1000))
		for j := 0; j < 1+rng.Intn(4); j++ {
			keys[fmt.Sprintf("%s%s/e%d", p, ns, j)] = true
		}
		if i%9 == 0 {
			keys[p+ns] = true
		}
	}
	for i := 0; i < 400; i++ { // one huge child right after a small one sharing its prefix
		keys[fmt.Sprintf("%spods/k%04d", p, i)] = true
	}
	for _, k := range []string{"poddisruptionbudgets/a", "pod", "pods", "pods-x/y", "po/z", "p\x00q/r",
		"\xff\xfe/x", "Zeta/1", "_x", "team-", "team-/q", "\x00", "team-a\xff/b"} {
		keys[p+k] = true
	}
	putAll(t, c, slices.Collect(maps.Keys(keys)))
	want := map[string]string{} // name → "L", "D" or "LD"
	under := map[string]int64{} // name → keys under the directory
	for k := range keys {
		name := k[len(p):]
		kind := "L"
		if i := strings.IndexByte(name, '/'); i >= 0 {
			name, kind = name[:i], "D"
			under[name]++
		}
		if !strings.Contains(want[name], kind) {
			want[name] = map[string]string{"": kind, "L": "LD", "D": "LD"}[want[name]]
		}
	}
	// Hints: none, every name, some of them with names that are not there, names only.
	var all, some []string
	for name := range want {
		all = append(all, name)
		if rng.Intn(3) == 0 {
			some = append(some, name, name+"-gone", name+"\xff")
		}
	}
	hintSets := [][]string{nil, all, some, {"", "a", "team-", "team-b", "zzz", "\x00", "pods", "pods"}}
	known := 0 // directory rows whose count came with the listing
	for i, tune := range []windowTune{{restMax: 3, twoLevelMin: 20}, {restMax: 50, twoLevelMin: 1}, {restMax: 1, twoLevelMin: 1 << 40}} {
		for _, limit := range []int{0, 1, 7, 40} {
			hints := hintSets[(i+limit)%len(hintSets)]
			var rows []Row
			next, rev := "", int64(0)
			for page := 0; ; page++ {
				l, err := c.ListDir(ctx, p, ListOptions{Strategy: StrategyWindows, Limit: limit, After: next, Rev: rev,
					Hints: hints, tune: tune})
				if err != nil {
					t.Fatalf("tune %+v limit %d hints %d page %d: %v", tune, limit, len(hints), page, err)
				}
				rows, next, rev = MergeRows(rows, l.Rows), l.Next, l.Rev
				if next == "" {
					break
				}
				if page > len(keys) {
					t.Fatalf("tune %+v limit %d hints %d: pages never end", tune, limit, len(hints))
				}
			}
			got := map[string]string{}
			for _, r := range rows {
				kind := ""
				if r.Leaf {
					kind += "L"
				}
				if r.Dir {
					kind += "D"
				}
				if _, dup := got[r.Name]; dup {
					t.Fatalf("tune %+v limit %d hints %d: %q listed twice", tune, limit, len(hints), r.Name)
				}
				if r.Dir && r.Count >= 0 {
					known++
					if r.Count != under[r.Name] {
						t.Fatalf("tune %+v limit %d hints %d: %q counted %d keys, it has %d", tune, limit, len(hints), r.Name, r.Count, under[r.Name])
					}
				}
				got[r.Name] = kind
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("tune %+v limit %d hints %d:\n got %v\nwant %v", tune, limit, len(hints), got, want)
			}
		}
	}
	if known == 0 {
		t.Fatal("no directory's count came with its listing")
	}
}

// TestStreamHintedPage: on etcd 3.7 (the stream), a first page with at least minStreamHints
// names known is read by the windows at them: the rows and every count are the directory's,
// the listing stays marked as the stream's and says it was hinted, and the next page (no
// hints) is the stream's again. With fewer names the stream lists it as before.
func TestStreamHintedPage(t *testing.T) {
	eps, c := internalClient(t)
	ctx := context.Background()
	raw := nodetest.Client(t, eps)
	var names []string
	want := map[string]int64{}
	for i := 0; i < 150; i++ {
		ns := fmt.Sprintf("team-%03d", i*7)
		names = append(names, ns)
		var ops []clientv3.Op
		for j := 0; j <= i%5; j++ {
			ops = append(ops, clientv3.OpPut(fmt.Sprintf("/s/%s/e%d", ns, j), "v"))
		}
		want[ns] = int64(len(ops))
		if _, err := raw.Txn(ctx).Then(ops...).Commit(); err != nil {
			t.Fatal(err)
		}
	}
	hints := append(slices.Clone(names[:100]), "gone-1", "zzz")
	l, err := c.ListDir(ctx, "/s/", ListOptions{Strategy: StrategyStream, Limit: 80, Hints: hints})
	if err != nil {
		t.Fatal(err)
	}
	if !l.Stats.Hinted || l.Stats.Strategy != StrategyStream || l.Stats.KeysCounted == 0 {
		t.Fatalf("hinted page: %+v, want windows at the names, marked as the stream's", l.Stats)
	}
	rows := l.Rows
	for next := l.Next; next != ""; {
		p, err := c.ListDir(ctx, "/s/", ListOptions{Strategy: StrategyStream, Limit: 80, After: next, Rev: l.Rev})
		if err != nil {
			t.Fatal(err)
		}
		if p.Stats.Hinted || p.Stats.KeysCounted != 0 {
			t.Fatalf("a later page: %+v, want the stream's", p.Stats)
		}
		rows, next = MergeRows(rows, p.Rows), p.Next
	}
	if len(rows) != len(want) {
		t.Fatalf("%d rows, want %d: %v", len(rows), len(want), rows)
	}
	for _, r := range rows {
		if !r.Dir || (r.Count >= 0 && r.Count != want[r.Name]) {
			t.Errorf("row %v: want a directory of %d keys", r, want[r.Name])
		}
	}
	for _, r := range l.Rows {
		if r.Count < 0 && slices.Contains(hints, r.Name) {
			t.Errorf("row %v of the hinted page came without its count", r)
		}
	}
	few, err := c.ListDir(ctx, "/s/", ListOptions{Strategy: StrategyStream, Limit: 80, Hints: names[:minStreamHints-1]})
	if err != nil {
		t.Fatal(err)
	}
	if few.Stats.Hinted || few.Stats.KeysCounted != 0 {
		t.Errorf("%d names: %+v, want the stream's listing", minStreamHints-1, few.Stats)
	}
}
