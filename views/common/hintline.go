package common

import (
	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	"charm.land/lipgloss/v2"
)

// HintLine is the one-line key help under a view, at most width cells: the enabled bindings in
// the order given — the view's most important first — and only whole "<key> <what>" items.
// When they do not all fit, the last ones give way to h's ellipsis followed by more (the help
// key, which lists every binding), so the line never cuts a key mid-word and always says where
// the rest is. bubbles' ShortHelpView cuts at the first item that does not fit, which hid the
// view's own keys behind the global ones' order and dropped the help key with them.
func HintLine(h help.Model, bindings []key.Binding, more key.Binding, width int) string {
	sep := h.Styles.ShortSeparator.Inline(true).Render(h.ShortSeparator)
	item := func(b key.Binding) string {
		return h.Styles.ShortKey.Inline(true).Render(b.Help().Key) + " " +
			h.Styles.ShortDesc.Inline(true).Render(b.Help().Desc)
	}
	var items []string
	for _, b := range bindings {
		if b.Enabled() && b.Help().Key != "" {
			items = append(items, item(b))
		}
	}
	if line := joinHints(items, sep); lipgloss.Width(line) <= width {
		return line
	}
	// The tail: "…" says keys are left out, the help key where to find them.
	tail := []string{h.Styles.Ellipsis.Inline(true).Render(h.Ellipsis)}
	moreItem := ""
	if more.Enabled() && more.Help().Key != "" {
		moreItem = item(more)
		tail = append(tail, moreItem)
	}
	var kept []string
	for _, it := range items {
		if it == moreItem {
			continue // it ends the line in the tail
		}
		if lipgloss.Width(joinHints(append(append(kept[:len(kept):len(kept)], it), tail...), sep)) > width {
			break // the order is the priority: a later, shorter item does not jump the queue
		}
		kept = append(kept, it)
	}
	for len(tail) > 0 {
		if line := joinHints(append(kept, tail...), sep); lipgloss.Width(line) <= width {
			return line
		}
		tail = tail[:len(tail)-1] // a very narrow line: the help key, then the ellipsis go
	}
	return joinHints(kept, sep)
}

// joinHints joins rendered items with the separator.
func joinHints(items []string, sep string) string {
	out := ""
	for i, it := range items {
		if i > 0 {
			out += sep
		}
		out += it
	}
	return out
}
