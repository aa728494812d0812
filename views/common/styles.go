package common

import (
	"image/color"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/textinput"
	"charm.land/lipgloss/v2"
)

// Styles is every style the console uses, built once by NewStyles; views take them from Common
// and never build styles while rendering.
type Styles struct {
	// Status bar.
	Brand      lipgloss.Style
	HeaderItem lipgloss.Style
	HeaderDim  lipgloss.Style
	ReadOnly   lipgloss.Style
	Warning    lipgloss.Style

	// Tabs naming the views.
	TabActive   lipgloss.Style
	TabInactive lipgloss.Style

	// Task and flash states in the status bar.
	Running lipgloss.Style
	Success lipgloss.Style
	// Caution is amber: close to a limit (a database at 80% of its quota), not failing yet.
	Caution lipgloss.Style
	Error   lipgloss.Style
	Info    lipgloss.Style

	// View content.
	Title    lipgloss.Style
	Muted    lipgloss.Style
	Selected lipgloss.Style
	Normal   lipgloss.Style

	// Values in the Keys view's inspector: syntax of JSON and YAML, diffs.
	SynKey, SynString, SynNumber, SynLiteral, SynPunct, SynComment lipgloss.Style
	DiffAdd, DiffDel, DiffHunk                                     lipgloss.Style

	// Overlays: help, quit confirmation, member exited.
	Overlay      lipgloss.Style
	OverlayTitle lipgloss.Style

	// Text fields (command line, filters, prompts).
	Prompt    lipgloss.Style
	TextInput textinput.Styles

	Help help.Styles
}

// NewStyles builds the console's styles. With noColor (config.Settings.NoColor, the NO_COLOR
// convention) it uses no colour at all, only bold, faint, underline and reverse, so every state
// stays distinguishable.
func NewStyles(noColor bool) *Styles {
	fg := func(s lipgloss.Style, c string) lipgloss.Style {
		if noColor {
			return s
		}
		return s.Foreground(lipgloss.Color(c))
	}
	plain := lipgloss.NewStyle()
	var border color.Color = lipgloss.Color("63")
	if noColor {
		border = nil
	}

	s := &Styles{
		Brand:        fg(plain.Bold(true), "212"),
		HeaderItem:   fg(plain, "252"),
		HeaderDim:    fg(plain, "245"),
		ReadOnly:     fg(plain.Bold(true).Reverse(true), "214"),
		Warning:      fg(plain.Bold(true), "203"),
		TabActive:    fg(plain.Bold(true), "212"),
		TabInactive:  fg(plain, "245"),
		Running:      fg(plain, "111"),
		Success:      fg(plain, "78"),
		Caution:      fg(plain.Bold(true), "214"),
		Error:        fg(plain.Bold(true), "203"),
		Info:         fg(plain, "252"),
		Title:        fg(plain.Bold(true), "252"),
		Muted:        fg(plain, "245"),
		Selected:     fg(plain.Reverse(true), "212"),
		Normal:       plain,
		Overlay:      plain.Border(lipgloss.RoundedBorder()).Padding(0, 1),
		OverlayTitle: fg(plain.Bold(true), "212"),
		Prompt:       fg(plain.Bold(true), "212"),
		SynKey:       fg(plain, "117"),
		SynString:    fg(plain, "150"),
		SynNumber:    fg(plain, "215"),
		SynLiteral:   fg(plain, "176"),
		SynPunct:     fg(plain, "245"),
		SynComment:   fg(plain.Italic(true), "243"),
		DiffAdd:      fg(plain, "78"),
		DiffDel:      fg(plain, "203"),
		DiffHunk:     fg(plain.Bold(true), "111"),
	}
	if noColor {
		// Without colour a diff's +/- and the hunk headers still read; keys stay bold.
		s.SynKey = plain.Bold(true)
		s.DiffHunk = plain.Bold(true)
		s.DiffDel = plain.Faint(true)
	}
	if noColor {
		s.faintify()
	} else {
		s.Overlay = s.Overlay.BorderForeground(border)
	}

	ti := textinput.DefaultStyles(true)
	ti.Cursor.Blink = false // a blinking cursor would tick forever while a field is open
	if noColor {
		ti.Focused.Prompt, ti.Focused.Text = plain.Bold(true), plain
		ti.Focused.Placeholder, ti.Focused.Suggestion = plain.Faint(true), plain.Faint(true)
		ti.Blurred = ti.Focused
		ti.Cursor.Color = nil
	} else {
		ti.Focused.Prompt = s.Prompt
	}
	s.TextInput = ti

	h := help.DefaultStyles(true)
	if noColor {
		h = help.Styles{
			ShortKey: plain.Bold(true), ShortDesc: plain, ShortSeparator: plain.Faint(true),
			FullKey: plain.Bold(true), FullDesc: plain, FullSeparator: plain.Faint(true),
			Ellipsis: plain.Faint(true),
		}
	} else {
		h.ShortKey, h.FullKey = fg(plain, "252"), fg(plain, "252")
		h.ShortDesc, h.FullDesc = fg(plain, "245"), fg(plain, "245")
	}
	s.Help = h
	return s
}

// faintify makes the dim styles faint, standing in for grey when there is no colour.
func (s *Styles) faintify() {
	s.HeaderDim = s.HeaderDim.Faint(true)
	s.TabInactive = s.TabInactive.Faint(true)
	s.Muted = s.Muted.Faint(true)
}
