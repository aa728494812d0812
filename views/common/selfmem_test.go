package common

import (
	"runtime/debug"
	"testing"
)

// TestReadSelfMemory: the sample names this process's resident memory (with a peak at least as
// high), a heap, and exactly the limit the runtime holds.
func TestReadSelfMemory(t *testing.T) {
	old := debug.SetMemoryLimit(300 << 20)
	defer debug.SetMemoryLimit(old)
	m, err := ReadSelfMemory()
	if err != nil {
		t.Skipf("no /proc here: %v", err)
	}
	if m.RSS <= 0 || m.PeakRSS < m.RSS || m.Heap <= 0 {
		t.Errorf("sample %+v: want RSS > 0, peak ≥ RSS, heap > 0", m)
	}
	if m.Limit != 300<<20 {
		t.Errorf("limit %d, want %d (the runtime's)", m.Limit, 300<<20)
	}
}

// TestStatusKiB reads /proc/<pid>/status lines, and gives 0 rather than nonsense for the
// missing or malformed.
func TestStatusKiB(t *testing.T) {
	status := []byte("Name:\tetcdeck\nVmHWM:\t  63000 kB\nVmRSS:\t   41234 kB\nVmBad:\tlots kB\nVmNone:\n")
	for _, c := range []struct {
		name string
		want int64
	}{{"VmRSS:", 41234 << 10}, {"VmHWM:", 63000 << 10}, {"VmBad:", 0}, {"VmNone:", 0}, {"VmSwap:", 0}} {
		if got := statusKiB(status, c.name); got != c.want {
			t.Errorf("%s: %d, want %d", c.name, got, c.want)
		}
	}
}
