package embednode

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	bolt "go.etcd.io/bbolt"
	"go.etcd.io/etcd/etcdutl/v3/snapshot"
	"go.uber.org/zap"
)

// Why etcdeck refuses a snapshot file; the parent of a restore child gets these back with
// errors.Is, so the console and the headless command name the same check.
var (
	// ErrHashMismatch: the sha256 etcd appends to a snapshot does not match the file's contents.
	ErrHashMismatch = errors.New("hash mismatch: the file is corrupt or truncated")
	// ErrNoHash: the file is whole pages without etcd's sha256 trailer: a db copied from a data dir.
	ErrNoHash = errors.New("no sha256 trailer: a db copied from a data dir, not a saved snapshot (restore it with --skip-hash-check)")
	// ErrTruncated: the file's size is neither whole pages nor pages plus the trailer.
	ErrTruncated = errors.New("the file is truncated (its size is not whole pages plus etcd's sha256)")
	// ErrNotEmpty: the target data dir exists and holds files; etcdeck never restores over data.
	ErrNotEmpty = errors.New("the data dir is not empty: move it aside or choose another --data-dir")
	// ErrRestoreCrashed: the restore child died (a corrupt file makes bbolt panic when the hash
	// check is skipped).
	ErrRestoreCrashed = errors.New("the restore process crashed")
)

// Restore defaults, as etcdutl's `snapshot restore` has them.
const (
	DefaultRestoreName  = "default"
	DefaultRestoreToken = "etcd-cluster"
	DefaultRestorePeer  = "http://localhost:2380"
)

// RestoreOptions are `etcdutl snapshot restore`'s settings, with its flag names and meanings.
type RestoreOptions struct {
	Snapshot string // the snapshot file (the command's argument)
	DataDir  string // --data-dir; default "<name>.etcd"
	Name     string // --name; default "default"
	// InitialCluster is --initial-cluster; empty means this member alone at its peer URLs
	// (etcdutl's default "default=http://localhost:2380" when name and peer URLs are defaults).
	InitialCluster      string
	InitialClusterToken string   // --initial-cluster-token; default "etcd-cluster"
	PeerURLs            []string // --initial-advertise-peer-urls; default http://localhost:2380
	BumpRevision        uint64   // --bump-revision; needs MarkCompacted
	MarkCompacted       bool     // --mark-compacted; needs BumpRevision > 0
	SkipHashCheck       bool     // --skip-hash-check
	// UnsafeNoFsync (hidden --unsafe-no-fsync) is for a data dir that is read and thrown away,
	// an opened snapshot's: the same files as etcdutl writes, without fsync and with one opening
	// of the db instead of three. Not with a revision bump.
	UnsafeNoFsync bool
	// AuthOff (hidden --unsafe-auth-off, with UnsafeNoFsync only) switches authentication off in
	// the restored copy: an opened backup of an auth-enabled cluster is browsed by its temporary
	// member without users or passwords (it listens on loopback and is thrown away on close).
	AuthOff bool
}

// WithDefaults fills what is empty with etcdutl's defaults.
func (o RestoreOptions) WithDefaults() RestoreOptions {
	if o.Name == "" {
		o.Name = DefaultRestoreName
	}
	if o.DataDir == "" {
		o.DataDir = o.Name + ".etcd"
	}
	if len(o.PeerURLs) == 0 {
		o.PeerURLs = []string{DefaultRestorePeer}
	}
	if o.InitialCluster == "" {
		var parts []string
		for _, u := range o.PeerURLs {
			parts = append(parts, o.Name+"="+u)
		}
		o.InitialCluster = strings.Join(parts, ",")
	}
	if o.InitialClusterToken == "" {
		o.InitialClusterToken = DefaultRestoreToken
	}
	return o
}

// Validate refuses what etcdutl refuses before touching the disk; errors are usage errors.
func (o RestoreOptions) Validate() error {
	if o.Snapshot == "" {
		return errors.New("no snapshot file given")
	}
	if o.BumpRevision == 0 && o.MarkCompacted {
		return errors.New("--mark-compacted needs --bump-revision > 0 (etcdutl refuses it alone)")
	}
	if o.UnsafeNoFsync && o.BumpRevision > 0 {
		return errors.New("--unsafe-no-fsync is for opening a snapshot to read; it does not bump revisions")
	}
	if o.BumpRevision > 0 && !o.MarkCompacted {
		return errors.New("--bump-revision needs --mark-compacted (etcdutl refuses a bump alone)")
	}
	own := false
	for _, part := range strings.Split(o.InitialCluster, ",") {
		if name, _, _ := strings.Cut(part, "="); name == o.Name {
			own = true
		}
	}
	if o.InitialCluster != "" && !own {
		return fmt.Errorf("--initial-cluster %q does not name this member (--name %q)", o.InitialCluster, o.Name)
	}
	return nil
}

// Args renders o as `etcdeck snapshot restore` arguments (file first, then flags).
func (o RestoreOptions) Args() []string {
	args := []string{o.Snapshot}
	add := func(flag, v string) {
		if v != "" {
			args = append(args, "--"+flag, v)
		}
	}
	add("data-dir", o.DataDir)
	add("name", o.Name)
	add("initial-cluster", o.InitialCluster)
	add("initial-cluster-token", o.InitialClusterToken)
	add("initial-advertise-peer-urls", strings.Join(o.PeerURLs, ","))
	if o.BumpRevision > 0 {
		add("bump-revision", strconv.FormatUint(o.BumpRevision, 10))
	}
	if o.MarkCompacted {
		args = append(args, "--mark-compacted")
	}
	if o.SkipHashCheck {
		args = append(args, "--skip-hash-check")
	}
	if o.UnsafeNoFsync {
		args = append(args, "--unsafe-no-fsync")
	}
	if o.AuthOff {
		args = append(args, "--unsafe-auth-off")
	}
	return args
}

// RestoreResult describes a restored data dir.
type RestoreResult struct {
	DataDir  string `json:"data_dir"`
	Revision int64  `json:"revision"` // the latest revision in the restored dir (after a bump)
	// CompactRevision is the revision marked compacted (--mark-compacted), 0 when none.
	CompactRevision int64 `json:"compact_revision"`
	Size            int64 `json:"size"` // the snapshot file's size in bytes
	HashChecked     bool  `json:"hash_checked"`
	// AuthEnabled is true when authentication is on in the restored data: a member started on
	// it answers only a user with a password (read here, in the restore's child process).
	AuthEnabled bool `json:"auth_enabled,omitempty"`
}

// Restore restores o.Snapshot into o.DataDir in this process, through etcdutl's library: into a
// temporary directory beside the target, renamed into place only on success. The console never
// calls it directly (a corrupt file can crash the process, see RestoreInChild); the child does.
func Restore(o RestoreOptions, lg *zap.Logger) (RestoreResult, error) {
	o = o.WithDefaults()
	if err := o.Validate(); err != nil {
		return RestoreResult{}, err
	}
	if lg == nil {
		lg = zap.NewNop()
	}
	target, err := filepath.Abs(o.DataDir)
	if err != nil {
		return RestoreResult{}, err
	}
	if err := checkTarget(target); err != nil {
		return RestoreResult{}, err
	}
	info, err := os.Stat(o.Snapshot)
	if err != nil {
		return RestoreResult{}, fmt.Errorf("snapshot: %w", err)
	}
	// Even with --skip-hash-check: a directory or random bytes are no snapshot at all.
	if err := CheckSnapshotFile(o.Snapshot); err != nil {
		return RestoreResult{}, fmt.Errorf("snapshot: %w", err)
	}
	res := RestoreResult{DataDir: target, Size: info.Size()}
	if !o.SkipHashCheck {
		if err := CheckSnapshotHash(o.Snapshot); err != nil {
			return RestoreResult{}, err
		}
		res.HashChecked = true
	}
	// etcdutl creates the data dir's parents too.
	if err := os.MkdirAll(filepath.Dir(target), 0o700); err != nil {
		return RestoreResult{}, fmt.Errorf("the data dir's parent: %w", err)
	}
	tmp, err := ownedTempDir(filepath.Dir(target), restoringPrefix(target))
	if err != nil {
		return RestoreResult{}, fmt.Errorf("temporary dir beside the data dir: %w", err)
	}
	defer os.RemoveAll(tmp) // empty after the rename; a failure's partial dir goes with it
	out := filepath.Join(tmp, "data")
	if o.UnsafeNoFsync {
		err = restoreThrowaway(o, out, lg)
	} else {
		err = restoreWithEtcdutl(o, out, lg)
	}
	if err != nil {
		return RestoreResult{}, fmt.Errorf("restore %s: %w", o.Snapshot, err)
	}
	if res.Revision, res.CompactRevision, res.AuthEnabled, err = readRevisions(filepath.Join(out, "member", "snap", "db")); err != nil {
		return RestoreResult{}, fmt.Errorf("read the restored db: %w", err)
	}
	if err := moveInto(out, target); err != nil {
		return RestoreResult{}, err
	}
	return res, nil
}

// restoreWithEtcdutl restores o.Snapshot into out with etcdutl's library.
func restoreWithEtcdutl(o RestoreOptions, out string, lg *zap.Logger) error {
	return snapshot.NewV3(lg).Restore(snapshot.RestoreConfig{
		SnapshotPath:        o.Snapshot,
		Name:                o.Name,
		OutputDataDir:       out,
		PeerURLs:            o.PeerURLs,
		InitialCluster:      o.InitialCluster,
		InitialClusterToken: o.InitialClusterToken,
		// The hash was checked above, with an error that names the check; etcdutl still strips
		// the trailer by the file's size.
		SkipHashCheck: true,
		RevisionBump:  o.BumpRevision,
		MarkCompacted: o.MarkCompacted,
	})
}

// checkTarget refuses a data dir that holds anything; a missing or empty one is fine.
func checkTarget(dir string) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("data dir %s: %w", dir, err)
	}
	if len(entries) > 0 {
		return fmt.Errorf("%s: %w", dir, ErrNotEmpty)
	}
	return nil
}

// moveInto renames a finished restore into place and syncs the parent directory, so a crash
// right after leaves either no data dir or the whole one.
func moveInto(from, target string) error {
	if err := checkTarget(target); err != nil {
		return err
	}
	if err := os.Rename(from, target); err != nil {
		return fmt.Errorf("move the restored data into %s: %w", target, err)
	}
	return syncDir(filepath.Dir(target))
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	return nil
}

// CheckSnapshotHash checks the sha256 trailer etcd appends to a snapshot (`etcdctl snapshot
// save`, the Maintenance API) with CheckSHA256, and names the check that failed: ErrHashMismatch,
// ErrTruncated or ErrNoHash.
func CheckSnapshotHash(path string) error {
	if err := CheckSnapshotFile(path); err != nil {
		return fmt.Errorf("snapshot: %w", err)
	}
	info, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("snapshot: %w", err)
	}
	if info.Size() < 512+sha256.Size {
		return fmt.Errorf("%s (%d bytes): %w", path, info.Size(), ErrTruncated)
	}
	res, err := CheckSHA256(path)
	if err != nil {
		return fmt.Errorf("snapshot: %w", err)
	}
	switch res {
	case SHA256OK:
		return nil
	case SHA256Mismatch:
		return fmt.Errorf("%s: %w", path, ErrHashMismatch)
	case SHA256None:
		return fmt.Errorf("%s: %w", path, ErrNoHash)
	default:
		return fmt.Errorf("%s (%d bytes): %w", path, info.Size(), ErrTruncated)
	}
}

// readRevisions reads the latest revision and the revision scheduled for compaction from a
// restored db without scanning it (the key bucket is ordered by revision), and whether
// authentication is on in it.
func readRevisions(db string) (rev, compact int64, auth bool, err error) {
	b, err := bolt.Open(db, 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		return 0, 0, false, err
	}
	defer b.Close()
	err = b.View(func(tx *bolt.Tx) error {
		if kb := tx.Bucket([]byte("key")); kb != nil {
			if k, _ := kb.Cursor().Last(); len(k) >= 8 {
				rev = int64(binary.BigEndian.Uint64(k))
			}
		}
		if mb := tx.Bucket([]byte("meta")); mb != nil {
			if v := mb.Get([]byte("scheduledCompactRev")); len(v) >= 8 {
				compact = int64(binary.BigEndian.Uint64(v))
			}
		}
		auth = authBucketEnabled(tx)
		return nil
	})
	if rev == 0 {
		rev = 1 // an empty keyspace: etcd's store starts at revision 1
	}
	return rev, compact, auth, err
}
