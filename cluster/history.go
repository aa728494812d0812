package cluster

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"
)

// Revision is one version of a key in its history, or its deletion.
type Revision struct {
	// Rev is the revision that wrote this version (its mod revision) or deleted the key.
	Rev     int64
	Deleted bool
	// Value is the version's value; for a deletion, the value it deleted (what undelete puts
	// back), nil when the server no longer had it.
	Value              []byte
	CreateRev, Version int64
	// Lease is the version's lease; for a deletion, the lease of the value it deleted (an
	// undelete says that lease is not restored).
	Lease int64
}

// History is what etcd still holds of one key's past, newest first. etcd keeps no timestamps:
// when a revision happened is not known from etcd itself.
type History struct {
	Key  string
	Revs []Revision
	// ReadRev is the revision the history was read at.
	ReadRev int64
	// CompactedAt > 0: revisions before it were compacted away, so older versions (and older
	// generations) cannot be read: "older revisions compacted at rev N".
	CompactedAt int64
	// Truncated: the history holds the newest limit entries; older ones were not read.
	Truncated bool
	// EarlierErr says why generations before the current one could not be searched ("" when
	// they were).
	EarlierErr string
}

// historyBytes bounds the values one History holds: 200 versions of a 1.5 MiB value would be
// 300 MB in the console. The newest versions within it are kept.
const historyBytes = 32 << 20

// History reads the key's past, newest first, up to limit entries (0: 1,000) and 32 MiB of
// values: the current
// generation by walking back through mod revisions with one exact Get each, then the earlier
// generations (a key deleted and recreated) and deletions with a watch replayed from the oldest
// revision kept, which etcd answers from its history without touching the live keyspace.
func (c *Client) History(ctx context.Context, key string, limit int) (History, error) {
	if limit <= 0 {
		limit = 1000
	}
	h := History{Key: key}
	cur, err := c.GetKey(ctx, key, 0)
	if err != nil {
		return h, err
	}
	h.ReadRev = cur.Rev
	end := cur.Rev // where the search for earlier generations stops
	size := 0
	for kv := cur; kv.Found; {
		h.Revs = append(h.Revs, Revision{Rev: kv.ModRev, Value: kv.Value, CreateRev: kv.CreateRev, Version: kv.Version, Lease: kv.Lease})
		end = kv.CreateRev - 1
		if size += len(kv.Value); len(h.Revs) >= limit || size >= historyBytes {
			h.Truncated = true
			return h, nil
		}
		if kv.Version <= 1 {
			break
		}
		kv, err = c.getAt(ctx, key, kv.ModRev-1)
		if errors.Is(err, rpctypes.ErrCompacted) {
			h.CompactedAt, err = c.CompactedAt(ctx)
			return h, err
		}
		if err != nil {
			return h, err
		}
	}
	if end < 1 {
		return h, nil
	}
	if h.CompactedAt, err = c.CompactedAt(ctx); err != nil {
		return h, err
	}
	if end < h.CompactedAt {
		return h, nil
	}
	earlier, compacted, dropped, err := c.keyEvents(ctx, key, max(1, h.CompactedAt), end, historyBytes-size)
	h.CompactedAt = max(h.CompactedAt, compacted)
	if err != nil {
		h.EarlierErr = "earlier generations not searched: " + err.Error()
		return h, nil
	}
	for i := len(earlier) - 1; i >= 0 && len(h.Revs) < limit; i-- {
		h.Revs = append(h.Revs, earlier[i])
	}
	h.Truncated = dropped || len(h.Revs) >= limit && len(earlier) > 0
	return h, nil
}

// getAt is GetKey at a past revision without the lease read (a past lease is long gone).
func (c *Client) getAt(ctx context.Context, key string, rev int64) (KeyInfo, error) {
	cctx, cancel := c.ctx(ctx)
	defer cancel()
	resp, err := c.c.Get(cctx, key, clientv3.WithRev(rev))
	if err != nil {
		return KeyInfo{Key: key}, revError(rev, err)
	}
	kv := KeyInfo{Key: key, Rev: rev, TTL: -1}
	if len(resp.Kvs) > 0 {
		k := resp.Kvs[0]
		kv.Found, kv.Value = true, k.Value
		kv.CreateRev, kv.ModRev, kv.Version, kv.Lease = k.CreateRevision, k.ModRevision, k.Version, k.Lease
	}
	return kv, nil
}

// CompactedAt is the revision the keyspace was last compacted at (the oldest revision that can
// still be read), 0 when it never was. etcd does not report it, so it is found by bisection
// with count-only reads of one key the user may read (a compacted revision fails them): about 2·log2(revision)
// cheap requests.
func (c *Client) CompactedAt(ctx context.Context) (int64, error) {
	probe := c.probeKey() // a key the user may read: a user that is not root cannot read "\x00"
	readable := func(rev int64) (bool, int64, error) {
		cctx, cancel := c.ctx(ctx)
		defer cancel()
		resp, err := c.c.Get(cctx, probe, clientv3.WithRev(rev), clientv3.WithCountOnly())
		if errors.Is(rpctypes.Error(err), rpctypes.ErrCompacted) {
			return false, 0, nil
		}
		if err != nil {
			return false, 0, Explain(err)
		}
		return true, resp.Header.Revision, nil
	}
	ok, cur, err := readable(1)
	if err != nil || ok {
		return 0, err
	}
	ok, cur, err = readable(0)
	if err != nil {
		return 0, err
	}
	lo, hi := int64(1), cur // lo is compacted, hi readable
	for hi-lo > 1 {
		mid := lo + (hi-lo)/2
		ok, _, err := readable(mid)
		if err != nil {
			return 0, err
		}
		if ok {
			hi = mid
		} else {
			lo = mid
		}
	}
	return hi, nil
}

// keyEvents replays the key's events in [from, to] with a watch, oldest first, keeping the
// newest within budget bytes of values (dropped says older ones went). A compaction racing the
// replay restarts it at the compaction revision, which it returns. The replay ends when an
// event past to arrives or a progress notification says the watch has passed to.
func (c *Client) keyEvents(ctx context.Context, key string, from, to int64, budget int) (out []Revision, compacted int64, dropped bool, err error) {
	w := clientv3.NewWatcher(c.c)
	defer w.Close()
	wctx, cancel := context.WithTimeout(ctx, 2*c.conf.CommandTimeout)
	defer cancel()
	wctx = clientv3.WithRequireLeader(wctx)
	size := 0
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
restart:
	ch := w.Watch(wctx, key, clientv3.WithRev(from), clientv3.WithPrevKV())
	for {
		select {
		case <-tick.C:
			// Progress is only answered once the watch has caught up: ask until it is.
			_ = w.RequestProgress(wctx)
		case resp, ok := <-ch:
			if !ok {
				if err := wctx.Err(); err != nil {
					return out, compacted, dropped, fmt.Errorf("replaying the key's history: %w", Explain(err))
				}
				return out, compacted, dropped, errors.New("the watch replaying the key's history closed")
			}
			if resp.CompactRevision != 0 {
				compacted, from, out, size, dropped = resp.CompactRevision, resp.CompactRevision, nil, 0, false
				goto restart
			}
			if err := resp.Err(); err != nil {
				return out, compacted, dropped, Explain(err)
			}
			for _, ev := range resp.Events {
				if ev.Kv.ModRevision > to {
					return out, compacted, dropped, nil
				}
				r := Revision{Rev: ev.Kv.ModRevision, Value: ev.Kv.Value, CreateRev: ev.Kv.CreateRevision,
					Version: ev.Kv.Version, Lease: ev.Kv.Lease}
				if ev.Type == clientv3.EventTypeDelete {
					r = Revision{Rev: ev.Kv.ModRevision, Deleted: true}
					if ev.PrevKv != nil {
						r.Value, r.CreateRev, r.Version, r.Lease = ev.PrevKv.Value, ev.PrevKv.CreateRevision, ev.PrevKv.Version, ev.PrevKv.Lease
					}
				}
				out = append(out, r)
				for size += len(r.Value); size > budget && len(out) > 0; out = out[1:] {
					size -= len(out[0].Value)
					dropped = true
				}
				if r.Rev == to {
					return out, compacted, dropped, nil
				}
			}
			if resp.IsProgressNotify() && resp.Header.Revision >= to {
				return out, compacted, dropped, nil
			}
		}
	}
}
