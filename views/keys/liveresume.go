package keys

import (
	tea "charm.land/bubbletea/v2"
)

// While another view is on screen the Keys view keeps no live watch: the watch of the open
// directory receives every change under it, values included (the server has no keys-only
// watch), and under a storm on the root that was the whole storm, for rows nobody sees (issue
// 22). Blur stops it; Focus resumes from the last revision applied when the cluster moved on by
// little meanwhile, else lists the directory again, so nothing shown is stale.

// defaultLiveCatchUp is how many revisions a view shown again may replay through its resumed
// watch (Model.liveCatchUp); further behind, listing the directory again costs less than the
// changes written meanwhile.
const defaultLiveCatchUp = 10_000

// liveBehindMsg carries the store's revision, read when the view was shown again.
type liveBehindMsg struct {
	sid  uint64
	gen  int
	from int64 // the revision applied when it was read
	rev  int64
	err  error
}

func (m liveBehindMsg) ResultSession() uint64 { return m.sid }

// Focus resumes the live watch Blur stopped (resumeLive).
func (m *Model) Focus() tea.Cmd {
	m.hidden = false
	return m.resumeLive()
}

// Blur stops the live watch until Focus; a listing arriving meanwhile starts none.
func (m *Model) Blur() {
	m.hidden = true
	m.stopLive()
}

// resumeLive reads how far the store moved since the revision applied, to resume the watch
// there or list again (liveBehind). Nothing to do without a live listing: one loading starts
// its watch when it lands, a pinned or failed one has none.
func (m *Model) resumeLive() tea.Cmd {
	s := m.common.Session
	if s == nil || m.live != nil || m.loading || m.rev == 0 || m.pinRev > 0 || m.err != nil || m.permitted != nil {
		return nil
	}
	if m.midRev {
		// The last batch applied part of a revision: a watch from the next one would apply
		// that part twice.
		return tea.Batch(m.reload(0), m.refreshInspected())
	}
	gen, from, key := m.gen, m.appliedRev, m.dir+m.filteredList
	return func() tea.Msg {
		rev, err := s.Client.CurrentRev(s.Context(), key)
		return liveBehindMsg{sid: s.ID, gen: gen, from: from, rev: rev, err: err}
	}
}

// liveBehind resumes the watch from the revision after the last one applied, or lists the
// directory again (keeping the rows on screen until the new listing replaces them) when that
// is too far behind or the revision could not be read.
func (m *Model) liveBehind(msg liveBehindMsg) tea.Cmd {
	if msg.gen != m.gen || m.hidden || m.live != nil || m.loading || msg.from != m.appliedRev {
		return nil // hidden again, moved elsewhere, or already resumed
	}
	if msg.err != nil || msg.rev-m.appliedRev > m.liveCatchUp {
		return tea.Batch(m.reload(0), m.refreshInspected())
	}
	return m.startLive()
}

// refreshInspected reads the inspected key again: a relisting replaces the changes to it that
// the watch would have shown.
func (m *Model) refreshInspected() tea.Cmd {
	in := &m.insp
	if m.pane != paneInspector || !in.open || in.rev != 0 || in.label != "" || in.loading {
		return nil
	}
	return in.fetch()
}
