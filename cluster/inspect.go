package cluster

import (
	"context"
	"errors"
	"fmt"

	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"
)

// KeyInfo is one key as read at one revision, with what the inspector shows about it.
type KeyInfo struct {
	Key   string
	Value []byte
	// Found is false when the key does not exist at Rev (the other fields are then zero).
	Found bool
	// Rev is the revision the read was made at (the header's revision for a current read).
	Rev                        int64
	CreateRev, ModRev, Version int64
	// Lease is the lease ID attached to the key, 0 for none.
	Lease int64
	// TTL is the lease's remaining time to live in seconds, read with the key; -1 when the key
	// has no lease or the lease has expired (LeaseGone says which).
	TTL       int64
	LeaseGone bool
}

// GetKey reads one key at rev (0: the current revision) with its revisions, version and lease,
// and the lease's remaining TTL. A compacted or future rev is an error that errors.Is matches
// against rpctypes.ErrCompacted or rpctypes.ErrFutureRev.
func (c *Client) GetKey(ctx context.Context, key string, rev int64) (KeyInfo, error) {
	ctx, cancel := c.ctx(ctx)
	defer cancel()
	resp, err := c.c.Get(ctx, key, clientv3.WithRev(rev))
	if err != nil {
		return KeyInfo{Key: key}, c.access.Denied("reading "+EscapeKey(key), revError(rev, err))
	}
	kv := KeyInfo{Key: key, Rev: resp.Header.Revision, TTL: -1}
	if rev > 0 {
		kv.Rev = rev
	}
	if len(resp.Kvs) == 0 {
		return kv, nil
	}
	k := resp.Kvs[0]
	kv.Found, kv.Value = true, k.Value
	kv.CreateRev, kv.ModRev, kv.Version, kv.Lease = k.CreateRevision, k.ModRevision, k.Version, k.Lease
	if kv.Lease != 0 {
		kv.TTL, kv.LeaseGone, err = c.leaseTTL(ctx, kv.Lease)
		if err != nil {
			return kv, err
		}
	}
	return kv, nil
}

// leaseTTL is the lease's remaining time to live in seconds; gone is true (and the TTL -1) when
// it expired or was revoked. The inspector reads the key again when its countdown reaches 0.
func (c *Client) leaseTTL(ctx context.Context, lease int64) (int64, bool, error) {
	resp, err := c.c.TimeToLive(ctx, clientv3.LeaseID(lease))
	if errors.Is(rpctypes.Error(err), rpctypes.ErrLeaseNotFound) {
		return -1, true, nil
	}
	if err != nil {
		return -1, false, fmt.Errorf("reading lease %x: %w", lease, Explain(err))
	}
	if resp.TTL < 0 {
		return -1, true, nil
	}
	return resp.TTL, false, nil
}

// CheckRev says whether the keyspace can be read at rev: nil, or one error naming why not (the
// revision is compacted — with the oldest one kept — or in the future) that errors.Is matches
// against rpctypes.ErrCompacted or rpctypes.ErrFutureRev. `:rev N` asks it first.
func (c *Client) CheckRev(ctx context.Context, rev int64) error {
	if rev <= 0 {
		return fmt.Errorf("revision %d: revisions start at 1", rev)
	}
	cctx, cancel := c.ctx(ctx)
	defer cancel()
	_, err := c.c.Get(cctx, c.probeKey(), clientv3.WithRev(rev), clientv3.WithCountOnly())
	if err == nil {
		return nil
	}
	err = revError(rev, err)
	if errors.Is(err, rpctypes.ErrCompacted) {
		if at, cerr := c.CompactedAt(ctx); cerr == nil && at > 0 {
			return fmt.Errorf("revision %d is compacted: the oldest kept is %d: %w", rev, at, rpctypes.ErrCompacted)
		}
	}
	return err
}

// revError words a read's error at rev, keeping etcd's error for errors.Is.
func revError(rev int64, err error) error {
	ev := rpctypes.Error(err)
	switch {
	case errors.Is(ev, rpctypes.ErrCompacted):
		return fmt.Errorf("revision %d is compacted: %w", rev, rpctypes.ErrCompacted)
	case errors.Is(ev, rpctypes.ErrFutureRev):
		return fmt.Errorf("revision %d is in the future: %w", rev, rpctypes.ErrFutureRev)
	}
	return Explain(err)
}
