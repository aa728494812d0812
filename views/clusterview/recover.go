package clusterview

import (
	"context"
	"fmt"
	"strconv"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/views/common"
)

// This file is :recover-nospace: etcd's maintenance guide for a NOSPACE alarm, one question per
// step — compact to the current revision, defragment every member (followers first, leader
// last), disarm, then a test put that proves writes work again. Each step's result stays in the
// panel; a failed step stops the sequence and says what to do.

// confirmRecover is the ID of each step's question.
const confirmRecover = "cluster.recover-nospace"

// recoverCheckKey is the key the last step writes and deletes again.
const recoverCheckKey = "etcdeck-recover-nospace-check"

// recovery is where a :recover-nospace stands: the step asked or running (0: none) and what
// each step did.
type recovery struct {
	step    int
	running bool
	lines   []string
	// waiting: asked for before the view's first health poll (:recover-nospace from another
	// view); the sizes and the first question come with that poll.
	waiting bool
}

// recoverSteps are the steps' names, in order.
var recoverSteps = [...]string{
	"compact to the current revision",
	"defragment every member, followers first and the leader last",
	"disarm the NOSPACE alarms",
	"a test put (written, then deleted) to prove writes work again",
}

// recoverHelp is what to do when step i (from 1) failed.
var recoverHelp = [...]string{
	"the compaction failed: check that the members answer (the table above), then :recover-nospace again",
	"a defragment failed: the members before it are done; fix the cause (health, disk), then :recover-nospace again",
	"the disarm failed: :alarm disarm once the members answer",
	"writes still fail: the database may still be above its quota (:alarm list); delete data or raise --quota-backend-bytes, then :alarm disarm",
}

// startRecover shows every member's DB size, in use and quota and asks the first step.
func (m *Model) startRecover() tea.Cmd {
	c := m.client()
	if c != nil && c.ReadOnly() {
		return refuse(c, "compact", "recover-nospace")
	}
	if len(m.members()) == 0 && m.health != nil {
		m.maint.rec = recovery{waiting: true}
		m.maint.result = maintResult{Title: "Recover from NOSPACE", Lines: []string{"asking every member for its size and quota…"}}
		return nil
	}
	r := recovery{step: 1}
	for _, h := range m.members() {
		if h.Status == nil {
			r.lines = append(r.lines, fmt.Sprintf("%-12s no status: %s", h.Member.Label(), h.State))
			continue
		}
		s := h.Status
		r.lines = append(r.lines, fmt.Sprintf("%-12s db %s · in use %s · quota %s", h.Member.Label(),
			cluster.FormatBytes(s.DBSize), cluster.FormatBytes(s.DBSizeInUse), cluster.FormatBytes(s.DBSizeQuota)))
	}
	m.maint.rec = r
	m.showRecovery()
	m.askStep()
	return nil
}

func (m *Model) askStep() {
	i := m.maint.rec.step
	m.maint.confirm.Ask(confirmRecover, fmt.Sprintf("NOSPACE recovery, step %d of %d: %s?", i, len(recoverSteps), recoverSteps[i-1]))
}

// showRecovery puts the recovery's lines in the panel.
func (m *Model) showRecovery() {
	m.maint.result = maintResult{Title: "Recover from NOSPACE", Lines: append([]string(nil), m.maint.rec.lines...)}
}

// recoverAnswered runs the step asked, or stops the sequence.
func (m *Model) recoverAnswered(msg common.ConfirmMsg) tea.Cmd {
	r := &m.maint.rec
	if r.step == 0 {
		return nil
	}
	if !msg.Yes {
		r.lines = append(r.lines, fmt.Sprintf("stopped before step %d: nothing more changed", r.step))
		r.step = 0
		m.showRecovery()
		return common.Flash(common.FlashInfo, "NOSPACE recovery stopped")
	}
	c := m.client()
	if c == nil {
		r.step = 0
		return common.Flash(common.FlashWarn, "not connected: no cluster to maintain")
	}
	i, wait, timeout := r.step, m.maint.wait, m.maint.timeout
	r.running = true
	label := fmt.Sprintf("recover-nospace %d/%d", i, len(recoverSteps))
	return m.maint.task.Start(m.common.Context(), label, func(ctx context.Context, tr *common.TaskRun) (maintResult, error) {
		return recoverStep(ctx, c, i, tr, wait, timeout)
	})
}

// recoverStep carries out step i; its result's Lines are that step's lines.
func recoverStep(ctx context.Context, c *cluster.Client, i int, tr *common.TaskRun, wait, timeout time.Duration) (maintResult, error) {
	switch i {
	case 1:
		rev, err := c.Compact(ctx, 0, true)
		return maintResult{Summary: "compacted to revision " + strconv.FormatInt(rev, 10)}, err
	case 2:
		rep, err := c.DefragCluster(ctx, cluster.DefragOptions{Wait: wait, Timeout: timeout, Step: tr.Step})
		r := defragResult(rep, nil)
		return maintResult{Summary: r.Summary, Lines: r.Lines}, err
	case 3:
		alarms, err := c.DisarmAlarms(ctx, "NOSPACE")
		return maintResult{Summary: "disarmed " + common.Plural(len(alarms), "NOSPACE alarm")}, err
	default:
		rev, err := c.Put(ctx, recoverCheckKey, []byte(time.Now().UTC().Format(time.RFC3339)), cluster.PutOptions{})
		if err != nil {
			return maintResult{}, err
		}
		if _, err := c.Delete(ctx, recoverCheckKey, rev); err != nil {
			return maintResult{}, fmt.Errorf("the test put worked but its key %s could not be deleted: %w", recoverCheckKey, err)
		}
		return maintResult{Summary: fmt.Sprintf("writes work again (test put at revision %d, deleted)", rev)}, nil
	}
}

// recoverDone records a step's result and asks the next step, or says what to do.
func (m *Model) recoverDone(res *common.TaskResult[maintResult]) tea.Cmd {
	r := &m.maint.rec
	r.running = false
	i := r.step
	if res.Err != nil {
		r.lines = append(r.lines, fmt.Sprintf("✗ step %d, %s: %v", i, recoverSteps[i-1], res.Err))
		r.lines = append(r.lines, res.Value.Lines...)
		r.lines = append(r.lines, "stopped: "+recoverHelp[i-1])
		r.step = 0
		m.showRecovery()
		return nil
	}
	r.lines = append(r.lines, fmt.Sprintf("✓ step %d: %s", i, res.Value.Summary))
	for _, l := range res.Value.Lines {
		r.lines = append(r.lines, "  "+l)
	}
	r.step++
	if r.step > len(recoverSteps) {
		r.step = 0
		m.showRecovery()
		return nil
	}
	m.showRecovery()
	m.askStep()
	return nil
}

// recoverPolled asks the first step once the poll a waiting :recover-nospace needed arrived.
func (m *Model) recoverPolled() {
	if m.maint.rec.waiting && len(m.members()) > 0 && !m.maint.confirm.Active() {
		m.startRecover()
	}
}
