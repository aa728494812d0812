package leases

import (
	"fmt"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/views/common"
)

// Revoking and granting go through the cluster's write path (cluster.RevokeLease, GrantLease):
// a read-only session refuses them there, audited. A revoke deletes the lease's keys, so it is
// asked first with the number of keys read just before, and answered by typing revokeWord.

// revokeID is the ID of the revoke question in ConfirmMsg.
const revokeID = "leases.revoke"

// revokeWord is what the revoke question asks to be typed.
const revokeWord = "revoke"

// askRevoke reads lease id's keys for the question; a read-only session refuses at once (the
// gate records the refusal).
func (m *Model) askRevoke(id int64) tea.Cmd {
	c := m.client()
	if c == nil {
		return nil
	}
	if err := c.CheckWrite("lease-revoke", "", "lease "+cluster.FormatLeaseID(id)); err != nil {
		return common.Flash(common.FlashError, "revoke lease "+cluster.FormatLeaseID(id)+": "+err.Error())
	}
	return revokeReadCmd(m.ctx(), c, m.common.SessionID(), id)
}

// revokeRead asks the question, naming the lease and how many keys go with it.
func (m *Model) revokeRead(msg revokeReadMsg) tea.Cmd {
	id := cluster.FormatLeaseID(msg.lease.ID)
	switch {
	case msg.err != nil:
		return common.Flash(common.FlashError, msg.err.Error())
	case msg.lease.Gone():
		return common.Flash(common.FlashWarn, "lease "+id+" is not there (expired or revoked): nothing to revoke")
	}
	m.revoking = msg.lease
	what := "Revoke lease " + id + "? It deletes no key (none attached)."
	if n := len(msg.lease.Keys); n > 0 {
		what = fmt.Sprintf("Revoke lease %s? It deletes %s: %s.", id, common.Plural(n, "key"), keysSample(msg.lease.Keys, 3))
	}
	return m.confirm.AskTyped(revokeID, what, revokeWord)
}

// keysSample names the first n keys, escaped, and says how many more there are.
func keysSample(keys []string, n int) string {
	out := make([]string, 0, n+1)
	for _, k := range keys[:min(n, len(keys))] {
		out = append(out, cluster.EscapeKey(k))
	}
	if more := len(keys) - n; more > 0 {
		out = append(out, fmt.Sprintf("and %s more", common.Thousands(int64(more))))
	}
	return strings.Join(out, ", ")
}

// revokeAnswered revokes when the word was typed.
func (m *Model) revokeAnswered(msg common.ConfirmMsg) tea.Cmd {
	l := m.revoking
	m.revoking = cluster.Lease{}
	switch {
	case msg.Cancelled:
		return common.Flash(common.FlashInfo, "revoke cancelled")
	case !msg.Yes:
		return common.Flash(common.FlashWarn, "not revoked: type "+revokeWord+" to revoke")
	case l.ID == 0 || m.client() == nil:
		return nil
	}
	return revokeCmd(m.ctx(), m.client(), m.common.SessionID(), l.ID, len(l.Keys))
}

func (m *Model) revoked(msg revokedMsg) tea.Cmd {
	id := cluster.FormatLeaseID(msg.id)
	if msg.err != nil {
		return common.Flash(common.FlashError, "revoke lease "+id+": "+msg.err.Error())
	}
	return tea.Batch(m.refresh(), common.Flash(common.FlashInfo,
		fmt.Sprintf("✓ revoked lease %s: %s deleted (rev %d)", id, common.Plural(msg.keys, "key"), msg.rev)))
}

// grant grants a lease of ttl; a read-only session's write path refuses it, audited.
func (m *Model) grant(ttl time.Duration) tea.Cmd {
	if m.client() == nil {
		return nil
	}
	return grantCmd(m.ctx(), m.client(), m.common.SessionID(), ttl)
}

func (m *Model) granted(msg grantedMsg) tea.Cmd {
	if msg.err != nil {
		return common.Flash(common.FlashError, "grant lease: "+msg.err.Error())
	}
	return tea.Batch(m.refresh(), common.Flash(common.FlashInfo,
		fmt.Sprintf("✓ granted lease %s (ttl %s)", cluster.FormatLeaseID(msg.id), formatTTL(int64((msg.ttl+time.Second-1)/time.Second)))))
}

// refresh lists again after a write, so the row comes or goes at once.
func (m *Model) refresh() tea.Cmd {
	if m.ids == nil {
		return nil
	}
	return m.ids.Refresh()
}
