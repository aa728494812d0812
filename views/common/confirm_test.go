package common

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

func confirmKey(s string) tea.KeyPressMsg {
	switch s {
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEscape}
	case "space":
		return tea.KeyPressMsg{Code: tea.KeySpace, Text: " "}
	}
	r := []rune(s)[0]
	return tea.KeyPressMsg{Code: r, Text: s}
}

// answer feeds keys and returns the ConfirmMsg the last one produced, or nil.
func answer(t *testing.T, c *Confirm, keys ...string) *ConfirmMsg {
	t.Helper()
	var got *ConfirmMsg
	for _, k := range keys {
		cmd := c.Update(confirmKey(k))
		if cmd == nil {
			continue
		}
		if m, ok := cmd().(ConfirmMsg); ok {
			got = &m
		}
	}
	return got
}

func TestConfirmYesNo(t *testing.T) {
	tests := []struct {
		keys []string
		yes  bool
		done bool
	}{
		{[]string{"y"}, true, true},
		{[]string{"Y"}, true, true},
		{[]string{"n"}, false, true},
		{[]string{"esc"}, false, true},
		{[]string{"enter"}, false, true}, // y/N: the default is no
		{[]string{"x", "q"}, false, false},
		{[]string{"x", "y"}, true, true},
	}
	for _, tt := range tests {
		c := NewConfirm(NewStyles(true))
		c.Ask("tui.quit", "restore is running. Quit and interrupt it?")
		got := answer(t, &c, tt.keys...)
		switch {
		case !tt.done && got != nil:
			t.Errorf("%v answered %+v; other keys must leave the question open", tt.keys, *got)
		case tt.done && got == nil:
			t.Errorf("%v did not answer", tt.keys)
		case tt.done && (got.Yes != tt.yes || got.ID != "tui.quit"):
			t.Errorf("%v = %+v, want Yes=%v ID tui.quit", tt.keys, *got, tt.yes)
		}
		if c.Active() == tt.done {
			t.Errorf("%v: Active = %v after answering=%v", tt.keys, c.Active(), tt.done)
		}
	}
}

func TestConfirmTypedMustMatchExactly(t *testing.T) {
	const word = "/registry/pods/"
	tests := []struct {
		name  string
		typed string
		yes   bool
	}{
		{"exact", word, true},
		{"prefix", "/registry/pods", false},
		{"shorter prefix", "/reg", false},
		{"extra space", word + " ", false},
		{"leading space", " " + word, false},
		{"other case", "/Registry/pods/", false},
		{"longer", word + "x", false},
		{"empty", "", false},
	}
	for _, tt := range tests {
		c := NewConfirm(NewStyles(true))
		c.AskTyped("keys.delete", "delete 1,204 keys under /registry/pods/", word)
		var keys []string
		for _, r := range tt.typed {
			if r == ' ' {
				keys = append(keys, "space")
			} else {
				keys = append(keys, string(r))
			}
		}
		if got := answer(t, &c, keys...); got != nil {
			t.Fatalf("%s: answered before enter: %+v", tt.name, *got)
		}
		got := answer(t, &c, "enter")
		if got == nil || got.Yes != tt.yes || got.ID != "keys.delete" {
			t.Errorf("%s (%q): %+v, want Yes=%v", tt.name, tt.typed, got, tt.yes)
		}
	}
	// Typing y is not a yes for a typed question, and esc is no.
	c := NewConfirm(NewStyles(true))
	c.AskTyped("snapshots.restore", "restore snap.db into /var/lib/etcd-restored", "restore")
	if got := answer(t, &c, "y"); got != nil {
		t.Fatalf("y answered a typed question: %+v", *got)
	}
	if got := answer(t, &c, "esc"); got == nil || got.Yes || !got.Cancelled {
		t.Fatalf("esc = %+v, want no, cancelled", got)
	}
	// A mistyped word is a no but not a cancel: the owner says what to type.
	c.AskTyped("snapshots.restore", "restore snap.db", "restore")
	if got := answer(t, &c, "r", "enter"); got == nil || got.Yes || got.Cancelled {
		t.Fatalf("mistyped = %+v, want no, not cancelled", got)
	}
}

// TestConfirmWrapsLongQuestion: at 80 columns a question naming a 63-character snapshot file
// and a 100-byte prefix wraps; every line fits, and the whole question, the whole word to type
// and the field are on screen.
func TestConfirmWrapsLongQuestion(t *testing.T) {
	file := "etcd-snapshot-" + strings.Repeat("m", 63-len("etcd-snapshot--rev102.db")) + "-rev102.db"
	prefix := "/registry/" + strings.Repeat("customresourcedefinitions/", 3)
	prefix += strings.Repeat("x", 99-len(prefix)) + "/"
	c := NewConfirm(NewStyles(true))
	c.SetWidth(80)
	q := "Restore " + file + " (rev 102) into the embedded member? Its data moves aside, not deleted. delete 3 keys under " + prefix + "?"
	c.AskTyped("x", q, prefix)
	c.Update(tea.KeyPressMsg{Code: 'a', Text: "a"})
	lines := strings.Split(ansi.Strip(c.View()), "\n")
	if c.Height() != len(lines) || len(lines) < 4 {
		t.Fatalf("Height %d, %d lines:\n%s", c.Height(), len(lines), strings.Join(lines, "\n"))
	}
	for _, l := range lines {
		if w := ansi.StringWidth(l); w > 80 {
			t.Errorf("line of %d cells: %q", w, l)
		}
	}
	joined := ""
	for _, l := range lines {
		joined += strings.TrimSpace(l)
	}
	for _, want := range []string{file, "(rev 102)", "type" + prefix + "andenter:", "> a"} {
		if !strings.Contains(strings.ReplaceAll(joined, " ", ""), strings.ReplaceAll(want, " ", "")) {
			t.Errorf("%q not on screen:\n%s", want, strings.Join(lines, "\n"))
		}
	}
}

func TestConfirmViewNamesTheAction(t *testing.T) {
	c := NewConfirm(NewStyles(true))
	if c.View() != "" {
		t.Fatal("a closed Confirm renders something")
	}
	c.AskTyped("keys.delete", "delete 1,204 keys under /registry/pods/", "/registry/pods/")
	v := ansi.Strip(c.View())
	for _, want := range []string{"delete 1,204 keys under /registry/pods/", "type /registry/pods/"} {
		if !strings.Contains(v, want) {
			t.Errorf("view %q lacks %q", v, want)
		}
	}
	c.Ask("tui.quit", "Quit?")
	if v := ansi.Strip(c.View()); !strings.Contains(v, "Quit? y/N") {
		t.Errorf("yes/no view = %q", v)
	}
	if c.ID() != "tui.quit" {
		t.Errorf("ID = %q", c.ID())
	}
}

// TestConfirmEscapesQuestion: a question names keys, files and members; it shows by the one
// escaping rule (ESC as \x1b, bidi as \u{…}), and so does the word to type.
func TestConfirmEscapesQuestion(t *testing.T) {
	c := NewConfirm(NewStyles(false))
	c.Ask("x", "delete ev\x1b[31mil\u202e.db?")
	if v := c.View(); !strings.Contains(v, `delete ev\x1b[31mil\u{202e}.db?`) || strings.ContainsRune(v, 0x202e) {
		t.Errorf("the question is not escaped: %q", v)
	}
	c.AskTyped("y", "delete every key under it?", "/p\u2066/")
	if v := c.View(); !strings.Contains(v, `/p\u{2066}/`) || strings.ContainsRune(v, 0x2066) {
		t.Errorf("the word to type is not escaped: %q", v)
	}
}
