package cluster

import (
	"context"
	"sync"

	clientv3 "go.etcd.io/etcd/client/v3"
)

// maxTxnOps is etcd's default --max-txn-ops: the most operations one transaction may hold.
const maxTxnOps = 128

// window is one first-byte slice [from, to) of a directory, skip-scanned with limited Gets. Each
// limited Get counts every key left in the window, so windows keep those counts local: a window
// holds the children starting with one byte, not the whole directory.
type window struct {
	from, to string
	limit    int64
	b        *builder // each window's rows, joined in window order at the end
	st       scanState
	done     bool
}

// scanWindows lists the directory for servers without RangeStream: the key equal to the prefix
// (plus namePrefix), then one window per next byte of the child name, advanced in rounds; each round's Gets are
// batched into transactions of at most maxTxnOps.
func (c *Client) scanWindows(ctx context.Context, l *Listing, b *builder, namePrefix, end string) error {
	var ws []*window
	p := b.prefix + namePrefix
	for i := 0; i < 256; i++ {
		w := &window{from: p + string([]byte{byte(i)}), limit: 16,
			b: &builder{prefix: b.prefix, sep: b.sep, skipAfter: b.skipAfter}}
		if i < 255 {
			w.to = p + string([]byte{byte(i + 1)})
		} else {
			w.to = end
		}
		ws = append(ws, w)
	}
	if p != "" {
		resp, err := c.c.Get(ctx, p, clientv3.WithKeysOnly(), clientv3.WithRev(l.Rev))
		l.Stats.RoundTrips++
		if err != nil {
			return err
		}
		if len(resp.Kvs) > 0 {
			b.row(namePrefix).Leaf = true
		}
	}
	for {
		var active []*window
		for _, w := range ws {
			if !w.done {
				active = append(active, w)
			}
		}
		if len(active) == 0 {
			for _, w := range ws {
				b.rows = MergeRows(b.rows, w.b.rows)
			}
			return nil
		}
		ops := make([]clientv3.Op, len(active))
		for i, w := range active {
			ops[i] = clientv3.OpGet(w.from, clientv3.WithRange(w.to), clientv3.WithLimit(w.limit),
				clientv3.WithKeysOnly(), clientv3.WithRev(l.Rev))
		}
		resps, err := c.txnBatches(ctx, ops)
		l.Stats.RoundTrips += (len(ops) + maxTxnOps - 1) / maxTxnOps
		if err != nil {
			return err
		}
		for i, w := range active {
			r := resps[i]
			l.Stats.KeysCounted += r.Count
			l.Stats.KeysRead += int64(len(r.Kvs))
			skipped := false
			resume := ""
			for _, kv := range r.Kvs {
				k := string(kv.Key)
				if k < resume {
					continue // inside a subtree already skipped
				}
				if to, skip := w.b.add(&w.st, k); skip {
					resume, skipped = to, true
				} else {
					resume = k + "\x00"
				}
			}
			if !r.More || (w.to != "\x00" && resume >= w.to) {
				w.done = true
				continue
			}
			w.from = resume
			if !skipped && w.limit < 4096 {
				w.limit *= 2 // leaf-heavy: fewer, bigger rounds
			}
		}
	}
}

// txnBatches runs range ops in transactions of at most maxTxnOps, concurrently, and returns
// their responses in order.
func (c *Client) txnBatches(ctx context.Context, ops []clientv3.Op) ([]*clientv3.GetResponse, error) {
	out := make([]*clientv3.GetResponse, len(ops))
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	sem := make(chan struct{}, 4)
	for start := 0; start < len(ops); start += maxTxnOps {
		stop := min(start+maxTxnOps, len(ops))
		wg.Add(1)
		sem <- struct{}{}
		go func(start, stop int) {
			defer wg.Done()
			defer func() { <-sem }()
			resp, err := c.c.Txn(ctx).Then(ops[start:stop]...).Commit()
			if err != nil {
				mu.Lock()
				if firstErr == nil {
					firstErr = err
				}
				mu.Unlock()
				return
			}
			for i, r := range resp.Responses {
				out[start+i] = (*clientv3.GetResponse)(r.GetResponseRange())
			}
		}(start, stop)
	}
	wg.Wait()
	return out, firstErr
}
