package viewtest

import (
	"context"
	"testing"
	"time"

	"github.com/etcdeck/etcdeck/cluster"
)

// Session connects a session to the members at endpoints (plaintext, no user, with opts such as
// cluster.WithReadOnly or cluster.WithAudit) for a view under test, labelled "test"; it ends, and
// its client closes, when the test ends.
func Session(t testing.TB, endpoints []string, opts ...cluster.Option) *cluster.Session {
	t.Helper()
	return SessionOf(t, cluster.ConnConfig{Endpoints: endpoints, InsecureTransport: true}, "test", nil, opts...)
}

// SessionOf is Session with the caller's connection settings, label and embedded member (nil
// for none).
func SessionOf(t testing.TB, conf cluster.ConnConfig, label string, member cluster.Member, opts ...cluster.Option) *cluster.Session {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := cluster.Connect(ctx, conf, nil, opts...)
	if err != nil {
		t.Fatalf("connect to %v: %v", conf.Endpoints, err)
	}
	s := cluster.NewSession(context.Background(), c, label, member)
	t.Cleanup(s.End)
	return s
}
