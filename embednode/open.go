package embednode

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// OpenedSnapshot is a snapshot file served by a temporary member: restored (in a child) into a
// temporary directory and run (in another child) on random loopback ports, so a backup can be
// browsed without touching any cluster. Close stops the member and removes the directory.
type OpenedSnapshot struct {
	File   string // the snapshot file
	Dir    string // the temporary directory holding the data dir and the member's log
	Member *Child
	Result RestoreResult
}

// StepServing is the step OpenSnapshot reports once the file is restored: the temporary member
// starts (StepRestoring comes before it, while the restore child runs).
const StepServing = "serving"

// OpenSnapshot restores file into a new temporary directory under tmpRoot (os.TempDir() when
// empty) and starts a member on it; step, when set, hears StepRestoring then StepServing. Its
// errors do not name the file: the caller does, once.
// Nothing is left behind when it fails or ctx ends first: the restore child and the member are
// stopped before the directory is removed.
func OpenSnapshot(ctx context.Context, exe, file, tmpRoot string, log io.Writer, step func(string)) (*OpenedSnapshot, error) {
	o, err := openSnapshot(ctx, exe, file, tmpRoot, log, step)
	if err != nil {
		return nil, withoutFile(err, file)
	}
	return o, nil
}

// fileless is an error whose text no longer names the file: OpenSnapshot's caller names it
// once ("open F: …"), where the restore's own wrapping named it again and again and pushed the
// cause past the screen's edge.
type fileless struct {
	msg string
	err error
}

func (e *fileless) Error() string { return e.msg }
func (e *fileless) Unwrap() error { return e.err }

func withoutFile(err error, file string) error {
	msg := err.Error()
	names := []string{file}
	if abs, aerr := filepath.Abs(file); aerr == nil && abs != file {
		names = append(names, abs)
	}
	for _, name := range names {
		// "F (N bytes): the file is truncated": the size goes with the name.
		for {
			i := strings.Index(msg, name+" (")
			j := strings.Index(msg[max(i, 0):], "): ")
			if i < 0 || j < 0 {
				break
			}
			msg = msg[:i] + msg[i+j+len("): "):]
		}
		msg = strings.ReplaceAll(msg, "restore "+name+": ", "")
		msg = strings.ReplaceAll(msg, "snapshot: "+name+": ", "")
		msg = strings.ReplaceAll(msg, name+": ", "")
	}
	return &fileless{msg: msg, err: err}
}

func openSnapshot(ctx context.Context, exe, file, tmpRoot string, log io.Writer, step func(string)) (*OpenedSnapshot, error) {
	if step == nil {
		step = func(string) {}
	}
	if tmpRoot == "" {
		tmpRoot = os.TempDir()
	}
	dir, err := ownedTempDir(tmpRoot, openDirPrefix)
	if err != nil {
		return nil, fmt.Errorf("temporary dir for the snapshot: %w", err)
	}
	ok := false
	defer func() {
		if !ok {
			os.RemoveAll(dir)
		}
	}()
	client, err := freeLoopbackURL()
	if err != nil {
		return nil, err
	}
	peer, err := freeLoopbackURL()
	if err != nil {
		return nil, err
	}
	cfg := Config{Name: "snapshot", DataDir: filepath.Join(dir, "data"), ListenClientURLs: []string{client},
		ListenPeerURLs: []string{peer}, LogFile: filepath.Join(dir, "member.log"),
		// etcd rebuilds its index of every revision at start; a larger GC target cut that by
		// ~20% on a 565 MB snapshot for ~15% more peak memory, for a member that only browses.
		GOGC: 300,
		// The directory is thrown away on close and nothing writes to it: fsync buys nothing.
		UnsafeNoFsync: true,
		// A member alone waits out 1-11 election ticks after starting before it serves (0.1-1.1 s
		// with etcd's 100 ms tick); a 10 ms tick makes that 10-110 ms. Nothing else listens to
		// its heartbeats.
		TickMs: 10, ElectionMs: 100}
	// The sha256 check runs beside the restore and the member's start, not before the member
	// starts: the member spends seconds rebuilding its index on one core or two, the check needs
	// ~0.5 s of one. Its verdict still comes first: nothing is returned before it, and a failed
	// check wins over whatever a corrupt file did to the restore or the member.
	if err := CheckSnapshotFile(file); err != nil {
		return nil, fmt.Errorf("snapshot: %w", err)
	}
	// A failed check stops the restore or the member's start at once (the member's life is not
	// tied to this context once it serves: Spawn uses it only while waiting).
	hctx, stopOnBadHash := context.WithCancel(ctx)
	defer stopOnBadHash()
	hashc := make(chan error, 1)
	go func() {
		err := CheckSnapshotHash(file)
		if err != nil {
			stopOnBadHash()
		}
		hashc <- err
	}()
	step(StepRestoring)
	res, err := RestoreInChild(hctx, exe, RestoreOptions{Snapshot: file, DataDir: cfg.DataDir, Name: cfg.Name,
		PeerURLs: cfg.ListenPeerURLs, InitialClusterToken: "etcdeck-open", UnsafeNoFsync: true, AuthOff: true,
		SkipHashCheck: true})
	if err != nil {
		if herr := <-hashc; herr != nil {
			return nil, herr
		}
		return nil, err
	}
	step(StepServing)
	m, err := Spawn(hctx, exe, cfg, log)
	if herr := <-hashc; herr != nil {
		if err == nil {
			m.Stop(10 * time.Second)
		}
		return nil, herr
	}
	if err != nil {
		return nil, fmt.Errorf("serve the snapshot: %w", err)
	}
	res.HashChecked = true
	if err := ctx.Err(); err != nil {
		// Ended as the member became ready: nobody will close what would be returned.
		m.Stop(10 * time.Second)
		return nil, err
	}
	ok = true
	return &OpenedSnapshot{File: file, Dir: dir, Member: m, Result: res}, nil
}

// Endpoints are the temporary member's client URLs.
func (o *OpenedSnapshot) Endpoints() []string { return o.Member.Endpoints() }

// Close stops the temporary member and removes its directory.
func (o *OpenedSnapshot) Close() error {
	stopErr := o.Member.Stop(10 * time.Second)
	if err := os.RemoveAll(o.Dir); err != nil {
		return fmt.Errorf("remove %s: %w", o.Dir, err)
	}
	return stopErr
}

// freeLoopbackURL picks a loopback port that was free a moment ago; the member's own check
// names the flag if another process takes it first. It draws from below Linux's ephemeral range
// (32768-60999), where the kernel hands out the local ports of outgoing connections: a port from
// there could be taken by any connection between this check and the member's bind. It stays
// above the ports the tests' members take (nodetest: 20000-25999), so that a snapshot opened by
// one test cannot take the port another test's member was just given. Only when 100 draws find
// nothing free does it take one the kernel picks.
func freeLoopbackURL() (string, error) {
	for range 100 {
		p := 26000 + rand.IntN(6000)
		if l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", p)); err == nil {
			l.Close()
			return fmt.Sprintf("http://127.0.0.1:%d", p), nil
		}
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("no free loopback port: %w", err)
	}
	defer l.Close()
	addr, ok := l.Addr().(*net.TCPAddr)
	if !ok {
		return "", errors.New("no free loopback port")
	}
	return fmt.Sprintf("http://127.0.0.1:%d", addr.Port), nil
}
