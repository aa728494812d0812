package keys

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/etcdeck/etcdeck/views/common"
)

// TestKeysReachOnlyFocusedPane: with the inspector, the history or a question focused, the
// list's keys (move, new, filter) do nothing to the list, and the focused pane gets them.
func TestKeysReachOnlyFocusedPane(t *testing.T) {
	f := newEditFixture(t, 120, 40, false)
	d, m := f.d, f.m
	d.Send(gotoDir("/app/"))
	d.until("the listing", d.contains("notes"))
	f.inspect("/app/config")
	if m.focused() != focusInspector {
		t.Fatalf("enter on a key: focus %d, want the inspector", m.focused())
	}
	cursor := m.cursor
	d.Press("j", "G", "n", "/")
	if m.cursor != cursor || m.filter.Active() || m.ask.active() || m.InputFocused() {
		t.Fatalf("the list's keys reached the list behind the inspector: cursor %d→%d filter %v prompt %v",
			cursor, m.cursor, m.filter.Active(), m.ask.active())
	}

	// The history has them next; its cursor moves, the list's does not.
	d.Press("H")
	d.until("the history", func() bool { return m.focused() == focusHistory && !m.hist.loading && len(m.hist.h.Revs) >= 3 })
	d.Press("j")
	if m.hist.cursor != 1 || m.cursor != cursor {
		t.Fatalf("j in the history: history cursor %d (want 1), list cursor %d→%d", m.hist.cursor, cursor, m.cursor)
	}
	d.Press("esc")
	if m.focused() != focusList || m.pane != paneNone {
		t.Fatalf("esc from the history: focus %d pane %d, want the list alone", m.focused(), m.pane)
	}

	// A question takes every key until answered: j moves nothing, n answers it.
	for m.selectedName() != "notes" {
		d.Press("j")
	}
	cursor = m.cursor
	d.Press("d")
	d.until("the question", d.contains("delete /app/notes (mod rev"))
	if m.focused() != focusPrompt || !m.InputFocused() {
		t.Fatalf("an open question: focus %d, want the prompt", m.focused())
	}
	d.Press("j", "k", "/")
	if m.cursor != cursor || m.filter.Active() || !m.ask.active() {
		t.Fatalf("keys went past the question: cursor %d→%d filter %v question open %v", cursor, m.cursor, m.filter.Active(), m.ask.active())
	}
	d.Press("n")
	f.flashed("nothing done")
	if m.focused() != focusList || len(f.get(t, "/app/notes").Kvs) != 1 {
		t.Fatalf("after no: focus %d, key there %v", m.focused(), len(f.get(t, "/app/notes").Kvs) == 1)
	}
}

// TestDeleteFromPromptWritesOnce: a delete confirmed in the question writes once (one written
// result, one audit line) and the list loses the row.
func TestDeleteFromPromptWritesOnce(t *testing.T) {
	f := newEditFixture(t, 80, 24, false)
	d, m := f.d, f.m
	written := 0
	seen := d.Seen
	d.Seen = func(msg tea.Msg) {
		if _, ok := msg.(writtenMsg); ok {
			written++
		}
		seen(msg)
	}
	d.Send(gotoDir("/app/notes"))
	d.until("the key selected", func() bool { return m.selectedName() == "notes" })
	d.Press("d")
	d.until("the question", d.contains("delete /app/notes (mod rev"))
	d.Press("y")
	f.flashed("deleted /app/notes")
	d.until("the row gone from the list", func() bool {
		for _, i := range m.visible {
			if m.rows[i].Name == "notes" {
				return false
			}
		}
		return true
	})
	if written != 1 {
		t.Fatalf("%d write results for one confirmed delete", written)
	}
	var deletes int
	for _, l := range f.auditLines(t) {
		if l[1] == "/app/notes" && strings.Contains(l[0], "delete") {
			deletes++
			if l[2] != "ok" {
				t.Errorf("audit: %v", l)
			}
		}
	}
	if deletes != 1 {
		t.Fatalf("%d audited deletes of /app/notes, want 1: %v", deletes, f.auditLines(t))
	}
	if m.focused() != focusList || m.InputFocused() {
		t.Fatalf("after the delete: focus %d, input focused %v", m.focused(), m.InputFocused())
	}
	// Another view's question is not this view's: its answer writes nothing.
	d.Send(common.ConfirmMsg{ID: "snapshots.restore", Yes: true})
	if written != 1 {
		t.Fatalf("another view's answer wrote: %d results", written)
	}
}
