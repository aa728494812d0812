package watch

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

// offered is what the help offers now: the enabled bindings of the short and full help, by
// their keys as shown, with what they do.
func offered(m *Model) map[string]string {
	out := map[string]string{}
	for _, b := range append(m.ShortHelp(), slices.Concat(m.FullHelp()...)...) {
		if b.Enabled() {
			out[b.Help().Key] = b.Help().Desc
		}
	}
	return out
}

// TestHelpOffersOnlyWhatApplies: help (and so the hint line) offers a key only when pressing it
// does something: no moving, value or export without rows; the value's scroll keys only while
// the pane is open and the value does not fit, each only while there is more that way; ! only
// with a filter (or an alert to clear). A disabled key does nothing when pressed.
func TestHelpOffersOnlyWhatApplies(t *testing.T) {
	m, c := testView(t, 80, 24, 0)
	d := newDriver(t, m)
	d.watch("/h/", 0)
	check := func(when string, on, off []string) {
		t.Helper()
		got := offered(m)
		for _, k := range on {
			if _, ok := got[k]; !ok {
				t.Errorf("%s: %q not offered (offered %v)", when, k, got)
			}
		}
		for _, k := range off {
			if _, ok := got[k]; ok {
				t.Errorf("%s: %q offered but does nothing (offered %v)", when, k, got)
			}
		}
	}
	check("no events", []string{"space", "/", "V", "R", "P", "D"},
		[]string{"↑/k", "↓/j", "g", "G", "enter", "x", "c", "pgdn/J", "pgup/K", "v", "!"})
	d.Press("!", "x", "enter")
	if m.alert != nil || len(d.exports) != 0 || m.detail.open {
		t.Fatalf("disabled keys acted: alert %v, %d exports, pane open %v", m.alert, len(d.exports), m.detail.open)
	}

	var long []string
	for i := range 40 {
		long = append(long, fmt.Sprintf("line %02d", i))
	}
	put(t, c, "/h/long", strings.Join(long, "\n"))
	put(t, c, "/h/short", "x")
	d.until("two events", d.rowCount(2))
	check("rows, pane closed", []string{"↑/k", "enter", "x", "c"}, []string{"pgdn/J", "pgup/K", "v", "!"})

	d.Press("enter") // the newest, short value: it fits
	d.paneHas("/h/short", "value as text")
	check("short value", []string{"enter"}, []string{"pgdn/J", "pgup/K"})
	d.Press("k")
	d.paneHas("/h/long", "more lines · pgdn/J scrolls")
	check("long value at its top", []string{"pgdn/J"}, []string{"pgup/K"})
	d.Press("J")
	check("long value scrolled", []string{"pgdn/J", "pgup/K"}, nil)
	for i := 0; i < 20 && offered(m)["pgdn/J"] != ""; i++ {
		d.Press("J")
	}
	d.paneHas("line 39")
	check("long value at its end", []string{"pgup/K"}, []string{"pgdn/J"})
	d.Press("K") // one press scrolls back at once: J did not run past the end
	if s := ansi.Strip(m.View()); strings.Contains(s, "line 39") {
		t.Errorf("K after the end did not scroll back:\n%s", s)
	}
	d.Press("enter")
	check("pane closed again", nil, []string{"pgdn/J", "pgup/K", "v"})

	d.Press("/", "l", "o", "n", "g", "enter")
	if desc := offered(m)["!"]; desc != "alert on filter" {
		t.Fatalf("with a filter, ! offers %q, want alert on filter", desc)
	}
	d.Press("!")
	if m.alert == nil || offered(m)["!"] != "clear alert" {
		t.Fatalf("alert %v, ! offers %q, want clear alert", m.alert, offered(m)["!"])
	}
	d.Press("!")
	if m.alert != nil {
		t.Fatal("! did not clear the alert")
	}
}
