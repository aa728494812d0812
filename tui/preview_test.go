package tui

import "testing"

// TestFlowTabFocusesPreviewedValue: while the Keys view shows a value beside the list, tab moves
// the focus between the list and the value (the title says Value or Preview) instead of
// switching views; with no value shown tab switches views as everywhere.
func TestFlowTabFocusesPreviewedValue(t *testing.T) {
	env := testConfig()
	env.session = labelledSession(t, "cluster-a", "/alpha", false)
	f := startFlow(t, newRealModel(t, env), 120, 30)
	f.waitText("Preview  /alpha") // 120 columns: the preview opens by itself
	f.keys("tab")
	f.waitText("Value  /alpha")
	if s := f.snap(); s.active != viewKeys {
		t.Fatalf("tab on a previewed key switched to view %d", s.active)
	}
	f.keys("tab")
	f.waitText("Preview  /alpha")
	f.keys("esc") // closes the preview
	f.waitFor("the preview closed", func(s snapshot) bool { return !contains(s.screen, "Preview  /alpha") })
	f.keys("tab")
	f.waitFor("the Watch view", func(s snapshot) bool { return s.active == viewWatch })
	f.quit()
}
