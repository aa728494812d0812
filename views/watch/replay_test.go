package watch

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

// TestReplayRows: a watch from a past revision (`:watch … --rev N`) shows `replay` instead of
// an arrival time on the history it replays (every row showed the same time), and the time again
// on the writes that happen after; a watch from now shows times only.
func TestReplayRows(t *testing.T) {
	m, c := testView(t, 120, 24, 0)
	d := newDriver(t, m)
	first := put(t, c, "/r/a", "1")
	put(t, c, "/r/b", "2")
	put(t, c, "/r/c", "3")
	d.watch("/r/", first)
	d.until("the three replayed", d.rowCount(3))
	put(t, c, "/r/live", "4")
	d.until("the live write", d.rowCount(4))
	row := func(d *driver, key string) string {
		for _, l := range strings.Split(ansi.Strip(d.screen()), "\n") {
			if strings.Contains(l, key+" ") {
				return strings.TrimSpace(l)
			}
		}
		t.Fatalf("no row of %s:\n%s", key, ansi.Strip(d.screen()))
		return ""
	}
	for _, k := range []string{"/r/a", "/r/b", "/r/c"} {
		if r := row(d, k); !strings.HasPrefix(r, "replay ") {
			t.Errorf("a replayed row does not say replay: %q", r)
		}
	}
	if r := row(d, "/r/live"); !strings.HasPrefix(r, testClock.Format("15:04:05.000")) {
		t.Errorf("the live row after the replay does not show its time: %q", r)
	}
	d.Press("k", "k", "k", "enter")
	if s := d.screen(); !strings.Contains(s, "replayed from the history") {
		t.Errorf("the detail of a replayed event does not say so:\n%s", s)
	}

	m2, c2 := testView(t, 120, 24, 0)
	d2 := newDriver(t, m2)
	d2.watch("/r/", 0)
	put(t, c2, "/r/x", "1")
	d2.until("one live event", d2.rowCount(1))
	if r := row(d2, "/r/x"); strings.Contains(r, "replay") {
		t.Errorf("a watch from now marks a row replay: %q", r)
	}
}

// TestExportPathIsAbsolute: x into the current directory (the default) names the whole path in
// its ✓ line, not a bare file name.
func TestExportPathIsAbsolute(t *testing.T) {
	t.Chdir(t.TempDir())
	path, err := writeExport("", nil, testClock)
	if err != nil {
		t.Fatal(err)
	}
	if !filepath.IsAbs(path) {
		t.Errorf("export path %q is not absolute", path)
	}
}
