// Package common holds what every view shares: the Common value views are built from, the
// Component contract the root model drives them through, the messages views use to talk to the
// root (go to a key, start a watch, report a running task), and the styles.
package common

import (
	"charm.land/bubbles/v2/help"
	tea "charm.land/bubbletea/v2"
	"go.uber.org/zap"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/keymap"
)

// Common is the one value every view constructor takes: shared styles, bindings, logger and the
// cluster connection. Views keep it by value and never change the pointed-to values.
type Common struct {
	Styles *Styles
	Keys   *keymap.KeyMap
	Log    *zap.Logger
	// Client is nil when there is no connection (rendering tests); views then show what they
	// would hold without asking etcd.
	Client *cluster.Client
	// ReadOnly refuses every write; views say so instead of doing it.
	ReadOnly bool
	// WatchBufferSize is how many events one watch buffers before applying backpressure.
	WatchBufferSize int
	// BackupDir is where snapshots are saved.
	BackupDir string
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
}

// Logger returns c.Log, or a no-op logger when it is nil, so views can log unconditionally.
func (c Common) Logger() *zap.Logger {
	if c.Log == nil {
		return zap.NewNop()
	}
	return c.Log
}
