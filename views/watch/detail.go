package watch

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/cluster/decode"
	"github.com/etcdeck/etcdeck/views/common"
	"github.com/etcdeck/etcdeck/views/common/syntax"
)

// detail is the pane under the list showing the selected event in full: its metadata, its
// value decoded as the inspector decodes it, and for a put over an existing key a diff against
// the previous value. value.go fills the rendering; only the lines on screen are styled.
type detail struct {
	open bool
	// scroll is the first line of the value shown (the event's two header lines stay put); the
	// pane clamps it to what the value has.
	scroll int

	gen     int   // bumps with every rendering asked for: older results are dropped
	pending bool  // a rendering runs off the UI loop
	seq     int64 // the selected entry the choice applies to (-1: none)
	choice  int   // the rendering wanted, an index into choices
	choices []decode.Rendering
	// shown and shownChoice are the entry and rendering value and diff hold.
	shown       int64
	shownChoice int
	value       *decode.Doc // the value, or the deleted value of a delete
	diff        *decode.Doc
}

// detailHead is how many lines at the top of the pane name the event and never scroll.
const detailHead = 2

// paneHints are the keys the pane names: more follows "… N more lines", renders the value's
// title when it has more than one rendering.
type paneHints struct{ more, renders string }

// view renders the pane's rows (height of them) for e: the header, then the body from the
// scroll position, the last row saying how much is left below.
func (d *detail) view(st *common.Styles, e *entry, width, height int, h paneHints) []string {
	head, b := d.parts(st, e, h)
	head = head[:min(detailHead, len(head))]
	n := b.len()
	rows := max(height-len(head), 0)
	start := max(min(d.scroll, n-rows), 0)
	end := min(start+rows, n)
	out := append([]string{}, head...)
	if start > 0 && end > start {
		// The first row says what is above, in place of a line of the value.
		out = append(out, st.Muted.Render(fmt.Sprintf("… %d lines above", start+1)))
		start++
	}
	left := n - end
	more := left > 0 && end > start
	if more {
		end-- // the last row says what is below, in place of a line of the value
	}
	for i := start; i < end; i++ {
		out = append(out, b.line(st, i, width))
	}
	if more {
		out = append(out, st.Muted.Render(fmt.Sprintf("… %d more lines%s", left+1, h.more)))
	}
	return out
}

// part is a run of the pane's body: one styled line, or a rendered document's lines.
type part struct {
	text string
	doc  *decode.Doc
	from int // the doc's first line shown
}

type body []part

func (b body) len() int {
	n := 0
	for _, p := range b {
		if p.doc != nil {
			n += p.doc.Len() - p.from
		} else {
			n++
		}
	}
	return n
}

// line styles line i of the body, cut to width before styling (a doc line may be 1 KiB).
func (b body) line(st *common.Styles, i, width int) string {
	for _, p := range b {
		if p.doc == nil {
			if i == 0 {
				return p.text
			}
			i--
			continue
		}
		if i < p.doc.Len()-p.from {
			return syntax.Line(st, cutLine(p.doc.Line(p.from+i), width))
		}
		i -= p.doc.Len() - p.from
	}
	return ""
}

// parts is e's two header lines and its body.
func (d *detail) parts(st *common.Styles, e *entry, h paneHints) (head []string, b body) {
	if e == nil {
		return []string{st.Muted.Render("no event selected")}, nil
	}
	if e.isNote() {
		return []string{e.note}, nil
	}
	ev := &e.ev
	kind := "PUT"
	if ev.Kind == cluster.EventDelete {
		kind = "DELETE"
	}
	head = []string{st.Title.Render(kind) + " " + cluster.EscapeKey(ev.Key)}
	when := e.at.Format("15:04:05.000")
	if e.replay {
		when = "replayed from the history"
	}
	meta := fmt.Sprintf("revision %d · %s", ev.Rev, when)
	if ev.Kind == cluster.EventPut {
		meta += fmt.Sprintf(" · version %d · created at %d · %s", ev.Version, ev.CreateRev, cluster.FormatBytes(ev.ValueSize))
		if ev.Lease != 0 {
			meta += fmt.Sprintf(" · lease %x", ev.Lease)
		}
	}
	head = append(head, st.Muted.Render(meta))
	muted := func(s string) part { return part{text: st.Muted.Render(s)} }
	switch {
	case ev.Kind == cluster.EventDelete && !ev.HasPrev:
		return head, body{muted("the key had no value the watch knows of")}
	case ev.Kind == cluster.EventPut && ev.Value == nil && ev.ValueSize > 0:
		return head, body{muted("the value was not kept (watched keys-only)")}
	case d.shown != e.seq || d.value == nil:
		return head, body{muted("decoding the value…")}
	}
	v, what := ev.Value, "value"
	if ev.Kind == cluster.EventDelete {
		v, what = ev.PrevValue, fmt.Sprintf("deleted value (from revision %d)", ev.PrevRev)
	}
	if d.diff != nil {
		label := fmt.Sprintf("changes from revision %d to %d", ev.PrevRev, ev.Rev)
		if len(d.diff.Notes) > 0 {
			label += " (" + strings.Join(d.diff.Notes, "; ") + ")"
		}
		// The label names both revisions: the diff's ---/+++ lines would only repeat them.
		from := 0
		if strings.HasPrefix(d.diff.Line(0).String(), "---") && strings.HasPrefix(d.diff.Line(1).String(), "+++") {
			from = 2
		}
		b = append(b, muted(label+":"), part{doc: d.diff, from: from})
	}
	if len(v) == 0 {
		return head, append(b, muted(what+": empty"))
	}
	label := what + " as " + d.value.Rendering.String()
	if len(d.choices) > 1 && h.renders != "" {
		label += " · " + h.renders + " renders"
	}
	b = append(b, muted(label+":"))
	for _, n := range d.value.Notes {
		b = append(b, part{text: st.Warning.Render(n)})
	}
	return head, append(b, part{doc: d.value})
}

// cutLine keeps the tokens of l that fit in width cells.
func cutLine(l decode.Line, width int) decode.Line {
	out := make(decode.Line, 0, len(l))
	for _, t := range l {
		w := ansi.StringWidth(t.Text)
		if w > width {
			out = append(out, decode.Token{Text: ansi.Truncate(t.Text, width, "…"), Kind: t.Kind})
			break
		}
		out = append(out, t)
		width -= w
	}
	return out
}

// printable tells whether v reads as text: valid UTF-8 without control characters but tabs
// and newlines.
func printable(v []byte) bool {
	if !utf8.Valid(v) {
		return false
	}
	for _, r := range string(v) {
		if unicode.IsControl(r) && r != '\n' && r != '\t' && r != '\r' {
			return false
		}
	}
	return true
}

// preview is the start of a value on one line for the list's last column: text with its
// whitespace folded, or hex for a binary value.
func preview(ev *cluster.Event, width int) string {
	if ev.Kind == cluster.EventDelete || width <= 0 {
		return ""
	}
	v := ev.Value
	if len(v) > 4*width {
		v = v[:4*width]
		// The cut may split a rune: drop its start rather than call the value binary.
		for n := 0; n < utf8.UTFMax && len(v) > 0 && !utf8.Valid(v); n++ {
			v = v[:len(v)-1]
		}
	}
	if !printable(v) {
		return fmt.Sprintf("%x", v[:min(len(v), width/2)])
	}
	// Folded, then escaped by the one rule: a bidi override or zero-width character in a value
	// must not make the row read differently from its bytes.
	return cluster.EscapeText(strings.Join(strings.Fields(string(v)), " "))
}
