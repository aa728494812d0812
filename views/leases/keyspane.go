package leases

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/views/common"
)

// keysPane is the keys of one lease (enter on a lease): read with TimeToLive's attached keys
// when it opens; enter on a key opens it in the Keys view's inspector, esc goes back to the list.
type keysPane struct {
	open    bool
	id      int64
	gen     int
	loading bool
	err     string
	lease   cluster.Lease
	cursor  int
	offset  int
}

// openLease shows lease id's keys, reading them.
func (p *keysPane) openLease(m *Model, id int64) tea.Cmd {
	p.gen++
	*p = keysPane{open: true, id: id, gen: p.gen, loading: true}
	if m.client() == nil {
		p.loading = false
		return nil
	}
	return keysCmd(m.ctx(), m.client(), m.common.SessionID(), p.gen, id)
}

// arrived takes the lease's keys, unless the pane was closed or another lease opened since.
func (p *keysPane) arrived(msg keysMsg) {
	if !p.open || msg.gen != p.gen {
		return
	}
	p.loading, p.err = false, ""
	if msg.err != nil {
		p.err = msg.err.Error()
		return
	}
	p.lease = msg.lease
}

func (p *keysPane) handleKey(m *Model, msg tea.KeyPressMsg) tea.Cmd {
	k := m.common.Keys.Leases
	switch {
	case key.Matches(msg, m.common.Keys.Global.Back):
		p.open = false
		p.gen++ // a read still running is dropped
	case key.Matches(msg, k.Up):
		p.move(m, -1)
	case key.Matches(msg, k.Down):
		p.move(m, 1)
	case key.Matches(msg, k.PageUp):
		p.move(m, -p.rows(m))
	case key.Matches(msg, k.PageDown):
		p.move(m, p.rows(m))
	case key.Matches(msg, k.Top):
		p.move(m, -len(p.lease.Keys))
	case key.Matches(msg, k.Bottom):
		p.move(m, len(p.lease.Keys))
	case key.Matches(msg, k.Open):
		if p.cursor < len(p.lease.Keys) {
			// GotoMsg takes a path as typed on the command line: escaped, so a key with
			// control bytes or backslashes arrives as itself.
			return common.Cmd(common.GotoMsg{Path: cluster.EscapeKey(p.lease.Keys[p.cursor])})
		}
	}
	return nil
}

// rows is how many keys fit: the view's title, the pane's header and the footer take 3 lines.
func (p *keysPane) rows(m *Model) int { return max(1, m.height-3) }

func (p *keysPane) move(m *Model, delta int) {
	n, rows := len(p.lease.Keys), p.rows(m)
	p.cursor = max(0, min(p.cursor+delta, n-1))
	if p.cursor < p.offset {
		p.offset = p.cursor
	}
	if p.cursor >= p.offset+rows {
		p.offset = p.cursor - rows + 1
	}
}

// view is the pane's header line and its keys; keys are escaped (the one escaping rule).
func (p *keysPane) view(m *Model) string {
	st := m.common.Styles
	head := " " + st.Muted.Render("keys of lease "+cluster.FormatLeaseID(p.id))
	switch {
	case p.loading:
		return head + "\n " + st.Muted.Render("reading…")
	case p.err != "":
		return head + "\n " + st.Error.Render("✗ "+cluster.EscapeText(p.err))
	case p.lease.Gone():
		return head + "\n " + st.Muted.Render("this lease has expired or was revoked: its keys are gone")
	case len(p.lease.Keys) == 0:
		return head + "\n " + st.Muted.Render("no keys are attached to this lease (an orphan: revoking it deletes nothing)")
	}
	head += st.Muted.Render(" · " + common.Plural(len(p.lease.Keys), "key") + " · granted " +
		formatTTL(p.lease.Granted) + " · " + remaining(p.lease, m.now) + " left")
	lines := []string{head}
	end := min(len(p.lease.Keys), p.offset+p.rows(m))
	for i := p.offset; i < end; i++ {
		line := " " + cluster.EscapeKey(p.lease.Keys[i])
		if i == p.cursor {
			line = st.Selected.Render(common.Pad(line, m.width))
		}
		lines = append(lines, line)
	}
	return strings.Join(lines, "\n")
}
