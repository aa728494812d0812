package embednode

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// Work dirs that only live while one etcdeck process works in them — an opened snapshot's
// temporary member under $TMPDIR, a restore's half-made data dir beside the data dir — carry
// their owner's pid in their name (<prefix><pid>-<random>). A kill -9 leaves them behind; the
// next start removes those whose owner is gone (RemoveLeftovers) and says what it removed.

// openDirPrefix names an opened snapshot's temporary dir under $TMPDIR.
const openDirPrefix = "etcdeck-open-"

// restoringPrefix names a restore's temporary dir beside the data dir target.
func restoringPrefix(target string) string { return "." + filepath.Base(target) + ".restoring-" }

// ownedTempDir makes a new dir in parent named prefix, this process's pid and a random part.
func ownedTempDir(parent, prefix string) (string, error) {
	return os.MkdirTemp(parent, prefix+strconv.Itoa(os.Getpid())+"-")
}

// Leftover is a work dir removed because the process that made it is gone.
type Leftover struct {
	Path string
	PID  int // the owner named in its name
}

// RemoveLeftovers removes what interrupted opens (under tmpRoot, $TMPDIR when "") and restores
// into dataDir (beside it) left behind, when their owner process is no longer running, and
// returns what it removed. A dir whose owner still runs (another console opening a snapshot)
// is left alone; so is anything whose name does not carry a pid.
func RemoveLeftovers(dataDir, tmpRoot string) ([]Leftover, error) {
	if tmpRoot == "" {
		tmpRoot = os.TempDir()
	}
	var removed []Leftover
	var errs []error
	for _, place := range [][2]string{{tmpRoot, openDirPrefix}, {filepath.Dir(dataDir), restoringPrefix(dataDir)}} {
		if dataDir == "" && place[1] != openDirPrefix {
			continue
		}
		got, err := removeOrphans(place[0], place[1])
		removed = append(removed, got...)
		if err != nil {
			errs = append(errs, err)
		}
	}
	return removed, errors.Join(errs...)
}

// removeOrphans removes parent's dirs named prefix<pid>… whose pid no longer runs.
func removeOrphans(parent, prefix string) ([]Leftover, error) {
	entries, err := os.ReadDir(parent)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, nil
		}
		return nil, err
	}
	var removed []Leftover
	var errs []error
	for _, e := range entries {
		rest, ok := strings.CutPrefix(e.Name(), prefix)
		if !ok || !e.IsDir() {
			continue
		}
		pidText, _, _ := strings.Cut(rest, "-")
		pid, err := strconv.Atoi(pidText)
		if err != nil || pid <= 0 || pid == os.Getpid() || running(pid) {
			continue
		}
		path := filepath.Join(parent, e.Name())
		if err := os.RemoveAll(path); err != nil {
			errs = append(errs, err)
			continue
		}
		removed = append(removed, Leftover{Path: path, PID: pid})
	}
	return removed, errors.Join(errs...)
}

// running is true when a process with pid exists (a pid reused by another program counts: its
// dir is kept, the safe side).
func running(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
