//go:build unix

package nodetest

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// claimPort reserves port across the test processes of one machine: the suite runs several
// packages' test binaries at once, each drawing ports from the same range, and two of them
// could find the same port free a moment apart and both hand it to a member (one then failed
// with "address already in use"). The claim is an exclusive flock on a file named for the
// port, held until the process exits, so a crashed test leaves nothing claimed.
func claimPort(port int) bool {
	// One place for every process, whatever its TMPDIR (tests set their own, and count what is
	// left in it).
	dir := "/tmp/etcdeck-test-ports"
	if err := os.MkdirAll(dir, 0o777); err != nil {
		return true // no place to claim in: the process's own set still applies
	}
	f, err := os.OpenFile(filepath.Join(dir, fmt.Sprintf("%d.lock", port)), os.O_CREATE|os.O_RDWR, 0o666)
	if err != nil {
		return true
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		return false // another test process holds it
	}
	claimed = append(claimed, f) // kept open: closing it would release the lock
	return true
}

// claimed are the open lock files of the ports this process claimed.
var claimed []*os.File
