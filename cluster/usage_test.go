package cluster_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/embednode/nodetest"
)

// TestLiveUsageMatchesNaiveCount: per child of a prefix, LiveUsage's keys and bytes equal a count
// over one Get of the whole prefix, across more keys than one page, at depth 1 and 2; a key
// beside the directories is its own row.
func TestLiveUsageMatchesNaiveCount(t *testing.T) {
	m := nodetest.Start(t)
	etcd := nodetest.Client(t, m.Endpoints())
	c, _ := writeClientAt(t, m.Endpoints())
	ctx := context.Background()
	for i := range 2500 { // more than two pages of 1,000
		key := fmt.Sprintf("/r/kind%d/ns%d/obj-%04d", i%3, i%4, i)
		if _, err := etcd.Put(ctx, key, strings.Repeat("v", i%50)); err != nil {
			t.Fatal(err)
		}
	}
	etcd.Put(ctx, "/r/leaf", "x")
	etcd.Put(ctx, "/outside", "y")
	all, err := etcd.Get(ctx, "/r/", clientv3.WithPrefix())
	if err != nil {
		t.Fatal(err)
	}
	for depth := 1; depth <= 2; depth++ {
		want := map[string][2]int64{}
		for _, kv := range all.Kvs {
			parts := strings.SplitAfterN(strings.TrimPrefix(string(kv.Key), "/r/"), "/", depth+1)
			name := "/r/" + strings.Join(parts[:min(depth, len(parts))], "")
			w := want[name]
			w[0]++
			w[1] += int64(len(kv.Key) + len(kv.Value))
			want[name] = w
		}
		rep, err := c.LiveUsage(ctx, "/r/", '/', depth)
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Rows) != len(want) || rep.Keys != int64(len(all.Kvs)) {
			t.Fatalf("depth %d: %d rows, %d keys; want %d rows %v, %d keys", depth, len(rep.Rows), rep.Keys, len(want), want, len(all.Kvs))
		}
		for i, r := range rep.Rows {
			if got := [2]int64{r.Keys, r.KeyBytes + r.ValueBytes}; got != want[r.Name] {
				t.Errorf("depth %d: %s: %v, want %v", depth, r.Name, got, want[r.Name])
			}
			if i > 0 && r.KeyBytes+r.ValueBytes > rep.Rows[i-1].KeyBytes+rep.Rows[i-1].ValueBytes {
				t.Errorf("depth %d: row %d (%s) is larger than the one before", depth, i, r.Name)
			}
		}
	}
}

func TestShareBar(t *testing.T) {
	for _, c := range []struct {
		n, total int64
		want     string
	}{{0, 100, "........"}, {1, 1000, "#......."}, {50, 100, "####...."}, {100, 100, "########"}, {5, 0, "........"}} {
		if got := cluster.ShareBar(c.n, c.total, 8); got != c.want {
			t.Errorf("ShareBar(%d, %d) = %q, want %q", c.n, c.total, got, c.want)
		}
	}
}
