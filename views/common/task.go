package common

import (
	"context"
	"errors"
	"sync"
	"time"

	tea "charm.land/bubbletea/v2"
)

// ErrCancelled is what a Task's result error Is when the user cancelled it (esc).
var ErrCancelled = errors.New("cancelled")

// ErrSessionEnded is a Task's result error when its session ended before the work did: the
// result is dropped, never applied to another session.
var ErrSessionEnded = errors.New("the session ended")

// Task runs one piece of long work at a time on behalf of a view (a save, a restore, a
// defragment of every member), with the contract of Poller: its messages carry the run they
// belong to, so a result of an older run, of another view's task or of an ended session is
// dropped. It tells the status bar (TaskStartMsg, TaskProgressMsg, TaskDoneMsg) what runs, how
// far it came and how it ended (✓ and the result, ✗ and the cause); Cancel (the view's esc)
// cancels the work's context; a critical task makes quitting ask first. The view keeps it in
// its model and passes it every message first:
//
//	m.save = common.NewTask("snapshots.save", common.TaskResultText(doneText))
//	…
//	case key.Matches(msg, g.Back):
//		m.save.Cancel()
//	case common.SaveSnapshotMsg:
//		return m, m.save.Start(m.common.Context(), "snapshot", func(ctx context.Context, r *common.TaskRun) (saved, error) {
//			r.Progress(common.Progress{Bytes: n, Total: size}) // shown with rate and elapsed
//			…
//		})
//	…
//	if res, mine, cmd := m.save.Update(msg); mine {
//		if res != nil && res.Err == nil {
//			cmd = tea.Batch(cmd, m.reload())
//		}
//		return m, cmd
//	}
//
// A sequence of steps with a result each (compact, defragment every member, disarm) is one
// work function calling RunSteps: the bar shows the step running, Steps what each did.
type Task[T any] struct {
	id       string
	critical bool
	timeout  time.Duration
	text     func(T) string
	note     string
	release  func(T)

	run *taskRun[T] // the current run; nil when none ran or its result was taken
}

// TaskOption adjusts a Task made by NewTask.
type TaskOption[T any] func(*Task[T])

// TaskCritical marks a write that must not be interrupted (a restore, a defragment): quitting
// while it runs asks first, naming its label.
func TaskCritical[T any]() TaskOption[T] { return func(t *Task[T]) { t.critical = true } }

// TaskTimeout bounds each run's context (a restore of a large file takes minutes: no default).
func TaskTimeout[T any](d time.Duration) TaskOption[T] { return func(t *Task[T]) { t.timeout = d } }

// TaskResultText says what a successful run did, for the ✓ line (empty: the label alone).
func TaskResultText[T any](f func(T) string) TaskOption[T] { return func(t *Task[T]) { t.text = f } }

// TaskCancelNote is added to "cancelled" when the user cancels ("its temporary dir is removed").
func TaskCancelNote[T any](note string) TaskOption[T] { return func(t *Task[T]) { t.note = note } }

// TaskRelease frees a value no view will take: a result dropped (its session ended, or Close
// ran first), such as a snapshot's temporary member.
func TaskRelease[T any](f func(T)) TaskOption[T] { return func(t *Task[T]) { t.release = f } }

// NewTask returns an idle task; id names it in the status bar and tells its messages apart
// ("snapshots.save"), so it must be unique among the tasks alive at once.
func NewTask[T any](id string, opts ...TaskOption[T]) *Task[T] {
	t := &Task[T]{id: id}
	for _, o := range opts {
		o(t)
	}
	return t
}

// TaskResult is how a run ended, as Update hands it to the view.
type TaskResult[T any] struct {
	Value T
	// Err is the work's error; it Is ErrCancelled when the user cancelled the run.
	Err error
	// Steps are the results of the steps RunSteps ran, in order.
	Steps   []StepResult
	Elapsed time.Duration
}

// StepResult is one step of a sequence: its name, how long it took, and why it failed.
type StepResult struct {
	Name string
	Took time.Duration
	Err  error
}

// TaskRun is what the work function reports through; its methods are safe from the work's
// goroutine and never block on the UI (the bar shows the latest report).
type TaskRun struct {
	start    time.Time
	progress chan string

	mu    sync.Mutex
	steps []StepResult
}

// Step says what the work is doing now ("stopping the member").
func (r *TaskRun) Step(text string) { r.send(text) }

// Progress reports bytes done: the bar shows them with the rate and the time elapsed.
func (r *TaskRun) Progress(p Progress) {
	if p.Elapsed <= 0 {
		p.Elapsed = time.Since(r.start)
	}
	r.send(p.Text())
}

func (r *TaskRun) send(text string) {
	// Latest wins: the bar wants the current figures, not a backlog.
	select {
	case <-r.progress:
	default:
	}
	select {
	case r.progress <- text:
	default:
	}
}

// Steps returns the results of the steps finished so far.
func (r *TaskRun) Steps() []StepResult {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]StepResult(nil), r.steps...)
}

// TaskStep is one step of a sequence run by RunSteps.
type TaskStep struct {
	Name string
	Run  func(ctx context.Context, r *TaskRun) error
}

// RunSteps runs steps in order, each shown in the status bar while it runs and recorded with
// its result; the first failure (or a cancel) stops the sequence and is returned, naming the
// step.
func RunSteps(ctx context.Context, r *TaskRun, steps ...TaskStep) error {
	for _, s := range steps {
		if err := ctx.Err(); err != nil {
			return err
		}
		r.Step(s.Name)
		began := time.Now()
		err := s.Run(ctx, r)
		r.mu.Lock()
		r.steps = append(r.steps, StepResult{Name: s.Name, Took: time.Since(began), Err: err})
		r.mu.Unlock()
		if err != nil {
			return stepError{name: s.Name, err: err}
		}
	}
	return nil
}

type stepError struct {
	name string
	err  error
}

func (e stepError) Error() string { return e.name + ": " + e.err.Error() }
func (e stepError) Unwrap() error { return e.err }

// taskRun is one run: shared with the goroutine doing it. done closes when the work returned;
// taken says the view (or Close) handled its result, so it is released once at most.
type taskRun[T any] struct {
	label     string
	ctx       context.Context // the session's: ended means the result belongs to nobody
	cancel    context.CancelFunc
	cancelled bool
	r         *TaskRun
	done      chan struct{}

	mu    sync.Mutex
	res   TaskResult[T]
	taken bool
}

func (run *taskRun[T]) take() bool {
	run.mu.Lock()
	defer run.mu.Unlock()
	if run.taken {
		return false
	}
	run.taken = true
	return true
}

// taskProgressMsg is the latest report of run.
type taskProgressMsg struct {
	id   string
	run  any
	text string
}

// taskDoneMsg says run returned; its result is in the run.
type taskDoneMsg[T any] struct {
	id  string
	run *taskRun[T]
}

// Running is true from Start until the run's result arrived.
func (t *Task[T]) Running() bool { return t.run != nil }

// Label is the running task's label ("" when idle).
func (t *Task[T]) Label() string {
	if t.run == nil {
		return ""
	}
	return t.run.label
}

// Steps are the results of the running sequence's steps so far (nil when idle).
func (t *Task[T]) Steps() []StepResult {
	if t.run == nil {
		return nil
	}
	return t.run.r.Steps()
}

// Start runs work under a context derived from parent (the session's, so ending the session
// cancels it), announcing label in the status bar. It returns nil when a run is going: one at
// a time (the caller says so, e.g. "already running").
func (t *Task[T]) Start(parent context.Context, label string, work func(ctx context.Context, r *TaskRun) (T, error)) tea.Cmd {
	if t.run != nil {
		return nil
	}
	var ctx context.Context
	var cancel context.CancelFunc
	if t.timeout > 0 {
		ctx, cancel = context.WithTimeout(parent, t.timeout)
	} else {
		ctx, cancel = context.WithCancel(parent)
	}
	r := &TaskRun{start: time.Now(), progress: make(chan string, 1)}
	run := &taskRun[T]{label: label, ctx: parent, cancel: cancel, r: r, done: make(chan struct{})}
	t.run = run
	id, release := t.id, t.release
	do := func() tea.Msg {
		v, err := work(ctx, r)
		cancel()
		run.mu.Lock()
		run.res = TaskResult[T]{Value: v, Err: err, Steps: r.Steps(), Elapsed: time.Since(r.start)}
		run.mu.Unlock()
		close(r.progress)
		close(run.done)
		if parent.Err() != nil && run.take() {
			// The session ended: no view of it is left to take the result, and the status
			// bar must not spin for it forever.
			if release != nil {
				release(v)
			}
			return TaskDoneMsg{ID: id, Err: ErrSessionEnded}
		}
		return taskDoneMsg[T]{id: id, run: run}
	}
	return tea.Batch(StartTask(id, label, t.critical), do, waitTask(id, run, r.progress))
}

// waitTask delivers run's next report; it ends with the run.
func waitTask(id string, run any, ch chan string) tea.Cmd {
	return func() tea.Msg {
		text, ok := <-ch
		if !ok {
			return nil
		}
		return taskProgressMsg{id: id, run: run, text: text}
	}
}

// Cancel cancels the running work's context (esc); its result then says "cancelled". False
// when nothing runs.
func (t *Task[T]) Cancel() bool {
	if t.run == nil {
		return false
	}
	t.run.cancelled = true
	t.run.cancel()
	return true
}

// Update takes every message the view gets. mine is true when msg was this task's (a report or
// a result, current or stale): the view then returns cmd and looks no further. res is non-nil
// when the current run's result arrived, for the view to apply; the ✓/✗ line is in cmd.
func (t *Task[T]) Update(msg tea.Msg) (res *TaskResult[T], mine bool, cmd tea.Cmd) {
	switch msg := msg.(type) {
	case taskProgressMsg:
		if msg.id != t.id {
			return nil, false, nil
		}
		run := t.run
		if run == nil || msg.run != any(run) {
			return nil, true, nil // a report of an older run, or of another view's task
		}
		return nil, true, tea.Batch(TaskProgress(t.id, msg.text), waitTask(t.id, run, run.r.progress))
	case taskDoneMsg[T]:
		if msg.id != t.id {
			return nil, false, nil
		}
		if msg.run != t.run {
			return nil, true, nil
		}
		t.run = nil
		if !msg.run.take() {
			return nil, true, nil // Close released it already
		}
		r := msg.run.res
		if msg.run.ctx.Err() != nil {
			// The session ended after the work returned: the result is nobody's.
			if t.release != nil {
				t.release(r.Value)
			}
			return nil, true, EndTask(t.id, "", ErrSessionEnded)
		}
		if r.Err != nil && msg.run.cancelled {
			r.Err = cancelledError{note: t.note}
		}
		if r.Err != nil {
			return &r, true, EndTask(t.id, "", r.Err)
		}
		text := ""
		if t.text != nil {
			text = t.text(r.Value)
		}
		return &r, true, EndTask(t.id, text, nil)
	}
	return nil, false, nil
}

// Close cancels a run still going when the console exits and waits, at most wait, for the
// work to return; a value it produced then is released, since no view will take it.
func (t *Task[T]) Close(wait time.Duration) {
	run := t.run
	if run == nil {
		return
	}
	run.cancel()
	select {
	case <-run.done:
	case <-time.After(wait):
		return
	}
	if run.take() && t.release != nil {
		run.mu.Lock()
		v := run.res.Value
		run.mu.Unlock()
		t.release(v)
	}
}

// cancelledError is a cancelled run's error: "cancelled", and what was undone.
type cancelledError struct{ note string }

func (e cancelledError) Error() string {
	if e.note == "" {
		return ErrCancelled.Error()
	}
	return ErrCancelled.Error() + "; " + e.note
}

func (e cancelledError) Is(target error) bool { return target == ErrCancelled }
