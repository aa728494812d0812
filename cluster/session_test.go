package cluster_test

import (
	"context"
	"testing"
	"time"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/embednode/nodetest"
)

// TestSessionEnd: ending a session cancels its context (and so an RPC in flight under it),
// closes the client, and can be called twice; IDs are unique.
func TestSessionEnd(t *testing.T) {
	mem := nodetest.Start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := cluster.Connect(ctx, cluster.ConnConfig{Endpoints: mem.Endpoints(), InsecureTransport: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	s := cluster.NewSession(context.Background(), c, "test", nil)
	other := cluster.NewSession(context.Background(), nil, "other", nil)
	if s.ID == 0 || s.ID == other.ID {
		t.Fatalf("ids %d and %d: want distinct and not 0", s.ID, other.ID)
	}
	if _, err := c.Overview(s.Context()); err != nil {
		t.Fatalf("overview before End: %v", err)
	}
	s.End()
	s.End()
	select {
	case <-s.Context().Done():
	default:
		t.Fatal("End did not cancel the session's context")
	}
	if other.Context().Err() != nil {
		t.Fatal("ending one session cancelled another")
	}
	if _, err := c.Overview(s.Context()); err == nil {
		t.Fatal("an RPC under an ended session succeeded")
	}
	other.End()
}
