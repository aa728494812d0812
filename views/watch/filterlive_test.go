package watch

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

// TestFilterNarrowsAsYouType: the rows narrow at each key typed in the filter (it applied only on
// enter); esc in the prompt clears the filter, and esc on the list clears a kept one, as in the
// Keys view; a regular expression half typed keeps the last one that compiled.
func TestFilterNarrowsAsYouType(t *testing.T) {
	m, c := testView(t, 120, 24, 0)
	d := newDriver(t, m)
	d.watch("/n/", 0)
	put(t, c, "/n/app/a", "1")
	put(t, c, "/n/api/b", "2")
	put(t, c, "/n/db/c", "3")
	d.until("three events", d.rowCount(3))

	d.Press("/", "a")
	if got := len(m.rowsText()); got != 2 {
		t.Fatalf("after typing 'a': %d rows, want 2 (before enter)\n%s", got, ansi.Strip(m.View()))
	}
	d.Press("p", "p")
	if got := m.rowsText(); len(got) != 1 || !strings.Contains(got[0], "/n/app/a") {
		t.Fatalf("after typing 'app': %q", got)
	}
	d.Press("esc")
	if got := len(m.rowsText()); got != 3 || m.flt.text != "" || m.prompt.Active() {
		t.Fatalf("esc in the prompt: %d rows, filter %q, prompt open %v; want all 3, none, closed", got, m.flt.text, m.prompt.Active())
	}

	d.Press("/", "d", "b", "enter")
	if got := len(m.rowsText()); got != 1 || !m.HandlesBack() {
		t.Fatalf("enter keeps the filter: %d rows, HandlesBack %v", got, m.HandlesBack())
	}
	d.Press("esc")
	if got := len(m.rowsText()); got != 3 || m.HandlesBack() {
		t.Fatalf("esc on the list: %d rows, HandlesBack %v; want the filter cleared", got, m.HandlesBack())
	}

	d.Press("R", "/", "a", "p", "[")
	if got := len(m.rowsText()); got != 2 {
		t.Fatalf("regexp 'ap[' half typed: %d rows, want the 2 of 'ap'", got)
	}
	d.Press("i", "]")
	if got := m.rowsText(); len(got) != 1 || !strings.Contains(got[0], "/n/api/b") {
		t.Fatalf("regexp 'ap[i]': %q", got)
	}
}
