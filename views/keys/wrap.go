package keys

import (
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/etcdeck/etcdeck/cluster/decode"
	"github.com/etcdeck/etcdeck/views/common"
)

// How the inspector lays a value's lines on screen: long lines wrap to the pane, and only the
// lines on screen are wrapped and styled.

// wrapped is doc line i cut into rows of the pane's width (in cells), tokens kept.
func (in *inspector) wrapped(i int) []decode.Line {
	w := max(8, in.width-2)
	l := in.doc.Line(i)
	var rows []decode.Line
	var row decode.Line
	cells := 0
	for _, t := range l {
		start := 0
		for j, r := range t.Text {
			rw := ansi.StringWidth(string(r))
			if cells+rw > w {
				if j > start {
					row = append(row, decode.Token{Text: t.Text[start:j], Kind: t.Kind})
				}
				rows, row, cells, start = append(rows, row), nil, 0, j
			}
			cells += rw
		}
		if start < len(t.Text) {
			row = append(row, decode.Token{Text: t.Text[start:], Kind: t.Kind})
		}
	}
	return append(rows, row)
}

// fits is how many doc lines from line from fill the body once wrapped (at least one).
func (in *inspector) fits(from int) int {
	n, rows := 0, 0
	for i := from; i < in.doc.Len(); i++ {
		if rows += len(in.wrapped(i)); rows > in.bodyHeight() && n > 0 {
			break
		}
		n++
	}
	return n
}

// bottom is the offset that shows the last lines of the value, wrapped, at the bottom.
func (in *inspector) bottom() int {
	if in.doc == nil {
		return 0
	}
	i, rows := in.doc.Len()-1, 0
	for ; i >= 0; i-- {
		if rows += len(in.wrapped(i)); rows > in.bodyHeight() {
			break
		}
	}
	return min(i+1, max(0, in.doc.Len()-1))
}

// styleLine colours a rendered line's tokens.
func styleLine(st *common.Styles, l decode.Line) string {
	var b strings.Builder
	for _, t := range l {
		switch t.Kind {
		case decode.Key:
			b.WriteString(st.SynKey.Render(t.Text))
		case decode.String:
			b.WriteString(st.SynString.Render(t.Text))
		case decode.Number:
			b.WriteString(st.SynNumber.Render(t.Text))
		case decode.Literal:
			b.WriteString(st.SynLiteral.Render(t.Text))
		case decode.Punct:
			b.WriteString(st.SynPunct.Render(t.Text))
		case decode.Comment:
			b.WriteString(st.SynComment.Render(t.Text))
		case decode.Offset, decode.Dim:
			b.WriteString(st.Muted.Render(t.Text))
		case decode.Added:
			b.WriteString(st.DiffAdd.Render(t.Text))
		case decode.Removed:
			b.WriteString(st.DiffDel.Render(t.Text))
		case decode.Hunk:
			b.WriteString(st.DiffHunk.Render(t.Text))
		default:
			b.WriteString(t.Text)
		}
	}
	return b.String()
}
