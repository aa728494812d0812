package embednode

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
)

// RestoreResultPrefix starts the line a restore child (`etcdeck snapshot restore --child`) prints
// on stdout; the rest of the line is its JSON outcome.
const RestoreResultPrefix = "ETCDECK-RESTORE-RESULT "

// restoreOutcome is the child's report: a result, or an error with the check that refused.
type restoreOutcome struct {
	Result *RestoreResult `json:"result,omitempty"`
	Error  string         `json:"error,omitempty"`
	Check  string         `json:"check,omitempty"`
}

// checks names the sentinel errors for the trip across the process boundary.
var checks = map[string]error{
	"hash-mismatch": ErrHashMismatch,
	"no-hash":       ErrNoHash,
	"truncated":     ErrTruncated,
	"not-empty":     ErrNotEmpty,
	"not-regular":   ErrNotRegular,
	"empty":         ErrEmptyFile,
	"no-bolt":       ErrNoBoltHeader,
}

// WriteRestoreOutcome prints a restore child's outcome for its parent (RestoreInChild).
func WriteRestoreOutcome(w io.Writer, res RestoreResult, err error) {
	out := restoreOutcome{}
	if err != nil {
		out.Error = err.Error()
		for name, sentinel := range checks {
			if errors.Is(err, sentinel) {
				out.Check = name
			}
		}
	} else {
		out.Result = &res
	}
	line, _ := json.Marshal(out)
	fmt.Fprintf(w, "%s%s\n", RestoreResultPrefix, line)
}

// childError is an error reported by the child; Is lets errors.Is find the check that refused.
type childError struct {
	msg   string
	check error
}

func (e *childError) Error() string { return e.msg }

func (e *childError) Unwrap() error { return e.check }

// RestoreInChild restores o.Snapshot into o.DataDir by running exe (etcdeck itself) as
// `exe snapshot restore --child`, so that a bbolt panic on a corrupt file (which no recover
// catches) ends only the child. The child restores into a temporary directory beside the target;
// this side renames it into place on success and removes it on any failure, crash included.
func RestoreInChild(ctx context.Context, exe string, o RestoreOptions) (RestoreResult, error) {
	o = o.WithDefaults()
	if err := o.Validate(); err != nil {
		return RestoreResult{}, err
	}
	target, err := filepath.Abs(o.DataDir)
	if err != nil {
		return RestoreResult{}, err
	}
	if err := checkTarget(target); err != nil {
		return RestoreResult{}, err
	}
	// First, with or without the hash check: a directory, a FIFO, an empty file or random bytes
	// are no snapshot, and the sha256 check's verdicts would give wrong advice.
	if err := CheckSnapshotFile(o.Snapshot); err != nil {
		return RestoreResult{}, fmt.Errorf("snapshot: %w", err)
	}
	if o.Snapshot, err = filepath.Abs(o.Snapshot); err != nil {
		return RestoreResult{}, err
	}
	// etcdutl creates the data dir's parents too.
	if err := os.MkdirAll(filepath.Dir(target), 0o700); err != nil {
		return RestoreResult{}, fmt.Errorf("the data dir's parent: %w", err)
	}
	tmp, err := ownedTempDir(filepath.Dir(target), restoringPrefix(target))
	if err != nil {
		return RestoreResult{}, fmt.Errorf("temporary dir beside the data dir: %w", err)
	}
	defer os.RemoveAll(tmp) // whatever the child left, finished or not
	co := o
	co.DataDir = filepath.Join(tmp, "data")
	// The hash is checked here while the child restores (reading the file from the page cache
	// twice costs less than reading it twice in turn); the child skips it. Its verdict wins over
	// the child's: a corrupt file may crash the child before the check ends.
	hashc := make(chan error, 1)
	if !o.SkipHashCheck {
		co.SkipHashCheck = true
		go func() { hashc <- CheckSnapshotHash(o.Snapshot) }()
	} else {
		hashc <- nil
	}
	childCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	type childDone struct {
		res RestoreResult
		err error
	}
	donec := make(chan childDone, 1)
	go func() {
		res, err := runRestoreChild(childCtx, exe, co)
		donec <- childDone{res, err}
	}()
	var done childDone
	select {
	case err := <-hashc:
		if err != nil {
			cancel()
			<-donec
			return RestoreResult{}, err
		}
		done = <-donec
	case done = <-donec:
		if err := <-hashc; err != nil {
			return RestoreResult{}, err
		}
	}
	res, err := done.res, done.err
	if err != nil {
		return RestoreResult{}, err
	}
	res.HashChecked = !o.SkipHashCheck
	if err := moveInto(co.DataDir, target); err != nil {
		return RestoreResult{}, err
	}
	res.DataDir = target
	return res, nil
}

// runRestoreChild runs the child and turns its outcome, or its death, into a result or an error.
func runRestoreChild(ctx context.Context, exe string, o RestoreOptions) (RestoreResult, error) {
	args := append([]string{"snapshot", "restore", "--child"}, o.Args()...)
	cmd := exec.CommandContext(ctx, exe, args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL, Setpgid: true}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return RestoreResult{}, err
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return RestoreResult{}, err
	}
	// Pdeathsig follows the forking thread: keep it for the child's whole life.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if err := cmd.Start(); err != nil {
		return RestoreResult{}, fmt.Errorf("start the restore process: %w", err)
	}
	tail := newLineRing(50)
	crash := make(chan string, 1)
	errDone := make(chan struct{})
	go func() {
		defer close(errDone)
		first := ""
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			line := printable(humanLine(sc.Text()))
			tail.add(line)
			if first == "" && isCrashLine(line) {
				first = line
			}
		}
		crash <- first
	}()
	var out *restoreOutcome
	sc := bufio.NewScanner(stdout)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		if line, ok := strings.CutPrefix(sc.Text(), RestoreResultPrefix); ok {
			var oc restoreOutcome
			if json.Unmarshal([]byte(line), &oc) == nil {
				out = &oc
			}
		}
	}
	<-errDone
	waitErr := cmd.Wait()
	panicLine := <-crash
	switch {
	case ctx.Err() != nil:
		return RestoreResult{}, fmt.Errorf("restore cancelled: %w", ctx.Err())
	case out != nil && out.Error != "":
		return RestoreResult{}, &childError{msg: out.Error, check: checks[out.Check]}
	case out != nil && out.Result != nil && waitErr == nil:
		return *out.Result, nil
	}
	cause := panicLine
	if cause == "" {
		cause = strings.Join(tail.last(3), "; ")
	}
	if waitErr != nil {
		cause = strings.TrimSuffix(waitErr.Error()+": "+cause, ": ")
	}
	return RestoreResult{}, fmt.Errorf("%w (%s); nothing was left behind", ErrRestoreCrashed, cause)
}

// isCrashLine spots the Go runtime's first words when a process dies of a panic or a fault.
func isCrashLine(line string) bool {
	for _, p := range []string{"panic:", "fatal error:", "unexpected fault address", "SIGBUS", "SIGSEGV"} {
		if strings.HasPrefix(line, p) {
			return true
		}
	}
	return false
}
