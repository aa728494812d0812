package common

import (
	"strings"
	"time"

	"github.com/etcdeck/etcdeck/cluster"
)

// Progress is how far a task's work has come in bytes, for the status bar.
type Progress struct {
	// Note comes first ("from the follower 10.0.0.2:2379").
	Note string
	// Bytes done so far, of Total (0 when unknown).
	Bytes, Total int64
	// Elapsed since the work began; TaskRun.Progress fills it when zero.
	Elapsed time.Duration
}

// Text is "from the follower 10.0.0.2:2379 · 12.0 MiB of 525.7 MiB · 45.1 MB/s · 3s": the
// note, the bytes (of the total), the rate and the time elapsed.
func (p Progress) Text() string {
	var parts []string
	if p.Note != "" {
		parts = append(parts, p.Note)
	}
	size := cluster.FormatBytes(p.Bytes)
	if p.Total > 0 {
		size += " of " + cluster.FormatBytes(p.Total)
	}
	parts = append(parts, size)
	if rate := cluster.FormatRate(p.Bytes, p.Elapsed); rate != "" {
		parts = append(parts, rate)
	}
	parts = append(parts, p.Elapsed.Round(time.Second).String())
	return strings.Join(parts, " · ")
}
