package cluster

import "context"

// Restore puts a restore of the embedded member's data from file (do, which returns the
// revision after) through the write gate: refused with ErrReadOnly in read-only mode before
// anything happens, and an audit line ("restore", the file, the revision after, the result)
// either way. Unlike the key writes, do gets ctx as it is: a restore outlasts --command-timeout.
func (c *Client) Restore(ctx context.Context, file string, do func(context.Context) (int64, error)) (int64, error) {
	e := AuditEntry{Action: "restore", Target: EscapeKey(file)}
	if err := c.admit(&e); err != nil {
		return 0, err
	}
	// Our own watch streams would hold up the member's graceful stop (7 s, not milliseconds):
	// end them first. The views watch again once the restore reloads them.
	c.CloseWatches()
	rev, err := do(ctx)
	e.NewRev, e.Result = rev, "ok"
	if err != nil {
		e.Result = err.Error()
	}
	c.record(e)
	return rev, err
}
