// Package backup is etcdeck's backup directory: the names it gives snapshots, listing them,
// retention, and the partial files a save leaves while it runs.
package backup

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"time"
)

// backupTimeLayout is the UTC time in a backup's name: sortable, no characters a shell or a
// Windows share would object to.
const backupTimeLayout = "20060102T150405Z"

// backupName matches the names etcdeck gives backups and nothing else: retention must never touch
// a file it did not write.
var backupName = regexp.MustCompile(`^etcd-snapshot-([0-9a-f]{1,16})-([0-9]{8}T[0-9]{6}Z)-rev([0-9]{1,19})\.db$`)

// PartialPattern names a save in progress: hidden, and never matching backupName, so a save that
// dies half-way leaves nothing that looks like a backup.
const PartialPattern = ".etcdeck-partial-*.tmp"

// stalePartialAge is how long a partial file goes unwritten before a later save removes it: a
// save writes every few milliseconds, so one this quiet was killed (etcdeck quit mid-save).
const stalePartialAge = time.Hour

// RemoveStalePartials removes partial files in dir that have not been written to for
// stalePartialAge; a save running meanwhile (another etcdeck, cron) keeps its file fresh.
func RemoveStalePartials(dir string, now time.Time) {
	matches, _ := filepath.Glob(filepath.Join(dir, PartialPattern))
	for _, p := range matches {
		if info, err := os.Lstat(p); err == nil && info.Mode().IsRegular() && now.Sub(info.ModTime()) > stalePartialAge {
			os.Remove(p)
		}
	}
}

// Name is the file name of a snapshot of cluster id taken at t (in UTC) at revision rev:
// etcd-snapshot-<cluster-id hex>-20261125T010203Z-rev4006.db.
func Name(clusterID uint64, t time.Time, rev int64) string {
	return fmt.Sprintf("etcd-snapshot-%016x-%s-rev%d.db", clusterID, t.UTC().Format(backupTimeLayout), rev)
}

// File is one snapshot file in a backup directory, as its name describes it.
type File struct {
	Path      string
	Name      string
	ClusterID uint64
	Time      time.Time // from the name, UTC
	Revision  int64     // from the name
	Size      int64
	ModTime   time.Time
}

// ParseName reads cluster ID, time and revision from a name Name produced; ok is
// false for every other name.
func ParseName(name string) (b File, ok bool) {
	m := backupName.FindStringSubmatch(name)
	if m == nil {
		return b, false
	}
	id, err1 := strconv.ParseUint(m[1], 16, 64)
	t, err2 := time.Parse(backupTimeLayout, m[2])
	rev, err3 := strconv.ParseInt(m[3], 10, 64)
	if err1 != nil || err2 != nil || err3 != nil {
		return b, false
	}
	return File{Name: name, ClusterID: id, Time: t.UTC(), Revision: rev}, true
}

// List returns the backups in dir (files named as Name names them), newest first. A
// missing directory is an empty list: nothing has been saved yet.
func List(dir string) ([]File, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read backup directory: %w", err)
	}
	var out []File
	for _, e := range entries {
		b, ok := ParseName(e.Name())
		if !ok || !e.Type().IsRegular() {
			continue
		}
		info, err := e.Info()
		if err != nil {
			continue // removed while we listed
		}
		b.Path = filepath.Join(dir, e.Name())
		b.Size, b.ModTime = info.Size(), info.ModTime()
		out = append(out, b)
	}
	Sort(out)
	return out, nil
}

// Sort orders backups newest first (by the time in the name, then revision, then name, so
// the order is total).
func Sort(bs []File) {
	sort.SliceStable(bs, func(i, j int) bool {
		a, b := bs[i], bs[j]
		if !a.Time.Equal(b.Time) {
			return a.Time.After(b.Time)
		}
		if a.Revision != b.Revision {
			return a.Revision > b.Revision
		}
		return a.Name > b.Name
	})
}

// Retention says which backups to keep: the newest Keep of a cluster always stay, and older ones
// stay until they are more than KeepDays days old.
type Retention struct {
	Keep     int
	KeepDays int
}

// The default retention: the last DefaultKeep backups of a cluster, and any younger than
// DefaultKeepDays days.
const (
	DefaultKeep     = 10
	DefaultKeepDays = 30
)

// DefaultRetention is the retention used when neither the config nor the flags set one. A
// function, not a variable: nothing can change the default for everyone else.
func DefaultRetention() Retention { return Retention{Keep: DefaultKeep, KeepDays: DefaultKeepDays} }

// Expired returns the backups of cluster id that r deletes at now: older than KeepDays days (by
// the time in the name) and not among the newest Keep (at least 1, so the last good backup is
// never deleted). Other clusters' backups are never returned.
func (r Retention) Expired(files []File, clusterID uint64, now time.Time) []File {
	keep := max(r.Keep, 1)
	maxAge := time.Duration(max(r.KeepDays, 0)) * 24 * time.Hour
	var mine []File
	for _, f := range files {
		if f.ClusterID == clusterID {
			if _, ok := ParseName(f.Name); ok {
				mine = append(mine, f)
			}
		}
	}
	Sort(mine)
	var out []File
	for i, f := range mine {
		if i >= keep && now.Sub(f.Time) > maxAge {
			out = append(out, f)
		}
	}
	return out
}

// ApplyRetention deletes cluster id's expired backups in dir with remove and returns the ones it
// deleted. It stops at the first file it cannot delete and returns that error with what was
// deleted so far. Save passes the write gate's remove (cluster.DeleteExpiredBackup: refused in
// read-only mode, audited per file); a file already gone counts as deleted.
func ApplyRetention(dir string, clusterID uint64, r Retention, now time.Time, remove func(path string) error) ([]File, error) {
	files, err := List(dir)
	if err != nil {
		return nil, err
	}
	var deleted []File
	for _, f := range r.Expired(files, clusterID, now) {
		if err := remove(f.Path); err != nil && !errors.Is(err, os.ErrNotExist) {
			return deleted, fmt.Errorf("retention: %w", err)
		}
		deleted = append(deleted, f)
	}
	return deleted, nil
}
