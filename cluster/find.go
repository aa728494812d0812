package cluster

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"regexp"
	"time"

	"go.etcd.io/etcd/api/v3/mvccpb"
	clientv3 "go.etcd.io/etcd/client/v3"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// Find is `:find`'s search: keys (and values) under a prefix matched against a text or a regular
// expression, at one revision, read in pages as the listing reads (so a 400,000-key subtree is
// never held at once: only the page being matched and the matches, up to a cap). Progress and
// matches are handed to the caller after every page, so a console streams them while the scan
// runs; cancelling the context ends the scan and keeps what was found.

// FindOptions say what Find looks for, and where.
type FindOptions struct {
	// Prefix is the subtree searched ("" for every key).
	Prefix string
	// Text is what is looked for: a substring, or with Regex a regular expression (RE2).
	Text  string
	Regex bool
	// Values searches values too, not only keys (the values are read: it costs their bytes).
	Values bool
	// Decode, when set, turns a value into the text matched (the inspector's decoding: a
	// Kubernetes protobuf value as YAML), for values that it returns non-nil for; the decoder
	// lives above cluster/ (cluster/decode imports this package). It costs CPU: opt-in.
	Decode func(value []byte) []byte
	// PageSize is how many keys one read takes (DefaultFindPage when 0).
	PageSize int64
	// MaxMatches caps the matches kept (DefaultFindMatches when 0); the scan goes on counting.
	MaxMatches int
}

// Find's defaults: a page of 1,000 keys keeps one read of 1 KiB values near a megabyte; 10,000
// matches are more than anyone pages through, and their keys stay a few megabytes.
const (
	DefaultFindPage    = 1000
	DefaultFindMatches = 10000
)

// FindMatch is one key that matched: its mod revision, and the matching line (of the key, or
// of the value or its decoded text when the match is there; at most maxMatchLine bytes).
type FindMatch struct {
	Key     string
	ModRev  int64
	InValue bool
	Line    string
}

// maxMatchLine bounds a match's line kept: a 1.5 MiB single-line value must not be kept whole.
const maxMatchLine = 200

// FindProgress is how far a scan has come; Matches are those found since the last report.
type FindProgress struct {
	Rev      int64
	Scanned  int64
	Total    int64 // from one count request at Rev before the scan
	Found    int   // matches so far, including those beyond the cap
	Capped   bool  // Found passed MaxMatches: later matches were counted, not kept
	Elapsed  time.Duration
	Matches  []FindMatch
	Finished bool
}

// Find scans opts.Prefix at the current revision, calling report after each page with what the
// page found (report runs on the scanning goroutine; it must not block long). It returns the
// final progress; on cancellation it returns the progress so far and the context's error.
func (c *Client) Find(ctx context.Context, opts FindOptions, report func(FindProgress)) (FindProgress, error) {
	match, err := finder(opts)
	if err != nil {
		return FindProgress{}, err
	}
	page := opts.PageSize
	if page <= 0 {
		page = DefaultFindPage
	}
	maxMatches := opts.MaxMatches
	if maxMatches <= 0 {
		maxMatches = DefaultFindMatches
	}
	start := time.Now()
	end := clientv3.GetPrefixRangeEnd(opts.Prefix)
	if opts.Prefix == "" {
		end = "\x00"
	}
	key := opts.Prefix
	if key == "" {
		key = "\x00"
	}
	var p FindProgress
	cctx, cancel := c.ctx(ctx)
	count, err := c.c.Get(cctx, key, clientv3.WithRange(end), clientv3.WithCountOnly())
	cancel()
	if err != nil {
		return p, fmt.Errorf("find: counting the keys under %s: %w", EscapeKey(opts.Prefix), Explain(err))
	}
	p.Rev, p.Total = count.Header.Revision, count.Count
	keep := func(kvs []*mvccpb.KeyValue) {
		var found []FindMatch
		for _, kv := range kvs {
			// Past the cap a match is only counted: its line is not built (a 400k-key scan that
			// matches everywhere would make a string per key for nothing).
			m, ok := match(kv.Key, kv.Value, p.Found < maxMatches)
			if !ok {
				continue
			}
			p.Found++
			if p.Found > maxMatches {
				p.Capped = true
				continue
			}
			m.Key, m.ModRev = string(kv.Key), kv.ModRevision
			found = append(found, m)
		}
		p.Scanned += int64(len(kvs))
		p.Elapsed, p.Matches = time.Since(start), found
	}
	fail := func(err error) (FindProgress, error) {
		p.Elapsed, p.Matches, p.Finished = time.Since(start), nil, false
		if ctx.Err() != nil {
			return p, ctx.Err()
		}
		return p, fmt.Errorf("find under %s: %w", EscapeKey(opts.Prefix), Explain(err))
	}
	// etcd 3.7+ streams the range in chunks from its index, none of which counts the rest of the
	// range; a limited Get counts every key from its start to the end, so paging a 400,000-key
	// subtree with Gets costs O(keys²/page). Servers without RangeStream get the pages.
	streamed, err := c.findStream(ctx, opts, key, end, page, &p, keep, report)
	if err != nil {
		return fail(err)
	}
	if streamed {
		p.Elapsed, p.Matches = time.Since(start), nil
		return p, nil
	}
	for {
		get := []clientv3.OpOption{clientv3.WithRange(end), clientv3.WithRev(p.Rev), clientv3.WithLimit(page)}
		if !opts.Values {
			get = append(get, clientv3.WithKeysOnly())
		}
		cctx, cancel := c.ctx(ctx)
		resp, err := c.c.Get(cctx, key, get...)
		cancel()
		if err != nil {
			return fail(err)
		}
		keep(resp.Kvs)
		more := resp.More && len(resp.Kvs) > 0
		p.Finished = !more
		if report != nil {
			report(p)
		}
		if !more {
			p.Matches = nil
			return p, nil
		}
		key = string(resp.Kvs[len(resp.Kvs)-1].Key) + "\x00"
	}
}

// findStream reads [key, end) at p.Rev over RangeStream, matching each chunk as it arrives and
// reporting every page keys or more (chunks grow as the server doubles them). streamed is false,
// with nothing read, when the server has no RangeStream.
func (c *Client) findStream(ctx context.Context, opts FindOptions, key, end string, page int64, p *FindProgress,
	keep func([]*mvccpb.KeyValue), report func(FindProgress)) (streamed bool, err error) {
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	get := []clientv3.OpOption{clientv3.WithRange(end), clientv3.WithRev(p.Rev)}
	if !opts.Values {
		get = append(get, clientv3.WithKeysOnly())
	}
	ch, err := c.c.GetStream(sctx, key, get...)
	if err != nil {
		if status.Code(err) == codes.Unimplemented {
			return false, nil
		}
		return true, err
	}
	defer func() {
		cancel()
		for range ch { // let clientv3's receiving goroutine finish instead of blocking on a send
		}
	}()
	// Chunks are cut into pages of page keys, each matched and reported as the paged Gets are:
	// a caller sees the same pages whichever way the keys came.
	var buf []*mvccpb.KeyValue
	flush := func(kvs []*mvccpb.KeyValue, finished bool) error {
		keep(kvs)
		p.Finished = finished
		if report != nil {
			report(*p)
		}
		return ctx.Err()
	}
	first := true
	for r := range ch {
		if err := r.Err(); err != nil {
			if first && status.Code(err) == codes.Unimplemented {
				return false, nil
			}
			return true, err
		}
		first = false
		kvs := r.Kvs
		for len(kvs) > 0 {
			n := min(int(page)-len(buf), len(kvs))
			buf, kvs = append(buf, kvs[:n]...), kvs[n:]
			if len(buf) == int(page) {
				if err := flush(buf, false); err != nil {
					return true, err
				}
				buf = buf[:0]
			}
		}
	}
	if err := ctx.Err(); err != nil {
		return true, err
	}
	return true, flush(buf, true)
}

// finder builds the match function of opts: it says whether a key (and its value) matches and,
// when line is set, the matching line.
func finder(opts FindOptions) (func(key, value []byte, line bool) (FindMatch, bool), error) {
	if opts.Text == "" {
		return nil, errors.New("find needs something to look for")
	}
	var contains func([]byte) (int, int)
	if opts.Regex {
		re, err := regexp.Compile(opts.Text)
		if err != nil {
			return nil, fmt.Errorf("find: %q is not a regular expression: %w", opts.Text, err)
		}
		contains = func(b []byte) (int, int) {
			if loc := re.FindIndex(b); loc != nil {
				return loc[0], loc[1]
			}
			return -1, -1
		}
	} else {
		text := []byte(opts.Text)
		contains = func(b []byte) (int, int) {
			i := bytes.Index(b, text)
			return i, i + len(text)
		}
	}
	return func(key, value []byte, line bool) (FindMatch, bool) {
		if i, _ := contains(key); i >= 0 {
			if !line {
				return FindMatch{}, true
			}
			return FindMatch{Line: string(key)}, true
		}
		if !opts.Values {
			return FindMatch{}, false
		}
		text := value
		if opts.Decode != nil {
			if d := opts.Decode(value); d != nil {
				text = d
			}
		}
		if i, j := contains(text); i >= 0 {
			if !line {
				return FindMatch{InValue: true}, true
			}
			return FindMatch{InValue: true, Line: lineAround(text, i, j)}, true
		}
		return FindMatch{}, false
	}, nil
}

// lineAround is the line of b holding b[i:j], cut to maxMatchLine bytes around the match.
func lineAround(b []byte, i, j int) string {
	s := bytes.LastIndexByte(b[:i], '\n') + 1
	e := len(b)
	if k := bytes.IndexByte(b[j:], '\n'); k >= 0 {
		e = j + k
	}
	if e-s > maxMatchLine {
		s = max(s, i-maxMatchLine/4)
		e = min(e, s+maxMatchLine)
	}
	return string(b[s:e])
}
