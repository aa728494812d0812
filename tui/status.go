package tui

import (
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/views/common"
)

// Poll interval and longest backoff for the status bar's revision and leader. The backoff is
// capped at the interval: this poll is what notices the cluster answering again (ClusterBackMsg
// wakes the views), so a cluster back from an outage is seen within one interval, and one
// cheap read every two seconds is no load on a cluster that is down.
const (
	pollInterval   = 2 * time.Second
	maxPollBackoff = pollInterval
)

// clearFlashMsg clears flash number seq, unless a newer one replaced it.
type clearFlashMsg struct{ seq int }

type task struct {
	id, label string
	// progress is the latest TaskProgressMsg's text, shown after the label while it runs.
	progress string
	critical bool
}

type flash struct {
	level common.FlashLevel
	text  string
	// whileDown is set on an error raised while the status poll was failing: it most likely
	// reports that outage, so it goes when the cluster answers again instead of outliving it.
	whileDown bool
}

// status is the status bar: what we are connected to, leader, revision, read-only, warnings,
// running tasks and flashes.
type status struct {
	st *common.Styles
	// header is the shown session's: the sessions underneath keep theirs in their frames.
	header

	// poll polls the shown session's revision and leader, always (the status bar is never
	// hidden); chain numbers the pollers so each has its own ID and a replaced one's results
	// (an old session's, or from before a member restart) are never taken for the current's.
	poll *common.Poller[cluster.Overview]
	sid  uint64 // the polled session's ID, for ClusterBackMsg
	// notedSID is the session whose client's failover Note was flashed (once).
	notedSID uint64
	chain    int
	ov       cluster.Overview
	haveOv   bool
	ovErr    error
	// ovAt is when ov arrived; staleFor how old it was at the last failed poll, shown instead of
	// a leader and revision that may no longer be true.
	ovAt     time.Time
	staleFor time.Duration
	// unreachable are the session's endpoints that did not answer when it connected (the others
	// did): a warning, since the connection goes on without them.
	unreachable []string

	tasks    []task
	spin     spinner.Model
	flash    *flash
	flashSeq int
	// log keeps every flash and task result whole for :messages (messages.go).
	log []logged
	// alert is the Watch view's alert (count of matching events), shown from every view.
	alert common.AlertMsg
	// quiet: the last message update handled changed nothing shown (a poll's tick, or an
	// answer equal to the last one), so the frame drawn before it still holds (view.go).
	quiet bool
}

// header is what the status bar says of a session: what it is connected to, its security
// warning ("" when none) and whether it is read-only.
type header struct {
	label    string
	insecure string
	readOnly bool
}

func newStatus(st *common.Styles, h header) status {
	h.label = cluster.EscapeText(h.label) // a session's label names endpoints or a snapshot file
	return status{
		st: st, header: h,
		spin: spinner.New(spinner.WithSpinner(spinner.MiniDot), spinner.WithStyle(st.Running)),
	}
}

// restartPolling starts polling sess now, on a new poller: the old one's results are dropped.
// Without a session or a client (rendering tests) nothing is polled.
func (s *status) restartPolling(sess *cluster.Session) tea.Cmd {
	s.chain++
	s.poll = nil
	s.unreachable = nil
	if sess == nil || sess.Client == nil {
		return nil
	}
	s.sid = sess.ID
	cl := sess.Client
	if err := cl.OfflineCause(); err != nil && !s.haveOv {
		s.ovErr = err // no endpoint answered at start: the cause until the first poll says more
	}
	s.unreachable = cl.Unreachable()
	var note tea.Cmd
	if n := cl.Note(); n != "" && s.notedSID != sess.ID {
		s.notedSID = sess.ID // said once per session, not after every member restart
		note = s.setFlash(common.FlashWarn, n)
	}
	// The client applies its command timeout and explains a timeout in its own words; the
	// poller's bound only backs it up.
	timeout := 2 * cl.CommandTimeout()
	if timeout <= 0 {
		timeout = common.DefaultPollTimeout
	}
	s.poll = common.NewPoller(fmt.Sprintf("tui.status.%d", s.chain), pollInterval, maxPollBackoff, cl.Overview,
		common.PollContext(sess.Context()), common.PollTimeout(timeout))
	return tea.Batch(note, s.poll.Start())
}

// applyOverview shows one poll's result, or its error beside the last revision seen. When the
// cluster answers it returns a ClusterBackMsg for every view; after an outage it also drops an
// error flash raised during it.
func (s *status) applyOverview(ov cluster.Overview, err error) tea.Cmd {
	if err != nil {
		s.ovErr = err
		if s.haveOv {
			s.staleFor = time.Since(s.ovAt)
		}
		return nil
	}
	back := s.ovErr != nil
	s.ov, s.haveOv, s.ovErr, s.ovAt, s.staleFor = ov, true, nil, time.Now(), 0
	if back && s.flash != nil && s.flash.whileDown {
		s.flash = nil
	}
	// Every answer, not only the first after an outage: a view whose read failed (its own
	// connection may come back a little later than this one's) retries on this schedule until
	// it succeeds; a view that is fine ignores it.
	return common.Cmd(common.ClusterBackMsg{SessionID: s.sid})
}

// update handles the status bar's own messages; ok is false for anything else.
func (s *status) update(msg tea.Msg) (tea.Cmd, bool) {
	s.quiet = false
	if s.poll != nil {
		if res, mine, cmd := s.poll.Update(msg); mine {
			// An idle console polls every 2 s: its tick and an unchanged answer need no frame.
			s.quiet = res == nil || res.Err == nil && s.ovErr == nil && s.haveOv && res.Value == s.ov
			if res != nil {
				cmd = tea.Batch(cmd, s.applyOverview(res.Value, res.Err))
			}
			return cmd, true
		}
	}
	switch msg := msg.(type) {
	case common.TaskStartMsg:
		s.endTask(msg.ID)
		s.tasks = append(s.tasks, task{id: msg.ID, label: cluster.EscapeText(msg.Label), critical: msg.Critical})
		s.flash = nil
		return s.spin.Tick, true
	case common.TaskProgressMsg:
		for i := range s.tasks {
			if s.tasks[i].id == msg.ID {
				s.tasks[i].progress = cluster.EscapeText(msg.Label)
			}
		}
		return nil, true
	case common.TaskDoneMsg:
		t, ok := s.endTask(msg.ID)
		if !ok {
			t.label = msg.ID
		}
		if msg.Err != nil {
			return s.setFlash(common.FlashError, "✗ "+t.label+": "+msg.Err.Error()), true
		}
		text := "✓ " + t.label
		if msg.Result != "" {
			text += ": " + msg.Result
		}
		return s.setFlash(common.FlashInfo, text), true
	case common.FlashMsg:
		return s.setFlash(msg.Level, msg.Text), true
	case common.AlertMsg:
		s.alert = msg
		return nil, true
	case clearFlashMsg:
		if msg.seq == s.flashSeq {
			s.flash = nil
		}
		return nil, true
	case spinner.TickMsg:
		if msg.ID != s.spin.ID() {
			return nil, false // a view's own spinner
		}
		if len(s.tasks) == 0 {
			return nil, true // nothing running: let the tick chain stop
		}
		var cmd tea.Cmd
		s.spin, cmd = s.spin.Update(msg)
		return cmd, true
	}
	return nil, false
}

func (s *status) endTask(id string) (task, bool) {
	for i, t := range s.tasks {
		if t.id == id {
			s.tasks = append(s.tasks[:i], s.tasks[i+1:]...)
			return t, true
		}
	}
	return task{}, false
}

func (s *status) setFlash(level common.FlashLevel, text string) tea.Cmd {
	s.flashSeq++
	// Flashes quote errors, keys, names and paths that came from the cluster or the disk: one
	// escaping rule for all of them (an ESC in a member name is shown, not obeyed).
	s.flash = &flash{level: level, text: cluster.EscapeText(text),
		whileDown: level == common.FlashError && s.ovErr != nil}
	s.record(level, s.flash.text)
	seq := s.flashSeq
	return tea.Tick(common.FlashDuration, func(time.Time) tea.Msg { return clearFlashMsg{seq: seq} })
}

// critical returns the labels of running writes that must not be interrupted.
func (s *status) critical() []string {
	var out []string
	for _, t := range s.tasks {
		if t.critical {
			out = append(out, t.label)
		}
	}
	return out
}

// view renders the status bar's first line at width w: what we are connected to, leader,
// revision, then READ-ONLY and the security warning, which always stay visible.
func (s *status) view(w int) string {
	st := s.st
	var right []string
	if s.readOnly {
		right = append(right, st.ReadOnly.Render(" READ-ONLY "))
	}
	if s.insecure != "" {
		right = append(right, st.Warning.Render("⚠ "+s.insecure))
	}
	switch n := len(s.unreachable); {
	case n == 1:
		right = append(right, st.Warning.Render("⚠ "+cluster.EscapeText(s.unreachable[0])+" (at connect)"))
	case n > 1:
		right = append(right, st.Warning.Render(fmt.Sprintf("⚠ %d endpoints did not answer at connect", n)))
	}
	rightText := strings.Join(right, "  ") + " "

	leader, rev := "—", "—"
	if s.haveOv {
		leader = "none"
		if s.ov.LeaderName != "" {
			leader = cluster.EscapeText(s.ov.LeaderName)
		}
		rev = fmt.Sprint(s.ov.Revision)
	}
	sep := st.HeaderDim.Render(" · ")
	tail := sep + st.HeaderDim.Render("leader ") + st.HeaderItem.Render(leader) +
		sep + st.HeaderDim.Render("rev ") + st.HeaderItem.Render(rev)
	if s.ovErr != nil {
		// No endpoint answered the last poll (Overview asks them all): the leader and revision
		// seen before may be false by now, so the header says how old they are instead.
		tail = sep + st.Error.Render("no connection")
		if s.haveOv {
			tail += sep + st.HeaderDim.Render("stale ") + st.HeaderItem.Render(s.staleFor.Round(time.Second).String())
		}
	}
	// Narrow terminals lose the brand first, then the end of the endpoint list.
	brand := " " + st.Brand.Render("etcdeck") + "  "
	room := w - lipgloss.Width(rightText) - lipgloss.Width(tail) - 1
	if lipgloss.Width(brand)+lipgloss.Width(s.label) > room {
		brand = " "
	}
	label := ansi.Truncate(s.label, max(1, room-lipgloss.Width(brand)), "…")
	return spread(brand+st.HeaderItem.Render(label)+tail, rightText, w)
}

// activity is what runs: the newest task with a spinner, else the error of the last status
// poll. Empty when all is quiet.
func (s *status) activity() string {
	st := s.st
	alert := ""
	if s.alert.Rule != "" {
		alert = st.Warning.Render(fmt.Sprintf("! %s alert (%s)", common.Plural(int(s.alert.Count), "event"), cluster.EscapeText(s.alert.Rule)))
	}
	if act := s.taskOrError(); act != "" && alert != "" {
		return alert + "  " + act
	} else if alert != "" {
		return alert
	}
	return s.taskOrError()
}

// taskOrError is the running task with its spinner, or the status poll's error.
func (s *status) taskOrError() string {
	st := s.st
	switch {
	case len(s.tasks) > 0:
		t := s.tasks[len(s.tasks)-1]
		label := t.label
		if t.progress != "" {
			label += ": " + t.progress
		}
		if n := len(s.tasks); n > 1 {
			label += fmt.Sprintf(" (+%d more)", n-1)
		}
		return s.spin.View() + " " + st.Running.Render(label)
	case s.ovErr != nil:
		return st.Error.Render("✗ " + cluster.EscapeText(firstLine(s.ovErr.Error())))
	}
	return ""
}

// flashView is the last finished task (✓ or ✗ and the cause) or flash, shown on the bottom line
// where there is room for a whole sentence; empty when there is none.
func (s *status) flashView() string {
	if s.flash == nil {
		return ""
	}
	return s.flashStyle().Render(s.flash.text)
}

func (s *status) flashStyle() lipgloss.Style {
	switch s.flash.level {
	case common.FlashError:
		return s.st.Error
	case common.FlashWarn:
		return s.st.Warning
	}
	return s.st.Success
}

// spread puts left and right on one line of width w; when they do not fit, the right part wins
// and the left part is cut.
func spread(left, right string, w int) string {
	rw := lipgloss.Width(right)
	if rw > w {
		return ansi.Truncate(right, w, "…")
	}
	left = ansi.Truncate(left, w-rw, "…")
	gap := w - rw - lipgloss.Width(left)
	return left + strings.Repeat(" ", max(0, gap)) + right
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
