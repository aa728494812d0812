package cluster_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/embednode/nodetest"
)

func TestListMembers(t *testing.T) {
	t.Parallel()
	members := nodetest.StartCluster(t, 3)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c, err := cluster.Connect(ctx, cluster.ConnConfig{Endpoints: nodetest.Endpoints(members...),
		InsecureTransport: true, DialTimeout: 2 * time.Second, CommandTimeout: 5 * time.Second}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	list, err := c.ListMembers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if list.ClusterID == 0 || len(list.Members) != 3 {
		t.Fatalf("list %+v", list)
	}
	var names []string
	for _, m := range list.Members {
		names = append(names, m.Name)
		if m.ID == 0 || len(m.PeerURLs) != 1 || len(m.ClientURLs) != 1 || m.Learner {
			t.Errorf("member %+v", m)
		}
	}
	slices.Sort(names)
	if !slices.Equal(names, []string{"m0", "m1", "m2"}) {
		t.Fatalf("names %v", names)
	}
	for i, m := range members {
		found := false
		for _, l := range list.Members {
			if l.Name == names[i] && l.PeerURLs[0] == m.PeerURLs[0] && l.ClientURLs[0] == m.ClientURLs[0] {
				found = true
			}
		}
		if !found {
			t.Errorf("member m%d (%v %v) not listed as it runs", i, m.PeerURLs, m.ClientURLs)
		}
	}
}
