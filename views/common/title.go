package common

import (
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

// minTitleLeft is how much of the left part a title line keeps when the right part would not
// fit beside it whole: below it the right part goes instead.
const minTitleLeft = 12

// TitleLine is a view's first line, fitted to width: " <title>  <subject>" on the left (title
// bold), right (styled by the caller, e.g. Muted "rev 7 · live") flush right. When both do not
// fit, the subject is cut with "…" so the right part stays; on a very narrow line the right part
// goes and the left is cut.
func (s *Styles) TitleLine(width int, title, subject, right string) string {
	left := " " + s.Title.Render(title)
	if subject != "" {
		left += "  " + subject
	}
	if right == "" {
		return Fit(left, width, 1)
	}
	rw := lipgloss.Width(right)
	room := width - rw - 2 // a space between the parts and one at the end
	if room < minTitleLeft {
		return Fit(left, width, 1)
	}
	if lipgloss.Width(left) > room {
		left = ansi.Truncate(left, room, "…")
	}
	return left + strings.Repeat(" ", width-lipgloss.Width(left)-rw-1) + right + " "
}

// KeyName is the binding's keys as help shows them ("space", "p/ctrl+p" after an override),
// or "" when the binding is disabled or unbound, so a hint never names a key that does nothing.
func KeyName(b key.Binding) string {
	if !b.Enabled() {
		return ""
	}
	return b.Help().Key
}

// BindingHint is "<keys> <what>" from the binding's current (possibly overridden) keys, or ""
// when the binding is disabled or unbound; join hints with Hints.
func BindingHint(b key.Binding, what string) string {
	k := KeyName(b)
	if k == "" {
		return ""
	}
	return k + " " + what
}

// Hints joins the non-empty hints with " · ", so a hint for an unbound key leaves no gap.
func Hints(hs ...string) string {
	out := make([]string, 0, len(hs))
	for _, h := range hs {
		if h != "" {
			out = append(out, h)
		}
	}
	return strings.Join(out, " · ")
}
