package cluster

import (
	"context"

	"go.uber.org/zap"
)

// WithCredentials connects again to c's endpoints as user with password, keeping every other
// setting of c (timeouts, TLS, read-only mode, audit log, offline start): the console's session
// on the embedded member after a backup of a cluster with authentication on was restored into it,
// which answers only that backup's users. c itself is left as it is; the caller swaps the two.
// The password goes into the new client only (clientv3 keeps it to renew its token).
func (c *Client) WithCredentials(ctx context.Context, user, password string) (*Client, error) {
	conf := c.conf
	conf.User, conf.Password = user, password
	log := c.log
	if log == nil {
		log = zap.NewNop()
	}
	opts := []Option{WithReadOnly(c.readOnly), WithAudit(c.audit)}
	if c.snapshot != "" {
		opts = append(opts, WithSnapshot(c.snapshot))
	}
	if c.allowOffline {
		opts = append(opts, WithOffline())
	}
	return Connect(ctx, conf, log, opts...)
}

// WithClient is a new session over client in place of s: the same label and member, a new ID
// (results of s are not applied to it) and a context that is a sibling of s's. s is not ended:
// the caller ends it once the new one is shown.
func (s *Session) WithClient(client *Client) *Session {
	return NewSession(s.parent, client, s.Label, s.Member)
}
