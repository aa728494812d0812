package watch

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/views/common"
)

// The inspector's decoders (cluster/decode, branch i8-inspector) were not on main when this was
// written: values show as text when they are printable UTF-8, else as a hex dump.

// detail is the pane under the list showing the selected event in full: its metadata, its
// value, and for a put over an existing key a diff against the previous value.
type detail struct {
	open bool
	// scroll is the first line of the value shown (the event's two header lines stay put); the
	// pane clamps it to what the value has.
	scroll int
}

// detailHead is how many lines at the top of the pane name the event and never scroll.
const detailHead = 2

// view renders the pane's rows (height of them) for e: the header, then the value from the
// scroll position, the last row saying how much is left below.
func (d *detail) view(st *common.Styles, e *entry, width, height int, more string) []string {
	lines := d.lines(st, e, width)
	head := lines[:min(detailHead, len(lines))]
	body := lines[len(head):]
	rows := max(height-len(head), 0)
	start := max(min(d.scroll, len(body)-rows), 0)
	shown := body[start:min(start+rows, len(body))]
	out := append([]string{}, head...)
	if start > 0 && len(shown) > 0 {
		// The first row says what is above, in place of a line of the value.
		out = append(out, st.Muted.Render(fmt.Sprintf("… %d lines above", start+1)))
		shown = shown[1:]
	}
	if left := len(body) - start - rows; left > 0 && len(shown) > 0 {
		shown = shown[:len(shown)-1]
		return append(append(out, shown...), st.Muted.Render(fmt.Sprintf("… %d more lines%s", left+1, more)))
	}
	return append(out, shown...)
}

// lines renders e for a pane width wide: every line, the caller cuts what does not fit.
func (d *detail) lines(st *common.Styles, e *entry, width int) []string {
	if e == nil {
		return []string{st.Muted.Render("no event selected")}
	}
	if e.isNote() {
		return []string{e.note}
	}
	ev := &e.ev
	kind := "PUT"
	if ev.Kind == cluster.EventDelete {
		kind = "DELETE"
	}
	out := []string{st.Title.Render(kind) + " " + cluster.EscapeKey(ev.Key)}
	meta := fmt.Sprintf("revision %d · %s", ev.Rev, e.at.Format("15:04:05.000"))
	if ev.Kind == cluster.EventPut {
		meta += fmt.Sprintf(" · version %d · created at %d · %s", ev.Version, ev.CreateRev, common.FormatSize(ev.ValueSize))
		if ev.Lease != 0 {
			meta += fmt.Sprintf(" · lease %x", ev.Lease)
		}
	}
	out = append(out, st.Muted.Render(meta))
	switch {
	case ev.Kind == cluster.EventDelete && ev.HasPrev:
		out = append(out, st.Muted.Render(fmt.Sprintf("deleted value (from revision %d):", ev.PrevRev)))
		out = append(out, valueLines(ev.PrevValue)...)
	case ev.Kind == cluster.EventDelete:
		out = append(out, st.Muted.Render("the key had no value the watch knows of"))
	case ev.Value == nil && ev.ValueSize > 0:
		out = append(out, st.Muted.Render("the value was not kept (watched keys-only)"))
	case ev.HasPrev && printable(ev.PrevValue) && printable(ev.Value):
		out = append(out, st.Muted.Render(fmt.Sprintf("changes since revision %d:", ev.PrevRev)))
		out = append(out, diffLines(st, string(ev.PrevValue), string(ev.Value), width)...)
	default:
		if ev.HasPrev {
			out = append(out, st.Muted.Render(fmt.Sprintf("new value (binary: no diff with revision %d's):", ev.PrevRev)))
		}
		out = append(out, valueLines(ev.Value)...)
	}
	return out
}

// diffLines renders the diff of two text values, or the new value when too long to diff.
func diffLines(st *common.Styles, old, new string, width int) []string {
	if old == new {
		return append([]string{st.Muted.Render("(same value as before)")}, valueLines([]byte(new))...)
	}
	dl, ok := lineDiff(old, new)
	if !ok {
		return append([]string{st.Muted.Render("(too long to diff: the new value)")}, valueLines([]byte(new))...)
	}
	out := make([]string, 0, len(dl))
	for _, l := range dl {
		s := string(l.op) + " " + common.Pad(sanitize(l.text), max(width-2, 1))
		switch l.op {
		case '+':
			s = st.Info.Render(s)
		case '-':
			s = st.Error.Render(s)
		}
		out = append(out, s)
	}
	return out
}

// valueLines is a value as text lines when printable, else as a hex dump.
func valueLines(v []byte) []string {
	if len(v) == 0 {
		return []string{"(empty)"}
	}
	if printable(v) {
		return strings.Split(sanitize(string(v)), "\n")
	}
	var out []string
	for off := 0; off < len(v); off += 16 {
		row := v[off:min(off+16, len(v))]
		var hex, text strings.Builder
		for i, c := range row {
			if i == 8 {
				hex.WriteByte(' ')
			}
			fmt.Fprintf(&hex, "%02x ", c)
			if c >= 0x20 && c < 0x7f {
				text.WriteByte(c)
			} else {
				text.WriteByte('.')
			}
		}
		out = append(out, fmt.Sprintf("%08x  %-49s |%s|", off, hex.String(), text.String()))
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

// sanitize makes text safe for one terminal cell per rune: tabs become spaces, carriage
// returns go.
func sanitize(s string) string {
	return strings.NewReplacer("\t", "    ", "\r", "").Replace(s)
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
	return strings.Join(strings.Fields(string(v)), " ")
}
