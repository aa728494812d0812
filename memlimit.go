package main

import (
	"runtime/debug"

	"github.com/etcdeck/etcdeck/config"
)

// setMemoryLimit gives the console the soft memory limit its budgets allow
// (config.Settings.MemoryLimit) and returns the limit in force. When GOMEMLIMIT is set the
// runtime has already read it and it is left alone: the operator's word wins. Only the console
// sets it; the headless commands hold no watch buffer, and the embedded member is its own
// process.
func setMemoryLimit(s *config.Settings, getenv func(string) string) int64 {
	if getenv("GOMEMLIMIT") != "" {
		return debug.SetMemoryLimit(-1) // -1 reads the limit without changing it
	}
	limit := s.MemoryLimit()
	debug.SetMemoryLimit(limit)
	return limit
}
