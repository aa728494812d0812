package cluster

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"go.etcd.io/etcd/api/v3/mvccpb"
	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"
)

// Every write to etcd goes through this file and maintenance.go: each refuses in read-only mode
// before any RPC and leaves one line in the audit log, so the console and the headless commands
// cannot disagree about what is allowed or forget to record it.

// ErrReadOnly is returned by every write of a read-only Client, before anything is sent.
var ErrReadOnly = errors.New("read-only session: writes are disabled (started with --read-only)")

// ErrExists is returned by a create-only Put when the key is already there.
var ErrExists = errors.New("the key already exists")

// ErrNotFound is returned when the key (or lease) asked for is not there.
var ErrNotFound = errors.New("not found")

// Option configures a Client at Connect.
type Option func(*Client)

// WithReadOnly makes every write of the client fail with ErrReadOnly before any RPC.
func WithReadOnly(readOnly bool) Option { return func(c *Client) { c.readOnly = readOnly } }

// WithAudit records every write attempted through the client, refused ones included, in a.
func WithAudit(a *AuditLog) Option { return func(c *Client) { c.audit = a } }

// WithSnapshot makes the client read-only as the client of a snapshot file opened to browse
// (served by a throwaway member): its refusals say "snapshot <file> is read-only", not the
// --read-only flag the user never gave, and SnapshotFile names the file.
func WithSnapshot(file string) Option {
	return func(c *Client) { c.readOnly, c.snapshot = true, file }
}

// ReadOnly reports whether writes are refused.
func (c *Client) ReadOnly() bool { return c.readOnly }

// SnapshotFile is the snapshot file the client browses (WithSnapshot), "" for a cluster.
func (c *Client) SnapshotFile() string { return c.snapshot }

// readOnlyError is ErrReadOnly (errors.Is) in the words of why the client is read-only.
type readOnlyError struct{ text string }

func (e readOnlyError) Error() string        { return e.text }
func (e readOnlyError) Is(target error) bool { return target == ErrReadOnly }

// errReadOnly is the refusal of this client: ErrReadOnly, or a snapshot's own words.
func (c *Client) errReadOnly() error {
	if c.snapshot == "" {
		return ErrReadOnly
	}
	return readOnlyError{"snapshot " + EscapeText(filepath.Base(c.snapshot)) + " is read-only: writes are disabled (:close goes back to the cluster)"}
}

// KeyValue is one key as etcd holds it at a revision.
type KeyValue struct {
	Key            string
	Value          []byte
	CreateRevision int64
	ModRevision    int64
	Version        int64
	Lease          int64 // 0: none
}

// ConflictError is returned by a compare-and-swap write when the key's mod revision is no longer
// the one the caller read: nothing was written. Current is the key now, nil when it was deleted.
type ConflictError struct {
	Key      string
	Expected int64
	Current  *KeyValue
}

// Error names the key (escaped) and what it became; never its value.
func (e *ConflictError) Error() string {
	if e.Current == nil {
		return fmt.Sprintf("%s was deleted since it was read (at mod revision %d): nothing written", EscapeKey(e.Key), e.Expected)
	}
	return fmt.Sprintf("%s changed since it was read: mod revision %d, not %d: nothing written",
		EscapeKey(e.Key), e.Current.ModRevision, e.Expected)
}

// PutOptions say how a Put may change an existing key. At most one of CreateOnly and ModRev,
// and at most one of Lease and KeepLease, may be set.
type PutOptions struct {
	CreateOnly bool  // only if the key does not exist; else ErrExists
	ModRev     int64 // only if the key's mod revision is still ModRev; else *ConflictError
	Lease      int64 // attach the key to this lease (0: no lease)
	KeepLease  bool  // keep the key's current lease (etcd's ignore_lease; the key must exist)
}

// Get reads key at rev (0: current); ErrNotFound when it is not there.
func (c *Client) Get(ctx context.Context, key string, rev int64) (*KeyValue, error) {
	ctx, cancel := c.ctx(ctx)
	defer cancel()
	resp, err := c.c.Get(ctx, key, clientv3.WithRev(rev))
	if err != nil {
		return nil, Explain(err)
	}
	if len(resp.Kvs) == 0 {
		return nil, fmt.Errorf("%s: %w", EscapeKey(key), ErrNotFound)
	}
	return toKeyValue(resp.Kvs[0]), nil
}

// Put writes value at key as opts allow and returns the cluster's revision after the write.
func (c *Client) Put(ctx context.Context, key string, value []byte, opts PutOptions) (int64, error) {
	e := AuditEntry{Action: "put", Key: EscapeKey(key), OldRev: opts.ModRev}
	switch {
	case opts.CreateOnly:
		e.Action = "create"
	case opts.KeepLease:
		e.Target = "keep lease"
	case opts.Lease != 0:
		e.Target = leaseTarget(opts.Lease)
	}
	return c.writeKeys(ctx, e, key, "", func(ctx context.Context, e *AuditEntry) (int64, error) {
		if opts.CreateOnly && opts.ModRev != 0 || opts.KeepLease && opts.Lease != 0 {
			return 0, fmt.Errorf("put %s: create-only goes without a mod revision, and keep-lease without a lease", EscapeKey(key))
		}
		var po []clientv3.OpOption
		if opts.Lease != 0 {
			po = append(po, clientv3.WithLease(clientv3.LeaseID(opts.Lease)))
		}
		if opts.KeepLease {
			po = append(po, clientv3.WithIgnoreLease())
		}
		put := clientv3.OpPut(key, string(value), po...)
		var cmp clientv3.Cmp
		switch {
		case opts.CreateOnly:
			cmp = clientv3.Compare(clientv3.CreateRevision(key), "=", 0)
		case opts.ModRev != 0:
			cmp = clientv3.Compare(clientv3.ModRevision(key), "=", opts.ModRev)
		default:
			resp, err := c.c.Put(ctx, key, string(value), po...)
			if err != nil {
				return 0, Explain(err)
			}
			return resp.Header.GetRevision(), nil
		}
		txn := c.c.Txn(ctx).If(cmp).Then(put)
		if !opts.CreateOnly {
			txn = txn.Else(clientv3.OpGet(key)) // the conflict shows what the key became
		}
		resp, err := txn.Commit()
		if err != nil {
			return 0, Explain(err)
		}
		if resp.Succeeded {
			return resp.Header.GetRevision(), nil
		}
		if opts.CreateOnly {
			e.Result = "exists"
			return 0, fmt.Errorf("%s: %w", EscapeKey(key), ErrExists)
		}
		return 0, conflict(key, opts.ModRev, resp)
	})
}

// Delete removes key; with modRev > 0 only if its mod revision is still modRev (else a
// *ConflictError). It returns the revision after the delete, or ErrNotFound when there was no key.
func (c *Client) Delete(ctx context.Context, key string, modRev int64) (int64, error) {
	e := AuditEntry{Action: "delete", Key: EscapeKey(key), OldRev: modRev}
	return c.writeKeys(ctx, e, key, "", func(ctx context.Context, e *AuditEntry) (int64, error) {
		if modRev == 0 {
			resp, err := c.c.Delete(ctx, key)
			if err != nil {
				return 0, Explain(err)
			}
			if resp.Deleted == 0 {
				return resp.Header.Revision, fmt.Errorf("%s: %w", EscapeKey(key), ErrNotFound)
			}
			return resp.Header.GetRevision(), nil
		}
		resp, err := c.c.Txn(ctx).If(clientv3.Compare(clientv3.ModRevision(key), "=", modRev)).
			Then(clientv3.OpDelete(key)).Else(clientv3.OpGet(key)).Commit()
		if err != nil {
			return 0, Explain(err)
		}
		if resp.Succeeded {
			return resp.Header.GetRevision(), nil
		}
		return 0, conflict(key, modRev, resp)
	})
}

// DeletePrefix removes every key starting with prefix and returns how many went and the revision
// after. An empty prefix (the whole keyspace) is refused. Callers confirm with CountPrefix first;
// the prefix should end with the separator, or /registry/pods also takes /registry/podsecurity….
func (c *Client) DeletePrefix(ctx context.Context, prefix string) (deleted, rev int64, err error) {
	e := AuditEntry{Action: "delete-prefix", Key: EscapeKey(prefix)}
	rev, err = c.writeKeys(ctx, e, prefix, clientv3.GetPrefixRangeEnd(prefix), func(ctx context.Context, e *AuditEntry) (int64, error) {
		if prefix == "" {
			return 0, errors.New("delete-prefix with an empty prefix would delete every key: refused")
		}
		resp, err := c.c.Delete(ctx, prefix, clientv3.WithPrefix())
		if err != nil {
			return 0, Explain(err)
		}
		deleted = resp.Deleted
		e.Deleted = deleted
		return resp.Header.GetRevision(), nil
	})
	return deleted, rev, err
}

// GrantLease creates a lease of ttl (rounded up to whole seconds, at least one) and returns its ID.
func (c *Client) GrantLease(ctx context.Context, ttl time.Duration) (int64, error) {
	secs := int64((ttl + time.Second - 1) / time.Second)
	e := AuditEntry{Action: "lease-grant", Target: fmt.Sprintf("ttl %ds", max(secs, 1))}
	var id int64
	_, err := c.write(ctx, e, func(ctx context.Context, e *AuditEntry) (int64, error) {
		resp, err := c.c.Grant(ctx, max(secs, 1))
		if err != nil {
			return 0, Explain(err)
		}
		id = int64(resp.ID)
		e.Target = leaseTarget(id) + " " + e.Target
		return resp.ResponseHeader.GetRevision(), nil
	})
	return id, err
}

// RevokeLease ends lease id, deleting the keys attached to it, and returns the revision after.
func (c *Client) RevokeLease(ctx context.Context, id int64) (int64, error) {
	e := AuditEntry{Action: "lease-revoke", Target: leaseTarget(id)}
	return c.write(ctx, e, func(ctx context.Context, e *AuditEntry) (int64, error) {
		resp, err := c.c.Revoke(ctx, clientv3.LeaseID(id))
		if err != nil {
			return 0, Explain(err)
		}
		return resp.Header.GetRevision(), nil
	})
}

// LeaseTTL returns the time left on lease id (a read: allowed in read-only mode), or ErrNotFound
// when it expired or was revoked.
func (c *Client) LeaseTTL(ctx context.Context, id int64) (time.Duration, error) {
	ctx, cancel := c.ctx(ctx)
	defer cancel()
	resp, err := c.c.TimeToLive(ctx, clientv3.LeaseID(id))
	if errors.Is(err, rpctypes.ErrLeaseNotFound) || err == nil && resp.TTL < 0 {
		return 0, fmt.Errorf("%s: %w", leaseTarget(id), ErrNotFound)
	}
	if err != nil {
		return 0, Explain(err)
	}
	return time.Duration(resp.TTL) * time.Second, nil
}

// write is the one gate of every write: the read-only refusal before any RPC, the command timeout
// from the caller's context, and the audit line. do may set e.Result (e.g. "exists") and add to e.
func (c *Client) write(ctx context.Context, e AuditEntry, do func(context.Context, *AuditEntry) (int64, error)) (int64, error) {
	return c.writeTimeout(ctx, c.conf.CommandTimeout, e, do)
}

// writeTimeout is write with its own timeout instead of the command timeout (a defragment of a
// large member takes far longer than --command-timeout); 0 leaves only the caller's deadline.
func (c *Client) writeTimeout(ctx context.Context, timeout time.Duration, e AuditEntry, do func(context.Context, *AuditEntry) (int64, error)) (int64, error) {
	if err := c.admit(&e); err != nil {
		return 0, err
	}
	cctx, cancel := context.WithCancel(ctx)
	if timeout > 0 {
		cctx, cancel = context.WithTimeout(ctx, timeout)
	}
	defer cancel()
	rev, err := do(cctx, &e)
	e.NewRev = rev
	var ce *ConflictError
	switch {
	case e.Result != "":
	case err == nil:
		e.Result = "ok"
	case errors.As(err, &ce):
		e.Result = "conflict"
		if ce.Current != nil {
			e.Target = fmt.Sprintf("now at mod revision %d", ce.Current.ModRevision)
		} else {
			e.Target = "now deleted"
		}
	default:
		e.Result = err.Error()
	}
	c.record(e)
	return rev, err
}

// writeKeys is write for a write to the keys [from, end) (end "" for the key from): a range the
// user's roles do not let it write is refused before anything is sent, and the refusal audited,
// after the read-only refusal (which says more about why).
func (c *Client) writeKeys(ctx context.Context, e AuditEntry, from, end string, do func(context.Context, *AuditEntry) (int64, error)) (int64, error) {
	if err := c.access.CheckWrite(from, end); err != nil && !c.readOnly {
		e.User, e.Endpoints = c.conf.User, c.conf.Endpoints
		e.Result = "refused: " + err.Error()
		c.record(e)
		return 0, err
	}
	return c.write(ctx, e, do)
}

// admit is the gate's first half, shared by every write (keys, leases, maintenance, restores,
// backup files): in read-only mode it records the refusal and returns ErrReadOnly; otherwise it
// reserves room for the write's audit line and refuses the write when the line could not be kept
// (the audit log fails closed). Nothing has been sent when it returns an error.
func (c *Client) admit(e *AuditEntry) error {
	e.User, e.Endpoints = c.conf.User, c.conf.Endpoints
	if c.readOnly {
		e.Result = "refused: read-only"
		c.record(*e)
		return c.errReadOnly()
	}
	return c.audit.Reserve(*e)
}

// CheckWrite asks the gate before a write is prepared (a prompt opened, a question asked): in
// read-only mode it records action on key (or target: a file, a member) as refused in the audit log and returns ErrReadOnly, so
// a refusal the user sees is always audited; otherwise it returns nil and records nothing (the
// write itself records its line).
func (c *Client) CheckWrite(action, key, target string) error {
	if !c.readOnly {
		// The user's write ranges: refused here too, so no prompt opens for a write that would be.
		if err := c.rangeRefusal(action, key); err != nil {
			e := AuditEntry{Action: action, Key: EscapeKey(key), Target: EscapeKey(target),
				User: c.conf.User, Endpoints: c.conf.Endpoints, Result: "refused: " + err.Error()}
			c.record(e)
			return err
		}
		return nil
	}
	e := AuditEntry{Action: action, Key: EscapeKey(key), Target: EscapeKey(target)}
	return c.admit(&e)
}

// Refuses reports whether CheckWrite(action, key, …) would refuse, without recording anything:
// the console asks it on the UI loop and lets CheckWrite say why (and audit it) off the loop.
func (c *Client) Refuses(action, key string) bool {
	return c.readOnly || c.rangeRefusal(action, key) != nil
}

// rangeRefusal is the user's write ranges' answer for action on key: a delete-prefix covers the
// directory key, a create (whose name is not typed yet) needs some write range under the
// directory key, any other action the key itself.
func (c *Client) rangeRefusal(action, key string) error {
	switch {
	case key == "":
		return nil
	case action == "delete-prefix":
		return c.access.CheckWrite(key, clientv3.GetPrefixRangeEnd(key))
	case action == "create":
		return c.access.CheckWriteUnder(key)
	}
	return c.access.CheckWrite(key, "")
}

func (c *Client) record(e AuditEntry) {
	if err := c.audit.Record(e); err != nil {
		c.log.Warn("audit log", zap.String("path", c.audit.Path()), zap.Error(err))
	}
}

// conflict builds the ConflictError of a failed compare from the transaction's Else get.
func conflict(key string, expected int64, resp *clientv3.TxnResponse) error {
	ce := &ConflictError{Key: key, Expected: expected}
	if len(resp.Responses) > 0 {
		if r := resp.Responses[0].GetResponseRange(); r != nil && len(r.Kvs) > 0 {
			ce.Current = toKeyValue(r.Kvs[0])
		}
	}
	return ce
}

func toKeyValue(kv *mvccpb.KeyValue) *KeyValue {
	return &KeyValue{Key: string(kv.Key), Value: kv.Value, CreateRevision: kv.CreateRevision,
		ModRevision: kv.ModRevision, Version: kv.Version, Lease: kv.Lease}
}
