package cluster

import "context"

// SaveBackup puts a snapshot save made on the user's behalf (do, which writes the file and
// returns its path and revision) through the write gate: refused with ErrReadOnly in read-only
// mode before anything is read or written, and one audit line (action, the file written — the
// directory when none was — and the result) either way. Like a restore, do gets ctx without the
// command timeout: a save of a large database streams for minutes and has its own.
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
