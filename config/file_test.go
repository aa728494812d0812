package config_test

import (
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/etcdeck/etcdeck/config"
)

// TestConfigValuesValidated: every value the file sets is checked when it is read, and the error
// names the file and the key; a value left out gets its default in Resolve.
func TestConfigValuesValidated(t *testing.T) {
	tests := []struct{ name, body, want string }{
		{"zero poll", "health-poll-interval: 0s\n", "health-poll-interval must be positive, not 0s"},
		{"negative poll", "health-poll-interval: -1s\n", "health-poll-interval must be positive, not -1s"},
		{"empty separator", "key-separator: \"\"\n", `key-separator: "" must be one byte`},
		{"zero watch count", "watch-buffer-size: 0\n", "watch-buffer-size must be at least 1, not 0"},
		{"budget below one event", "watch-buffer-bytes: 1MiB\n", "watch-buffer-bytes must be at least 3MiB"},
		{"binding without keys", "keys:\n  global.quit: []\n", "keys: global.quit has no keys"},
		{"binding of blank keys", "keys:\n  global.quit: [\"\"]\n", "keys: global.quit has no keys"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeConfig(t, tt.body)
			_, err := resolve(t, []string{"--config", path}, nil)
			if err == nil || !strings.HasPrefix(err.Error(), path+": ") || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %s: ...%s", err, path, tt.want)
			}
		})
	}

	o, err := resolve(t, []string{"--config", writeConfig(t, "read-only: false\n")}, nil)
	d := config.Defaults()
	if err != nil || o.HealthPollInterval != d.HealthPollInterval || o.Sep != d.Sep ||
		o.WatchBufferSize != d.WatchBufferSize || o.WatchBufferBytes != d.WatchBufferBytes {
		t.Fatalf("values left out: %+v (%v), want the defaults", o, err)
	}
	o, err = resolve(t, []string{"--config", writeConfig(t, "watch-buffer-bytes: 3MiB\nwatch-buffer-size: 1\nhealth-poll-interval: 1ms\n")}, nil)
	if err != nil || o.WatchBufferBytes != config.MinWatchBufferBytes || o.WatchBufferSize != 1 || o.HealthPollInterval != time.Millisecond {
		t.Fatalf("smallest values: %+v (%v)", o, err)
	}
}

// TestConfigNotRegularFile: --config naming a FIFO or a device is refused at once. The FIFO has
// no writer, so reading it would block start-up forever: the load runs in a goroutine so that
// the test fails instead of hanging.
func TestConfigNotRegularFile(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "config.fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	for _, tc := range []struct{ path, want string }{
		{fifo, "not a regular file (a named pipe)"},
		{"/dev/null", "not a regular file (a character device)"},
		{t.TempDir(), "not a regular file (a directory)"},
	} {
		done := make(chan error, 1)
		go func() {
			_, err := config.LoadFile(tc.path, false)
			done <- err
		}()
		select {
		case err := <-done:
			if err == nil || !strings.Contains(err.Error(), tc.path+": "+tc.want) {
				t.Errorf("--config %s: err = %v, want %q", tc.path, err, tc.want)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("--config %s: still reading after 10 s (blocked on a non-regular file)", tc.path)
		}
	}
}
