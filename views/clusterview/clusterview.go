// Package clusterview is the Cluster view: one row per member with its health, status, database
// size against the quota and raft progress, the findings worth acting on, and per member the
// latency over the last five minutes, metrics and the leader-change history.
//
// Two pollers feed it while it is on screen: health every health-poll-interval (each member on
// its own client, concurrently, see monitor.Monitor) and /metrics every 15 s. The results go
// into a monitor.Tracker, which is only touched from Update.
package clusterview

import (
	"context"
	"errors"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/etcdeck/etcdeck/cluster/monitor"
	"github.com/etcdeck/etcdeck/keymap"
	"github.com/etcdeck/etcdeck/views/common"
)

// Model is the Cluster view.
type Model struct {
	common        common.Common
	width, height int

	monitor *monitor.Monitor // nil without a session
	health  *common.Poller[monitor.Poll]
	metrics *common.Poller[[]monitor.Metrics]
	tracker *monitor.Tracker

	selected uint64 // the selected member's ID, so the cursor follows it when the list changes
	details  bool   // the selected member's details replace the table
	// detailsOff is the first line of the details shown under their title (they scroll when
	// the terminal is too short for them).
	detailsOff int
	// pollErr is why the last health poll failed ("" when it worked); failures and next say how
	// often and when the next try is.
	pollErr  string
	failures int
	next     time.Duration
	scraped  time.Time
	// backPending is set when the cluster answered again (ClusterBackMsg) while a failing poll
	// was still running: its error is from before, so the view polls again at once instead of
	// waiting out the backoff.
	backPending bool

	// maint is the maintenance actions' question, task and last result (maint.go).
	maint maint
	// self is the console's own memory, under the details (selfmem.go).
	self selfMem
	// quiet says the last message changed nothing shown (Quiet).
	quiet bool
	// focused is true while the view is on screen: the console's memory is sampled only while
	// it is on screen, in the details.
	focused bool
}

var _ common.Component = (*Model)(nil)

// New builds the Cluster view; it polls nothing until it is focused.
func New(c common.Common) *Model {
	c = c.Defaults()
	m := &Model{common: c, tracker: monitor.NewTracker(0), maint: newMaint(c)}
	if c.Session == nil || c.Session.Client == nil {
		return m // rendering tests: results arrive through applyPoll and applyMetrics
	}
	ctx, cl := c.Context(), c.Session.Client
	mon := monitor.NewMonitor(ctx, cl)
	interval := c.Settings.HealthPollInterval // config validated it (> 0)
	// A member silent for a whole interval is reported unreachable; its probe keeps running.
	wait := min(interval, cl.CommandTimeout())
	m.monitor = mon
	// The health poll's backoff is capped at its interval: each member is probed on its own
	// client, whose reconnect can lag the status bar's, so a single re-poll on ClusterBackMsg
	// may still fail; polling on at the interval sees the member back within one more interval.
	m.health = common.NewPoller("cluster.health", interval, interval,
		func(ctx context.Context) (monitor.Poll, error) {
			p := mon.Poll(ctx, wait)
			if len(p.Members) == 0 && p.ListErr != "" {
				return p, errors.New(p.ListErr)
			}
			return p, nil
		},
		common.PollContext(ctx), common.PollTimeout(wait+cl.CommandTimeout()))
	timeout := cl.CommandTimeout()
	m.metrics = common.NewPoller("cluster.metrics", monitor.DefaultMetricsInterval, 4*monitor.DefaultMetricsInterval,
		func(ctx context.Context) ([]monitor.Metrics, error) { return mon.Scrape(ctx, timeout) },
		common.PollContext(ctx), common.PollTimeout(2*timeout))
	m.self = newSelfMem(ctx, interval)
	return m
}

// Init polls nothing: polling starts when the view is shown (Focus).
func (m *Model) Init() tea.Cmd { return nil }

// Focus starts (or resumes) both polls at once.
func (m *Model) Focus() tea.Cmd {
	if m.health == nil {
		return nil
	}
	m.focused = true
	return tea.Batch(m.health.Focus(), m.metrics.Focus(), m.selfFocus())
}

// selfFocus samples the console's memory while the details show it, and stops it otherwise.
func (m *Model) selfFocus() tea.Cmd {
	if m.focused && m.details {
		return m.self.focus()
	}
	m.self.blur()
	return nil
}

// Blur pauses both polls while another view is on screen.
func (m *Model) Blur() {
	m.focused = false
	if m.health != nil {
		m.health.Blur()
		m.metrics.Blur()
		m.self.blur()
	}
}

// SetSize sets the content area.
func (m *Model) SetSize(width, height int) {
	m.width, m.height = width, height
	m.maint.confirm.SetWidth(width)
}

// InputFocused is true while a maintenance question is open: it takes every key.
func (m *Model) InputFocused() bool { return m.maint.confirm.Active() }

// Close cancels a maintenance action still running when the console exits.
func (m *Model) Close() { m.maint.task.Close(5 * time.Second) }

// Update applies poll results and moves the selection.
func (m *Model) Update(msg tea.Msg) (common.Component, tea.Cmd) {
	m.quiet = false
	if m.common.Foreign(msg) {
		m.quiet = true
		return m, nil // another session's answer: never applied to this one
	}
	if res, mine, cmd := m.maint.task.Update(msg); mine {
		return m, tea.Batch(cmd, m.maintDone(res))
	}
	switch msg := msg.(type) {
	case ActionMsg:
		return m, m.ask(msg)
	case common.ConfirmMsg:
		return m, m.answered(msg)
	case tea.PasteMsg:
		return m, m.maint.confirm.Update(msg)
	case tea.KeyPressMsg:
		return m, m.handleKey(msg)
	}
	// What is left are the polls' ticks and answers, and other views' messages. A tick only
	// starts a poll: it changes nothing shown (issue 22: an idle console draws a frame per
	// answer, not per message).
	m.quiet = true
	if m.health == nil {
		return m, nil
	}
	if res, mine, cmd := m.health.Update(msg); mine {
		if res != nil {
			m.quiet = false
			m.applyPoll(res.Value, res.Err, res.Failures, res.Next)
			m.recoverPolled()
			if res.Err != nil && m.backPending {
				m.backPending = false
				if again := m.health.Refresh(); again != nil {
					cmd = again // drops the armed backoff tick (a new generation)
				}
			} else {
				m.backPending = false
			}
		}
		return m, cmd
	}
	if back, ok := msg.(common.ClusterBackMsg); ok {
		return m, m.clusterBack(back) // a poll at once at most: its answer is drawn
	}
	if cmd, mine, sampled := m.self.update(msg); mine {
		m.quiet = !sampled || !m.details
		return m, cmd
	}
	if res, mine, cmd := m.metrics.Update(msg); mine {
		if res != nil && res.Err == nil {
			m.quiet = false
			m.applyMetrics(res.Value)
		}
		return m, cmd
	}
	return m, nil
}

// Quiet is true when the last message changed nothing the view shows (common.Quieter).
func (m *Model) Quiet() bool { return m.quiet }

func (m *Model) handleKey(msg tea.KeyPressMsg) tea.Cmd {
	if m.maint.confirm.Active() {
		return m.maint.confirm.Update(msg)
	}
	k := m.keys()
	switch {
	case m.details && key.Matches(msg, m.common.Keys.Global.Back):
		m.details = false
		return m.selfFocus()
	case key.Matches(msg, m.common.Keys.Global.Back):
		// esc cancels a running action first, then closes its result.
		if !m.maint.task.Cancel() {
			m.maint.result = maintResult{}
			m.maint.rec.waiting = false // a :recover-nospace waiting for its first poll is dropped too
		}
	case key.Matches(msg, k.Alarms):
		return m.ask(ActionMsg{Kind: AlarmList})
	case key.Matches(msg, k.Defrag):
		if h, ok := m.memberByID(m.selected); ok {
			return m.ask(ActionMsg{Kind: Defrag, Member: h.Member.Label()})
		}
	case key.Matches(msg, k.DefragAll):
		return m.ask(ActionMsg{Kind: Defrag})
	case key.Matches(msg, k.Compact):
		return m.ask(ActionMsg{Kind: Compact})
	case key.Matches(msg, k.MoveLeader):
		if h, ok := m.memberByID(m.selected); ok {
			return m.ask(ActionMsg{Kind: MoveLeader, Member: h.Member.Label()})
		}
	case key.Matches(msg, k.Consistency):
		return m.ask(ActionMsg{Kind: Consistency})
	case key.Matches(msg, k.CopyJoin):
		return m.copyJoin()
	case key.Matches(msg, k.ScrollDown):
		m.detailsOff = min(m.detailsOff+m.detailsPage(), m.detailsMaxOff())
	case key.Matches(msg, k.ScrollUp):
		m.detailsOff = max(m.detailsOff-m.detailsPage(), 0)
	case key.Matches(msg, k.Up):
		m.move(-1)
	case key.Matches(msg, k.Down):
		m.move(1)
	case key.Matches(msg, k.Details):
		m.details, m.detailsOff = true, 0
		return m.selfFocus()
	case key.Matches(msg, k.Refresh):
		return tea.Batch(m.health.Refresh(), m.metrics.Refresh())
	}
	return nil
}

// clusterBack polls at once when the last health poll failed: the cluster answers again (the
// status bar's poll saw it), so the view recovers within that poll's interval rather than
// after its own backoff ("retrying in 30s").
func (m *Model) clusterBack(msg common.ClusterBackMsg) tea.Cmd {
	if msg.SessionID != m.common.SessionID() || m.pollErr == "" || !m.health.Focused() {
		return nil
	}
	cmd := m.health.Refresh()
	m.backPending = cmd == nil // a poll is running: its failure is from before the return
	return cmd
}

// applyPoll records one health poll (or why it failed).
func (m *Model) applyPoll(p monitor.Poll, err error, failures int, next time.Duration) {
	m.failures, m.next = failures, next
	m.pollErr = ""
	if err != nil {
		m.pollErr = err.Error()
	}
	m.tracker.AddPoll(p)
	if m.index() < 0 {
		m.selected = 0
		if ms := m.members(); len(ms) > 0 {
			m.selected = ms[0].Member.ID
		}
	}
}

// applyMetrics records one scrape of every member's /metrics.
func (m *Model) applyMetrics(ms []monitor.Metrics) {
	m.tracker.AddMetrics(ms)
	if len(ms) > 0 {
		m.scraped = ms[0].Time
	}
}

// members is the last poll's members, in the order the rows show them.
func (m *Model) members() []monitor.MemberHealth { return m.tracker.Last().Members }

// index is the selected member's row, -1 when none.
func (m *Model) index() int {
	for i, h := range m.members() {
		if h.Member.ID == m.selected {
			return i
		}
	}
	return -1
}

func (m *Model) move(delta int) {
	ms := m.members()
	if len(ms) == 0 {
		return
	}
	i := max(0, min(len(ms)-1, m.index()+delta))
	m.selected = ms[i].Member.ID
	m.detailsOff = 0 // another member's details, from the top
}

// keys is the view's bindings with those that would do nothing now disabled (so help and hints
// leave them out): details while they show or with no member, poll now without a session,
// scrolling unless the details show and there is more that way.
func (m *Model) keys() keymap.Cluster {
	k := m.common.Keys.Cluster
	k.Details.SetEnabled(!m.details && len(m.members()) > 0)
	k.Refresh.SetEnabled(m.health != nil)
	// Maintenance needs members to act on; in read-only mode the keys stay, and say why they
	// are refused (the refusal is audited).
	has := len(m.members()) > 0 && !m.details
	k.Defrag.SetEnabled(has)
	k.DefragAll.SetEnabled(has)
	k.Compact.SetEnabled(has)
	k.Alarms.SetEnabled(has)
	k.MoveLeader.SetEnabled(has)
	k.Consistency.SetEnabled(has)
	k.CopyJoin.SetEnabled(m.maint.result.Join != "" && !m.maint.task.Running())
	shown := m.details && m.index() >= 0
	off := 0
	if shown {
		off = min(m.detailsOff, m.detailsMaxOff())
	}
	k.ScrollDown.SetEnabled(shown && off < m.detailsMaxOff())
	k.ScrollUp.SetEnabled(shown && off > 0)
	return k
}

// ShortHelp lists the view's main bindings; esc (back) is added while the details show.
func (m *Model) ShortHelp() []key.Binding {
	h := m.keys().ShortHelp()
	if m.details || m.maint.task.Running() || len(m.maint.result.Lines) > 0 {
		h = append(h, m.common.Keys.Global.Back)
	}
	return h
}

// FullHelp groups the view's bindings for the help overlay.
func (m *Model) FullHelp() [][]key.Binding { return m.keys().FullHelp() }
