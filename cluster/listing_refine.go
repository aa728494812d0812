package cluster

import (
	"strings"

	clientv3 "go.etcd.io/etcd/client/v3"
)

// How the windows of listing_fallback.go are cut finer once a probe has found a child and more
// keys after it.

// refine cuts [resume, w.to) into finer windows, in key order. A band is split per byte at its
// level; anything else into bands: keys starting with resume, then for each shorter prefix
// resume[:i] (down to the directory's prefix, length min) the names sharing it whose byte at i
// is above resume[i]. At the level split per byte, depth 2 splits each byte's window per byte
// once more.
//
// A band that still holds keys costs a count of itself to find that out, and another when it is
// split per byte. At the one level where the siblings most likely differ, the band is split per
// byte at once instead (its windows then count it once; ~45 operations where a band is one):
// after the first word of the name ("team-" of 195 namespaces "team-xxxx-NNN"), or, deeper, at
// the first byte the window's names do not all share ("team-4" + the byte where they differ).
func refine(w *window, resume string, min, depth int, newWindow func(from, to string, band int) *window) []*window {
	var out []*window
	add := func(lo, hi string, band int) bool {
		if !before(hi, w.to) || hi == "\x00" {
			hi = w.to
		}
		if before(lo, hi) && lo != hi {
			out = append(out, newWindow(lo, hi, band))
		}
		return hi != w.to
	}
	if i := w.band; i >= 0 && i < len(resume) {
		if !add(resume, clientv3.GetPrefixRangeEnd(resume[:i+1]), -1) {
			return out
		}
		perByte(resume[:i], int(resume[i]), 1, add)
		return out
	}
	if !add(resume, clientv3.GetPrefixRangeEnd(resume), -1) {
		return out
	}
	split := max(sharedLen(w, min), firstWord(resume, min))
	for i := len(resume) - 1; i >= min; i-- {
		if i == split {
			if !perByte(resume[:i], int(resume[i]), depth, add) {
				return out
			}
			continue
		}
		if !add(clientv3.GetPrefixRangeEnd(resume[:i+1]), clientv3.GetPrefixRangeEnd(resume[:i]), i) {
			return out
		}
	}
	return out
}

// perByte adds the windows of the names sharing pre whose next byte is above after (-1: every
// byte, and the name pre itself first): one per byte that names are mostly made of (nameBytes)
// and one band per run of other bytes between them (capitals, other punctuation, bytes above
// '~'): a band costs one operation where its bytes' windows would cost one each, and is split
// per byte itself if it holds keys. With depth 2, each byte's window is itself split per byte.
// It returns false once a window reaches the end of the window being refined.
func perByte(pre string, after, depth int, add func(lo, hi string, band int) bool) bool {
	for c := after + 1; c <= 0xff; {
		q := pre + string([]byte{byte(c)})
		if strings.IndexByte(nameBytes, byte(c)) >= 0 {
			if depth > 1 {
				if !perGroup(q, add) {
					return false
				}
			} else if !add(q, clientv3.GetPrefixRangeEnd(q), -1) {
				return false
			}
			c++
			continue
		}
		stop := c + 1
		for stop <= 0xff && strings.IndexByte(nameBytes, byte(stop)) < 0 {
			stop++
		}
		hi := clientv3.GetPrefixRangeEnd(pre)
		if stop <= 0xff {
			hi = pre + string([]byte{byte(stop)})
		}
		if after < 0 && c == 0 {
			q = pre // the name pre itself sorts before pre+"\x00"
		}
		if !add(q, hi, len(pre)) {
			return false
		}
		c = stop
	}
	return true
}

// groupStarts cut the names sharing a prefix by their next byte into eight bands: the prefix
// itself with its punctuation ('-', '.', the separator), digits and capitals, then six runs of
// letters, then the rest. perGroup gives each a window; a band holding several children is split
// per byte when probed.
var groupStarts = []byte{'0', 'a', 'e', 'i', 'm', 'q', 'u', 'y'}

// perGroup adds the windows of every name starting with pre, in eight bands (groupStarts).
func perGroup(pre string, add func(lo, hi string, band int) bool) bool {
	lo := pre
	for _, g := range groupStarts {
		hi := pre + string([]byte{g})
		if !add(lo, hi, len(pre)) {
			return false
		}
		lo = hi
	}
	return add(lo, clientv3.GetPrefixRangeEnd(pre), len(pre))
}

// nameBytes are the bytes names are mostly made of (DNS labels, Kubernetes names, paths):
// perByte gives each a window of its own.
const nameBytes = "-.0123456789_abcdefghijklmnopqrstuvwxyz"

// sharedLen is how long a prefix every name of the window shares: the window began as the keys
// starting with w.start[:k] (a window per byte, or the keys of one resume point), or it is
// wider and shares only the directory's prefix (min).
func sharedLen(w *window, min int) int {
	for k := len(w.start); k > min; k-- {
		if clientv3.GetPrefixRangeEnd(w.start[:k]) == w.to {
			return k
		}
	}
	return min
}

// firstWord is where the second word of the name in resume (from min on) starts: after its first
// punctuation ("team-a", "node-3.dc1", "db_main"); min when it has none.
func firstWord(resume string, min int) int {
	if min >= len(resume) {
		return min // a page's After outside the directory: nothing to cut
	}
	if i := strings.IndexAny(resume[min:], "-._:"); i >= 0 {
		return min + i + 1
	}
	return min
}
