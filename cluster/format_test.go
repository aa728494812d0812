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
