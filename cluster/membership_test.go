package cluster_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/cluster/member"
	"github.com/etcdeck/etcdeck/embednode"
	"github.com/etcdeck/etcdeck/embednode/nodetest"
)

func TestImpactOfRemoving(t *testing.T) {
	three := []member.Info{{ID: 1, Name: "a"}, {ID: 2, Name: "b"}, {ID: 3, Name: "c"}, {ID: 4, Name: "l", Learner: true}}
	all := map[uint64]bool{1: true, 2: true, 3: true, 4: true}
	for _, tc := range []struct {
		name    string
		members []member.Info
		healthy map[uint64]bool
		id      uint64
		lose    bool
		last    bool
		learner bool
	}{
		{"healthy voter of three", three, all, 1, false, false, false},
		{"a learner", three, all, 4, false, false, true},
		{"one of three already down, removing a healthy one", three, map[uint64]bool{1: true, 2: true}, 1, true, false, false},
		{"the down one of three", three, map[uint64]bool{1: true, 2: true}, 3, false, false, false},
		{"last voter", []member.Info{{ID: 1}, {ID: 4, Learner: true}}, all, 1, false, true, false},
		{"one of two", []member.Info{{ID: 1}, {ID: 2}}, map[uint64]bool{1: true}, 1, true, false, false},
	} {
		r := cluster.ImpactOfRemoving(tc.members, tc.healthy, tc.id)
		if r.LosesQuorum != tc.lose || r.LastVoter != tc.last || r.Learner != tc.learner {
			t.Errorf("%s: %+v, want loses quorum %v, last voter %v, learner %v", tc.name, r, tc.lose, tc.last, tc.learner)
		}
	}
}

// joinConfig reads the printed flags back into a member config, as an operator pastes them.
func joinConfig(t *testing.T, flags []string, dataDir string) embednode.Config {
	t.Helper()
	cfg := embednode.Config{DataDir: dataDir, Logger: zap.NewNop(), UnsafeNoFsync: true}
	if len(flags)%2 != 0 {
		t.Fatalf("flags come in pairs: %q", flags)
	}
	for i := 0; i < len(flags); i += 2 {
		v := flags[i+1]
		switch flags[i] {
		case "--name":
			cfg.Name = v
		case "--listen-peer-urls":
			cfg.ListenPeerURLs = []string{v}
		case "--listen-client-urls":
			cfg.ListenClientURLs = []string{v}
		case "--initial-cluster":
			cfg.InitialCluster = v
		case "--initial-cluster-state":
			cfg.InitialClusterState = v
		case "--initial-advertise-peer-urls", "--advertise-client-urls":
			// the embedded member advertises what it listens on: checked below.
		default:
			t.Fatalf("unknown flag %s", flags[i])
		}
	}
	return cfg
}

// TestMemberAddPromoteRemove replaces a member the runbook way on three real members: add a
// learner, start it with exactly the printed flags, wait until its lag is 0, promote it, then
// remove it again; read-only refuses each step, audited; the last voter is refused.
func TestMemberAddPromoteRemove(t *testing.T) {
	t.Parallel()
	members := nodetest.StartCluster(t, 3)
	path := filepath.Join(t.TempDir(), cluster.AuditFile)
	audit, err := cluster.OpenAudit(path)
	if err != nil {
		t.Fatal(err)
	}
	defer audit.Close()
	eps := nodetest.Endpoints(members...)
	c := optClient(t, cluster.ConnConfig{Endpoints: eps, InsecureTransport: true}, cluster.WithAudit(audit))
	ro := optClient(t, cluster.ConnConfig{Endpoints: eps, InsecureTransport: true}, cluster.WithAudit(audit), cluster.WithReadOnly(true))
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	peer := fmt.Sprintf("http://127.0.0.1:%d", nodetest.FreePort(t))
	client := fmt.Sprintf("http://127.0.0.1:%d", nodetest.FreePort(t))
	if _, err := ro.AddLearner(ctx, "m3", peer, client); !errors.Is(err, cluster.ErrReadOnly) {
		t.Fatalf("read-only add: %v", err)
	}
	if _, err := c.AddLearner(ctx, "m0", peer, client); err == nil || !strings.Contains(err.Error(), "already named") {
		t.Fatalf("a taken name: %v", err)
	}
	if _, err := c.AddLearner(ctx, "m3", "10.0.0.1:2380", client); err == nil {
		t.Fatal("a peer URL without a scheme was accepted")
	}
	// etcd refuses a member add until every voter has been connected for 5 s (its
	// strict reconfig check): a new cluster waits that out.
	var plan cluster.JoinPlan
	for deadline := time.Now().Add(30 * time.Second); ; {
		plan, err = c.AddLearner(ctx, "m3", peer, client)
		if err == nil {
			break
		}
		if !strings.Contains(err.Error(), "unhealthy cluster") || time.Now().After(deadline) {
			t.Fatal(err)
		}
		time.Sleep(200 * time.Millisecond)
	}
	flags := plan.Flags()
	joined := strings.Join(flags, " ")
	for _, want := range []string{"--initial-cluster-state existing", "m3=" + peer, "m0=" + members[0].PeerURLs[0], "--advertise-client-urls " + client} {
		if !strings.Contains(joined, want) {
			t.Errorf("flags %q lack %q", joined, want)
		}
	}
	list, err := c.ListMembers(ctx)
	if err != nil || len(list.Members) != 4 {
		t.Fatalf("member list after add: %+v, %v", list, err)
	}

	cfg := joinConfig(t, flags, filepath.Join(t.TempDir(), "m3.etcd"))
	learner := nodetest.StartConfig(t, cfg)
	if learner.ClientURLs[0] != client || learner.PeerURLs[0] != peer {
		t.Fatalf("learner serves %v %v, flags said %s %s", learner.ClientURLs, learner.PeerURLs, client, peer)
	}

	// Promote refused while behind is etcd's rule; wait until the learner has applied the leader's log.
	if err := ro.PromoteMember(ctx, plan.ID, "m3"); !errors.Is(err, cluster.ErrReadOnly) {
		t.Fatalf("read-only promote: %v", err)
	}
	deadline := time.Now().Add(time.Minute)
	for {
		err := c.PromoteMember(ctx, plan.ID, "m3")
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("promote never succeeded: %v", err)
		}
		time.Sleep(200 * time.Millisecond) // polling etcd's own "in sync" condition
	}
	list, _ = c.ListMembers(ctx)
	for _, m := range list.Members {
		if m.ID == plan.ID && m.Learner {
			t.Fatal("m3 still a learner after promote")
		}
	}

	if err := ro.RemoveMember(ctx, plan.ID, "m3"); !errors.Is(err, cluster.ErrReadOnly) {
		t.Fatalf("read-only remove: %v", err)
	}
	if err := c.RemoveMember(ctx, plan.ID, "m3"); err != nil {
		t.Fatal(err)
	}
	list, _ = c.ListMembers(ctx)
	if len(list.Members) != 3 {
		t.Fatalf("member list after remove: %+v", list.Members)
	}

	var actions []string
	for _, e := range readAudit(t, path) {
		actions = append(actions, e.Action+" "+e.Result)
	}
	got := strings.Join(actions, "\n")
	for _, want := range []string{"member-add-learner refused: read-only", "member-add-learner ok",
		"member-promote refused: read-only", "member-promote ok", "member-remove refused: read-only", "member-remove ok"} {
		if !strings.Contains(got, want) {
			t.Errorf("audit lacks %q:\n%s", want, got)
		}
	}
}

// TestRemoveLastVoterRefused: a cluster of one refuses removing its only member.
func TestRemoveLastVoterRefused(t *testing.T) {
	c, _ := writeClient(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	list, err := c.ListMembers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	err = c.RemoveMember(ctx, list.Members[0].ID, "default")
	if !errors.Is(err, cluster.ErrLastVoter) {
		t.Fatalf("removing the last voter: %v", err)
	}
	if list, _ := c.ListMembers(ctx); len(list.Members) != 1 {
		t.Fatal("the last voter was removed")
	}
}
