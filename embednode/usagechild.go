package embednode

import (
	"bytes"
	"context"
	"encoding/gob"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
)

// UsageChildArgs are the arguments that make etcdeck read a file's usage in its own process and
// write it to stdout for UsageInChild: the protocol between the two. The prefix travels in hex
// (a key may hold any byte; an argument cannot hold NUL) and the result as gob (JSON would
// replace bytes that are not UTF-8 in the prefixes).
func UsageChildArgs(path string, o UsageOptions) []string {
	sep, depth := o.Sep, o.Depth
	if sep == 0 {
		sep = '/'
	}
	if depth <= 0 {
		depth = DefaultUsageDepth
	}
	return []string{"usage", "--in-process", "--prefix-hex", hex.EncodeToString([]byte(o.Prefix)),
		"--depth", strconv.Itoa(depth), "--sep-byte", strconv.Itoa(int(sep)),
		"--max-rows", strconv.Itoa(o.MaxRows), "--", path}
}

// ParseUsagePrefixHex reads the child's --prefix-hex.
func ParseUsagePrefixHex(s string) (string, error) {
	b, err := hex.DecodeString(s)
	if err != nil {
		return "", fmt.Errorf("--prefix-hex %q: %w", s, err)
	}
	return string(b), nil
}

// WriteUsageForParent writes a child's result for UsageInChild.
func WriteUsageForParent(w io.Writer, u Usage) error { return gob.NewEncoder(w).Encode(u) }

// UsageChildErrPrefix starts the line a child prints on stderr when it could not read the file
// for a reason other than a crash (the file vanished, is not a snapshot): its words are passed on.
const UsageChildErrPrefix = "etcdeck usage: "

// ErrUsageCrashed is returned when the child reading a file died: the file is corrupt.
var ErrUsageCrashed = errors.New("reading the database crashed: the file is corrupt")

// UsageInChild reads what fills the snapshot (or db) file at path by running exe (etcdeck itself)
// with UsageChildArgs, so a bbolt panic on a corrupt file ends the child, not the console.
func UsageInChild(ctx context.Context, exe, path string, o UsageOptions) (Usage, error) {
	// Here, not in the child: a FIFO or an empty file must not reach the child's open and read.
	if err := CheckSnapshotFile(path); err != nil {
		return Usage{Path: path}, err
	}
	cmd := exec.CommandContext(ctx, exe, UsageChildArgs(path, o)...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	var stdout bytes.Buffer
	stderr := &headBuffer{max: 4 << 10}
	cmd.Stdout, cmd.Stderr = &stdout, stderr
	runErr := cmd.Run()
	if ctx.Err() != nil {
		return Usage{Path: path}, fmt.Errorf("usage of %s: %w", path, ctx.Err())
	}
	if runErr == nil {
		var u Usage
		if err := gob.NewDecoder(&stdout).Decode(&u); err != nil {
			return Usage{Path: path}, fmt.Errorf("%s usage: printed no result (%v): is it this etcdeck?", exe, err)
		}
		return u, nil
	}
	var exitErr *exec.ExitError
	if !errors.As(runErr, &exitErr) {
		return Usage{Path: path}, fmt.Errorf("run %s: %w", exe, runErr)
	}
	line, _, _ := strings.Cut(stderr.String(), "\n")
	if msg, ok := strings.CutPrefix(line, UsageChildErrPrefix); ok && exitErr.ExitCode() == 1 {
		return Usage{Path: path}, errors.New(printable(msg))
	}
	if panicked := panicLine(stderr.String()); panicked != "" || !exitErr.Exited() {
		return Usage{Path: path}, fmt.Errorf("%s: %w (%s%s)", path, ErrUsageCrashed, runErr, panicked)
	}
	return Usage{Path: path}, fmt.Errorf("%s usage: %s %s", exe, runErr, printable(line))
}
