package keys

import (
	tea "charm.land/bubbletea/v2"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/views/common"
)

// The details of the rows on screen: directory counts and value sizes the listing left unknown.

// fetchDetails asks for the counts and sizes of on-screen rows that lack them, off the UI loop;
// they are shown as they arrive. Details are read at appliedRev, the revision up to which the
// view has applied every change; changes applied while they are read are added when they land.
func (m *Model) fetchDetails() tea.Cmd {
	s := m.common.Session
	if s == nil || m.loading || m.midRev || m.appliedRev == 0 || m.permitted != nil {
		return nil // a permitted listing shows permissions, not counts
	}
	var want []cluster.Row
	for i := m.offset; i < min(len(m.visible), m.offset+m.listHeight()); i++ {
		r := m.rows[m.visible[i]]
		if _, busy := m.pending[r.Name]; ((r.Dir && r.Count < 0) || (r.Leaf && r.ValueSize < 0)) && !busy {
			m.pending[r.Name] = 0
			want = append(want, r)
		}
	}
	if len(want) == 0 {
		return nil
	}
	gen, dir, sep, rev := m.gen, m.dir, m.sep, m.appliedRev
	return func() tea.Msg {
		err := s.Client.FillDetails(s.Context(), dir, sep, rev, want)
		return detailsMsg{sid: s.ID, gen: gen, rows: want, err: err}
	}
}

// detailed merges fetched details into the rows still there.
func (m *Model) detailed(msg detailsMsg) tea.Cmd {
	if msg.gen != m.gen {
		return nil
	}
	delta := make(map[string]int64, len(msg.rows))
	for _, d := range msg.rows {
		delta[d.Name] = m.pending[d.Name]
		delete(m.pending, d.Name)
	}
	if cluster.IsCompacted(msg.err) {
		// A quiet directory's applied revision fell behind the cluster's compaction (Kubernetes
		// compacts every 5 minutes): the watch's progress notification moves it to the current
		// revision, and the next live message counts again there. Only when that did not help
		// is the listing reloaded.
		if m.live != nil && !m.progressAsked {
			m.progressAsked = true
			w := m.live.w
			return func() tea.Msg {
				if err := w.RequestProgress(); err != nil {
					return common.FlashMsg{Level: common.FlashWarn, Text: "counting keys: " + err.Error()}
				}
				return nil
			}
		}
		return tea.Batch(common.Flash(common.FlashWarn, "the listing's revision was compacted: reloaded"), m.reload(0))
	}
	var page tea.Cmd
	if m.pageAfterDetails {
		m.pageAfterDetails = false
		page = m.maybePage()
	}
	if msg.err != nil {
		return tea.Batch(common.Flash(common.FlashError, "counting keys: "+msg.err.Error()), page)
	}
	keep := m.selectedName()
	changed := false
	for _, d := range msg.rows {
		i, ok := cluster.FindRow(m.rows, d.Name)
		if !ok {
			continue
		}
		// Only what is still unknown is filled: events since the read already set the rest.
		r := &m.rows[i]
		if r.Dir && d.Dir && r.Count < 0 {
			r.Count = d.Count + delta[d.Name]
			if r.Count <= 0 { // emptied while we looked
				r.Dir, r.Count, changed = false, 0, true
			}
		}
		if r.Leaf && d.Leaf && r.ValueSize < 0 {
			r.ValueSize = d.ValueSize
		}
	}
	if changed {
		m.dropEmpty()
		m.refilterKeep(keep)
	}
	return tea.Batch(m.fetchDetails(), page) // fetch again: rows that became unknown while these were read
}

// dropEmpty removes rows that are neither a key nor a directory any more.
func (m *Model) dropEmpty() {
	out := m.rows[:0]
	for _, r := range m.rows {
		if r.Leaf || r.Dir {
			out = append(out, r)
		}
	}
	m.rows = out
}
