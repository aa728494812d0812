package cluster

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"go.etcd.io/etcd/api/v3/mvccpb"
	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// Backoff between attempts to re-establish a watch the server ended (no leader, for example).
const (
	watchMinBackoff = 100 * time.Millisecond
	watchMaxBackoff = 2 * time.Second
)

// EventKind says whether a watched key was written or deleted.
type EventKind int

// The kinds of Event.
const (
	EventPut EventKind = iota + 1
	EventDelete
)

// String is "put" or "delete".
func (k EventKind) String() string {
	switch k {
	case EventPut:
		return "put"
	case EventDelete:
		return "delete"
	}
	return fmt.Sprintf("EventKind(%d)", int(k))
}

// Event is one change delivered by a Watch.
type Event struct {
	Kind EventKind
	Key  string
	// Value is the new value of a put; nil for a delete and when WatchOptions.KeysOnly is set.
	Value []byte
	// Rev is the revision of the change (the key's mod revision). Events of one transaction share it.
	Rev       int64
	CreateRev int64 // the key's create revision (0 for a delete)
	Version   int64 // the key's version after the change (0 for a delete)
	Lease     int64 // the lease ID attached to the key, 0 when none
	// HasPrev tells whether the key existed before the change; with WatchOptions.PrevKV,
	// PrevValue then holds its previous value (nil with KeysOnly).
	HasPrev   bool
	PrevValue []byte
}

// StateKind names a change in the watch itself, as opposed to a change of a key.
type StateKind int

// The kinds of State. Compacted, Failed and Closed are terminal: no event follows them.
const (
	// StateReconnecting: the server ended the watch (lost leader, for example); it is being
	// re-established from the revision after the last one delivered. Err says why.
	StateReconnecting StateKind = iota + 1
	// StateResumed: the watch is back after StateReconnecting, starting at revision Rev,
	// with no event missed or repeated.
	StateResumed
	// StateCompacted: the revisions still to deliver were compacted away (compaction revision
	// in Rev). The caller reloads its listing and starts a new watch from the fresh revision.
	StateCompacted
	// StateFailed: the watch cannot continue (permission denied, for example); Err says why.
	StateFailed
	// StateClosed: the watch was closed by its owner or its context ended.
	StateClosed
)

// State is a change in a watch's health, delivered in order with its events.
type State struct {
	Kind    StateKind
	Err     error // why, for StateReconnecting and StateFailed
	Rev     int64 // resume revision for StateResumed, compaction revision for StateCompacted
	Attempt int   // consecutive reconnection attempts, for StateReconnecting
}

// Terminal tells whether the watch has ended: no event follows a terminal state.
func (s State) Terminal() bool {
	return s.Kind == StateCompacted || s.Kind == StateFailed || s.Kind == StateClosed
}

// String says what happened in words for the status bar.
func (s State) String() string {
	switch s.Kind {
	case StateReconnecting:
		return fmt.Sprintf("watch interrupted, reconnecting (attempt %d): %v", s.Attempt, s.Err)
	case StateResumed:
		return fmt.Sprintf("watch resumed at revision %d", s.Rev)
	case StateCompacted:
		return fmt.Sprintf("revisions up to %d were compacted before the watch caught up: reload", s.Rev)
	case StateFailed:
		return fmt.Sprintf("watch stopped: %v", s.Err)
	case StateClosed:
		return "watch closed"
	}
	return fmt.Sprintf("StateKind(%d)", int(s.Kind))
}

// WatchOptions says what to watch and from where.
type WatchOptions struct {
	// Prefix watches every key starting with the key. RangeEnd, when set instead, watches the
	// range [key, RangeEnd) as etcdctl's range_end does.
	Prefix   bool
	RangeEnd string
	// StartRev is the first revision to deliver; 0 means changes after the server registers
	// the watch. A listing read at revision R watches from R+1.
	StartRev int64
	// Buffer is how many events wait for the consumer before the watch applies backpressure;
	// 0 means DefaultWatchBufferSize (the config file's watch-buffer-size).
	Buffer int
	// PrevKV asks the server for each key's previous value.
	PrevKV bool
	// KeysOnly drops values before they are buffered, for views that only need key names.
	KeysOnly bool
}

// Batch is what one Next call returns: events in revision order, then possibly a state change
// that happened after them.
type Batch struct {
	Events []Event
	State  *State
}

// item is one entry of a watch's channel: an event, a state change, or a progress mark saying
// every change up to rev has been queued.
type item struct {
	ev    Event
	state *State
	// revDone is set on the last event of a revision and on progress marks: the consumer has
	// then seen every change up to it.
	revDone  int64
	progress bool
}

// Watch is a resumable watch: a goroutine feeds a bounded channel that Next drains in batches.
// After a disconnect or member failure it resumes at the revision after the last one delivered,
// so no event is missed or repeated. Use it from one consumer at a time.
type Watch struct {
	c       *Client
	key     string
	opts    WatchOptions
	out     chan item
	drained chan struct{} // Next signals here after taking items: a paused stream may resume
	ctx     context.Context
	cancel  context.CancelFunc
	done    chan struct{}
	lastRev atomic.Int64
}

// Watch starts watching key (or a prefix or range, see WatchOptions) until ctx ends or Close.
// Each watch asks the server to require a leader, so a watch on a partitioned member reports
// StateReconnecting instead of going quiet.
func (c *Client) Watch(ctx context.Context, key string, opts WatchOptions) *Watch {
	if opts.Buffer <= 0 {
		opts.Buffer = DefaultWatchBufferSize
	}
	w := &Watch{
		c:       c,
		key:     key,
		opts:    opts,
		out:     make(chan item, opts.Buffer),
		drained: make(chan struct{}, 1),
		done:    make(chan struct{}),
	}
	w.ctx, w.cancel = context.WithCancel(ctx)
	if opts.StartRev > 0 {
		w.lastRev.Store(opts.StartRev - 1)
	}
	r := &watchRun{w: w, next: opts.StartRev, backoff: watchMinBackoff}
	go r.run()
	return w
}

// Next blocks until at least one event or state change is available (or ctx ends), then
// returns what is queued, at most max events (max <= 0 means the buffer size). It stops early
// at a state change so the caller sees it after the events that preceded it. Once the watch
// has ended it returns StateClosed at once. The error is ctx's when ctx ended first.
func (w *Watch) Next(ctx context.Context, max int) (Batch, error) {
	if max <= 0 {
		max = cap(w.out)
	}
	var b Batch
	if w.ctx.Err() != nil {
		b.State = &State{Kind: StateClosed}
		return b, nil
	}
	for len(b.Events) == 0 && b.State == nil {
		select {
		case it, ok := <-w.out:
			if !ok {
				b.State = &State{Kind: StateClosed}
				return b, nil
			}
			w.take(&b, it)
		case <-ctx.Done():
			return b, ctx.Err()
		}
	}
drain:
	for b.State == nil && len(b.Events) < max {
		select {
		case it, ok := <-w.out:
			if !ok {
				break drain
			}
			w.take(&b, it)
		default:
			break drain
		}
	}
	select {
	case w.drained <- struct{}{}:
	default:
	}
	return b, nil
}

func (w *Watch) take(b *Batch, it item) {
	switch {
	case it.state != nil:
		b.State = it.state
	case !it.progress:
		b.Events = append(b.Events, it.ev)
	}
	if it.revDone > w.lastRev.Load() {
		w.lastRev.Store(it.revDone)
	}
}

// LastRev is the revision up to which Next has returned every change: a new watch started
// from LastRev()+1 continues exactly where this one stopped.
func (w *Watch) LastRev() int64 { return w.lastRev.Load() }

// Close stops the watch and waits for its goroutine to exit. It is safe to call twice.
func (w *Watch) Close() {
	w.cancel()
	<-w.done
}

// watchRun is the state of a watch's goroutine.
type watchRun struct {
	w       *Watch
	next    int64 // first revision not yet queued; 0 until the server assigned one
	attempt int   // consecutive failed attempts, reported with StateReconnecting
	backoff time.Duration
}

// streamEnd is why one clientv3 watch ended.
type streamEnd struct {
	err        error
	compactRev int64
	compacted  bool
	paused     bool
}

func (r *watchRun) run() {
	w := r.w
	defer close(w.done)
	defer close(w.out)
	for {
		end := r.stream()
		switch {
		case w.ctx.Err() != nil:
			return
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
		case end.err != nil && !watchRetriable(end.err):
			r.put(item{state: &State{Kind: StateFailed, Err: Explain(end.err)}}, nil)
			return
		}
		why := errors.New("the watch stream ended unexpectedly")
		if end.err != nil {
			why = Explain(end.err)
		}
		r.attempt++
		if !r.put(item{state: &State{Kind: StateReconnecting, Err: why, Attempt: r.attempt}}, nil) {
			return
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
	// Require a leader so a partitioned member ends the stream instead of going quiet.
	ctx, cancel := context.WithCancel(clientv3.WithRequireLeader(w.ctx))
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
	for resp := range w.c.c.Watch(ctx, w.key, ops...) {
		if resp.CompactRevision != 0 {
			return streamEnd{compacted: true, compactRev: resp.CompactRevision}
		}
		if err := resp.Err(); err != nil {
			if errors.Is(rpctypes.Error(err), rpctypes.ErrCompacted) {
				return streamEnd{compacted: true}
			}
			return streamEnd{err: watchCancelReason(err)}
		}
		switch {
		case resp.Created:
			if r.next == 0 {
				// A watch from "now" starts after the revision the server registered it at.
				r.next = resp.Header.Revision + 1
				if !r.put(item{progress: true, revDone: resp.Header.Revision}, nil) {
					return streamEnd{}
				}
			}
			if r.attempt > 0 {
				if !r.put(item{state: &State{Kind: StateResumed, Rev: r.next}}, nil) {
					return streamEnd{}
				}
				r.attempt, r.backoff = 0, watchMinBackoff
			}
		case resp.IsProgressNotify():
			if rev := resp.Header.Revision; rev >= r.next {
				r.next = rev + 1
				if !r.put(item{progress: true, revDone: rev}, nil) {
					return streamEnd{}
				}
			}
		default:
			if !r.queue(resp.Events, pause) {
				return streamEnd{}
			}
			if paused {
				return streamEnd{paused: true}
			}
		}
	}
	return streamEnd{}
}

// queue puts the events of one response on the channel. A response holds whole revisions, so
// r.next moves past them only once all are queued: a resume never splits a revision.
func (r *watchRun) queue(evs []*clientv3.Event, pause func()) bool {
	last := r.next - 1
	for i, ev := range evs {
		if ev.Kv.ModRevision < r.next {
			continue // already delivered: never repeat a revision
		}
		it := item{ev: r.event(ev)}
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

func (r *watchRun) event(ev *clientv3.Event) Event {
	e := Event{
		Kind:      EventPut,
		Key:       string(ev.Kv.Key),
		Rev:       ev.Kv.ModRevision,
		CreateRev: ev.Kv.CreateRevision,
		Version:   ev.Kv.Version,
		Lease:     ev.Kv.Lease,
		HasPrev:   ev.PrevKv != nil,
	}
	if ev.Type == mvccpb.DELETE {
		e.Kind = EventDelete
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
