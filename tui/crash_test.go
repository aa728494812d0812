package tui

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/etcdeck/etcdeck/views/common"
	"github.com/etcdeck/etcdeck/views/common/viewtest"
)

// panicView is a view with a bug: it panics in View or in a command it starts.
type panicView struct {
	inView bool
}

func (p *panicView) Init() tea.Cmd {
	if p.inView {
		return nil
	}
	// The panic hides inside a batch, which the program runs command by command.
	return tea.Batch(func() tea.Msg { return nil }, func() tea.Msg { panic("boom in command") })
}
func (p *panicView) Update(tea.Msg) (common.Component, tea.Cmd) { return p, nil }
func (p *panicView) View() string {
	if p.inView {
		panic("boom in view")
	}
	return ""
}
func (p *panicView) SetSize(int, int)          {}
func (p *panicView) InputFocused() bool        { return false }
func (p *panicView) Focus() tea.Cmd            { return nil }
func (p *panicView) Blur()                     {}
func (p *panicView) ShortHelp() []key.Binding  { return nil }
func (p *panicView) FullHelp() [][]key.Binding { return nil }

// TestPanicRestoresTerminalAndReportsLog runs the real program loop with a panicking view: Run
// returns ErrCrashed, the trace is in the log file, and stderr names the file.
func TestPanicRestoresTerminalAndReportsLog(t *testing.T) {
	for _, inView := range []bool{true, false} {
		name := map[bool]string{true: "view", false: "command"}[inView]
		t.Run(name, func(t *testing.T) {
			cfg := testConfig()
			cfg.settings.LogPath = filepath.Join(t.TempDir(), "etcdeck.log")
			m := newTestModel(t, cfg)
			m.views[viewKeys] = &panicView{inView: inView}
			var stderr, out bytes.Buffer
			inR, inW := io.Pipe()
			defer inW.Close()
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			err := run(ctx, m, &stderr, tea.WithInput(inR), tea.WithOutput(&out), tea.WithWindowSize(80, 24))
			if !errors.Is(err, ErrCrashed) {
				t.Fatalf("run = %v, want ErrCrashed", err)
			}
			log, rerr := os.ReadFile(cfg.settings.LogPath)
			if rerr != nil {
				t.Fatal(rerr)
			}
			if !strings.Contains(string(log), "boom in "+name) || !strings.Contains(string(log), "goroutine") {
				t.Errorf("log lacks the panic and its trace:\n%s", log)
			}
			if !strings.Contains(stderr.String(), cfg.settings.LogPath) {
				t.Errorf("stderr does not name the log: %q", stderr.String())
			}
			// The program restored the terminal on its way out: the cursor is shown again.
			o := out.String()
			if i := strings.LastIndex(o, "\x1b[?25h"); i < 0 || i < strings.LastIndex(o, "\x1b[?25l") {
				t.Errorf("cursor not shown again; output tail %q", tail(out.String(), 120))
			}
		})
	}
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

// TestGuardWrapsBatches: a panic in a command inside a batch is caught and turns into a quit.
func TestGuardWrapsBatches(t *testing.T) {
	c := &crash{}
	cmd := c.guard(tea.Batch(func() tea.Msg { return nil }, func() tea.Msg { panic("inner") }))
	batch, ok := cmd().(tea.BatchMsg)
	if !ok {
		t.Fatalf("guarded batch returned %T", cmd())
	}
	var quit bool
	for _, inner := range batch {
		if inner == nil {
			continue
		}
		if _, ok := inner().(tea.QuitMsg); ok {
			quit = true
		}
	}
	if !quit {
		t.Error("the panicking command did not become a quit")
	}
	if r, stack, ok := c.report(); !ok || r != "inner" || len(stack) == 0 {
		t.Errorf("report = %v, %d bytes, %v", r, len(stack), ok)
	}
}

// TestUpdatePanicQuits: a panic while handling a message becomes a recorded crash and a quit.
func TestUpdatePanicQuits(t *testing.T) {
	m := newTestModel(t, testConfig())
	m.views[viewKeys] = nil // any use of the active view now panics
	_, cmd := m.Update(viewtest.Key("j"))
	if cmd == nil {
		t.Fatal("no command after a panic")
	}
	if _, ok := cmd().(tea.QuitMsg); !ok {
		t.Error("a panic in Update does not quit")
	}
	if _, _, ok := m.crash.report(); !ok {
		t.Error("the panic was not recorded")
	}
}
