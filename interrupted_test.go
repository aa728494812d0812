package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// interruptedDirs lays out what an interrupted restore leaves: a backup, no data dir.
func interruptedDirs(t *testing.T) (data, backup string) {
	t.Helper()
	data = filepath.Join(t.TempDir(), "default.etcd")
	backup = data + ".bak-20261125T010203Z"
	if err := os.MkdirAll(filepath.Join(backup, "member"), 0o700); err != nil {
		t.Fatal(err)
	}
	return data, backup
}

func TestCheckInterruptedRestore(t *testing.T) {
	data, backup := interruptedDirs(t)
	var out strings.Builder
	if err := checkInterruptedRestore(data, strings.NewReader("n\n"), &out, true); err == nil || !strings.Contains(err.Error(), "the old data stays in "+backup) {
		t.Fatalf("answer n: %v", err)
	}
	if !strings.Contains(out.String(), "an interrupted restore left no data dir at "+data) {
		t.Fatalf("not said: %q", out.String())
	}
	if err := checkInterruptedRestore(data, strings.NewReader(""), &out, false); err == nil || !strings.Contains(err.Error(), "move "+backup+" back to "+data) {
		t.Fatalf("no terminal: %v", err)
	}
	out.Reset()
	if err := checkInterruptedRestore(data, strings.NewReader("y\n"), &out, true); err != nil {
		t.Fatalf("answer y: %v", err)
	}
	if _, err := os.Stat(filepath.Join(data, "member")); err != nil || !strings.Contains(out.String(), "the old data is back in "+data) {
		t.Fatalf("not put back: %v %q", err, out.String())
	}
	if err := checkInterruptedRestore(data, strings.NewReader(""), &out, false); err != nil {
		t.Fatalf("a healthy data dir: %v", err)
	}
}

// TestConsoleRefusesEmptyMemberAfterInterruptedRestore: without a terminal to ask on, the console
// does not start a member that would begin empty.
func TestConsoleRefusesEmptyMemberAfterInterruptedRestore(t *testing.T) {
	data, backup := interruptedDirs(t)
	code, _, stderr := etcdeck(t, "--data-dir", data)
	if code != 1 || !strings.Contains(stderr, "an interrupted restore left no data dir at "+data) || !strings.Contains(stderr, "move "+backup+" back") {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	if _, err := os.Stat(data); !os.IsNotExist(err) {
		t.Fatalf("a data dir appeared: %v", err)
	}
}
