package cluster

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"
)

// AuditFile is the audit log's name inside the state dir: AuditPath(stateDir).
const AuditFile = "audit.log"

// AuditPath is where the audit log of a state dir lives.
func AuditPath(stateDir string) string { return filepath.Join(stateDir, AuditFile) }

// AuditLog appends one JSON line per write attempted through a Client: who, where, what and the
// outcome, never a value or a password. It is safe for concurrent use; a nil *AuditLog records
// nothing.
type AuditLog struct {
	mu   sync.Mutex
	f    *os.File
	path string
}

// AuditEntry is one line of the audit log. Key holds a key or prefix escaped as EscapeKey shows
// it; Target names what else an action is about (a lease, an endpoint, a revision).
type AuditEntry struct {
	Time      string   `json:"time"` // RFC 3339, UTC
	User      string   `json:"user"` // the etcd user, "" without authentication
	Endpoints []string `json:"endpoints"`
	Action    string   `json:"action"` // put, create, delete, delete-prefix, lease-grant, ...
	Key       string   `json:"key,omitempty"`
	Target    string   `json:"target,omitempty"`
	OldRev    int64    `json:"old_rev,omitempty"` // the mod revision compared against
	NewRev    int64    `json:"new_rev,omitempty"` // the cluster's revision after the write
	Deleted   int64    `json:"deleted,omitempty"` // keys removed by delete-prefix
	Result    string   `json:"result"`            // ok, refused: read-only, conflict, exists, or the error
}

// OpenAudit opens (creating) the audit log at path for appending, with the file readable only
// by its owner (0600) in a directory created 0700.
func OpenAudit(path string) (*AuditLog, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("audit log: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("audit log: %w", err)
	}
	// A file created earlier with a wider mode (or under another umask) is narrowed: it names
	// keys and users.
	if st, err := f.Stat(); err == nil && st.Mode().Perm()&0o077 != 0 {
		if err := f.Chmod(0o600); err != nil {
			f.Close()
			return nil, fmt.Errorf("audit log: %w", err)
		}
	}
	return &AuditLog{f: f, path: path}, nil
}

// Path is the file the log appends to ("" for a nil log).
func (a *AuditLog) Path() string {
	if a == nil {
		return ""
	}
	return a.path
}

// Close closes the file; later records are dropped.
func (a *AuditLog) Close() error {
	if a == nil {
		return nil
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.f == nil {
		return nil
	}
	err := a.f.Close()
	a.f = nil
	return err
}

// Record appends e as one line, filling in the time when it is empty. Each line is one write(2)
// on a file opened O_APPEND, so two consoles sharing a state dir do not interleave lines.
func (a *AuditLog) Record(e AuditEntry) error {
	if a == nil {
		return nil
	}
	if e.Time == "" {
		e.Time = time.Now().UTC().Format(time.RFC3339)
	}
	if e.Endpoints == nil {
		e.Endpoints = []string{}
	}
	line, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("audit log: %w", err)
	}
	line = append(line, '\n')
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.f == nil {
		return fmt.Errorf("audit log %s is closed", a.path)
	}
	if _, err := a.f.Write(line); err != nil {
		return fmt.Errorf("audit log: %w", err)
	}
	return nil
}

// leaseTarget names a lease in an audit line as etcdctl prints it (hex).
func leaseTarget(id int64) string { return "lease " + strconv.FormatInt(id, 16) }
