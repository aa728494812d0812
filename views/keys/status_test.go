package keys

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/etcdeck/etcdeck/cluster"
)

// TestStatusWrapsBesideThePreview: beside the preview the list is narrow; the status line wraps
// instead of cutting the filter to `"…`, each line within the list's width, and the list gives
// up a row for each line more (the filter was cut at 47 columns in a 120-column console).
func TestStatusWrapsBesideThePreview(t *testing.T) {
	m := &Model{width: 30, height: 20, rows: make([]cluster.Row, 3), visible: []int{0, 1, 2}, filterText: "bravoandmore"}
	text := ansi.Strip(m.statusText())
	lines := strings.Split(text, "\n")
	if len(lines) < 2 {
		t.Fatalf("status %q in 30 columns: one line, want it wrapped", text)
	}
	if got := strings.Join(strings.Fields(text), " "); !strings.Contains(got, `filter: names starting with "bravoandmore"`) {
		t.Errorf("status %q lacks the whole filter", got)
	}
	for _, l := range lines {
		if w := ansi.StringWidth(l); w > m.width {
			t.Errorf("line %q is %d columns wide, the list %d", l, w, m.width)
		}
	}
	if h := m.listHeight(); h != m.height-3-(len(lines)-1) {
		t.Errorf("list height %d with a %d-line status, want %d", h, len(lines), m.height-3-(len(lines)-1))
	}
	m.width = 120
	if got := ansi.Strip(m.statusText()); strings.Contains(got, "\n") || m.listHeight() != m.height-3 {
		t.Errorf("at 120 columns: status %q, list height %d; want one line and %d rows", got, m.listHeight(), m.height-3)
	}
}
