package embednode

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
)

// deadPID is the pid of a process that has ended.
func deadPID(t *testing.T) int {
	t.Helper()
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	return cmd.Process.Pid
}

// TestRemoveLeftovers: the dirs an open and a restore leave when their process is killed -9 are
// removed at the next start, and named; those of a process still running (another console) and
// this process's own are kept.
func TestRemoveLeftovers(t *testing.T) {
	tmp, parent := t.TempDir(), t.TempDir()
	dataDir := filepath.Join(parent, "member.etcd")
	live := exec.Command("sleep", "60")
	if err := live.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { live.Process.Kill(); live.Wait() })
	dead := deadPID(t)
	mk := func(dir, prefix string, pid int) string {
		p := filepath.Join(dir, prefix+strconv.Itoa(pid)+"-123")
		if err := os.MkdirAll(filepath.Join(p, "data", "member"), 0o700); err != nil {
			t.Fatal(err)
		}
		return p
	}
	goneOpen := mk(tmp, openDirPrefix, dead)
	goneRestore := mk(parent, restoringPrefix(dataDir), dead)
	keep := []string{mk(tmp, openDirPrefix, live.Process.Pid), mk(parent, restoringPrefix(dataDir), os.Getpid()),
		mk(tmp, "other-", dead)}

	removed, err := RemoveLeftovers(dataDir, tmp)
	if err != nil {
		t.Fatal(err)
	}
	if len(removed) != 2 || removed[0].Path != goneOpen || removed[1].Path != goneRestore || removed[0].PID != dead {
		t.Fatalf("removed %+v, want %s and %s", removed, goneOpen, goneRestore)
	}
	for _, p := range []string{goneOpen, goneRestore} {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("%s still there: %v", p, err)
		}
	}
	for _, p := range keep {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("%s was removed: %v", p, err)
		}
	}
}

// TestOwnedTempDirNamesItsOwner: the work dirs carry this process's pid, which is what lets the
// next start tell an orphan from a dir in use.
func TestOwnedTempDirNamesItsOwner(t *testing.T) {
	d, err := ownedTempDir(t.TempDir(), openDirPrefix)
	if err != nil {
		t.Fatal(err)
	}
	if want := openDirPrefix + strconv.Itoa(os.Getpid()) + "-"; filepath.Base(d)[:len(want)] != want {
		t.Fatalf("%s does not start with %s", filepath.Base(d), want)
	}
}
