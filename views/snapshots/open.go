package snapshots

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"sync"
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

// closeWait bounds how long Close waits for an open it cancelled to stop its children and
// remove its directory (a restore child and a member each stop within seconds).
const closeWait = 15 * time.Second

// opener is `o`: the selected snapshot restored into a temporary directory and served by a
// temporary member, shown as a read-only session the root puts on top of the cluster's.
type opener struct {
	seq     int
	running bool
	flight  *openFlight // the open in progress, nil when none
}

// openFlight is one open in progress, shared with the goroutine doing it: cancel ends it (esc,
// quitting), done closes when it has returned, and a result the view never took (the console
// quit first) is released by Close.
type openFlight struct {
	cancel context.CancelFunc
	steps  chan string
	done   chan struct{}

	mu    sync.Mutex
	res   openedMsg
	taken bool
}

// take marks the flight's result as handled by the view; false if Close released it already.
func (f *openFlight) take() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.taken {
		return false
	}
	f.taken = true
	return true
}

// openedMsg carries the opened snapshot and its session, or why it could not be opened.
type openedMsg struct {
	sid     uint64
	seq     int
	file    string
	fl      *openFlight
	session *cluster.Session
	snap    *embednode.OpenedSnapshot
	err     error
}

// openStepMsg is the step open seq has reached.
type openStepMsg struct {
	sid  uint64
	seq  int
	step string
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
	// The session's context ends with the console; cancel also ends it on esc.
	ctx, cancel := context.WithTimeout(m.common.Context(), openTimeout)
	fl := &openFlight{cancel: cancel, steps: make(chan string, 8), done: make(chan struct{})}
	m.open.flight = fl
	sid, seq, exe, file, log := m.common.SessionID(), m.open.seq, m.exe, f.Path, m.common.Logger()
	conn := m.common.Settings.Conn
	step := func(s string) {
		select {
		case fl.steps <- s:
		default: // the bar shows the latest step; never block the open on the UI
		}
	}
	open := func() openedMsg {
		snap, err := embednode.OpenSnapshot(ctx, exe, file, "", io.Discard, step)
		if err != nil {
			return openedMsg{err: err}
		}
		step(stepConnecting)
		// Read-only refuses every write in cluster's write path.
		client, err := cluster.Connect(ctx, conn.Local(snap.Endpoints()), log.Named("snapshot"), cluster.WithReadOnly(true))
		if err == nil {
			err = ctx.Err() // cancelled while connecting: nobody waits for the session
		}
		if err != nil {
			if client != nil {
				client.Close()
			}
			snap.Close()
			return openedMsg{err: err}
		}
		s := cluster.NewSession(context.Background(), client, "snapshot "+filepath.Base(file)+" · read-only", nil)
		s.ReadOnly = true
		return openedMsg{session: s, snap: snap}
	}
	run := func() tea.Msg {
		defer cancel()
		msg := open()
		msg.sid, msg.seq, msg.file, msg.fl = sid, seq, file, fl
		fl.mu.Lock()
		fl.res = msg
		fl.mu.Unlock()
		close(fl.steps)
		close(fl.done)
		return msg
	}
	return tea.Batch(common.StartTask(openID, "open "+filepath.Base(file), false), run, waitOpenStep(sid, seq, fl.steps))
}

// stepConnecting is the last step of an open, in the view: the client dials the member.
const stepConnecting = "connecting"

// waitOpenStep delivers the next step of open seq; it ends with the open.
func waitOpenStep(sid uint64, seq int, steps chan string) tea.Cmd {
	return func() tea.Msg {
		s, ok := <-steps
		if !ok {
			return nil
		}
		return openStepMsg{sid: sid, seq: seq, step: s}
	}
}

func (m *Model) openStep(msg openStepMsg) tea.Cmd {
	if msg.sid != m.common.SessionID() || !m.open.running || msg.seq != m.open.seq {
		return nil
	}
	return tea.Batch(common.TaskProgress(openID, openStepText(msg.step)), waitOpenStep(msg.sid, msg.seq, m.open.flight.steps))
}

// openStepText says what an open is doing, for the status bar.
func openStepText(step string) string {
	switch step {
	case embednode.StepRestoring:
		return "restoring into a temporary dir (child process)"
	case embednode.StepServing:
		return "starting the temporary member"
	case stepConnecting:
		return "connecting to the temporary member"
	}
	return step
}

// cancelOpen ends a running open (esc): its children stop and its directory goes.
func (m *Model) cancelOpen() tea.Cmd {
	if m.open.flight != nil {
		m.open.flight.cancel()
	}
	return nil
}

// Close ends an open still running when the console exits and waits (a few seconds at most)
// for it to stop its children and remove its temporary directory; a snapshot that opened just
// then is closed, since no view will show it. Run calls it after the program ends.
func (m *Model) Close() {
	fl := m.open.flight
	if fl == nil {
		return
	}
	fl.cancel()
	select {
	case <-fl.done:
	case <-time.After(closeWait):
		return
	}
	if fl.take() && fl.res.session != nil {
		fl.res.session.End()
		fl.res.snap.Close()
	}
}

// opened shows the snapshot's session; the root keeps the cluster's underneath.
func (m *Model) opened(msg openedMsg) tea.Cmd {
	if msg.fl != nil && !msg.fl.take() {
		return nil // released by Close already
	}
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
	m.open.running, m.open.flight = false, nil
	if errors.Is(msg.err, context.Canceled) {
		return common.EndTask(openID, "", fmt.Errorf("open %s: cancelled; its temporary dir is removed", filepath.Base(msg.file)))
	}
	if msg.err != nil {
		return common.EndTask(openID, "", fmt.Errorf("open %s: %w", filepath.Base(msg.file), msg.err))
	}
	return tea.Batch(
		common.EndTask(openID, fmt.Sprintf("opened %s at rev %d, read-only (esc or :close goes back)", filepath.Base(msg.file), msg.snap.Result.Revision), nil),
		common.Cmd(common.OpenSessionMsg{Session: msg.session, Close: msg.snap.Close}))
}
