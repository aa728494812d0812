package tui

import (
	"context"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/etcdeck/etcdeck/views/common"
)

// TestFlowQuitAsksDuringCriticalTask: a critical common.Task (a restore, a defragment) running
// makes q ask, naming the task's label; n keeps it running.
func TestFlowQuitAsksDuringCriticalTask(t *testing.T) {
	start := criticalStart(t, "restore a.db")
	f := startFlow(t, newTestModel(t, testConfig()), 80, 24)
	f.tm.Send(start)
	f.waitText("restore a.db")
	f.keys("q")
	f.waitText("restore a.db is running. Quit and interrupt it?")
	f.keys("y")
	f.tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
}

// TestFlowQuitAfterTheTaskEnds: q asked because a critical task was running; the task ends
// before the answer (its ✓ line and its end arrive in separate messages, so the screen may
// already show it done): the console quits as asked instead of asking about a finished task.
func TestFlowQuitAfterTheTaskEnds(t *testing.T) {
	start := criticalStart(t, "recover-nospace 4/4")
	f := startFlow(t, newTestModel(t, testConfig()), 80, 24)
	f.tm.Send(start)
	f.waitText("recover-nospace 4/4")
	f.keys("q")
	f.waitText("recover-nospace 4/4 is running. Quit and interrupt it?")
	f.tm.Send(common.TaskDoneMsg{ID: start.ID, Result: "writes work again"})
	f.tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
}

// criticalStart is the start message of a critical task labelled label. Only its start is run:
// the work itself is the views' to test against a real member.
func criticalStart(t *testing.T, label string) common.TaskStartMsg {
	t.Helper()
	task := common.NewTask("test.critical", common.TaskCritical[int]())
	cmd := task.Start(context.Background(), label, func(context.Context, *common.TaskRun) (int, error) { return 0, nil })
	start, ok := find[common.TaskStartMsg](t, func() tea.Msg { return cmd().(tea.BatchMsg)[0]() })
	if !ok {
		t.Fatal("the task announced nothing")
	}
	return start
}
