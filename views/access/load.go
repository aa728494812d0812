package access

import (
	"context"

	tea "charm.land/bubbletea/v2"

	"github.com/etcdeck/etcdeck/cluster"
)

// The view's reads and writes, each a command returning a typed message that names the session
// it was issued in; Update drops another session's (common.Foreign) and an outrun listing's.

// listedMsg carries one listing of users and roles.
type listedMsg struct {
	session uint64
	gen     int
	info    cluster.AuthInfo
	err     error
}

func (m listedMsg) ResultSession() uint64 { return m.session }

// doneMsg carries the outcome of one change; what names it ("added user reader").
type doneMsg struct {
	session uint64
	what    string
	op      op
	err     error
}

func (m doneMsg) ResultSession() uint64 { return m.session }

func listCmd(ctx context.Context, c *cluster.Client, session uint64, gen int) tea.Cmd {
	return func() tea.Msg {
		info, err := c.AuthInfo(ctx)
		return listedMsg{session: session, gen: gen, info: info, err: err}
	}
}

// writeCmd runs one change; the password, if any, is captured here and nowhere in a message.
func writeCmd(ctx context.Context, c *cluster.Client, session uint64, ch change, password string) tea.Cmd {
	return func() tea.Msg {
		return doneMsg{session: session, what: ch.done(), op: ch.op, err: ch.run(ctx, c, password)}
	}
}
