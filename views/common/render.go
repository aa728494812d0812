package common

import (
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

// Fit cuts or pads s to exactly width×height cells, so a view never pushes the status bar off
// the screen or leaves stale cells behind.
func Fit(s string, width, height int) string {
	if width <= 0 || height <= 0 {
		return ""
	}
	lines := strings.Split(s, "\n")
	if len(lines) > height {
		lines = lines[:height]
	}
	for i, l := range lines {
		if w, ok := plainWidth(l); ok && w <= width {
			// Most lines are ASCII text and colours: no grapheme to measure, nothing to cut.
			lines[i] = l + strings.Repeat(" ", width-w)
			continue
		}
		// Keys are bytes: invalid UTF-8 would make the width of the line ambiguous.
		l = ansi.Truncate(strings.ToValidUTF8(l, "\uFFFD"), width, "…")
		if pad := width - lipgloss.Width(l); pad > 0 {
			l += strings.Repeat(" ", pad)
			// A prepending character (U+0600…) joins the first space into its grapheme.
			for i := 0; i < 4 && lipgloss.Width(l) < width; i++ {
				l += " "
			}
		}
		lines[i] = l
	}
	for len(lines) < height {
		lines = append(lines, strings.Repeat(" ", width))
	}
	return strings.Join(lines, "\n")
}

// plainWidth is the width of a line of printable ASCII and SGR sequences (ESC [ … m, what
// Lip Gloss styles emit), counted without measuring graphemes: drawing a frame measured every
// line's graphemes, most of an idle console's work per frame (issue 22). ok is false for
// anything else (another escape, a control character, a byte ≥ 0x80), which Fit measures whole.
func plainWidth(s string) (w int, ok bool) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 0x20 && c < 0x7f:
			w++
		case c == 0x1b && i+1 < len(s) && s[i+1] == '[':
			j := i + 2
			for j < len(s) && (s[j] >= '0' && s[j] <= '9' || s[j] == ';' || s[j] == ':') {
				j++
			}
			if j == len(s) || s[j] != 'm' {
				return 0, false
			}
			i = j
		default:
			return 0, false
		}
	}
	return w, true
}

// Placeholder renders what a view will hold until its issue fills it in: a title and a few
// lines of description, fitted to the view's size.
func (s *Styles) Placeholder(width, height int, title string, body ...string) string {
	var b strings.Builder
	b.WriteString(" ")
	b.WriteString(s.Title.Render(title))
	b.WriteString("\n\n")
	for _, l := range body {
		b.WriteString(" ")
		b.WriteString(s.Muted.Render(l))
		b.WriteString("\n")
	}
	return Fit(b.String(), width, height)
}
