package embednode

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// StatusCache remembers snapshot statuses by file path, size and modification time, in a small
// JSON file, so a directory of hundreds of backups shows its statuses at once instead of running
// a child process per file (each reads the whole file). It is safe for concurrent use.
type StatusCache struct {
	file string

	mu      sync.Mutex
	entries map[string]cachedStatus
	dirty   bool
}

type cachedStatus struct {
	Size    int64          `json:"size"`
	ModTime int64          `json:"mtime_ns"`
	Status  SnapshotStatus `json:"status"`
}

// OpenStatusCache loads the cache kept in file; a missing or unreadable file is an empty cache
// (it is only a cache), and file "" keeps it in memory only.
func OpenStatusCache(file string) *StatusCache {
	c := &StatusCache{file: file, entries: map[string]cachedStatus{}}
	if file == "" {
		return c
	}
	if data, err := os.ReadFile(file); err == nil {
		json.Unmarshal(data, &c.entries)
	}
	if c.entries == nil {
		c.entries = map[string]cachedStatus{}
	}
	return c
}

// Get returns the status cached for path if the file still has the size and mtime it had then.
func (c *StatusCache) Get(path string, size int64, mtime time.Time) (SnapshotStatus, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[path]
	if !ok || e.Size != size || e.ModTime != mtime.UnixNano() {
		return SnapshotStatus{}, false
	}
	if e.Status.Error == "" && e.Status.Auth == "" {
		// Read by an etcdeck that did not look for authentication: R needs to know.
		return SnapshotStatus{}, false
	}
	return e.Status, true
}

// Put remembers st for path at the given size and mtime.
func (c *StatusCache) Put(path string, size int64, mtime time.Time, st SnapshotStatus) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.entries[path] = cachedStatus{Size: size, ModTime: mtime.UnixNano(), Status: st}
	c.dirty = true
}

// Forget drops path (a deleted file).
func (c *StatusCache) Forget(path string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.entries[path]; ok {
		delete(c.entries, path)
		c.dirty = true
	}
}

// Status returns path's cached status, or reads it in a child process (exe) and caches it. Only
// answers about the file are cached; a cancelled read is not.
func (c *StatusCache) Status(ctx context.Context, exe, path string) (SnapshotStatus, error) {
	info, err := os.Stat(path)
	if err != nil {
		return SnapshotStatus{Path: path}, err
	}
	if st, ok := c.Get(path, info.Size(), info.ModTime()); ok {
		return st, nil
	}
	st, err := SnapshotStatusInChild(ctx, exe, path)
	if err != nil {
		return st, err
	}
	c.Put(path, info.Size(), info.ModTime(), st)
	return st, nil
}

// Save writes the cache back (temp file and rename, mode 0600), dropping entries whose files are
// gone. It does nothing when nothing changed.
func (c *StatusCache) Save() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	for p := range c.entries {
		if _, err := os.Stat(p); err != nil {
			delete(c.entries, p)
			c.dirty = true
		}
	}
	if !c.dirty || c.file == "" {
		return nil
	}
	data, err := json.Marshal(c.entries)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(c.file), 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(c.file), ".status-cache-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), c.file); err != nil {
		return err
	}
	c.dirty = false
	return nil
}
