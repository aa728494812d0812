package cluster

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	pb "go.etcd.io/etcd/api/v3/etcdserverpb"
	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// This file is a Watch's goroutine: it runs Watch RPC streams (watchgrpc.go) one after the
// other, each from the revision after the last one queued, and feeds the bounded channel that
// Next drains.

// Backoff between attempts to re-establish a watch the server ended (no leader, for example).
const (
	watchMinBackoff = 100 * time.Millisecond
	watchMaxBackoff = 2 * time.Second
)

// watchReopenDelay is the pause before a stream whose connection broke is reopened without a
// word (brokenConnection): the balancer's moment to mark the member's connection down.
const watchReopenDelay = 10 * time.Millisecond

// watchRun is the state of a watch's goroutine.
type watchRun struct {
	w    *Watch
	next int64 // first revision not yet queued; 0 until the server assigned one
	// partial counts the events of revision next already queued (a fragment ended inside it),
	// seen those of it the current stream delivered: see queue.
	partial, seen int
	attempt       int // consecutive failed attempts, reported with StateReconnecting
	// reopened: the last stream's connection broke and it was reopened without a
	// StateReconnecting; its first response after the creation names the member when it is
	// another one.
	reopened bool
	backoff  time.Duration
	member   uint64              // the member that sent the last response, 0 before the first
	names    map[uint64]string   // member IDs to names, read from the member list when needed
	urls     map[uint64][]string // member IDs to client URLs, from the same list (failover)
	asking   atomic.Bool         // a progress request is being sent
	// cli serves the stream: the session's client, or own, one this goroutine dialled to
	// another member after a stall (watchfailover.go), closed when the watch ends or moves.
	cli  *clientv3.Client
	own  *clientv3.Client
	turn int // failovers so far: successive ones try successive candidates
}

// streamEnd is why one stream ended.
type streamEnd struct {
	err        error
	compactRev int64
	compacted  bool
	stalled    bool // the member stopped answering: move to another
}

func (r *watchRun) run() {
	w := r.w
	defer close(w.done)
	defer close(w.out)
	defer r.closeOwn()
	// A panic here would kill the console without restoring the terminal (only tea commands are
	// guarded): end this watch with a failure instead, and log the trace.
	defer func() {
		if p := recover(); p != nil {
			w.c.log.Error("watch goroutine panicked", zap.Any("panic", p), zap.Stack("stack"))
			r.put(item{state: &State{Kind: StateFailed, Err: fmt.Errorf("internal error in the watch (logged): %v", p)}})
		}
	}()
	for {
		end := r.stream()
		switch {
		case w.ctx.Err() != nil:
			return
		case end.compacted && w.opts.ContinueAfterCompaction && end.compactRev > r.next:
			// Everything from r.next to the compaction revision is gone; what is left starts
			// at the compaction revision itself.
			lost := &State{Kind: StateLost, LostFrom: r.next, LostTo: end.compactRev - 1, Rev: end.compactRev}
			if !r.put(item{state: lost, revDone: end.compactRev - 1}) {
				return
			}
			r.advance(end.compactRev)
			continue
		case end.compacted:
			r.put(item{state: &State{Kind: StateCompacted, Rev: end.compactRev}})
			return
		case w.c.c.Ctx().Err() != nil:
			// The session's client was closed: its connection will not come back (the stream
			// ended, or could not be opened: "the client connection is closing").
			r.put(item{state: &State{Kind: StateFailed, Err: errors.New("the connection to the cluster was closed")}})
			return
		case end.err != nil && !end.stalled && !watchRetriable(end.err):
			r.put(item{state: &State{Kind: StateFailed, Err: Explain(end.err)}})
			return
		case end.err != nil && brokenConnection(end.err) && !r.reopened:
			// The connection under the stream broke (its member stopped): reopen it at once,
			// as clientv3 does with its own streams, on another member when the session has
			// one; its first response then says where it resumed (noteMember). A second
			// failure in a row is reported (below).
			r.reopened = true
			if !r.sleep(watchReopenDelay) {
				return
			}
			continue
		}
		r.reopened = false
		why := errors.New("the watch stream ended unexpectedly")
		switch {
		case end.stalled:
			why = end.err
		case end.err != nil:
			why = Explain(end.err)
		}
		r.attempt++
		if !r.put(item{state: &State{Kind: StateReconnecting, Err: why, Attempt: r.attempt}}) {
			return
		}
		if end.stalled {
			// Waiting longer on a member that does not answer only makes the events later.
			r.failover()
			continue
		}
		if !r.sleep(r.backoff) {
			return
		}
		r.backoff = min(2*r.backoff, watchMaxBackoff)
	}
}

// sleep waits d, or until the watch ends (false).
func (r *watchRun) sleep(d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.w.ctx.Done():
		return false
	}
}

// brokenConnection tells an error of the connection under a stream (its member stopped or out
// of reach) from an error the server gave (an etcd error: no leader, permission denied).
func brokenConnection(err error) bool {
	var ee rpctypes.EtcdError
	if errors.As(err, &ee) {
		return false
	}
	s, ok := status.FromError(err)
	return ok && (s.Code() == codes.Unavailable || s.Code() == codes.Internal)
}

// stream runs one Watch RPC stream from r.next until it ends, queueing what it delivers. While
// the channel is full it waits in put and reads nothing more: gRPC's flow control then holds
// the server back (watchgrpc.go).
func (r *watchRun) stream() streamEnd {
	w := r.w
	// Require a leader so a partitioned member ends the stream instead of going quiet; the
	// stream is the watch's own, closed with it (streamContext).
	ctx, cancel := context.WithCancel(streamContext(w.ctx))
	defer cancel()
	create := &pb.WatchCreateRequest{
		Key:            []byte(w.key),
		StartRevision:  r.next,
		ProgressNotify: true,
		PrevKv:         w.opts.PrevKV,
		// A response larger than the server's request limit (1.5 MiB by default) comes in
		// fragments, so a backlog of 1,000 revisions is never one 10 MB message here.
		Fragment: true,
	}
	switch {
	case w.opts.RangeEnd != "":
		create.RangeEnd = []byte(w.opts.RangeEnd)
	case w.opts.Prefix && w.key == "":
		create.Key, create.RangeEnd = []byte{0}, []byte{0} // every key, as clientv3 asks for it
	case w.opts.Prefix:
		create.RangeEnd = []byte(clientv3.GetPrefixRangeEnd(w.key))
	}
	conn := openWatchConn(ctx, r.cli, create)
	w.conn.Store(conn)
	r.seen = 0
	var tick <-chan time.Time
	probe := newStallProbe(w.opts, time.Now())
	if probe != nil {
		t := time.NewTicker(probe.period())
		defer t.Stop()
		tick = t.C
	}
	for {
		var got received
		ok := false
		// A response already waiting comes before the probe's tick: after the consumer kept
		// this goroutine busy (a full channel, a starved machine), the tick is overdue while the
		// member did answer meanwhile, and a select between both would pick the tick half the
		// time and declare a stall that is only this console's lag, restarting a stream that
		// was delivering (issue 22's storm: it then replayed its history over and over).
		select {
		case got = <-conn.recv:
			ok = true
		default:
		}
		if !ok {
			select {
			case now := <-tick:
				switch probe.check(now) {
				case probeAsk:
					r.askProgress(ctx, conn)
				case probeStalled:
					// The cached name only: asking the stalled member would stall too.
					return streamEnd{err: r.stallError(r.names[r.member]), stalled: true}
				}
				continue
			case got = <-conn.recv:
			case <-ctx.Done():
				return streamEnd{}
			}
		}
		if got.err != nil {
			if errors.Is(got.err, errStreamEnded) {
				return streamEnd{}
			}
			return streamEnd{err: got.err}
		}
		resp := got.resp
		if probe != nil {
			probe.heard(time.Now())
		}
		if resp.CompactRevision != 0 {
			return streamEnd{compacted: true, compactRev: resp.CompactRevision}
		}
		if err := responseError(resp); err != nil {
			if errors.Is(err, rpctypes.ErrCompacted) {
				return streamEnd{compacted: true}
			}
			return streamEnd{err: err}
		}
		// Reopened after a broken connection: the member is noted from the first response after
		// the creation, which then says where the watch resumed if it is another member
		// (noteMember), once the member serves it: a member without a leader creates the watch
		// and ends it at once.
		if resp.Created && r.reopened {
			r.reopened = false
		} else if !r.noteMember(ctx, resp) {
			return streamEnd{}
		}
		switch {
		case resp.Created:
			if w.opts.StallAfter > 0 && r.urls == nil {
				// Learn the other members' client URLs while this one answers: after a stall
				// they are where the watch goes (the user may have given one endpoint).
				r.memberName(ctx, resp.Header.GetMemberId())
			}
			if r.next == 0 {
				// A watch from "now" starts after the revision the server registered it at.
				r.advance(resp.Header.GetRevision() + 1)
				// With IdleProgress the consumer wants to know the watch is live from the start.
				mark := item{progress: true, revDone: resp.Header.GetRevision(), notify: w.opts.IdleProgress > 0}
				if !r.put(mark) {
					return streamEnd{}
				}
			}
			if r.attempt > 0 {
				st := &State{Kind: StateResumed, Rev: r.next, Member: r.memberName(ctx, resp.Header.GetMemberId())}
				if now := resp.Header.GetRevision(); now >= r.next {
					// Written while the watch was away: their events follow, late.
					st.LateFrom, st.LateTo = r.next, now
				}
				if !r.put(item{state: st}) {
					return streamEnd{}
				}
				r.attempt, r.backoff = 0, watchMinBackoff
			}
		case isProgressNotify(resp):
			// A notification at the last revision delivered moves nothing but still says the
			// watch is alive and caught up, which a quiet watch's consumer wants to show.
			if rev := resp.Header.GetRevision(); rev >= r.next-1 {
				r.advance(rev + 1)
				if !r.put(item{progress: true, notify: true, revDone: rev}) {
					return streamEnd{}
				}
			}
		default:
			if !r.queue(resp) {
				return streamEnd{}
			}
		}
	}
}

// watchCancelReason recovers the etcd error from a watch the server canceled: clientv3 passes
// the cancel reason on as plain text ("rpc error: code = PermissionDenied desc = etcdserver:
// permission denied"), which neither errors.Is nor Explain would recognise.
func watchCancelReason(err error) error {
	if _, ok := status.FromError(err); ok {
		return err
	}
	const marker = " desc = "
	msg := err.Error()
	if i := strings.Index(msg, marker); strings.HasPrefix(msg, "rpc error: code = ") && i >= 0 {
		if ev := rpctypes.Error(errors.New(msg[i+len(marker):])); ev != nil {
			if _, ok := ev.(rpctypes.EtcdError); ok {
				return ev
			}
		}
	}
	return err
}

// watchRetriable tells whether a watch that ended with err is worth re-establishing: a lost
// leader or connection, or an expired token, may come back; a denied permission will not.
func watchRetriable(err error) bool {
	ev := rpctypes.Error(err)
	if errors.Is(ev, rpctypes.ErrNoLeader) || errors.Is(ev, rpctypes.ErrInvalidAuthToken) {
		return true
	}
	code := status.Code(err)
	var ee rpctypes.EtcdError
	if errors.As(ev, &ee) {
		code = ee.Code()
	}
	switch code {
	case codes.Unavailable, codes.Internal, codes.DeadlineExceeded, codes.Unknown,
		// "watch canceled": the server's end of the stream went away (a member stopping);
		// the caller's own cancellation never gets here.
		codes.Canceled:
		return true
	}
	return false
}
