package cluster

import (
	"context"
	"errors"
	"os"
)

// The audit actions of the writes to backup files: every snapshot saved on the user's behalf and
// every file retention deletes after it go through the write gate as one of these.
const (
	// ActionSnapshotSave is a snapshot saved with s (any view) or `etcdeck snapshot save`.
	ActionSnapshotSave = "snapshot-save"
	// ActionRetentionDelete is one backup file deleted by retention after a save.
	ActionRetentionDelete = "retention-delete"
)

// SaveBackup puts a snapshot save made on the user's behalf (do, which writes the file and
// returns its path and revision) through the write gate: refused with ErrReadOnly in read-only
// mode before anything is read or written, refused when its audit line cannot be kept (the log
// fails closed), and one audit line (action, the file written — the directory when none was —,
// the revision and the result) otherwise. Like a restore, do gets ctx without the command
// timeout: a save of a large database streams for minutes and has its own.
func (c *Client) SaveBackup(ctx context.Context, action, dir string, do func(context.Context) (string, int64, error)) (string, error) {
	var path string
	_, err := c.writeTimeout(ctx, 0, AuditEntry{Action: action, Target: EscapeKey(dir)},
		func(ctx context.Context, a *AuditEntry) (int64, error) {
			p, rev, err := do(ctx)
			if p != "" {
				path, a.Target = p, EscapeKey(p)
			}
			return rev, err
		})
	return path, err
}

// DeleteBackup removes a backup file through the write gate: deleting a backup is a write, so
// it is refused in read-only mode and audited ("delete-backup", the file, the result) either way.
// A file already gone counts as deleted.
func (c *Client) DeleteBackup(ctx context.Context, path string) error {
	return c.removeBackup(ctx, "delete-backup", path)
}

// DeleteExpiredBackup is DeleteBackup for a file retention deletes after a save: the same gate,
// audited as ActionRetentionDelete (one line per file), so the log tells the user's d from the
// files a save's retention took.
func (c *Client) DeleteExpiredBackup(ctx context.Context, path string) error {
	return c.removeBackup(ctx, ActionRetentionDelete, path)
}

func (c *Client) removeBackup(ctx context.Context, action, path string) error {
	e := AuditEntry{Action: action, Target: EscapeKey(path)}
	_, err := c.write(ctx, e, func(context.Context, *AuditEntry) (int64, error) {
		if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
			return 0, err
		}
		return 0, nil
	})
	return err
}
