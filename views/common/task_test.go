package common

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
)

// started is what Start's command holds: the status bar's start, the work and the first wait
// for a report.
type started struct {
	start      TaskStartMsg
	work, wait tea.Cmd
}

// startTask splits Start's command; the work is a function here (what the views run is tested
// against a real member in their packages).
func startTask(t *testing.T, cmd tea.Cmd) started {
	t.Helper()
	if cmd == nil {
		t.Fatal("Start returned no command")
	}
	b, ok := cmd().(tea.BatchMsg)
	if !ok || len(b) != 3 {
		t.Fatalf("Start's command is %T, want a batch of three", cmd())
	}
	st, ok := b[0]().(TaskStartMsg)
	if !ok {
		t.Fatal("Start does not announce the task first")
	}
	return started{start: st, work: b[1], wait: b[2]}
}

// batchMsgs runs cmd and the commands of its batch, returning their messages.
func batchMsgs(cmd tea.Cmd) []tea.Msg {
	if cmd == nil {
		return nil
	}
	msg := cmd()
	b, ok := msg.(tea.BatchMsg)
	if !ok {
		return []tea.Msg{msg}
	}
	var out []tea.Msg
	for _, c := range b {
		out = append(out, batchMsgs(c)...)
	}
	return out
}

func firstOf[T tea.Msg](msgs []tea.Msg) (T, bool) {
	for _, m := range msgs {
		if v, ok := m.(T); ok {
			return v, true
		}
	}
	var zero T
	return zero, false
}

// TestTaskProgressAndResult: reports reach the status bar as bytes, rate and elapsed; the
// result goes to the view with the ✓ line; one run at a time.
func TestTaskProgressAndResult(t *testing.T) {
	task := NewTask("test.save", TaskResultText(func(n int) string { return "saved " + strings.Repeat("x", n) }))
	release := make(chan struct{})
	s := startTask(t, task.Start(context.Background(), "snapshot", func(ctx context.Context, r *TaskRun) (int, error) {
		r.Progress(Progress{Note: "from the leader a:2379", Bytes: 1 << 20, Total: 4 << 20, Elapsed: 2 * time.Second})
		<-release
		return 3, nil
	}))
	if s.start.ID != "test.save" || s.start.Label != "snapshot" || s.start.Critical {
		t.Fatalf("start: %+v", s.start)
	}
	if !task.Running() || task.Start(context.Background(), "again", nil) != nil {
		t.Fatal("a second run started while one runs")
	}
	workDone := make(chan tea.Msg, 1)
	go func() { workDone <- s.work() }()
	res, mine, cmd := task.Update(s.wait())
	if !mine || res != nil {
		t.Fatalf("report: res=%v mine=%v", res, mine)
	}
	msgs := batchMsgs(func() tea.Msg { return cmd().(tea.BatchMsg)[0]() })
	p, ok := firstOf[TaskProgressMsg](msgs)
	if want := "from the leader a:2379 · 1.0 MiB of 4.0 MiB · 512.0 KiB/s · 2s"; !ok || p.ID != "test.save" || p.Label != want {
		t.Fatalf("progress %+v, want %q", p, want)
	}
	close(release)
	res, mine, cmd = task.Update(<-workDone)
	if !mine || res == nil || res.Err != nil || res.Value != 3 {
		t.Fatalf("result: %+v mine=%v", res, mine)
	}
	done, ok := firstOf[TaskDoneMsg](batchMsgs(cmd))
	if !ok || done.ID != "test.save" || done.Result != "saved xxx" || done.Err != nil {
		t.Fatalf("done: %+v", done)
	}
	if task.Running() {
		t.Fatal("still running after its result")
	}
}

// TestTaskCancel: Cancel (esc) cancels the work's context; the result says "cancelled" and
// what was undone.
func TestTaskCancel(t *testing.T) {
	task := NewTask("test.open", TaskCancelNote[int]("its temporary dir is removed"))
	s := startTask(t, task.Start(context.Background(), "open a.db", func(ctx context.Context, r *TaskRun) (int, error) {
		<-ctx.Done()
		return 0, ctx.Err()
	}))
	if !task.Cancel() {
		t.Fatal("nothing to cancel")
	}
	res, _, cmd := task.Update(s.work())
	if res == nil || !errors.Is(res.Err, ErrCancelled) {
		t.Fatalf("cancelled run: %+v", res)
	}
	done, _ := firstOf[TaskDoneMsg](batchMsgs(cmd))
	if done.Err == nil || done.Err.Error() != "cancelled; its temporary dir is removed" {
		t.Fatalf("done: %+v", done)
	}
	if task.Cancel() {
		t.Fatal("Cancel with nothing running said it cancelled")
	}
}

// TestTaskDropsOthers: a report or result of another task with the same ID (another view's, a
// stacked session's), or of a run before, is the task's to drop, never applied.
func TestTaskDropsOthers(t *testing.T) {
	mine, other := NewTask[int]("test.t"), NewTask[int]("test.t")
	work := func(ctx context.Context, r *TaskRun) (int, error) { r.Step("step one"); return 7, nil }
	a := startTask(t, mine.Start(context.Background(), "a", work))
	b := startTask(t, other.Start(context.Background(), "b", work))
	bDone := b.work()
	bReport := b.wait()
	if res, m, cmd := mine.Update(bDone); !m || res != nil || cmd != nil {
		t.Fatalf("another task's result: res=%v mine=%v cmd=%v", res, m, cmd != nil)
	}
	if res, m, cmd := mine.Update(bReport); !m || res != nil || cmd != nil {
		t.Fatalf("another task's report: res=%v mine=%v cmd=%v", res, m, cmd != nil)
	}
	if _, m, _ := NewTask[int]("test.else").Update(bDone); m {
		t.Fatal("a task took a message of another ID")
	}
	aDone := a.work()
	if res, _, _ := mine.Update(aDone); res == nil || res.Value != 7 {
		t.Fatalf("own result: %+v", res)
	}
	// The same result again (an older run's, now) is dropped.
	startTask(t, mine.Start(context.Background(), "a2", work))
	if res, m, _ := mine.Update(aDone); !m || res != nil {
		t.Fatalf("an older run's result applied: %+v", res)
	}
}

// TestTaskSessionEnded: a result arriving after its session ended is dropped, the status bar
// told why, and what the work produced released — whether the session ended while the work ran
// or after it returned.
func TestTaskSessionEnded(t *testing.T) {
	for _, when := range []string{"while running", "before Update"} {
		t.Run(when, func(t *testing.T) {
			var released []int
			task := NewTask("test.open", TaskRelease(func(v int) { released = append(released, v) }))
			session, end := context.WithCancel(context.Background())
			s := startTask(t, task.Start(session, "open", func(ctx context.Context, r *TaskRun) (int, error) {
				if when == "while running" {
					end()
				}
				return 5, nil
			}))
			msg := s.work()
			end()
			res, mine, cmd := task.Update(msg)
			if res != nil {
				t.Fatalf("an ended session's result applied: %+v", res)
			}
			var done TaskDoneMsg
			if d, ok := msg.(TaskDoneMsg); ok {
				done = d // the work said it itself: no view is left to take it
			} else if !mine {
				t.Fatal("the task did not take its own result")
			} else {
				done, _ = firstOf[TaskDoneMsg](batchMsgs(cmd))
			}
			if !errors.Is(done.Err, ErrSessionEnded) || done.ID != "test.open" {
				t.Fatalf("status bar told %+v", done)
			}
			if len(released) != 1 || released[0] != 5 {
				t.Fatalf("released %v, want the value once", released)
			}
		})
	}
}

// TestTaskCritical: a critical task says so when it starts (the status bar then makes quit ask).
func TestTaskCritical(t *testing.T) {
	task := NewTask("test.restore", TaskCritical[int]())
	s := startTask(t, task.Start(context.Background(), "restore a.db", func(context.Context, *TaskRun) (int, error) { return 0, nil }))
	if !s.start.Critical || s.start.Label != "restore a.db" {
		t.Fatalf("start: %+v", s.start)
	}
}

// TestTaskClose: Close cancels a run going at exit and releases what it produced once.
func TestTaskClose(t *testing.T) {
	var released []int
	task := NewTask("test.open", TaskRelease(func(v int) { released = append(released, v) }))
	s := startTask(t, task.Start(context.Background(), "open", func(ctx context.Context, r *TaskRun) (int, error) {
		<-ctx.Done()
		return 9, nil // opened just as it was cancelled
	}))
	out := make(chan tea.Msg, 1)
	go func() { out <- s.work() }()
	task.Close(time.Minute)
	if len(released) != 1 || released[0] != 9 {
		t.Fatalf("released %v, want 9 once", released)
	}
	if res, _, _ := task.Update(<-out); res != nil {
		t.Fatalf("a released result applied: %+v", res)
	}
	if len(released) != 1 {
		t.Fatalf("released twice: %v", released)
	}
}

// TestRunSteps: each step is recorded with its result; the first failure stops the sequence
// and names the step; the bar shows the step running.
func TestRunSteps(t *testing.T) {
	task := NewTask[int]("test.nospace")
	ran := []string{}
	step := func(name string, err error) TaskStep {
		return TaskStep{Name: name, Run: func(context.Context, *TaskRun) error { ran = append(ran, name); return err }}
	}
	s := startTask(t, task.Start(context.Background(), "recover", func(ctx context.Context, r *TaskRun) (int, error) {
		return 0, RunSteps(ctx, r, step("compact", nil), step("defragment m1", errors.New("etcdserver: request timed out")), step("disarm", nil))
	}))
	res, _, _ := task.Update(s.work())
	if res == nil || res.Err == nil || res.Err.Error() != "defragment m1: etcdserver: request timed out" {
		t.Fatalf("result %+v", res)
	}
	if strings.Join(ran, ",") != "compact,defragment m1" || len(res.Steps) != 2 || res.Steps[0].Err != nil || res.Steps[1].Err == nil {
		t.Fatalf("ran %v, steps %+v", ran, res.Steps)
	}
}
