package cluster_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/embednode/nodetest"
)

// TestListDirWindowsPageOfLeaves: a page of a directory whose first-byte window holds more
// leaves than one read takes (etcd < 3.7's windows). The page reads on what it needs and ends
// inside the window; refining the window into bands counted its keys once per band level (2.1×
// the directory for the first screen of a 250,000-key directory on etcd 3.4). The pages still
// list the directory exactly.
func TestListDirWindowsPageOfLeaves(t *testing.T) {
	c := listClient(t, nodetest.Start(t).Endpoints())
	const leaves, dir = 6000, "/leaves/"
	keys := map[string]int{"/before": 1, "/leaves0": 1, dir + "b/x": 1, dir + "b/y": 1, dir + "c": 1}
	for i := range leaves {
		keys[fmt.Sprintf("%sa%05d", dir, i)] = 10
	}
	putAll(t, c, keys)
	inDir := int64(leaves + 3)

	opts := cluster.ListOptions{Strategy: cluster.StrategyWindows, Limit: 100}
	first, err := c.ListDir(context.Background(), dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(first.Rows) < opts.Limit || first.Next == "" {
		t.Fatalf("first page: %d rows, next %q; want at least %d rows and more to come", len(first.Rows), first.Next, opts.Limit)
	}
	// Round one counts the directory once (each first-byte window); reading on counts the rest
	// of the leaves' window once more.
	if first.Stats.KeysCounted > 2*inDir {
		t.Errorf("first page counted %d keys, want at most %d (twice the directory's %d)", first.Stats.KeysCounted, 2*inDir, inDir)
	}
	checkRows(t, "pages of "+dir, listAllPages(t, c, dir, opts).Rows, naiveList(keys, dir, '/'))
}
