package cluster_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/embednode/nodetest"
)

// TestMoveLeader moves the leadership of three members to a follower, through an endpoint that
// is not the leader's: the follower leads after; moving to the leader itself says so; read-only
// refuses before anything is sent; every attempt is audited.
func TestMoveLeader(t *testing.T) {
	t.Parallel()
	members := nodetest.StartCluster(t, 3)
	path := filepath.Join(t.TempDir(), cluster.AuditFile)
	audit, err := cluster.OpenAudit(path)
	if err != nil {
		t.Fatal(err)
	}
	defer audit.Close()
	c := optClient(t, cluster.ConnConfig{Endpoints: nodetest.Endpoints(members...), InsecureTransport: true}, cluster.WithAudit(audit))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	list, err := c.ListMembers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	leader := leaderID(t, c, members)
	var to uint64
	for _, m := range list.Members {
		if m.ID != leader {
			to = m.ID
			break
		}
	}
	from, err := c.MoveLeader(ctx, to)
	if err != nil || from != leader {
		t.Fatalf("move: from %x, %v; want from %x", from, err, leader)
	}
	deadline := time.Now().Add(20 * time.Second)
	for leaderID(t, c, members) != to {
		if time.Now().After(deadline) {
			t.Fatalf("%x does not lead after the move", to)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if _, err := c.MoveLeader(ctx, to); err == nil {
		t.Fatal("moving the leadership to the leader worked")
	}
	lines := readAudit(t, path)
	if len(lines) != 2 || lines[0].Action != "move-leader" || lines[0].Result != "ok" || lines[1].Result == "ok" {
		t.Fatalf("audit %+v", lines)
	}

	ro := optClient(t, cluster.ConnConfig{Endpoints: nodetest.Endpoints(members...), InsecureTransport: true},
		cluster.WithAudit(audit), cluster.WithReadOnly(true))
	done, stop := context.WithCancel(ctx)
	stop()
	if _, err := ro.MoveLeader(done, leader); !errors.Is(err, cluster.ErrReadOnly) {
		t.Fatalf("read-only move: %v", err)
	}
	if lines := readAudit(t, path); len(lines) != 3 || lines[2].Result != "refused: read-only" {
		t.Fatalf("audit %+v", lines)
	}
}
