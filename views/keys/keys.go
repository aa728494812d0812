// Package keys is the Keys view: the keyspace browsed as directories split on "/". This is the
// placeholder the shell ships with; the Keys view's own issue replaces its contents and keeps
// the constructor.
package keys

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/etcdeck/etcdeck/views/common"
)

// Model is the Keys view.
type Model struct {
	common        common.Common
	width, height int
	path          string
	filter        common.Prompt
}

var _ common.Component = (*Model)(nil)

// New builds the Keys view at the root of the keyspace.
func New(c common.Common) *Model {
	return &Model{common: c, path: "/", filter: common.NewPrompt(c.Styles, "/", "filter")}
}

// Path is the key or directory the view shows.
func (m *Model) Path() string { return m.path }

// Init has nothing to load yet.
func (m *Model) Init() tea.Cmd { return nil }

// SetSize sets the content area.
func (m *Model) SetSize(width, height int) {
	m.width, m.height = width, height
	m.filter.SetWidth(width)
}

// InputFocused is true while the filter field is open.
func (m *Model) InputFocused() bool { return m.filter.Active() }

// Update handles navigation requests and the filter.
func (m *Model) Update(msg tea.Msg) (common.Component, tea.Cmd) {
	if m.filter.Active() {
		_, cmd := m.filter.Update(msg)
		return m, cmd
	}
	switch msg := msg.(type) {
	case common.GotoMsg:
		m.path = msg.Path
		if m.path == "" {
			m.path = "/"
		}
	case tea.KeyPressMsg:
		km := m.common.Keys.Keys
		switch {
		case key.Matches(msg, km.Filter):
			return m, m.filter.Open("")
		case key.Matches(msg, km.Watch):
			return m, common.Cmd(common.WatchMsg{Prefix: dirOf(m.path)})
		}
	}
	return m, nil
}

func dirOf(p string) string {
	if strings.HasSuffix(p, "/") {
		return p
	}
	if i := strings.LastIndex(p, "/"); i >= 0 {
		return p[:i+1]
	}
	return "/"
}

// View shows where the view is and what it will hold.
func (m *Model) View() string {
	body := []string{
		"at " + m.path,
		"",
		"The keyspace as directories split on \"/\": open a key to see its",
		"value decoded (JSON, YAML, Kubernetes protobuf), edit, delete, watch.",
	}
	if v := m.filter.Value(); v != "" {
		body = append(body, "", "filter: "+v)
	}
	h := m.height
	if m.filter.Active() {
		h--
	}
	out := m.common.Styles.Placeholder(m.width, h, "Keys", body...)
	if m.filter.Active() {
		out += "\n" + common.Fit(m.filter.View(), m.width, 1)
	}
	return out
}

// ShortHelp lists the view's main bindings.
func (m *Model) ShortHelp() []key.Binding { return m.common.Keys.Keys.ShortHelp() }

// FullHelp lists all the view's bindings.
func (m *Model) FullHelp() [][]key.Binding { return m.common.Keys.Keys.FullHelp() }
