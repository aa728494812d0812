package keys

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/embednode/nodetest"
	"github.com/etcdeck/etcdeck/views/common/viewtest"
)

func rowsNamed(names ...string) []cluster.Row {
	var rows []cluster.Row
	for _, n := range names {
		rows = append(rows, cluster.Row{Name: n, Dir: true, Count: -1, ValueSize: -1})
	}
	return rows
}

// TestNameHints: a directory listed again gets its own names; one never listed gets its listed
// siblings' (the directories sharing its parent), not its cousins' or its parent's; the top has
// no siblings; names are sorted and repeated once; and the cache stays within its bounds.
func TestNameHints(t *testing.T) {
	var h nameHints
	if got := h.forDir("/registry/pods/", '/'); got != nil {
		t.Fatalf("nothing listed yet: hints %q", got)
	}
	h.remember("/registry/pods/", rowsNamed("kube-system", "default", "team-a"))
	h.remember("/registry/configmaps/", rowsNamed("default", "monitoring"))
	h.remember("/registry/", rowsNamed("pods", "events", "configmaps"))
	h.remember("/other/pods/", rowsNamed("cousin"))
	if got, want := h.forDir("/registry/pods/", '/'), []string{"default", "kube-system", "team-a"}; !slices.Equal(got, want) {
		t.Errorf("listed again: %q, want its own names %q", got, want)
	}
	if got, want := h.forDir("/registry/events/", '/'), []string{"default", "kube-system", "monitoring", "team-a"}; !slices.Equal(got, want) {
		t.Errorf("a sibling of listed directories: %q, want their names %q", got, want)
	}
	if got := h.forDir("/", '/'); got != nil {
		t.Errorf("the top: %q, want none", got)
	}
	if got := h.forDir("/registry/pods/default/", '/'); got != nil {
		t.Errorf("a directory whose siblings were never listed: %q, want none", got)
	}
	// A filtered listing adds to what was known, leaves left out; the slice given out is the
	// caller's.
	h.remember("/registry/pods/", append(rowsNamed("team-b", "default"), cluster.Row{Name: "a-leaf", Leaf: true}))
	got := h.forDir("/registry/pods/", '/')
	if want := []string{"default", "kube-system", "team-a", "team-b"}; !slices.Equal(got, want) {
		t.Errorf("after a filtered listing: %q, want %q", got, want)
	}
	got[0] = "changed"
	if h.forDir("/registry/pods/", '/')[0] != "default" {
		t.Error("the hints given out share the cache's slice")
	}
	// Bounds: names per directory, and directories (the least recently listed go first).
	var many []string
	for i := 0; i < maxHintNames+500; i++ {
		many = append(many, fmt.Sprintf("ns-%05d", i))
	}
	h.remember("/big/", rowsNamed(many...))
	if n := len(h.forDir("/big/", '/')); n != maxHintNames {
		t.Errorf("%d names kept for one directory, want %d", n, maxHintNames)
	}
	for i := 0; i < maxHintDirs; i++ {
		h.remember(fmt.Sprintf("/d%02d/", i), rowsNamed("x"))
	}
	if len(h.dirs) != maxHintDirs || len(h.order) != maxHintDirs {
		t.Errorf("%d directories remembered (%d in order), want %d", len(h.dirs), len(h.order), maxHintDirs)
	}
	if _, ok := h.dirs["/registry/pods/"]; ok {
		t.Error("the least recently listed directory was not forgotten")
	}
	// Bytes: long names (Kubernetes allows 253) push the oldest directories out.
	long := strings.Repeat("n", 250)
	for d := 0; d < 8; d++ {
		var names []string
		for i := 0; i < maxHintNames; i++ {
			names = append(names, fmt.Sprintf("%s-%04d", long, i))
		}
		h.remember(fmt.Sprintf("/long%d/", d), rowsNamed(names...))
	}
	total := 0
	for d, n := range h.dirs {
		total += hintSize(d, n)
	}
	if total != h.bytes || h.bytes > maxHintBytes || h.dirs["/long7/"] == nil {
		t.Errorf("%d bytes of names held (counted %d), bound %d; the latest kept: %v", total, h.bytes, maxHintBytes, h.dirs["/long7/"] != nil)
	}
}

// TestSiblingNamesCutTheCount: a directory opened after a sibling is listed from the sibling's
// names, by windows at them: each of its keys is counted once, in one round, and each
// namespace's count comes with the listing. On the windows strategy (etcd < 3.7) the first-byte
// windows need a second round to see that nothing follows each namespace. The stream (3.7)
// keeps a directory of three children (cluster's TestStreamHintedPage covers many).
func TestSiblingNamesCutTheCount(t *testing.T) {
	m, _ := testView(t, 80, 24)
	list := func(dir string) cluster.Listing {
		t.Helper()
		msg, ok := m.open(dir, "")().(listedMsg)
		if !ok || msg.err != nil {
			t.Fatalf("listing %s: %#v", dir, msg)
		}
		m.Update(msg)
		return msg.listing
	}
	for _, s := range []cluster.Strategy{cluster.StrategyWindows, cluster.StrategyStream} {
		m.strategy, m.names = s, nameHints{}
		cold := list("/registry/configmaps/")
		m.names = nameHints{}
		list("/registry/pods/")
		warm := list("/registry/configmaps/")
		t.Logf("%v: with the siblings' names: %+v; without: %+v", s, warm.Stats, cold.Stats)
		if len(warm.Rows) != 3 || len(cold.Rows) != 3 {
			t.Fatalf("%v: rows with hints %v, without %v", s, warm.Rows, cold.Rows)
		}
		for _, r := range warm.Rows {
			if !r.Dir || r.Count != 5 {
				t.Errorf("%v: row %v: want a directory of 5 keys, counted by the listing", s, r)
			}
		}
		if s == cluster.StrategyStream {
			// Three names: too few for the stream to hand a page to the windows.
			if warm.Stats.Hinted || warm.Stats.Strategy != s {
				t.Errorf("stream with 3 names: %+v, want the stream's own listing", warm.Stats)
			}
			continue
		}
		if !warm.Stats.Hinted || cold.Stats.Hinted || warm.Stats.Strategy != s || m.strategy != s {
			t.Errorf("%v: hinted %v (cold %v), strategy %v, the view's next %v", s, warm.Stats.Hinted, cold.Stats.Hinted,
				warm.Stats.Strategy, m.strategy)
		}
		if warm.Stats.KeysCounted != 15 {
			t.Errorf("%v: %d keys counted with the siblings' names, want 15 (each once)", s, warm.Stats.KeysCounted)
		}
		if s == cluster.StrategyWindows && warm.Stats.RoundTrips >= cold.Stats.RoundTrips {
			t.Errorf("windows: %d round trips with the siblings' names, %d without", warm.Stats.RoundTrips, cold.Stats.RoundTrips)
		}
	}
}

// TestOpenListsASiblingForNames: opening a big directory whose names are unknown lists a small
// sibling first (cluster.ProbeSibling; the threshold lowered to this keyspace's size) and lists
// the directory from the sibling's names: every namespace's count comes with it, the sibling's
// names are remembered, and the status line's cost includes the sibling's listing. A directory
// opened again uses its own names and lists nothing else.
func TestOpenListsASiblingForNames(t *testing.T) {
	m, c := testView(t, 80, 24)
	raw := nodetest.Client(t, c.Endpoints())
	for _, ns := range []string{"default", "kube-system", "monitoring"} {
		ops := []clientv3.Op{clientv3.OpPut("/registry/leases/"+ns+"/l", "x")}
		for i := 0; i < 70; i++ { // pods/ of 225 keys: siblings of 1 key are under a hundredth
			ops = append(ops, clientv3.OpPut(fmt.Sprintf("/registry/pods/%s/more-%02d", ns, i), "x"))
		}
		if _, err := raw.Txn(context.Background()).Then(ops...).Commit(); err != nil {
			t.Fatal(err)
		}
	}
	m.strategy, m.probeMin = cluster.StrategyWindows, 100
	run := func(cmd tea.Cmd) listedMsg {
		t.Helper()
		msg, ok := cmd().(listedMsg)
		if !ok || msg.err != nil {
			t.Fatalf("listing: %#v", msg)
		}
		m.Update(msg)
		return msg
	}
	run(m.open("/registry/", ""))
	// The counts the view's details bring (pods/ is also a key, so the windows leave it to them).
	if err := c.FillDetails(context.Background(), "/registry/", '/', m.rev, m.rows); err != nil {
		t.Fatal(err)
	}
	enter := func(name string) listedMsg {
		t.Helper()
		for i, idx := range m.visible {
			if m.rows[idx].Name == name {
				m.cursor = i
				return run(m.openSelected())
			}
		}
		t.Fatalf("no row %q in %v", name, m.rows)
		return listedMsg{}
	}
	msg := enter("pods")
	if msg.probed != "/registry/leases/" || !msg.listing.Stats.Hinted {
		t.Fatalf("opening pods/ listed %q first (hinted %v), want /registry/leases/", msg.probed, msg.listing.Stats.Hinted)
	}
	for _, r := range msg.listing.Rows {
		if r.Dir && r.Count != 75 {
			t.Errorf("row %v: want its 75 keys counted by the listing", r)
		}
	}
	if len(msg.listing.Rows) != 3 || m.names.forDir("/registry/leases/", '/') == nil {
		t.Errorf("rows %v; the sibling's names remembered: %v", msg.listing.Rows, m.names.forDir("/registry/leases/", '/'))
	}
	run(m.up())
	if again := enter("pods"); again.probed != "" || !again.listing.Stats.Hinted {
		t.Errorf("pods/ again: listed %q first (hinted %v), want its own names and nothing else", again.probed, again.listing.Stats.Hinted)
	}
}

// TestProbeRefusedForAReader: a user who may read /app/ only. The sibling probe of /other/ is
// refused and costs only itself: /app/ is listed as it would be without it, on both strategies,
// with or without names known (hints never widen what is read beyond the directory).
func TestProbeRefusedForAReader(t *testing.T) {
	m := nodetest.Start(t)
	nodetest.AuthUsers(t, m.Endpoints())
	s := viewtest.SessionOf(t, cluster.ConnConfig{Endpoints: m.Endpoints(), InsecureTransport: true,
		User: "reader", Password: nodetest.ReaderPassword}, "test", nil)
	for _, st := range []cluster.Strategy{cluster.StrategyWindows, cluster.StrategyStream} {
		for _, hints := range [][]string{nil, {"a", "w", "zz", "\xff"}} {
			l, probed, err := listWithProbe(context.Background(), s.Client, "/app/", "/other/",
				cluster.ListOptions{Strategy: st, Hints: hints})
			if err != nil || probed != nil {
				t.Fatalf("%v, hints %q: err %v, probed rows %v; want the listing, and nothing from /other/", st, hints, err, probed)
			}
			if len(l.Rows) != 2 || l.Rows[0].Name != "a" || !l.Rows[0].Leaf || l.Rows[1].Name != "w" || !l.Rows[1].Dir ||
				l.Rows[1].Count > 1 {
				t.Errorf("%v, hints %q: rows %v, want the leaf a and the directory w (1 key)", st, hints, l.Rows)
			}
		}
	}
}
