package cluster_test

import (
	"fmt"
	"testing"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/embednode/nodetest"
)

// TestListDirBigThenMedium lists, on a real member, a directory shaped like /registry/pods/ at a
// million keys (one big child, then many medium ones): the stream scan adapts its limit to the
// costs it measures as it goes, whatever they are on this machine, and the rows must still be
// exactly the children, with exact counts for the children it read through, whole and in pages.
func TestListDirBigThenMedium(t *testing.T) {
	c := listClient(t, nodetest.Start(t).Endpoints())
	keys := map[string]int{"/p/a-big": 3} // a leaf and a directory at once
	for i := 0; i < 3000; i++ {
		keys[fmt.Sprintf("/p/a-big/k%05d", i)] = 1
	}
	for n := 0; n < 30; n++ {
		for i := 0; i < 20+n*10; i++ {
			keys[fmt.Sprintf("/p/ns%02d/k%05d", n, i)] = 1
		}
		keys[fmt.Sprintf("/p/ns%02d-leaf", n)] = 2
	}
	putAll(t, c, keys)
	want := naiveList(keys, "/p/", '/')
	for _, opts := range []cluster.ListOptions{
		{Strategy: cluster.StrategyStream},
		{Strategy: cluster.StrategyAuto},
		{Strategy: cluster.StrategyStream, Limit: 7},
	} {
		what := fmt.Sprintf("list /p/ (%v, limit %d)", opts.Strategy, opts.Limit)
		l := listAllPages(t, c, "/p/", opts)
		checkRows(t, what, l.Rows, want)
		if l.Stats.Strategy != cluster.StrategyStream {
			t.Fatalf("%s used %v: the embedded member (etcd 3.7) has RangeStream", what, l.Stats.Strategy)
		}
		if l.Stats.KeysRead > int64(len(keys)) && opts.Limit == 0 {
			t.Errorf("%s read %d keys of %d", what, l.Stats.KeysRead, len(keys))
		}
	}
}
