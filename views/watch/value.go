package watch

import (
	"strconv"

	tea "charm.land/bubbletea/v2"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/cluster/decode"
	"github.com/etcdeck/etcdeck/views/common"
)

// How the detail pane gets the selected event's value decoded: with cluster/decode, as the
// Keys view's inspector does (Kubernetes protobuf as YAML, JSON pretty, YAML, text, hex), and a
// put over an existing key diffed with decode.Diff. Small values render in Update; larger ones
// in a command, one at a time, tagged with the pane's generation so a result for a row the
// cursor has left is dropped. Following a storm with the pane open therefore renders at most
// one large value at a time, never one per event.

// inlineRender is the most bytes (value and previous value) rendered inside Update: decoding
// and diffing this much takes well under a millisecond, and the pane shows it without a frame
// of "decoding…".
const inlineRender = 32 << 10

// renderJob is what a rendering needs, copied out of the buffer so the command never reads the
// model. Entries are never modified once pushed, so their byte slices are safe to share.
type renderJob struct {
	seq    int64
	choice int    // index into decode.Detect(value); clamped to what applies
	value  []byte // the value shown: the new one, or the deleted one for a delete
	// prev is the previous value to diff against, when diff is set.
	prev               []byte
	diff               bool
	oldLabel, newLabel string
}

// renderedMsg carries the selected event's value rendered (and its diff, when asked for).
type renderedMsg struct {
	sid     uint64
	gen     int
	seq     int64
	choice  int
	choices []decode.Rendering
	value   *decode.Doc
	diffed  bool
	diff    *decode.Doc
}

// run decodes the job; it is what the command does off the UI loop.
func (j renderJob) run() renderedMsg {
	choices := decode.Detect(j.value)
	c := max(min(j.choice, len(choices)-1), 0)
	msg := renderedMsg{seq: j.seq, choice: c, choices: choices, value: decode.Render(j.value, choices[c]), diffed: j.diff}
	if j.diff {
		msg.diff = decode.Diff(j.oldLabel, j.newLabel, j.prev, j.value)
	}
	return msg
}

// jobFor is the rendering e needs; ok is false when there is no value to render (a note, a
// delete the watch knows no value of, a value not kept).
func jobFor(e *entry, seq int64, choice int) (j renderJob, ok bool) {
	if e == nil || e.isNote() {
		return j, false
	}
	ev := &e.ev
	j = renderJob{seq: seq, choice: choice}
	switch {
	case ev.Kind == cluster.EventDelete && ev.HasPrev:
		j.value = ev.PrevValue
	case ev.Kind == cluster.EventDelete, ev.Value == nil && ev.ValueSize > 0:
		return j, false
	default:
		j.value = ev.Value
		if ev.HasPrev && ev.PrevValue != nil {
			j.prev, j.diff = ev.PrevValue, true
			j.oldLabel, j.newLabel = "rev "+strconv.FormatInt(ev.PrevRev, 10), "rev "+strconv.FormatInt(ev.Rev, 10)
		}
	}
	return j, true
}

// syncDetail renders the selected event's value when the pane is open and shows another event
// or rendering than the one selected; Update calls it after every message, so the pane follows
// the cursor, the newest event while following, filters and clears alike.
func (m *Model) syncDetail() tea.Cmd {
	d := &m.detail
	if !d.open {
		return nil
	}
	seq := int64(-1)
	var e *entry
	if m.rows() > 0 {
		seq = m.vis.at(m.list.cursor)
		e = m.buf.bySeq(seq)
	}
	if seq != d.seq {
		d.seq, d.choice, d.choices = seq, 0, nil // another event: its best rendering first
	}
	if d.pending || (d.shown == d.seq && d.shownChoice == d.choice) {
		return nil // what is wanted is shown, or the running rendering re-syncs when it ends
	}
	job, ok := jobFor(e, seq, d.choice)
	if !ok {
		d.shown, d.shownChoice, d.value, d.diff = seq, d.choice, nil, nil
		return nil
	}
	// Cycling renderings changes the value's, not the diff's (decode.Diff picks its own).
	job.diff = job.diff && !(d.shown == seq && d.diff != nil)
	d.gen++
	if len(job.value)+len(job.prev) <= inlineRender {
		d.apply(job.run())
		return nil
	}
	d.pending = true
	gen, sid := d.gen, m.common.SessionID()
	return func() tea.Msg {
		msg := job.run()
		msg.sid, msg.gen = sid, gen
		return msg
	}
}

// rendered takes a rendering done off the UI loop; one for an older request is dropped.
func (m *Model) rendered(msg renderedMsg) {
	if msg.sid != m.common.SessionID() || msg.gen != m.detail.gen {
		return
	}
	m.detail.pending = false
	m.detail.apply(msg)
}

// apply shows msg's rendering when the cursor is still on its event.
func (d *detail) apply(msg renderedMsg) {
	if msg.seq != d.seq {
		return // the cursor moved on; syncDetail asks for the new one
	}
	if msg.diffed {
		d.diff = msg.diff
	} else if msg.seq != d.shown {
		d.diff = nil
	}
	d.choices, d.choice = msg.choices, msg.choice
	d.value, d.shown, d.shownChoice = msg.value, msg.seq, msg.choice
}

// reset forgets what the pane rendered, since a new watch numbers its entries from 0 again, and
// drops any rendering still running.
func (d *detail) reset() {
	d.gen++
	d.pending = false
	d.seq, d.shown, d.choice, d.shownChoice = -1, -1, 0, 0
	d.choices, d.value, d.diff = nil, nil, nil
}

// cycleRendering shows the selected value the next way it can be rendered (`v`, as in the
// inspector).
func (m *Model) cycleRendering() tea.Cmd {
	d := &m.detail
	if !d.open {
		return common.Flash(common.FlashInfo, "open the selected event's value first ("+common.KeyName(m.common.Keys.Watch.Detail)+")")
	}
	if len(d.choices) < 2 {
		return common.Flash(common.FlashInfo, "this value has one rendering")
	}
	d.choice = (d.choice + 1) % len(d.choices)
	d.scroll = 0
	return nil // syncDetail renders it
}
