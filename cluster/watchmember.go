package cluster

import (
	"context"
	"strconv"
	"time"

	pb "go.etcd.io/etcd/api/v3/etcdserverpb"
	"go.uber.org/zap"
)

// This file holds what a Watch's goroutine learns about the member serving it: which one it is
// (so a switch to another member shows as a StateResumed naming it) and whether it is alive
// while nothing changes (progress requests when idle).

// memberLookupTimeout bounds the member-list call made when the serving member changes: the
// events behind it wait for it.
const memberLookupTimeout = time.Second

// noteMember records which member sent resp. Should a stream's responses come from another
// member than before without a new creation (a proxy in front of the members moving the
// stream), it queues a StateResumed naming the new member, so the switch shows where it
// happened. It reports false when the watch was closed meanwhile.
func (r *watchRun) noteMember(ctx context.Context, resp *pb.WatchResponse) bool {
	if resp.Header == nil || resp.Header.MemberId == 0 {
		return true
	}
	id := resp.Header.MemberId
	prev := r.member
	r.member = id
	r.w.member.Store(id)
	// After our own reconnection the Created response reports the member (StateResumed there).
	if prev == 0 || prev == id || resp.Created || r.next == 0 {
		return true
	}
	st := &State{Kind: StateResumed, Rev: r.next, Member: r.memberName(ctx, id)}
	if now := resp.Header.Revision; now >= r.next {
		// Written while the stream was moving: their events follow, late.
		st.LateFrom, st.LateTo = r.next, now
	}
	return r.put(item{state: st})
}

// memberName names a member for a person: its name, else its first client URL, else its ID in
// hex. The member list is read again only for an ID not seen before.
func (r *watchRun) memberName(ctx context.Context, id uint64) string {
	if n, ok := r.names[id]; ok {
		return n
	}
	if r.names == nil {
		r.names = map[uint64]string{}
	}
	lctx, cancel := context.WithTimeout(ctx, memberLookupTimeout)
	defer cancel()
	// Through the client serving the watch: after a failover the session's may be the one
	// that stalled.
	if resp, err := r.cli.MemberList(lctx); err == nil {
		r.urls = map[uint64][]string{}
		for _, m := range MembersOf(resp.Members) {
			r.urls[m.ID] = append([]string(nil), m.ClientURLs...)
			switch {
			case m.Name != "":
				r.names[m.ID] = m.Name
			case len(m.ClientURLs) > 0:
				r.names[m.ID] = m.ClientURLs[0]
			}
		}
	}
	if n, ok := r.names[id]; ok {
		return n
	}
	// Unknown even to the member list (a member still joining): say its ID, and ask again
	// next time.
	return strconv.FormatUint(id, 16)
}

// askProgress sends a progress request on conn without holding up the stream's loop; one at a
// time.
func (r *watchRun) askProgress(streamCtx context.Context, conn *watchConn) {
	if !r.asking.CompareAndSwap(false, true) {
		return
	}
	go func() {
		defer r.asking.Store(false)
		if streamCtx.Err() != nil {
			return
		}
		if err := conn.requestProgress(); err != nil && r.w.ctx.Err() == nil {
			r.w.c.log.Debug("watch progress request failed", zap.Error(err))
		}
	}()
}
