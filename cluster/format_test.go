package cluster_test

import (
	"testing"
	"time"

	"github.com/etcdeck/etcdeck/cluster"
)

func TestFormat(t *testing.T) {
	for d, want := range map[time.Duration]string{0: "0", 850 * time.Microsecond: "850µs", 4200 * time.Microsecond: "4.2 ms",
		48 * time.Millisecond: "48 ms", 1300 * time.Millisecond: "1.3 s", 90 * time.Second: "1m30s"} {
		if got := cluster.FormatDuration(d); got != want {
			t.Errorf("FormatDuration(%v) = %q, want %q", d, got, want)
		}
	}
	for n, want := range map[int64]string{512: "512 B", 2048: "2.0 KiB", 3 << 20: "3.0 MiB", 2 << 30: "2.0 GiB"} {
		if got := cluster.FormatBytes(n); got != want {
			t.Errorf("FormatBytes(%d) = %q, want %q", n, got, want)
		}
	}
}

// TestFormatBytesBoundaries: a size one byte short of a unit reads as that unit, never as 1024.0
// of the one below (the Cluster view printed 1 GiB − 1 as "1024.0 MiB").
func TestFormatBytesBoundaries(t *testing.T) {
	for _, tt := range []struct {
		n    int64
		want string
	}{
		{0, "0 B"},
		{1023, "1023 B"},
		{1024, "1.0 KiB"},
		{1024*1024 - 1, "1.0 MiB"},
		{1024*1024 - 52*1024, "972.0 KiB"},
		{1536*1024 - 512, "1.5 MiB"},
		{1<<30 - 1, "1.0 GiB"},
		{1102480752, "1.0 GiB"},
		{5 << 30, "5.0 GiB"},
		{1<<40 - 1, "1.0 TiB"},
		{3 << 39, "1.5 TiB"},
		{4096 << 40, "4096.0 TiB"},
	} {
		if got := cluster.FormatBytes(tt.n); got != tt.want {
			t.Errorf("FormatBytes(%d) = %q, want %q", tt.n, got, tt.want)
		}
	}
}

func TestFormatRate(t *testing.T) {
	for _, tt := range []struct {
		n    int64
		d    time.Duration
		want string
	}{
		{100 << 20, 2 * time.Second, "50.0 MiB/s"},
		{512, time.Second, "512 B/s"},
		{1 << 30, 0, ""},
		{1 << 30, -time.Second, ""},
	} {
		if got := cluster.FormatRate(tt.n, tt.d); got != tt.want {
			t.Errorf("FormatRate(%d, %s) = %q, want %q", tt.n, tt.d, got, tt.want)
		}
	}
}
