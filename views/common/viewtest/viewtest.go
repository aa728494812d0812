// Package viewtest drives one view the way Bubble Tea would, for the views' tests: commands run
// in goroutines and their messages come back through a channel that the test drains while it
// waits for a condition. It lives under views/common because it serves every view; only tests
// import it.
package viewtest

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/etcdeck/etcdeck/views/common"
)

// Driver feeds a view its own commands' messages.
type Driver struct {
	T    testing.TB
	View common.Component
	// Msgs receives what the view's commands return; tests drain it (Send each message).
	Msgs chan tea.Msg
	// Seen, when set, is called with every message before the view gets it.
	Seen func(tea.Msg)
}

// New drives v.
func New(t testing.TB, v common.Component) *Driver {
	return &Driver{T: t, View: v, Msgs: make(chan tea.Msg, 1024)}
}

// Run runs cmd in a goroutine and queues its message.
func (d *Driver) Run(cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	go func() {
		if msg := cmd(); msg != nil {
			d.Msgs <- msg
		}
	}()
}

// Send delivers msg to the view and runs what it returns; a batch runs each of its commands.
func (d *Driver) Send(msg tea.Msg) {
	if b, ok := msg.(tea.BatchMsg); ok {
		for _, c := range b {
			d.Run(c)
		}
		return
	}
	if d.Seen != nil {
		d.Seen(msg)
	}
	v, cmd := d.View.Update(msg)
	d.View = v
	d.Run(cmd)
}

// Press sends key presses named as in help ("enter", "ctrl+r", "j", …).
func (d *Driver) Press(keys ...string) {
	for _, k := range keys {
		d.Send(Key(k))
	}
}

// Settle processes messages for dur, for tests that check nothing changes.
func (d *Driver) Settle(dur time.Duration) {
	deadline := time.After(dur)
	for {
		select {
		case msg := <-d.Msgs:
			d.Send(msg)
		case <-deadline:
			return
		}
	}
}

// Key builds the key message a terminal sends for s ("tab", "shift+tab", "ctrl+c", "q", …).
func Key(s string) tea.KeyPressMsg {
	switch s {
	case "tab":
		return tea.KeyPressMsg{Code: tea.KeyTab}
	case "shift+tab":
		return tea.KeyPressMsg{Code: tea.KeyTab, Mod: tea.ModShift}
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEscape}
	case "backspace":
		return tea.KeyPressMsg{Code: tea.KeyBackspace}
	case "pgdown":
		return tea.KeyPressMsg{Code: tea.KeyPgDown}
	case "pgup":
		return tea.KeyPressMsg{Code: tea.KeyPgUp}
	case "space":
		return tea.KeyPressMsg{Code: tea.KeySpace, Text: " "}
	}
	if rest, ok := strings.CutPrefix(s, "ctrl+"); ok {
		return tea.KeyPressMsg{Code: []rune(rest)[0], Mod: tea.ModCtrl}
	}
	r := []rune(s)[0]
	return tea.KeyPressMsg{Code: r, Text: s}
}
