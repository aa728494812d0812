package keys

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/cluster/decode"
	"github.com/etcdeck/etcdeck/embednode"
	"github.com/etcdeck/etcdeck/views/common"
	"github.com/etcdeck/etcdeck/views/common/syntax"
)

// inspector shows one key's value and metadata beside or below the list. The value is fetched
// when the inspector opens on a key, decoded off the UI loop, and drawn a screen of lines at a
// time (decode.Doc renders lines on demand), so a 1.5 MiB value scrolls without freezing.
type inspector struct {
	c             common.Common
	width, height int

	open    bool
	gen     int // bumps on every fetch or rendering change: stale results are dropped
	key     string
	rev     int64 // the revision read at; 0 for the current one
	loading bool
	err     error

	info     cluster.KeyInfo
	label    string // what the value is: "" for the key's current value, "rev 42 (history)"…
	doc      *decode.Doc
	choices  []decode.Rendering
	choice   int
	offset   int
	ttlLeft  int64  // seconds left on the lease, counted down locally
	ttlTicks bool   // a tick is armed for gen
	note     string // the preview of a directory row: what it is, instead of a value
	// preview: the list has the keys and this shows the row under its cursor; the title says
	// "Preview" instead of "Value", so where the keys go is on screen.
	preview bool
}

// inspectedMsg carries a key read for the inspector, decoded in the command.
type inspectedMsg struct {
	sid     uint64
	gen     int
	info    cluster.KeyInfo
	choices []decode.Rendering
	doc     *decode.Doc
	err     error
}

// renderedMsg carries the value rendered another way (`v`).
type renderedMsg struct {
	sid    uint64
	gen    int
	choice int
	doc    *decode.Doc
	line   int // the first line on screen: where the place shown before is in this rendering
}

// ttlTickMsg counts the lease's TTL down by a second.
type ttlTickMsg struct {
	sid uint64
	gen int
}

func (m inspectedMsg) ResultSession() uint64 { return m.sid }
func (m renderedMsg) ResultSession() uint64  { return m.sid }
func (m ttlTickMsg) ResultSession() uint64   { return m.sid }

// show opens the inspector on key read at rev (0: current) and fetches it.
func (in *inspector) show(key string, rev int64) tea.Cmd {
	if key != in.key || rev != in.rev || in.label != "" {
		in.offset, in.choice, in.choices, in.doc = 0, 0, nil, nil // another value: start at its top
	}
	in.open, in.key, in.rev, in.label, in.note = true, key, rev, "", ""
	return in.fetch()
}

// showNote shows a line about a directory (the preview of its row) instead of a value.
func (in *inspector) showNote(dir, note string) {
	in.gen++
	in.open, in.key, in.rev, in.label, in.note = true, dir, 0, "", note
	in.loading, in.err, in.ttlTicks = false, nil, false
	in.info, in.doc, in.choices, in.choice, in.offset = cluster.KeyInfo{}, nil, nil, 0, 0
}

// fetch reads the key again (open, reload, lease expiry), keeping the scroll position.
func (in *inspector) fetch() tea.Cmd {
	in.gen++
	in.loading, in.err, in.ttlTicks = true, nil, false
	s := in.c.Session
	if s == nil {
		in.loading = false
		return nil
	}
	gen, key, rev := in.gen, in.key, in.rev
	return func() tea.Msg {
		info, err := s.Client.GetKey(s.Context(), key, rev)
		msg := inspectedMsg{sid: s.ID, gen: gen, info: info, err: err}
		if err == nil && info.Found {
			msg.choices = decode.Detect(info.Value)
			msg.doc = decode.Render(info.Value, msg.choices[0])
		}
		return msg
	}
}

// showValue opens the inspector on a value already in hand (a revision from the history).
func (in *inspector) showValue(key string, r cluster.Revision) tea.Cmd {
	in.gen++
	in.open, in.key, in.loading, in.err, in.ttlTicks, in.note = true, key, false, nil, false, ""
	in.rev, in.offset = r.Rev, 0
	in.label = "rev " + strconv.FormatInt(r.Rev, 10) + " (history)"
	if r.Deleted {
		in.label = "value deleted at rev " + strconv.FormatInt(r.Rev, 10)
	}
	in.info = cluster.KeyInfo{Key: key, Value: r.Value, Found: true, Rev: r.Rev, CreateRev: r.CreateRev,
		ModRev: r.Rev, Version: r.Version, Lease: r.Lease, TTL: -1}
	if r.Deleted {
		in.info.ModRev = 0
	}
	in.choices = decode.Detect(r.Value)
	in.choice = 0
	in.doc = decode.Render(r.Value, in.choices[0])
	return nil
}

func (in *inspector) close() {
	in.open, in.note = false, ""
	in.gen++
	in.doc, in.info = nil, cluster.KeyInfo{}
}

// Update handles the inspector's keys (while it has the focus) and its own results.
func (in *inspector) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		return in.keyPress(msg)
	case inspectedMsg:
		if msg.gen != in.gen || !in.open {
			return nil
		}
		in.loading, in.err, in.info = false, msg.err, msg.info
		in.ttlLeft = msg.info.TTL
		if msg.err != nil || !msg.info.Found {
			in.doc = nil
			return nil
		}
		keep := in.choice < len(msg.choices) && in.choice < len(in.choices) && msg.choices[0] == in.choices[0]
		in.choices = msg.choices
		if keep && in.choice != 0 {
			// The old rendering stays until this one arrives: the place on screen is kept in it.
			return in.render(in.choice)
		}
		in.doc = msg.doc
		if !keep {
			in.choice = 0
		}
		in.clamp()
		return in.armTTL()
	case renderedMsg:
		if msg.gen == in.gen && in.open {
			in.choice, in.doc, in.offset = msg.choice, msg.doc, msg.line
			in.clamp()
		}
	case ttlTickMsg:
		if msg.gen != in.gen || !in.open {
			return nil
		}
		in.ttlTicks = false
		in.ttlLeft--
		if in.ttlLeft <= 0 {
			return in.fetch() // expired, or refreshed by a keep-alive: read it again
		}
		return in.armTTL()
	}
	return nil
}

// armTTL ticks the lease countdown once a second while a current key with a lease is shown.
func (in *inspector) armTTL() tea.Cmd {
	if in.rev != 0 || in.info.Lease == 0 || in.info.TTL < 0 || in.ttlTicks {
		return nil
	}
	in.ttlTicks = true
	gen, sid := in.gen, in.c.SessionID()
	return tea.Tick(time.Second, func(time.Time) tea.Msg { return ttlTickMsg{sid: sid, gen: gen} })
}

// render switches to rendering choice, decoding off the UI loop.
func (in *inspector) render(choice int) tea.Cmd {
	if in.info.Value == nil && !in.info.Found {
		return nil
	}
	in.gen++
	in.ttlTicks = false
	gen, sid, v, r := in.gen, in.c.SessionID(), in.info.Value, in.choices[choice]
	prev, line := in.doc, in.offset // a Doc does not change once made: safe to read off the loop
	return tea.Batch(in.armTTL(), func() tea.Msg {
		doc := decode.Render(v, r)
		return renderedMsg{sid: sid, gen: gen, choice: choice, doc: doc, line: decode.KeepPlace(prev, doc, line)}
	})
}

// bodyHeight is the number of value lines on screen: title, metadata and notes take the rest.
func (in *inspector) bodyHeight() int {
	n := in.height - 1 - len(in.metaLines())
	if in.doc != nil {
		n -= len(in.doc.Notes)
	}
	return max(1, n)
}

func (in *inspector) clamp() {
	if in.doc == nil {
		in.offset = 0
		return
	}
	in.offset = max(0, min(in.offset, in.bottom()))
}

// keyPress scrolls, cycles renderings and copies.
func (in *inspector) keyPress(msg tea.KeyPressMsg) tea.Cmd {
	km := in.c.Keys.Keys
	if in.doc == nil && !key.Matches(msg, km.CopyKey) {
		return nil // nothing to scroll yet
	}
	switch {
	case key.Matches(msg, km.Up):
		in.offset--
	case key.Matches(msg, km.Down):
		in.offset++
	case key.Matches(msg, km.PageUp):
		in.offset -= in.bodyHeight()
	case key.Matches(msg, km.PageDown):
		in.offset += max(1, in.fits(in.offset))
	case key.Matches(msg, km.Top):
		in.offset = 0
	case key.Matches(msg, km.Bottom):
		in.offset = in.bottom()
	case key.Matches(msg, km.Render):
		if len(in.choices) < 2 {
			return common.Flash(common.FlashInfo, "this value has one rendering")
		}
		return in.render((in.choice + 1) % len(in.choices))
	case key.Matches(msg, km.CopyKey):
		return copyKeyCmd(in.key)
	case key.Matches(msg, km.CopyValue):
		if in.doc == nil {
			return common.Flash(common.FlashWarn, "no value to copy")
		}
		return copyCmd(in.doc.Text(), "value as "+in.doc.Rendering.String())
	default:
		return nil
	}
	in.clamp()
	return nil
}

// copyKeyCmd copies key as it is when it is plain text, else as the shell word that reads back
// as its bytes ($'/odd/\xff…'): the escaped text shown on screen would paste into etcdctl as
// another key. The status bar shows what was copied.
func copyKeyCmd(k string) tea.Cmd {
	if cluster.EscapeKey(k) == k {
		return copyCmd(k, "key "+k)
	}
	q := embednode.ShellQuote(k)
	return copyCmd(q, "key as a shell word "+cluster.EscapeText(q))
}

// copyCmd puts text on the clipboard with OSC 52: the terminal does the copying, and only if it
// allows programs to set the clipboard.
func copyCmd(text, what string) tea.Cmd {
	msg := fmt.Sprintf("copied %s (%s) via OSC 52: the terminal must allow OSC 52 clipboard writes", what, cluster.FormatBytes(int64(len(text))))
	if len(text) > largeCopy {
		msg += "; many cap their size, so a copy this large may arrive cut"
	}
	return tea.Batch(tea.SetClipboard(text), common.Flash(common.FlashInfo, msg))
}

// largeCopy is the size past which the copy message warns: terminals and tmux cap OSC 52
// sequences (xterm's default is about 100 KB of base64).
const largeCopy = 64 << 10

// View draws the inspector into width×height.
func (in *inspector) View() string {
	st := in.c.Styles
	var b strings.Builder
	right := ""
	if in.doc != nil {
		// "line", not a bare "1/2": it reads as "rendering 1 of 2" beside the rendering's name.
		right = fmt.Sprintf("%s · line %d/%d", in.doc.Rendering, min(in.offset+1, in.doc.Len()), in.doc.Len())
		if len(in.choices) > 1 && !in.preview { // v is the value's key: not offered in a preview
			if h := common.KeyName(in.c.Keys.Keys.Render); h != "" {
				right += " · " + h + " renders"
			}
		}
	}
	title := "Value"
	if in.preview {
		title = "Preview"
	}
	b.WriteString(st.TitleLine(in.width, title, cluster.EscapeKey(in.key), st.Muted.Render(right)) + "\n")
	switch {
	case in.note != "":
		b.WriteString(" " + st.Muted.Render(in.note))
		return common.Fit(b.String(), in.width, in.height)
	case in.loading && in.doc == nil:
		b.WriteString(" " + st.Muted.Render("reading "+cluster.EscapeKey(in.key)+"…"))
		return common.Fit(b.String(), in.width, in.height)
	case in.err != nil:
		b.WriteString(" " + st.Error.Render("✗ "+cluster.EscapeText(in.err.Error())))
		return common.Fit(b.String(), in.width, in.height)
	case !in.info.Found:
		where := "now"
		if in.rev != 0 {
			where = "at rev " + strconv.FormatInt(in.rev, 10)
		}
		b.WriteString(" " + st.Muted.Render("the key does not exist "+where+" (deleted?)"))
		return common.Fit(b.String(), in.width, in.height)
	}
	for _, l := range in.metaLines() {
		b.WriteString(" " + st.Muted.Render(l) + "\n")
	}
	for _, n := range in.doc.Notes {
		b.WriteString(" " + st.Warning.Render(n) + "\n")
	}
	// Long lines wrap: only the lines on screen are rendered, each into the rows it takes.
	for i, rows := in.offset, 0; i < in.doc.Len() && rows < in.bodyHeight(); i++ {
		for _, r := range in.wrapped(i) {
			if rows++; rows > in.bodyHeight() {
				break
			}
			b.WriteString(" " + syntax.Line(st, r) + "\n")
		}
	}
	return common.Fit(b.String(), in.width, in.height)
}

// metaLines are the key's revisions, version and size, then its lease on a line of its own.
func (in *inspector) metaLines() []string {
	i := in.info
	parts := []string{}
	if in.label != "" {
		parts = append(parts, in.label)
	}
	if i.CreateRev > 0 {
		parts = append(parts, "created "+strconv.FormatInt(i.CreateRev, 10))
	}
	if i.ModRev > 0 {
		parts = append(parts, "modified "+strconv.FormatInt(i.ModRev, 10))
	}
	if i.Version > 0 {
		parts = append(parts, "version "+strconv.FormatInt(i.Version, 10))
	}
	parts = append(parts, cluster.FormatBytes(int64(len(i.Value))))
	lease := ""
	switch {
	case i.Lease == 0:
		parts = append(parts, "no lease")
	case in.rev != 0:
		lease = fmt.Sprintf("lease %x", i.Lease)
	case i.LeaseGone || i.TTL < 0:
		lease = fmt.Sprintf("lease %x expired", i.Lease)
	default:
		lease = fmt.Sprintf("lease %x · ttl %ds", i.Lease, max(in.ttlLeft, 0))
	}
	if lease == "" {
		return []string{strings.Join(parts, " · ")}
	}
	return []string{strings.Join(parts, " · "), lease}
}
