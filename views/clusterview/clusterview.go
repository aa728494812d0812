// Package clusterview is the Cluster view: members, their health, leader, alarms and
// maintenance. Until its issue fills it in, the view shows what it will hold.
package clusterview

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/etcdeck/etcdeck/views/common"
)

// Model is the Cluster view.
type Model struct {
	common        common.Common
	width, height int
}

var _ common.Component = (*Model)(nil)

// New builds the Cluster view.
func New(c common.Common) *Model { return &Model{common: c.Defaults()} }

// Init has nothing to load yet.
func (m *Model) Init() tea.Cmd { return nil }

// SetSize sets the content area.
func (m *Model) SetSize(width, height int) { m.width, m.height = width, height }

// InputFocused is false: the placeholder has no text field.
func (m *Model) InputFocused() bool { return false }

// Focus has nothing to resume: the placeholder polls nothing.
func (m *Model) Focus() tea.Cmd { return nil }

// Blur has nothing to pause.
func (m *Model) Blur() {}

// Update ignores everything for now.
func (m *Model) Update(tea.Msg) (common.Component, tea.Cmd) { return m, nil }

// View shows what the view will hold.
func (m *Model) View() string {
	return m.common.Styles.Placeholder(m.width, m.height, "Cluster",
		"Members with their health, version, database size and raft index;",
		"the leader, alarms, and maintenance: defragment, compact, move leader.")
}

// ShortHelp is empty until the view's issue gives its bindings something to do: help must
// not offer keys that do nothing.
func (m *Model) ShortHelp() []key.Binding { return nil }

// FullHelp is empty for the same reason.
func (m *Model) FullHelp() [][]key.Binding { return nil }
