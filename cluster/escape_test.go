package cluster

import (
	"sort"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestEscapeKey(t *testing.T) {
	for in, want := range map[string]string{
		"/registry/pods/a": "/registry/pods/a",
		"":                 "",
		"a\\b":             `a\\b`,
		"\x00\x1f\x7f":     `\x00\x1f\x7f`,
		"\xff\xfe":         `\xff\xfe`,
		"é/日本":             "é/日本",
		"\xc3":             `\xc3`,
		"a\u0085b\u2028c":  `a\u{0085}b\u{2028}c`,
		"line\nbreak\ttab": `line\x0abreak\x09tab`,
	} {
		if got := EscapeKey(in); got != want {
			t.Errorf("EscapeKey(%q) = %q, want %q", in, got, want)
		}
		if back, err := UnescapeKey(EscapeKey(in)); err != nil || back != in {
			t.Errorf("UnescapeKey(EscapeKey(%q)) = %q, %v", in, back, err)
		}
	}
	for _, bad := range []string{`\x`, `\xZZ`, `\u{zz}`, `\u12`} {
		if _, err := UnescapeKey(bad); err == nil {
			t.Errorf("UnescapeKey(%q) accepted", bad)
		}
	}
	if got, _ := UnescapeKey(`a\qb`); got != `a\qb` {
		t.Errorf("a lone backslash changed: %q", got)
	}
}

// FuzzEscapeKey: escaping is reversible and leaves only printable, valid UTF-8.
func FuzzEscapeKey(f *testing.F) {
	for _, s := range []string{"", "/a/b", "\xff", "\\x41", "\u2028", "a\x00b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e := EscapeKey(s)
		if !utf8.ValidString(e) {
			t.Fatalf("EscapeKey(%q) = %q is not UTF-8", s, e)
		}
		for _, r := range e {
			if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
				t.Fatalf("EscapeKey(%q) = %q holds control %U", s, e, r)
			}
		}
		if back, err := UnescapeKey(e); err != nil || back != s {
			t.Fatalf("UnescapeKey(EscapeKey(%q)) = %q, %v", s, back, err)
		}
	})
}

// FuzzBuilder feeds sorted keys to the row builder, jumping past subtrees as a scan would, and
// compares the rows with a naive split of all keys.
func FuzzBuilder(f *testing.F) {
	f.Add("a/b\n/a//c\nx\n/\xff/q\nab/c\na-b\na", "a/", 2)
	f.Add("/r/s\n/r/s/x\n/r/s-x\n/r/s0\n/r/s/y", "/r/", 1)
	f.Fuzz(func(t *testing.T, list, prefix string, skip int) {
		if skip < 1 || skip > 50 {
			skip = 1 + (skip%50+50)%50
		}
		set := map[string]bool{}
		for _, k := range strings.Split(list, "\n") {
			if k != "" && strings.HasPrefix(k, prefix) {
				set[k] = true
			}
		}
		var keys []string
		for k := range set {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		b := newBuilder(prefix, '/')
		b.skipAfter = skip
		var st scanState
		resume := ""
		for _, k := range keys {
			if k < resume {
				continue
			}
			if to, ok := b.add(&st, k); ok {
				resume = to
			}
		}
		want := map[string][2]bool{}
		counts := map[string]int64{}
		for _, k := range keys {
			name, dir := b.split(k)
			w := want[name]
			if dir {
				w[1] = true
				counts[name]++
			} else {
				w[0] = true
			}
			want[name] = w
		}
		rows := b.sorted()
		if len(rows) != len(want) {
			t.Fatalf("%d rows, want %d: %v", len(rows), len(want), rows)
		}
		for i, r := range rows {
			if i > 0 && rows[i-1].Name >= r.Name {
				t.Fatalf("rows out of order: %v", rows)
			}
			w := want[r.Name]
			if r.Leaf != w[0] || r.Dir != w[1] || (r.Dir && r.Count >= 0 && r.Count != counts[r.Name]) {
				t.Fatalf("row %v, want leaf=%v dir=%v count=%d", r, w[0], w[1], counts[r.Name])
			}
		}
	})
}

// hostileText holds what must never reach the terminal raw: ESC sequences, C1 controls, bidi
// overrides and isolates, the Arabic letter mark, zero-width characters, line separators.
var hostileText = []string{"ev\x1b[31mil", "a\u202eb", "\u2066x\u2069", "\u2067\u2068", "a\u061cb", "z\u200bw\u200c\u200d\ufeff",
	"c1\u0085\u009b", "l\u2028p\u2029", "\xff\xfe", "bell\a"}

// TestEscapeTextHostile: every hostile character comes out as \xNN or \u{…}; plain text (a
// backslash included) comes out unchanged; a tab becomes spaces.
func TestEscapeTextHostile(t *testing.T) {
	for _, s := range hostileText {
		got := EscapeText(s)
		checkTerminalSafe(t, s, got)
		if got == s {
			t.Errorf("%q not escaped", s)
		}
	}
	for in, want := range map[string]string{`C:\dir`: `C:\dir`, "ünï code ✓": "ünï code ✓", "a\tb": "a    b", "ev\x1b[31mil": `ev\x1b[31mil`, "a\u202eb": `a\u{202e}b`} {
		if got := EscapeText(in); got != want {
			t.Errorf("EscapeText(%q) = %q, want %q", in, got, want)
		}
	}
}

// checkTerminalSafe fails when out holds a control, format, bidi or separator character.
func checkTerminalSafe(t *testing.T, in, out string) {
	t.Helper()
	if !utf8.ValidString(out) {
		t.Fatalf("%q escaped to invalid UTF-8 %q", in, out)
	}
	for _, r := range out {
		if r < 0x20 || r == 0x7f || r >= 0x80 && r < 0xa0 || unicode.Is(unicode.Cf, r) || r == 0x2028 || r == 0x2029 || r != ' ' && !unicode.IsPrint(r) {
			t.Fatalf("%q escaped to %q, which still holds %U", in, out, r)
		}
	}
}

// FuzzEscapeText: nothing EscapeText returns can move the cursor, colour or reorder text, and
// text that needed no escaping is returned as it was.
func FuzzEscapeText(f *testing.F) {
	for _, s := range hostileText {
		f.Add(s)
	}
	f.Add("plain / text")
	f.Fuzz(func(t *testing.T, s string) {
		out := EscapeText(s)
		checkTerminalSafe(t, s, out)
		plain := strings.IndexFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f || r >= 0x80 && !unicode.IsPrint(r) }) < 0
		if plain && utf8.ValidString(s) && out != s {
			t.Fatalf("printable %q changed to %q", s, out)
		}
	})
}
