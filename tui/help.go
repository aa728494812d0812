package tui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/etcdeck/etcdeck/views/common"
)

// helpView is the full help: the active view's bindings, then the global ones, each with the
// action name the config file's `keys:` section rebinds it by.
func (m *Model) helpView() string {
	st := m.common.Styles
	g := m.keys.Global
	scope := viewTable[m.active].scope
	viewCols, globalCols := m.views[m.active].FullHelp(), g.FullHelp()
	// Names go when the columns with them would not fit; a line then says how to see them.
	names := widest(m.helpColumns(scope, viewCols, true)) < m.width &&
		widest(m.helpColumns("global", globalCols, true)) < m.width
	var b strings.Builder
	b.WriteString(" " + st.OverlayTitle.Render("Help · "+viewNames[m.active]+" view") + "  " +
		st.Muted.Render(common.Hints(common.BindingHint(g.Back, "close"), common.BindingHint(g.Command, "command line"))) + "\n\n")
	section := func(title, scope string, cols [][]key.Binding) {
		b.WriteString(" " + st.Title.Render(title))
		if names {
			b.WriteString("  " + st.Muted.Render("rebind in the config's keys: as "+scope+".<action>"))
		}
		b.WriteString("\n")
		if body := m.helpColumns(scope, cols, names); body != "" {
			b.WriteString(body + "\n\n")
		} else {
			b.WriteString(" " + st.Muted.Render("no keys of its own yet") + "\n\n")
		}
	}
	section(viewNames[m.active], scope, viewCols)
	section("Everywhere", "global", globalCols)
	if !names {
		b.WriteString(" " + st.Muted.Render("A wider terminal shows the action names the config's keys: section uses.") + "\n")
	}
	// The verbs wrap between verbs: a cut ":c…" or ":compact [rev] [--" would hide a verb.
	for i, l := range strings.Split(packVerbs(max(10, m.width-2)), "\n") {
		if i > 0 {
			b.WriteString("\n")
		}
		b.WriteString(" " + st.Muted.Render(strings.TrimSpace(l)))
	}
	return b.String()
}

// helpGap separates the columns of the full help.
const helpGap = "   "

// helpColumns lays out the enabled bindings of cols side by side: key, what it does and, with
// names, the action's name within scope (muted). Disabled bindings are left out, as the short
// help leaves them out.
func (m *Model) helpColumns(scope string, cols [][]key.Binding, names bool) string {
	st := m.common.Styles
	var blocks [][]string
	for _, col := range cols {
		col = enabled(col)
		if len(col) == 0 {
			continue
		}
		kw, dw := 0, 0
		for _, b := range col {
			kw, dw = max(kw, lipgloss.Width(b.Help().Key)), max(dw, lipgloss.Width(b.Help().Desc))
		}
		lines := make([]string, len(col))
		for i, b := range col {
			l := st.Help.FullKey.Render(padRight(b.Help().Key, kw)) + " " + st.Help.FullDesc.Render(padRight(b.Help().Desc, dw))
			if names {
				_, action, _ := strings.Cut(m.keys.ActionFor(scope, b), ".")
				l += "  " + st.Muted.Render(action)
			}
			lines[i] = l
		}
		blocks = append(blocks, lines)
	}
	if len(blocks) == 0 {
		return ""
	}
	rows := 0
	widths := make([]int, len(blocks))
	for i, bl := range blocks {
		rows = max(rows, len(bl))
		for _, l := range bl {
			widths[i] = max(widths[i], lipgloss.Width(l))
		}
	}
	out := make([]string, rows)
	for r := range out {
		line := " "
		for i, bl := range blocks {
			cell := ""
			if r < len(bl) {
				cell = bl[r]
			}
			if i < len(blocks)-1 {
				cell = padRight(cell, widths[i]) + helpGap
			}
			line += cell
		}
		out[r] = strings.TrimRight(line, " ")
	}
	return strings.Join(out, "\n")
}

func enabled(bs []key.Binding) []key.Binding {
	out := make([]key.Binding, 0, len(bs))
	for _, b := range bs {
		if b.Enabled() {
			out = append(out, b)
		}
	}
	return out
}

func padRight(s string, w int) string {
	if pad := w - lipgloss.Width(s); pad > 0 {
		return s + strings.Repeat(" ", pad)
	}
	return s
}

// widest is the width of the widest line of s.
func widest(s string) int {
	w := 0
	for _, l := range strings.Split(s, "\n") {
		w = max(w, lipgloss.Width(l))
	}
	return w
}

// packVerbs lists every verb's usage after ":", joined by " · ", in lines of at most w cells
// broken only between verbs (a usage longer than a line is wrapped on its own).
func packVerbs(w int) string {
	var lines []string
	line := ""
	for _, v := range verbTable {
		u := ":" + v.usage()
		switch {
		case line == "":
			line = u
		case ansi.StringWidth(line+" · "+u) <= w:
			line += " · " + u
		default:
			lines = append(lines, line+" ·")
			line = u
		}
		for ansi.StringWidth(line) > w {
			cut := ansi.Wrap(line, w, "")
			first, rest, _ := strings.Cut(cut, "\n")
			lines, line = append(lines, first), strings.TrimSpace(rest)
		}
	}
	return strings.Join(append(lines, line), "\n")
}
