package cluster

import (
	"encoding/json"
	"errors"
	"fmt"
	"syscall"

	"golang.org/x/sys/unix"
)

// auditSlack is room kept for what a write adds to its audit line after it was sent: the
// revision, the result, an error text.
const auditSlack = 8 << 10

// Reserve makes sure the audit line of e can be written once the write is done, before the write
// is sent: it allocates room past the end of the file for a line of e's size plus auditSlack
// (fallocate, keeping the file's size), so a full filesystem refuses the write here — fail closed
// — instead of losing its audit line afterwards. A filesystem without fallocate is only checked
// for being writable at all. A nil log reserves nothing.
func (a *AuditLog) Reserve(e AuditEntry) error {
	if a == nil {
		return nil
	}
	line, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("audit log: %w", err)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.f == nil {
		return fmt.Errorf("the audit log %s is closed: nothing was sent", EscapeKey(a.path))
	}
	st, err := a.f.Stat()
	if err != nil {
		return a.unwritable(err)
	}
	err = unix.Fallocate(int(a.f.Fd()), unix.FALLOC_FL_KEEP_SIZE, st.Size(), int64(len(line))+auditSlack)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, syscall.EOPNOTSUPP), errors.Is(err, syscall.ENOSYS):
		return nil // no way to reserve here; Record still reports a failure
	}
	return a.unwritable(err)
}

// unwritable is the refusal of a write whose audit line could not be kept.
func (a *AuditLog) unwritable(err error) error {
	return fmt.Errorf("not sent: the audit log %s cannot be written (%v); every write is recorded there first, so none is sent until it can be (free space on its filesystem, or set XDG_STATE_HOME)",
		EscapeKey(a.path), err)
}
