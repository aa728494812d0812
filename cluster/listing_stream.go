package cluster

import (
	"context"
	"errors"
	"strings"
	"time"

	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"
)

// maxSkipAfter is the most keys of one subtree the stream scan reads before jumping, whatever
// the costs it measures: a bound on what one child can cost when a jump looks dear.
const maxSkipAfter = 8192

// streamCost measures, during one listing, what a jump costs (opening a stream until its first
// keys arrive) and what reading one more key costs (the time between a stream's first and last
// responses over the keys in between). Their ratio is the break-even: a subtree smaller than
// that is cheaper read through than jumped past. It is measured, not fixed, because it moves
// tenfold with the machine: 1.5–3 ms per jump and ~1.7 µs per key on a calm VM, ~10 ms per jump
// and 2–4 µs per key on the same VM at a load average of 10 (every hand-over between the
// console's and the member's goroutines waits for a core, and a jump is a chain of them).
type streamCost struct {
	jump, key float64 // nanoseconds, moving averages; 0 until measured
	frozen    bool    // keeps the costs it was given (tests)
}

// costWeight is the weight of a new measure in the moving averages.
const costWeight = 0.25

func (sc *streamCost) add(avg *float64, v float64) {
	if sc.frozen {
		return
	}
	if *avg == 0 {
		*avg = v
		return
	}
	*avg += costWeight * (v - *avg)
}

// bounds returns the limits a scan should use: the break-even (at most maxSkipAfter) as the
// most keys read of one subtree, and a quarter of it as the least the limit falls to after
// jumps, so that a directory of big children pays a quarter of the break-even per child, not
// all of it, and one of medium children (a few hundred to a few thousand keys each, after one
// huge sibling) is read through instead of costing a jump per child. Zero values (not measured
// yet) keep the defaults.
func (sc *streamCost) bounds() (most, least int) {
	if sc.jump == 0 || sc.key == 0 {
		return 0, 0
	}
	most = min(maxSkipAfter, max(minSkipAfter, int(sc.jump/sc.key)))
	return most, max(minSkipAfter, most/4)
}

// scanStream skip-scans [from, end) over RangeStream. It returns the key the next page starts
// at, or "" when it reached the end. With a cost, the limits of the skip-scan follow the costs
// it measures, and a whole listing (no page limit) of a directory of many medium children is
// handed to the windows; without (nil), the limits stay at the builder's skipAfter (benchmarks
// sweep it). A page is never handed over: the windows count the rest of the directory, which
// would make each page cost the directory instead of itself (the first 100 rows of
// /registry/events/ at a million keys: 220–440 ms either way, but 337,000 keys counted).
func (c *Client) scanStream(ctx context.Context, l *Listing, b *builder, from, end string, limit int,
	cost *streamCost) (string, error) {
	serializable := true
	var st scanState
	adapt := cost != nil
	if !adapt {
		cost = &streamCost{}
	}
	for {
		next, restart, handOff, err := c.streamOnce(ctx, l, b, &st, cost, from, end, limit, serializable, adapt && limit == 0)
		if serializable && errors.Is(rpctypes.Error(err), rpctypes.ErrFutureRev) {
			serializable = false // this member lags the pinned revision: ask the leader's view
			continue
		}
		if err == nil && handOff {
			b.skipAfter = min(b.skipAfter, windowSkipAfter)
			return c.scanWindows(ctx, l, b, "", restart, end, limit, nil, windowTune{})
		}
		if err != nil || next != "" || restart == "" {
			return next, err
		}
		if end != "\x00" && restart >= end {
			return "", nil
		}
		if adapt {
			st.most, st.least = cost.bounds()
		}
		from = restart
	}
}

// mediumSubtree and handOffAfter decide when a stream scan hands the rest of a directory to the
// windows (listing_fallback.go): after handOffAfter subtrees in a row of at least mediumSubtree
// keys each were read whole. Such a directory (200 namespaces of ~1,000 events) is read key by
// key by a stream, ~1.5 µs a key on etcd 3.7, where the windows count each key 2–3 times at
// ~0.25 µs: half the cost (measured at a million keys, README). Directories of big children
// (jumps, no count) and of leaves (read anyway) stay on the stream.
const (
	mediumSubtree = 256
	handOffAfter  = 8
)

// readWhole notes a subtree of n keys read whole.
func (st *scanState) readWhole(n int) {
	if n >= mediumSubtree {
		st.whole++
	} else {
		st.whole = 0
	}
}

// costSampleKeys is the least number of keys a stream must deliver after its first response for
// its rate to count as a measure of the key cost (fewer are noise).
const costSampleKeys = 256

// streamOnce reads one stream until it ends, the page is full (next), a subtree is worth
// skipping (restart), or, with handOff allowed, the rest is for the windows (restart at the
// start of the next row, handOff true); and it adds what it measured to cost.
func (c *Client) streamOnce(ctx context.Context, l *Listing, b *builder, st *scanState, cost *streamCost,
	from, end string, limit int, serializable, mayHandOff bool) (next, restart string, handOff bool, err error) {
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	opts := []clientv3.OpOption{clientv3.WithRange(end), clientv3.WithKeysOnly(), clientv3.WithRev(l.Rev)}
	if serializable {
		opts = append(opts, clientv3.WithSerializable())
	}
	opened := time.Now()
	ch, err := c.c.GetStream(sctx, from, opts...)
	l.Stats.RoundTrips++
	if err != nil {
		return "", "", false, err
	}
	defer func() {
		cancel()
		// clientv3's receiving goroutine ends once it sees the cancel; draining its channel in
		// the background keeps that hand-over off the next jump's path.
		go func() {
			for range ch {
			}
		}()
	}()
	var first, last time.Time
	var after int // keys received after the first response
	defer func() {
		if after >= costSampleKeys {
			cost.add(&cost.key, float64(last.Sub(first))/float64(after))
		}
	}()
	for r := range ch {
		if err := r.Err(); err != nil {
			return "", "", false, err
		}
		if first.IsZero() {
			first = time.Now()
			cost.add(&cost.jump, float64(first.Sub(opened)))
		} else {
			last = time.Now()
			after += len(r.Kvs)
		}
		for _, kv := range r.Kvs {
			k := string(kv.Key)
			if !strings.HasPrefix(k, b.prefix) {
				continue // not ours: a server bug or a wrong range; never trust it (nor slice it)
			}
			if limit > 0 && len(b.rows) >= limit && b.newRow(k) {
				return k, "", false, nil
			}
			if mayHandOff && st.whole >= handOffAfter && b.newRow(k) {
				name, _ := b.split(k)
				return "", b.prefix + name, true, nil
			}
			l.Stats.KeysRead++
			if to, skip := b.add(st, k); skip {
				return "", to, false, nil
			}
		}
	}
	return "", "", false, nil
}
