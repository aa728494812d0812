package backup

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/etcdeck/etcdeck/cluster"
)

// SaveOptions say where a snapshot goes and who hears about its progress.
type SaveOptions struct {
	// Dir is the backup directory (created 0700); the file is named by Name. Ignored when
	// Output is set.
	Dir string
	// Output is the exact file to write (replaced if it exists); no naming, no retention.
	Output string
	// Endpoint forces the endpoint to save from; empty picks one (a healthy follower first).
	Endpoint string
	// Timeout bounds the whole save; 0 means DefaultSaveTimeout.
	Timeout time.Duration
	// Progress is called from the saving goroutine every ~100 ms and once at the end.
	Progress func(cluster.SaveProgress)
	// Now is the clock for the name (tests); nil is time.Now.
	Now func() time.Time
	// Retention, when set, is applied to Dir after the save (never with Output).
	Retention *Retention
	// Action names the save in the write gate and the audit log; "" is
	// cluster.ActionSnapshotSave (the `:usage` panel's own save says "usage-snapshot").
	Action string
}

// SaveResult describes a saved snapshot.
type SaveResult struct {
	Path      string
	Endpoint  string
	Role      string // "follower", "leader" or "learner": which kind of member served it
	ClusterID uint64
	// Revision is the member's revision just before the snapshot was taken; the snapshot holds
	// this revision or a later one (`etcdeck snapshot status` reads the exact one).
	Revision int64
	Bytes    int64
	Elapsed  time.Duration
	// Version is the storage version the member reported (etcd ≥ 3.6), else "".
	Version string
	// Deleted is what retention deleted after the save; RetentionErr says why it could not
	// finish (the snapshot is saved all the same).
	Deleted      []File
	RetentionErr error
}

// Save streams a snapshot from one member into a file, checking the sha256 etcd appends to
// it, then fsyncs the file and its directory and renames it into place (mode 0600). Memory use
// does not depend on the database size. A failed or cancelled save leaves no file that looks like
// a backup: the stream goes to a hidden temporary name that is removed on any error. Then, with
// opt.Retention, the directory's expired backups of the cluster go: the one "save, then apply
// retention" of the headless command, the Snapshots view and `:usage`.
//
// Writing a backup file is a write: the save goes through c's write gate (cluster.SaveBackup),
// so a read-only client refuses it with cluster.ErrReadOnly before anything is read or written,
// an audit log that cannot be written refuses it too, and otherwise it leaves one audit line
// naming the file and the revision; each file retention deletes is a write of its own
// (cluster.ActionRetentionDelete), through the same gate.
func Save(ctx context.Context, c *cluster.Client, opt SaveOptions) (res SaveResult, err error) {
	action := opt.Action
	if action == "" {
		action = cluster.ActionSnapshotSave
	}
	target := opt.Dir
	if opt.Output != "" {
		target = opt.Output
	}
	_, err = c.SaveBackup(ctx, action, target, func(ctx context.Context) (string, int64, error) {
		var saveErr error
		res, saveErr = save(ctx, c, opt)
		return res.Path, res.Revision, saveErr
	})
	if err != nil {
		return res, err
	}
	if opt.Retention != nil && opt.Output == "" {
		res.Deleted, res.RetentionErr = ApplyRetention(opt.Dir, res.ClusterID, *opt.Retention, time.Now(),
			func(path string) error { return c.DeleteExpiredBackup(ctx, path) })
	}
	return res, nil
}

// save is Save's file part, run inside the write gate.
func save(ctx context.Context, c *cluster.Client, opt SaveOptions) (res SaveResult, err error) {
	timeout := opt.Timeout
	if timeout <= 0 {
		timeout = cluster.DefaultSaveTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	defer func() { err = cluster.SnapshotStopped(ctx, err, timeout) }()
	now := time.Now
	if opt.Now != nil {
		now = opt.Now
	}

	src, err := c.PickSnapshotSource(ctx, opt.Endpoint)
	if err != nil {
		return SaveResult{}, err
	}
	res = SaveResult{Endpoint: src.Endpoint, Role: src.Role, ClusterID: src.ClusterID, Revision: src.Revision}
	started := now()

	dir := opt.Dir
	if opt.Output != "" {
		dir = filepath.Dir(opt.Output)
	} else if dir == "" {
		return res, errors.New("no backup directory: set --backup-dir or backup-dir in the config")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return res, fmt.Errorf("create backup directory: %w", err)
	}
	RemoveStalePartials(dir, time.Now())
	tmp, err := os.CreateTemp(dir, PartialPattern)
	if err != nil {
		return res, fmt.Errorf("create snapshot file: %w", err)
	}
	done := false
	defer func() {
		if !done {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err := tmp.Chmod(0o600); err != nil {
		return res, fmt.Errorf("snapshot file mode: %w", err)
	}

	n, version, err := c.StreamSnapshot(ctx, src, tmp, opt.Progress, timeout)
	res.Bytes, res.Version = n, version
	res.Elapsed = time.Since(started)
	if err != nil {
		return res, err
	}
	if err := tmp.Sync(); err != nil {
		return res, fmt.Errorf("fsync snapshot: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return res, fmt.Errorf("close snapshot: %w", err)
	}
	res.Path = opt.Output
	if res.Path == "" {
		res.Path = filepath.Join(dir, Name(res.ClusterID, started, res.Revision))
		if _, err := os.Lstat(res.Path); err == nil {
			return res, fmt.Errorf("%s already exists", res.Path)
		}
	}
	if err := os.Rename(tmp.Name(), res.Path); err != nil {
		return res, fmt.Errorf("rename snapshot into place: %w", err)
	}
	done = true
	if err := syncDir(dir); err != nil {
		return res, fmt.Errorf("fsync backup directory: %w", err)
	}
	res.Elapsed = time.Since(started)
	return res, nil
}

// syncDir fsyncs a directory so a rename in it survives a crash.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
