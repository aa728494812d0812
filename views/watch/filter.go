package watch

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"

	"github.com/etcdeck/etcdeck/cluster"
)

// filter says which events the list shows: a substring or regular expression on the key (and
// on the value when values is set), and whether puts and deletes show. Notes about the watch
// always show. Filtering only hides rows: the buffer keeps every event.
type filter struct {
	text    string
	regexp  bool
	re      *regexp.Regexp // compiled text when regexp is set
	values  bool
	puts    bool
	deletes bool
}

// allEvents is the filter that shows everything.
func allEvents() filter { return filter{puts: true, deletes: true} }

// withText returns f matching text, as a regular expression when asRegexp is set; a regular
// expression that does not compile is an error saying where, and f is unchanged.
func (f filter) withText(text string, asRegexp bool) (filter, error) {
	f.text, f.regexp, f.re = text, asRegexp, nil
	if asRegexp && text != "" {
		re, err := regexp.Compile(text)
		if err != nil {
			return f, fmt.Errorf("not a regular expression: %w", err)
		}
		f.re = re
	}
	return f, nil
}

// active tells whether the filter hides anything.
func (f filter) active() bool { return f.text != "" || !f.puts || !f.deletes }

// match tells whether the list shows e.
func (f *filter) match(e *entry) bool {
	if e.isNote() {
		return true
	}
	return f.matchEvent(&e.ev)
}

// matchEvent tells whether ev passes the kind toggles and the text.
func (f *filter) matchEvent(ev *cluster.Event) bool {
	if ev.Kind == cluster.EventPut && !f.puts || ev.Kind == cluster.EventDelete && !f.deletes {
		return false
	}
	if f.text == "" {
		return true
	}
	if f.re != nil {
		return f.re.MatchString(ev.Key) || f.values && f.re.Match(ev.Value)
	}
	return strings.Contains(ev.Key, f.text) || f.values && bytes.Contains(ev.Value, []byte(f.text))
}

// String describes the filter for the title and the alert: "key ~ ^/a/ (and values) · PUT only".
func (f filter) String() string {
	var parts []string
	if f.text != "" {
		op := "contains"
		if f.regexp {
			op = "~"
		}
		what := "key"
		if f.values {
			what = "key or value"
		}
		parts = append(parts, fmt.Sprintf("%s %s %q", what, op, f.text))
	}
	switch {
	case !f.puts && !f.deletes:
		parts = append(parts, "no PUT, no DEL")
	case !f.puts:
		parts = append(parts, "DEL only")
	case !f.deletes:
		parts = append(parts, "PUT only")
	}
	if len(parts) == 0 {
		return "every event"
	}
	return strings.Join(parts, " · ")
}

// visible is the list of seqs the filter shows, oldest first, kept up to date as entries are
// pushed and dropped so a 100,000-row buffer is not scanned on every batch.
type visible struct {
	seqs []int64
	head int // seqs[:head] were dropped from the buffer
}

// len is how many rows show.
func (v *visible) len() int { return len(v.seqs) - v.head }

// at is the seq of the i-th row shown.
func (v *visible) at(i int) int64 { return v.seqs[v.head+i] }

// add appends a seq that the filter shows.
func (v *visible) add(seq int64) { v.seqs = append(v.seqs, seq) }

// trim forgets rows older than first (dropped from the buffer) and reports how many went.
func (v *visible) trim(first int64) int {
	gone := 0
	for v.head < len(v.seqs) && v.seqs[v.head] < first {
		v.head++
		gone++
	}
	if v.head > 1024 && v.head > len(v.seqs)/2 {
		v.seqs = append(v.seqs[:0], v.seqs[v.head:]...)
		v.head = 0
	}
	return gone
}

// rebuild recomputes the rows from the whole buffer, after the filter changed.
func (v *visible) rebuild(b *buffer, f *filter) {
	v.seqs, v.head = v.seqs[:0], 0
	for i := range b.len() {
		if e := b.at(i); f.match(e) {
			v.add(e.seq)
		}
	}
}

// index is the row showing seq, or the row of the newest seq before it (-1 when none).
func (v *visible) index(seq int64) int {
	lo, hi := v.head, len(v.seqs)
	for lo < hi {
		mid := (lo + hi) / 2
		if v.seqs[mid] <= seq {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo - 1 - v.head
}
