package decode

import (
	"bytes"
	"strings"

	"github.com/etcdeck/etcdeck/cluster"
)

// TokenKind says what a piece of a line is, so the view can colour it.
type TokenKind uint8

const (
	// Plain is anything without a kind of its own.
	Plain TokenKind = iota
	// Key is an object key (JSON) or mapping key (YAML).
	Key
	// String is a string value.
	String
	// Number is a numeric value.
	Number
	// Literal is true, false or null.
	Literal
	// Punct is structure: braces, brackets, colons, commas, list dashes.
	Punct
	// Comment is a YAML comment.
	Comment
	// Offset is a hex dump's offset column.
	Offset
	// Dim is a hex dump's ASCII column and other secondary text.
	Dim
	// Added is a diff line only in the newer value.
	Added
	// Removed is a diff line only in the older value.
	Removed
	// Hunk is a diff's file and hunk headers.
	Hunk
)

// Token is a run of text of one kind.
type Token struct {
	Text string
	Kind TokenKind
}

// Line is one rendered line as tokens.
type Line []Token

// String is the line's text without kinds.
func (l Line) String() string {
	var b strings.Builder
	for _, t := range l {
		b.WriteString(t.Text)
	}
	return b.String()
}

// maxLine is the longest line a Doc holds, in bytes: a 1.5 MiB value on one line would make every
// redraw tokenise all of it. Longer lines continue on the next (cut at a rune boundary).
const maxLine = 1024

// Doc is a value rendered as lines, rendered one line at a time on demand.
type Doc struct {
	// Rendering is how the value was rendered (a fallback may differ from the one asked for).
	Rendering Rendering
	// Notes are lines shown above the value: what it is ("Kubernetes apps/v1 Deployment"), why
	// it is shown the way it is.
	Notes []string
	body  []byte
	offs  []int // start of each line in body; a line ends at the next start (minus its newline)
	tok   func(string) Line
	hex   []byte // set for hex dumps: lines are made from these bytes, not from body
	exact bool   // the lines are the value's own bytes in order (offset.go)
}

// Len is the number of lines.
func (d *Doc) Len() int {
	if d.hex != nil {
		return (len(d.hex) + 15) / 16
	}
	return len(d.offs)
}

// Line renders line i (0-based); out of range is an empty line.
func (d *Doc) Line(i int) Line {
	if i < 0 || i >= d.Len() {
		return nil
	}
	if d.hex != nil {
		return hexLine(d.hex, i)
	}
	return d.tok(d.raw(i))
}

// raw is line i's text without its newline.
func (d *Doc) raw(i int) string {
	end := len(d.body)
	if i+1 < len(d.offs) {
		end = d.offs[i+1]
	}
	s := d.body[d.offs[i]:end]
	s = bytes.TrimSuffix(s, []byte{'\n'})
	s = bytes.TrimSuffix(s, []byte{'\r'})
	return sanitize(string(s))
}

// sanitize shows a line of a value for the terminal by cluster's one escaping rule (EscapeText):
// control bytes as \xNN, bidi, format and zero-width characters as \u{XXXX} (a value must never
// move the cursor, change colours or make text read differently from its bytes), tabs expanded.
func sanitize(s string) string { return cluster.EscapeText(s) }

// Text is the whole rendering as plain text (what `Y` copies), notes excluded.
func (d *Doc) Text() string {
	if d.hex == nil {
		return string(d.body)
	}
	var b strings.Builder
	for i := range d.Len() {
		b.WriteString(d.Line(i).String())
		b.WriteByte('\n')
	}
	return b.String()
}

// newTextDoc indexes the lines of body, cutting lines longer than maxLine.
func newTextDoc(r Rendering, body []byte, tok func(string) Line, notes []string) *Doc {
	d := &Doc{Rendering: r, Notes: notes, body: body, tok: tok}
	d.offs = make([]int, 0, bytes.Count(body, []byte{'\n'})+1)
	start := 0
	for start < len(body) || start == 0 {
		d.offs = append(d.offs, start)
		nl := bytes.IndexByte(body[start:], '\n')
		next := len(body)
		if nl >= 0 {
			next = start + nl + 1
		}
		if next-start > maxLine {
			next = cutRune(body, start+maxLine)
		}
		if next >= len(body) {
			break
		}
		start = next
	}
	return d
}

// cutRune moves i back to the start of a UTF-8 rune (at most 3 bytes back).
func cutRune(b []byte, i int) int {
	for j := i; j > i-4 && j > 0; j-- {
		if b[j]&0xc0 != 0x80 {
			return j
		}
	}
	return i
}

// tokText is plain text: one token.
func tokText(s string) Line {
	return Line{{Text: s, Kind: Plain}}
}
