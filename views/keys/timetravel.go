package keys

import (
	"strconv"

	tea "charm.land/bubbletea/v2"

	"github.com/etcdeck/etcdeck/views/common"
)

// Time travel: `:rev N` shows the whole tree as it was at revision N — every listing, count and
// value read at N (cluster.ListOptions.Rev, FillDetails and GetKey at N), no live watch, edits
// disabled — and `:rev` alone returns to live.

// TimeTravelMsg pins the Keys view to revision Rev, or returns it to live when Rev is 0. The
// command line sends it (`:rev N`).
type TimeTravelMsg struct{ Rev int64 }

// revCheckedMsg says whether revision rev can be read.
type revCheckedMsg struct {
	sid uint64
	rev int64
	err error
}

func (m revCheckedMsg) ResultSession() uint64 { return m.sid }

// timeTravel checks that rev can be read before pinning the view to it, so a compacted or
// future revision is one message and the view stays where it was.
func (m *Model) timeTravel(rev int64) tea.Cmd {
	if rev == 0 {
		if m.pinRev == 0 {
			return common.Flash(common.FlashInfo, "already live")
		}
		m.pinRev = 0
		m.setPane(paneNone)
		return tea.Batch(common.Flash(common.FlashInfo, "back to live"), m.open(m.dir, m.selectedName()))
	}
	s := m.common.Session
	if s == nil {
		return nil
	}
	return func() tea.Msg {
		return revCheckedMsg{sid: s.ID, rev: rev, err: s.Client.CheckRev(s.Context(), rev)}
	}
}

func (m *Model) revChecked(msg revCheckedMsg) tea.Cmd {
	if msg.err != nil {
		return common.Flash(common.FlashError, ":rev "+strconv.FormatInt(msg.rev, 10)+": "+msg.err.Error())
	}
	m.pinRev = msg.rev
	m.setPane(paneNone)
	return tea.Batch(common.Flash(common.FlashInfo, "showing the keyspace at rev "+strconv.FormatInt(msg.rev, 10)+" (not live; edits disabled; :rev returns to live)"),
		m.open(m.dir, m.selectedName()))
}

// pinnedRefusal is why an edit is refused while the view shows the past, or "".
func (m *Model) pinnedRefusal() string {
	if m.pinRev == 0 {
		return ""
	}
	return "showing rev " + strconv.FormatInt(m.pinRev, 10) + " (not live): edits are disabled; :rev returns to live"
}
