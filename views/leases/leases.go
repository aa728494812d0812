// Package leases is the Leases view: every lease with its granted and remaining TTL (ticking)
// and how many keys it holds, a summary (keys attached, leases with no key, leases by TTL, the
// count over time so a surge shows), a lease's keys on enter, and revoking or granting one
// through the cluster's write path (`d`, `:lease revoke ID`, `:lease grant TTL`).
//
// etcd lists lease IDs in one call but reads a lease's TTL and keys one call per lease, so the
// view polls the IDs, reads TimeToLive only for the rows on screen, and leaves the rest to a
// bounded summary pass (cluster/lease.go): 100,000 leases cost one listing and a screen's reads.
package leases

import (
	"context"
	"fmt"
	"slices"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/keymap"
	"github.com/etcdeck/etcdeck/views/common"
)

// Intervals: the IDs are listed every pollEvery while the view is on screen (and the rows on
// screen read again with them); the summary pass, which may read up to cluster.SummaryCap
// leases, at most every summaryEvery.
const (
	pollEvery    = 5 * time.Second
	summaryEvery = time.Minute
	// historyLen is how many listings' counts the surge line keeps (a minute at pollEvery).
	historyLen = 12
)

// countAt is the number of leases at one listing.
type countAt struct {
	at time.Time
	n  int
}

// Model is the Leases view.
type Model struct {
	common        common.Common
	width, height int

	ids     *common.Poller[[]int64] // nil without a session
	listed  bool
	listErr string
	list    []int64
	history []countAt
	detail  map[int64]cluster.Lease // rows read (key counts), pruned to the listed IDs
	gen     int                     // of the rows' reads: a read of rows left behind is dropped
	reading bool
	readErr string
	sum     *cluster.LeaseSummary
	sumAt   time.Time
	sumErr  string
	summing bool
	now     time.Time
	tickGen int
	// shown is true between Focus and Blur; ticking, while a countdown tick is pending. With no
	// lease there is nothing to count down: the tick stops, and the next listing with a lease
	// starts it again (an idle console does not redraw every second).
	shown, ticking bool
	cursor         int
	offset         int
	keys           keysPane
	confirm        common.Confirm
	revoking       cluster.Lease // the lease the revoke question is about
}

var _ common.Component = (*Model)(nil)

// New builds the Leases view; it reads nothing until it is focused.
func New(c common.Common) *Model {
	c = c.Defaults()
	m := &Model{common: c, detail: map[int64]cluster.Lease{}, now: time.Now(),
		confirm: common.NewConfirm(c.Styles).ForSession(c.SessionID())}
	if cl := m.client(); cl != nil {
		m.ids = common.NewPoller(fmt.Sprintf("leases.ids.%d", c.SessionID()), pollEvery, 4*pollEvery,
			cl.LeaseIDs, common.PollContext(c.Context()), common.PollTimeout(cl.CommandTimeout()))
	}
	return m
}

// client is the session's client, nil without one (rendering tests).
func (m *Model) client() *cluster.Client {
	if m.common.Session == nil {
		return nil
	}
	return m.common.Session.Client
}

// ctx is the context every read and write derives from (the session's).
func (m *Model) ctx() context.Context { return m.common.Context() }

// Init reads nothing: the view starts reading when it is shown.
func (m *Model) Init() tea.Cmd { return nil }

// Focus lists the leases at once and starts the countdown.
func (m *Model) Focus() tea.Cmd {
	if m.ids == nil {
		return nil
	}
	m.tickGen++
	m.now = time.Now()
	m.shown, m.ticking = true, true
	return tea.Batch(m.ids.Focus(), tickCmd(m.common.SessionID(), m.tickGen))
}

// Blur stops the listing and the countdown while another view is on screen.
func (m *Model) Blur() {
	if m.ids != nil {
		m.ids.Blur()
	}
	m.tickGen++
	m.shown, m.ticking = false, false
}

// SetSize sets the content area.
func (m *Model) SetSize(width, height int) {
	m.width, m.height = width, height
	m.confirm.SetWidth(width)
	m.clamp()
}

// InputFocused is true while the revoke question is open: it takes every key.
func (m *Model) InputFocused() bool { return m.confirm.Active() }

// HandlesBack is true while a lease's keys show: esc goes back to the list first.
func (m *Model) HandlesBack() bool { return m.keys.open }

// Update applies listings, reads, ticks and answers, and handles keys.
func (m *Model) Update(msg tea.Msg) (common.Component, tea.Cmd) {
	if m.common.Foreign(msg) {
		return m, nil // another session's result: never applied to this one
	}
	if m.ids != nil {
		if res, mine, cmd := m.ids.Update(msg); mine {
			if res != nil {
				return m, tea.Batch(cmd, m.listedIDs(res.Value, res.Err))
			}
			return m, cmd
		}
	}
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		return m, m.handleKey(msg)
	case tea.PasteMsg:
		return m, m.confirm.Update(msg)
	case common.ClusterBackMsg:
		if msg.SessionID == m.common.SessionID() && m.listErr != "" && m.ids != nil {
			return m, m.ids.Refresh()
		}
	case tickMsg:
		if msg.gen == m.tickGen {
			m.now = msg.at
			if m.ticking = len(m.list) > 0 || !m.listed; m.ticking {
				return m, tickCmd(msg.session, msg.gen)
			}
		}
	case detailsMsg:
		return m, m.detailsRead(msg)
	case summaryMsg:
		m.summing = false
		m.sumAt, m.sumErr = msg.at, ""
		if msg.err != nil {
			m.sumErr = msg.err.Error()
		} else {
			m.sum = &msg.sum
		}
	case keysMsg:
		m.keys.arrived(msg)
	case CommandMsg:
		if msg.Grant > 0 {
			return m, m.grant(msg.Grant)
		}
		return m, m.askRevoke(msg.Revoke)
	case revokeReadMsg:
		return m, m.revokeRead(msg)
	case common.ConfirmMsg:
		if msg.ID == revokeID {
			return m, m.revokeAnswered(msg)
		}
	case revokedMsg:
		return m, m.revoked(msg)
	case grantedMsg:
		return m, m.granted(msg)
	}
	return m, nil
}

// listedIDs takes one listing: the rows are kept where the cursor was, the count goes into the
// history, the rows on screen are read again (their TTLs and counts), and the summary pass runs
// when it is due.
func (m *Model) listedIDs(ids []int64, err error) tea.Cmd {
	if err != nil {
		m.listErr = err.Error()
		return nil
	}
	sel, hadSel := m.selectedID()
	m.listed, m.listErr, m.list = true, "", ids
	m.history = append(m.history, countAt{at: time.Now(), n: len(ids)})
	if len(m.history) > historyLen {
		m.history = m.history[len(m.history)-historyLen:]
	}
	for id := range m.detail {
		if _, ok := slices.BinarySearch(ids, id); !ok {
			delete(m.detail, id) // gone: memory follows the leases there are
		}
	}
	if hadSel {
		if i, ok := slices.BinarySearch(ids, sel); ok {
			m.cursor = i
		}
	}
	m.clamp()
	cmds := []tea.Cmd{m.readRows(true)}
	if m.shown && !m.ticking && len(ids) > 0 {
		m.now, m.ticking = time.Now(), true
		cmds = append(cmds, tickCmd(m.common.SessionID(), m.tickGen))
	}
	if m.client() != nil && !m.summing && (m.sum == nil && m.sumErr == "" || time.Since(m.sumAt) >= summaryEvery) {
		m.summing = true
		cmds = append(cmds, summaryCmd(m.ctx(), m.client(), m.common.SessionID(), slices.Clone(ids)))
	}
	return tea.Batch(cmds...)
}

// readRows reads the rows on screen: all of them (again) when all is true, else those not read
// yet (after the cursor moved). One read at a time; a newer one makes the older one's result
// stale.
func (m *Model) readRows(all bool) tea.Cmd {
	if m.client() == nil || m.reading && !all {
		return nil
	}
	var ids []int64
	for _, id := range m.visible() {
		if _, ok := m.detail[id]; all || !ok {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	m.gen++
	m.reading = true
	return detailsCmd(m.ctx(), m.client(), m.common.SessionID(), m.gen, ids)
}

func (m *Model) detailsRead(msg detailsMsg) tea.Cmd {
	if msg.gen != m.gen {
		return nil
	}
	m.reading, m.readErr = false, ""
	if msg.err != nil {
		m.readErr = msg.err.Error()
	}
	for _, l := range msg.leases {
		if l.Read.IsZero() {
			continue // not read: its error is in msg.err
		}
		if _, ok := slices.BinarySearch(m.list, l.ID); ok {
			m.detail[l.ID] = l
		}
	}
	return m.readRows(false) // the cursor may have moved on while this read ran
}

// visible is the IDs of the rows on screen.
func (m *Model) visible() []int64 {
	end := min(len(m.list), m.offset+m.listHeight())
	if m.offset >= end {
		return nil
	}
	return m.list[m.offset:end]
}

func (m *Model) selectedID() (int64, bool) {
	if m.cursor < 0 || m.cursor >= len(m.list) {
		return 0, false
	}
	return m.list[m.cursor], true
}

func (m *Model) handleKey(msg tea.KeyPressMsg) tea.Cmd {
	if m.confirm.Active() {
		return m.confirm.Update(msg)
	}
	if m.keys.open {
		return m.keys.handleKey(m, msg)
	}
	k := m.bindings()
	switch {
	case key.Matches(msg, k.Up):
		return m.move(-1)
	case key.Matches(msg, k.Down):
		return m.move(1)
	case key.Matches(msg, k.PageUp):
		return m.move(-max(1, m.listHeight()))
	case key.Matches(msg, k.PageDown):
		return m.move(max(1, m.listHeight()))
	case key.Matches(msg, k.Top):
		return m.move(-len(m.list))
	case key.Matches(msg, k.Bottom):
		return m.move(len(m.list))
	case key.Matches(msg, k.Open):
		if id, ok := m.selectedID(); ok {
			return m.keys.openLease(m, id)
		}
	case key.Matches(msg, k.Revoke):
		if id, ok := m.selectedID(); ok {
			return m.askRevoke(id)
		}
	case key.Matches(msg, k.Refresh):
		if m.ids != nil {
			return m.ids.Refresh()
		}
	}
	return nil
}

func (m *Model) move(delta int) tea.Cmd {
	m.cursor += delta
	m.clamp()
	return m.readRows(false)
}

// clamp keeps the cursor on a lease and in the visible window.
func (m *Model) clamp() {
	m.cursor, m.offset = common.KeepInWindow(m.cursor, m.offset, len(m.list), m.listHeight())
}

// bindings is the view's keys with those that would do nothing now disabled, so help and hints
// leave them out: list keys without leases (or while a lease's keys show: the pane has its
// own), refresh without a session.
func (m *Model) bindings() keymap.Leases {
	k := m.common.Keys.Leases
	_, sel := m.selectedID()
	list := !m.keys.open
	for _, b := range []struct {
		b  *key.Binding
		on bool
	}{
		{&k.Up, list && len(m.list) > 1 || m.keys.open}, {&k.Down, list && len(m.list) > 1 || m.keys.open},
		{&k.PageUp, list && len(m.list) > 1}, {&k.PageDown, list && len(m.list) > 1},
		{&k.Top, list && len(m.list) > 1}, {&k.Bottom, list && len(m.list) > 1},
		{&k.Open, list && sel || m.keys.open && len(m.keys.lease.Keys) > 0},
		{&k.Revoke, list && sel && !m.readOnly()},
		{&k.Refresh, list && m.ids != nil},
	} {
		b.b.SetEnabled(b.on)
	}
	return k
}

// readOnly is true when writes are refused: `d` is not offered then (`:lease revoke` still
// says why it is refused).
func (m *Model) readOnly() bool {
	c := m.client()
	return c != nil && c.ReadOnly() || m.common.Settings.ReadOnly
}

// ShortHelp is the help line under the view: the list's keys, or the keys pane's with esc.
func (m *Model) ShortHelp() []key.Binding {
	k := m.bindings()
	if m.keys.open {
		open := k.Open
		open.SetHelp(open.Help().Key, "open key")
		return []key.Binding{open, k.Down, m.common.Keys.Global.Back}
	}
	return k.ShortHelp()
}

// FullHelp groups the view's bindings for the help overlay.
func (m *Model) FullHelp() [][]key.Binding { return m.bindings().FullHelp() }
