package cluster_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand"
	"testing"
	"time"

	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/embednode/nodetest"
)

// TestListDirAtGivenRevision is `:rev N`: after the keyspace changed, every listing, count and
// value size read at N equals the naive split of the keyspace as it was at N.
func TestListDirAtGivenRevision(t *testing.T) {
	c := listClient(t, nodetest.Start(t).Endpoints())
	ctx := context.Background()
	rng := rand.New(rand.NewSource(time.Now().UnixNano()))
	keys := oddKeyspace(rng, 400)
	putAll(t, c, keys)
	resp, err := nodetest.Client(t, c.Endpoints()).Get(ctx, "\x00", clientv3.WithCountOnly())
	if err != nil {
		t.Fatal(err)
	}
	n := resp.Header.Revision
	// Change the keyspace after N: deletions, new keys, new sizes.
	later := map[string]int{}
	i := 0
	for k := range keys {
		switch i % 3 {
		case 0:
			if _, err := nodetest.Client(t, c.Endpoints()).Delete(ctx, k); err != nil {
				t.Fatal(err)
			}
		case 1:
			later[k] = 77
		}
		later[fmt.Sprintf("%snew%d", k, i)] = 5
		i++
		if i > 150 {
			break
		}
	}
	putAll(t, c, later)

	for _, prefix := range prefixesOf(rng, keys) {
		want := naiveList(keys, prefix, '/')
		for _, s := range []cluster.Strategy{cluster.StrategyStream, cluster.StrategyWindows} {
			l := listAllPages(t, c, prefix, cluster.ListOptions{Rev: n, Strategy: s, Limit: 1 + rng.Intn(6)})
			if l.Rev != n {
				t.Fatalf("listing pinned to %d reports rev %d", n, l.Rev)
			}
			if err := c.FillDetails(ctx, prefix, '/', n, l.Rows); err != nil {
				t.Fatal(err)
			}
			checkRows(t, fmt.Sprintf("%q at rev %d (%v)", prefix, n, s), l.Rows, want)
			for j, r := range l.Rows {
				if r.Dir && r.Count != want[j].Count {
					t.Fatalf("%q row %v: count %d at rev %d, want %d", prefix, r, r.Count, n, want[j].Count)
				}
				if r.Leaf && r.ValueSize != want[j].ValueSize {
					t.Fatalf("%q row %v: size %d at rev %d, want %d", prefix, r, r.ValueSize, n, want[j].ValueSize)
				}
			}
		}
		if cnt, err := c.CountPrefix(ctx, prefix, n); err != nil || cnt != countUnder(keys, prefix) {
			t.Fatalf("CountPrefix(%q, %d) = %d, %v; want %d", prefix, n, cnt, err, countUnder(keys, prefix))
		}
	}

	// A future revision is one clear error, as is a compacted one.
	if _, err := c.ListDir(ctx, "/", cluster.ListOptions{Rev: n + 10000}); err == nil {
		t.Error("listing at a future revision succeeded")
	}
	if err := c.CheckRev(ctx, n+10000); !errors.Is(err, rpctypes.ErrFutureRev) {
		t.Errorf("CheckRev(future) = %v", err)
	}
	if _, err := nodetest.Client(t, c.Endpoints()).Compact(ctx, n+1); err != nil {
		t.Fatal(err)
	}
	if err := c.CheckRev(ctx, n); !errors.Is(err, rpctypes.ErrCompacted) {
		t.Errorf("CheckRev(compacted) = %v", err)
	}
	if _, err := c.ListDir(ctx, "/", cluster.ListOptions{Rev: n}); !cluster.IsCompacted(err) {
		t.Errorf("listing at a compacted revision: %v", err)
	}
}

func countUnder(keys map[string]int, prefix string) int64 {
	n := int64(0)
	for k := range keys {
		if len(k) >= len(prefix) && k[:len(prefix)] == prefix {
			n++
		}
	}
	return n
}
