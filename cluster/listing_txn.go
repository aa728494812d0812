package cluster

import (
	"context"
	"fmt"
	"sync"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"
)

// Range operations batched in transactions: the windows' probes and the details of a screen.

// maxTxnOps is etcd's default --max-txn-ops: the most operations one transaction may hold.
const maxTxnOps = 128

// txnSpread is how many transactions txnBatches runs at once, and spreads a round of at least
// txnSpread × minTxnOps operations over: etcd serves concurrent reads on several cores, so a
// round whose counting is spread over many windows takes less than its sum (on etcd 3.4 at a
// million keys, four quarters of /registry/events/ in four transactions: 15 ms, against 22 ms
// in one).
const (
	txnSpread = 4
	minTxnOps = 16
)

// txnCount is how many transactions txnBatches sends for n operations.
func txnCount(n int) int {
	return max((n+maxTxnOps-1)/maxTxnOps, min(txnSpread, (n+minTxnOps-1)/minTxnOps))
}

// txnBatches runs range ops in txnCount transactions of at most maxTxnOps, up to txnSpread at
// once, and returns their responses in order. Operation i goes to transaction i mod txnCount,
// so windows next to each other (often alike in size) are counted on different cores.
func (c *Client) txnBatches(ctx context.Context, ops []clientv3.Op) ([]*clientv3.GetResponse, error) {
	out := make([]*clientv3.GetResponse, len(ops))
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	sem := make(chan struct{}, txnSpread)
	n := txnCount(len(ops))
	for t := 0; t < n; t++ {
		var idx []int
		var batch []clientv3.Op
		for i := t; i < len(ops); i += n {
			idx = append(idx, i)
			batch = append(batch, ops[i])
		}
		wg.Add(1)
		sem <- struct{}{}
		go func(idx []int, batch []clientv3.Op) {
			defer wg.Done()
			defer func() { <-sem }()
			resps, err := c.readTxn(ctx, batch)
			if err != nil {
				mu.Lock()
				if firstErr == nil {
					firstErr = err
				}
				mu.Unlock()
				return
			}
			for i, r := range resps {
				out[idx[i]] = r
			}
		}(idx, batch)
	}
	wg.Wait()
	return out, firstErr
}

// readTxn runs range ops in one transaction and returns their responses in order.
func (c *Client) readTxn(ctx context.Context, ops []clientv3.Op) (out []*clientv3.GetResponse, err error) {
	defer func() {
		// Outside a tea command a panic would leave the terminal raw: report it instead.
		if p := recover(); p != nil {
			c.log.Error("transaction batch panicked", zap.Any("panic", p), zap.Stack("stack"))
			out, err = nil, fmt.Errorf("internal error reading the listing (logged): %v", p)
		}
	}()
	resp, err := c.c.Txn(ctx).Then(ops...).Commit()
	if err != nil {
		return nil, err
	}
	out = make([]*clientv3.GetResponse, len(resp.Responses))
	for i, r := range resp.Responses {
		out[i] = (*clientv3.GetResponse)(r.GetResponseRange())
	}
	return out, nil
}
