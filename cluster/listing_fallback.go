package cluster

import (
	"context"
	"fmt"
	"strings"
	"sync"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"
)

// maxTxnOps is etcd's default --max-txn-ops: the most operations one transaction may hold.
const maxTxnOps = 128

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
}

// maxWindowRead is the most keys one window reads in one Get when its count shows only leaves
// of the directory are left; more are refined into smaller windows instead.
const maxWindowRead = 4096

// bigSiblingsLimit is how many keys probes read in windows refined from one whose probe read
// only keys of its first child: /registry/events/ on etcd 3.4 at a million keys read 3,200 keys
// for 200 rows with 16 (66 ms), 456 with 2 (56 ms).
const bigSiblingsLimit = 2

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
	limit int, tune windowTune) (string, error) {
	tune = tune.orDefaults()
	var ws []*window
	p := b.prefix + namePrefix
	newWindow := func(from, to string, band int) *window {
		return &window{start: from, from: from, to: to, band: band, limit: 16,
			b: &builder{prefix: b.prefix, sep: b.sep, skipAfter: b.skipAfter}}
	}
	if after != "" { // a later page: bands of [after, end)
		ws = refine(&window{to: end, band: -1}, after, len(p), 1, newWindow)
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
			if limit > 0 && rows >= limit {
				cut = i
				break
			}
			rows += len(w.b.rows)
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
			skipped := false
			resume := ""
			kids := 0 // children the keys read belong to
			for _, kv := range r.Kvs {
				k := string(kv.Key)
				if k < resume {
					continue // inside a subtree already skipped
				}
				kids++
				if to, skip := w.b.add(&w.st, k); skip {
					resume, skipped = to, true
				} else {
					resume = k + "\x00"
				}
			}
			switch {
			case !r.More || !before(resume, w.to):
				w.done = true
			case !skipped && r.Count-int64(len(r.Kvs)) <= maxWindowRead:
				// Count says exactly what is left, with no subtree to skip in it: read it all.
				w.from, w.limit = resume, r.Count-int64(len(r.Kvs))
			case !skipped && limit > 0 && len(w.b.rows) < limit:
				// A page, and no subtree so far: read on what the page needs. Refining instead
				// would count the rest once more per band level (on etcd < 3.7 every probe
				// counts its window) to list what one more read finds.
				w.from, w.limit = resume, int64(limit)
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

// txnSpread is how many transactions txnBatches runs at once, and spreads a round of at least
// txnSpread × minTxnOps operations over: etcd serves concurrent reads on several cores, so a
// round whose counting is spread over many windows takes less than its sum (on etcd 3.4 at a
// million keys, four quarters of /registry/events/ in four transactions: 15 ms, against 22 ms
// in one).
const (
	txnSpread = 4
	minTxnOps = 16
)

// txnCount is how many transactions txnBatches sends for n operations.
func txnCount(n int) int {
	return max((n+maxTxnOps-1)/maxTxnOps, min(txnSpread, (n+minTxnOps-1)/minTxnOps))
}

// txnBatches runs range ops in txnCount transactions of at most maxTxnOps, up to txnSpread at
// once, and returns their responses in order. Operation i goes to transaction i mod txnCount,
// so windows next to each other (often alike in size) are counted on different cores.
func (c *Client) txnBatches(ctx context.Context, ops []clientv3.Op) ([]*clientv3.GetResponse, error) {
	out := make([]*clientv3.GetResponse, len(ops))
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	sem := make(chan struct{}, txnSpread)
	n := txnCount(len(ops))
	for t := 0; t < n; t++ {
		var idx []int
		var batch []clientv3.Op
		for i := t; i < len(ops); i += n {
			idx = append(idx, i)
			batch = append(batch, ops[i])
		}
		wg.Add(1)
		sem <- struct{}{}
		go func(idx []int, batch []clientv3.Op) {
			defer wg.Done()
			defer func() { <-sem }()
			defer func() {
				// Outside a tea command a panic would leave the terminal raw: report it instead.
				if p := recover(); p != nil {
					c.log.Error("transaction batch panicked", zap.Any("panic", p), zap.Stack("stack"))
					mu.Lock()
					if firstErr == nil {
						firstErr = fmt.Errorf("internal error reading the listing (logged): %v", p)
					}
					mu.Unlock()
				}
			}()
			resp, err := c.c.Txn(ctx).Then(batch...).Commit()
			if err != nil {
				mu.Lock()
				if firstErr == nil {
					firstErr = err
				}
				mu.Unlock()
				return
			}
			for i, r := range resp.Responses {
				out[idx[i]] = (*clientv3.GetResponse)(r.GetResponseRange())
			}
		}(idx, batch)
	}
	wg.Wait()
	return out, firstErr
}
