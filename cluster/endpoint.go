package cluster

import (
	"context"
	"crypto/tls"
	"fmt"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"google.golang.org/grpc"
	"google.golang.org/grpc/backoff"
)

// This file is what cluster/monitor needs of a session's client to watch each member on its own:
// a client per endpoint with the session's TLS and user, one endpoint's status, and why an
// endpoint does not answer.

// DialMember opens a client to one endpoint with the same TLS, credentials and timeouts as c, for
// the per-member clients of a Monitor.
func (c *Client) DialMember(ctx context.Context, endpoint string) (*clientv3.Client, error) {
	cfg := c.etcdConfig(ctx, []string{endpoint})
	// gRPC's reconnect backoff grows to two minutes; a member back from an outage should be
	// seen within a few polls.
	cfg.DialOptions = []grpc.DialOption{grpc.WithConnectParams(grpc.ConnectParams{
		Backoff:           backoff.Config{BaseDelay: time.Second, Multiplier: 1.6, Jitter: 0.2, MaxDelay: 5 * time.Second},
		MinConnectTimeout: max(c.conf.DialTimeout, time.Second),
	})}
	cl, err := clientv3.New(cfg)
	if err != nil {
		return nil, fmt.Errorf("dial %s: %w", endpoint, Explain(err))
	}
	return cl, nil
}

// TLS is the session's TLS configuration (nil in plaintext), for the monitor's /metrics client.
func (c *Client) TLS() *tls.Config { return c.tls }

// EndpointStatus asks the member at endpoint (one of the session's) for its status.
func (c *Client) EndpointStatus(ctx context.Context, endpoint string) (*clientv3.StatusResponse, error) {
	return c.c.Status(ctx, endpoint)
}
