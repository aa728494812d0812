package cluster

import (
	"context"

	clientv3 "go.etcd.io/etcd/client/v3"
)

// CountOutside counts the keys that do not start with sep at rev (0: the current one): the
// keys the Keys view's first directory, sep, does not show, which only the root lists. Two
// count-only ranges in one transaction, before sep and after it, so it costs those keys only,
// never the keys under sep.
func (c *Client) CountOutside(ctx context.Context, sep byte, rev int64) (int64, error) {
	ctx, cancel := c.ctx(ctx)
	defer cancel()
	ops := []clientv3.Op{clientv3.OpGet("\x00", clientv3.WithRange(string(sep)), clientv3.WithCountOnly(), clientv3.WithRev(rev))}
	if sep != 0xff {
		ops = append(ops, clientv3.OpGet(string(sep+1), clientv3.WithFromKey(), clientv3.WithCountOnly(), clientv3.WithRev(rev)))
	}
	resp, err := c.c.Txn(ctx).Then(ops...).Commit()
	if err != nil {
		return 0, Explain(err)
	}
	var n int64
	for _, r := range resp.Responses {
		n += r.GetResponseRange().Count
	}
	return n, nil
}
