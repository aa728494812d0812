package embednode

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// Steps RestoreMember reports, in order, to its Step callback.
const (
	StepRestoring  = "restoring"   // the restore child runs
	StepStopping   = "stopping"    // the member is being stopped
	StepMovedAside = "moved-aside" // the old data dir is at the backup path, no data dir exists
	StepStarting   = "starting"    // the restored dir is in place, the member starts
	StepChecking   = "checking"    // health and key count
)

// MemberRestore says what RestoreMember restores and how the caller follows it.
type MemberRestore struct {
	Snapshot string
	// Step, when set, hears each step as it begins (the console's status bar label).
	Step func(step string)
	// Verify, when set, checks the restarted member and returns its revision and key count;
	// the default dials its client URLs (without a client certificate), as User when the
	// restored data has authentication on.
	Verify func(ctx context.Context, endpoints []string) (rev, keys int64, err error)
	// User and Password are a user of the backup and its password: the restored member is
	// checked with them when the backup's cluster had authentication on (and the restore is
	// refused without them, before the member is touched). Unused when it had not.
	User, Password string
}

// MemberRestoreResult is what a finished RestoreMember did.
type MemberRestoreResult struct {
	Revision int64  // the member's revision after the restart
	Keys     int64  // keys it serves; -1 when the user given may not read every key
	Backup   string // where the old data dir now is
	// AuthEnabled is true when the restored data has authentication on: the member answers
	// only the backup's users from now on; User is the one it was checked with.
	AuthEnabled bool
	User        string
}

// String is the report the console shows.
func (r MemberRestoreResult) String() string {
	keys := fmt.Sprintf("%d keys", r.Keys)
	if r.Keys < 0 {
		keys = "keys not counted (the user may not read them all)"
	}
	if r.AuthEnabled {
		// First, before the long path: a status bar line cut at the screen's edge still says it.
		keys += " as " + r.User + " (authentication is on: the member answers the backup's users only)"
	}
	return fmt.Sprintf("restored rev %d, %s; the old data is in %s", r.Revision, keys, r.Backup)
}

// BackupSuffix separates a data dir's name from the UTC time it was moved aside at.
const BackupSuffix = ".bak-"

// RestoreMember replaces the data of the member c runs with a snapshot: restore into a new dir
// beside it (in a child process), stop the member, move the old data dir to
// "<data-dir>.bak-<UTC time>", move the restored dir in, start, check. The old data is never
// deleted; if the restored member does not start, the old data goes back and the member restarts
// on it.
func RestoreMember(ctx context.Context, exe string, c *Child, r MemberRestore) (MemberRestoreResult, error) {
	step := r.Step
	if step == nil {
		step = func(string) {}
	}
	c.mu.Lock()
	cfg, peers := c.cfg, append([]string(nil), c.ready.PeerURLs...)
	c.mu.Unlock()
	dataDir, err := filepath.Abs(cfg.DataDir)
	if err != nil {
		return MemberRestoreResult{}, err
	}
	stamp := time.Now().UTC().Format("20060102T150405Z")
	restored := dataDir + ".restored-" + stamp
	backup := dataDir + BackupSuffix + stamp

	step(StepRestoring)
	restoredRes, err := RestoreInChild(ctx, exe, RestoreOptions{Snapshot: r.Snapshot, DataDir: restored,
		Name: cfg.Name, PeerURLs: peers, InitialClusterToken: "etcdeck-restore-" + stamp})
	if err != nil {
		return MemberRestoreResult{}, err // the member was not touched
	}
	// A backup of a cluster with authentication on makes the embedded member answer only the
	// backup's users: without one to check it with (and for the console to reconnect as), the
	// member would answer "user name is empty" to everything, now and at every later start.
	// Refused before the member is touched.
	user, password := "", ""
	if restoredRes.AuthEnabled {
		if r.User == "" {
			os.RemoveAll(restored)
			return MemberRestoreResult{}, ErrAuthEnabledBackup
		}
		user, password = r.User, r.Password
	}
	// The note says, if etcdeck is killed from here on, what the next start must report.
	if err := writePending(PendingRestore{Snapshot: r.Snapshot, DataDir: dataDir, Restored: restored, Backup: backup, Time: time.Now()}); err != nil {
		os.RemoveAll(restored)
		return MemberRestoreResult{}, fmt.Errorf("write the restore's note beside the data dir: %w (the member was not touched)", err)
	}
	defer os.Remove(pendingPath(dataDir))
	step(StepStopping)
	// Stop's only error is "killed after the timeout": stopped either way, and etcd's data dir is
	// crash-safe.
	c.Stop(30 * time.Second)
	if err := os.Rename(dataDir, backup); err != nil {
		restartErr := c.Restart(ctx)
		return MemberRestoreResult{}, fmt.Errorf("move the old data aside: %w (member restarted on it: %v; the restored data is in %s)", err, restartErr, restored)
	}
	step(StepMovedAside)
	if err := os.Rename(restored, dataDir); err != nil {
		return MemberRestoreResult{}, putBackAndRestart(ctx, c, dataDir, backup, "", fmt.Errorf("move the restored data in: %w", err))
	}
	// A failed directory sync leaves the moves less durable, not undone: the member must come
	// back either way.
	_ = syncDir(filepath.Dir(dataDir))
	step(StepStarting)
	if err := c.Restart(ctx); err != nil {
		c.Stop(10 * time.Second)
		return MemberRestoreResult{}, putBackAndRestart(ctx, c, dataDir, backup, dataDir+".restore-failed-"+stamp, fmt.Errorf("the restored member did not start: %w", err))
	}
	step(StepChecking)
	verify := r.Verify
	if verify == nil {
		verify = func(ctx context.Context, eps []string) (int64, int64, error) {
			return countKeys(ctx, eps, cfg, user, password)
		}
	}
	res := MemberRestoreResult{Backup: backup, AuthEnabled: restoredRes.AuthEnabled, User: user}
	if res.Revision, res.Keys, err = verify(ctx, c.Endpoints()); err != nil {
		// A member that starts but does not answer is no restore: the old data goes back.
		c.Stop(10 * time.Second)
		return MemberRestoreResult{}, putBackAndRestart(ctx, c, dataDir, backup, dataDir+".restore-failed-"+stamp,
			fmt.Errorf("the restored member started but does not answer: %w", err))
	}
	return res, nil
}

// RestoreFrom is RestoreMember on c: what a view holding the member handle calls.
func (c *Child) RestoreFrom(ctx context.Context, exe string, r MemberRestore) (MemberRestoreResult, error) {
	return RestoreMember(ctx, exe, c, r)
}

// putBackAndRestart undoes the moves after a failure: the data dir (if any) goes to failedDir,
// the backup back to the data dir, and the member restarts on its old data.
func putBackAndRestart(ctx context.Context, c *Child, dataDir, backup, failedDir string, cause error) error {
	if failedDir != "" {
		if err := os.Rename(dataDir, failedDir); err != nil {
			return fmt.Errorf("%w; moving it aside failed too (%v): the old data is in %s", cause, err, backup)
		}
	}
	if err := os.Rename(backup, dataDir); err != nil {
		return fmt.Errorf("%w; putting the old data back failed (%v): it is in %s", cause, err, backup)
	}
	if err := c.Restart(ctx); err != nil {
		return fmt.Errorf("%w; the old data is back in %s but the member did not start: %v", cause, dataDir, err)
	}
	return fmt.Errorf("%w; the member runs on its old data again", cause)
}

// InterruptedRestore is a member restore that stopped after the old data dir was moved aside
// and before the restored one was moved in: no data dir, a backup beside where it was.
type InterruptedRestore struct {
	DataDir  string // the missing data dir
	Backup   string // the newest "<data-dir>.bak-*" beside it
	Restored string // a finished but unused restore ("<data-dir>.restored-*"), or ""
}

// String says what was found, for the console to show before it offers PutBack.
func (r InterruptedRestore) String() string {
	s := fmt.Sprintf("an interrupted restore left no data dir at %s; the old data is in %s", r.DataDir, r.Backup)
	if r.Restored != "" {
		s += fmt.Sprintf(" (the unused restored data is in %s)", r.Restored)
	}
	return s
}

// InterruptedRestoreError is Start's refusal to begin an empty member where an interrupted
// restore left no data dir.
type InterruptedRestoreError struct{ Found InterruptedRestore }

func (e *InterruptedRestoreError) Error() string {
	return fmt.Sprintf("%s: not starting an empty member in its place; move %s back to %s (the console offers to)",
		e.Found, e.Found.Backup, e.Found.DataDir)
}

// FindInterruptedRestore looks beside dataDir for what an interrupted RestoreMember leaves; it
// returns nil when the data dir exists or no backup is there.
func FindInterruptedRestore(dataDir string) (*InterruptedRestore, error) {
	dataDir, err := filepath.Abs(dataDir)
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(dataDir); err == nil || !errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	// Not filepath.Glob: a data dir's path may hold '[' or '*'.
	entries, err := os.ReadDir(filepath.Dir(dataDir))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil // a first start: nothing there at all
	}
	if err != nil {
		return nil, err
	}
	var backups []string
	prefix := filepath.Base(dataDir) + BackupSuffix
	for _, e := range entries {
		if e.IsDir() && strings.HasPrefix(e.Name(), prefix) {
			backups = append(backups, filepath.Join(filepath.Dir(dataDir), e.Name()))
		}
	}
	if len(backups) == 0 {
		return nil, nil
	}
	// The stamps sort as times: the newest backup is the data the member last ran on.
	sort.Strings(backups)
	r := &InterruptedRestore{DataDir: dataDir, Backup: backups[len(backups)-1]}
	stamp := strings.TrimPrefix(r.Backup, dataDir+BackupSuffix)
	if info, err := os.Stat(dataDir + ".restored-" + stamp); err == nil && info.IsDir() {
		r.Restored = dataDir + ".restored-" + stamp
	}
	return r, nil
}

// PutBack moves the backup back to the data dir, as it was before the restore began.
func (r InterruptedRestore) PutBack() error {
	if _, err := os.Stat(r.DataDir); err == nil {
		return fmt.Errorf("%s exists now; nothing was moved", r.DataDir)
	}
	if err := os.Rename(r.Backup, r.DataDir); err != nil {
		return fmt.Errorf("put the old data back: %w", err)
	}
	return syncDir(filepath.Dir(r.DataDir))
}
