package keys

import (
	"strings"

	"github.com/etcdeck/etcdeck/cluster"
)

// Changes beyond the loaded pages. Later pages are read at the listing's pinned revision, so a
// change the watch delivers for a key not loaded yet must wait for the page that covers it and
// be applied on top of it; dropping it would leave the row stale until a reload. The held
// changes are bounded: past holdMax the view forgets them and lists again at a fresh revision
// when the next page is wanted.

// defaultHoldMax is how many changes beyond the loaded pages are held (keys only, ~200 bytes
// each): a busy directory of 100k keys writing 100 keys/s beyond the first page fills it in
// about 40 s, after which paging costs one listing of the rows already loaded.
const defaultHoldMax = 4096

// beyondLoaded tells whether the change of key (child name, under a subdirectory when dir)
// belongs to a part of the directory not loaded yet: at or after next, or in the subtree of the
// child next starts, which the next page will count whole.
func (m *Model) beyondLoaded(key, name string, dir bool) bool {
	switch {
	case m.next == "":
		return false
	case key >= m.next:
		return true
	case !dir || !strings.HasPrefix(m.next, m.dir):
		return false
	}
	nextName, _ := splitName(m.next[len(m.dir):], m.sep)
	return name == nextName
}

// hold keeps a change for the page that will cover it, or notes that changes were lost.
func (m *Model) hold(ev cluster.Event) {
	if m.heldLost {
		return
	}
	if len(m.held) >= m.holdMax {
		m.held, m.heldLost = nil, true
		return
	}
	m.held = append(m.held, ev)
}

// replayHeld applies the held changes the pages now cover; the rest are held again. Each has a
// revision after the listing's, so it applies on top of any page.
func (m *Model) replayHeld() {
	held := m.held
	m.held = nil
	m.applyEvents(held)
}

// resetHeld forgets the held changes: a new listing starts.
func (m *Model) resetHeld() {
	m.held, m.heldLost = nil, false
}
