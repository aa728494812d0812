package find

import (
	tea "charm.land/bubbletea/v2"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/views/common"
)

// exportedMsg reports an export (x): the file written and how many matches it holds.
type exportedMsg struct {
	session uint64
	path    string
	n       int
	err     error
}

// ResultSession makes exportedMsg a common.Result: another session's is dropped.
func (m exportedMsg) ResultSession() uint64 { return m.session }

// export writes the matches kept so far (a running search's too) through the cluster's write
// path, which refuses in read-only mode and audits the file written.
func (m *Model) export() tea.Cmd {
	cl := m.client()
	if cl == nil || len(m.matches) == 0 {
		return common.Flash(common.FlashWarn, "nothing to export: no match found")
	}
	e := cluster.FindExport{Prefix: m.query.Prefix, Text: m.query.Text, Rev: m.prog.Rev, Scanned: m.prog.Scanned,
		Found: m.prog.Found, Capped: m.prog.Capped, Finished: m.prog.Finished,
		Matches: append([]cluster.FindMatch(nil), m.matches...)}
	ctx, session, dir, now := m.common.Context(), m.common.SessionID(), m.exportDir, m.now()
	return func() tea.Msg {
		path, err := cl.ExportFind(ctx, dir, e, now)
		return exportedMsg{session: session, path: path, n: len(e.Matches), err: err}
	}
}

// exported says where the matches went, or why they did not.
func (m *Model) exported(msg exportedMsg) tea.Cmd {
	if msg.err != nil {
		return common.Flash(common.FlashError, "✗ export: "+cluster.EscapeText(msg.err.Error()))
	}
	return common.Flash(common.FlashInfo, "✓ "+matchCount(msg.n)+" exported to "+cluster.EscapeText(msg.path))
}
