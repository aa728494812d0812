// Package find is the Find view: `:find TEXT [in PREFIX] [--values] [--regex] [--decoded]` runs
// cluster.Find on the view's Task and streams its matches into a list while it scans (the status
// bar shows keys scanned of the total, matches, rate and elapsed); esc cancels and keeps what was
// found. enter opens a match in the Keys view (its value in the inspector beside the list), n/N
// select the next and previous match, x exports the matches through the cluster's write path.
//
// It is a view of its own rather than a pane of the Keys view: a scan of a large subtree runs for
// seconds and its matches are a list with their own cursor and keys, which would be the Keys
// view's sixth concern; as a view it keeps its results while the user browses what it found.
package find

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/cluster/decode"
	"github.com/etcdeck/etcdeck/views/common"
)

// StartMsg asks the Find view to search (the `:find` verb); the root shows the view first.
type StartMsg struct {
	Text string
	// Prefix is the subtree searched; with InDir unset the root fills it with the directory the
	// Keys view has open.
	Prefix string
	InDir  bool
	Values bool
	Regex  bool
	// Decoded matches values' decoded text (a Kubernetes protobuf value as YAML); it costs CPU.
	Decoded bool
}

// Model is the Find view.
type Model struct {
	common        common.Common
	width, height int

	task  *common.Task[cluster.FindProgress]
	sink  *sink // the current run's; nil when none ran
	gen   int   // bumps with every search: a stale run's matches are dropped
	query StartMsg
	ran   bool // a search was started in this session

	matches []cluster.FindMatch
	prog    cluster.FindProgress // the latest figures (the final ones once it ended)
	ended   string               // why the last run ended early: "" when it finished
	// cancelled: it ended early because the user stopped it (esc).
	cancelled bool
	cursor    int
	offset    int
	rows      rowCache // the rows on screen, as drawn

	// maxMatches and pageSize are cluster.Find's caps (0: its defaults); tests lower them.
	maxMatches int
	pageSize   int64
	// exportDir is where x writes ("" is the current directory).
	exportDir string
	now       func() time.Time
	// reported, when set (tests), runs on the scanning goroutine after each page's report, so a
	// test can hold the scan at a page.
	reported func(cluster.FindProgress)
}

var _ common.Component = (*Model)(nil)

// New builds the Find view; it reads nothing until a search starts.
func New(c common.Common) *Model {
	c = c.Defaults()
	return &Model{common: c, now: time.Now,
		task: common.NewTask[cluster.FindProgress](fmt.Sprintf("find.%d", c.SessionID()),
			common.TaskResultText(doneText), common.TaskCancelNote[cluster.FindProgress]("the matches found are kept"))}
}

// doneText is the ✓ line of a finished search.
func doneText(p cluster.FindProgress) string {
	return fmt.Sprintf("%s in %s keys", matchCount(p.Found), common.Thousands(p.Scanned))
}

// client is the session's client, nil without one (rendering tests).
func (m *Model) client() *cluster.Client {
	if m.common.Session == nil {
		return nil
	}
	return m.common.Session.Client
}

// Init reads nothing.
func (m *Model) Init() tea.Cmd { return nil }

// Focus has nothing to resume: a running search streams whether the view shows or not.
func (m *Model) Focus() tea.Cmd { return nil }

// Blur leaves a running search running: its matches are here when the view shows again.
func (m *Model) Blur() {}

// SetSize sets the content area.
func (m *Model) SetSize(width, height int) {
	m.width, m.height = width, height
	m.clamp()
}

// InputFocused is false: the view has no text field.
func (m *Model) InputFocused() bool { return false }

// HandlesBack is true while a search runs: esc cancels it.
func (m *Model) HandlesBack() bool { return m.task.Running() }

// Progress is the last search's figures as drawn: keys scanned and matches kept (benchmarks).
func (m *Model) Progress() (scanned int64, kept int) { return m.prog.Scanned, len(m.matches) }

// Close cancels a search still running when the console exits.
func (m *Model) Close() { m.task.Close(time.Second) }

// Update starts searches, takes their matches and results, and handles keys.
func (m *Model) Update(msg tea.Msg) (common.Component, tea.Cmd) {
	if m.common.Foreign(msg) {
		return m, nil // another session's result: never applied to this one
	}
	if res, mine, cmd := m.task.Update(msg); mine {
		if res != nil {
			m.finished(res)
		}
		return m, cmd
	}
	switch msg := msg.(type) {
	case StartMsg:
		return m, m.start(msg)
	case foundMsg:
		if msg.gen != m.gen || m.sink == nil {
			return m, nil // a search replaced since
		}
		m.take()
		return m, waitCmd(m.common.SessionID(), m.gen, m.sink)
	case exportedMsg:
		return m, m.exported(msg)
	case tea.KeyPressMsg:
		return m, m.handleKey(msg)
	}
	return m, nil
}

// start runs a new search; one at a time.
func (m *Model) start(q StartMsg) tea.Cmd {
	if m.task.Running() {
		return common.Flash(common.FlashWarn, "a search is running: esc cancels it, then :find again")
	}
	cl := m.client()
	if cl == nil {
		return common.Flash(common.FlashError, "find: no cluster connected")
	}
	opts := cluster.FindOptions{Prefix: q.Prefix, Text: q.Text, Regex: q.Regex, Values: q.Values || q.Decoded,
		MaxMatches: m.maxMatches, PageSize: m.pageSize}
	if q.Decoded {
		opts.Decode = decodedText
	}
	m.gen++
	m.query, m.ran = q, true
	m.matches, m.prog, m.ended, m.cancelled, m.cursor, m.offset = nil, cluster.FindProgress{}, "", false, 0, 0
	m.rows = rowCache{}
	s := newSink()
	m.sink = s
	hook := m.reported
	run := m.task.Start(m.common.Context(), "find "+cluster.EscapeText(q.Text), func(ctx context.Context, r *common.TaskRun) (cluster.FindProgress, error) {
		defer close(s.done)
		return cl.Find(ctx, opts, func(p cluster.FindProgress) {
			s.add(p)
			r.Step(progressText(p))
			if hook != nil {
				hook(p)
			}
		})
	})
	return tea.Batch(run, waitCmd(m.common.SessionID(), m.gen, s))
}

// matchCount is "1 match", "2,000 matches".
func matchCount(n int) string {
	if n == 1 {
		return "1 match"
	}
	return common.Thousands(int64(n)) + " matches"
}

// decodedText is the text a value is matched on with --decoded: a Kubernetes protobuf value's
// YAML (as the inspector shows it); nil (the raw value) for anything else.
func decodedText(v []byte) []byte {
	y, _, err := decode.K8sObject(v)
	if err != nil {
		return nil
	}
	return y
}

// progressText is the status bar's figures: "12,000 of 400,000 keys · 37 matches · 52,000 keys/s · 3s".
func progressText(p cluster.FindProgress) string {
	s := common.Thousands(p.Scanned) + " of " + common.Thousands(p.Total) + " keys · " + matchCount(p.Found)
	if p.Elapsed > 0 {
		s += " · " + common.Thousands(int64(float64(p.Scanned)/p.Elapsed.Seconds())) + " keys/s"
	}
	return s + " · " + p.Elapsed.Round(time.Second).String()
}

// take moves the matches found since the last take into the list.
func (m *Model) take() {
	ms, p, ok := m.sink.take()
	if !ok {
		return
	}
	m.matches = append(m.matches, ms...)
	m.prog = p
	m.clamp()
}

// finished applies the run's end: the last matches, the final figures, how it ended. A
// cancelled or failed run keeps what it found.
func (m *Model) finished(res *common.TaskResult[cluster.FindProgress]) {
	if m.sink != nil {
		m.take()
	}
	if res.Value.Rev != 0 {
		m.prog = res.Value
	}
	if res.Err != nil {
		m.ended, m.cancelled = res.Err.Error(), errors.Is(res.Err, common.ErrCancelled)
	}
}

// handleKey moves through the matches, opens one, exports them, or cancels the search.
func (m *Model) handleKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.common.Keys.Find
	switch {
	case key.Matches(msg, m.common.Keys.Global.Back):
		m.task.Cancel()
	case key.Matches(msg, k.Up):
		m.move(-1)
	case key.Matches(msg, k.Down):
		m.move(1)
	case key.Matches(msg, k.PageUp):
		m.move(-m.listHeight())
	case key.Matches(msg, k.PageDown):
		m.move(m.listHeight())
	case key.Matches(msg, k.Top):
		m.move(-len(m.matches))
	case key.Matches(msg, k.Bottom):
		m.move(len(m.matches))
	case key.Matches(msg, k.Next):
		m.wrap(1)
	case key.Matches(msg, k.Prev):
		m.wrap(-1)
	case key.Matches(msg, k.Open):
		if m.cursor < len(m.matches) {
			// GotoMsg takes a path as typed on the command line: escaped, so a key with
			// control bytes or backslashes arrives as itself.
			return common.Cmd(common.GotoMsg{Path: cluster.EscapeKey(m.matches[m.cursor].Key)})
		}
	case key.Matches(msg, k.Export):
		return m.export()
	}
	return nil
}

func (m *Model) move(delta int) {
	m.cursor += delta
	m.clamp()
}

// wrap selects the match delta away, going round from the last to the first and back.
func (m *Model) wrap(delta int) {
	if n := len(m.matches); n > 0 {
		m.cursor = ((m.cursor+delta)%n + n) % n
		m.clamp()
	}
}

// clamp keeps the cursor on a match and the match on screen.
func (m *Model) clamp() {
	m.cursor, m.offset = common.KeepInWindow(m.cursor, m.offset, len(m.matches), m.listHeight())
}

// ShortHelp lists the view's main bindings.
func (m *Model) ShortHelp() []key.Binding { return m.common.Keys.Find.ShortHelp() }

// FullHelp lists all the view's bindings.
func (m *Model) FullHelp() [][]key.Binding { return m.common.Keys.Find.FullHelp() }

// sink is where a run's report hands its matches to the view: the scan appends, the view takes.
// It holds only matches not yet taken (at most the cap in all), never values.
type sink struct {
	mu      sync.Mutex
	pending []cluster.FindMatch
	prog    cluster.FindProgress
	fresh   bool
	notify  chan struct{} // one slot: reports while the view is busy coalesce
	done    chan struct{} // closed when the scan returned
}

func newSink() *sink { return &sink{notify: make(chan struct{}, 1), done: make(chan struct{})} }

func (s *sink) add(p cluster.FindProgress) {
	s.mu.Lock()
	s.pending = append(s.pending, p.Matches...)
	p.Matches = nil
	s.prog, s.fresh = p, true
	s.mu.Unlock()
	select {
	case s.notify <- struct{}{}:
	default:
	}
}

func (s *sink) take() ([]cluster.FindMatch, cluster.FindProgress, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ms, p, ok := s.pending, s.prog, s.fresh
	s.pending, s.fresh = nil, false
	return ms, p, ok
}

// foundMsg says the run gen of session reported new figures or matches.
type foundMsg struct {
	session uint64
	gen     int
}

// ResultSession makes foundMsg a common.Result: another session's is dropped.
func (m foundMsg) ResultSession() uint64 { return m.session }

// waitCmd waits for s's next report; it ends with the scan (the task's result takes the rest).
func waitCmd(session uint64, gen int, s *sink) tea.Cmd {
	return func() tea.Msg {
		select {
		case <-s.notify:
			return foundMsg{session: session, gen: gen}
		case <-s.done:
			return nil
		}
	}
}
