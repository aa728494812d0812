package watch

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/etcdeck/etcdeck/cluster"
)

func ev(rev int64, key, value string) entry {
	return entry{ev: cluster.Event{Kind: cluster.EventPut, Key: key, Value: []byte(value), ValueSize: int64(len(value)), Rev: rev}}
}

// keys lists the buffer's entries oldest first: an event as its revision, a note as "!".
func keys(b *buffer) string {
	var out []string
	for i := range b.len() {
		e := b.at(i)
		if e.isNote() {
			out = append(out, "!")
		} else {
			out = append(out, fmt.Sprint(e.ev.Rev))
		}
	}
	return strings.Join(out, " ")
}

// TestBufferCountBound: the oldest go first, the dropped count is exact, seqs stay addressable.
func TestBufferCountBound(t *testing.T) {
	for _, tc := range []struct {
		limit, push int
		want        string
		dropped     int64
	}{
		{limit: 3, push: 0, want: ""},
		{limit: 3, push: 2, want: "1 2"},
		{limit: 3, push: 3, want: "1 2 3"},
		{limit: 3, push: 4, want: "2 3 4", dropped: 1},
		{limit: 3, push: 10, want: "8 9 10", dropped: 7},
		{limit: 100, push: 1000, want: "", dropped: 900}, // crosses several grows
	} {
		b := newBuffer(tc.limit, 1<<30)
		var dropped int64
		for i := 1; i <= tc.push; i++ {
			_, d := b.push(ev(int64(i), "k", "v"))
			dropped += int64(d)
		}
		if tc.want != "" && keys(b) != tc.want {
			t.Errorf("limit %d after %d: %q, want %q", tc.limit, tc.push, keys(b), tc.want)
		}
		if b.len() != min(tc.limit, tc.push) || b.total != int64(tc.push) || b.dropped != tc.dropped || dropped != tc.dropped {
			t.Errorf("limit %d after %d: len %d total %d dropped %d (returned %d), want dropped %d",
				tc.limit, tc.push, b.len(), b.total, b.dropped, dropped, tc.dropped)
		}
		for i := range b.len() {
			if e := b.at(i); b.bySeq(e.seq) != e || e.ev.Rev != int64(tc.push-b.len()+i+1) {
				t.Fatalf("limit %d: entry %d (rev %d, seq %d) not found by its seq or out of order", tc.limit, i, e.ev.Rev, e.seq)
			}
		}
		if b.bySeq(b.firstSeq()-1) != nil || b.bySeq(b.nextSeq) != nil {
			t.Error("bySeq found an entry outside the buffer")
		}
	}
}

// TestBufferByteBound: the byte budget drops the oldest as well, keeps the newest even when it
// alone is over, and notes are dropped without counting as events.
func TestBufferByteBound(t *testing.T) {
	big := strings.Repeat("x", 1000)
	// Built alike and kept, so their values' allocations (which the size counts) are alike.
	es := make([]entry, 5)
	for i := range es {
		es[i] = ev(int64(i+1), "k", big)
	}
	per := es[0].size()
	b := newBuffer(1000, 3*per)
	for _, e := range es {
		b.push(e)
	}
	if keys(b) != "3 4 5" || b.dropped != 2 || b.bytes != 3*per {
		t.Fatalf("held %q (%d bytes), dropped %d; want 3 4 5 in %d bytes, dropped 2", keys(b), b.bytes, b.dropped, 3*per)
	}
	b.push(entry{note: "reconnected"})
	if keys(b) != "4 5 !" || b.dropped != 3 {
		t.Fatalf("after a note: %q dropped %d", keys(b), b.dropped)
	}
	b.push(ev(6, "k", strings.Repeat("y", int(4*per))))
	if keys(b) != "6" || b.dropped != 5 || b.total != 6 || b.notesTotal != 1 {
		t.Fatalf("after a value over the budget: %q dropped %d total %d", keys(b), b.dropped, b.total)
	}
	b.clear()
	if b.len() != 0 || b.bytes != 0 || b.total != 6 || b.dropped != 5 {
		t.Fatalf("after clear: len %d bytes %d total %d dropped %d", b.len(), b.bytes, b.total, b.dropped)
	}
	if seq, _ := b.push(ev(7, "k", "v")); seq != 7 || b.firstSeq() != 7 {
		t.Fatalf("seq after clear = %d (first %d), want 7: seqs are never reused", seq, b.firstSeq())
	}
}

// TestBufferCountsAllocations: a value counts by what its allocation takes, not its length: a
// 1,000-byte value from the decoder sits in 1,024 bytes, and a 64 MiB budget of them held 2.4%
// more heap than it said (issue 22).
func TestBufferCountsAllocations(t *testing.T) {
	e := ev(1, "k", "")
	e.ev.Value = make([]byte, 1000, 1024)
	e.ev.PrevValue = make([]byte, 10, 16)
	if got, want := e.size(), entrySlot+1+1024+16; got != want {
		t.Fatalf("size %d, want %d (the slot, the key, the values' capacities)", got, want)
	}
}

// FuzzBuffer: whatever the bounds and sizes, the buffer stays within them (but for one entry),
// its bytes add up, and total = held events + dropped + cleared.
func FuzzBuffer(f *testing.F) {
	f.Add(uint8(3), uint16(500), []byte{1, 200, 3, 0, 90})
	f.Fuzz(func(t *testing.T, limit uint8, budget uint16, sizes []byte) {
		b := newBuffer(int(limit%50)+1, int64(budget)+entrySlot)
		for i, s := range sizes {
			e := ev(int64(i), "key", strings.Repeat("v", int(s)))
			if s%7 == 0 {
				e = entry{note: "note"}
			}
			b.push(e)
			if b.len() > b.maxCount || b.len() > 1 && b.bytes > b.maxBytes {
				t.Fatalf("over the bounds: %d entries, %d bytes", b.len(), b.bytes)
			}
		}
		var bytes, events int64
		for i := range b.len() {
			bytes += b.at(i).size()
			if !b.at(i).isNote() {
				events++
			}
		}
		if bytes != b.bytes || events+b.dropped != b.total {
			t.Fatalf("bytes %d vs %d; events %d + dropped %d != total %d", bytes, b.bytes, events, b.dropped, b.total)
		}
	})
}

func TestMeter(t *testing.T) {
	var m meter
	t0 := time.Unix(1000, 0)
	m.add(5, t0)
	m.add(5, t0.Add(900*time.Millisecond))
	if r := m.rate(t0.Add(950 * time.Millisecond)); r != 0 {
		t.Errorf("rate within the first second = %d, want 0 (no complete second yet)", r)
	}
	m.add(3, t0.Add(1100*time.Millisecond))
	if r := m.rate(t0.Add(1500 * time.Millisecond)); r != 10 {
		t.Errorf("rate in second 2 = %d, want 10", r)
	}
	if r := m.rate(t0.Add(2100 * time.Millisecond)); r != 3 {
		t.Errorf("rate in second 3 = %d, want 3", r)
	}
	if r := m.rate(t0.Add(5 * time.Second)); r != 0 {
		t.Errorf("rate after a quiet second = %d, want 0", r)
	}
}

func TestAlert(t *testing.T) {
	f, err := allEvents().withText("/alarm/", false)
	if err != nil {
		t.Fatal(err)
	}
	a := alert{f: f}
	t0 := time.Unix(1000, 0)
	var rings []int
	for i, at := range []time.Duration{0, 100 * time.Millisecond, 999 * time.Millisecond, time.Second, 1500 * time.Millisecond, 3 * time.Second} {
		e := ev(int64(i), "/alarm/x", "v")
		if a.observe(&e, t0.Add(at)) {
			rings = append(rings, i)
		}
		other := ev(int64(i), "/quiet/x", "v")
		if a.observe(&other, t0.Add(at)) {
			t.Fatal("a non-matching event rang")
		}
	}
	note := entry{note: "reconnected to /alarm/"}
	a.observe(&note, t0.Add(10*time.Second))
	if fmt.Sprint(rings) != "[0 3 5]" || a.count != 6 {
		t.Errorf("rang at %v with count %d; want [0 3 5] (once a second at most) and 6", rings, a.count)
	}
}
