package tui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/config"
	"github.com/etcdeck/etcdeck/views/common"
)

// shellView stands in for a real view in the flow tests of the shell: fixed content, so they
// test routing, the status bar and overlays, not what the views render (the goldens use the
// real views).
// It implements the same contract, with the real keymap's bindings and a filter field.
type shellView struct {
	c             common.Common
	name          string
	short         []key.Binding
	full          [][]key.Binding
	width, height int
	path, prefix  string
	filter        common.Prompt
	// focused follows Focus and Blur; focuses counts the Focus calls.
	focused bool
	focuses int
}

func shellViews(c common.Common) [numViews]common.Component {
	k := c.Keys
	mk := func(name string, short []key.Binding, full [][]key.Binding) *shellView {
		return &shellView{c: c, name: name, short: short, full: full,
			filter: common.NewPrompt(c.Styles, "/", "filter")}
	}
	return [numViews]common.Component{
		mk("Keys", k.Keys.ShortHelp(), k.Keys.FullHelp()),
		mk("Watch", k.Watch.ShortHelp(), k.Watch.FullHelp()),
		mk("Cluster", nil, nil), // no bindings until the views do something
		mk("Snapshots", nil, nil),
		mk("Access", k.Access.ShortHelp(), k.Access.FullHelp()),
		mk("Leases", k.Leases.ShortHelp(), k.Leases.FullHelp()),
		mk("Find", k.Find.ShortHelp(), k.Find.FullHelp()),
	}
}

// newShellModel is the root model around shellViews.
func newShellModel(settings *config.Settings, session *cluster.Session) (*Model, error) {
	return newModel(settings, session, nil, shellViews)
}

func (v *shellView) Path() string              { return v.path }
func (v *shellView) Init() tea.Cmd             { return nil }
func (v *shellView) SetSize(w, h int)          { v.width, v.height = w, h; v.filter.SetWidth(w) }
func (v *shellView) InputFocused() bool        { return v.filter.Active() }
func (v *shellView) Focus() tea.Cmd            { v.focused = true; v.focuses++; return nil }
func (v *shellView) Blur()                     { v.focused = false }
func (v *shellView) ShortHelp() []key.Binding  { return v.short }
func (v *shellView) FullHelp() [][]key.Binding { return v.full }

func (v *shellView) Update(msg tea.Msg) (common.Component, tea.Cmd) {
	if v.filter.Active() {
		_, cmd := v.filter.Update(msg)
		return v, cmd
	}
	switch msg := msg.(type) {
	case common.GotoMsg:
		v.path = msg.Path
	case common.WatchMsg:
		v.prefix = msg.Prefix
	case tea.KeyPressMsg:
		if key.Matches(msg, v.c.Keys.Keys.Filter) {
			return v, v.filter.Open("")
		}
	}
	return v, nil
}

func (v *shellView) View() string {
	lines := []string{" " + v.c.Styles.Title.Render(v.name+" view"), ""}
	if v.path != "" {
		lines = append(lines, " at "+v.path)
	}
	if v.prefix != "" {
		lines = append(lines, " watching "+v.prefix)
	}
	if f := v.filter.Value(); f != "" && !v.filter.Active() {
		lines = append(lines, " filter: "+f)
	}
	out := common.Fit(strings.Join(lines, "\n"), v.width, v.height-1)
	if v.filter.Active() {
		return out + "\n" + common.Fit(v.filter.View(), v.width, 1)
	}
	return out + "\n" + common.Fit("", v.width, 1)
}
