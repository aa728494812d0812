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
func (c *Client) scanWindows(ctx context.Context, l *Listing, b *builder, namePrefix, after, end string,
	limit int, hints []string, tune windowTune) (string, error) {
	tune = tune.orDefaults()
	var ws []*window
	p := b.prefix + namePrefix
	newWindow := func(from, to string, band int) *window {
		return &window{start: from, from: from, to: to, band: band, limit: 16,
			b: &builder{prefix: b.prefix, sep: b.sep, skipAfter: b.skipAfter}}
	}
	if after != "" { // a later page: bands of [after, end)
		ws = refine(&window{to: end, band: -1}, after, len(p), 1, newWindow)
	} else if len(hints) > 0 {
		ws = hintWindows(b, p+"\x00", end, hints, newWindow)
	} else {
		for i := 0; i < 256; i++ {
			to := end
			if i < 255 {
				to = p + string([]byte{byte(i + 1)})
			}
			ws = append(ws, newWindow(p+string([]byte{byte(i)}), to, -1))
		}
	}
	if p != "" && after == "" {
		resp, err := c.c.Get(ctx, p, clientv3.WithKeysOnly(), clientv3.WithRev(l.Rev))
		l.Stats.RoundTrips++
		if err != nil {
			return "", err
		}
		if len(resp.Kvs) > 0 {
			b.row(namePrefix).Leaf = true
		}
	}
	for {
		// With a limit, only the windows holding the first limit rows advance; the page ends
		// where the first window after them starts.
		var active []*window
		rows, cut := len(b.rows), len(ws)
		for i, w := range ws {
			if limit > 0 && rows >= limit && !w.gap {
				cut = i
				break
			}
			rows += max(len(w.b.rows), w.expect)
			if !w.done {
				active = append(active, w)
			}
		}
		if len(active) == 0 {
			for _, w := range ws[:cut] {
				b.rows = MergeRows(b.rows, w.b.rows)
			}
			if cut < len(ws) {
				return ws[cut].start, nil
			}
			return "", nil
		}
		ops := make([]clientv3.Op, len(active))
		for i, w := range active {
			ops[i] = clientv3.OpGet(w.from, clientv3.WithRange(w.to), clientv3.WithLimit(w.limit),
				clientv3.WithKeysOnly(), clientv3.WithRev(l.Rev))
		}
		resps, err := c.txnBatches(ctx, ops)
		l.Stats.RoundTrips += txnCount(len(ops))
		if err != nil {
			return "", err
		}
		refined := map[*window][]*window{}
		for i, w := range active {
			r := resps[i]
			l.Stats.KeysCounted += r.Count
			l.Stats.KeysRead += int64(len(r.Kvs))
			if w.restPending { // this Get reads the rest after restChild: the rest of the count is its
				w.restPending = false
				w.b.row(w.restChild).Count = w.restCount - r.Count
			}
			if pw := w.parent; pw != nil && !w.probed {
				pw.count -= r.Count
				if pw.left--; pw.left == 0 {
					pw.b.row(pw.child).Count = pw.count
				}
			}
			w.probed = true
			skipped := false
			resume, first := "", ""
			kids := 0 // children the keys read belong to
			for _, kv := range r.Kvs {
				k := string(kv.Key)
				if k < resume {
					continue // inside a subtree already skipped
				}
				if kids++; kids == 1 {
					first, _ = w.b.split(k)
				}
				if to, skip := w.b.add(&w.st, k); skip {
					resume, skipped = to, true
				} else {
					resume = k + "\x00"
				}
			}
			// One child's keys only, from the start of its subtree: the window counted it whole,
			// and whatever else it counted lies after it.
			counted := skipped && kids == 1 && w.from <= w.b.prefix+first+string([]byte{w.b.sep})
			switch {
			case !r.More || !before(resume, w.to):
				w.done = true
				if counted && (!r.More || resume == w.to) {
					w.b.row(first).Count = r.Count
				}
			case !skipped && r.Count-int64(len(r.Kvs)) <= maxWindowRead:
				// Count says exactly what is left, with no subtree to skip in it: read it all.
				w.from, w.limit = resume, r.Count-int64(len(r.Kvs))
			case !skipped && limit > 0 && len(w.b.rows) < limit:
				// A page, and no subtree so far: read on what the page needs. Refining instead
				// would count the rest once more per band level (on etcd < 3.7 every probe
				// counts its window) to list what one more read finds.
				w.from, w.limit = resume, int64(limit)
			case skipped && r.Count <= smallRead:
				// Little is left: read it whole in one Get, without skipping, rather than a
				// round per child found (a directory of namespaces of ~20 keys, /registry/leases/,
				// took 31 round trips). The first child's count is the window's less the rest.
				if counted {
					w.restChild, w.restCount, w.restPending = first, r.Count, true
				}
				w.from, w.limit = resume, r.Count
				w.st = scanState{most: 1 << 30, least: 1 << 30}
			case r.Count <= tune.restMax && !w.rest:
				w.done = true // its rows so far stay; one window probes the rest
				rest := newWindow(resume, w.to, w.band)
				rest.rest = true
				refined[w] = []*window{rest}
			default:
				w.done = true // its rows so far stay; the rest goes to finer windows
				depth := 1
				if r.Count >= tune.twoLevelMin {
					depth = 2
				}
				refined[w] = refine(w, resume, len(p), depth, newWindow)
			}
			if counted && w.done && len(refined[w]) > 0 {
				w.child, w.count, w.left = first, r.Count, len(refined[w])
				for _, n := range refined[w] {
					n.parent = w
				}
			}
			if skipped && kids == 1 {
				// Every key read was the one child's: siblings are likely as big, and on etcd
				// 3.4 each key a probe returns is read from disk with its value. A probe needs
				// its window's first key; the second shows a child of one key.
				for _, n := range refined[w] {
					n.limit = bigSiblingsLimit
				}
			}
			if !w.done && limit > 0 && len(w.b.rows) >= limit {
				// The page is full inside this window: it ends here, and the rest of the
				// window is the next page's (a plain window: nothing of it was counted apart).
				w.done = true
				refined[w] = []*window{newWindow(resume, w.to, -1)}
			}
		}
		if len(refined) > 0 {
			var next []*window
			for _, w := range ws {
				next = append(next, w)
				next = append(next, refined[w]...)
			}
			ws = next
		}
	}
}
