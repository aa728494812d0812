package cluster_test

import (
	"context"
	"fmt"
	"math/rand"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/embednode/nodetest"
)

// listClient connects to plaintext endpoints for the listing tests.
func listClient(t testing.TB, endpoints []string) *cluster.Client {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := cluster.Connect(ctx, cluster.ConnConfig{Endpoints: endpoints, InsecureTransport: true,
		CommandTimeout: 20 * time.Second}, nil)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// naiveList is the reference: every key split in memory.
func naiveList(keys map[string]int, prefix string, sep byte) []cluster.Row {
	byName := map[string]*cluster.Row{}
	for k, size := range keys {
		if !strings.HasPrefix(k, prefix) {
			continue
		}
		rest := k[len(prefix):]
		name, dir := rest, false
		if i := strings.IndexByte(rest, sep); i >= 0 {
			name, dir = rest[:i], true
		}
		r := byName[name]
		if r == nil {
			r = &cluster.Row{Name: name, ValueSize: -1}
			byName[name] = r
		}
		if dir {
			r.Dir = true
			r.Count++
		} else {
			r.Leaf = true
			r.ValueSize = int64(size)
		}
	}
	var out []cluster.Row
	for _, r := range byName {
		out = append(out, *r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// oddKeyspace makes keys with empty segments, non-UTF-8 and control bytes, keys equal to
// directory prefixes, keys without a leading '/', and a few subtrees large enough to be skipped.
func oddKeyspace(rng *rand.Rand, n int) map[string]int {
	alphabet := []string{"/", "/", "/", "a", "b", "s", "-", "0", ".", "\x00", "\xff", "\n", "é", "\x7f", "\xc3"}
	keys := map[string]int{}
	randKey := func() string {
		var b strings.Builder
		if rng.Intn(4) > 0 {
			b.WriteString("/")
		}
		for l := 1 + rng.Intn(8); l > 0; l-- {
			b.WriteString(alphabet[rng.Intn(len(alphabet))])
		}
		return b.String()
	}
	for len(keys) < n {
		k := randKey()
		keys[k] = rng.Intn(40)
		if rng.Intn(10) == 0 { // a big subtree under a random directory
			base := k
			if i := strings.LastIndexByte(k, '/'); i >= 0 {
				base = k[:i+1]
			}
			for j := rng.Intn(80); j > 0; j-- {
				keys[fmt.Sprintf("%ssub%d/k%d", base, rng.Intn(3), j)] = 1
			}
		}
	}
	delete(keys, "")
	return keys
}

func putAll(t testing.TB, c *cluster.Client, keys map[string]int) {
	t.Helper()
	var ops []clientv3.Op
	flush := func() {
		if len(ops) == 0 {
			return
		}
		if _, err := nodetest.Client(t, c.Endpoints()).Txn(context.Background()).Then(ops...).Commit(); err != nil {
			t.Fatalf("put: %v", err)
		}
		ops = ops[:0]
	}
	for k, size := range keys {
		ops = append(ops, clientv3.OpPut(k, strings.Repeat("v", size)))
		if len(ops) == 128 {
			flush()
		}
	}
	flush()
}

// prefixesOf picks directories to list: the root, every directory of some keys, and random ones.
func prefixesOf(rng *rand.Rand, keys map[string]int) []string {
	set := map[string]bool{"": true, "/": true, "/a/": true, "nothing/": true}
	for k := range keys {
		if rng.Intn(8) != 0 {
			continue
		}
		for i := 0; i < len(k); i++ {
			if k[i] == '/' {
				set[k[:i+1]] = true
			}
		}
	}
	var out []string
	for p := range set {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

func checkRows(t *testing.T, what string, got, want []cluster.Row) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d rows, want %d\n got %v\nwant %v", what, len(got), len(want), got, want)
	}
	for i := range got {
		g, w := got[i], want[i]
		if g.Name != w.Name || g.Leaf != w.Leaf || g.Dir != w.Dir {
			t.Fatalf("%s: row %d is %v, want %v", what, i, g, w)
		}
		if g.Dir && g.Count >= 0 && g.Count != w.Count {
			t.Fatalf("%s: row %s counts %d keys, want %d", what, cluster.EscapeKey(g.Name), g.Count, w.Count)
		}
	}
}

// listAllPages lists prefix page by page and joins the pages.
func listAllPages(t *testing.T, c *cluster.Client, prefix string, opts cluster.ListOptions) cluster.Listing {
	t.Helper()
	l, err := c.ListDir(context.Background(), prefix, opts)
	if err != nil {
		t.Fatalf("list %q: %v", prefix, err)
	}
	for next := l.Next; next != ""; {
		o := opts
		o.Rev, o.After = l.Rev, next
		page, err := c.ListDir(context.Background(), prefix, o)
		if err != nil {
			t.Fatalf("list %q after %q: %v", prefix, next, err)
		}
		if opts.Strategy == cluster.StrategyStream && opts.Limit > 0 && len(page.Rows) > opts.Limit+1 {
			t.Fatalf("page of %d rows, limit %d", len(page.Rows), opts.Limit)
		}
		l.Rows = cluster.MergeRows(l.Rows, page.Rows)
		next = page.Next
	}
	return l
}

func TestListDirMatchesNaiveSplit(t *testing.T) {
	c := listClient(t, nodetest.Start(t).Endpoints())
	rng := rand.New(rand.NewSource(time.Now().UnixNano()))
	keys := oddKeyspace(rng, 600)
	putAll(t, c, keys)
	for _, prefix := range prefixesOf(rng, keys) {
		want := naiveList(keys, prefix, '/')
		for _, opts := range []cluster.ListOptions{
			{Strategy: cluster.StrategyStream},
			{Strategy: cluster.StrategyWindows},
			{Strategy: cluster.StrategyStream, Limit: 1 + rng.Intn(5)},
			{Strategy: cluster.StrategyWindows, Limit: 1 + rng.Intn(5)},
		} {
			if rng.Intn(3) == 0 { // a server-side name filter
				opts.NamePrefix = []string{"a", "s", "", "\xff", "-"}[rng.Intn(5)]
			}
			want := want
			if opts.NamePrefix != "" {
				want = nil
				for _, r := range naiveList(keys, prefix, '/') {
					if strings.HasPrefix(r.Name, opts.NamePrefix) {
						want = append(want, r)
					}
				}
			}
			what := fmt.Sprintf("list %q (%v, limit %d, names %q)", prefix, opts.Strategy, opts.Limit, opts.NamePrefix)
			l := listAllPages(t, c, prefix, opts)
			checkRows(t, what, l.Rows, want)
			if err := c.FillDetails(context.Background(), prefix, '/', l.Rev, l.Rows); err != nil {
				t.Fatalf("%s: details: %v", what, err)
			}
			for i, r := range l.Rows {
				if (r.Dir && r.Count != want[i].Count) || (r.Leaf && r.ValueSize != want[i].ValueSize) {
					t.Fatalf("%s: details of %v: size %d, want %v size %d", what, r, r.ValueSize, want[i], want[i].ValueSize)
				}
			}
		}
	}
}

func TestListDirOtherSeparator(t *testing.T) {
	c := listClient(t, nodetest.Start(t).Endpoints())
	keys := map[string]int{"a.b.c": 1, "a.b": 2, "a.c": 3, "a..x": 4, "a": 5, "b/c.d": 6}
	putAll(t, c, keys)
	for _, prefix := range []string{"", "a.", "a.b.", "b/c."} {
		l, err := c.ListDir(context.Background(), prefix, cluster.ListOptions{Sep: '.'})
		if err != nil {
			t.Fatal(err)
		}
		checkRows(t, "sep . "+prefix, l.Rows, naiveList(keys, prefix, '.'))
	}
}

// TestListDirPinnedRevision lists page by page while a writer changes the directory: every page
// must come from the first page's revision.
func TestListDirPinnedRevision(t *testing.T) {
	c := listClient(t, nodetest.Start(t).Endpoints())
	keys := map[string]int{}
	for i := 0; i < 300; i++ {
		keys[fmt.Sprintf("/p/k%03d", i)] = 1
		keys[fmt.Sprintf("/p/d%02d/x%d", i%40, i)] = 1
	}
	putAll(t, c, keys)
	etcd := nodetest.Client(t, c.Endpoints())
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ctx.Err() == nil; i++ {
			etcd.Put(ctx, fmt.Sprintf("/p/k%03da", i%300), "new")
			etcd.Delete(ctx, fmt.Sprintf("/p/k%03d", (i*7)%300))
			etcd.Put(ctx, fmt.Sprintf("/p/n%03d/x", i%300), "new")
		}
	}()
	defer func() { cancel(); wg.Wait() }()
	for round := 0; round < 5; round++ {
		l := listAllPages(t, c, "/p/", cluster.ListOptions{Limit: 7})
		resp, err := etcd.Get(context.Background(), "/p/", clientv3.WithPrefix(), clientv3.WithRev(l.Rev), clientv3.WithKeysOnly())
		if err != nil {
			t.Fatal(err)
		}
		at := map[string]int{}
		for _, kv := range resp.Kvs {
			at[string(kv.Key)] = 0
		}
		checkRows(t, fmt.Sprintf("round %d at rev %d", round, l.Rev), l.Rows, naiveList(at, "/p/", '/'))
	}
}

// TestListDirEtcd34 lists through the windows fallback on a server without RangeStream.
func TestListDirEtcd34(t *testing.T) {
	ep := nodetest.StartEtcd34(t)
	c := listClient(t, []string{ep})
	rng := rand.New(rand.NewSource(1))
	keys := oddKeyspace(rng, 200)
	putAll(t, c, keys)
	for _, prefix := range []string{"", "/", "/a/", "/s/"} {
		l, err := c.ListDir(context.Background(), prefix, cluster.ListOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if l.Stats.Strategy != cluster.StrategyWindows {
			t.Fatalf("etcd 3.4 listed with %v, want the windows fallback", l.Stats.Strategy)
		}
		checkRows(t, "3.4 "+prefix, l.Rows, naiveList(keys, prefix, '/'))
		paged := listAllPages(t, c, prefix, cluster.ListOptions{Limit: 3})
		checkRows(t, "3.4 paged "+prefix, paged.Rows, naiveList(keys, prefix, '/'))
	}
}

func TestMergeRows(t *testing.T) {
	a := []cluster.Row{{Name: "a", Leaf: true}, {Name: "s", Leaf: true, ValueSize: 3}}
	b := []cluster.Row{{Name: "s", Dir: true, Count: 4, ValueSize: -1}, {Name: "t", Leaf: true}}
	got := cluster.MergeRows(a, b)
	want := []cluster.Row{{Name: "a", Leaf: true}, {Name: "s", Leaf: true, Dir: true, Count: 4, ValueSize: 3}, {Name: "t", Leaf: true}}
	if fmt.Sprint(got) != fmt.Sprint(want) || got[1].ValueSize != 3 {
		t.Fatalf("MergeRows = %v, want %v", got, want)
	}
}

// TestListDirSharedPrefixes: many children sharing long name prefixes, as Kubernetes
// namespaces do, make the windows strategy refine several levels down.
func TestListDirSharedPrefixes(t *testing.T) {
	c := listClient(t, nodetest.Start(t).Endpoints())
	rng := rand.New(rand.NewSource(3))
	keys := map[string]int{}
	for i := 0; i < 120; i++ {
		ns := fmt.Sprintf("team-%c%c-%03d", 'a'+rng.Intn(3), 'a'+rng.Intn(3), rng.Intn(1000))
		for j := 0; j < 1+rng.Intn(5); j++ {
			keys[fmt.Sprintf("/r/pods/%s/p%d", ns, j)] = 1
		}
		if i%7 == 0 {
			keys["/r/pods/"+ns] = 2
			keys["/r/pods/"+ns+"-x"] = 3
		}
	}
	putAll(t, c, keys)
	for _, s := range []cluster.Strategy{cluster.StrategyWindows, cluster.StrategyStream} {
		l, err := c.ListDir(context.Background(), "/r/pods/", cluster.ListOptions{Strategy: s, SkipAfter: 1})
		if err != nil {
			t.Fatal(err)
		}
		checkRows(t, s.String(), l.Rows, naiveList(keys, "/r/pods/", '/'))
	}
}
