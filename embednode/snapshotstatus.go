package embednode

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"

	"go.etcd.io/etcd/etcdutl/v3/snapshot"
	"go.uber.org/zap"
)

// Snapshot status lives here, beside the member, because it opens the snapshot's bbolt file
// through etcdutl/v3/snapshot as restore does: code that can make bbolt panic stays in the package
// that knows how to run it in a child process.

// Results of the sha256 check of a snapshot file.
const (
	SHA256OK        = "ok"        // the trailer matches the content
	SHA256Mismatch  = "mismatch"  // the content changed after etcd wrote it
	SHA256None      = "none"      // no trailer: a db file copied from a data dir, not a snapshot
	SHA256Truncated = "truncated" // neither whole pages nor pages plus a trailer
)

// SnapshotStatus is what `etcdeck snapshot status` says about a snapshot file. The hash,
// revision, totalKey, totalSize and version fields are etcdutl's, with its JSON names.
type SnapshotStatus struct {
	Path string `json:"path"`
	// Size is the file's size in bytes (the database plus the 32-byte trailer).
	Size int64 `json:"size"`
	// SHA256 is the result of checking the trailer etcd appends: SHA256OK, SHA256Mismatch, ...
	SHA256 string `json:"sha256"`
	// Hash is etcdutl's crc32 over the database's buckets, keys and values.
	Hash      uint32 `json:"hash"`
	Revision  int64  `json:"revision"`
	TotalKey  int    `json:"totalKey"`
	TotalSize int64  `json:"totalSize"`
	// Version is the storage version recorded in the file (etcd ≥ 3.6), else "".
	Version string `json:"version,omitempty"`
	// Auth is AuthOn when the backup's cluster had authentication on (restored, the member
	// answers only its users), AuthOff when not, "" when unknown (the database was not read).
	Auth string `json:"auth,omitempty"`
	// Error says why the database could not be read, when it could not.
	Error string `json:"error,omitempty"`
}

// Values of SnapshotStatus.Auth.
const (
	AuthOn  = "on"
	AuthOff = "off"
)

// OK is true when the file passed every check: a matching trailer and a readable database.
func (s SnapshotStatus) OK() bool { return s.SHA256 == SHA256OK && s.Error == "" }

// Problem is the first check that failed, in words, or "" when OK; a missing trailer alone is not
// a problem (etcdutl restores such a file with --skip-hash-check).
func (s SnapshotStatus) Problem() string {
	switch s.SHA256 {
	case SHA256Mismatch:
		return "hash mismatch: the file is corrupt or truncated"
	case SHA256Truncated:
		return "the file is truncated (its size is not whole pages plus etcd's sha256)"
	}
	if s.Error != "" {
		return s.Error
	}
	return ""
}

// CheckSHA256 checks the sha256 trailer of the snapshot file at path, reading it once with a
// fixed buffer.
func CheckSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return "", err
	}
	n := st.Size()
	switch {
	case n%512 == 0:
		return SHA256None, nil
	case n%512 != sha256.Size:
		return SHA256Truncated, nil
	}
	h := sha256.New()
	if _, err := io.CopyBuffer(h, io.LimitReader(f, n-sha256.Size), make([]byte, 1<<20)); err != nil {
		return "", fmt.Errorf("read %s: %w", path, err)
	}
	trailer := make([]byte, sha256.Size)
	if _, err := io.ReadFull(f, trailer); err != nil {
		return "", fmt.Errorf("read %s: %w", path, err)
	}
	if !bytes.Equal(h.Sum(nil), trailer) {
		return SHA256Mismatch, nil
	}
	return SHA256OK, nil
}

// ReadSnapshotStatus checks the trailer and reads the database with etcdutl, in this process. A
// corrupt file can make bbolt panic where no recover reaches, so only the child command
// (`etcdeck snapshot status --in-process`) calls it; everything else calls SnapshotStatusInChild.
func ReadSnapshotStatus(path string) (SnapshotStatus, error) {
	st := SnapshotStatus{Path: path}
	info, err := os.Stat(path)
	if err != nil {
		return st, err
	}
	st.Size = info.Size()
	if err := CheckSnapshotFile(path); err != nil {
		return notSnapshotStatus(st, err)
	}
	if st.SHA256, err = CheckSHA256(path); err != nil {
		return st, err
	}
	if st.SHA256 == SHA256Truncated {
		// bbolt would map pages past the end of the file: nothing more to learn safely.
		st.Error = "truncated"
		return st, nil
	}
	ds, err := snapshot.NewV3(zap.NewNop()).Status(path)
	if err != nil {
		st.Error = "cannot read the database: " + strings.ReplaceAll(err.Error(), "\n", "; ")
		return st, nil
	}
	st.Hash, st.Revision, st.TotalKey, st.TotalSize, st.Version = ds.Hash, ds.Revision, ds.TotalKey, ds.TotalSize, ds.Version
	// R must say before restoring that the member will want a user: read here, in the child.
	if on, err := fileAuthEnabled(path); err == nil {
		st.Auth = AuthOff
		if on {
			st.Auth = AuthOn
		}
	}
	return st, nil
}

// StatusChildArgs are the arguments that make etcdeck print a file's status as JSON, read in its
// own process: the protocol between SnapshotStatusInChild and `etcdeck snapshot status`.
func StatusChildArgs(path string) []string {
	return []string{"snapshot", "status", "--in-process", "-w", "json", "--", path}
}

// SnapshotStatusInChild reads a snapshot file's status by running exe (etcdeck itself) as
// `etcdeck snapshot status --in-process -w json FILE`, so a bbolt panic on a corrupt file ends
// the child, not the caller. A child that crashes or prints garbage gives a status whose Error
// says so (with the sha256 check done here); err is for failures that say nothing about the file
// (cancelled, exe missing or not etcdeck, the file gone).
func SnapshotStatusInChild(ctx context.Context, exe, path string) (SnapshotStatus, error) {
	// Here, not in the child: a FIFO or an empty file must not reach the child's open and read.
	if err := CheckSnapshotFile(path); err != nil {
		st := SnapshotStatus{Path: path}
		if info, serr := os.Stat(path); serr == nil {
			st.Size = info.Size()
		}
		return notSnapshotStatus(st, err)
	}
	cmd := exec.CommandContext(ctx, exe, StatusChildArgs(path)...)
	var stdout bytes.Buffer
	stderr := &headBuffer{max: 4 << 10}
	cmd.Stdout, cmd.Stderr = &stdout, stderr
	runErr := cmd.Run()
	if ctx.Err() != nil {
		return SnapshotStatus{Path: path}, fmt.Errorf("snapshot status of %s: %w", path, ctx.Err())
	}
	var st SnapshotStatus
	if runErr == nil {
		if err := json.Unmarshal(stdout.Bytes(), &st); err == nil && st.Path != "" {
			return st, nil
		}
	}
	var exitErr *exec.ExitError
	if runErr != nil && !errors.As(runErr, &exitErr) {
		return SnapshotStatus{Path: path}, fmt.Errorf("run %s: %w", exe, runErr)
	}
	if exitErr != nil && exitErr.ExitCode() == 1 {
		// The child's own error (the file vanished, is a directory, cannot be opened): its
		// words, not a verdict on the file's content. A Go panic exits 2.
		line, _, _ := strings.Cut(stderr.String(), "\n")
		if msg, ok := strings.CutPrefix(line, "etcdeck snapshot status: "); ok {
			return SnapshotStatus{Path: path}, errors.New(msg)
		}
	}
	panicked := panicLine(stderr.String())
	if runErr == nil || (panicked == "" && exitErr.ProcessState.Exited()) {
		// Neither a status nor a crash: the binary is not a matching etcdeck.
		line, _, _ := strings.Cut(stderr.String(), "\n")
		why := "printed no status"
		if runErr != nil {
			why = runErr.Error()
		}
		return SnapshotStatus{Path: path}, fmt.Errorf("%s snapshot status: %s %s", exe, why, printable(line))
	}
	// The child died (a bbolt panic, or a signal such as SIGBUS on a damaged mapping): report
	// what can be checked here.
	st = SnapshotStatus{Path: path}
	if info, err := os.Stat(path); err == nil {
		st.Size = info.Size()
	}
	st.SHA256, _ = CheckSHA256(path)
	st.Error = fmt.Sprintf("reading the database crashed (%s): the file is corrupt%s", runErr, panicked)
	return st, nil
}

// notSnapshotStatus turns CheckSnapshotFile's verdict into a status whose Error says it (the
// other checks are not made: their verdicts would mislead), and passes other errors on.
func notSnapshotStatus(st SnapshotStatus, err error) (SnapshotStatus, error) {
	for _, verdict := range []error{ErrNotRegular, ErrEmptyFile, ErrNoBoltHeader} {
		if errors.Is(err, verdict) {
			st.Error = verdict.Error()
			return st, nil
		}
	}
	return st, err
}

// panicLine picks the panic message from a crashed child's stderr, for the operator.
func panicLine(stderr string) string {
	for _, line := range strings.Split(stderr, "\n") {
		if msg, ok := strings.CutPrefix(line, "panic: "); ok {
			return ": " + printable(msg)
		}
		if msg, ok := strings.CutPrefix(line, "fatal error: "); ok {
			return ": " + printable(msg)
		}
	}
	return ""
}

// headBuffer keeps the first max bytes written (a panic's message comes first; the goroutine
// dump after it can be megabytes).
type headBuffer struct {
	buf bytes.Buffer
	max int
}

func (b *headBuffer) Write(p []byte) (int, error) {
	if room := b.max - b.buf.Len(); room > 0 {
		b.buf.Write(p[:min(room, len(p))])
	}
	return len(p), nil
}

func (b *headBuffer) String() string { return b.buf.String() }
