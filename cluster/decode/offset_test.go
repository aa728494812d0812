package decode

import (
	"fmt"
	"strings"
	"testing"
)

// TestKeepPlace: cycling renderings keeps the byte shown at the top, not the line number: text
// line 661 → the hex line holding the same byte, and back to the line holding that byte; a
// rendering that re-formats the value keeps the proportion.
func TestKeepPlace(t *testing.T) {
	var b strings.Builder
	for i := range 1000 {
		fmt.Fprintf(&b, "line %04d of the value\n", i) // 23 bytes a line
	}
	v := []byte(b.String())
	text, hex := Render(v, Text), Render(v, Hex)
	for _, c := range []struct {
		name       string
		from, to   *Doc
		line, want int
	}{
		{"text line 661 to hex", text, hex, 661, 661 * 23 / 16},
		{"hex back to the text line holding its first byte", hex, text, 661 * 23 / 16, (661 * 23 / 16 * 16) / 23},
		{"text top", text, hex, 0, 0},
		{"text last line", text, hex, 999, 999 * 23 / 16},
		{"hex last line to text", hex, text, hex.Len() - 1, 999},
	} {
		if got := KeepPlace(c.from, c.to, c.line); got != c.want {
			t.Errorf("%s: line %d → %d, want %d", c.name, c.line, got, c.want)
		}
	}
	if off, ok := text.ValueOffset(661); !ok || off != 661*23 {
		t.Errorf("text ValueOffset(661) = %d %v", off, ok)
	}

	// JSON pretty-printed holds no byte of the value as such: the same proportion of the way.
	js := []byte(`{"a":[` + strings.Repeat(`1,`, 99) + `1]}`)
	pretty, jhex := Render(js, JSON), Render(js, Hex)
	if _, ok := pretty.ValueOffset(3); ok {
		t.Error("pretty-printed JSON claims byte offsets of the value")
	}
	half := pretty.Len() / 2
	if got, want := KeepPlace(pretty, jhex, half), half*jhex.Len()/pretty.Len(); got != want {
		t.Errorf("JSON line %d → hex %d, want %d", half, got, want)
	}
	// A compact JSON value shown as text is its own bytes.
	if _, ok := Render(js, Text).ValueOffset(0); !ok {
		t.Error("text rendering lost its byte offsets")
	}
}
