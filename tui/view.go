package tui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/etcdeck/etcdeck/views/common"
)

// View draws the frame: status bar, tabs, the active view (or an overlay) and the help or
// command line.
func (m *Model) View() (v tea.View) {
	defer m.recoverView(&v)
	v.AltScreen = true
	// Wheel events reach the active view (the Keys view scrolls); hold shift to select text.
	v.MouseMode = tea.MouseModeCellMotion
	v.WindowTitle = "etcdeck — " + m.status.label
	v.SetContent(m.render())
	return v
}

// render is the frame as a string; tests compare it with golden files.
func (m *Model) render() string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	if m.width < minWidth || m.height < minHeight {
		return ansi.Truncate(fmt.Sprintf("terminal too small (need %dx%d)", minWidth, minHeight), m.width, "…")
	}
	ch := m.height - chromeHeight
	var body string
	switch {
	case m.memberPanel:
		body = m.memberView()
	case m.showHelp:
		body = m.helpView()
	default:
		body = m.views[m.active].View()
	}
	return strings.Join([]string{
		m.status.view(m.width),
		m.tabsView(),
		common.Fit(body, m.width, ch),
		m.footerView(),
	}, "\n")
}

func (m *Model) tabsView() string {
	st := m.common.Styles
	var b strings.Builder
	for i, name := range viewNames {
		// Brackets mark the active tab without relying on colour or underline (NO_COLOR).
		if i == m.active {
			b.WriteString(st.TabActive.Render(fmt.Sprintf("[%d %s]", i+1, name)))
		} else {
			b.WriteString(st.TabInactive.Render(fmt.Sprintf(" %d %s ", i+1, name)))
		}
		if i < len(viewNames)-1 {
			b.WriteString(st.HeaderDim.Render(" │ "))
		}
	}
	// The tabs stay whole; what is running or just happened gets the rest of the line.
	tabs := b.String()
	room := m.width - lipgloss.Width(tabs) - 3
	act := m.status.activity()
	if act == "" || room < 10 {
		return common.Fit(tabs, m.width, 1)
	}
	return spread(tabs, "  "+ansi.Truncate(act, room, "…")+" ", m.width)
}

func (m *Model) footerView() string {
	st := m.common.Styles
	var line string
	switch {
	case m.confirmQuit != nil:
		line = " " + st.Warning.Render(fmt.Sprintf("%s is running. Quit and interrupt it?",
			strings.Join(m.confirmQuit, ", "))) + " " + st.Title.Render("y/N")
	case m.cmd.prompt.Active():
		line = m.cmd.prompt.View()
	case m.status.flash != nil:
		line = " " + m.status.flashView()
	default:
		bindings := append(m.views[m.active].ShortHelp(), m.keys.Global.ShortHelp()...)
		line = " " + m.help.ShortHelpView(bindings)
	}
	return common.Fit(line, m.width, 1)
}

func (m *Model) helpView() string {
	st := m.common.Styles
	v := m.views[m.active]
	var b strings.Builder
	fmt.Fprintf(&b, " %s  %s\n\n", st.OverlayTitle.Render("Help · "+viewNames[m.active]+" view"),
		st.Muted.Render(bindingHint(m.keys.Global.Back, "close")+" · "+bindingHint(m.keys.Global.Command, "command line")))
	b.WriteString(" " + st.Title.Render(viewNames[m.active]) + "\n")
	b.WriteString(indent(m.help.FullHelpView(v.FullHelp())) + "\n\n")
	b.WriteString(" " + st.Title.Render("Everywhere") + "\n")
	b.WriteString(indent(m.help.FullHelpView(m.keys.Global.FullHelp())) + "\n\n")
	b.WriteString(" " + st.Muted.Render("Command line: goto <path>, /path, watch <prefix>, help, quit; tab completes"))
	return b.String()
}

func (m *Model) memberView() string {
	st := m.common.Styles
	g := m.keys.Global
	var b strings.Builder
	b.WriteString(" " + st.Error.Render("The embedded etcd member exited.") + "\n\n")
	b.WriteString(" " + st.Muted.Render("Its last log lines:") + "\n")
	for _, l := range m.memberDown {
		b.WriteString("   " + l + "\n")
	}
	b.WriteString("\n " + st.Title.Render(bindingHint(g.RestartMember, "restart it")) + st.Muted.Render(
		" · "+bindingHint(g.Back, "look around")+" · "+bindingHint(g.Quit, "quit")))
	return b.String()
}

// bindingHint is "key what", from the binding's current (possibly overridden) keys.
func bindingHint(b key.Binding, what string) string {
	return b.Help().Key + " " + what
}

func indent(s string) string {
	return " " + strings.ReplaceAll(s, "\n", "\n ")
}
