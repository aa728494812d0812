package main

import (
	"runtime/debug"
	"testing"

	"github.com/etcdeck/etcdeck/config"
)

// TestSetMemoryLimit: without GOMEMLIMIT the console's limit is the one its budgets allow (the
// runtime default, no limit, let a 64 MiB watch buffer reach 209 MiB RSS); with GOMEMLIMIT
// set, the limit the runtime read from it stays.
func TestSetMemoryLimit(t *testing.T) {
	old := debug.SetMemoryLimit(-1)
	defer debug.SetMemoryLimit(old)
	s := config.Defaults()
	s.WatchBufferBytes = 64 << 20
	none := func(string) string { return "" }
	if got, want := setMemoryLimit(s, none), s.MemoryLimit(); got != want || debug.SetMemoryLimit(-1) != want {
		t.Errorf("without GOMEMLIMIT: returned %d, runtime holds %d, want %d", got, debug.SetMemoryLimit(-1), want)
	}

	debug.SetMemoryLimit(100 << 20) // what the runtime read from GOMEMLIMIT=100MiB
	env := func(k string) string {
		if k == "GOMEMLIMIT" {
			return "100MiB"
		}
		return ""
	}
	if got := setMemoryLimit(s, env); got != 100<<20 || debug.SetMemoryLimit(-1) != 100<<20 {
		t.Errorf("with GOMEMLIMIT=100MiB: returned %d, runtime holds %d, want both %d", got, debug.SetMemoryLimit(-1), 100<<20)
	}
}
