package monitor

import (
	"math"
	"sort"
	"strings"
	"time"
)

// Sample is one latency measurement; a failed call is a sample with OK false (it counts as a gap
// in the sparkline, not as a fast answer).
type Sample struct {
	Time time.Time
	Took time.Duration
	OK   bool
}

// Ring keeps the samples of the last Window, oldest first. The zero value keeps five minutes.
type Ring struct {
	Window  time.Duration
	samples []Sample
}

// DefaultWindow is how far back latency history goes.
const DefaultWindow = 5 * time.Minute

// Add appends a sample and drops those older than the window before it.
func (r *Ring) Add(s Sample) {
	w := r.Window
	if w <= 0 {
		w = DefaultWindow
	}
	r.samples = append(r.samples, s)
	cut := 0
	for cut < len(r.samples) && s.Time.Sub(r.samples[cut].Time) > w {
		cut++
	}
	if cut > 0 {
		// Copy down rather than reslice so the backing array does not grow forever.
		r.samples = append(r.samples[:0], r.samples[cut:]...)
	}
}

// Samples returns the samples held, oldest first.
func (r *Ring) Samples() []Sample { return append([]Sample(nil), r.samples...) }

// Len is the number of samples held.
func (r *Ring) Len() int { return len(r.samples) }

// Stats summarises the successful samples of a ring.
type Stats struct {
	Count  int           `json:"count"`
	Failed int           `json:"failed"`
	P50    time.Duration `json:"p50_ns"`
	P99    time.Duration `json:"p99_ns"`
	Max    time.Duration `json:"max_ns"`
}

// Stats computes p50/p99/max over the ring (nearest-rank percentiles).
func (r *Ring) Stats() Stats {
	var st Stats
	var d []time.Duration
	for _, s := range r.samples {
		if !s.OK {
			st.Failed++
			continue
		}
		d = append(d, s.Took)
	}
	st.Count = len(d)
	if len(d) == 0 {
		return st
	}
	sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
	st.P50, st.P99, st.Max = percentile(d, 0.50), percentile(d, 0.99), d[len(d)-1]
	return st
}

// percentile is the nearest-rank percentile of sorted values.
func percentile(sorted []time.Duration, q float64) time.Duration {
	rank := int(math.Ceil(q*float64(len(sorted)))) - 1
	rank = max(0, min(rank, len(sorted)-1))
	return sorted[rank]
}

var sparkBlocks = []rune("▁▂▃▄▅▆▇█")

// Sparkline draws samples between from and to as width cells, one cell per equal slice of time,
// each the slowest successful sample in its slice scaled against the slowest overall. A slice
// holding only failures is "x"; a slice with no sample repeats the one before it, and is a space
// before the first sample and after the last.
func Sparkline(samples []Sample, from, to time.Time, width int) string {
	if width <= 0 {
		return ""
	}
	span := to.Sub(from)
	if span <= 0 {
		span = time.Nanosecond
	}
	cells := make([]time.Duration, width)
	state := make([]byte, width) // 0 empty, 1 failures only, 2 has a value
	var top time.Duration
	for _, s := range samples {
		if s.Time.Before(from) || s.Time.After(to) {
			continue
		}
		i := int(int64(s.Time.Sub(from)) * int64(width) / int64(span))
		i = min(i, width-1)
		if !s.OK {
			if state[i] == 0 {
				state[i] = 1
			}
			continue
		}
		state[i] = 2
		cells[i] = max(cells[i], s.Took)
		top = max(top, s.Took)
	}
	// A cell without a sample between two with one repeats the one before (polls are further
	// apart than cells are wide); only cells before the first sample and after the last stay
	// blank.
	last := -1
	for i := range state {
		if state[i] != 0 {
			last = i
		}
	}
	for i := 1; i < last; i++ {
		if state[i] == 0 && state[i-1] != 0 {
			state[i], cells[i] = state[i-1], cells[i-1]
		}
	}
	var b strings.Builder
	for i := range cells {
		switch state[i] {
		case 0:
			b.WriteByte(' ')
		case 1:
			b.WriteByte('x')
		default:
			level := 0
			if top > 0 {
				level = int(int64(cells[i]) * int64(len(sparkBlocks)-1) / int64(top))
			}
			b.WriteRune(sparkBlocks[level])
		}
	}
	return b.String()
}
