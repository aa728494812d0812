package clusterview

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/views/common"
)

// This file is the view's maintenance concern (issue 19): the question before each action, the
// one Task the actions run on, and the panel with the last action's result. The writes go
// through cluster's gate, so read-only refusals and audit lines are the gate's.

// ActionKind names a maintenance action.
type ActionKind int

// The actions, as keys and `:` verbs ask for them.
const (
	AlarmList ActionKind = iota + 1
	AlarmDisarm
	Defrag
	Compact
	RecoverNospace
	MoveLeader
	// Consistency compares every voter's HashKV (x, :hashkv); the membership changes are
	// :member add, promote and remove (members.go).
	Consistency
	MemberAdd
	MemberPromote
	MemberRemove
)

// ActionMsg asks the Cluster view for a maintenance action from the command line (`:alarm
// list`, `:defrag all`, `:compact 1200 --physical`); the root shows the view and forwards it.
type ActionMsg struct {
	Kind ActionKind
	// Member is a member's name or hex ID: for Defrag ("" is every member, leader last),
	// MoveLeader (the new leader), MemberPromote and MemberRemove; MemberAdd's new name.
	Member string
	// PeerURL and ClientURL are MemberAdd's (ClientURL "": the peer's host at port 2379).
	PeerURL, ClientURL string
	// Rev is Compact's revision (0: the current one); Physical waits for the space to be freed.
	Rev      int64
	Physical bool
}

// Question IDs of the actions asked about.
const (
	confirmDisarm  = "cluster.alarm-disarm"
	confirmDefrag  = "cluster.defrag"
	confirmCompact = "cluster.compact"
	confirmMove    = "cluster.move-leader"
)

// maint holds what the maintenance actions share: the question open, the action it will run,
// the task and the last result.
type maint struct {
	confirm common.Confirm
	task    *common.Task[maintResult]
	pending ActionMsg // the action the open question runs on yes
	pendID  uint64    // Defrag of one member: its ID
	result  maintResult
	rec     recovery // a :recover-nospace under way
	// wait and timeout of a defragment (tests shorten the wait).
	wait, timeout time.Duration
}

// maintResult is what an action did, for the panel (Lines, escaped when drawn) and the ✓ line.
type maintResult struct {
	Title   string
	Lines   []string
	Summary string
	// Join is the command that starts a member just added, for y.
	Join string
}

func newMaint(c common.Common) maint {
	return maint{
		confirm: common.NewConfirm(c.Styles).ForSession(c.SessionID()),
		task: common.NewTask("cluster.maintenance", common.TaskCritical[maintResult](),
			common.TaskResultText(func(r maintResult) string { return r.Summary })),
		wait: cluster.DefaultDefragWait, timeout: cluster.DefaultDefragTimeout,
	}
}

// client is the session's client, nil without one.
func (m *Model) client() *cluster.Client {
	if m.common.Session == nil {
		return nil
	}
	return m.common.Session.Client
}

// ask opens the question before action a; reads (the alarm list) run at once. A write is
// refused before the question in read-only mode, through the gate (which audits it).
func (m *Model) ask(a ActionMsg) tea.Cmd {
	c := m.client()
	if m.maint.task.Running() {
		return common.Flash(common.FlashWarn, m.maint.task.Label()+" is running: one maintenance action at a time")
	}
	switch a.Kind {
	case AlarmList:
		return m.run(a)
	case RecoverNospace:
		return m.startRecover()
	case Consistency:
		return m.runHashKV()
	case MemberAdd, MemberPromote, MemberRemove:
		return m.askMember(a)
	}
	// Without a client (rendering tests) the question still opens; answering it runs nothing.
	action, target := "", ""
	switch a.Kind {
	case AlarmDisarm:
		action, target = "alarm-disarm", "all alarms"
	case Defrag:
		action, target = "defragment", "every member"
		if a.Member != "" {
			h, ok := m.memberNamed(a.Member)
			if !ok {
				return common.Flash(common.FlashError, fmt.Sprintf("defrag: no member %q (name or hex ID)", cluster.EscapeText(a.Member)))
			}
			m.maint.pendID, target = h.Member.ID, h.Member.Label()
		}
	case MoveLeader:
		h, ok := m.memberNamed(a.Member)
		switch leader, _ := m.tracker.Leader(); {
		case !ok:
			return common.Flash(common.FlashError, fmt.Sprintf("move-leader: no member %q (name or hex ID)", cluster.EscapeText(a.Member)))
		case h.Member.ID == leader:
			return common.Flash(common.FlashWarn, "move-leader: "+cluster.EscapeText(h.Member.Label())+" already leads: select another member")
		case h.Member.Learner:
			return common.Flash(common.FlashWarn, "move-leader: "+cluster.EscapeText(h.Member.Label())+" is a learner: it cannot lead until promoted")
		}
		m.maint.pendID, action, target = h.Member.ID, "move-leader", "to "+h.Member.Label()
	case Compact:
		action, target = "compact", "the current revision"
		if a.Rev > 0 {
			target = "revision " + strconv.FormatInt(a.Rev, 10)
		}
	}
	if c != nil && c.ReadOnly() {
		return refuse(c, action, target)
	}
	m.maint.pending = a
	switch a.Kind {
	case AlarmDisarm:
		m.maint.confirm.Ask(confirmDisarm, m.disarmQuestion())
	case Defrag:
		m.maint.confirm.Ask(confirmDefrag, m.defragQuestion(a))
	case Compact:
		m.maint.confirm.Ask(confirmCompact, m.compactQuestion(a))
	case MoveLeader:
		h, _ := m.memberByID(m.maint.pendID)
		leader, term := m.tracker.Leader()
		from := "the leader"
		if leader != 0 {
			from = m.tracker.Name(leader)
		}
		m.maint.confirm.Ask(confirmMove, fmt.Sprintf("Move the leadership from %s to %s? An election ends term %d; requests in flight are retried.",
			from, h.Member.Label(), term))
	}
	return nil
}

// refuse records the refusal through the gate and says it.
func refuse(c *cluster.Client, action, target string) tea.Cmd {
	return func() tea.Msg {
		err := c.CheckWrite(action, "", target)
		if err == nil {
			return nil
		}
		return common.FlashMsg{Level: common.FlashError, Text: action + ": " + err.Error()}
	}
}

func (m *Model) disarmQuestion() string {
	var seen []string
	for _, h := range m.members() {
		seen = append(seen, h.Alarms...)
		if len(seen) > 0 {
			break // every member reports the cluster's alarms: one is enough
		}
	}
	if len(seen) == 0 {
		return "Disarm every raised alarm (none seen in the last poll)?"
	}
	return fmt.Sprintf("Disarm %s? Writes resume; if the cause is still there (a full database) the alarm comes back.", strings.Join(seen, ", "))
}

func (m *Model) defragQuestion(a ActionMsg) string {
	if a.Member != "" {
		h, _ := m.memberByID(m.maint.pendID)
		what := ""
		if h.Status != nil {
			what = fmt.Sprintf(" (db %s, in use %s)", cluster.FormatBytes(h.Status.DBSize), cluster.FormatBytes(h.Status.DBSizeInUse))
		}
		return fmt.Sprintf("Defragment %s%s? Its reads and writes block until it is done; every member must be healthy first.", h.Member.Label(), what)
	}
	leader, _ := m.tracker.Leader()
	last := "the leader"
	if leader != 0 {
		last = m.tracker.Name(leader) + " (leader)"
	}
	return fmt.Sprintf("Defragment all %d members one at a time, followers first and %s last, %s apart? Each blocks while its turn runs.",
		len(m.members()), last, m.maint.wait)
}

func (m *Model) compactQuestion(a ActionMsg) string {
	rev := "the current revision"
	if a.Rev > 0 {
		rev = "revision " + strconv.FormatInt(a.Rev, 10)
	} else if r := m.currentRev(); r > 0 {
		rev += fmt.Sprintf(" (about %d)", r)
	}
	q := fmt.Sprintf("Compact to %s? Every older version is gone: H and :rev stop there.", rev)
	if a.Physical {
		q += " Waits until the space is freed."
	}
	return q
}

// answered runs the pending action when the question was answered yes.
func (m *Model) answered(msg common.ConfirmMsg) tea.Cmd {
	switch msg.ID {
	case confirmRecover:
		return m.recoverAnswered(msg)
	case confirmMemberAdd, confirmMemberPromote, confirmMemberRemove:
		return m.memberAnswered(msg)
	}
	switch msg.ID {
	case confirmDisarm, confirmDefrag, confirmCompact, confirmMove:
	default:
		return nil
	}
	a := m.maint.pending
	m.maint.pending = ActionMsg{}
	if !msg.Yes {
		return common.Flash(common.FlashInfo, "cancelled: nothing changed")
	}
	return m.run(a)
}

// run starts action a on the task.
func (m *Model) run(a ActionMsg) tea.Cmd {
	c, t := m.client(), &m.maint
	if c == nil {
		return common.Flash(common.FlashWarn, "not connected: no cluster to maintain")
	}
	switch a.Kind {
	case AlarmList:
		names := m.names()
		return t.task.Start(m.common.Context(), "alarm list", func(ctx context.Context, _ *common.TaskRun) (maintResult, error) {
			alarms, err := c.Alarms(ctx)
			return alarmResult("Alarms", alarms, names), err
		})
	case AlarmDisarm:
		names := m.names()
		return t.task.Start(m.common.Context(), "alarm disarm", func(ctx context.Context, _ *common.TaskRun) (maintResult, error) {
			alarms, err := c.AlarmDisarm(ctx)
			r := alarmResult("Disarmed", alarms, names)
			r.Summary = "disarmed " + common.Plural(len(alarms), "alarm")
			return r, err
		})
	case Compact:
		return t.task.Start(m.common.Context(), "compact", func(ctx context.Context, _ *common.TaskRun) (maintResult, error) {
			rev, err := c.Compact(ctx, a.Rev, a.Physical)
			if err != nil {
				return maintResult{Title: "Compact", Lines: []string{"✗ " + err.Error()}}, err
			}
			return maintResult{Title: "Compact", Summary: fmt.Sprintf("compacted to revision %d", rev), Lines: []string{
				fmt.Sprintf("compacted to revision %d: versions before it are gone (H and :rev stop there)", rev),
				"the space is reused by new writes; a defragment (f, F) gives it back to the disk",
			}}, nil
		})
	case MoveLeader:
		to, names := t.pendID, m.names()
		return t.task.Start(m.common.Context(), "move leader", func(ctx context.Context, _ *common.TaskRun) (maintResult, error) {
			from, err := c.MoveLeader(ctx, to)
			if err != nil {
				return maintResult{Title: "Move leader", Lines: []string{"✗ " + err.Error()}}, err
			}
			return maintResult{Title: "Move leader", Summary: fmt.Sprintf("leadership moved from %s to %s", names[from], names[to]),
				Lines: []string{fmt.Sprintf("%s asked to hand over to %s: the header shows the new leader once a poll sees it", names[from], names[to])}}, nil
		})
	case Defrag:
		o := cluster.DefragOptions{Wait: t.wait, Timeout: t.timeout}
		label := "defragment every member"
		if a.Member != "" {
			o.Only = t.pendID
			label = "defragment " + cluster.EscapeText(a.Member)
		}
		return t.task.Start(m.common.Context(), label, func(ctx context.Context, r *common.TaskRun) (maintResult, error) {
			o.Step = r.Step
			rep, err := c.DefragCluster(ctx, o)
			return defragResult(rep, err), err
		})
	}
	return nil
}

// done applies the task's result: the panel shows it, and the health is polled at once so the
// table shows the new sizes.
func (m *Model) maintDone(res *common.TaskResult[maintResult]) tea.Cmd {
	if res == nil {
		return nil
	}
	var next tea.Cmd
	if m.maint.rec.running {
		next = m.recoverDone(res)
	} else {
		m.maint.result = res.Value
	}
	if res.Err != nil && len(m.maint.result.Lines) == 0 {
		m.maint.result = maintResult{Title: "Failed", Lines: []string{"✗ " + res.Err.Error()}}
	}
	if m.health != nil {
		return tea.Batch(next, m.health.Refresh())
	}
	return next
}
