package common

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
)

func TestFit(t *testing.T) {
	tests := []struct {
		in   string
		w, h int
		want string
	}{
		{"ab", 4, 1, "ab  "},
		{"abcdef", 4, 1, "abc…"},
		{"a\nb\nc", 2, 2, "a \nb "},
		{"a", 2, 3, "a \n  \n  "},
		{"日本語", 4, 1, "日… "}, // a wide rune does not fit in the last cell: padded
		{"x", 0, 3, ""},
	}
	for _, tt := range tests {
		if got := Fit(tt.in, tt.w, tt.h); got != tt.want {
			t.Errorf("Fit(%q, %d, %d) = %q, want %q", tt.in, tt.w, tt.h, got, tt.want)
		}
	}
}

// FuzzFit: whatever a view renders, Fit's result is exactly w×h cells.
func FuzzFit(f *testing.F) {
	for _, s := range []string{"", "a\nb", "\x1b[1mbold\x1b[m text", "日本語\t\n", "\r\n\r\n"} {
		f.Add(s, 10, 3)
	}
	f.Fuzz(func(t *testing.T, s string, w, h int) {
		w, h = w%200, h%60
		if w <= 0 || h <= 0 || strings.ContainsAny(s, "\r\t\x1b") {
			return // views never emit raw tabs or carriage returns; escapes are lipgloss's
		}
		lines := strings.Split(Fit(s, w, h), "\n")
		if len(lines) != h {
			t.Fatalf("%d lines, want %d", len(lines), h)
		}
		for _, l := range lines {
			if lipgloss.Width(l) != w {
				t.Fatalf("line %q is %d wide, want %d", l, lipgloss.Width(l), w)
			}
		}
	})
}

// FuzzPlainWidth: the width Fit counts without measuring graphemes is the width Lip Gloss
// measures, for every line it takes that way.
func FuzzPlainWidth(f *testing.F) {
	for _, s := range []string{"", "plain", "\x1b[1;38;2;1;2;3mbold\x1b[m text", "\x1b[38:5:2mx", "\x1b[", "\x1b]8;;x\x07", "é", "a\x7fb"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if w, ok := plainWidth(s); ok && w != lipgloss.Width(s) {
			t.Fatalf("plainWidth(%q) = %d, Lip Gloss measures %d", s, w, lipgloss.Width(s))
		}
	})
}

func TestPlainWidth(t *testing.T) {
	for _, tt := range []struct {
		in string
		w  int
		ok bool
	}{
		{"", 0, true},
		{" NAME  HEALTH", 13, true},
		{"\x1b[1;32mhealthy\x1b[m  1.2ms", 14, true},
		{"日本", 0, false},             // measured by graphemes
		{"\x1b]8;;u\x07x", 0, false}, // a hyperlink: not SGR
		{"a\tb", 0, false},
		{"\x1b[1", 0, false}, // cut short
	} {
		if w, ok := plainWidth(tt.in); w != tt.w || ok != tt.ok {
			t.Errorf("plainWidth(%q) = %d, %v; want %d, %v", tt.in, w, ok, tt.w, tt.ok)
		}
	}
}

func TestPrompt(t *testing.T) {
	p := NewPrompt(NewStyles(true), ":", "")
	if res, _ := p.Update(tea.KeyPressMsg{Code: 'x', Text: "x"}); res != PromptEditing || p.Value() != "" {
		t.Fatal("a closed prompt took a key")
	}
	p.Open("go")
	for _, r := range "to /q" {
		p.Update(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
	if !p.Active() || p.Value() != "goto /q" {
		t.Fatalf("value %q active %v", p.Value(), p.Active())
	}
	if res, _ := p.Update(tea.KeyPressMsg{Code: tea.KeyEnter}); res != PromptSubmitted || p.Active() || p.Value() != "goto /q" {
		t.Errorf("enter: res %v active %v value %q", res, p.Active(), p.Value())
	}
	p.Open("")
	if res, _ := p.Update(tea.KeyPressMsg{Code: tea.KeyEscape}); res != PromptCancelled || p.Active() {
		t.Errorf("esc: res %v active %v", res, p.Active())
	}
	if p.View() != "" {
		t.Errorf("closed prompt renders %q", p.View())
	}
}

// TestNoColorStyles: without colour the styles emit no colour sequences at all, only
// attributes, so NO_COLOR terminals still tell states apart.
func TestNoColorStyles(t *testing.T) {
	st := NewStyles(true)
	for name, s := range map[string]lipgloss.Style{
		"brand": st.Brand, "error": st.Error, "warning": st.Warning, "selected": st.Selected,
		"tab": st.TabActive, "read-only": st.ReadOnly, "muted": st.Muted,
	} {
		out := s.Render("x")
		if strings.Contains(out, "38;") || strings.Contains(out, "48;") || hasColorSGR(out) {
			t.Errorf("%s renders colour: %q", name, out)
		}
	}
	if st.Selected.Render("x") == "x" {
		t.Error("the selected row is indistinguishable without colour")
	}
}

// hasColorSGR reports an SGR parameter in 30–37, 40–47 or 90–107 (basic colours).
func hasColorSGR(s string) bool {
	for _, seq := range strings.Split(s, "\x1b[")[1:] {
		params, _, _ := strings.Cut(seq, "m")
		for _, p := range strings.Split(params, ";") {
			if len(p) == 2 && (p[0] == '3' || p[0] == '4' || p[0] == '9') && p[1] >= '0' && p[1] <= '7' {
				return true
			}
		}
	}
	return false
}

// TestStylesIgnoreEnvironment: NO_COLOR is read once, into config.Settings; the styles follow
// the value they are given, so goldens do not depend on the environment.
func TestStylesIgnoreEnvironment(t *testing.T) {
	t.Setenv("NO_COLOR", "1")
	out := NewStyles(false).Brand.Render("x")
	if !strings.Contains(out, "38;") && !hasColorSGR(out) {
		t.Errorf("NewStyles(false) under NO_COLOR=1 rendered no colour: %q", out)
	}
}
