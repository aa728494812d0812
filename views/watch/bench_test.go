package watch

import (
	"fmt"
	"testing"
	"time"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/config"
	"github.com/etcdeck/etcdeck/keymap"
	"github.com/etcdeck/etcdeck/views/common"
)

// BenchmarkApplyAndRender is what the view does per batch during a storm: apply 1,000 events
// (100-byte values, a filter and an alert set, a full 100,000-event buffer dropping the oldest)
// and render the screen once. ns/op is per batch; events/s is what one core sustains.
func BenchmarkApplyAndRender(b *testing.B) {
	m := New(common.Common{Styles: common.NewStyles(false), Keys: keymap.DefaultKeyMap()})
	m.SetSize(120, 40)
	m.watched = true
	m.flt, _ = allEvents().withText("/7", false)
	m.alert = &alert{f: m.flt}
	value := make([]byte, 100)
	batch := make([]cluster.Event, batchSize)
	rev := int64(0)
	fill := func() {
		for i := range batch {
			rev++
			batch[i] = cluster.Event{Kind: cluster.EventPut, Key: fmt.Sprintf("/storm/%d/%d", rev%16, rev), Value: value,
				ValueSize: 100, Rev: rev, HasPrev: true, PrevValue: value}
		}
	}
	for range config.DefaultWatchBufferSize / batchSize { // start full
		fill()
		m.apply(watchBatchMsg{gen: m.gen, batch: cluster.Batch{Events: batch}, lastRev: rev})
	}
	b.ResetTimer()
	start := time.Now()
	for b.Loop() {
		fill()
		m.apply(watchBatchMsg{gen: m.gen, batch: cluster.Batch{Events: batch}, lastRev: rev})
		_ = m.View()
	}
	b.ReportMetric(float64(b.N*batchSize)/time.Since(start).Seconds(), "events/s")
	if m.buf.len() != config.DefaultWatchBufferSize {
		b.Fatalf("buffer holds %d", m.buf.len())
	}
}
