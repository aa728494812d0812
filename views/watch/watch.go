// Package watch is the Watch view: every put and delete under a prefix as it happens, newest at
// the bottom, with the time, revision, key, size and the start of the value; the selected
// event's full value and its diff against the previous one; filters, alerts and an export.
//
// A WatchMsg (w in the Keys view, :watch <prefix> [--rev N]) replaces the current watch. The
// view drains the cluster.Watch from a command that returns one message per batch and is
// re-issued after each, so a storm never floods Update. Events go into a buffer bounded by count
// and bytes (the oldest leave first, counted); pausing freezes the list while events keep
// arriving into the buffer. The watch resumes after failures and continues past compactions,
// and both show as rows.
package watch

import (
	"context"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/views/common"
)

// batchSize is the most events one message carries: the whole channel, so that one message
// (one Update, one frame drawn) empties it. A message's cost is mostly its frame; with 1,000 a
// storm of 10,000 events/s on a loaded machine filled the channel faster than the frames were
// drawn, and each full channel stops the watch reading its stream until there is room (flow
// control holds the server back; the catch-up then comes in fragments of ~2 MiB).
const batchSize = watchChannel

// watchChannel is how many events wait in the watch's channel: the view drains it continuously
// (pausing only freezes the list), so a small channel suffices and bounds memory with values.
const watchChannel = 4096

// idleProgress is how long a quiet watch waits before asking the server how far it is; the
// stall detection below asks sooner (after stallAfter/2), which then sets the pace.
const idleProgress = 3 * time.Second

// stallAfter is how long a progress request may go unanswered before the watch counts its
// member as stalled and moves to another: "reconnecting" then shows within about twice this
// of the member going silent (the bound is 5 s).
const stallAfter = 2 * time.Second

// Model is the Watch view.
type Model struct {
	common        common.Common
	width, height int
	now           func() time.Time
	exportDir     string // "" is the current directory

	prefix   string
	startRev int64
	// replayTo is the store's revision when a watch from startRev began sending its history:
	// events up to it are replays (replaySeen: the first event decided it).
	replayTo   int64
	replaySeen bool
	watched    bool // a WatchMsg arrived: prefix "" then means every key
	gen        int  // bumps with every new watch: messages of older ones are dropped
	w          *cluster.Watch
	ctx        context.Context
	cancel     context.CancelFunc
	pulling    bool           // a nextCmd is running
	ticking    bool           // a tickCmd is running
	state      *cluster.State // the watch's last state change, nil while all is well
	liveRev    int64          // every change up to here has arrived (the watch's LastRev)

	buf    *buffer
	vis    visible
	flt    filter
	rate   meter
	alert  *alert
	paused bool
	// pauseSeq is the first seq arrived after the pause: the frozen list stops before it.
	pauseSeq   int64
	pauseTotal int64

	list   list
	detail detail
	prompt common.Prompt
}

var _ common.Component = (*Model)(nil)

// watchBatchMsg carries what one Next call returned for the watch of generation gen in the
// session sid.
type watchBatchMsg struct {
	sid     uint64
	gen     int
	batch   cluster.Batch
	lastRev int64
	err     error
}

// tickMsg refreshes the events/s figure once a second while a watch runs.
type tickMsg struct{ gen int }

// New builds the Watch view with nothing watched; opening it so watches every key (Focus).
func New(c common.Common) *Model {
	c = c.Defaults() // the view's hints and keys read the keymap even in tests without one
	m := &Model{common: c, now: time.Now, flt: allEvents(), list: list{follow: true}}
	m.buf = m.newBuffer()
	m.detail.reset()
	m.prompt = common.NewPrompt(c.Styles, "/", "substring of the key (R: regular expression, V: values too)")
	return m
}

// Prefix is the prefix being watched ("" when none, or when watching every key).
func (m *Model) Prefix() string { return m.prefix }

// Init has nothing to start until a prefix is chosen.
func (m *Model) Init() tea.Cmd { return nil }

// SetSize sets the content area.
func (m *Model) SetSize(width, height int) {
	m.width, m.height = width, height
	m.prompt.SetWidth(width)
	m.scroll()
}

// InputFocused is true while the filter is being typed.
func (m *Model) InputFocused() bool { return m.prompt.Active() }

// Focus starts watching every key when the view is opened with nothing chosen; otherwise there
// is nothing to resume: the watch keeps streaming while the view is hidden (pausing is the
// user's choice, with its own key), so the totals stay exact.
func (m *Model) Focus() tea.Cmd {
	if m.watched || m.common.Session == nil {
		return nil
	}
	return m.start("", 0)
}

// Blur leaves the watch running, for the same reason.
func (m *Model) Blur() {}

// newBuffer is an empty buffer with the configured bounds.
func (m *Model) newBuffer() *buffer {
	return newBuffer(m.common.Settings.WatchBufferSize, m.common.Settings.WatchBufferBytes)
}

// Update starts watches, applies their batches and handles the view's keys. It never blocks:
// waiting for events happens in nextCmd. After every message the detail pane renders the
// selected event if that changed.
func (m *Model) Update(msg tea.Msg) (common.Component, tea.Cmd) {
	cmd := m.update(msg)
	return m, tea.Batch(cmd, m.syncDetail())
}

// update handles msg and returns what it starts.
func (m *Model) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case common.WatchMsg:
		return m.start(msg.Prefix, msg.Rev)
	case watchBatchMsg:
		if msg.sid != m.common.SessionID() || msg.gen != m.gen || m.w == nil {
			return nil // a replaced watch's (or an ended session's) last batch
		}
		m.pulling = false
		return m.apply(msg)
	case tickMsg:
		if msg.gen != m.gen {
			return nil
		}
		m.ticking = false
		if m.rate.rate(m.now()) == 0 && m.rate.cur == 0 {
			// The title already says 0/s and nothing is arriving: an idle view does no work.
			// The next batch re-arms the tick.
			return nil
		}
		return m.tick()
	case renderedMsg:
		m.rendered(msg)
	case exportedMsg:
		if msg.err != nil {
			return common.Flash(common.FlashError, msg.err.Error())
		}
		return common.Flash(common.FlashInfo, "exported "+common.Plural(msg.n, "event")+" to "+msg.path)
	case tea.MouseWheelMsg:
		switch msg.Button {
		case tea.MouseWheelUp:
			m.move(-3)
		case tea.MouseWheelDown:
			m.move(3)
		}
	case tea.PasteMsg:
		if m.prompt.Active() {
			return m.filterKey(msg) // a pasted filter narrows at once too
		}
	case tea.KeyPressMsg:
		if m.prompt.Active() {
			return m.filterKey(msg)
		}
		return m.handleKey(msg)
	}
	return nil
}

// start replaces the current watch with one on prefix, from rev when given (history first)
// or from now, and empties the list; the filter and the alert stay.
func (m *Model) start(prefix string, rev int64) tea.Cmd {
	closeOld := m.stop()
	m.prefix, m.startRev, m.watched = prefix, rev, true
	m.replaySeen, m.replayTo = false, 0
	m.buf = m.newBuffer()
	m.vis = visible{}
	m.list = list{follow: true}
	m.detail.reset()
	m.paused, m.state, m.liveRev, m.rate = false, nil, 0, meter{}
	s := m.common.Session
	if s == nil {
		return closeOld
	}
	m.ctx, m.cancel = context.WithCancel(s.Context())
	// Values and previous values are kept (within the buffer's byte budget) for the preview, the
	// selected row's value and diff, and the export; the channel stays small since the view
	// drains it all the time.
	m.w = s.Client.Watch(m.ctx, prefix, cluster.WatchOptions{Prefix: true, StartRev: rev, Buffer: watchChannel,
		PrevKV: true, ContinueAfterCompaction: true, IdleProgress: idleProgress, StallAfter: stallAfter})
	return tea.Batch(closeOld, m.next(), m.tick())
}

// stop cancels the current watch and returns the command waiting for its goroutine to end, so
// Update never waits for it.
func (m *Model) stop() tea.Cmd {
	if m.w == nil {
		return nil
	}
	m.gen++
	m.cancel()
	w := m.w
	m.w, m.ctx, m.cancel, m.pulling, m.ticking = nil, nil, nil, false, false
	return func() tea.Msg {
		w.Close()
		return nil
	}
}

// next waits for the current watch's next batch, unless that is already happening.
func (m *Model) next() tea.Cmd {
	if m.w == nil || m.pulling {
		return nil
	}
	m.pulling = true
	return nextCmd(m.ctx, m.w, m.common.SessionID(), m.gen)
}

// nextCmd takes its inputs as arguments: the command runs in its own goroutine and must not
// read the model.
func nextCmd(ctx context.Context, w *cluster.Watch, sid uint64, gen int) tea.Cmd {
	return func() tea.Msg {
		b, err := w.Next(ctx, batchSize)
		return watchBatchMsg{sid: sid, gen: gen, batch: b, lastRev: w.LastRev(), err: err}
	}
}

// tick re-arms the once-a-second refresh while a watch runs.
func (m *Model) tick() tea.Cmd {
	if m.w == nil || m.ticking {
		return nil
	}
	m.ticking = true
	gen := m.gen
	return tea.Tick(time.Second, func(time.Time) tea.Msg { return tickMsg{gen: gen} })
}

// replayed tells whether ev comes from the history a watch from a revision replays rather than
// as it happened: the server sent it after the store had moved past it (its response's header
// is newer), or it is within the first response's header revision when that response was history
// (the newest replayed event has its header's revision). A watch from now never replays.
func (m *Model) replayed(ev *cluster.Event) bool {
	if m.startRev <= 0 {
		return false
	}
	if !m.replaySeen {
		m.replaySeen = true
		if ev.Rev < ev.HeaderRev {
			m.replayTo = ev.HeaderRev
		}
	}
	return ev.Rev < ev.HeaderRev || ev.Rev <= m.replayTo
}

// apply adds a batch's events and state change to the buffer, rings the alert's bell, and asks
// for the next batch unless the watch has ended.
func (m *Model) apply(msg watchBatchMsg) tea.Cmd {
	now := m.now()
	var cmds []tea.Cmd
	bell := false
	for i := range msg.batch.Events {
		e := entry{at: now, ev: msg.batch.Events[i]}
		e.replay = m.replayed(&e.ev)
		if m.alert != nil && m.alert.observe(&e, now) {
			bell = true
		}
		m.push(e)
	}
	m.rate.add(len(msg.batch.Events), now)
	m.liveRev = max(m.liveRev, msg.lastRev)
	if m.alert != nil && len(msg.batch.Events) > 0 {
		cmds = append(cmds, m.alertCmd())
	}
	if bell {
		cmds = append(cmds, tea.Raw("\a"))
	}
	if len(msg.batch.Events) > 0 {
		cmds = append(cmds, m.tick())
	}
	st := msg.batch.State
	if st == nil && msg.err != nil {
		st = &cluster.State{Kind: cluster.StateFailed, Err: msg.err}
	}
	if st != nil {
		m.noteState(st, now)
	}
	m.scroll()
	if st != nil && st.Terminal() {
		return tea.Batch(append(cmds, m.stop())...)
	}
	return tea.Batch(append(cmds, m.next())...)
}

// noteState records a state change: a row where it happened for a resume or a loss, the
// title's state for the rest.
func (m *Model) noteState(st *cluster.State, now time.Time) {
	switch st.Kind {
	case cluster.StateResumed:
		m.push(entry{at: now, note: st.String()})
		m.state = nil
	case cluster.StateLost:
		m.push(entry{at: now, note: st.String(), warn: true})
		m.state = nil
	case cluster.StateReconnecting:
		if m.state == nil || m.state.Kind != cluster.StateReconnecting {
			m.push(entry{at: now, note: st.String(), warn: true})
		}
		m.state = st
	default:
		m.state = st
	}
}

// push adds e to the buffer and to the rows shown when the filter matches it.
func (m *Model) push(e entry) {
	seq, _ := m.buf.push(e)
	m.list.shift(m.vis.trim(m.buf.firstSeq()))
	if m.flt.match(m.buf.bySeq(seq)) {
		m.vis.add(seq)
	}
}

// rows is how many rows the list shows: while paused, only those that arrived before.
func (m *Model) rows() int {
	if m.paused {
		return m.vis.index(m.pauseSeq-1) + 1
	}
	return m.vis.len()
}

// selected is the entry under the cursor, nil when the list is empty.
func (m *Model) selected() *entry {
	if m.rows() == 0 {
		return nil
	}
	return m.buf.bySeq(m.vis.at(m.list.cursor))
}

// waiting is how many events arrived since the pause.
func (m *Model) waiting() int64 { return m.buf.total - m.pauseTotal }
