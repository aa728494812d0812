package common

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
)

// fakePoll counts calls and fails while fail is set; the poller is not etcd, so a function is
// enough here (what views poll is tested against a real member in their packages).
type fakePoll struct {
	calls atomic.Int32
	fail  atomic.Bool
}

func (f *fakePoll) poll(context.Context) (int, error) {
	n := int(f.calls.Add(1))
	if f.fail.Load() {
		return n, errors.New("etcdserver: request timed out")
	}
	return n, nil
}

func newTestPoller(f *fakePoll, interval, maxBackoff time.Duration) *Poller[int] {
	return NewPoller("test", interval, maxBackoff, f.poll)
}

// run executes cmd (tea.Tick waits its duration) and returns its message.
func run(t *testing.T, cmd tea.Cmd) tea.Msg {
	t.Helper()
	if cmd == nil {
		t.Fatal("no command where one was expected")
	}
	return cmd()
}

func TestPollerRearmsOnlyAfterResult(t *testing.T) {
	f := &fakePoll{}
	p := newTestPoller(f, time.Millisecond, 8*time.Millisecond)
	poll := p.Start()
	if p.Focus() != nil || p.Refresh() != nil {
		t.Fatal("a second poll was issued while the first is running")
	}
	res, mine, tick := p.Update(run(t, poll))
	if !mine || res == nil || res.Value != 1 || res.Err != nil || res.Next != time.Millisecond {
		t.Fatalf("first result = %+v mine=%v", res, mine)
	}
	msg := run(t, tick)
	if _, ok := msg.(pollTickMsg); !ok {
		t.Fatalf("re-arm returned %T, want a tick", msg)
	}
	res, mine, poll = p.Update(msg)
	if !mine || res != nil || poll == nil {
		t.Fatalf("tick: res=%v mine=%v poll=%v", res, mine, poll != nil)
	}
	// The same tick delivered twice (it cannot be, but a stale one can) polls nothing.
	if _, mine, cmd := p.Update(msg); !mine || cmd != nil {
		t.Fatalf("a repeated tick: mine=%v cmd=%v", mine, cmd != nil)
	}
	if res, _, _ := p.Update(run(t, poll)); res == nil || res.Value != 2 {
		t.Fatalf("second result = %+v", res)
	}
	if n := f.calls.Load(); n != 2 {
		t.Fatalf("%d polls, want 2", n)
	}
}

func TestPollerBacksOffAndResets(t *testing.T) {
	f := &fakePoll{}
	f.fail.Store(true)
	p := newTestPoller(f, 10*time.Millisecond, 50*time.Millisecond)
	cmd := p.Start()
	var waits []time.Duration
	var fails []int
	for range 5 {
		res, _, _ := p.Update(run(t, cmd))
		waits, fails = append(waits, res.Next), append(fails, res.Failures)
		// Skip the wait itself: the tick's message is what the poller checks.
		_, _, cmd = p.Update(pollTickMsg{id: "test", gen: p.gen})
	}
	want := []time.Duration{20, 40, 50, 50, 50}
	for i, w := range want {
		if waits[i] != w*time.Millisecond || fails[i] != i+1 {
			t.Fatalf("after failure %d: wait %v, failures %d; all waits %v", i+1, waits[i], fails[i], waits)
		}
	}
	f.fail.Store(false)
	res, _, _ := p.Update(run(t, cmd))
	if res.Err != nil || res.Failures != 0 || res.Next != 10*time.Millisecond {
		t.Fatalf("after a success: %+v, want the interval again", res)
	}
}

func TestPollerPausedWhileHiddenResumesAtOnce(t *testing.T) {
	f := &fakePoll{}
	p := newTestPoller(f, time.Millisecond, time.Millisecond)
	_, _, tick := p.Update(run(t, p.Start()))
	tickMsg := run(t, tick)
	p.Blur()
	if _, mine, cmd := p.Update(tickMsg); !mine || cmd != nil {
		t.Fatalf("a tick armed before Blur polled while hidden (mine=%v)", mine)
	}
	// A poll running when the view is hidden delivers its result but arms nothing.
	poll := p.Focus()
	p.Blur()
	res, _, cmd := p.Update(run(t, poll))
	if res == nil || cmd != nil || res.Next != 0 {
		t.Fatalf("result while hidden: res=%+v re-armed=%v", res, cmd != nil)
	}
	if p.Refresh() != nil {
		t.Fatal("Refresh polled while hidden")
	}
	calls := f.calls.Load()
	poll = p.Focus()
	if poll == nil {
		t.Fatal("Focus did not poll at once")
	}
	if res, _, _ := p.Update(run(t, poll)); res == nil || f.calls.Load() != calls+1 {
		t.Fatalf("Focus's poll: res=%+v calls %d -> %d", res, calls, f.calls.Load())
	}
}

func TestPollerDropsStaleAndForeign(t *testing.T) {
	f := &fakePoll{}
	p := newTestPoller(f, time.Millisecond, time.Millisecond)
	_, _, tick := p.Update(run(t, p.Start()))
	tickMsg := run(t, tick)
	fresh := p.Refresh() // the user asked now: the armed tick is stale
	if _, mine, cmd := p.Update(tickMsg); !mine || cmd != nil {
		t.Fatal("a tick from before Refresh polled")
	}
	// A result from an ended session is dropped after SetContext.
	old := run(t, fresh)
	next := p.SetContext(context.Background())
	if res, mine, cmd := p.Update(old); !mine || res != nil || cmd != nil {
		t.Fatalf("a result from before SetContext was applied: %+v", res)
	}
	other := NewPoller("other", time.Millisecond, time.Millisecond, f.poll)
	if _, mine, _ := other.Update(run(t, next)); mine {
		t.Fatal("a poller took another poller's result")
	}
	if _, mine, _ := p.Update(tea.KeyPressMsg{Code: 'x'}); mine {
		t.Fatal("a poller claimed a key press")
	}
}

func TestPollerContextTimeout(t *testing.T) {
	p := NewPoller("slow", time.Millisecond, time.Millisecond, func(ctx context.Context) (int, error) {
		<-ctx.Done()
		return 0, ctx.Err()
	}, PollTimeout(5*time.Millisecond))
	res, _, _ := p.Update(run(t, p.Start()))
	if !errors.Is(res.Err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want the poll's deadline", res.Err)
	}
}
