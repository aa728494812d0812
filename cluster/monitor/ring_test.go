package monitor_test

import (
	"math"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/etcdeck/etcdeck/cluster/monitor"
)

var t0 = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

func TestRingDropsSamplesOutsideWindow(t *testing.T) {
	r := monitor.Ring{Window: time.Minute}
	for i := 0; i < 180; i++ {
		r.Add(monitor.Sample{Time: t0.Add(time.Duration(i) * time.Second), Took: time.Millisecond, OK: true})
	}
	s := r.Samples()
	if len(s) != 61 || !s[0].Time.Equal(t0.Add(119*time.Second)) {
		t.Fatalf("kept %d samples from %v, want 61 from %v", len(s), s[0].Time, t0.Add(119*time.Second))
	}
}

func TestRingStats(t *testing.T) {
	tests := []struct {
		name          string
		ms            []int // milliseconds; -1 is a failed call
		p50, p99, max time.Duration
		count, failed int
	}{
		{"empty", nil, 0, 0, 0, 0, 0},
		{"one", []int{7}, 7 * time.Millisecond, 7 * time.Millisecond, 7 * time.Millisecond, 1, 0},
		{"failures are not fast answers", []int{-1, 2, -1, 4}, 2 * time.Millisecond, 4 * time.Millisecond, 4 * time.Millisecond, 2, 2},
		{"hundred", seq(1, 100), 50 * time.Millisecond, 99 * time.Millisecond, 100 * time.Millisecond, 100, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var r monitor.Ring
			for i, ms := range tc.ms {
				r.Add(monitor.Sample{Time: t0.Add(time.Duration(i) * time.Second), Took: time.Duration(ms) * time.Millisecond, OK: ms >= 0})
			}
			st := r.Stats()
			if st.P50 != tc.p50 || st.P99 != tc.p99 || st.Max != tc.max || st.Count != tc.count || st.Failed != tc.failed {
				t.Fatalf("stats = %+v, want p50 %v p99 %v max %v count %d failed %d", st, tc.p50, tc.p99, tc.max, tc.count, tc.failed)
			}
		})
	}
}

func seq(from, to int) []int {
	var out []int
	for i := from; i <= to; i++ {
		out = append(out, i)
	}
	return out
}

func TestSparkline(t *testing.T) {
	var s []monitor.Sample
	for i, ms := range []int{1, 2, 4, 8, -1, 8} {
		s = append(s, monitor.Sample{Time: t0.Add(time.Duration(i) * time.Second), Took: time.Duration(ms) * time.Millisecond, OK: ms > 0})
	}
	// Eight cells over eight seconds: one sample per cell for the first six, then nothing.
	got := monitor.Sparkline(s, t0, t0.Add(8*time.Second), 8)
	if want := "▁▂▄█x█  "; got != want {
		t.Fatalf("Sparkline = %q, want %q", got, want)
	}
	if got := monitor.Sparkline(s, t0, t0.Add(6*time.Second), 3); got != "▂██" {
		t.Fatalf("two samples per cell keep the slowest: %q", got)
	}
	if got := monitor.Sparkline(nil, t0, t0, 4); got != "    " {
		t.Fatalf("no samples: %q", got)
	}
	// Samples further apart than cells: the cells between repeat the one before.
	sparse := []monitor.Sample{{Time: t0, Took: 1, OK: true}, {Time: t0.Add(4 * time.Second), Took: 8, OK: true}}
	if got := monitor.Sparkline(sparse, t0, t0.Add(8*time.Second), 8); got != "▁▁▁▁█   " {
		t.Fatalf("sparse samples: %q", got)
	}
}

func FuzzSparkline(f *testing.F) {
	f.Add(int64(5), int64(3), 10, uint8(4))
	f.Fuzz(func(t *testing.T, a, b int64, width int, n uint8) {
		width = width % 200
		var s []monitor.Sample
		for i := 0; i < int(n); i++ {
			s = append(s, monitor.Sample{Time: t0.Add(time.Duration(a*int64(i)) % time.Hour), Took: time.Duration(b * int64(i)), OK: i%3 != 0})
		}
		got := monitor.Sparkline(s, t0, t0.Add(time.Duration(a)), width)
		if width > 0 && utf8.RuneCountInString(got) != width || width <= 0 && got != "" {
			t.Fatalf("width %d gave %q", width, got)
		}
	})
}

func TestHistogramQuantile(t *testing.T) {
	// 100 observations: 90 up to 1 ms, 9 in (1, 2] ms, 1 in (2, 4] ms.
	h := monitor.Histogram{Count: 100, Bounds: []float64{0.001, 0.002, 0.004, math.Inf(1)}, Buckets: []uint64{90, 99, 100, 100}}
	for _, tc := range []struct{ q, want float64 }{{0.5, 0.001 * 50 / 90}, {0.9, 0.001}, {0.99, 0.002}, {1, 0.004}} {
		got, ok := h.Quantile(tc.q)
		if !ok || math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("q%v = %v, want %v", tc.q, got, tc.want)
		}
	}
	if _, ok := (monitor.Histogram{}).Quantile(0.99); ok {
		t.Error("an empty histogram has no quantile")
	}
	later := monitor.Histogram{Count: 110, Bounds: h.Bounds, Buckets: []uint64{90, 99, 100, 110}}
	d := later.Since(h)
	if got, _ := d.Quantile(0.5); d.Count != 10 || got != 0.004 {
		t.Errorf("the last interval's ten observations are all above 4 ms: count %d, p50 %v", d.Count, got)
	}
	if got := h.Since(later); got.Count != 100 {
		t.Errorf("a restarted member (counts went down) keeps the current histogram, got %+v", got)
	}
}

const samplePage = `# HELP etcd_disk_wal_fsync_duration_seconds The latency distributions of fsync called by WAL.
# TYPE etcd_disk_wal_fsync_duration_seconds histogram
etcd_disk_wal_fsync_duration_seconds_bucket{le="0.001"} 10
etcd_disk_wal_fsync_duration_seconds_bucket{le="0.008"} 10
etcd_disk_wal_fsync_duration_seconds_bucket{le="0.064"} 100
etcd_disk_wal_fsync_duration_seconds_bucket{le="+Inf"} 100
etcd_disk_wal_fsync_duration_seconds_sum 3
etcd_disk_wal_fsync_duration_seconds_count 100
# HELP etcd_network_peer_round_trip_time_seconds Round-Trip-Time histogram between peers
# TYPE etcd_network_peer_round_trip_time_seconds histogram
etcd_network_peer_round_trip_time_seconds_bucket{To="8e9e05c52164694d",le="0.0001"} 0
etcd_network_peer_round_trip_time_seconds_bucket{To="8e9e05c52164694d",le="0.0002"} 4
etcd_network_peer_round_trip_time_seconds_bucket{To="8e9e05c52164694d",le="+Inf"} 4
etcd_network_peer_round_trip_time_seconds_sum{To="8e9e05c52164694d"} 0.0006
etcd_network_peer_round_trip_time_seconds_count{To="8e9e05c52164694d"} 4
# HELP etcd_server_leader_changes_seen_total The number of leader changes seen.
# TYPE etcd_server_leader_changes_seen_total counter
etcd_server_leader_changes_seen_total 3
# HELP etcd_server_proposals_pending The current number of pending proposals to commit.
# TYPE etcd_server_proposals_pending gauge
etcd_server_proposals_pending 2
# HELP go_goroutines Number of goroutines that currently exist.
# TYPE go_goroutines gauge
go_goroutines 180
`

func TestParseMetrics(t *testing.T) {
	m, err := monitor.ParseMetrics(strings.NewReader(samplePage))
	if err != nil {
		t.Fatal(err)
	}
	p99, _ := m.WALFsync.Quantile(0.99)
	if m.WALFsync.Count != 100 || math.Abs(p99-(0.008+0.056*89/90)) > 1e-9 {
		t.Errorf("WAL fsync: count %d p99 %v", m.WALFsync.Count, p99)
	}
	if rtt := m.PeerRTT["8e9e05c52164694d"]; rtt.Count != 4 || len(m.PeerRTT) != 1 {
		t.Errorf("peer RTT: %+v", m.PeerRTT)
	}
	if m.LeaderChanges != 3 || m.ProposalsPending != 2 {
		t.Errorf("counters: leader changes %v pending %v", m.LeaderChanges, m.ProposalsPending)
	}
	if _, err := monitor.ParseMetrics(strings.NewReader("etcd_server_proposals_pending{ 1\n")); err == nil {
		t.Error("a malformed page is an error")
	}
}

func FuzzParseMetrics(f *testing.F) {
	f.Add(samplePage)
	f.Fuzz(func(t *testing.T, page string) {
		m, err := monitor.ParseMetrics(strings.NewReader(page))
		if err == nil {
			m.WALFsync.Quantile(0.99)
			for _, h := range m.PeerRTT {
				h.Quantile(0.5)
			}
		}
	})
}
