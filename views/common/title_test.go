package common

import (
	"testing"

	"charm.land/bubbles/v2/key"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

func TestTitleLine(t *testing.T) {
	st := NewStyles(true)
	tests := []struct {
		name                  string
		width                 int
		title, subject, right string
		want                  string
	}{
		{"both fit", 40, "Keys", "/registry/", "rev 7 · live", " Keys  /registry/          rev 7 · live "},
		{"no right", 20, "Watch", "", "", " Watch              "},
		{"subject cut, right kept", 32, "Keys", "/registry/pods/default/", "rev 7 · live", " Keys  /registry/… rev 7 · live "},
		{"too narrow for right", 16, "Keys", "/registry/pods/", "rev 7 · live", " Keys  /registr…"},
	}
	for _, tt := range tests {
		got := st.TitleLine(tt.width, tt.title, tt.subject, tt.right)
		if plain := ansi.Strip(got); plain != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, plain, tt.want)
		}
		if w := lipgloss.Width(got); w != tt.width {
			t.Errorf("%s: width %d, want %d", tt.name, w, tt.width)
		}
	}
}

func TestHints(t *testing.T) {
	reload := key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "reload"))
	off := key.NewBinding(key.WithKeys("D"), key.WithHelp("D", "defragment"), key.WithDisabled())
	unbound := key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "x"))
	unbound.Unbind()
	overridden := key.NewBinding(key.WithKeys("space"), key.WithHelp("space", "pause"))
	overridden.SetKeys("p", "ctrl+p")
	overridden.SetHelp("p/ctrl+p", "pause")
	got := Hints(BindingHint(reload, "reload"), BindingHint(off, "defragment"), BindingHint(unbound, "x"),
		BindingHint(overridden, "resume"))
	if want := "r reload · p/ctrl+p resume"; got != want {
		t.Errorf("Hints = %q, want %q", got, want)
	}
	if Hints(BindingHint(off, "x")) != "" || KeyName(unbound) != "" {
		t.Error("a disabled or unbound binding produced a hint")
	}
}
