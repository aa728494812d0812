package config

import (
	"io"
	"os"
	"testing"
)

// TestLogWriteErrorsStayOffTheScreen: a log file that cannot be written (/dev/full stands for a
// full disk) must not print zap's "write error" on stderr, which is the console's screen.
func TestLogWriteErrorsStayOffTheScreen(t *testing.T) {
	if _, err := os.Stat("/dev/full"); err != nil {
		t.Skip("no /dev/full here")
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr := os.Stderr
	os.Stderr = w
	defer func() { os.Stderr = stderr }()
	log, f, err := OpenLog("/dev/full")
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		log.Info("a line the disk has no room for")
	}
	log.Sync()
	f.Close()
	os.Stderr = stderr
	w.Close()
	out, _ := io.ReadAll(r)
	if len(out) != 0 {
		t.Fatalf("logging to a full disk printed on stderr (the console's screen): %q", out)
	}
}
