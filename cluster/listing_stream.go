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
}

// costWeight is the weight of a new measure in the moving averages.
const costWeight = 0.25

func (sc *streamCost) add(avg *float64, v float64) {
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
// at, or "" when it reached the end. With adapt, the limits of the skip-scan follow the costs it
// measures (streamCost); without, they stay at the builder's skipAfter (benchmarks sweep it).
func (c *Client) scanStream(ctx context.Context, l *Listing, b *builder, from, end string, limit int,
	adapt bool) (string, error) {
	serializable := true
	var st scanState
	var cost streamCost
	for {
		next, restart, err := c.streamOnce(ctx, l, b, &st, &cost, from, end, limit, serializable)
		if serializable && errors.Is(rpctypes.Error(err), rpctypes.ErrFutureRev) {
			serializable = false // this member lags the pinned revision: ask the leader's view
			continue
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

// costSampleKeys is the least number of keys a stream must deliver after its first response for
// its rate to count as a measure of the key cost (fewer are noise).
const costSampleKeys = 256

// streamOnce reads one stream until it ends, the page is full (next), or a subtree is worth
// skipping (restart), and adds what it measured to cost.
func (c *Client) streamOnce(ctx context.Context, l *Listing, b *builder, st *scanState, cost *streamCost,
	from, end string, limit int, serializable bool) (next, restart string, err error) {
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
		return "", "", err
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
			return "", "", err
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
				return k, "", nil
			}
			l.Stats.KeysRead++
			if to, skip := b.add(st, k); skip {
				return "", to, nil
			}
		}
	}
	return "", "", nil
}
