package common

import (
	"bufio"
	"bytes"
	"fmt"
	"math"
	"os"
	"runtime/metrics"
	"strconv"
)

// SelfMemory is the console process's own memory, as the Cluster view's details show it: what
// the operating system holds for it, what the Go heap's objects take, and the soft limit the
// runtime collects against (set from the budgets at startup, or GOMEMLIMIT).
type SelfMemory struct {
	// RSS and PeakRSS are the resident set now and its high-water mark (VmRSS, VmHWM), in
	// bytes; 0 where /proc is not available.
	RSS, PeakRSS int64
	// Heap is the bytes of heap objects, live and not yet collected.
	Heap int64
	// Limit is the runtime's soft memory limit; 0 when there is none.
	Limit int64
	// FromEnv is true when GOMEMLIMIT set the limit rather than the budgets.
	FromEnv bool
}

// ReadSelfMemory samples the process's memory. It reads /proc/self/status, so it is called from
// a command, never from Update; the runtime figures cost no stop of the world (runtime/metrics,
// not ReadMemStats).
func ReadSelfMemory() (SelfMemory, error) {
	samples := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/gc/gomemlimit:bytes"}}
	metrics.Read(samples)
	var m SelfMemory
	if s := samples[0].Value; s.Kind() == metrics.KindUint64 {
		m.Heap = clampInt64(s.Uint64())
	}
	if s := samples[1].Value; s.Kind() == metrics.KindUint64 && s.Uint64() < math.MaxInt64 {
		m.Limit = clampInt64(s.Uint64())
	}
	m.FromEnv = os.Getenv("GOMEMLIMIT") != ""
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return m, fmt.Errorf("cannot read the console's resident memory: %w", err)
	}
	m.RSS, m.PeakRSS = statusKiB(status, "VmRSS:"), statusKiB(status, "VmHWM:")
	return m, nil
}

// statusKiB is the value of a "Name:   1234 kB" line of /proc/<pid>/status in bytes, 0 when
// the line is missing or not a number.
func statusKiB(status []byte, name string) int64 {
	sc := bufio.NewScanner(bytes.NewReader(status))
	for sc.Scan() {
		line := sc.Bytes()
		if !bytes.HasPrefix(line, []byte(name)) {
			continue
		}
		f := bytes.Fields(line[len(name):])
		if len(f) == 0 {
			return 0
		}
		kib, err := strconv.ParseInt(string(f[0]), 10, 64)
		if err != nil || kib < 0 || kib > math.MaxInt64>>10 {
			return 0
		}
		return kib << 10
	}
	return 0
}

func clampInt64(v uint64) int64 {
	if v > math.MaxInt64 {
		return math.MaxInt64
	}
	return int64(v)
}
