package cluster

import (
	"fmt"
	"time"
)

// This file is the one way etcdeck prints sizes, rates and latencies: the headless commands, the
// diagnose report and the views all call it, so a size reads the same everywhere.

// FormatDuration prints a latency the way operators read them: "850µs", "4.2 ms", "1.3 s".
func FormatDuration(d time.Duration) string {
	switch {
	case d <= 0:
		return "0"
	case d < time.Millisecond:
		return fmt.Sprintf("%dµs", d/time.Microsecond)
	case d < 10*time.Millisecond:
		return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
	case d < time.Second:
		return fmt.Sprintf("%d ms", d/time.Millisecond)
	case d < time.Minute:
		return fmt.Sprintf("%.1f s", d.Seconds())
	}
	return d.Round(time.Second).String()
}

// byteUnits are the binary units after bytes; TiB is the last, so a size past it reads
// "2048.0 TiB".
var byteUnits = []string{"KiB", "MiB", "GiB", "TiB"}

// FormatBytes prints a size in binary units with one decimal: "12 B", "1.9 KiB", "3.0 MiB",
// "1.0 GiB", "2.5 TiB".
func FormatBytes(n int64) string {
	if n < 1024 {
		return fmt.Sprintf("%d B", n)
	}
	// The next unit starts where one decimal would round to 1024.0 ("1.0 MiB", not
	// "1024.0 KiB").
	v := float64(n) / 1024
	i := 0
	for v >= 1023.95 && i < len(byteUnits)-1 {
		v /= 1024
		i++
	}
	return fmt.Sprintf("%.1f %s", v, byteUnits[i])
}

// FormatRate prints n bytes over d as a rate, in FormatBytes's units: "45.1 MiB/s"; "" when d
// is not positive (nothing can be said yet).
func FormatRate(n int64, d time.Duration) string {
	if d <= 0 {
		return ""
	}
	return FormatBytes(int64(float64(n)/d.Seconds())) + "/s"
}
