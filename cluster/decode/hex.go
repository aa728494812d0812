package decode

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
