package snapshots

import (
	"context"
	"errors"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/cluster/backup"
	"github.com/etcdeck/etcdeck/embednode"
)

// statusTimeout bounds one child reading one file (a multi-gigabyte file takes seconds).
const statusTimeout = 5 * time.Minute

// listedMsg carries the backup directory's files and the statuses the cache already holds.
type listedMsg struct {
	sid    uint64
	gen    int
	files  []backup.File
	cached map[string]embednode.SnapshotStatus
	err    error
}

// statusMsg carries one file's status, read by a child process.
type statusMsg struct {
	sid  uint64
	path string
	st   embednode.SnapshotStatus
	err  error
}

// deletedMsg says a file was deleted (or why not).
type deletedMsg struct {
	sid  uint64
	path string
	err  error
}

// The view's results name their session: the gate (common.Foreign) drops another session's.
func (m listedMsg) ResultSession() uint64  { return m.sid }
func (m statusMsg) ResultSession() uint64  { return m.sid }
func (m deletedMsg) ResultSession() uint64 { return m.sid }

// reload lists the directory again; results of earlier listings are dropped.
func (m *Model) reload() tea.Cmd {
	m.gen++
	dir, gen, sid, cache := m.dir(), m.gen, m.common.SessionID(), m.cache
	if dir == "" {
		return nil
	}
	return func() tea.Msg {
		files, err := backup.List(dir)
		cached := map[string]embednode.SnapshotStatus{}
		for _, f := range files {
			if st, ok := cache.Get(f.Path, f.Size, f.ModTime); ok {
				cached[f.Path] = st
			}
		}
		return listedMsg{sid: sid, gen: gen, files: files, cached: cached, err: err}
	}
}

func (m *Model) applyListing(msg listedMsg) tea.Cmd {
	if msg.gen != m.gen {
		return nil
	}
	m.listed, m.listErr = true, msg.err
	var sel string
	if f, ok := m.selected(); ok {
		sel = f.Path
	}
	m.files = msg.files
	known := make(map[string]*fileStatus, len(m.files))
	for _, f := range m.files {
		if st, ok := msg.cached[f.Path]; ok {
			known[f.Path] = &fileStatus{st: &st}
		} else if old := m.statuses[f.Path]; old != nil && (old.st != nil && old.st.Size == f.Size || old.loading) {
			known[f.Path] = old
		}
	}
	m.statuses = known
	for i, f := range m.files {
		if f.Path == sel {
			m.cursor = i
		}
	}
	m.clamp()
	return m.readNext()
}

// readNext starts reading the status of the first file without one, newest first; one child at
// a time, so a directory of hundreds of new files does not start hundreds of processes.
func (m *Model) readNext() tea.Cmd {
	if m.reading != "" || m.exe == "" {
		return nil
	}
	if w := m.restore.waiting; w != "" && m.statuses[w] == nil {
		return m.readStatus(w) // R waits for it
	}
	for _, f := range m.files {
		if fs := m.statuses[f.Path]; fs == nil {
			return m.readStatus(f.Path)
		}
	}
	return nil
}

// readStatus reads path's status in a child process (or from the cache) unless it is known.
func (m *Model) readStatus(path string) tea.Cmd {
	if fs := m.statuses[path]; fs != nil || m.exe == "" || m.reading != "" {
		return nil
	}
	m.statuses[path] = &fileStatus{loading: true}
	m.reading = path
	exe, cache, sid, ctx := m.exe, m.cache, m.common.SessionID(), m.common.Context()
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, statusTimeout)
		defer cancel()
		st, err := cache.Status(ctx, exe, path)
		cache.Save() // best effort: a cache that cannot be written only costs time later
		return statusMsg{sid: sid, path: path, st: st, err: err}
	}
}

func (m *Model) statusRead(msg statusMsg) tea.Cmd {
	if m.reading == msg.path {
		m.reading = ""
	}
	fs := &fileStatus{}
	if msg.err != nil {
		fs.err = msg.err
	} else {
		st := msg.st
		fs.st = &st
	}
	m.statuses[msg.path] = fs
	return m.readNext()
}

// deleteCmd removes one snapshot file through the write gate: refused in read-only mode,
// audited either way.
func deleteCmd(s *cluster.Session, path string) tea.Cmd {
	return func() tea.Msg {
		var err error
		if s.Client == nil {
			err = errors.New("not connected")
		} else {
			err = s.Client.DeleteBackup(s.Context(), path)
		}
		return deletedMsg{sid: s.ID, path: path, err: err}
	}
}

// refuseWrite is the command that asks the write gate about action on target in a read-only
// session: the gate records the refusal in the audit log, and its words are flashed.
func refuseWrite(c *cluster.Client, action, target string) tea.Cmd {
	return func() tea.Msg {
		err := c.CheckWrite(action, "", target)
		if err == nil {
			return nil
		}
		return flashErr(action + ": " + err.Error())()
	}
}

func (m *Model) deleted(msg deletedMsg) tea.Cmd {
	if msg.err != nil {
		return flashErr("delete: " + msg.err.Error())
	}
	m.cache.Forget(msg.path)
	return tea.Batch(flashInfo("deleted "+msg.path), m.reload())
}
