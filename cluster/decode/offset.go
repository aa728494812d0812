package decode

import "sort"

// Byte offsets: cycling renderings (v) keeps the place in the value, not the line number (text
// line 661 and hex line 661 hold different bytes). A rendering whose lines are the value's own
// bytes in order (text, YAML shown as it is, the hex dump) maps a line to the offset of its first
// byte and back; one that re-formats the value (JSON pretty-printed, YAML from JSON, Kubernetes
// objects decoded) does not, and the place is kept in proportion instead.

// sameBytes: d's lines are v's bytes as they are.
func (d *Doc) sameBytes(v []byte) bool {
	b := d.body
	if d.hex != nil {
		b = d.hex
	}
	if len(b) != len(v) {
		return false
	}
	return len(v) == 0 || &b[0] == &v[0]
}

// ValueOffset is the offset in the value of line i's first byte; ok is false when the rendering
// re-formats the value, so no line holds a byte of the value as such.
func (d *Doc) ValueOffset(i int) (off int, ok bool) {
	if !d.exact || i < 0 {
		return 0, false
	}
	if d.hex != nil {
		return min(i*16, len(d.hex)), true
	}
	if i >= len(d.offs) {
		return len(d.body), true
	}
	return d.offs[i], true
}

// LineAt is the line holding the value's byte off; ok is false when the rendering re-formats the
// value.
func (d *Doc) LineAt(off int) (line int, ok bool) {
	if !d.exact {
		return 0, false
	}
	if d.hex != nil {
		return max(0, min(off/16, d.Len()-1)), true
	}
	// The last line starting at or before off.
	i := sort.SearchInts(d.offs, off+1) - 1
	return max(0, i), true
}

// KeepPlace is the line of next that shows what line of prev showed, both renderings of the
// same value: the same byte when both hold the value's bytes as they are, else the same
// proportion of the way down.
func KeepPlace(prev, next *Doc, line int) int {
	if prev == nil || next == nil || line <= 0 {
		return 0
	}
	if off, ok := prev.ValueOffset(line); ok {
		if l, ok := next.LineAt(off); ok {
			return l
		}
	}
	if prev.Len() <= 1 {
		return 0
	}
	return min(next.Len()-1, line*next.Len()/prev.Len())
}
