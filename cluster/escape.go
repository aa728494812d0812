package cluster

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// EscapeKey renders a raw etcd key (or one segment of it) for the terminal, the one escaping used
// everywhere keys are shown: printable UTF-8 stays as is, a backslash becomes `\\`, bytes that are
// not valid UTF-8 and ASCII control bytes become `\xNN`, and other non-printable runes (C1
// controls, line separators, format characters such as the bidi overrides U+202E and
// U+2066–U+2069, U+061C and zero-width characters) become `\u{XXXX}`. UnescapeKey reverses it, so
// a key shown on screen can be typed back.
func EscapeKey(s string) string { return escape(s, true) }

// EscapeText renders any other text that came from the cluster for the terminal — a value's
// lines in every rendering, member names, URLs, error texts, file names — by EscapeKey's rule,
// except that a backslash stays as it is (the text is read, not typed back) and a tab becomes
// four spaces (so widths stay right). Nothing it returns can move the cursor, change colours or
// reorder the text around it.
func EscapeText(s string) string {
	if !needsEscape(s, false) {
		return s
	}
	return escape(strings.ReplaceAll(s, "\t", "    "), false)
}

// needsEscape is true when s holds a byte escape would change.
func needsEscape(s string, backslash bool) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || backslash && c == '\\' {
			return true
		}
	}
	return false
}

// escape is the one rule: see EscapeKey.
func escape(s string, backslash bool) string {
	if !needsEscape(s, backslash) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\\' && backslash:
			b.WriteString(`\\`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		case r < utf8.RuneSelf || unicode.IsPrint(r):
			b.WriteString(s[i : i+size])
		default:
			fmt.Fprintf(&b, `\u{%04x}`, r)
		}
		i += size
	}
	return b.String()
}

// UnescapeKey turns text typed by a person (or shown by EscapeKey) back into raw key bytes:
// `\xNN`, `\u{X…}` and `\\` are decoded, everything else is taken literally. A lone backslash
// before any other character is kept as typed.
func UnescapeKey(s string) (string, error) {
	if !strings.Contains(s, `\`) {
		return s, nil
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' || i+1 >= len(s) {
			b.WriteByte(s[i])
			continue
		}
		switch s[i+1] {
		case '\\':
			b.WriteByte('\\')
			i++
		case 'x':
			if i+4 > len(s) {
				return "", fmt.Errorf(`%q: \x needs two hex digits`, s)
			}
			v, err := strconv.ParseUint(s[i+2:i+4], 16, 8)
			if err != nil {
				return "", fmt.Errorf(`%q: \x needs two hex digits, not %q`, s, s[i+2:i+4])
			}
			b.WriteByte(byte(v))
			i += 3
		case 'u':
			end := strings.IndexByte(s[i:], '}')
			if i+2 >= len(s) || s[i+2] != '{' || end < 0 {
				return "", fmt.Errorf(`%q: write a code point as \u{XXXX}`, s)
			}
			v, err := strconv.ParseUint(s[i+3:i+end], 16, 32)
			if err != nil || !utf8.ValidRune(rune(v)) {
				return "", fmt.Errorf(`%q: %q is not a Unicode code point`, s, s[i+3:i+end])
			}
			b.WriteRune(rune(v))
			i += end
		default:
			b.WriteByte('\\')
		}
	}
	return b.String(), nil
}
