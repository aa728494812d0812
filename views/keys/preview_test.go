package keys

import (
	"context"
	"fmt"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/golden"
)

// TestPreviewFollowsCursor: once a value was opened and esc gave the list the focus back, the
// inspector previews the key under the cursor; rows passed quickly are never read (one read for
// the row the cursor rests on), enter and tab move the focus into the previewed value without
// reading it again, esc and tab back, and esc on the list closes the inspector.
func TestPreviewFollowsCursor(t *testing.T) {
	f := newEditFixture(t, 80, 24, false)
	d, m := f.d, f.m
	for i := range 6 {
		if _, err := f.etcd.Put(context.Background(), fmt.Sprintf("/app/k%d", i), fmt.Sprintf("value %d", i)); err != nil {
			t.Fatal(err)
		}
	}
	reads := map[string]int{}
	seen := d.Seen
	d.Seen = func(msg tea.Msg) {
		if im, ok := msg.(inspectedMsg); ok {
			reads[im.info.Key]++
		}
		seen(msg)
	}
	f.inspect("/app/config")
	d.Press("j")
	if m.selectedName() != "config" {
		t.Fatalf("j in the value moved the list to %q", m.selectedName())
	}
	d.Press("esc")
	if m.focused() != focusList || m.pane != paneInspector {
		t.Fatalf("esc from the value: focus %d pane %d, want the list with the inspector beside it", m.focused(), m.pane)
	}
	// config, k0, k1, k2, k3: four rows passed at once, one read where the cursor rests.
	clear(reads)
	d.Press("j", "j", "j", "j")
	d.until("the preview of k3", func() bool { return m.insp.key == "/app/k3" && m.insp.doc != nil })
	if m.selectedName() != "k3" || m.focused() != focusList {
		t.Fatalf("after j×4: selected %q, focus %d; want k3 and the list", m.selectedName(), m.focused())
	}
	if len(reads) != 1 || reads["/app/k3"] != 1 {
		t.Fatalf("reads while passing rows: %v, want only /app/k3 once", reads)
	}
	if !d.contains("value 3")() {
		t.Fatalf("the preview does not show k3's value:\n%s", d.screen())
	}

	d.Press("enter")
	if m.focused() != focusInspector || m.insp.key != "/app/k3" {
		t.Fatalf("enter on the previewed key: focus %d key %q", m.focused(), m.insp.key)
	}
	d.Press("tab")
	if m.focused() != focusList || m.pane != paneInspector {
		t.Fatalf("tab from the value: focus %d pane %d, want the list", m.focused(), m.pane)
	}
	if !m.TakesTab() {
		t.Fatal("on a previewed key, tab should be the view's (focus the value), not the next view")
	}
	d.Press("tab")
	if m.focused() != focusInspector {
		t.Fatalf("tab on the previewed key: focus %d, want the value", m.focused())
	}
	d.Settle(2 * previewDelay)
	if reads["/app/k3"] != 1 {
		t.Fatalf("focusing the previewed value read it again: %v", reads)
	}

	d.Press("esc", "esc")
	if m.pane != paneNone || m.focused() != focusList {
		t.Fatalf("esc, esc: pane %d focus %d, want the list alone", m.pane, m.focused())
	}
	if m.TakesTab() {
		t.Fatal("with no value shown, tab must switch views")
	}
	d.Press("j")
	d.Settle(3 * previewDelay)
	if m.pane != paneNone {
		t.Fatal("at 80 columns the preview opened by itself after it was closed")
	}
}

// TestPreviewBesideList: 120 columns and wider, the preview opens by itself beside the list when
// the cursor rests on a key (the list keeps the focus) and says what a directory row is; esc
// closes it and it stays closed until enter. Golden screens at 80x24 (opened with enter, esc
// back to the list) and 120x40.
func TestPreviewBesideList(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		t.Run(fmt.Sprintf("preview_%dx%d", size[0], size[1]), func(t *testing.T) {
			f := newEditFixture(t, size[0], size[1], false)
			d, m := f.d, f.m
			d.Send(gotoDir("/app/notes"))
			d.until("notes selected", func() bool { return m.selectedName() == "notes" })
			if size[0] < sideBySide {
				d.Press("enter", "esc")
			}
			d.Press("k")
			d.until("the preview of config", func() bool { return m.insp.key == "/app/config" && m.insp.doc != nil })
			if m.focused() != focusList {
				t.Fatalf("the preview took the focus: %d", m.focused())
			}
			golden.RequireEqual(t, []byte(d.screen()))
			if size[0] < sideBySide {
				return
			}
			d.Send(gotoDir("/registry/"))
			d.until("the directory's note", d.contains("enter opens it"))
			d.Press("esc")
			if m.pane != paneNone {
				t.Fatalf("esc on the list left the preview open")
			}
			d.Send(gotoDir("/app/notes"))
			d.until("notes selected", func() bool { return m.selectedName() == "notes" })
			d.Settle(3 * previewDelay)
			if m.pane != paneNone {
				t.Fatal("the preview opened again after esc closed it")
			}
			d.Press("enter")
			d.until("the value", func() bool { return m.insp.key == "/app/notes" && m.insp.doc != nil })
			if m.focused() != focusInspector {
				t.Fatalf("enter: focus %d, want the value", m.focused())
			}
		})
	}
}
