// Package watch is the Watch view: every put and delete under a prefix as it happens, newest at
// the bottom, with its revision, key and value size.
//
// A WatchMsg (w in the Keys view, :watch <prefix>) replaces the current watch with one from
// "now". The view drains the cluster.Watch from a command that returns one message per batch and
// is re-issued after each, so a burst never floods Update. Pausing stops the draining: the watch
// then keeps every event (its buffer fills, then the server stream waits), and resuming shows
// them all. The view remembers the newest maxRows events; the watch itself never drops any.
package watch

import (
	"context"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/views/common"
)

// batchSize is the most events one message carries.
const batchSize = 500

// maxRows is how many events the view keeps in memory; older ones leave the list (and the
// status line counts them).
const maxRows = 10000

// Model is the Watch view.
type Model struct {
	common        common.Common
	width, height int

	prefix  string
	watched bool // a WatchMsg arrived: prefix "" then means every key
	gen     int  // bumps with every new watch: batches of older ones are dropped
	w       *cluster.Watch
	ctx     context.Context
	cancel  context.CancelFunc
	pulling bool           // a nextCmd is running
	held    *watchBatchMsg // a batch that arrived while paused, applied on resume
	state   *cluster.State // the watch's last state change, nil while all is well
	rev     int64          // revision of the newest event shown

	rows           ring
	dropped        int // events that left the list to stay within maxRows, since the last clear
	cursor, offset int
	follow         bool // the cursor sticks to the newest event
	paused         bool
}

var _ common.Component = (*Model)(nil)

// watchBatchMsg carries what one Next call returned for the watch of generation gen.
type watchBatchMsg struct {
	sid   uint64 // the session the watch ran in: an ended session's batches are dropped
	gen   int
	batch cluster.Batch
	err   error
}

// New builds the Watch view with nothing watched. Without a keymap in c it uses the default one.
func New(c common.Common) *Model {
	c = c.Defaults() // the view's hints and keys read the keymap even in tests without one
	return &Model{common: c, rows: newRing(maxRows), follow: true}
}

// Prefix is the prefix being watched ("" when none, or when watching every key).
func (m *Model) Prefix() string { return m.prefix }

// Init has nothing to start until a prefix is chosen.
func (m *Model) Init() tea.Cmd { return nil }

// SetSize sets the content area.
func (m *Model) SetSize(width, height int) {
	m.width, m.height = width, height
	m.scroll()
}

// InputFocused is false: the view has no text field.
func (m *Model) InputFocused() bool { return false }

// Focus has nothing to resume: the view polls nothing, and the watch keeps streaming while the
// view is hidden (pausing is the user's choice, with its own key).
func (m *Model) Focus() tea.Cmd { return nil }

// Blur leaves the watch running, for the same reason.
func (m *Model) Blur() {}

// Update starts watches, applies their batches and handles the view's keys. It never blocks:
// waiting for events happens in nextCmd.
func (m *Model) Update(msg tea.Msg) (common.Component, tea.Cmd) {
	switch msg := msg.(type) {
	case common.WatchMsg:
		return m, m.start(msg.Prefix)
	case watchBatchMsg:
		if msg.sid != m.common.SessionID() || msg.gen != m.gen || m.w == nil {
			return m, nil // a replaced watch's last batch
		}
		m.pulling = false
		if m.paused {
			m.held = &msg
			return m, nil
		}
		return m, m.apply(msg)
	case tea.MouseWheelMsg:
		switch msg.Button {
		case tea.MouseWheelUp:
			m.move(-3)
		case tea.MouseWheelDown:
			m.move(3)
		}
	case tea.KeyPressMsg:
		return m, m.handleKey(msg)
	}
	return m, nil
}

// start replaces the current watch with one on prefix from now and empties the list.
func (m *Model) start(prefix string) tea.Cmd {
	closeOld := m.stop()
	m.prefix, m.watched = prefix, true
	m.rows.clear()
	m.dropped, m.cursor, m.offset, m.rev = 0, 0, 0, 0
	m.follow, m.paused, m.held, m.state = true, false, nil, nil
	s := m.common.Session
	if s == nil {
		return closeOld
	}
	m.ctx, m.cancel = context.WithCancel(s.Context())
	// KeysOnly: the view shows only sizes, and a paused watch fills its buffer on purpose; with
	// values that would be up to watch-buffer-size values of up to 1.5 MiB each held in memory.
	m.w = s.Client.Watch(m.ctx, prefix, cluster.WatchOptions{Prefix: true, Buffer: m.common.Settings.WatchBufferSize,
		KeysOnly: true})
	return tea.Batch(closeOld, m.next())
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
	m.w, m.ctx, m.cancel, m.pulling, m.held = nil, nil, nil, false, nil
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
		return watchBatchMsg{sid: sid, gen: gen, batch: b, err: err}
	}
}

// apply appends a batch's events, records its state change and asks for the next batch unless
// the watch has ended.
func (m *Model) apply(msg watchBatchMsg) tea.Cmd {
	for _, ev := range msg.batch.Events {
		if m.rows.push(row{rev: ev.Rev, kind: ev.Kind, key: ev.Key, size: ev.ValueSize}) {
			m.dropped++
			// The oldest row left: indices move down by one under a scrolled cursor.
			if !m.follow {
				m.cursor = max(m.cursor-1, 0)
				m.offset = max(m.offset-1, 0)
			}
		}
		m.rev = max(m.rev, ev.Rev)
	}
	st := msg.batch.State
	if st == nil && msg.err != nil {
		st = &cluster.State{Kind: cluster.StateFailed, Err: msg.err}
	}
	if st != nil {
		m.state = st
	}
	m.scroll()
	if st != nil && st.Terminal() {
		return m.stop()
	}
	return m.next()
}

// handleKey moves the cursor, pauses, resumes and clears.
func (m *Model) handleKey(msg tea.KeyPressMsg) tea.Cmd {
	if !m.watched {
		return nil
	}
	k := m.common.Keys.Watch
	switch {
	case key.Matches(msg, k.Up):
		m.move(-1)
	case key.Matches(msg, k.Down):
		m.move(1)
	case key.Matches(msg, k.Top):
		m.follow, m.cursor = false, 0
		m.scroll()
	case key.Matches(msg, k.Bottom):
		m.follow = true
		m.scroll()
	case key.Matches(msg, k.Clear):
		m.rows.clear()
		m.dropped, m.cursor, m.offset, m.follow = 0, 0, 0, true
	case key.Matches(msg, k.Pause):
		return m.togglePause()
	}
	return nil
}

// togglePause stops or resumes draining the watch. Resuming first applies the batch that
// arrived while paused.
func (m *Model) togglePause() tea.Cmd {
	if m.w == nil {
		return nil
	}
	m.paused = !m.paused
	if m.paused {
		return nil
	}
	if h := m.held; h != nil {
		m.held = nil
		return m.apply(*h)
	}
	return m.next()
}

// move moves the cursor by delta rows; moving up leaves follow mode.
func (m *Model) move(delta int) {
	n := m.rows.len()
	if n == 0 {
		return
	}
	if delta < 0 {
		m.follow = false
	}
	if m.follow {
		return // already on the newest row
	}
	m.cursor = min(max(m.cursor+delta, 0), n-1)
	m.scroll()
}

// scroll keeps the cursor on screen, and on the newest row while following.
func (m *Model) scroll() {
	n, h := m.rows.len(), m.listHeight()
	if m.follow {
		m.cursor = max(n-1, 0)
	}
	if h <= 0 {
		return
	}
	if m.cursor < m.offset {
		m.offset = m.cursor
	}
	if m.cursor >= m.offset+h {
		m.offset = m.cursor - h + 1
	}
	m.offset = max(min(m.offset, n-h), 0)
}

// ShortHelp lists the bindings that work now; the filter is not offered (the view has none).
func (m *Model) ShortHelp() []key.Binding {
	if !m.watched {
		return nil
	}
	return m.common.Keys.Watch.ShortHelp()
}

// FullHelp groups the bindings that work now for the help overlay.
func (m *Model) FullHelp() [][]key.Binding {
	if !m.watched {
		return nil
	}
	return m.common.Keys.Watch.FullHelp()
}
