package keys

import (
	"context"
	"sort"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/views/common"
)

// liveBatchSize is the most events one liveMsg carries: a burst of 10k events/s arrives as a
// few messages, never one per event. The whole channel, so one message empties it.
const liveBatchSize = liveBuffer

// liveWatch is the watch keeping the open directory current.
type liveWatch struct {
	w      *cluster.Watch
	ctx    context.Context // the watch's: cancelled when it stops or the session ends
	cancel context.CancelFunc
	// reconnecting: the watch was interrupted (its member stalled or went away) and has not
	// resumed yet; the title says so instead of "live".
	reconnecting bool
}

// liveStallAfter is the directory watch's WatchOptions.StallAfter, as the Watch view's: a
// member that stops answering shows as "reconnecting" within a few seconds.
const liveStallAfter = 2 * time.Second

// liveMsg carries a batch of changes under the open directory.
type liveMsg struct {
	sid   uint64
	gen   int
	w     *cluster.Watch // the watch it came from: one stopped by Blur may still answer
	batch cluster.Batch
	// rev is the watch's LastRev right after this batch: every change up to it has been
	// delivered (read in the goroutine that called Next, so it matches the batch).
	rev int64
	err error
}

// liveBuffer is the directory watch's channel size; the watch is keys-only (values of up to
// 1.5 MiB are dropped before buffering, only their size is kept). The channel is allocated whole (~140 bytes an
// event), and every directory opened starts a watch: with the Watch view's 10,000 (the config's
// watch-buffer-size) browsing 50 namespaces quickly churned 70 MB and took the console's RSS past
// 110 MB. A full buffer only stops the watch reading its stream (flow control holds the server
// back), it loses nothing, and the view drains it in batches anyway; but the server then sends
// what waited in fragments of up to ~2 MiB of values, read and dropped here since the watch is
// keys-only. 1,024 (~150 KB a directory) lets one message per frame keep up with a 10,000
// events/s storm; and the watch stops while the view is hidden (liveresume.go).
const liveBuffer = 1024

// startLive watches the listed directory from the revision after the last one applied (the
// listing's, right after it), so no change between the listing and the watch is missed. A
// hidden view starts none (Focus does).
func (m *Model) startLive() tea.Cmd {
	s := m.common.Session
	if s == nil || m.rev == 0 || m.pinRev > 0 || m.hidden {
		return nil // the past does not change: a pinned view is not live
	}
	ctx, cancel := context.WithCancel(s.Context())
	w := s.Client.Watch(ctx, m.dir+m.filteredList, cluster.WatchOptions{Prefix: true, StartRev: m.appliedRev + 1,
		Buffer: liveBuffer, KeysOnly: true, StallAfter: liveStallAfter})
	m.live = &liveWatch{w: w, ctx: ctx, cancel: cancel}
	return m.liveCmd()
}

// liveCmd waits for the next batch of the current watch.
func (m *Model) liveCmd() tea.Cmd {
	if m.live == nil {
		return nil
	}
	w, gen, ctx, sid := m.live.w, m.gen, m.live.ctx, m.common.SessionID()
	return func() tea.Msg {
		b, err := w.Next(ctx, liveBatchSize)
		return liveMsg{sid: sid, gen: gen, w: w, batch: b, rev: w.LastRev(), err: err}
	}
}

// stopLive ends the current watch; its pending liveCmd returns StateClosed and is dropped.
func (m *Model) stopLive() {
	if m.live == nil {
		return
	}
	m.live.cancel()
	go m.live.w.Close() // waits for the watch goroutine, which the cancel has just ended
	m.live = nil
}

// liveBatch applies changes without moving the cursor off the selected row.
func (m *Model) liveBatch(msg liveMsg) tea.Cmd {
	if msg.gen != m.gen || m.live == nil || msg.w != m.live.w {
		return nil
	}
	keep := m.selectedName()
	evs := msg.batch.Events
	m.applyEvents(evs)
	if msg.rev > m.appliedRev {
		m.appliedRev, m.progressAsked = msg.rev, false
	}
	// A batch can end inside a transaction's revision; details read at appliedRev would then
	// miss the part already applied, so they wait for the rest of it.
	m.midRev = len(evs) > 0 && evs[len(evs)-1].Rev > msg.rev
	m.refilterKeep(keep)
	cmds := []tea.Cmd{m.fetchDetails()}
	if st := msg.batch.State; st != nil {
		switch st.Kind {
		case cluster.StateCompacted:
			return tea.Batch(common.Flash(common.FlashWarn, st.String()), m.open(m.dir, keep))
		case cluster.StateFailed:
			m.stopLive()
			return common.Flash(common.FlashError, st.String())
		case cluster.StateClosed:
			m.stopLive()
			return nil
		case cluster.StateReconnecting:
			m.live.reconnecting = true
			cmds = append(cmds, common.Flash(common.FlashWarn, st.String()))
		case cluster.StateResumed:
			m.live.reconnecting = false
			cmds = append(cmds, common.Flash(common.FlashInfo, st.String()))
		}
	}
	return tea.Batch(append(cmds, m.liveCmd())...)
}

// applyEvents applies changes in revision order; those beyond the loaded pages are held until
// the page covering them is merged.
func (m *Model) applyEvents(evs []cluster.Event) {
	added := map[string]*cluster.Row{}
	for _, ev := range evs {
		m.apply(ev, added)
	}
	if len(added) > 0 {
		// One merge per batch: inserting rows one by one into a 100k-row directory under a
		// burst of creations would move the whole slice per event.
		rows := make([]cluster.Row, 0, len(added))
		for _, r := range added {
			rows = append(rows, *r)
		}
		sort.Slice(rows, func(i, j int) bool { return rows[i].Name < rows[j].Name })
		m.rows = cluster.MergeRows(m.rows, rows)
	}
	m.dropEmpty()
}

// apply changes the row of one event's key; rows new in this batch go to added.
func (m *Model) apply(ev cluster.Event, added map[string]*cluster.Row) {
	if !strings.HasPrefix(ev.Key, m.dir) {
		return
	}
	name, dir := splitName(ev.Key[len(m.dir):], m.sep)
	if m.beyondLoaded(ev.Key, name, dir) {
		m.hold(ev)
		return
	}
	var r *cluster.Row
	if i, ok := cluster.FindRow(m.rows, name); ok {
		r = &m.rows[i]
	} else if r = added[name]; r == nil && ev.Kind == cluster.EventPut {
		r = &cluster.Row{Name: name, Count: -1, ValueSize: -1}
		added[name] = r
	}
	switch {
	case r == nil:
	case !dir && ev.Kind == cluster.EventPut:
		r.Leaf, r.ValueSize = true, ev.ValueSize
	case !dir:
		r.Leaf, r.ValueSize = false, -1
	default:
		m.applyDir(r, ev)
	}
}

// applyDir counts a key created or deleted under the directory row r. Counts are exact: every
// count comes from a read at a revision the view had fully applied, and events after it.
func (m *Model) applyDir(r *cluster.Row, ev cluster.Event) {
	put := ev.Kind == cluster.EventPut
	switch {
	case put && !r.Dir:
		r.Dir, r.Count = true, 1 // nothing was under it: this is its first key
	case r.Count < 0:
		// Unknown; if a count is being fetched, the change is added to it when it lands.
		if d, ok := m.pending[r.Name]; ok {
			m.pending[r.Name] = d + countChange(ev)
		}
	case put:
		r.Count += countChange(ev)
	case r.Count > 1:
		r.Count--
	default:
		r.Dir, r.Count = false, 0 // its last key went; dropped unless it is a key too
	}
}

// countChange is what ev does to the number of keys under its directory.
func countChange(ev cluster.Event) int64 {
	switch {
	case ev.Kind == cluster.EventDelete:
		return -1
	case ev.Version == 1:
		return 1
	}
	return 0
}

// splitName cuts the segment after a directory at the separator.
func splitName(rest string, sep byte) (name string, dir bool) {
	for i := 0; i < len(rest); i++ {
		if rest[i] == sep {
			return rest[:i], true
		}
	}
	return rest, false
}
