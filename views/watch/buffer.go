package watch

import (
	"time"
	"unsafe"

	"github.com/etcdeck/etcdeck/cluster"
)

// entry is one row of the log: an event, or a note about the watch itself (a reconnection, lost
// revisions) kept in order with the events so the row shows where it happened.
type entry struct {
	seq  int64 // position since the watch started, notes included; never reused
	at   time.Time
	ev   cluster.Event
	note string // set for a note, whose ev is zero
	warn bool   // the note reports a loss, not only a change of member
	// replay marks an event from the history a `--rev N` watch replays: its arrival time says
	// nothing (they all arrive at once), so the row says "replay" instead.
	replay bool
}

// isNote tells whether the entry is a note rather than an event.
func (e *entry) isNote() bool { return e.note != "" }

// entrySlot is what an entry costs besides its bytes: the struct itself in the ring.
const entrySlot = int64(unsafe.Sizeof(entry{}))

// size is what the entry holds in memory, as counted against the byte budget. Values count by
// their capacity, what their allocation takes (the decoder rounds it up to the allocator's size
// class: 1,024 bytes for a 1,000-byte value), so the budget is heap, not content.
func (e *entry) size() int64 {
	return entrySlot + int64(len(e.ev.Key)+cap(e.ev.Value)+cap(e.ev.PrevValue)+len(e.note))
}

// buffer keeps the newest entries within a count and a byte budget, oldest first; the oldest
// go first when either is exceeded, and the number of events dropped is exact. It grows as
// entries arrive instead of allocating its count up front.
type buffer struct {
	ring       []entry
	head, n    int
	maxCount   int
	maxBytes   int64
	bytes      int64
	nextSeq    int64
	total      int64 // events pushed since the start, dropped ones included
	dropped    int64 // events dropped to stay within the bounds
	notesTotal int64 // notes pushed since the start
}

// newBuffer makes a buffer of at most maxCount entries and maxBytes bytes (config validated
// and defaulted both).
func newBuffer(maxCount int, maxBytes int64) *buffer {
	return &buffer{maxCount: maxCount, maxBytes: maxBytes}
}

// len is how many entries the buffer holds.
func (b *buffer) len() int { return b.n }

// at is the i-th entry held, 0 being the oldest.
func (b *buffer) at(i int) *entry { return &b.ring[(b.head+i)%len(b.ring)] }

// firstSeq is the seq of the oldest entry held (nextSeq when empty): seqs held are contiguous.
func (b *buffer) firstSeq() int64 { return b.nextSeq - int64(b.n) }

// bySeq is the entry with that seq, or nil when it was dropped or never pushed.
func (b *buffer) bySeq(seq int64) *entry {
	i := seq - b.firstSeq()
	if i < 0 || i >= int64(b.n) {
		return nil
	}
	return b.at(int(i))
}

// push appends e (giving it its seq) and drops the oldest entries while a bound is exceeded;
// it returns e's seq and how many events it dropped.
func (b *buffer) push(e entry) (seq int64, dropped int) {
	if b.n == len(b.ring) {
		if len(b.ring) < b.maxCount {
			b.grow()
		} else if b.popOldest() {
			dropped++
		}
	}
	e.seq = b.nextSeq
	b.nextSeq++
	if e.isNote() {
		b.notesTotal++
	} else {
		b.total++
	}
	b.ring[(b.head+b.n)%len(b.ring)] = e
	b.n++
	b.bytes += e.size()
	// The newest entry stays even when it alone is over the budget: it is what the user watches.
	for b.bytes > b.maxBytes && b.n > 1 {
		if b.popOldest() {
			dropped++
		}
	}
	return e.seq, dropped
}

// grow doubles the ring (up to maxCount), keeping the entries in order.
func (b *buffer) grow() {
	size := min(max(2*len(b.ring), 64), b.maxCount)
	ring := make([]entry, size)
	for i := range b.n {
		ring[i] = *b.at(i)
	}
	b.ring, b.head = ring, 0
}

// popOldest removes the oldest entry and reports whether it was an event (counted as dropped).
func (b *buffer) popOldest() bool {
	e := b.at(0)
	b.bytes -= e.size()
	wasEvent := !e.isNote()
	*e = entry{} // release the key and value
	b.head = (b.head + 1) % len(b.ring)
	b.n--
	if wasEvent {
		b.dropped++
	}
	return wasEvent
}

// clear empties the buffer and releases its memory. The totals count since the watch started,
// so they stay: the title's total is what a person compares with the writes they made.
func (b *buffer) clear() {
	*b = buffer{maxCount: b.maxCount, maxBytes: b.maxBytes, nextSeq: b.nextSeq, total: b.total,
		dropped: b.dropped, notesTotal: b.notesTotal}
}
