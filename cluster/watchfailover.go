package cluster

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"go.uber.org/zap"
)

// This file is how a Watch notices that its member stalled and moves to another one. clientv3
// never gives up on a stream: with one endpoint it retries a killed member for ever, and a
// frozen member (SIGSTOP) keeps its TCP connection open, so the watch just goes quiet while the
// cluster moves on. A progress request the member does not answer within
// WatchOptions.StallAfter is therefore a stall: the stream ends and is re-established from the
// revision after the last one delivered, through a client dialled to another member.

// probeAction is what a stallProbe tick asks the stream to do.
type probeAction int

const (
	probeNone    probeAction = iota
	probeAsk                 // send a progress request
	probeStalled             // the last progress request got no answer in time
)

// stallProbe times a stream's progress requests. It is pure: the stream feeds it the times
// responses arrived and ticks, which keeps the timing testable without a server.
type stallProbe struct {
	askAfter   time.Duration // silence before asking for progress
	stallAfter time.Duration // an unanswered request older than this is a stall; 0: never
	lastHeard  time.Time     // when the stream started or last received a response
	asked      time.Time     // when the last progress request went, zero before the first
}

// newStallProbe returns the probe of a stream started at now, or nil when opts ask for neither
// idle progress nor stall detection.
func newStallProbe(opts WatchOptions, now time.Time) *stallProbe {
	ask := opts.IdleProgress
	if half := opts.StallAfter / 2; half > 0 && (ask <= 0 || half < ask) {
		ask = half
	}
	if ask <= 0 {
		return nil
	}
	return &stallProbe{askAfter: ask, stallAfter: opts.StallAfter, lastHeard: now}
}

// period is how often the stream should tick the probe: often enough that a stall is declared
// at most half a request's wait late.
func (p *stallProbe) period() time.Duration {
	return max(p.askAfter/2, 10*time.Millisecond)
}

// heard records a response from the server: any response answers a pending request.
func (p *stallProbe) heard(now time.Time) { p.lastHeard = now }

// check is called on each tick.
func (p *stallProbe) check(now time.Time) probeAction {
	waiting := !p.asked.IsZero() && !p.lastHeard.After(p.asked)
	switch {
	case waiting && p.stallAfter > 0 && now.Sub(p.asked) >= p.stallAfter:
		return probeStalled
	case waiting && (p.stallAfter > 0 || now.Sub(p.asked) < p.askAfter):
		// Asking again would restart the clock of the request still unanswered.
		return probeNone
	case now.Sub(p.lastHeard) >= p.askAfter:
		p.asked = now
		return probeAsk
	}
	return probeNone
}

// stallError says which member stopped answering and for how long it was asked.
func (r *watchRun) stallError(name string) error {
	if name == "" {
		name = "the watch's member"
	} else {
		name = "member " + name
	}
	return fmt.Errorf("%s did not answer a progress request within %s (stopped, frozen or cut off)",
		name, r.w.opts.StallAfter)
}

// failover moves the watch to a client of another member than the stalled one: an endpoint the
// session was given or learnt, else a client URL from the member list, skipping those of the
// stalled member and the one just used. It keeps the current client when there is no other
// (a single member, or a port-forward whose members' URLs are unreachable: the user's endpoint
// is all there is), so the watch retries where it was.
func (r *watchRun) failover() {
	avoid := map[string]bool{}
	if r.own != nil {
		// Our own clients have the one endpoint that just stalled; the session's may have
		// several, of which only the stalled member's are to avoid.
		for _, ep := range r.cli.Endpoints() {
			avoid[bareEndpoint(ep)] = true
		}
	}
	for _, u := range r.urls[r.member] {
		avoid[bareEndpoint(u)] = true
	}
	var cands []string
	seen := map[string]bool{}
	add := func(ep string) {
		if b := bareEndpoint(ep); !avoid[b] && !seen[b] {
			seen[b] = true
			cands = append(cands, ep)
		}
	}
	for _, ep := range r.w.c.c.Endpoints() {
		add(ep)
	}
	ids := make([]uint64, 0, len(r.urls))
	for id := range r.urls {
		ids = append(ids, id)
	}
	// Members by name, so the order (and a test's log) does not depend on map order.
	sort.Slice(ids, func(i, j int) bool { return r.names[ids[i]] < r.names[ids[j]] })
	for _, id := range ids {
		if id != r.member {
			for _, u := range r.urls[id] {
				add(u)
			}
		}
	}
	if len(cands) == 0 {
		return
	}
	ep := cands[r.turn%len(cands)]
	r.turn++
	cli, err := r.w.c.DialMember(r.w.ctx, ep)
	if err != nil {
		r.w.c.log.Warn("watch failover: dial failed", zap.String("endpoint", ep), zap.Error(err))
		return
	}
	r.closeOwn()
	r.own, r.cli = cli, cli
	r.w.c.log.Info("watch moved after a stall", zap.String("endpoint", ep), zap.Int64("from", r.next))
}

// closeOwn closes the client the watch dialled itself, if any; the session's is not ours.
func (r *watchRun) closeOwn() {
	if r.own != nil {
		r.own.Close()
		r.own = nil
	}
}

// bareEndpoint is an endpoint without its scheme, to compare "127.0.0.1:2379" with
// "http://127.0.0.1:2379".
func bareEndpoint(ep string) string {
	if i := strings.Index(ep, "://"); i >= 0 {
		ep = ep[i+3:]
	}
	return strings.TrimSuffix(ep, "/")
}
