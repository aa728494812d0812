// Package watch is the Watch view: a live stream of the events under a prefix. Until its issue
// fills it in, the view shows what it will hold and the prefix it was asked to watch.
package watch

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/etcdeck/etcdeck/views/common"
)

// Model is the Watch view.
type Model struct {
	common        common.Common
	width, height int
	prefix        string
}

var _ common.Component = (*Model)(nil)

// New builds the Watch view with nothing watched.
func New(c common.Common) *Model { return &Model{common: c} }

// Prefix is the prefix being watched ("" when none).
func (m *Model) Prefix() string { return m.prefix }

// Init has nothing to start until a prefix is chosen.
func (m *Model) Init() tea.Cmd { return nil }

// SetSize sets the content area.
func (m *Model) SetSize(width, height int) { m.width, m.height = width, height }

// InputFocused is false: the placeholder has no text field.
func (m *Model) InputFocused() bool { return false }

// Update records the prefix a WatchMsg asks for.
func (m *Model) Update(msg tea.Msg) (common.Component, tea.Cmd) {
	if w, ok := msg.(common.WatchMsg); ok {
		m.prefix = w.Prefix
	}
	return m, nil
}

// View shows what the view will hold.
func (m *Model) View() string {
	what := "nothing watched yet: press w in the Keys view or type :watch <prefix>"
	if m.prefix != "" {
		what = "watching " + m.prefix
	}
	return m.common.Styles.Placeholder(m.width, m.height, "Watch", what, "",
		"Every put and delete under a prefix as it happens, with revisions,",
		"old and new values, pause, filter and a bounded buffer.")
}

// ShortHelp is empty until the view's issue gives its bindings something to do: help must
// not offer keys that do nothing.
func (m *Model) ShortHelp() []key.Binding { return nil }

// FullHelp is empty for the same reason.
func (m *Model) FullHelp() [][]key.Binding { return nil }
