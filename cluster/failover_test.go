package cluster_test

import (
	"context"
	"testing"
	"time"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/embednode/nodetest"
)

// Given one member of three, the client learns the others' client URLs from the member list
// (they answer from here), so reads go on through them after the given member goes down.
// Before, the client knew only the given endpoint and every read failed.
func TestFailoverThroughLearnedMembers(t *testing.T) {
	t.Parallel()
	ms := nodetest.StartCluster(t, 3)
	if _, err := nodetest.Client(t, nodetest.Endpoints(ms...)).Put(context.Background(), "/k", "v"); err != nil {
		t.Fatal(err)
	}
	c := optClient(t, cluster.ConnConfig{Endpoints: ms[0].Endpoints(), InsecureTransport: true})
	if got := c.Learned(); len(got) != 2 {
		t.Fatalf("learned %v, want the other two members' URLs", got)
	}
	if c.Note() != "" {
		t.Fatalf("note %q although every member answers", c.Note())
	}
	ms[0].Close(10 * time.Second)
	// Generous: the balancer notices the dead connection and moves to the next endpoint.
	deadline := time.Now().Add(30 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		kv, err := c.Get(ctx, "/k", 0)
		cancel()
		if err == nil && kv != nil && string(kv.Value) == "v" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no read through the learned members 30 s after the given one stopped: %v", err)
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Logf("endpoints now %v", c.Endpoints())
}
