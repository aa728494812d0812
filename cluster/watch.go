package cluster

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
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
	// ValueSize is the new value's length in bytes, set with KeysOnly too (0 for a delete).
	ValueSize int64
	// Rev is the revision of the change (the key's mod revision). Events of one transaction share it.
	Rev       int64
	CreateRev int64 // the key's create revision (0 for a delete)
	Version   int64 // the key's version after the change (0 for a delete)
	Lease     int64 // the lease ID attached to the key, 0 when none
	// HasPrev tells whether the key existed before the change; with WatchOptions.PrevKV,
	// PrevValue then holds its previous value (nil with KeysOnly).
	HasPrev   bool
	PrevValue []byte
	// PrevRev, PrevCreateRev and PrevVersion describe the previous key when the server sent it
	// (WatchOptions.PrevKV), so an export can reproduce etcdctl's prev_kv.
	PrevRev, PrevCreateRev, PrevVersion int64
	// HeaderRev is the revision in the header of the response that carried the event: the
	// store's revision when the server sent it, as etcdctl watch -w json prints it.
	HeaderRev int64
	// ClusterID, MemberID and RaftTerm are the rest of that header: the cluster, the member
	// that sent the event and its raft term, as etcdctl watch -w json prints them.
	ClusterID, MemberID, RaftTerm uint64
}

// StateKind names a change in the watch itself, as opposed to a change of a key.
type StateKind int

// The kinds of State. Compacted, Failed and Closed are terminal: no event follows them.
const (
	// StateReconnecting: the server ended the watch (lost leader, for example), or its member
	// stopped answering (a stall, see WatchOptions.StallAfter); it is being re-established from
	// the revision after the last one delivered. Err says why.
	StateReconnecting StateKind = iota + 1
	// StateResumed: the watch is back after StateReconnecting, or now served by another member
	// (Member names it), starting at revision Rev, with no event missed or repeated.
	StateResumed
	// StateCompacted: the revisions still to deliver were compacted away (compaction revision
	// in Rev). The caller reloads its listing and starts a new watch from the fresh revision.
	StateCompacted
	// StateFailed: the watch cannot continue (permission denied, for example); Err says why.
	StateFailed
	// StateClosed: the watch was closed by its owner or its context ended.
	StateClosed
	// StateLost: with WatchOptions.ContinueAfterCompaction, the revisions LostFrom..LostTo were
	// compacted before the watch read them; it continues from Rev (the compaction revision).
	// Not terminal: events from Rev on follow.
	StateLost
)

// State is a change in a watch's health, delivered in order with its events.
type State struct {
	Kind    StateKind
	Err     error // why, for StateReconnecting and StateFailed
	Rev     int64 // resume revision for StateResumed, compaction revision for StateCompacted
	Attempt int   // consecutive reconnection attempts, for StateReconnecting
	// Member is the member now serving the watch, for StateResumed: its name when the member
	// list has one, else its client URL, else its ID in hex; "" when unknown.
	Member string
	// LostFrom and LostTo bound the compacted revisions a StateLost skipped (both included).
	LostFrom, LostTo int64
	// LateFrom and LateTo bound, for StateResumed, the revisions written while the watch was
	// interrupted (both included): their events follow now, late. Both 0 when none were.
	LateFrom, LateTo int64
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
		msg := fmt.Sprintf("watch resumed at revision %d", s.Rev)
		if s.Member != "" {
			msg = fmt.Sprintf("reconnected to member %s at revision %d", s.Member, s.Rev)
		}
		if s.LateTo >= s.LateFrom && s.LateFrom > 0 {
			verb := "arrive"
			if s.LateFrom == s.LateTo {
				verb = "arrives"
			}
			msg += fmt.Sprintf(": %s written meanwhile %s late", revRange(s.LateFrom, s.LateTo), verb)
		}
		return msg
	case StateLost:
		return fmt.Sprintf("%s compacted before the watch read them: their changes are lost; continuing from %d",
			revRange(s.LostFrom, s.LostTo), s.Rev)
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
	// ContinueAfterCompaction: when the revisions still to deliver were compacted, report them
	// with a StateLost and continue from the compaction revision instead of ending the watch
	// with StateCompacted. For a log of changes; a view mirroring the keyspace must reload.
	ContinueAfterCompaction bool
	// IdleProgress: after this long without a response from the server, ask it how far the
	// watch is (RequestProgress), so a quiet watch's LastRev follows the store's revision and
	// Next reports it with Batch.Progress (also when the watch starts, and when the revision
	// did not move: the watch is alive and caught up). 0 never asks.
	IdleProgress time.Duration
	// StallAfter: a watch whose server sent nothing for half this long asks for progress; when
	// that request gets no answer within StallAfter, the member has stalled (stopped, frozen,
	// cut off) even though clientv3 still waits on it. The watch then reports
	// StateReconnecting, ends the stream and re-establishes it from the revision after the
	// last one delivered on another member (see watchfailover.go). 0 never declares a stall.
	StallAfter time.Duration
}

// revRange is "revision 5" or "revisions 5–9".
func revRange(from, to int64) string {
	if from == to {
		return fmt.Sprintf("revision %d", from)
	}
	return fmt.Sprintf("revisions %d–%d", from, to)
}

// Batch is what one Next call returns: events in revision order, then possibly a state change
// that happened after them.
type Batch struct {
	Events []Event
	State  *State
	// Progress: the server's progress notification moved LastRev (the batch may hold no event).
	Progress bool
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
	// notify marks a progress notification from the server (not the watch's creation mark).
	notify bool
}

// Watch is a resumable watch: a goroutine feeds a bounded channel that Next drains in batches.
// After a disconnect or member failure it resumes at the revision after the last one delivered,
// so no event is missed or repeated. When the channel is full the goroutine waits and stops
// reading its server stream, whose flow control then holds the server back: nothing is dropped,
// and nothing piles up in the console. Use it from one consumer at a time, and Close it when
// done. A view drains it from a command it re-issues after each message, so a fast stream never
// floods Update:
//
//	func nextBatchCmd(w *cluster.Watch, gen int) tea.Cmd {
//		return func() tea.Msg {
//			b, _ := w.Next(context.Background(), 500)
//			return watchBatchMsg{gen: gen, batch: b} // re-issue unless b.State.Terminal()
//		}
//	}
type Watch struct {
	c       *Client
	key     string
	opts    WatchOptions
	out     chan item
	ctx     context.Context
	cancel  context.CancelFunc
	done    chan struct{}
	lastRev atomic.Int64
	member  atomic.Uint64 // ID of the member that sent the latest response
	// conn is the Watch RPC stream serving the watch now: RequestProgress must go on it.
	conn atomic.Pointer[watchConn]
}

// streamContext is ctx with what the server requires of a watch's stream: a leader, so a watch
// on a partitioned member ends instead of going quiet. Each watch reads a gRPC stream of its own
// (watchgrpc.go), because ending one must end what the server sends for it: on the stream
// clientv3 shares between watches, a cancelled watch's backlog (the server queues up to 128
// responses a stream) still had to be received and decoded before the next watch's creation was
// answered, and a console behind a storm stayed "reconnecting" for minutes (issue 22). A stream
// of its own is closed with its watch, and the server drops what it had queued.
func streamContext(ctx context.Context) context.Context {
	return clientv3.WithRequireLeader(ctx)
}

// Watch starts watching key (or a prefix or range, see WatchOptions) until ctx ends or Close.
// Each watch asks the server to require a leader, so a watch on a partitioned member reports
// StateReconnecting instead of going quiet.
func (c *Client) Watch(ctx context.Context, key string, opts WatchOptions) *Watch {
	if opts.Buffer <= 0 {
		opts.Buffer = DefaultWatchBufferSize
	}
	w := &Watch{
		c:    c,
		key:  key,
		opts: opts,
		out:  make(chan item, opts.Buffer),
		done: make(chan struct{}),
	}
	w.ctx, w.cancel = context.WithCancel(ctx)
	if opts.StartRev > 0 {
		w.lastRev.Store(opts.StartRev - 1)
	}
	r := &watchRun{w: w, next: opts.StartRev, backoff: watchMinBackoff, cli: c.c}
	c.track(w)
	go r.run()
	return w
}

// Next blocks until at least one event or state change is available, or a progress
// notification from the server moved LastRev (the watch caught up with nothing to report; see
// RequestProgress), or ctx ends; then
// it returns what is queued, at most max events (max <= 0 means the buffer size). It stops early
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
	for len(b.Events) == 0 && b.State == nil && !b.Progress {
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
	return b, nil
}

func (w *Watch) take(b *Batch, it item) {
	switch {
	case it.state != nil:
		b.State = it.state
	case !it.progress:
		b.Events = append(b.Events, it.ev)
	case it.notify && it.revDone >= w.lastRev.Load():
		b.Progress = true
	}
	if it.revDone > w.lastRev.Load() {
		w.lastRev.Store(it.revDone)
	}
}

// LastRev is the revision up to which Next has returned every change: a new watch started
// from LastRev()+1 continues exactly where this one stopped.
func (w *Watch) LastRev() int64 { return w.lastRev.Load() }

// RequestProgress asks the server how far this watch is. Once the watch has caught up, etcd
// answers with a progress notification, which moves LastRev to the current revision: a quiet
// watch's LastRev would otherwise stay where its last event was and fall behind compaction.
// The watch has its gRPC stream to itself, so only it gets the notification.
func (w *Watch) RequestProgress() error {
	conn := w.conn.Load()
	if conn == nil {
		return errStreamNotOpen
	}
	return Explain(conn.requestProgress())
}

// MemberID is the ID of the member that sent the watch's latest response, 0 before the first.
func (w *Watch) MemberID() uint64 { return w.member.Load() }

// Close stops the watch and waits for its goroutine to exit. It is safe to call twice.
func (w *Watch) Close() {
	w.cancel()
	<-w.done
}

// CurrentRev is the store's current revision, from a count-only read of the one key given (a
// key the caller may read, such as a watched directory's own path): how far a watch resumed
// from an older revision would have to catch up.
func (c *Client) CurrentRev(ctx context.Context, key string) (int64, error) {
	ctx, cancel := c.ctx(ctx)
	defer cancel()
	resp, err := c.c.Get(ctx, key, clientv3.WithCountOnly())
	if err != nil {
		return 0, Explain(err)
	}
	return resp.Header.Revision, nil
}
