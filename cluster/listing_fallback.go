package cluster

import (
	"context"
	"slices"

	clientv3 "go.etcd.io/etcd/client/v3"
)

// window is one slice [from, to) of a directory, skip-scanned with limited Gets. Each limited Get
// counts every key left in its window, so windows keep those counts local, and a window that
// needs another step after a jump is refined instead of scanned on (see refine).
type window struct {
	start    string // where the window began: a page resumes there
	from, to string
	// band >= 0 marks a band: names sharing from[:band] whose byte at band is above some
	// value. A band needing another step is split per byte at band; other windows into bands.
	band  int
	limit int64
	b     *builder // each window's rows, joined in window order at the end
	st    scanState
	done  bool
	// rest marks a window for the rest of a small window after its first child: if it holds
	// another child and more, it is refined per byte, not given one more rest window.
	rest bool
	// A window whose probe found one child's keys only, and skipped the rest of that child,
	// learns the child's count from the counts of the windows refined from it (they cover the
	// rest of it exactly): child is the child's name, count the window's count less the
	// refined windows' counts so far, left how many have not answered yet. parent is the
	// window waiting on this one's first count; probed says it was given.
	child  string
	count  int64
	left   int
	parent *window
	probed bool
	// restChild is the child a window that reads its rest whole (smallRead) was skipping when it
	// began to: its count is restCount, the window's, less what the next Get counts.
	restChild   string
	restCount   int64
	restPending bool
	// unread is how many keys a window reading on through leaves has not read yet: rows it may
	// still hold, so that a page does not probe the windows after it (pending). need is how many
	// rows of its own end the page.
	unread, need int64
	// refined: the window was cut from another (refine, or the rest after a child); a page
	// guesses what it holds before its probe answers (windowScan.refinedRows).
	refined bool
	// gap marks the window between two hinted names (or after the last): most likely empty, so a
	// page does not end before it (a page of exactly the names known would say more may follow).
	gap bool
	// expect is how many rows the window is expected to hold before its probe answers: 1 for a
	// hinted name's window, so that a page probes the windows of about its rows only.
	expect int
}

// maxWindowRead is the most keys one window reads in one Get when its count shows only leaves
// of the directory are left; more are refined into smaller windows instead.
const maxWindowRead = 4096

// bigSiblingsLimit is how many keys probes read in windows refined from one whose probe read
// only keys of its first child: /registry/events/ on etcd 3.4 at a million keys read 3,200 keys
// for 200 rows with 16 (66 ms), 456 with 2 (56 ms).
const bigSiblingsLimit = 2

// smallRead is the largest window that, once a probe has found a child in it, is read whole in
// one more Get (every key, values too on etcd 3.4: ~1–3 µs each there) instead of being probed
// again: a round costs more than that many keys.
const smallRead = 256

// restMax is the largest window whose rest, after the child a probe found, is probed as one
// window rather than per byte. Such a window mostly holds that child alone, and a per-byte
// refinement spends ~45 operations (~6 µs each on etcd 3.4) to find it empty; one window costs
// one. Measured on /registry/events/ at a million keys: 3,730 operations (25 ms) of one round
// were these.
const restMax = 2048

// windowTune holds the windows' thresholds; tests lower them to reach every path with few keys.
type windowTune struct{ restMax, twoLevelMin int64 }

// orDefaults fills the thresholds left zero with restMax and twoLevelMin.
func (t windowTune) orDefaults() windowTune {
	if t.restMax == 0 {
		t.restMax = restMax
	}
	if t.twoLevelMin == 0 {
		t.twoLevelMin = twoLevelMin
	}
	return t
}

// twoLevelMin is the count from which a window is split two levels deep at once: per byte, then
// each byte's window in eight bands (perGroup; ~350 windows). Counting such a window again
// costs more than those operations, and one level would leave windows of many children to be
// counted once more each (200 namespaces "team-…" under /registry/events/: ~7 in each window of
// one byte). It also cuts a huge child out of its siblings' windows a round earlier ("pods/"
// apart from "poddisruptionbudgets/" under /registry/). Per byte at both levels was tried: its
// ~1,600 operations cost more (~14 µs each on etcd 3.4) than the counting they saved.
const twoLevelMin = 65536

// maxHints is the most names a listing starts its windows at (two operations each).
const maxHints = 1024

// hintWindows cuts [from, end) at names a listing of this directory or of a sibling found
// before: for each name, the window of its keys (the leaf, the names it begins and its subtree,
// up to its subtree's end) and the gap before it. Where the names are right, each window holds
// one child, counted whole, and each gap nothing: one round, one count of the directory. Where
// they are wrong, the windows still cover the directory, and are refined as any other.
func hintWindows(b *builder, from, end string, hints []string, newWindow func(from, to string, band int) *window) []*window {
	names := slices.Clone(hints)
	slices.Sort(names)
	names = slices.Compact(names)
	if len(names) > maxHints {
		names = names[:maxHints]
	}
	var ws []*window
	cur := from
	for _, n := range names {
		lo, hi := b.prefix+n, b.subtreeEnd(n)
		if lo <= cur {
			continue // before the range, or inside the previous name's window
		}
		if !before(lo, end) {
			break
		}
		gap := newWindow(cur, lo, -1)
		gap.gap = true
		ws = append(ws, gap)
		if !before(hi, end) {
			hi = end
		}
		w := newWindow(lo, hi, -1)
		w.limit = bigSiblingsLimit // most likely one child: its first key tells it is there
		w.expect = 1
		ws = append(ws, w)
		cur = hi
		if hi == end {
			return ws
		}
	}
	gap := newWindow(cur, end, -1)
	gap.gap = true
	return append(ws, gap)
}

// before reports whether key k is below the range end; "\x00" as an end means no end.
func before(k, end string) bool { return end == "\x00" || k < end }

// scanWindows lists the directory for servers without RangeStream: the key equal to the prefix
// (plus namePrefix), then one window per next byte of the child name, advanced in rounds; each
// round's Gets are batched into transactions of at most maxTxnOps.
//
// Refining: first-byte windows with plain skip-scans inside cost O(children × keys) when many
// children share a first byte (200 namespaces "team-…": 90× a count on /registry/events/). So
// a window that still holds keys after a jump is cut into bands at each byte of the resume
// point (names sharing ever shorter prefixes with the child just skipped), and a band that
// still holds keys after a jump is cut per byte at its level. Each round then counts each
// unlisted key at most once, and the rounds follow the name trie down to where children differ.
//
// Tried and dropped on etcd 3.4 at a million keys, /registry/events/ (three times a count of
// server CPU: the first round counts the whole directory in one Get to find where the names
// start, the next counts it again to tell them apart): serializable probes (no faster on one
// member), and pipelining, each transaction's answer refined and probed while the others still
// counted, 57–63 ms against 54–65 (the member's two cores were already busy).
func (c *Client) scanWindows(ctx context.Context, l *Listing, b *builder, namePrefix, after, end string,
	limit int, hints []string, tune windowTune) (string, error) {
	s := &windowScan{l: l, b: b, p: b.prefix + namePrefix, limit: limit, tune: tune.orDefaults()}
	var ws []*window
	if after != "" { // a later page: bands of [after, end)
		ws = refine(&window{to: end, band: -1}, after, len(s.p), 1, s.newWindow)
		for _, w := range ws {
			w.refined = true // probed as far as the page needs (pending)
		}
		s.probeCap = firstLaterProbes
	} else if len(hints) > 0 {
		ws = hintWindows(b, s.p+"\x00", end, hints, s.newWindow)
	} else {
		for i := 0; i < 256; i++ {
			to := end
			if i < 255 {
				to = s.p + string([]byte{byte(i + 1)})
			}
			ws = append(ws, s.newWindow(s.p+string([]byte{byte(i)}), to, -1))
		}
	}
	// The key equal to the prefix is asked with the first round.
	leaf := s.p != "" && after == ""
	for {
		active, cut := s.pending(ws)
		if len(active) == 0 {
			for _, w := range ws[:cut] {
				b.rows = MergeRows(b.rows, w.b.rows)
			}
			if cut < len(ws) {
				return ws[cut].start, nil
			}
			return "", nil
		}
		var ops []clientv3.Op
		if leaf {
			ops = append(ops, clientv3.OpGet(s.p, clientv3.WithKeysOnly(), clientv3.WithRev(l.Rev)))
		}
		for _, w := range active {
			ops = append(ops, s.probeOp(w))
		}
		resps, err := c.txnBatches(ctx, ops)
		l.Stats.RoundTrips += txnCount(len(ops))
		s.probeCap *= 2
		if err != nil {
			return "", err
		}
		if leaf {
			if len(resps[0].Kvs) > 0 {
				b.row(namePrefix).Leaf = true
			}
			resps, leaf = resps[1:], false
		}
		refined := map[*window][]*window{}
		for i, w := range active {
			first := w.refined && !w.probed
			more := s.advance(w, resps[i])
			if first { // what a refined window holds, for the page's guess at the next ones
				s.probedRefined++
				s.rowsRefined += len(w.b.rows)
			}
			for _, n := range more {
				n.refined = true
			}
			if len(more) > 0 {
				refined[w] = more
			}
		}
		if len(refined) > 0 {
			next := make([]*window, 0, len(ws)+len(refined)*8)
			for _, w := range ws {
				next = append(next, w)
				next = append(next, refined[w]...)
			}
			ws = next
		}
	}
}

// pending returns, in key order, the windows to probe next: the page's (all without a limit)
// that are not done. cut is where the page ends: windows from there on are the next page's. A
// window counts as its rows and, while it reads on through leaves, the keys it has not read yet;
// before its probe answers, as what it is expected to hold: 1 for a hinted name, and for a
// window refined from another the rows such windows have held so far in this listing
// (refinedRows). So a page probes about the windows of its own rows, not every window of the
// directory: on etcd < 3.7 each probe counts its whole window. A gap window never ends a page.
func (s *windowScan) pending(ws []*window) (pending []*window, cut int) {
	rows, guess := float64(len(s.b.rows)), s.refinedRows()
	unknown := 0 // windows with nothing to go by yet
	for i, w := range ws {
		if s.limit > 0 && rows >= float64(s.limit) && !w.gap {
			return pending, i
		}
		if w.refined && !w.probed && w.expect == 0 {
			if s.probeCap > 0 {
				// A later page: its windows run from the tiny bands next to where the previous
				// page ended to wide ones holding the rest of the directory, so their rows so
				// far tell little about the next; each round probes twice as many as the last.
				if unknown++; unknown > s.probeCap {
					return pending, i
				}
			}
			rows += guess
		} else {
			if w.unread > 0 && s.limit > 0 {
				// Reading on through leaves: no more than the page still needs after the
				// windows before it (each key read is a value read on etcd < 3.7), and the
				// page ends inside this window once it has read that many rows (advance).
				w.need = max(1, int64(float64(s.limit)-rows)+int64(len(w.b.rows)))
				w.limit = max(1, min(w.limit, w.need-int64(len(w.b.rows))))
			}
			rows += float64(max(int64(len(w.b.rows))+w.unread, int64(w.expect)))
		}
		if !w.done {
			pending = append(pending, w)
		}
	}
	return pending, len(ws)
}

// firstLaterProbes is how many windows not probed yet a later page probes in its first round
// (twice as many in each round after): the rest of the directory after the previous page is cut
// into ~40–60 windows, all counted at once before. Later pages of the 250,000 leaves of
// /registry/pods/big/ on etcd 3.4 counted the 263,000 keys left and read 11,500 to keep 1,150
// rows, 115–132 ms a page; now ~8,500 counted and ~310 read for 216 rows, 5–8 ms.
const firstLaterProbes = 8

// refinedRows is how many rows a refined window not probed yet is expected to hold: the mean of
// those probed so far in this listing (at least 1/16, at most the page); a half before any. Too
// high, a page ends its round short of rows and probes more windows in the next; too low, it
// counts windows past its end.
func (s *windowScan) refinedRows() float64 {
	if s.probedRefined < minDensityProbes {
		return 0.5
	}
	return min(float64(max(s.limit, 1)), max(1.0/16, float64(s.rowsRefined)/float64(s.probedRefined)))
}

// minDensityProbes is how many refined windows must have answered before their mean is used.
const minDensityProbes = 16
