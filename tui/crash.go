package tui

import (
	"fmt"
	"reflect"
	"runtime/debug"
	"sync"

	tea "charm.land/bubbletea/v2"
)

// crash records the first panic in etcdeck's code, wherever it happened (Update, View, a
// command's goroutine), so Run can restore the terminal before reporting it.
type crash struct {
	mu    sync.Mutex
	value any
	stack []byte
	// quit asks the running program to stop; nil outside Run.
	quit func()
}

func (c *crash) record(r any, stack []byte) {
	c.mu.Lock()
	first := c.value == nil
	if first {
		c.value, c.stack = r, stack
	}
	quit := c.quit
	c.mu.Unlock()
	if first && quit != nil {
		go quit()
	}
}

// report returns the recorded panic and its trace, or ok false.
func (c *crash) report() (value any, stack []byte, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.value, c.stack, c.value != nil
}

// guard wraps a command so a panic in it is recorded and ends the program instead of leaving
// the terminal in raw mode. Batches and sequences are wrapped element by element, since the
// program runs their commands separately.
func (c *crash) guard(cmd tea.Cmd) tea.Cmd {
	if cmd == nil {
		return nil
	}
	return func() (msg tea.Msg) {
		defer func() {
			if r := recover(); r != nil {
				c.record(r, debug.Stack())
				msg = tea.Quit()
			}
		}()
		return c.guardCmds(cmd())
	}
}

var cmdType = reflect.TypeFor[tea.Cmd]()

// guardCmds wraps the commands inside a BatchMsg or a sequence (an unexported []Cmd type).
func (c *crash) guardCmds(msg tea.Msg) tea.Msg {
	v := reflect.ValueOf(msg)
	if !v.IsValid() || v.Kind() != reflect.Slice || v.Type().Elem() != cmdType {
		return msg
	}
	out := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
	for i := range v.Len() {
		inner, _ := v.Index(i).Interface().(tea.Cmd)
		out.Index(i).Set(reflect.ValueOf(c.guard(inner)))
	}
	return out.Interface()
}

// recoverInto is deferred by Init and Update: a panic becomes a recorded crash and a quit.
func (m *Model) recoverInto(cmd *tea.Cmd) {
	if r := recover(); r != nil {
		m.crash.record(r, debug.Stack())
		*cmd = tea.Quit
	}
}

// recoverView is deferred by View; View cannot return a command, so record asks Run's program
// to quit.
func (m *Model) recoverView(v *tea.View) {
	if r := recover(); r != nil {
		m.crash.record(r, debug.Stack())
		*v = tea.NewView(fmt.Sprintf("etcdeck crashed (%v); quitting…", r))
	}
}
