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
	"github.com/etcdeck/etcdeck/views/common"
	"github.com/etcdeck/etcdeck/views/common/syntax"
)

// historyPane lists a key's earlier revisions (newest first) and shows, under the list, the
// unified diff of the selected one against the one before it.
type historyPane struct {
	c             common.Common
	width, height int

	open    bool
	gen     int
	key     string
	loading bool
	err     error
	h       cluster.History
	times   []time.Time // when each revision was written, from the object itself; zero: unknown
	cursor  int
	offset  int
	diff    *decode.Doc
	diffOff int
}

// historyMsg carries a key's history and the times its Kubernetes objects say they were written.
type historyMsg struct {
	sid   uint64
	gen   int
	h     cluster.History
	times []time.Time
	err   error
}

// timedBytes bounds the values decoded for their time: decoding is ~0.1 ms for a typical
// object, 40 ms for one of 1.5 MiB.
const timedBytes = 256 << 10

// diffMsg carries the diff of revision rev against the one before it, computed off the UI loop
// (two 512 KiB values take tens of milliseconds).
type diffMsg struct {
	sid uint64
	gen int
	rev int64
	doc *decode.Doc
}

func (m historyMsg) ResultSession() uint64 { return m.sid }
func (m diffMsg) ResultSession() uint64    { return m.sid }

// historyLimit bounds the revisions read for one key (each is a Get of up to 1.5 MiB).
const historyLimit = 200

// show opens the pane on key and reads its history.
func (hp *historyPane) show(key string) tea.Cmd {
	hp.gen++
	hp.open, hp.key, hp.loading, hp.err = true, key, true, nil
	hp.h, hp.cursor, hp.offset, hp.diff, hp.diffOff = cluster.History{}, 0, 0, nil, 0
	s := hp.c.Session
	if s == nil {
		hp.loading = false
		return nil
	}
	gen := hp.gen
	return func() tea.Msg {
		h, err := s.Client.History(s.Context(), key, historyLimit)
		times := make([]time.Time, len(h.Revs))
		for i, r := range h.Revs {
			if !r.Deleted && len(r.Value) <= timedBytes {
				times[i], _ = decode.ObjectTime(r.Value)
			}
		}
		return historyMsg{sid: s.ID, gen: gen, h: h, times: times, err: err}
	}
}

func (hp *historyPane) close() { hp.open = false; hp.gen++ }

// Update handles the history's keys (while it has the focus) and its own results.
func (hp *historyPane) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		return hp.keyPress(msg)
	case historyMsg:
		return hp.loaded(msg)
	case diffMsg:
		hp.diffed(msg)
	}
	return nil
}

func (hp *historyPane) loaded(msg historyMsg) tea.Cmd {
	if msg.gen != hp.gen || !hp.open {
		return nil
	}
	hp.loading, hp.err, hp.h, hp.times = false, msg.err, msg.h, msg.times
	hp.cursor = 0
	return hp.selectRev()
}

// diffed shows a diff if it is still the selected revision's.
func (hp *historyPane) diffed(msg diffMsg) {
	if r, ok := hp.selected(); ok && msg.gen == hp.gen && msg.rev == r.Rev {
		hp.diff, hp.diffOff = msg.doc, 0
	}
}

// selected is the revision under the cursor.
func (hp *historyPane) selected() (cluster.Revision, bool) {
	if hp.cursor < 0 || hp.cursor >= len(hp.h.Revs) {
		return cluster.Revision{}, false
	}
	return hp.h.Revs[hp.cursor], true
}

// selectRev diffs the selected revision against the one before it, in a command.
func (hp *historyPane) selectRev() tea.Cmd {
	hp.diffOff, hp.diff = 0, nil
	r, ok := hp.selected()
	if !ok {
		return nil
	}
	oldLabel, oldValue, newValue := "(nothing before)", []byte(nil), r.Value
	if hp.cursor+1 < len(hp.h.Revs) {
		prev := hp.h.Revs[hp.cursor+1]
		oldLabel, oldValue = revLabel(prev), prev.Value
		if prev.Deleted {
			oldLabel, oldValue = revLabel(prev)+" (deleted)", nil
		}
	}
	if r.Deleted {
		newValue = nil
	}
	gen, sid, label := hp.gen, hp.c.SessionID(), revLabel(r)
	return func() tea.Msg {
		return diffMsg{sid: sid, gen: gen, rev: r.Rev, doc: decode.Diff(oldLabel, label, oldValue, newValue)}
	}
}

func revLabel(r cluster.Revision) string { return "rev " + strconv.FormatInt(r.Rev, 10) }

// listHeight is how many revisions are listed; the diff takes the rest.
func (hp *historyPane) listHeight() int { return max(3, min(len(hp.h.Revs)+1, (hp.height-2)/3)) }

func (hp *historyPane) diffHeight() int { return max(1, hp.height-2-hp.listHeight()) }

// keyPress moves through the revisions; pgup/pgdown scroll the diff. enter and u are the
// parent's: they need the inspector and the write path.
func (hp *historyPane) keyPress(msg tea.KeyPressMsg) tea.Cmd {
	km := hp.c.Keys.Keys
	switch {
	case key.Matches(msg, km.Up):
		hp.cursor = max(0, hp.cursor-1)
	case key.Matches(msg, km.Down):
		hp.cursor = min(len(hp.h.Revs)-1, hp.cursor+1)
	case key.Matches(msg, km.Top):
		hp.cursor = 0
	case key.Matches(msg, km.Bottom):
		hp.cursor = len(hp.h.Revs) - 1
	case key.Matches(msg, km.PageDown):
		if hp.diff != nil {
			hp.diffOff = max(0, min(hp.diffOff+hp.diffHeight(), hp.diff.Len()-hp.diffHeight()))
		}
		return nil
	case key.Matches(msg, km.PageUp):
		hp.diffOff = max(0, hp.diffOff-hp.diffHeight())
		return nil
	default:
		return nil
	}
	hp.cursor = max(0, hp.cursor)
	h := hp.listHeight() - 1
	if hp.cursor < hp.offset {
		hp.offset = hp.cursor
	}
	if hp.cursor >= hp.offset+h {
		hp.offset = hp.cursor - h + 1
	}
	return hp.selectRev()
}

// View draws the revision list, what etcd no longer has, and the diff.
func (hp *historyPane) View() string {
	st := hp.c.Styles
	var b strings.Builder
	right := ""
	if !hp.loading && hp.err == nil {
		right = common.Plural(len(hp.h.Revs), "revision")
	}
	b.WriteString(st.TitleLine(hp.width, "History", cluster.EscapeKey(hp.key), st.Muted.Render(right)) + "\n")
	switch {
	case hp.loading:
		b.WriteString(" " + st.Muted.Render("reading the history of "+cluster.EscapeKey(hp.key)+"…"))
		return common.Fit(b.String(), hp.width, hp.height)
	case hp.err != nil:
		b.WriteString(" " + st.Error.Render("✗ "+cluster.EscapeText(hp.err.Error())))
		return common.Fit(b.String(), hp.width, hp.height)
	}
	b.WriteString(" " + st.Muted.Render(hp.footnote()) + "\n")
	lh := hp.listHeight() - 1
	for i := hp.offset; i < min(len(hp.h.Revs), hp.offset+lh); i++ {
		line := " " + revRow(hp.h.Revs[i], hp.timeOf(i))
		if i == hp.cursor {
			line = st.Selected.Render(common.Pad(line, hp.width))
		}
		b.WriteString(line + "\n")
	}
	for i := len(hp.h.Revs) - hp.offset; i < lh; i++ {
		b.WriteString("\n")
	}
	if hp.diff != nil {
		b.WriteString(st.Muted.Render(common.Pad(" ─ "+strings.Join(hp.diff.Notes, " "), hp.width)) + "\n")
		end := min(hp.diff.Len(), hp.diffOff+hp.diffHeight()-1)
		for i := hp.diffOff; i < end; i++ {
			b.WriteString(" " + syntax.Line(st, hp.diff.Line(i)) + "\n")
		}
	}
	return common.Fit(b.String(), hp.width, hp.height)
}

// footnote says how far back the history goes and that times are unknown.
func (hp *historyPane) footnote() string {
	var parts []string
	switch {
	case hp.h.Truncated:
		parts = append(parts, fmt.Sprintf("the newest %d revisions", len(hp.h.Revs)))
	case hp.h.CompactedAt > 0:
		parts = append(parts, "older revisions compacted at rev "+strconv.FormatInt(hp.h.CompactedAt, 10))
	default:
		parts = append(parts, "complete history")
	}
	if hp.h.EarlierErr != "" {
		parts = append(parts, hp.h.EarlierErr)
	}
	known := false
	for i := range hp.h.Revs {
		known = known || !hp.timeOf(i).IsZero()
	}
	if known {
		parts = append(parts, "times from the objects' managedFields (etcd records none)")
	} else {
		parts = append(parts, "times unknown (etcd records none)")
	}
	return strings.Join(parts, " · ")
}

func (hp *historyPane) timeOf(i int) time.Time {
	if i < len(hp.times) {
		return hp.times[i]
	}
	return time.Time{}
}

// revRow is one revision: its number, what happened, version, size and, when the object says,
// when it was written (UTC).
func revRow(r cluster.Revision, at time.Time) string {
	when := ""
	if !at.IsZero() {
		when = "  " + at.UTC().Format("2006-01-02 15:04:05")
	}
	if r.Deleted {
		return fmt.Sprintf("rev %-8d deleted       (last value %s)", r.Rev, cluster.FormatBytes(int64(len(r.Value))))
	}
	what := "updated"
	if r.Version == 1 {
		what = "created"
	}
	return fmt.Sprintf("rev %-8d %-8s v%-4d %8s%s", r.Rev, what, r.Version, cluster.FormatBytes(int64(len(r.Value))), when)
}
