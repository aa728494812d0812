package decode

import (
	"errors"
	"fmt"
)

// newHexDoc is a hex dump of v, made line by line when drawn (a 1.5 MiB value is 98,304 lines).
func newHexDoc(v []byte, notes []string) *Doc {
	if v == nil {
		v = []byte{}
	}
	return &Doc{Rendering: Hex, Notes: notes, hex: v}
}

const hexDigits = "0123456789abcdef"

// hexLine is line i of the dump: "00000010  6b 38 73 00 …  |k8s.…|", as hexdump -C prints it.
func hexLine(v []byte, i int) Line {
	off := i * 16
	row := v[off:min(off+16, len(v))]
	offset := make([]byte, 8)
	for j, n := 7, off; j >= 0; j-- {
		offset[j] = hexDigits[n&0xf]
		n >>= 4
	}
	hex := make([]byte, 0, 50)
	ascii := make([]byte, 0, 18)
	ascii = append(ascii, '|')
	for j := range 16 {
		if j == 8 {
			hex = append(hex, ' ')
		}
		if j < len(row) {
			hex = append(hex, hexDigits[row[j]>>4], hexDigits[row[j]&0xf], ' ')
			c := row[j]
			if c < 0x20 || c > 0x7e {
				c = '.'
			}
			ascii = append(ascii, c)
		} else {
			hex = append(hex, ' ', ' ', ' ')
		}
	}
	ascii = append(ascii, '|')
	return Line{
		{Text: string(offset), Kind: Offset},
		{Text: "  ", Kind: Plain},
		{Text: string(hex), Kind: Plain},
		{Text: " ", Kind: Plain},
		{Text: string(ascii), Kind: Dim},
	}
}

// HexText is v as hex for editing: 16 bytes a line, bytes separated by spaces. ParseHex reads
// it back whatever the spacing.
func HexText(v []byte) string {
	b := make([]byte, 0, len(v)*3+len(v)/16+1)
	for i, c := range v {
		if i > 0 {
			if i%16 == 0 {
				b = append(b, '\n')
			} else {
				b = append(b, ' ')
			}
		}
		b = append(b, hexDigits[c>>4], hexDigits[c&0xf])
	}
	if len(v) > 0 {
		b = append(b, '\n')
	}
	return string(b)
}

// ParseHex reads hex digits in pairs, ignoring spaces, tabs and newlines; anything else is an
// error naming where it is.
func ParseHex(s string) ([]byte, error) {
	out := make([]byte, 0, len(s)/3+1)
	var hi byte
	half := false
	line := 1
	for i := 0; i < len(s); i++ {
		c := s[i]
		var n byte
		switch {
		case c == '\n':
			line++
			continue
		case c == ' ' || c == '\t' || c == '\r':
			continue
		case c >= '0' && c <= '9':
			n = c - '0'
		case c >= 'a' && c <= 'f':
			n = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			n = c - 'A' + 10
		default:
			return nil, fmt.Errorf("line %d: %q is not a hex digit", line, c)
		}
		if half {
			out = append(out, hi<<4|n)
		} else {
			hi = n
		}
		half = !half
	}
	if half {
		return nil, errors.New("an odd number of hex digits: the last byte is incomplete")
	}
	return out, nil
}
