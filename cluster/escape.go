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
// controls, line separators, format characters) become `\u{XXXX}`. UnescapeKey reverses it, so a
// key shown on screen can be typed back.
func EscapeKey(s string) string {
	clean := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '\\' {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\\':
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
