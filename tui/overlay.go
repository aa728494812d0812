package tui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/etcdeck/etcdeck/views/common"
)

// The help and messages overlays are modal and may be longer than the screen (the help of the
// Keys view at 80x24 is): they scroll with the Keys view's up, down, page and top/bottom keys,
// and a last line says what is above and below and which keys show it.

// scrollOverlay moves the open overlay by a key; it reports whether the key was a scroll key.
func (m *Model) scrollOverlay(msg tea.KeyPressMsg) bool {
	k := m.keys.Keys
	page := max(1, m.height-chromeHeight-2)
	switch {
	case key.Matches(msg, k.Down):
		m.overlayTop++
	case key.Matches(msg, k.Up):
		m.overlayTop--
	case key.Matches(msg, k.PageDown):
		m.overlayTop += page
	case key.Matches(msg, k.PageUp):
		m.overlayTop -= page
	case key.Matches(msg, k.Top):
		m.overlayTop = 0
	case key.Matches(msg, k.Bottom):
		m.overlayTop = 1 << 30 // clamped when drawn
	default:
		return false
	}
	m.overlayTop = max(0, m.overlayTop)
	return true
}

// overlayWindow is the rows of s that fit in h lines from the scroll position (clamped, and
// kept so), with its last line naming what is hidden when s is longer than h.
func (m *Model) overlayWindow(s string, h int) string {
	lines := strings.Split(s, "\n")
	m.overlayCut = len(lines) > h && h >= 2
	if !m.overlayCut {
		m.overlayTop = 0
		return s
	}
	rows := h - 1
	m.overlayTop = min(m.overlayTop, len(lines)-rows)
	top := m.overlayTop
	below := len(lines) - top - rows
	k := m.keys.Keys
	var say []string
	if top > 0 {
		say = append(say, fmt.Sprintf("%d lines above (%s)", top, keyNames(k.Up, k.PageUp)))
	}
	if below > 0 {
		say = append(say, fmt.Sprintf("%d lines below (%s)", below, keyNames(k.Down, k.PageDown)))
	}
	win := append(append([]string{}, lines[top:top+rows]...), " "+m.common.Styles.Muted.Render(strings.Join(say, " · ")))
	return strings.Join(win, "\n")
}

// keyNames is the keys of each binding as help shows them, joined by "/".
func keyNames(bs ...key.Binding) string {
	var out []string
	for _, b := range bs {
		if n := common.KeyName(b); n != "" {
			out = append(out, n)
		}
	}
	return strings.Join(out, "/")
}

// overlayHints is the bottom line while an overlay is open: only keys that act on it.
func (m *Model) overlayHints() string {
	g, k := m.keys.Global, m.keys.Keys
	scroll := ""
	if m.overlayCut {
		if ks := keyNames(k.Up, k.Down, k.PageUp, k.PageDown); ks != "" {
			scroll = ks + " scroll"
		}
	}
	return common.Hints(common.BindingHint(g.Back, "close"), scroll,
		common.BindingHint(g.Command, "command"), common.BindingHint(g.Quit, "quit"))
}
