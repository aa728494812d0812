package watch

import (
	"strings"
	"testing"
)

func TestLineDiff(t *testing.T) {
	for _, tc := range []struct{ old, new, want string }{
		{"a\nb\nc", "a\nb\nc", " a| b| c"},
		{"a\nb\nc", "a\nB\nc", " a|-b|+B| c"},
		{"small", "x\ny", "-small|+x|+y"},
		{"a\nb", "a\nb\nc", " a| b|+c"},
		{"a\nb\nc", "c", "-a|-b| c"},
		{"", "new", "-|+new"},
	} {
		lines, ok := lineDiff(tc.old, tc.new)
		var got []string
		for _, l := range lines {
			got = append(got, string(l.op)+l.text)
		}
		if !ok || strings.Join(got, "|") != tc.want {
			t.Errorf("diff(%q, %q) = %q, want %q", tc.old, tc.new, strings.Join(got, "|"), tc.want)
		}
	}
	if _, ok := lineDiff(strings.Repeat("x\n", maxDiffLines+1), "x"); ok {
		t.Error("a value longer than maxDiffLines was diffed")
	}
}

// FuzzLineDiff: the kept and removed lines rebuild the old value, kept and added the new.
func FuzzLineDiff(f *testing.F) {
	f.Add("a\nb\nc", "a\nc\nd")
	f.Fuzz(func(t *testing.T, old, new string) {
		lines, ok := lineDiff(old, new)
		if !ok {
			return
		}
		var a, b []string
		for _, l := range lines {
			if l.op != '+' {
				a = append(a, l.text)
			}
			if l.op != '-' {
				b = append(b, l.text)
			}
		}
		if strings.Join(a, "\n") != old || strings.Join(b, "\n") != new {
			t.Fatalf("diff does not rebuild its sides: %q %q", old, new)
		}
	})
}
