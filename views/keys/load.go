package keys

import (
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/views/common"
)

// The view's own results name the session that produced them (common.Result), so results of
// an ended session are dropped (each also carries the generation it was asked in).

func (m listedMsg) ResultSession() uint64    { return m.sid }
func (m detailsMsg) ResultSession() uint64   { return m.sid }
func (m remainingMsg) ResultSession() uint64 { return m.sid }
func (m liveMsg) ResultSession() uint64      { return m.sid }

// listedMsg carries one page of a directory listing.
type listedMsg struct {
	sid     uint64 // the session that listed it
	gen     int
	after   string // "" for a first page
	listing cluster.Listing
	err     error
	// probed is the sibling listed first for names, with its rows (remembered like a listing's).
	probed     string
	probedRows []cluster.Row
}

// detailsMsg carries counts and value sizes of some rows.
type detailsMsg struct {
	sid  uint64
	gen  int
	rows []cluster.Row
	err  error
}

// remainingMsg carries how many keys a substring filter has not seen yet.
type remainingMsg struct {
	sid  uint64
	gen  int
	next string
	n    int64
}

// countRemaining counts the keys not loaded yet when a substring filter is on, so the status
// line can say how much the filter has not searched. Off the UI loop; one count per page.
func (m *Model) countRemaining() tea.Cmd {
	s := m.common.Session
	if s == nil || !m.substring || m.next == "" || m.remainingFor == m.next {
		return nil
	}
	m.remainingFor, m.remaining = m.next, -1
	gen, dir, from, rev := m.gen, m.dir+m.filteredList, m.next, m.rev
	return func() tea.Msg {
		n, err := s.Client.CountFrom(s.Context(), dir, from, rev)
		if err != nil {
			n = -1
		}
		return remainingMsg{sid: s.ID, gen: gen, next: from, n: n}
	}
}

// open starts listing dir from its first page, selecting the row named sel when it arrives.
func (m *Model) open(dir, sel string) tea.Cmd {
	m.stopLive()
	m.gen++
	if dir != m.dir {
		m.filterText, m.substring = "", false
	}
	m.dir, m.selectName = dir, sel
	m.filteredList = m.serverFilter()
	m.rows, m.visible, m.next, m.rev = nil, nil, "", 0
	m.cursor, m.offset = 0, 0
	m.err, m.paging = nil, false
	m.permitted, m.deniedNote = nil, ""
	m.pending = map[string]int64{}
	m.loading = true
	m.remainingFor, m.remaining = "", -1
	m.resetHeld()
	return m.listCmd("", 0, firstPageRows)
}

// reload lists the open directory again at the current revision, as far as it is loaded plus
// extra rows, keeping the rows on screen until the new listing replaces them (the cursor stays
// on its row). It is how the view recovers when it can no longer keep the loaded rows exact.
func (m *Model) reload(extra int) tea.Cmd {
	m.stopLive()
	m.gen++
	m.loading, m.paging, m.err = true, false, nil
	m.pending = map[string]int64{}
	m.resetHeld()
	return m.listCmd("", 0, max(firstPageRows, len(m.rows)+extra))
}

// listCmd lists a page of the open directory in a command; inputs are captured first.
func (m *Model) listCmd(after string, rev int64, limit int) tea.Cmd {
	s := m.common.Session
	if s == nil {
		m.loading = false
		return nil
	}
	gen, dir := m.gen, m.dir
	if rev == 0 {
		rev = m.pinRev // time travel: every page at the pinned revision (0: the current one)
	}
	opts := cluster.ListOptions{Sep: m.sep, Rev: rev, After: after, Limit: limit, Strategy: m.strategy}
	opts.NamePrefix = m.filteredList
	probe := ""
	if after == "" {
		opts.Hints = m.names.forDir(dir, m.sep)
		if opts.Hints == nil && m.pinRev == 0 {
			probe = m.probe
		}
	}
	m.probe = ""
	return func() tea.Msg {
		l, probed, err := listWithProbe(s.Context(), s.Client, dir, probe, opts)
		return listedMsg{sid: s.ID, gen: gen, after: after, listing: l, err: err, probed: probe, probedRows: probed}
	}
}

// listed applies a page: a first page replaces the rows and starts the live watch; later pages
// merge in.
func (m *Model) listed(msg listedMsg) tea.Cmd {
	if msg.gen != m.gen || (msg.after != "" && msg.after != m.next) {
		return nil // the user moved on
	}
	m.loading, m.paging = false, false
	if msg.err != nil {
		if msg.after != "" && cluster.IsCompacted(msg.err) {
			return tea.Batch(common.Flash(common.FlashWarn, "the listing's revision was compacted: reloaded"),
				m.open(m.dir, m.selectedName()))
		}
		if msg.after == "" && m.permittedListing(msg.err) {
			m.refilterKeep(m.selectName)
			m.selectName = ""
			return nil
		}
		m.err = msg.err
		if msg.after == "" {
			m.rows, m.visible, m.next = nil, nil, "" // rows kept through a reload are no longer live
		}
		return nil
	}
	l := msg.listing
	m.strategy = l.Stats.Strategy
	m.stats = fmt.Sprintf("%d round trips, %d keys read", l.Stats.RoundTrips, l.Stats.KeysRead)
	m.names.remember(m.dir, l.Rows)
	if msg.probed != "" {
		m.names.remember(msg.probed, msg.probedRows)
	}
	keep := m.selectedName()
	if msg.after == "" {
		m.permitted, m.deniedNote = nil, ""
		m.rows, m.rev, m.appliedRev, m.midRev, m.progressAsked = l.Rows, l.Rev, l.Rev, false, false
		m.resetHeld()
		if m.selectName != "" {
			keep = m.selectName
		}
		m.selectName = ""
		m.next = l.Next
	} else {
		if m.heldLost {
			return m.reload(pageRows) // changes to this page's rows were forgotten
		}
		m.rows = cluster.MergeRows(m.rows, l.Rows)
		m.next = l.Next
		m.replayHeld()
	}
	m.refilterKeep(keep)
	var cmds []tea.Cmd
	if msg.after == "" {
		cmds = append(cmds, m.startLive())
	}
	details := m.fetchDetails()
	if msg.after == "" {
		// The first page is small, so the first screen comes fast; the next page, if the cursor
		// is near the end, waits for the screen's counts (on etcd 3.7 both cost the member's
		// cores, and the screen is what the user waits for). A move to the end pages at once.
		// Set on every first page, so a directory left before its counts came leaves no wait.
		m.pageAfterDetails = details != nil
		if details != nil {
			return tea.Batch(append(cmds, details, m.countRemaining())...)
		}
	}
	return tea.Batch(append(cmds, m.maybePage(), details, m.countRemaining())...)
}

// maybePage loads the next page when the cursor is within a screen of the loaded end (or the
// filter leaves fewer rows than a screen). Under a substring filter only a cursor move pages:
// a rare substring would otherwise load the whole directory by itself.
func (m *Model) maybePage() tea.Cmd { return m.pageIfNear(false) }

func (m *Model) pageIfNear(moved bool) tea.Cmd {
	if m.next == "" || m.loading || m.paging || (m.substring && !moved) {
		return nil
	}
	if len(m.visible)-m.cursor > 2*m.listHeight() {
		return nil
	}
	if m.heldLost {
		return m.reload(pageRows)
	}
	m.paging = true
	return m.listCmd(m.next, m.rev, pageRows)
}

// updateFilter feeds a key to the open filter field; typing filters at once, enter keeps it,
// esc clears it.
func (m *Model) updateFilter(msg tea.Msg) tea.Cmd {
	res, cmd := m.filter.Update(msg)
	text := m.filter.Value()
	if res == common.PromptCancelled {
		text = ""
	}
	sub := strings.HasPrefix(text, "*")
	raw, err := cluster.UnescapeKey(strings.TrimPrefix(text, "*"))
	if err != nil {
		return cmd // an escape being typed; wait for the rest
	}
	if raw == m.filterText && sub == m.substring {
		return cmd
	}
	m.filterText, m.substring = raw, sub
	if m.needsRelist() {
		return tea.Batch(cmd, m.relist())
	}
	return tea.Batch(cmd, m.refilter())
}

// serverFilter is the name prefix the server should narrow the listing to.
func (m *Model) serverFilter() string {
	if m.substring {
		return ""
	}
	return m.filterText
}

// needsRelist: the loaded rows hold every name starting with filteredList (up to next); a
// prefix filter they do not cover, or leaving one, asks the server again. A directory fully
// loaded is filtered in memory.
func (m *Model) needsRelist() bool {
	want := m.serverFilter()
	if !m.loading && m.next == "" && strings.HasPrefix(want, m.filteredList) {
		return false
	}
	return want != m.filteredList
}

// relist lists the directory again with the current filter, keeping the selection by name.
func (m *Model) relist() tea.Cmd {
	sel := m.selectedName()
	m.stopLive()
	m.gen++
	m.rows, m.visible, m.next, m.rev = nil, nil, "", 0
	m.pending = map[string]int64{}
	m.resetHeld()
	m.loading, m.selectName = true, sel
	m.filteredList = m.serverFilter()
	m.remainingFor, m.remaining = "", -1
	return m.listCmd("", 0, firstPageRows)
}

// refilter recomputes the visible rows, keeping the selection by name.
func (m *Model) refilter() tea.Cmd {
	m.refilterKeep(m.selectedName())
	return tea.Batch(m.maybePage(), m.fetchDetails(), m.countRemaining())
}

func (m *Model) refilterKeep(name string) {
	m.visible = m.visible[:0]
	for i, r := range m.rows {
		if m.matches(r.Name) {
			m.visible = append(m.visible, i)
		}
	}
	if name != "" {
		for vi, ri := range m.visible {
			if m.rows[ri].Name >= name {
				m.cursor = vi
				break
			}
		}
	}
	m.clamp()
}

func (m *Model) matches(name string) bool {
	switch {
	case m.filterText == "":
		return true
	case m.substring:
		return strings.Contains(strings.ToLower(cluster.EscapeKey(name)), strings.ToLower(cluster.EscapeKey(m.filterText)))
	default:
		return strings.HasPrefix(name, m.filterText)
	}
}

// clusterBack lists the open directory again when its listing failed: the cluster answers
// again (the status bar's poll saw it), so the view recovers by itself, as r would.
func (m *Model) clusterBack(msg common.ClusterBackMsg) tea.Cmd {
	if msg.SessionID != m.common.SessionID() || m.err == nil || m.loading {
		return nil
	}
	return m.open(m.dir, m.selectedName())
}
