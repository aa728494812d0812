package common

import (
	"context"
	"time"

	tea "charm.land/bubbletea/v2"
)

// DefaultPollTimeout bounds one poll when NewPoller is not given PollTimeout (etcdctl's
// default command timeout).
const DefaultPollTimeout = 5 * time.Second

// Poller polls on behalf of one view: one poll at a time, the next armed only after the
// previous result arrived (so a slow cluster is never asked twice at once), backing off on
// errors, and paused while its view is hidden. The view keeps it in its model, passes it every
// message first, and hands it Focus and Blur:
//
//	func (m *Model) Update(msg tea.Msg) (common.Component, tea.Cmd) {
//		if res, mine, cmd := m.health.Update(msg); mine {
//			if res != nil {
//				m.applyHealth(res.Value, res.Err)
//			}
//			return m, cmd
//		}
//		…
//	}
//	func (m *Model) Focus() tea.Cmd { return m.health.Focus() }
//	func (m *Model) Blur()          { m.health.Blur() }
//
// Results and ticks carry the poller's ID and generation: those of another poller, or of an
// older generation (before a Blur, Refresh or SetContext), are dropped.
type Poller[T any] struct {
	id         string
	interval   time.Duration
	maxBackoff time.Duration
	timeout    time.Duration
	poll       func(context.Context) (T, error)
	ctx        context.Context

	gen      int
	state    pollState
	focused  bool
	failures int
	wait     time.Duration // the wait before the next poll: interval, or the backoff
}

type pollState int

const (
	pollIdle    pollState = iota // nothing outstanding
	pollRunning                  // a poll of gen is running
	pollWaiting                  // a tick of gen is armed
)

// PollResult is one poll's outcome, as Update hands it to the view.
type PollResult[T any] struct {
	Value T
	Err   error
	// Failures counts the consecutive failed polls, this one included; 0 after a success.
	Failures int
	// Next is the wait before the next poll (the interval, or the backoff after a failure),
	// for a "retrying in 8s" hint; 0 when the view is hidden and no poll is armed.
	Next time.Duration
}

// pollResultMsg carries one poll's outcome back to the poller that issued it.
type pollResultMsg[T any] struct {
	id    string
	gen   int
	value T
	err   error
}

// pollTickMsg says the wait before the next poll of poller id, generation gen, is over.
type pollTickMsg struct {
	id  string
	gen int
}

// PollerOption adjusts a Poller made by NewPoller.
type PollerOption func(*pollerOpts)

type pollerOpts struct {
	timeout time.Duration
	ctx     context.Context
}

// PollTimeout bounds each poll's context (DefaultPollTimeout otherwise).
func PollTimeout(d time.Duration) PollerOption { return func(o *pollerOpts) { o.timeout = d } }

// PollContext is the context every poll's derives from (the session's, so ending the session
// cancels a poll in flight); context.Background otherwise.
func PollContext(ctx context.Context) PollerOption { return func(o *pollerOpts) { o.ctx = ctx } }

// NewPoller returns a stopped poller that calls poll every interval once focused, backing off
// (doubling from interval up to maxBackoff) while poll fails. id tells its messages apart from
// other pollers' (e.g. "cluster.health"); it must be unique among the pollers alive at once. A
// non-positive interval means one second.
func NewPoller[T any](id string, interval, maxBackoff time.Duration, poll func(ctx context.Context) (T, error), opts ...PollerOption) *Poller[T] {
	o := pollerOpts{timeout: DefaultPollTimeout, ctx: context.Background()}
	for _, f := range opts {
		f(&o)
	}
	if interval <= 0 {
		interval = time.Second
	}
	maxBackoff = max(maxBackoff, interval)
	return &Poller[T]{id: id, interval: interval, maxBackoff: maxBackoff, timeout: o.timeout,
		poll: poll, ctx: o.ctx, wait: interval}
}

// Focus starts or resumes polling: it polls at once unless a poll is already running (whose
// result then re-arms). Start and Focus are the same.
func (p *Poller[T]) Focus() tea.Cmd {
	p.focused = true
	if p.state == pollRunning {
		return nil
	}
	return p.pollNow()
}

// Start begins polling, as Focus does; a view whose poller should run from Init calls it there.
func (p *Poller[T]) Start() tea.Cmd { return p.Focus() }

// Blur pauses polling: an armed tick is dropped, and a running poll's result is still
// delivered but arms nothing.
func (p *Poller[T]) Blur() {
	p.focused = false
	if p.state == pollWaiting {
		p.gen++ // the armed tick becomes stale
		p.state = pollIdle
	}
}

// Focused reports whether the poller is polling (between Focus and Blur).
func (p *Poller[T]) Focused() bool { return p.focused }

// Refresh polls now (a user's "refresh"), unless a poll is already running; a paused poller
// stays paused.
func (p *Poller[T]) Refresh() tea.Cmd {
	if !p.focused || p.state == pollRunning {
		return nil
	}
	return p.pollNow()
}

// SetContext makes later polls derive from ctx (a new session) and drops every result and tick
// issued before, so nothing from the old session is applied; it polls at once when focused.
func (p *Poller[T]) SetContext(ctx context.Context) tea.Cmd {
	p.ctx = ctx
	p.gen++
	p.state, p.failures, p.wait = pollIdle, 0, p.interval
	if !p.focused {
		return nil
	}
	return p.pollNow()
}

// Update takes every message the view gets. mine is true when msg was this poller's (a tick or
// a result, current or stale): the view then returns cmd and looks no further. res is non-nil
// when a result of the current generation arrived, for the view to apply.
func (p *Poller[T]) Update(msg tea.Msg) (res *PollResult[T], mine bool, cmd tea.Cmd) {
	switch msg := msg.(type) {
	case pollTickMsg:
		if msg.id != p.id {
			return nil, false, nil
		}
		if msg.gen != p.gen || p.state != pollWaiting || !p.focused {
			return nil, true, nil
		}
		return nil, true, p.pollNow()
	case pollResultMsg[T]:
		if msg.id != p.id {
			return nil, false, nil
		}
		if msg.gen != p.gen || p.state != pollRunning {
			return nil, true, nil // a poll from before a Blur, Refresh or SetContext
		}
		if msg.err != nil {
			p.failures++
			if p.failures == 1 {
				p.wait = min(2*p.interval, p.maxBackoff)
			} else {
				p.wait = min(2*p.wait, p.maxBackoff)
			}
		} else {
			p.failures, p.wait = 0, p.interval
		}
		res = &PollResult[T]{Value: msg.value, Err: msg.err, Failures: p.failures}
		p.state = pollIdle
		if p.focused {
			p.state, res.Next = pollWaiting, p.wait
			gen, id := p.gen, p.id
			cmd = tea.Tick(p.wait, func(time.Time) tea.Msg { return pollTickMsg{id: id, gen: gen} })
		}
		return res, true, cmd
	}
	return nil, false, nil
}

// pollNow issues a poll of a new generation, so an armed tick or a running poll of an older one
// is dropped when it arrives.
func (p *Poller[T]) pollNow() tea.Cmd {
	p.gen++
	p.state = pollRunning
	id, gen, poll, parent, timeout := p.id, p.gen, p.poll, p.ctx, p.timeout
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(parent, timeout)
		defer cancel()
		v, err := poll(ctx)
		return pollResultMsg[T]{id: id, gen: gen, value: v, err: err}
	}
}
