package leases

import (
	"context"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/etcdeck/etcdeck/cluster"
)

// The view's reads and writes, each a command returning a typed message that names the session
// it was issued in (common.Result) and, for reads the user can outrun, the generation: Update
// drops what is stale.

// CommandMsg carries `:lease revoke ID` or `:lease grant TTL` to the Leases view (the root shows
// the view first). Exactly one of Revoke and Grant is set.
type CommandMsg struct {
	Revoke int64
	Grant  time.Duration
}

// detailsMsg carries the rows on screen as TimeToLive read them (their key counts).
type detailsMsg struct {
	session uint64
	gen     int
	leases  []cluster.Lease
	err     error
}

func (m detailsMsg) ResultSession() uint64 { return m.session }

// summaryMsg carries one summary pass over the leases.
type summaryMsg struct {
	session uint64
	sum     cluster.LeaseSummary
	at      time.Time
	err     error
}

func (m summaryMsg) ResultSession() uint64 { return m.session }

// keysMsg carries the keys of the lease opened with enter.
type keysMsg struct {
	session uint64
	gen     int
	lease   cluster.Lease
	err     error
}

func (m keysMsg) ResultSession() uint64 { return m.session }

// revokeReadMsg carries the lease about to be revoked, read for the question (its key count).
type revokeReadMsg struct {
	session uint64
	lease   cluster.Lease
	err     error
}

func (m revokeReadMsg) ResultSession() uint64 { return m.session }

// revokedMsg and grantedMsg carry a write's outcome.
type revokedMsg struct {
	session uint64
	id      int64
	keys    int
	rev     int64
	err     error
}

func (m revokedMsg) ResultSession() uint64 { return m.session }

type grantedMsg struct {
	session uint64
	id      int64
	ttl     time.Duration
	err     error
}

func (m grantedMsg) ResultSession() uint64 { return m.session }

// tickMsg makes the remaining TTLs count down once a second while the view is on screen.
type tickMsg struct {
	session uint64
	gen     int
	at      time.Time
}

func (m tickMsg) ResultSession() uint64 { return m.session }

// tickEvery is how often the remaining TTLs are redrawn.
const tickEvery = time.Second

func tickCmd(session uint64, gen int) tea.Cmd {
	return tea.Tick(tickEvery, func(t time.Time) tea.Msg { return tickMsg{session: session, gen: gen, at: t} })
}

func detailsCmd(ctx context.Context, c *cluster.Client, session uint64, gen int, ids []int64) tea.Cmd {
	return func() tea.Msg {
		ls, err := c.LeaseDetails(ctx, ids)
		return detailsMsg{session: session, gen: gen, leases: ls, err: err}
	}
}

func summaryCmd(ctx context.Context, c *cluster.Client, session uint64, ids []int64) tea.Cmd {
	return func() tea.Msg {
		s, err := c.SummarizeLeases(ctx, ids)
		return summaryMsg{session: session, sum: s, at: time.Now(), err: err}
	}
}

func keysCmd(ctx context.Context, c *cluster.Client, session uint64, gen int, id int64) tea.Cmd {
	return func() tea.Msg {
		l, err := c.LeaseDetail(ctx, id, true)
		return keysMsg{session: session, gen: gen, lease: l, err: err}
	}
}

func revokeReadCmd(ctx context.Context, c *cluster.Client, session uint64, id int64) tea.Cmd {
	return func() tea.Msg {
		l, err := c.LeaseDetail(ctx, id, true)
		return revokeReadMsg{session: session, lease: l, err: err}
	}
}

func revokeCmd(ctx context.Context, c *cluster.Client, session uint64, id int64, keys int) tea.Cmd {
	return func() tea.Msg {
		rev, err := c.RevokeLease(ctx, id)
		return revokedMsg{session: session, id: id, keys: keys, rev: rev, err: err}
	}
}

func grantCmd(ctx context.Context, c *cluster.Client, session uint64, ttl time.Duration) tea.Cmd {
	return func() tea.Msg {
		id, err := c.GrantLease(ctx, ttl)
		return grantedMsg{session: session, id: id, ttl: ttl, err: err}
	}
}
