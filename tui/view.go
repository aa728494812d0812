package tui

import (
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/etcdeck/etcdeck/cluster"
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
	if !m.frameOK {
		m.frame, m.frameOK = m.render(), true
	}
	v.SetContent(m.frame)
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
	case m.showHelp && m.showMessages:
		body = m.messagesView()
	case m.showHelp && m.showUsage:
		body = m.usage.View(m.width)
	case m.showHelp && m.showContexts && m.contexts != nil:
		body = m.contextsView()
	case m.showHelp:
		body = m.helpView()
	default:
		body = m.views[m.active].View()
	}
	// A question wraps: its extra lines come out of the body's bottom, never off the screen.
	extra := min(max(0, m.confirm.Height()-1), ch-1)
	if m.showHelp && !m.memberPanel {
		body = m.overlayWindow(body, ch-extra)
	}
	return strings.Join([]string{
		m.status.view(m.width),
		m.tabsView(),
		common.Fit(body, m.width, ch-extra),
		m.footerView(1 + extra),
	}, "\n")
}

func (m *Model) tabsView() string {
	// The tabs give way before what is running does: first the spaces between them, then the
	// names of the inactive ones (their numbers stay; ? help names them).
	act := m.status.activity()
	need := 0
	if act != "" {
		need = lipgloss.Width(act) + 3
	}
	var tabs string
	for level := range tabLevels {
		tabs = m.tabs(level)
		if lipgloss.Width(tabs)+need <= m.width {
			break
		}
	}
	room := m.width - lipgloss.Width(tabs) - 3
	if act == "" || room < 10 {
		return common.Fit(tabs, m.width, 1)
	}
	return spread(tabs, "  "+ansi.Truncate(act, room, "…")+" ", m.width)
}

// tabLevels is how many ways tabs can be drawn, widest first.
const tabLevels = 3

// tabs draws the view tabs at level 0 (" 2 Watch " │ …), 1 ("2 Watch│…") or 2 (inactive tabs
// by number only). The active tab is always whole and bracketed, which marks it without relying
// on colour or underline (NO_COLOR).
func (m *Model) tabs(level int) string {
	st := m.common.Styles
	sep, pad := " │ ", " "
	if level > 0 {
		sep, pad = "│", ""
	}
	var b strings.Builder
	for i, v := range viewTable {
		switch {
		case i == m.active:
			b.WriteString(st.TabActive.Render(fmt.Sprintf("[%d %s]", v.num, v.name)))
		case level == 2:
			b.WriteString(st.TabInactive.Render(fmt.Sprintf("%s%d%s", pad, v.num, pad)))
		default:
			b.WriteString(st.TabInactive.Render(fmt.Sprintf("%s%d %s%s", pad, v.num, v.name, pad)))
		}
		if i < len(viewTable)-1 {
			b.WriteString(st.HeaderDim.Render(sep))
		}
	}
	return b.String()
}

func (m *Model) footerView(height int) string {
	var line string
	switch {
	case m.confirm.Active():
		line = m.confirm.View()
	case m.cmd.prompt.Active():
		line = m.cmd.prompt.View()
	case m.status.flash != nil:
		line = " " + m.status.flashView()
	case m.showHelp && !m.memberPanel:
		line = " " + m.overlayHints()
	default:
		// The view's keys first, in its order of importance; what does not fit gives way to "… ? help".
		bindings := append(m.views[m.active].ShortHelp(), m.keys.Global.ShortHelp()...)
		line = " " + common.HintLine(m.help, bindings, m.keys.Global.Help, m.width-1)
	}
	return common.Fit(line, m.width, height)
}

func (m *Model) memberView() string {
	st := m.common.Styles
	g := m.keys.Global
	var b strings.Builder
	b.WriteString(" " + st.Error.Render("The embedded etcd member exited.") + "\n\n")
	b.WriteString(" " + st.Muted.Render("Its last log lines:") + "\n")
	for _, l := range m.memberDown {
		b.WriteString("   " + cluster.EscapeText(l) + "\n") // the member's log quotes keys and names
	}
	b.WriteString("\n " + st.Title.Render(common.BindingHint(g.RestartMember, "restart it")) + st.Muted.Render(
		" · "+common.Hints(common.BindingHint(g.Back, "look around"), common.BindingHint(g.Quit, "quit"))))
	return b.String()
}
