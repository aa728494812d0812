package config

import "testing"

// TestMemoryLimit: the limit follows the watch buffer's byte budget, plus the fixed allowances.
func TestMemoryLimit(t *testing.T) {
	s := Defaults()
	if got, want := s.MemoryLimit(), DefaultWatchBufferBytes+CacheAllowance+RuntimeAllowance; got != want {
		t.Errorf("default limit %d, want %d", got, want)
	}
	s.WatchBufferBytes = 64 << 20
	if got, want := s.MemoryLimit(), int64(64<<20)+CacheAllowance+RuntimeAllowance; got != want {
		t.Errorf("64 MiB budget: limit %d, want %d", got, want)
	}
}
