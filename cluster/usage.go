package cluster

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
)

// LiveUsage is the live half of `:usage` / `etcdeck usage --endpoints`: per child of a prefix,
// the keys and the bytes of their current values, read at one revision in pages as Find reads
// (only one page is held; memory follows the children, not the keys). What the history weighs
// needs a snapshot file (embednode.UsageInChild): the API serves no old revisions in bulk.

// LiveUsageRow is one child of the prefix: a key, or a directory and everything under it.
type LiveUsageRow struct {
	// Name is the child's path: the prefix, its segment, and the separator for a directory (raw
	// bytes: show it with EscapeKey).
	Name string `json:"name"`
	Keys int64  `json:"keys"`
	// KeyBytes and ValueBytes are the current keys' and values' lengths.
	KeyBytes   int64 `json:"keyBytes"`
	ValueBytes int64 `json:"valueBytes"`
}

// LiveUsageReport is a prefix's children at one revision, largest values first.
type LiveUsageReport struct {
	Prefix string         `json:"prefix"`
	Rev    int64          `json:"revision"`
	Keys   int64          `json:"keys"`
	Bytes  int64          `json:"bytes"` // keys' and values' bytes, all rows
	Rows   []LiveUsageRow `json:"rows"`
	Took   time.Duration  `json:"took"`
}

// liveUsagePage is how many keys one read takes: a page of 1 KiB values stays near a megabyte.
const liveUsagePage = 1000

// maxLiveUsageRows bounds the children kept; past it keys count in OtherLiveRow.
const maxLiveUsageRows = 10000

// OtherLiveRow names the row gathering the children past the bound.
const OtherLiveRow = "(other children)"

// LiveUsage reads every key under prefix with its value, in pages at the first page's revision,
// and sums keys and bytes per child: the first depth segments after prefix (sep is the key
// separator; depth 1 or less is the direct children).
func (c *Client) LiveUsage(ctx context.Context, prefix string, sep byte, depth int) (LiveUsageReport, error) {
	start := time.Now()
	rep := LiveUsageReport{Prefix: prefix}
	end := clientv3.GetPrefixRangeEnd(prefix)
	key := prefix
	if prefix == "" {
		key, end = "\x00", "\x00"
	}
	rows := map[string]*LiveUsageRow{}
	other := &LiveUsageRow{Name: OtherLiveRow}
	for {
		get := []clientv3.OpOption{clientv3.WithRange(end), clientv3.WithLimit(liveUsagePage)}
		if rep.Rev != 0 {
			get = append(get, clientv3.WithRev(rep.Rev))
		}
		cctx, cancel := c.ctx(ctx)
		resp, err := c.c.Get(cctx, key, get...)
		cancel()
		if err != nil {
			return rep, fmt.Errorf("usage of %s: %w", EscapeKey(prefix), Explain(err))
		}
		if rep.Rev == 0 {
			rep.Rev = resp.Header.Revision
		}
		for _, kv := range resp.Kvs {
			name := childOf(string(kv.Key), prefix, sep, depth)
			r := rows[name]
			if r == nil {
				if len(rows) >= maxLiveUsageRows {
					r = other
				} else {
					r = &LiveUsageRow{Name: name}
					rows[name] = r
				}
			}
			r.Keys++
			r.KeyBytes += int64(len(kv.Key))
			r.ValueBytes += int64(len(kv.Value))
			rep.Keys++
			rep.Bytes += int64(len(kv.Key) + len(kv.Value))
		}
		if !resp.More || len(resp.Kvs) == 0 {
			break
		}
		key = string(resp.Kvs[len(resp.Kvs)-1].Key) + "\x00"
	}
	for _, r := range rows {
		rep.Rows = append(rep.Rows, *r)
	}
	if other.Keys > 0 {
		rep.Rows = append(rep.Rows, *other)
	}
	sort.Slice(rep.Rows, func(i, j int) bool {
		a, b := rep.Rows[i], rep.Rows[j]
		if a.KeyBytes+a.ValueBytes != b.KeyBytes+b.ValueBytes {
			return a.KeyBytes+a.ValueBytes > b.KeyBytes+b.ValueBytes
		}
		return a.Name < b.Name
	})
	rep.Took = time.Since(start)
	return rep, nil
}

// childOf is the child of prefix, depth segments down, that key falls in: the key itself, or
// the directory (ending in sep) that holds it.
func childOf(key, prefix string, sep byte, depth int) string {
	d, from := 0, len(prefix)
	if from < len(key) && key[from] == sep {
		from++ // "/registry/", not "/", under ""
	}
	for i := from; i < len(key); i++ {
		if key[i] == sep {
			if d++; d >= max(depth, 1) {
				return key[:i+1]
			}
		}
	}
	return key
}

// ShareBar is n's share of total as a bar of width cells ('#' filled, '.' empty); a row that
// weighs anything shows at least one '#'.
func ShareBar(n, total int64, width int) string {
	if total <= 0 || width <= 0 {
		return strings.Repeat(".", max(width, 0))
	}
	full := int((n*int64(width) + total/2) / total)
	if full == 0 && n > 0 {
		full = 1
	}
	full = min(max(full, 0), width)
	return strings.Repeat("#", full) + strings.Repeat(".", width-full)
}

// Percent is n's share of total with one decimal, "12.5%"; "-" without a total.
func Percent(n, total int64) string {
	if total <= 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f%%", float64(n)*100/float64(total))
}
