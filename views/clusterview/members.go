package clusterview

import (
	"context"
	"errors"
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/cluster/member"
	"github.com/etcdeck/etcdeck/cluster/monitor"
	"github.com/etcdeck/etcdeck/embednode"
	"github.com/etcdeck/etcdeck/views/common"
)

// This file is the view's consistency check (x, :hashkv) and membership changes (:member add,
// promote, remove), for replacing a dead member the way the runbooks do: add a learner, start
// it with the printed flags (y copies them), promote it once its lag is 0, remove the dead one.

// Question IDs of the membership changes.
const (
	confirmMemberAdd     = "cluster.member-add"
	confirmMemberPromote = "cluster.member-promote"
	confirmMemberRemove  = "cluster.member-remove"
)

// askMember opens the question of a membership change, after the read-only refusal (audited)
// and the checks the last poll can answer.
func (m *Model) askMember(a ActionMsg) tea.Cmd {
	c := m.client()
	action, target := map[ActionKind]string{MemberAdd: "member-add-learner", MemberPromote: "member-promote", MemberRemove: "member-remove"}[a.Kind], a.Member
	if c != nil && c.ReadOnly() {
		return refuse(c, action, target)
	}
	if a.Kind == MemberAdd {
		m.maint.pending = a
		m.maint.confirm.Ask(confirmMemberAdd, fmt.Sprintf("Add %s as a learner at %s? It receives the log but does not vote until promoted; start it with the flags shown next.",
			a.Member, a.PeerURL))
		return nil
	}
	h, ok := m.memberNamed(a.Member)
	if !ok {
		return common.Flash(common.FlashError, fmt.Sprintf("member %s: no member %q (name or hex ID)", strings.TrimPrefix(action, "member-"), cluster.EscapeText(a.Member)))
	}
	m.maint.pending, m.maint.pendID = a, h.Member.ID
	label := h.Member.Label()
	if a.Kind == MemberPromote {
		if !h.Member.Learner {
			return common.Flash(common.FlashWarn, "member promote: "+cluster.EscapeText(label)+" already votes")
		}
		m.maint.confirm.Ask(confirmMemberPromote, fmt.Sprintf("Promote learner %s to a voting member? %s", label, m.lagText(h)))
		return nil
	}
	imp := cluster.ImpactOfRemoving(m.memberInfos(), m.answering(), h.Member.ID)
	if imp.LastVoter {
		// Audited as the refusal it is, through the same words the cluster's gate uses.
		return common.Flash(common.FlashError, "member remove: "+cluster.EscapeText(label)+": "+cluster.ErrLastVoter.Error())
	}
	q := fmt.Sprintf("Remove %s from the cluster? Its data stays on its host but it can never rejoin under its ID. Type %s to remove it.", label, label)
	switch {
	case imp.Learner:
		q = fmt.Sprintf("Remove learner %s? The quorum does not change. Type %s to remove it.", label, label)
	case imp.LosesQuorum:
		q = fmt.Sprintf("REMOVING %s LOSES QUORUM: %d of %d voters answer now, and after it fewer than the %d needed would: the cluster stops taking writes. Type %s to remove it anyway.",
			label, imp.Healthy, imp.Voters, imp.Quorum, label)
	}
	return m.maint.confirm.AskTyped(confirmMemberRemove, q, label)
}

// lagText is the learner's lag behind the leader in the last poll, in words.
func (m *Model) lagText(h monitor.MemberHealth) string {
	leader, _ := m.tracker.Leader()
	l, ok := m.memberByID(leader)
	if h.Status == nil || !ok || l.Status == nil {
		return "Its lag is unknown (no status from it or the leader in the last poll); etcd refuses the promote until it has caught up."
	}
	lag := cluster.LearnerLag(l.Status.RaftIndex, h.Status.RaftAppliedIndex)
	if lag == 0 {
		return fmt.Sprintf("It has caught up (applied index %d, the leader's %d).", h.Status.RaftAppliedIndex, l.Status.RaftIndex)
	}
	return fmt.Sprintf("It is %d entries behind the leader (applied %d of %d): etcd refuses the promote until it has caught up.",
		lag, h.Status.RaftAppliedIndex, l.Status.RaftIndex)
}

// names maps every member's ID to its name, for results that carry IDs.
func (m *Model) names() map[uint64]string {
	out := map[uint64]string{}
	for _, h := range m.members() {
		out[h.Member.ID] = h.Member.Label()
	}
	return out
}

// memberNamed finds a member by name or hex ID.
func (m *Model) memberNamed(s string) (monitor.MemberHealth, bool) {
	for _, h := range m.members() {
		if h.Member.Name == s || h.Member.IDString() == strings.ToLower(s) {
			return h, true
		}
	}
	return monitor.MemberHealth{}, false
}

func (m *Model) memberByID(id uint64) (monitor.MemberHealth, bool) {
	for _, h := range m.members() {
		if h.Member.ID == id {
			return h, true
		}
	}
	return monitor.MemberHealth{}, false
}

// currentRev is the highest revision the last poll saw.
func (m *Model) currentRev() int64 {
	var rev int64
	for _, h := range m.members() {
		if h.Status != nil {
			rev = max(rev, h.Status.Revision)
		}
	}
	return rev
}

// memberInfos is the last poll's member list.
func (m *Model) memberInfos() []member.Info {
	var out []member.Info
	for _, h := range m.members() {
		out = append(out, h.Member)
	}
	return out
}

// answering is which members answered the last poll.
func (m *Model) answering() map[uint64]bool {
	out := map[uint64]bool{}
	for _, h := range m.members() {
		// A raised alarm makes a member "unhealthy" but it still votes.
		out[h.Member.ID] = h.State == monitor.StateHealthy || (h.State == monitor.StateUnhealthy && h.Status != nil)
	}
	return out
}

// memberAnswered runs the membership change asked once answered yes (or the typed name).
func (m *Model) memberAnswered(msg common.ConfirmMsg) tea.Cmd {
	a, id := m.maint.pending, m.maint.pendID
	m.maint.pending = ActionMsg{}
	if !msg.Yes {
		if msg.ID == confirmMemberRemove && !msg.Cancelled {
			return common.Flash(common.FlashWarn, "member remove: the name typed was not "+cluster.EscapeText(m.names()[id])+": nothing changed")
		}
		return common.Flash(common.FlashInfo, "cancelled: nothing changed")
	}
	c := m.client()
	if c == nil {
		return common.Flash(common.FlashWarn, "not connected: no cluster to change")
	}
	switch msg.ID {
	case confirmMemberAdd:
		return m.maint.task.Start(m.common.Context(), "member add "+cluster.EscapeText(a.Member), func(ctx context.Context, _ *common.TaskRun) (maintResult, error) {
			p, err := c.AddLearner(ctx, a.Member, a.PeerURL, a.ClientURL)
			if err != nil {
				return maintResult{Title: "Member add", Lines: []string{"✗ " + err.Error()}}, err
			}
			return joinResult(p), nil
		})
	case confirmMemberPromote:
		label := m.names()[id]
		return m.maint.task.Start(m.common.Context(), "member promote "+cluster.EscapeText(label), func(ctx context.Context, _ *common.TaskRun) (maintResult, error) {
			if err := c.PromoteMember(ctx, id, label); err != nil {
				return maintResult{Title: "Member promote", Lines: []string{"✗ " + err.Error()}}, err
			}
			return maintResult{Title: "Member promote", Summary: label + " promoted: it votes now",
				Lines: []string{label + " is a voting member now: the quorum counts it"}}, nil
		})
	default:
		label := m.names()[id]
		return m.maint.task.Start(m.common.Context(), "member remove "+cluster.EscapeText(label), func(ctx context.Context, _ *common.TaskRun) (maintResult, error) {
			if err := c.RemoveMember(ctx, id, label); err != nil {
				return maintResult{Title: "Member remove", Lines: []string{"✗ " + err.Error()}}, err
			}
			return maintResult{Title: "Member remove", Summary: label + " removed from the cluster",
				Lines: []string{label + " removed: stop its etcd and move its data dir aside before reusing the host"}}, nil
		})
	}
}

// joinResult shows the flags that start the new learner, one per line, quoted for a shell; Join
// is the one-line command y copies.
func joinResult(p cluster.JoinPlan) maintResult {
	f := p.Flags()
	words := []string{"etcd"}
	lines := []string{fmt.Sprintf("learner %s added (ID %x): start it on its host, with an empty --data-dir, as:", p.Name, p.ID)}
	for i := 0; i+1 < len(f); i += 2 {
		pair := f[i] + " " + embednode.ShellQuote(f[i+1])
		words = append(words, pair)
		lines = append(lines, "  "+pair)
	}
	if p.ClientGuessed {
		lines = append(lines, "the client URL is a guess (etcd's port 2379 on the peer's host): :member add NAME PEER-URL CLIENT-URL chooses it")
	}
	lines = append(lines, "then :member promote "+p.Name+" once its lag is 0 (y copies the command)")
	return maintResult{Title: "Member add", Summary: "learner " + p.Name + " added: y copies its flags", Lines: lines, Join: strings.Join(words, " ")}
}

// copyJoin is y after :member add: the command that starts the new member, on the clipboard.
func (m *Model) copyJoin() tea.Cmd {
	if m.maint.result.Join == "" {
		return nil
	}
	return tea.Batch(tea.SetClipboard(m.maint.result.Join+"\n"),
		common.Flash(common.FlashInfo, "copied the new member's etcd command (one line) via OSC 52: the terminal must allow clipboard writes"))
}

// runHashKV is x and :hashkv: every voter's hash at one revision, a read (read-only allows it).
func (m *Model) runHashKV() tea.Cmd {
	c := m.client()
	if c == nil {
		return common.Flash(common.FlashWarn, "not connected: no cluster to check")
	}
	return m.maint.task.Start(m.common.Context(), "consistency check", func(ctx context.Context, _ *common.TaskRun) (maintResult, error) {
		rep, err := c.HashKV(ctx, 0)
		if err != nil {
			return maintResult{Title: "Consistency", Lines: []string{"✗ " + err.Error()}}, err
		}
		return hashResult(rep)
	})
}

// hashResult is the check in lines: each member's hash, then agreement or, loudly, each
// mismatch with the members on each side and what it means.
func hashResult(rep cluster.HashReport) (maintResult, error) {
	r := maintResult{Title: fmt.Sprintf("Consistency · HashKV at revision %d", rep.Rev)}
	failed := 0
	for _, h := range rep.Members {
		switch {
		case h.Skipped != "":
			r.Lines = append(r.Lines, fmt.Sprintf("%-12s not compared: %s", h.Label(), h.Skipped))
		case h.Err != nil:
			failed++
			r.Lines = append(r.Lines, fmt.Sprintf("%-12s ✗ %v", h.Label(), h.Err))
		default:
			r.Lines = append(r.Lines, fmt.Sprintf("%-12s hash %08x · compacted at %d", h.Label(), h.Hash, h.CompactRev))
		}
	}
	if alone := rep.Alone(); len(alone) > 0 {
		r.Lines = append(r.Lines, fmt.Sprintf("not compared (no other member at its compact revision): %s — a compaction was being applied: x again", strings.Join(alone, ", ")))
	}
	mm := rep.Mismatches()
	for _, x := range mm {
		var sides []string
		for _, s := range x.Sides {
			sides = append(sides, fmt.Sprintf("%s (hash %08x)", strings.Join(s.Members, ", "), s.Hash))
		}
		r.Lines = append(r.Lines, fmt.Sprintf("✗ MISMATCH at revision %d (compacted at %d): %s", rep.Rev, x.CompactRev, strings.Join(sides, " ≠ ")))
	}
	if len(mm) > 0 {
		r.Lines = append(r.Lines, "✗ the members hold different data at the same revision: one side is corrupted. Do not restore or snapshot from a member of the smaller side; replace it (:member remove, then :member add) and check again")
		r.Summary = fmt.Sprintf("HASH MISMATCH at revision %d", rep.Rev)
		return r, errors.New("HashKV mismatch: the members hold different data at revision " + fmt.Sprint(rep.Rev))
	}
	n := rep.Compared()
	switch {
	case n < 2:
		r.Summary = "nothing to compare: fewer than two members answered at one compact revision"
	default:
		r.Summary = fmt.Sprintf("%d members agree at revision %d", n, rep.Rev)
		r.Lines = append(r.Lines, fmt.Sprintf("✓ %s", r.Summary))
	}
	if failed > 0 {
		return r, fmt.Errorf("%s did not answer HashKV", common.Plural(failed, "member"))
	}
	return r, nil
}
