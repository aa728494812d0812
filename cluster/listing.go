package cluster

import (
	"context"
	"errors"

	clientv3 "go.etcd.io/etcd/client/v3"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// How a directory of etcd's flat keyspace is listed, and why this way.
//
// etcd counts every key in [key, range_end) for every limited Range, so a "first key after x"
// request costs the whole rest of the directory, and a skip-scan with limited Gets costs
// O(children × keys). etcd 3.7's RangeStream does not: each chunk is read from the in-memory index
// with a limit and no total count (only the final chunk counts what remains). So on 3.7+ a listing
// is a skip-scan over streams cancelled early: read keys in order; while a child's subtree is
// small, read through it (its count comes for free); once a limit of keys of one subtree have
// been read, cancel and open a new stream just past that subtree (listing_stream.go; the limit
// follows what a jump and a key cost, measured as the listing goes). A listing then costs one
// jump per large child plus the keys of small ones, never a count of the directory (measured
// figures in the README, "Keys listing: performance"). Leaf-only directories are simply
// streamed; the server doubles its chunks, so a page of n keys costs O(n), with no O(n²) counting.
//
// Tried and dropped: scanning first-byte windows with concurrent streams (the ~96 windows' own
// cost ate the gain: /registry/ no faster, small directories 10–30 ms slower). Again at a million
// keys, /registry/events/ split by its namespaces' first letters into 30 scans run 1, 4, 8 or 16
// at a time: no faster (0.6–1.6 s for 260 jumps whatever the concurrency). A jump costs CPU (the
// server streams chunks until the cancel arrives), not only a wait, so overlapping them gains
// nothing on two cores.
//
// Servers without RangeStream (etcd < 3.7) get listing_fallback.go: first-byte windows of the
// child-name space, skip-scanned with limited Gets batched in transactions.
//
// Every request of one listing is pinned to one revision, as client/v3/mirror/syncer.go does; the
// pinned reads are serializable (an old revision cannot change), falling back to linearizable on a
// member that has not applied that revision yet.

// minStreamHints is how many names known make a first page on etcd 3.7 go to the windows at
// them rather than the stream. With few children the stream jumps past each (a few ms) and shows
// the rows at once, where the windows would count the whole directory first: the root of a
// cluster is one child over every key.
const minStreamHints = 64

// DefaultSep is the byte keys are split on.
const DefaultSep = '/'

// skipAfter is how many keys of one child's subtree the stream reads before jumping past it. On
// etcd 3.7.3 a jump costs 1.5–3 ms, not one round trip: the server keeps streaming chunks (10, 20,
// 40, … keys) into gRPC's flow-control window until the cancel arrives, and the first chunk
// arrives only when its writer flushes. Reading one key from the stream costs ~1.7 µs. So a jump
// is worth about 1,000 keys read, and reading up to that many before jumping (ski rental) keeps
// each child within about twice the cheaper of the two. Swept on the 400k-key keyspace
// (BenchmarkListingSkipAfter, README): 32 costs 380–490 ms on directories of 200 namespaces,
// 512 and 1024 cost 35–185 ms. It is where a listing starts; once it has measured a jump and a
// key on this connection, the stream scan replaces it with their ratio (streamCost), and
// scanState adapts the limit between those bounds.
const skipAfter = 1024

// minSkipAfter is the least the adaptive limit reads of a subtree before jumping. Adapting cut
// /registry/ (35 big children) from 120–167 ms to 82–101 ms: after the first jump the scan reads
// 512, 256, … keys of the next children instead of 1,024 each. Alone it also made a directory of
// medium children after one huge sibling (/registry/pods/ at a million keys: "big", then 200
// namespaces of ~600 pods) cost a jump per child, the limit never again reaching a child's size;
// streamCost now keeps the least at a quarter of the break-even.
const minSkipAfter = 16

// windowSkipAfter is skipAfter for windows: there every limited Get counts the whole rest of its
// window anyway, so reading on through a subtree only adds cost.
const windowSkipAfter = 1

// Strategy names how a listing reads the server.
type Strategy int

const (
	// StrategyAuto uses streams and falls back to windows when the server lacks RangeStream.
	StrategyAuto Strategy = iota
	// StrategyStream is the skip-scan over RangeStream (etcd 3.7+).
	StrategyStream
	// StrategyWindows is the skip-scan over first-byte windows with limited Gets (any etcd v3).
	StrategyWindows
)

// String names the strategy as the benchmarks report it.
func (s Strategy) String() string {
	switch s {
	case StrategyStream:
		return "stream"
	case StrategyWindows:
		return "windows"
	}
	return "auto"
}

// ListOptions tunes ListDir.
type ListOptions struct {
	// Sep is the byte keys are split on; 0 means '/'. 0xff is refused.
	Sep byte
	// Rev reads at this revision; 0 reads the current one and pins it for the whole listing.
	Rev int64
	// Limit stops after about this many rows so the first screen comes fast; 0 lists everything.
	// A page may hold a few more rows than Limit (windows end pages at window boundaries).
	Limit int
	// After resumes a paged listing: pass the previous page's Next (and its Rev).
	After string
	// Strategy picks the reader; pass the previous listing's Stats.Strategy to skip re-probing.
	Strategy Strategy
	// NamePrefix narrows the listing to children whose names start with it (a server-side
	// filter: only the keys under prefix+NamePrefix are read).
	NamePrefix string
	// SkipAfter overrides skipAfter (benchmarks sweep it); 0 keeps the default.
	SkipAfter int
	// Hints are child names a previous listing of this directory, or of a sibling, found
	// (Kubernetes' namespaced resources share their namespaces). A first page with hints is
	// read by windows starting at them, so a directory whose names are known costs about one
	// count and gives every child's count; wrong names cost only their windows. At most
	// maxHints are used. The windows strategy always takes them; the stream (StrategyStream,
	// the strategy a previous listing found) hands a first page to them from minStreamHints
	// names on; StrategyAuto tries the stream first, which ignores them.
	Hints []string
	// tune overrides the windows' thresholds (tests); zero keeps the defaults.
	tune windowTune
}

// Row is one child of a directory. A name can be a key (Leaf), a directory (Dir), or both: "a/b"
// and "a/b/c" make "b" a leaf and a directory under "a/".
type Row struct {
	// Name is the raw segment after the directory's prefix, up to the separator (may be empty,
	// may hold any bytes; show it with EscapeKey).
	Name string
	// Leaf: prefix+Name is a key.
	Leaf bool
	// Dir: keys exist under prefix+Name+sep.
	Dir bool
	// Count is the number of keys under the directory; -1 when unknown (FillDetails fetches it).
	Count int64
	// ValueSize is the leaf's value size in bytes; -1 when unknown (FillDetails fetches it).
	ValueSize int64
}

// Path is the row's full key (leaf) or directory prefix without the separator.
func (r Row) Path(prefix string) string { return prefix + r.Name }

// ListStats says what a listing cost.
type ListStats struct {
	Strategy   Strategy
	RoundTrips int
	// KeysRead is how many keys the server sent.
	KeysRead int64
	// KeysCounted is how many keys the server counted for limited Gets (windows only; streams
	// cancelled early count none).
	KeysCounted int64
	// Hinted: the listing's windows started at ListOptions.Hints.
	Hinted bool
}

// Listing is the direct children of one directory at one revision, in byte order of their names
// (which is key order, except that a directory "s" sorts before a key "s-x" although its keys
// "s/…" come after it). Directories are not listed first: the order is the keyspace's.
type Listing struct {
	Prefix string
	Sep    byte
	Rev    int64
	Rows   []Row
	// Next is where the next page starts; empty when the directory is complete. A later page may
	// repeat a name of this one (the directory part of a leaf): join pages with MergeRows.
	Next  string
	Stats ListStats
}

// ListDir lists the direct children of the directory prefix (e.g. "/registry/" or "" for the
// whole keyspace; keys starting with the separator then make up the child named ""). It never
// reads the keys below a large child: see the comment at the top of this file.
func (c *Client) ListDir(ctx context.Context, prefix string, opts ListOptions) (Listing, error) {
	if opts.Sep == 0 {
		opts.Sep = DefaultSep
	}
	if opts.Sep == 0xff {
		return Listing{}, errors.New("the separator cannot be the byte 0xff")
	}
	ctx, cancel := c.ctx(ctx)
	defer cancel()
	l := Listing{Prefix: prefix, Sep: opts.Sep, Rev: opts.Rev}
	if l.Rev == 0 {
		// An exact-key read is O(log n) and tells the current revision to pin.
		resp, err := c.c.Get(ctx, firstKey(prefix), clientv3.WithCountOnly())
		if err != nil {
			return l, c.access.Denied("reading "+dirName(prefix), c.explainDown(ctx, err))
		}
		l.Rev = resp.Header.Revision
		l.Stats.RoundTrips++
	}
	b := newBuilder(prefix, opts.Sep)
	if opts.SkipAfter > 0 {
		b.skipAfter = opts.SkipAfter
	}
	from := firstKey(prefix + opts.NamePrefix)
	if opts.After != "" {
		from = opts.After
	}
	end := clientv3.GetPrefixRangeEnd(prefix + opts.NamePrefix)
	var err error
	hinted := len(opts.Hints) > 0 && opts.After == ""
	switch {
	case opts.Strategy == StrategyWindows || (opts.Strategy == StrategyStream && hinted && len(opts.Hints) >= minStreamHints):
		// With many names known, windows at them beat the stream on etcd 3.7 too: one count of
		// the directory, every child's count with it, where the stream reads through each child
		// (/registry/events/'s first 200 rows: 12–14 ms against 115–124 ms). Stats.Strategy
		// stays what the server supports, so later pages stay on the stream.
		l.Stats.Strategy, l.Stats.Hinted = opts.Strategy, hinted
		b.skipAfter = min(b.skipAfter, windowSkipAfter)
		l.Next, err = c.scanWindows(ctx, &l, b, opts.NamePrefix, opts.After, end, opts.Limit, opts.Hints, opts.tune)
	default:
		l.Stats.Strategy = StrategyStream
		var cost *streamCost
		if opts.SkipAfter == 0 {
			cost = &streamCost{}
		}
		l.Next, err = c.scanStream(ctx, &l, b, from, end, opts.Limit, cost)
		if opts.Strategy == StrategyAuto && status.Code(err) == codes.Unimplemented {
			b.rows = nil
			b.skipAfter = min(b.skipAfter, windowSkipAfter)
			l.Stats.Strategy, l.Stats.Hinted = StrategyWindows, hinted
			l.Next, err = c.scanWindows(ctx, &l, b, opts.NamePrefix, opts.After, end, opts.Limit, opts.Hints, opts.tune)
		}
	}
	if err != nil {
		return l, c.access.Denied("reading "+dirName(prefix), c.explainDown(ctx, err))
	}
	l.Rows = b.sorted()
	return l, nil
}

// dirName is a directory's prefix as a person reads it: escaped, "(root)" for "".
func dirName(prefix string) string {
	if prefix == "" {
		return "(root)"
	}
	return EscapeKey(prefix)
}

// firstKey is the smallest key of the directory: etcd keys cannot be empty.
func firstKey(prefix string) string {
	if prefix == "" {
		return "\x00"
	}
	return prefix
}
