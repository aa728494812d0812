package cluster

import (
	"context"
	"testing"

	"github.com/etcdeck/etcdeck/embednode/nodetest"
)

// The status bar's poll (Overview) keeps its connection: clientv3's Status(ctx, endpoint) dialled
// a new one on every call, a TCP and HTTP/2 handshake every 2 s of an idle console (issue 22).
// Counted at a proxy in front of the member: ten polls may open the session's connection, the
// one Connect's probe opens and the status connection, not one each.
func TestOverviewKeepsItsConnection(t *testing.T) {
	t.Parallel()
	m := nodetest.Start(t)
	p := newWatchProxy(t, m.Endpoints()[0])
	c := watchConnect(t, []string{p.addr()})
	accepted := func() int {
		p.mu.Lock()
		defer p.mu.Unlock()
		return len(p.conns) / 2 // each accepted connection and its way to the member
	}
	if _, err := c.Overview(context.Background()); err != nil {
		t.Fatal(err)
	}
	before := accepted()
	for i := range 10 {
		o, err := c.Overview(context.Background())
		if err != nil || o.Revision == 0 {
			t.Fatalf("poll %d: %+v, %v", i, o, err)
		}
	}
	// One may still come: the session's own client (gRPC's balancer) can dial its connection
	// after the first poll answered on a loaded machine. A connection per poll is ten.
	if n := accepted() - before; n > 1 {
		t.Fatalf("ten polls opened %d new connections to the member, want none (one at most)", n)
	}
	c.Close()
	if _, err := c.Overview(context.Background()); err == nil {
		t.Fatal("Overview after Close answered; want an error")
	}
}
