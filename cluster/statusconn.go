package cluster

import (
	"context"
	"errors"
	"sync"

	pb "go.etcd.io/etcd/api/v3/etcdserverpb"
	clientv3 "go.etcd.io/etcd/client/v3"
)

// statusClients are the connections Overview asks each endpoint's status on: one per endpoint,
// dialled on first use and kept until the session closes. clientv3's Status(ctx, endpoint) dials
// a new connection on every call, so the status bar's poll every 2 s cost a TCP and HTTP/2 (and
// TLS) handshake each time, in the console and in the member: most of an idle console's CPU
// (issue 22). Each is a DialMember client, whose reconnection backoff stays short, so an endpoint
// back from an outage answers within a few polls.
type statusClients struct {
	mu     sync.Mutex
	byEP   map[string]*statusConn
	closed bool
}

// statusConn is one endpoint's client and the Maintenance API bound to its connection.
type statusConn struct {
	cli   *clientv3.Client
	maint clientv3.Maintenance
}

// errSessionClosed is Overview's answer once the session is closed.
var errSessionClosed = errors.New("the connection to the cluster was closed")

// endpointStatus asks the member at ep for its status on ep's kept connection.
func (c *Client) endpointStatus(ctx context.Context, ep string) (*clientv3.StatusResponse, error) {
	sc, err := c.statusConns.get(c, ep)
	if err != nil {
		return nil, err
	}
	// The endpoint argument is ignored: this Maintenance is bound to ep's connection.
	return sc.maint.Status(ctx, ep)
}

// get returns ep's client, dialling it the first time. The dial (which logs in first when the
// session has a user) runs outside the lock: a dead endpoint must not hold up the others'.
func (s *statusClients) get(c *Client, ep string) (*statusConn, error) {
	s.mu.Lock()
	sc, closed := s.byEP[ep], s.closed
	s.mu.Unlock()
	switch {
	case closed:
		return nil, errSessionClosed
	case sc != nil:
		return sc, nil
	}
	// Not the caller's context: the client outlives this poll, until close.
	cli, err := c.DialMember(context.Background(), ep)
	if err != nil {
		return nil, err
	}
	sc = &statusConn{cli: cli,
		maint: clientv3.NewMaintenanceFromMaintenanceClient(pb.NewMaintenanceClient(cli.ActiveConnection()), cli)}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed || s.byEP[ep] != nil { // closed meanwhile, or another poll dialled it first
		cli.Close()
		if s.closed {
			return nil, errSessionClosed
		}
		return s.byEP[ep], nil
	}
	if s.byEP == nil {
		s.byEP = map[string]*statusConn{}
	}
	s.byEP[ep] = sc
	return sc, nil
}

// close closes every kept client; get refuses after it.
func (s *statusClients) close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	for _, sc := range s.byEP {
		sc.cli.Close()
	}
	s.byEP = nil
}
