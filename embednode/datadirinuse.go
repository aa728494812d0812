package embednode

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// ErrDataDirInUse: another process runs a member on the data dir (bbolt holds an exclusive
// flock on its db file). etcd itself would wait for the lock until the start timed out.
var ErrDataDirInUse = errors.New("the data dir is in use")

// checkDataDirFree tries, without waiting, the lock etcd's bbolt takes on the data dir's db
// file, and lets it go at once; held by another process, it says which one (from /proc/locks,
// when readable) and what to do instead.
func checkDataDirFree(dataDir string) error {
	db := filepath.Join(dataDir, "member", "snap", "db")
	f, err := os.OpenFile(db, os.O_RDONLY, 0)
	if err != nil {
		return nil // a new data dir (or unreadable: etcd's own error says so)
	}
	defer f.Close()
	err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
	if err == nil {
		syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		return nil
	}
	if !errors.Is(err, syscall.EWOULDBLOCK) {
		return nil
	}
	by := "another process"
	if pid := lockHolder(f); pid > 0 {
		by = "process " + strconv.Itoa(pid)
		if cmd, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid)); err == nil && len(cmd) > 0 {
			by += " (" + printable(strings.TrimRight(strings.ReplaceAll(string(cmd), "\x00", " "), " ")) + ")"
		}
	}
	return fmt.Errorf("%w: %s runs a member on %s; start with another --data-dir, or connect to the running member with --endpoints", ErrDataDirInUse, by, dataDir)
}

// lockHolder finds the pid holding a flock on f in /proc/locks ("1: FLOCK ADVISORY WRITE pid
// maj:min:inode 0 EOF"), or 0.
func lockHolder(f *os.File) int {
	var st syscall.Stat_t
	if err := syscall.Fstat(int(f.Fd()), &st); err != nil {
		return 0
	}
	data, err := os.ReadFile("/proc/locks")
	if err != nil {
		return 0
	}
	suffix := ":" + strconv.FormatUint(st.Ino, 10)
	for _, line := range strings.Split(string(data), "\n") {
		fields := strings.Fields(line)
		if len(fields) < 6 || fields[1] != "FLOCK" || !strings.HasSuffix(fields[5], suffix) {
			continue
		}
		if pid, err := strconv.Atoi(fields[4]); err == nil && pid != os.Getpid() {
			return pid
		}
	}
	return 0
}
