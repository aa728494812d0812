package config_test

import (
	"testing"

	"github.com/etcdeck/etcdeck/config"
)

func TestParseByteSize(t *testing.T) {
	for in, want := range map[string]int64{"256MiB": 256 << 20, "1GiB": 1 << 30, "1.5G": 3 << 29, "500KB": 500_000,
		"1048576": 1 << 20, "64 MiB": 64 << 20, "10mb": 10_000_000, "2K": 2048} {
		if got, err := config.ParseByteSize(in); err != nil || got != want {
			t.Errorf("ParseByteSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "MiB", "-1MiB", "0", "12 parsecs", "1e3", "0.1B"} {
		if got, err := config.ParseByteSize(in); err == nil {
			t.Errorf("ParseByteSize(%q) = %d, want an error", in, got)
		}
	}
}
