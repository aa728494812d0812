package snapshots

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/embednode"
	"github.com/etcdeck/etcdeck/views/common"
)

// openID names `o`'s task in the status bar.
const openID = "snapshots.open"

// openTimeout bounds restoring and serving one snapshot (a multi-gigabyte file takes a while).
const openTimeout = 10 * time.Minute

// opener is `o`: the selected snapshot restored into a temporary directory and served by a
// temporary member, shown as a read-only session the root puts on top of the cluster's.
type opener struct {
	seq     int
	running bool
}

// openedMsg carries the opened snapshot and its session, or why it could not be opened.
type openedMsg struct {
	sid     uint64
	seq     int
	file    string
	session *cluster.Session
	snap    *embednode.OpenedSnapshot
	err     error
}

// startOpen opens the selected snapshot, or says why not.
func (m *Model) startOpen() tea.Cmd {
	f, ok := m.selected()
	switch {
	case !ok:
		return nil
	case m.open.running:
		return flashWarn("a snapshot is being opened already")
	case m.exe == "":
		return flashErr("open: etcdeck's own binary is unknown, and the snapshot must be served by a child process")
	}
	m.open.seq++
	m.open.running = true
	sid, seq, exe, file, ctx, log := m.common.SessionID(), m.open.seq, m.exe, f.Path, m.common.Context(), m.common.Logger()
	conn := m.common.Settings.Conn
	run := func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, openTimeout)
		defer cancel()
		snap, err := embednode.OpenSnapshot(ctx, exe, file, "", io.Discard)
		if err != nil {
			return openedMsg{sid: sid, seq: seq, file: file, err: err}
		}
		// The temporary member is local plaintext without auth: the cluster's TLS files and
		// user are not for it. Read-only refuses every write in cluster's write path.
		conn.Endpoints = snap.Endpoints()
		conn.InsecureTransport, conn.InsecureSkipTLSVerify = true, false
		conn.CACert, conn.Cert, conn.Key, conn.User, conn.Password = "", "", "", "", ""
		client, err := cluster.Connect(ctx, conn, log.Named("snapshot"), cluster.WithReadOnly(true))
		if err != nil {
			snap.Close()
			return openedMsg{sid: sid, seq: seq, file: file, err: err}
		}
		s := cluster.NewSession(context.Background(), client, "snapshot "+filepath.Base(file)+" · read-only", nil)
		s.ReadOnly = true
		return openedMsg{sid: sid, seq: seq, file: file, session: s, snap: snap}
	}
	return tea.Batch(common.StartTask(openID, "open "+filepath.Base(file), false), run)
}

// opened shows the snapshot's session; the root keeps the cluster's underneath.
func (m *Model) opened(msg openedMsg) tea.Cmd {
	if msg.sid != m.common.SessionID() {
		return nil // another session's view opened it
	}
	if msg.seq != m.open.seq || !m.open.running {
		if msg.session != nil { // a result nobody waits for: release it
			msg.session.End()
			msg.snap.Close()
		}
		return nil
	}
	m.open.running = false
	if msg.err != nil {
		return common.EndTask(openID, "", fmt.Errorf("open %s: %w", filepath.Base(msg.file), msg.err))
	}
	return tea.Batch(
		common.EndTask(openID, fmt.Sprintf("opened %s at rev %d, read-only (esc or :close goes back)", filepath.Base(msg.file), msg.snap.Result.Revision), nil),
		common.Cmd(common.OpenSessionMsg{Session: msg.session, Close: msg.snap.Close}))
}
