package cluster_test

import (
	"context"
	"testing"
	"time"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/embednode"
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

// TestSessionNilMember: a nil *embednode.Child (no member started) given to NewSession is no
// member at all, so Session.Member == nil is the one test of "connected elsewhere".
func TestSessionNilMember(t *testing.T) {
	var child *embednode.Child
	s := cluster.NewSession(context.Background(), nil, "elsewhere", child)
	defer s.End()
	if s.Member != nil {
		t.Fatalf("a nil *Child became a member: %#v", s.Member)
	}
}

// TestConnConfigLocal: a member etcdeck runs itself is dialled in plaintext without a user,
// whatever TLS files or user the settings name for other clusters; timeouts stay.
func TestConnConfigLocal(t *testing.T) {
	conf := cluster.ConnConfig{Endpoints: []string{"https://etcd:2379"}, CACert: "ca", Cert: "c", Key: "k",
		User: "root", Password: "pw", InsecureSkipTLSVerify: true, DialTimeout: 7 * time.Second}
	got := conf.Local([]string{"http://127.0.0.1:2379"})
	if got.UsesTLS() || got.NeedsPassword() || got.User != "" || got.Password != "" || !got.InsecureTransport ||
		len(got.Endpoints) != 1 || got.Endpoints[0] != "http://127.0.0.1:2379" || got.DialTimeout != 7*time.Second {
		t.Fatalf("Local = %+v", got)
	}
	if conf.User != "root" || conf.Endpoints[0] != "https://etcd:2379" {
		t.Fatalf("Local changed its receiver: %+v", conf)
	}
}
