package common

import (
	"strings"
	"testing"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	"github.com/charmbracelet/x/ansi"

	"github.com/etcdeck/etcdeck/keymap"
)

// TestHintLine: the Snapshots list's keys as the root draws them, at the widths of the goldens
// and narrower. Every item on the line is whole ("<key> <what>" of a binding), the view's keys
// come first in their order (R and P were hidden behind "…" at 120 columns, after the global
// ones), and a line that drops keys ends with "… • ? help" so the rest is one key away.
func TestHintLine(t *testing.T) {
	km := keymap.DefaultKeyMap()
	s, g := km.Snapshots, km.Global
	bindings := append([]key.Binding{s.Status, s.Restore, s.Plan, s.Open, g.Snapshot, s.Delete}, g.ShortHelp()...)
	h := help.New()
	h.Styles = NewStyles(false).Help
	whole := map[string]bool{"…": true}
	for _, b := range bindings {
		whole[b.Help().Key+" "+b.Help().Desc] = true
	}
	for _, tc := range []struct {
		width int
		first []string // the items the line starts with, in order
		all   bool     // everything fits: no ellipsis
	}{
		{79, []string{"enter full status", "R restore into member", "P restore plan"}, false},
		{119, []string{"enter full status", "R restore into member", "P restore plan", "o open read-only", "s save snapshot"}, false},
		{300, []string{"enter full status", "R restore into member", "P restore plan", "o open read-only", "s save snapshot", "d delete file", "? help", ": command", "q quit"}, true},
		{30, []string{"enter full status"}, false},
		{12, nil, false},
	} {
		line := ansi.Strip(HintLine(h, bindings, g.Help, tc.width))
		if w := ansi.StringWidth(line); w > tc.width {
			t.Errorf("width %d: the line is %d wide: %q", tc.width, w, line)
		}
		var items []string
		if line != "" {
			items = strings.Split(line, " • ")
		}
		for _, it := range items {
			if !whole[it] {
				t.Errorf("width %d: %q is not a whole hint (line %q)", tc.width, it, line)
			}
		}
		for i, want := range tc.first {
			if i >= len(items) || items[i] != want {
				t.Errorf("width %d: item %d is not %q: %q", tc.width, i, want, line)
			}
		}
		dropped := len(items) < len(bindings)
		if tc.all == dropped {
			t.Errorf("width %d: all fit = %v, line %q", tc.width, !dropped, line)
		}
		if dropped && tc.width >= 30 && !strings.HasSuffix(line, "… • ? help") {
			t.Errorf("width %d: a line that drops keys ends with the help key: %q", tc.width, line)
		}
	}
}

// TestHintLineSkipsDisabled: a disabled binding is never offered, and the help key stays at its
// own place when everything fits.
func TestHintLineSkipsDisabled(t *testing.T) {
	km := keymap.DefaultKeyMap()
	s := km.Snapshots
	s.Restore.SetEnabled(false)
	h := help.New()
	h.Styles = NewStyles(false).Help
	line := ansi.Strip(HintLine(h, append([]key.Binding{s.Status, s.Restore}, km.Global.ShortHelp()...), km.Global.Help, 200))
	if want := "enter full status • ? help • : command • q quit"; line != want {
		t.Errorf("line = %q, want %q", line, want)
	}
}
