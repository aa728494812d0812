package tui

import (
	"strings"
	"testing"
)

// TestFlowHelpScrolls: at 80x24 the Keys view's help is longer than the screen; the last line
// says so and which keys scroll, G shows the last verb, g the title again, and the bottom line
// offers only keys that act on the overlay.
func TestFlowHelpScrolls(t *testing.T) {
	f := startFlow(t, newTestModel(t, testConfig()), 80, 24)
	f.keys("?")
	s := f.waitText("lines below (↓/j/pgdown)")
	lines := strings.Split(strings.TrimRight(s.screen, "\n "), "\n")
	if bottom := lines[len(lines)-1]; !strings.Contains(bottom, "esc close") || strings.Contains(bottom, "open") {
		t.Errorf("the bottom line under the help offers keys that do nothing there: %q", bottom)
	}
	last := ":" + verbTable[len(verbTable)-1].usage()
	if strings.Contains(s.screen, last) {
		t.Fatalf("the last verb %s fits already; the test needs a longer help:\n%s", last, s.screen)
	}
	f.keys("G")
	s = f.waitText(last)
	if !strings.Contains(s.screen, "lines above (↑/k/pgup)") || strings.Contains(s.screen, "lines below") {
		t.Errorf("at the bottom of the help:\n%s", s.screen)
	}
	f.keys("g")
	f.waitText("Help · Keys view")
	f.keys("esc")
	f.waitText("enter/l open")
	f.quit()
}
