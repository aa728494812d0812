package cluster

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	pb "go.etcd.io/etcd/api/v3/etcdserverpb"
	"go.etcd.io/etcd/api/v3/mvccpb"
	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// This file is a Watch's goroutine: it runs clientv3 watches one after the other, each from the
// revision after the last one queued, and feeds the bounded channel that Next drains.

// Backoff between attempts to re-establish a watch the server ended (no leader, for example).
const (
	watchMinBackoff = 100 * time.Millisecond
	watchMaxBackoff = 2 * time.Second
)

// watchRun is the state of a watch's goroutine.
type watchRun struct {
	w       *Watch
	next    int64 // first revision not yet queued; 0 until the server assigned one
	attempt int   // consecutive failed attempts, reported with StateReconnecting
	backoff time.Duration
	member  uint64              // the member that sent the last response, 0 before the first
	names   map[uint64]string   // member IDs to names, read from the member list when needed
	urls    map[uint64][]string // member IDs to client URLs, from the same list (failover)
	asking  atomic.Bool         // a progress request is being sent
	// cli serves the stream: the session's client, or own, one this goroutine dialled to
	// another member after a stall (watchfailover.go), closed when the watch ends or moves.
	cli  *clientv3.Client
	own  *clientv3.Client
	turn int // failovers so far: successive ones try successive candidates
}

// streamEnd is why one clientv3 watch ended.
type streamEnd struct {
	err        error
	compactRev int64
	compacted  bool
	paused     bool
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
			r.put(item{state: &State{Kind: StateFailed, Err: fmt.Errorf("internal error in the watch (logged): %v", p)}}, nil)
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
			if !r.put(item{state: lost, revDone: end.compactRev - 1}, nil) {
				return
			}
			r.next = end.compactRev
			continue
		case end.compacted:
			r.put(item{state: &State{Kind: StateCompacted, Rev: end.compactRev}}, nil)
			return
		case end.paused:
			if !r.waitForRoom() {
				return
			}
			continue
		case end.err == nil && w.c.c.Ctx().Err() != nil:
			r.put(item{state: &State{Kind: StateFailed, Err: errors.New("the connection to the cluster was closed")}}, nil)
			return
		case end.err != nil && !end.stalled && !watchRetriable(end.err):
			r.put(item{state: &State{Kind: StateFailed, Err: Explain(end.err)}}, nil)
			return
		}
		why := errors.New("the watch stream ended unexpectedly")
		switch {
		case end.stalled:
			why = end.err
		case end.err != nil:
			why = Explain(end.err)
		}
		r.attempt++
		if !r.put(item{state: &State{Kind: StateReconnecting, Err: why, Attempt: r.attempt}}, nil) {
			return
		}
		if end.stalled {
			// Waiting longer on a member that does not answer only makes the events later.
			r.failover()
			continue
		}
		t := time.NewTimer(r.backoff)
		select {
		case <-t.C:
		case <-w.ctx.Done():
			t.Stop()
			return
		}
		r.backoff = min(2*r.backoff, watchMaxBackoff)
	}
}

// stream runs one clientv3 watch from r.next until it ends, queueing what it delivers.
func (r *watchRun) stream() streamEnd {
	w := r.w
	// Require a leader so a partitioned member ends the stream instead of going quiet; a gRPC
	// stream of its own, closed with it (streamContext).
	id := w.c.watchStreams.Add(1)
	w.stream.Store(id)
	ctx, cancel := context.WithCancel(streamContext(w.ctx, id))
	defer cancel()
	paused := false
	pause := func() {
		// The channel is full. clientv3 would keep buffering responses without bound while
		// we block, so end the server stream and restart it from r.next once there is room.
		paused = true
		cancel()
	}
	ops := []clientv3.OpOption{clientv3.WithCreatedNotify(), clientv3.WithProgressNotify()}
	switch {
	case w.opts.RangeEnd != "":
		ops = append(ops, clientv3.WithRange(w.opts.RangeEnd))
	case w.opts.Prefix:
		ops = append(ops, clientv3.WithPrefix())
	}
	if r.next > 0 {
		ops = append(ops, clientv3.WithRev(r.next))
	}
	if w.opts.PrevKV {
		ops = append(ops, clientv3.WithPrevKV())
	}
	wch := r.cli.Watch(ctx, w.key, ops...)
	var tick <-chan time.Time
	probe := newStallProbe(w.opts, time.Now())
	if probe != nil {
		t := time.NewTicker(probe.period())
		defer t.Stop()
		tick = t.C
	}
	for {
		resp, ok, got := clientv3.WatchResponse{}, false, false
		// A response already waiting comes before the probe's tick: after the consumer kept
		// this goroutine busy (a full channel, a starved machine), the tick is overdue while the
		// member did answer meanwhile, and a select between both would pick the tick half the
		// time and declare a stall that is only this console's lag, restarting a stream that
		// was delivering (issue 22's storm: it then replayed its history over and over).
		select {
		case resp, ok = <-wch:
			got = true
		default:
		}
		if !got {
			select {
			case now := <-tick:
				switch probe.check(now) {
				case probeAsk:
					r.askProgress(ctx)
				case probeStalled:
					// The cached name only: asking the stalled member would stall too.
					return streamEnd{err: r.stallError(r.names[r.member]), stalled: true}
				}
				continue
			case resp, ok = <-wch:
			}
		}
		if !ok {
			return streamEnd{}
		}
		if probe != nil {
			probe.heard(time.Now())
		}
		if resp.CompactRevision != 0 {
			return streamEnd{compacted: true, compactRev: resp.CompactRevision}
		}
		if err := resp.Err(); err != nil {
			if errors.Is(rpctypes.Error(err), rpctypes.ErrCompacted) {
				return streamEnd{compacted: true}
			}
			return streamEnd{err: watchCancelReason(err)}
		}
		if !r.noteMember(ctx, resp) {
			return streamEnd{}
		}
		switch {
		case resp.Created:
			if w.opts.StallAfter > 0 && r.urls == nil {
				// Learn the other members' client URLs while this one answers: after a stall
				// they are where the watch goes (the user may have given one endpoint).
				r.memberName(ctx, resp.Header.MemberId)
			}
			if r.next == 0 {
				// A watch from "now" starts after the revision the server registered it at.
				r.next = resp.Header.Revision + 1
				// With IdleProgress the consumer wants to know the watch is live from the start.
				mark := item{progress: true, revDone: resp.Header.Revision, notify: w.opts.IdleProgress > 0}
				if !r.put(mark, nil) {
					return streamEnd{}
				}
			}
			if r.attempt > 0 {
				st := &State{Kind: StateResumed, Rev: r.next, Member: r.memberName(ctx, resp.Header.MemberId)}
				if now := resp.Header.Revision; now >= r.next {
					// Written while the watch was away: their events follow, late.
					st.LateFrom, st.LateTo = r.next, now
				}
				if !r.put(item{state: st}, nil) {
					return streamEnd{}
				}
				r.attempt, r.backoff = 0, watchMinBackoff
			}
		case resp.IsProgressNotify():
			// A notification at the last revision delivered moves nothing but still says the
			// watch is alive and caught up, which a quiet watch's consumer wants to show.
			if rev := resp.Header.Revision; rev >= r.next-1 {
				r.next = max(r.next, rev+1)
				if !r.put(item{progress: true, notify: true, revDone: rev}, nil) {
					return streamEnd{}
				}
			}
		default:
			if !r.queue(resp.Events, resp.Header, pause) {
				return streamEnd{}
			}
			if paused {
				return streamEnd{paused: true}
			}
		}
	}
}

// queue puts the events of one response on the channel. A response holds whole revisions, so
// r.next moves past them only once all are queued: a resume never splits a revision.
func (r *watchRun) queue(evs []*clientv3.Event, hdr *pb.ResponseHeader, pause func()) bool {
	last := r.next - 1
	for i, ev := range evs {
		if ev.Kv.ModRevision < r.next {
			continue // already delivered: never repeat a revision
		}
		it := item{ev: r.event(ev, hdr)}
		if i == len(evs)-1 || evs[i+1].Kv.ModRevision > ev.Kv.ModRevision {
			it.revDone = ev.Kv.ModRevision
		}
		if !r.put(it, pause) {
			return false
		}
		last = ev.Kv.ModRevision
	}
	r.next = last + 1
	return true
}

func (r *watchRun) event(ev *clientv3.Event, hdr *pb.ResponseHeader) Event {
	e := Event{
		HeaderRev: hdr.GetRevision(),
		ClusterID: hdr.GetClusterId(),
		MemberID:  hdr.GetMemberId(),
		RaftTerm:  hdr.GetRaftTerm(),
		Kind:      EventPut,
		Key:       string(ev.Kv.Key),
		Rev:       ev.Kv.ModRevision,
		CreateRev: ev.Kv.CreateRevision,
		Version:   ev.Kv.Version,
		Lease:     ev.Kv.Lease,
		HasPrev:   ev.PrevKv != nil,
		ValueSize: int64(len(ev.Kv.Value)),
	}
	if p := ev.PrevKv; p != nil {
		e.PrevRev, e.PrevCreateRev, e.PrevVersion = p.ModRevision, p.CreateRevision, p.Version
	}
	if ev.Type == mvccpb.DELETE {
		e.Kind, e.ValueSize = EventDelete, 0
	}
	if !r.w.opts.KeysOnly {
		if e.Kind == EventPut {
			e.Value = ev.Kv.Value
		}
		if ev.PrevKv != nil {
			e.PrevValue = ev.PrevKv.Value
		}
	}
	return e
}

// put queues it, blocking while the channel is full (calling onFull first, once) until the
// consumer makes room or the watch is closed. It reports whether it was queued.
func (r *watchRun) put(it item, onFull func()) bool {
	select {
	case r.w.out <- it:
		return true
	default:
	}
	if onFull != nil {
		onFull()
	}
	select {
	case r.w.out <- it:
		return true
	case <-r.w.ctx.Done():
		return false
	}
}

// waitForRoom waits until the consumer has emptied half the channel, so a paused stream does
// not restart only to pause again after one response.
func (r *watchRun) waitForRoom() bool {
	for len(r.w.out) > cap(r.w.out)/2 {
		select {
		case <-r.w.drained:
		case <-r.w.ctx.Done():
			return false
		}
	}
	return true
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
