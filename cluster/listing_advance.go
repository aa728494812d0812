package cluster

import (
	clientv3 "go.etcd.io/etcd/client/v3"
)

// What one window's probe tells, and what the window does next (listing_fallback.go).

// windowScan is one windows listing: the directory's rows, the prefix its names start after (the
// directory's plus ListOptions.NamePrefix), the page's limit and the thresholds.
type windowScan struct {
	l     *Listing
	b     *builder
	p     string
	limit int
	tune  windowTune
	// probedRefined refined windows have been probed, and held rowsRefined rows at their first
	// answer (pending's guess at the others).
	probedRefined, rowsRefined int
	// probeCap, when not 0, bounds the windows not probed yet that one round probes (a later
	// page; doubled each round).
	probeCap int
}

// newWindow is the window [from, to); band as in window.band.
func (s *windowScan) newWindow(from, to string, band int) *window {
	return &window{start: from, from: from, to: to, band: band, limit: 16,
		b: &builder{prefix: s.b.prefix, sep: s.b.sep, skipAfter: s.b.skipAfter}}
}

// advance takes the answer r to w's probe: it adds the rows of the keys read, and either sets
// w's next probe, or marks w done and returns the windows that cover the rest of it.
func (s *windowScan) advance(w *window, r *clientv3.GetResponse) []*window {
	s.l.Stats.KeysCounted += r.Count
	s.l.Stats.KeysRead += int64(len(r.Kvs))
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
	// One child's keys only, from the start of its subtree: the window counted it whole, and
	// whatever else it counted lies after it.
	counted := skipped && kids == 1 && w.from <= w.b.prefix+first+string([]byte{w.b.sep})
	var refined []*window
	w.unread = 0
	switch {
	case !r.More || !before(resume, w.to):
		w.done = true
		if counted && (!r.More || resume == w.to) {
			w.b.row(first).Count = r.Count
		}
	case !skipped && r.Count-int64(len(r.Kvs)) <= maxWindowRead:
		// Count says exactly what is left, with no subtree to skip in it: read it all, or on a
		// page what the page can hold (etcd < 3.7 reads each key's value to return it: later
		// pages of /registry/pods/big/ read 11,500 keys to keep 1,150 rows).
		w.from, w.limit = resume, r.Count-int64(len(r.Kvs))
		if s.limit > 0 {
			w.limit = min(w.limit, int64(s.limit))
		}
		w.unread = r.Count - int64(len(r.Kvs))
	case !skipped && s.limit > 0 && len(w.b.rows) < s.limit:
		// A page, and no subtree so far: read on what the page needs. Refining instead would
		// count the rest once more per band level (on etcd < 3.7 every probe counts its window)
		// to list what one more read finds.
		w.from, w.limit = resume, int64(s.limit)
		w.unread = r.Count - int64(len(r.Kvs))
	case skipped && r.Count <= smallRead:
		// Little is left: read it whole in one Get, without skipping, rather than a round per
		// child found (a directory of namespaces of ~20 keys, /registry/leases/, took 31 round
		// trips). The first child's count is the window's less the rest.
		if counted {
			w.restChild, w.restCount, w.restPending = first, r.Count, true
		}
		w.from, w.limit = resume, r.Count
		w.st = scanState{most: 1 << 30, least: 1 << 30}
	case r.Count <= s.tune.restMax && !w.rest:
		w.done = true // its rows so far stay; one window probes the rest
		rest := s.newWindow(resume, w.to, w.band)
		rest.rest = true
		refined = []*window{rest}
	default:
		w.done = true // its rows so far stay; the rest goes to finer windows
		depth := 1
		if r.Count >= s.tune.twoLevelMin {
			depth = 2
		}
		refined = refine(w, resume, len(s.p), depth, s.newWindow)
	}
	if counted && w.done && len(refined) > 0 {
		w.child, w.count, w.left = first, r.Count, len(refined)
		for _, n := range refined {
			n.parent = w
		}
	}
	if skipped && kids == 1 {
		// Every key read was the one child's: siblings are likely as big, and on etcd 3.4 each
		// key a probe returns is read from disk with its value. A probe needs its window's first
		// key; the second shows a child of one key.
		for _, n := range refined {
			n.limit = bigSiblingsLimit
		}
	}
	if !w.done && s.limit > 0 && (len(w.b.rows) >= s.limit || (w.need > 0 && int64(len(w.b.rows)) >= w.need)) {
		// The page is full inside this window (with the rows the windows before it hold or are
		// expected to): it ends here, and the rest of the window is the next page's (a plain
		// window: nothing of it was counted apart).
		w.done = true
		refined = []*window{s.newWindow(resume, w.to, -1)}
	}
	w.need = 0 // pending sets it again for the next probe, if the window still reads on
	return refined
}

// probeOp is w's next probe: the keys of [from, to) up to its limit, at the listing's revision.
func (s *windowScan) probeOp(w *window) clientv3.Op {
	return clientv3.OpGet(w.from, clientv3.WithRange(w.to), clientv3.WithLimit(w.limit),
		clientv3.WithKeysOnly(), clientv3.WithRev(s.l.Rev))
}
