// Package common holds what every view shares: the Common value views are built from, the
// Component contract the root model drives them through, the messages views use to talk to the
// root (go to a key, start a watch, report a running task), and the styles.
//
// How a view fits in the shell:
//   - The root sends key, mouse and paste messages only to the active view; every other message
//     (a view's own results, ticks) to every view, so results arriving after the user switched
//     away still land. Views ignore messages they do not own.
//   - While a view's text field has focus, InputFocused returns true and the view gets every key
//     but ctrl+c, enter and esc included: use Prompt, which submits on enter and cancels on esc.
//   - Long work runs on a Task (task.go): the status bar shows a spinner, the step or bytes,
//     rate and elapsed, then ✓ or ✗ with the cause; esc cancels it (the view calls Cancel).
//     Restores and defrags are critical (TaskCritical) so quitting asks first.
//   - Results and answers (ConfirmMsg) name their session (Result); Foreign, called first in
//     Update, drops those of another session.
//   - GotoMsg and WatchMsg switch to the Keys and Watch views; Flash shows a short message.
//   - Only the view on screen is focused: the root calls Blur on the view it leaves and Focus
//     on the one it shows, so hidden views stop polling (Poller) and resume at once when shown.
//   - Destructive actions ask with Confirm (typed confirmation for the worst), naming what
//     will happen; the title line and key hints come from TitleLine, BindingHint and Hints.
//   - View must fill exactly the size given to SetSize (Fit does it) and take its styles from
//     Styles; bindings come from Common.Keys, and help is generated from them.
package common

import (
	"context"

	"charm.land/bubbles/v2/help"
	tea "charm.land/bubbletea/v2"
	"go.uber.org/zap"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/config"
	"github.com/etcdeck/etcdeck/keymap"
)

// Common is the one value every view constructor takes: the resolved settings, the session
// (client, label, member, context), styles, bindings and logger. Views keep it by value and
// never change the pointed-to values.
type Common struct {
	// Settings are what flags, variables and the config file say; never nil once Defaults ran.
	Settings *config.Settings
	// Session is the connection; nil when there is none (rendering tests): views then show what
	// they would hold without asking etcd.
	Session *cluster.Session
	Styles  *Styles
	Keys    *keymap.KeyMap
	Log     *zap.Logger
}

// Defaults fills what a test may leave out (settings, keymap), so views can read them.
func (c Common) Defaults() Common {
	if c.Settings == nil {
		c.Settings = config.Defaults()
	}
	if c.Keys == nil {
		c.Keys = keymap.DefaultKeyMap()
	}
	if c.Styles == nil {
		c.Styles = NewStyles(c.Settings.NoColor)
	}
	return c
}

// SessionID is the session's ID, 0 when there is none: results carry it and views drop those
// whose ID is not the current one, so an ended session's results never land.
func (c Common) SessionID() uint64 {
	if c.Session == nil {
		return 0
	}
	return c.Session.ID
}

// Context is the session's context, which every RPC's context derives from; with no session
// (rendering tests) a context that is never cancelled.
func (c Common) Context() context.Context {
	if c.Session == nil {
		return context.Background()
	}
	return c.Session.Context()
}

// Component is the contract every view implements so the root can treat views alike.
type Component interface {
	help.KeyMap
	// Init returns the view's first command (an initial load), or nil.
	Init() tea.Cmd
	// Update handles one message. Key messages arrive only while the view is active; every other
	// message reaches every view, which ignores what it does not own.
	Update(msg tea.Msg) (Component, tea.Cmd)
	// View renders the view's content into exactly the size last given to SetSize.
	View() string
	// SetSize gives the view the area below the header and above the help line.
	SetSize(width, height int)
	// InputFocused is true while a text field of the view (filter, prompt) has focus: the root
	// then sends it every key except ctrl+c, so typing never switches views or quits.
	InputFocused() bool
	// Focus tells the view it is now on screen (at start for the first view, then on every
	// switch to it); it returns what to resume at once, e.g. a Poller's poll, or nil.
	Focus() tea.Cmd
	// Blur tells the view it left the screen: it stops polling (Poller.Blur) until Focus.
	Blur()
}

// Quieter is implemented by views that can tell the root the last message Update was given
// changed nothing View or ShortHelp shows (a poll's tick, an answer like the last one, a
// message for someone else): the root then keeps the frame it drew before instead of drawing
// it again (issue 22: an idle console costs nothing). A view that does not implement it is
// drawn after every message.
type Quieter interface {
	Quiet() bool
}

// Logger returns c.Log, or a no-op logger when it is nil, so views can log unconditionally.
func (c Common) Logger() *zap.Logger {
	if c.Log == nil {
		return zap.NewNop()
	}
	return c.Log
}
