package cluster

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"
)

// Reading leases for the Leases view. etcd has no paged lease listing: LeaseLeases returns every
// ID at once (8 bytes each, 800 KB for 100,000 leases), but TimeToLive answers one lease per
// call. So the view lists IDs, then reads TimeToLive (with the attached keys) only for the rows
// on screen, and a separate summary pass reads a bounded number of leases (SummaryCap). Grants and revokes are writes: they go
// through write.go's gate (GrantLease, RevokeLease).

// Lease is one lease as TimeToLive reported it at Read.
type Lease struct {
	ID int64
	// Granted is the TTL the lease was granted with, in seconds.
	Granted int64
	// TTL is the time left at Read, in seconds; -1 when the lease is gone (expired or revoked).
	TTL int64
	// Keys are the attached keys when they were asked for (LeaseDetail), else nil; NumKeys is
	// how many there are either way.
	Keys    []string
	NumKeys int
	Read    time.Time
}

// Gone is true when the lease had expired or been revoked when it was read.
func (l Lease) Gone() bool { return l.TTL < 0 }

// Left is the time to live left at now, counting down from what was read (never below zero).
func (l Lease) Left(now time.Time) time.Duration {
	if l.Gone() {
		return 0
	}
	return max(0, time.Duration(l.TTL)*time.Second-now.Sub(l.Read))
}

// leaseReadConcurrency bounds the TimeToLive calls in flight at once: a screen's rows (≤ 40)
// come back in a couple of round trips without queueing hundreds of streams on the server.
const leaseReadConcurrency = 8

// LeaseIDs lists every lease's ID, in ascending order (etcd returns them in map order).
func (c *Client) LeaseIDs(ctx context.Context) ([]int64, error) {
	ctx, cancel := c.ctx(ctx)
	defer cancel()
	resp, err := c.c.Leases(ctx)
	if err != nil {
		return nil, fmt.Errorf("listing leases: %w", Explain(err))
	}
	ids := make([]int64, len(resp.Leases))
	for i, l := range resp.Leases {
		ids[i] = int64(l.ID)
	}
	slices.Sort(ids)
	return ids, nil
}

// LeaseDetail reads one lease with its attached keys when keys is true (else only their count
// is kept). A lease that expired or was revoked is no error: its TTL is -1.
func (c *Client) LeaseDetail(ctx context.Context, id int64, keys bool) (Lease, error) {
	ctx, cancel := c.ctx(ctx)
	defer cancel()
	resp, err := c.c.TimeToLive(ctx, clientv3.LeaseID(id), clientv3.WithAttachedKeys())
	l := Lease{ID: id, TTL: -1, Read: time.Now()}
	if errors.Is(rpctypes.Error(err), rpctypes.ErrLeaseNotFound) {
		return l, nil
	}
	if err != nil {
		return l, fmt.Errorf("reading %s: %w", leaseTarget(id), Explain(err))
	}
	l.Granted, l.TTL, l.NumKeys = resp.GrantedTTL, resp.TTL, len(resp.Keys)
	if resp.TTL < 0 {
		l.TTL = -1
	}
	if keys {
		l.Keys = make([]string, len(resp.Keys))
		for i, k := range resp.Keys {
			l.Keys[i] = string(k)
		}
		slices.Sort(l.Keys)
	}
	return l, nil
}

// LeaseDetails reads the leases ids (the rows on screen) with their key counts, a few at a
// time; the result is in the order of ids. The first error ends the read.
func (c *Client) LeaseDetails(ctx context.Context, ids []int64) ([]Lease, error) {
	out := make([]Lease, len(ids))
	errs := make([]error, len(ids))
	sem := make(chan struct{}, leaseReadConcurrency)
	var wg sync.WaitGroup
	for i, id := range ids {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			out[i], errs[i] = c.LeaseDetail(ctx, id, false)
		}()
	}
	wg.Wait()
	return out, errors.Join(errs...)
}

// LeaseBuckets are the upper bounds of the granted-TTL buckets of LeaseSummary, in seconds;
// the last bucket holds everything above the last bound. A minute, ten, an hour (Kubernetes
// events: 1h), a day.
var LeaseBuckets = []int64{60, 600, 3600, 86400}

// LeaseSummary is what the Leases view's summary line says about every lease.
type LeaseSummary struct {
	// Leases is how many leases there were when the pass began.
	Leases int
	// Sampled is how many of them the pass read (TimeToLive is one call per lease, so it reads
	// at most SummaryCap, the lowest IDs) and still found alive; the counts below are of those.
	Sampled int
	// KeysAttached counts the keys attached to the leases read; Orphans the leases with none.
	KeysAttached int64
	Orphans      int
	// ByTTL counts leases per granted-TTL bucket (len(LeaseBuckets)+1 of them).
	ByTTL []int
}

// SummaryCap is how many leases one summary pass reads at most: TimeToLive answers one lease
// per call, and etcd 3.7 serves keys-only ranges from its index without the lease, so there is
// no cheaper way to tie keys to leases.
const SummaryCap = 5000

// SummarizeLeases reads the first SummaryCap of ids with their attached keys and counts keys
// attached, leases with none, and granted TTLs by bucket. Memory is one Lease per lease read.
func (c *Client) SummarizeLeases(ctx context.Context, ids []int64) (LeaseSummary, error) {
	s := LeaseSummary{Leases: len(ids), ByTTL: make([]int, len(LeaseBuckets)+1)}
	ls, err := c.LeaseDetails(ctx, ids[:min(len(ids), SummaryCap)])
	if err != nil {
		return s, err
	}
	for _, l := range ls {
		if l.Gone() {
			continue // expired since it was listed
		}
		s.Sampled++
		s.KeysAttached += int64(l.NumKeys)
		if l.NumKeys == 0 {
			s.Orphans++
		}
		s.ByTTL[LeaseBucket(l.Granted)]++
	}
	return s, nil
}

// LeaseBucket is the index in LeaseBuckets of the bucket a granted TTL falls in.
func LeaseBucket(granted int64) int {
	for i, b := range LeaseBuckets {
		if granted <= b {
			return i
		}
	}
	return len(LeaseBuckets)
}

// FormatLeaseID writes a lease ID as etcdctl does (hex, no leading zeros).
func FormatLeaseID(id int64) string { return fmt.Sprintf("%x", id) }

// ParseLeaseID reads a lease ID as etcdctl prints it (hex); a 0x prefix is allowed.
func ParseLeaseID(s string) (int64, error) {
	t := strings.TrimPrefix(strings.TrimPrefix(s, "0x"), "0X")
	id, err := strconv.ParseUint(t, 16, 64)
	if err != nil || id == 0 || id > math.MaxInt64 {
		return 0, fmt.Errorf("%q is not a lease ID: give it in hex as etcdctl lease list prints it, e.g. 694d7a1e2f3b0c11", s)
	}
	return int64(id), nil
}
