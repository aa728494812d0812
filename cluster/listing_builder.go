package cluster

import (
	"fmt"
	"slices"
	"strings"
)

// How the keys a listing reads become rows (for both strategies).

// builder turns keys met in key order into rows; pure, so fuzzed without a server. Keys come in
// key order, so rows are appended in name order, except a directory "s" met after keys "s-x"
// ('-' sorts before the separator): it is inserted in place, moving only the rows after it,
// which were read just before. Rows stay sorted without a map or a final sort.
type builder struct {
	prefix string
	sep    byte
	rows   []Row
	// skipAfter is how many keys of one subtree a scan reads before jumping past the rest.
	skipAfter int
}

// scanState follows the subtree one scan is in, and how much of a subtree it reads before
// jumping: the limit halves after each jump (down to the least) and doubles after each subtree
// read whole (up to the most), so a directory of big children pays the most once, not per child.
type scanState struct {
	dir   string
	in    bool
	seen  int
	limit int
	// most and least bound the limit: 0 means the builder's skipAfter and minSkipAfter. The
	// stream scan sets them from the costs it measures (streamCost).
	most, least int
	// whole is how many subtrees of at least mediumSubtree keys in a row were read whole.
	whole int
}

// bounds returns the most and the least the limit may be.
func (st *scanState) bounds(b *builder) (hi, lo int) {
	hi = b.skipAfter
	if st.most > 0 {
		hi = st.most
	}
	lo = min(minSkipAfter, hi)
	if st.least > 0 {
		lo = min(st.least, hi)
	}
	return hi, lo
}

func newBuilder(prefix string, sep byte) *builder {
	return &builder{prefix: prefix, sep: sep, skipAfter: skipAfter}
}

// find returns where the row named name is, or would be inserted.
func (b *builder) find(name string) (int, bool) {
	n := len(b.rows)
	switch {
	case n == 0 || b.rows[n-1].Name < name:
		return n, false
	case b.rows[n-1].Name == name:
		return n - 1, true
	}
	return FindRow(b.rows, name)
}

func (b *builder) row(name string) *Row {
	i, ok := b.find(name)
	if !ok {
		b.rows = slices.Insert(b.rows, i, Row{Name: name, ValueSize: -1})
	}
	return &b.rows[i]
}

// split returns the child name of key and whether key lies in that child's subtree.
func (b *builder) split(key string) (name string, dir bool) {
	rest := key[len(b.prefix):]
	if i := strings.IndexByte(rest, b.sep); i >= 0 {
		return rest[:i], true
	}
	return rest, false
}

// newRow reports whether key would start a row not listed yet (a page may only end there). A
// key not under the prefix starts no row.
func (b *builder) newRow(key string) bool {
	if !strings.HasPrefix(key, b.prefix) {
		return false
	}
	name, _ := b.split(key)
	_, ok := b.find(name)
	return !ok
}

// add records key; when the scan should jump past the subtree it is in, it returns the key to
// resume at and true.
func (b *builder) add(st *scanState, key string) (string, bool) {
	if !strings.HasPrefix(key, b.prefix) {
		return "", false // not ours: a server bug or a wrong range; never trust it
	}
	name, dir := b.split(key)
	r := b.row(name)
	hi, lo := st.bounds(b)
	if st.limit == 0 {
		st.limit = hi
	}
	st.limit = max(lo, min(hi, st.limit))
	if st.in && (!dir || st.dir != name) {
		// The previous subtree ended before the limit: siblings may be small too.
		st.limit = min(hi, st.limit*2)
		st.readWhole(st.seen)
	}
	if !dir {
		r.Leaf = true
		st.in = false
		return "", false
	}
	if !st.in || st.dir != name {
		st.in, st.dir, st.seen = true, name, 0
		r.Dir = true
	}
	st.seen++
	r.Count = int64(st.seen)
	if st.seen >= st.limit {
		st.in = false
		st.whole = 0
		r.Count = -1
		// Siblings are often alike (a directory of resources, each big): read less of the next.
		st.limit = max(lo, st.limit/2)
		return b.subtreeEnd(name), true
	}
	return "", false
}

// subtreeEnd is the first key after every key under prefix+name+sep.
func (b *builder) subtreeEnd(name string) string {
	return b.prefix + name + string([]byte{b.sep + 1})
}

// subtree is the range [start, end) of the keys under the directory row name.
func subtree(prefix, name string, sep byte) (string, string) {
	return prefix + name + string([]byte{sep}), prefix + name + string([]byte{sep + 1})
}

func (b *builder) sorted() []Row { return b.rows }

// String describes the row for logs and test failures.
func (r Row) String() string {
	kind := ""
	if r.Leaf {
		kind += "L"
	}
	if r.Dir {
		kind += "D"
	}
	return fmt.Sprintf("%s(%s,%d)", EscapeKey(r.Name), kind, r.Count)
}
