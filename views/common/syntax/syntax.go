// Package syntax colours the lines cluster/decode renders (JSON, YAML, hex, diffs) with the
// console's styles, for every view that shows values (the Keys inspector and history, the Watch
// view's detail pane). It is a folder of its own, not part of views/common, because it imports
// cluster/decode and its slow Kubernetes packages, which views that show no values (and
// views/common's own tests) should not have to build and link.
package syntax

import (
	"strings"

	"github.com/etcdeck/etcdeck/cluster/decode"
	"github.com/etcdeck/etcdeck/views/common"
)

// Line colours a rendered line's tokens.
func Line(st *common.Styles, l decode.Line) string {
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
