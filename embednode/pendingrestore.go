package embednode

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// A restore into the embedded member (RestoreMember) leaves a note beside the data dir while it
// moves directories, and removes it when it returns. A note found at the next start means
// etcdeck was killed before it could report the restore: if the restored data was moved in, the
// next start says so and records it (TakeCompletedRestore).

// PendingRestore is the note: what was restored, and where the old data went.
type PendingRestore struct {
	Snapshot string    `json:"snapshot"`
	DataDir  string    `json:"data_dir"`
	Restored string    `json:"restored"` // the restored dir before it is moved in
	Backup   string    `json:"backup"`   // where the old data dir is moved aside
	Time     time.Time `json:"time"`
}

// pendingPath is the note's file beside dataDir.
func pendingPath(dataDir string) string {
	return filepath.Join(filepath.Dir(dataDir), "."+filepath.Base(dataDir)+".restore-pending")
}

func writePending(p PendingRestore) error {
	data, err := json.Marshal(p)
	if err != nil {
		return err
	}
	path := pendingPath(p.DataDir)
	if err := os.WriteFile(path+".tmp", data, 0o600); err != nil {
		return err
	}
	return os.Rename(path+".tmp", path)
}

// String says what happened, for the next start.
func (p PendingRestore) String() string {
	return fmt.Sprintf("the data dir %s was restored from %s at %s, but etcdeck was stopped before it could report it; the old data is in %s",
		p.DataDir, p.Snapshot, p.Time.Local().Format("2006-01-02 15:04:05"), p.Backup)
}

// TakeCompletedRestore reads the note beside dataDir: when the restored data was moved in (the
// data dir is there, the restored dir is gone and the old data is at its backup path) it returns
// the note, to be said and recorded; otherwise (killed before, found by FindInterruptedRestore)
// nil. The note is removed once the data dir exists; it stays while the data dir is missing.
func TakeCompletedRestore(dataDir string) (*PendingRestore, error) {
	abs, err := filepath.Abs(dataDir)
	if err != nil {
		return nil, err
	}
	data, err := os.ReadFile(pendingPath(abs))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var p PendingRestore
	if err := json.Unmarshal(data, &p); err != nil {
		os.Remove(pendingPath(abs))
		return nil, fmt.Errorf("a restore's note %s is unreadable (removed): %w", pendingPath(abs), err)
	}
	if !exists(abs) {
		return nil, nil
	}
	os.Remove(pendingPath(abs))
	if exists(p.Restored) || !exists(p.Backup) {
		return nil, nil
	}
	return &p, nil
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
