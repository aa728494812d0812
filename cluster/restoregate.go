package cluster

import "context"

// Restore puts a restore of the embedded member's data from file (do, which returns the
// revision after) through the write gate: refused with ErrReadOnly in read-only mode before
// anything happens, and an audit line ("restore", the file, the revision after, the result)
// either way. Unlike the key writes, do gets ctx as it is: a restore outlasts --command-timeout.
func (c *Client) Restore(ctx context.Context, file string, do func(context.Context) (int64, error)) (int64, error) {
	e := AuditEntry{Action: "restore", Target: file, User: c.conf.User, Endpoints: c.conf.Endpoints}
	if c.readOnly {
		e.Result = "refused: read-only"
		c.record(e)
		return 0, ErrReadOnly
	}
	rev, err := do(ctx)
	e.NewRev, e.Result = rev, "ok"
	if err != nil {
		e.Result = err.Error()
	}
	c.record(e)
	return rev, err
}
