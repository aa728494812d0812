package cluster

import (
	pb "go.etcd.io/etcd/api/v3/etcdserverpb"
	"go.etcd.io/etcd/api/v3/mvccpb"
)

// This file is how a Watch's goroutine turns the server's responses into the items of its
// channel: events in revision order, each revision marked done at its last event, resumed
// streams never repeating what was queued.

// isProgressNotify tells a progress notification (the server's answer to RequestProgress, or
// its periodic one) from the other responses without events, as clientv3 does.
func isProgressNotify(resp *pb.WatchResponse) bool {
	return len(resp.Events) == 0 && !resp.Canceled && !resp.Created && resp.CompactRevision == 0 &&
		resp.Header.GetRevision() != 0
}

// advance moves r.next to next, a revision none of whose events was queued yet.
func (r *watchRun) advance(next int64) {
	if next > r.next {
		r.next, r.partial, r.seen = next, 0, 0
	}
}

// queue puts the events of one response on the channel. r.next moves past a revision only once
// all its events are queued, so a resume never splits one. A response holds whole revisions,
// except a fragment (the server splits a response over its request size limit, possibly inside
// a revision): r.partial then counts the events of revision r.next already queued, and a stream
// resumed from r.next skips that many of them (a revision's events always come in the same
// order, that of its transaction).
func (r *watchRun) queue(resp *pb.WatchResponse) bool {
	evs := resp.Events
	for i, ev := range evs {
		rev := ev.Kv.ModRevision
		if rev < r.next {
			continue // already delivered: never repeat a revision
		}
		if rev > r.next {
			// Revision r.next is over; when some of its events were queued (the end of a
			// fragment), its last one could not be marked done then.
			if r.partial > 0 && !r.put(item{progress: true, revDone: r.next}) {
				return false
			}
			r.advance(rev)
		}
		last := i == len(evs)-1 && !resp.Fragment || i < len(evs)-1 && evs[i+1].Kv.ModRevision > rev
		r.seen++
		if r.seen <= r.partial {
			// Queued before the stream was resumed.
			if last && !r.put(item{progress: true, revDone: rev}) {
				return false
			}
		} else {
			it := item{ev: r.event(ev, resp.Header)}
			if last {
				it.revDone = rev
			}
			if !r.put(it) {
				return false
			}
			r.partial = r.seen
		}
		if last {
			r.advance(rev + 1)
		}
	}
	return true
}

func (r *watchRun) event(ev *mvccpb.Event, hdr *pb.ResponseHeader) Event {
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

// put queues it, blocking while the channel is full until the consumer makes room or the
// watch is closed. It reports whether it was queued. While it blocks, the stream is not read.
func (r *watchRun) put(it item) bool {
	select {
	case r.w.out <- it:
		return true
	case <-r.w.ctx.Done():
		return false
	}
}
