package watch

import "github.com/etcdeck/etcdeck/cluster"

// row is one event as the view keeps it: the value's size, never its bytes, so a full ring of
// large values stays small.
type row struct {
	rev  int64
	kind cluster.EventKind
	key  string
	size int64
}

// ring holds the newest rows up to limit, oldest first; pushing onto a full ring overwrites
// the oldest. It grows as rows arrive instead of allocating limit rows up front.
type ring struct {
	rows  []row
	start int // index of the oldest row once the ring is full
	limit int
}

func newRing(limit int) ring { return ring{limit: max(limit, 1)} }

// len is how many rows the ring holds.
func (r *ring) len() int { return len(r.rows) }

// at is the i-th row, 0 being the oldest.
func (r *ring) at(i int) row { return r.rows[(r.start+i)%len(r.rows)] }

// push appends x and reports whether the oldest row was dropped to make room.
func (r *ring) push(x row) (dropped bool) {
	if len(r.rows) < r.limit {
		r.rows = append(r.rows, x)
		return false
	}
	r.rows[r.start] = x
	r.start = (r.start + 1) % len(r.rows)
	return true
}

// clear empties the ring and releases its memory.
func (r *ring) clear() { r.rows, r.start = nil, 0 }
