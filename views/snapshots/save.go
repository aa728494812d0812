package snapshots

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/cluster/backup"
	"github.com/etcdeck/etcdeck/views/common"
)

// saveTaskID is the status bar task of a running save.
const saveTaskID = "snapshots.save"

// saving is a running save: its cancel and the channel its progress arrives on.
type saving struct {
	seq      int
	cancel   context.CancelFunc
	progress chan cluster.SaveProgress
}

// saveProgressMsg is the latest progress of save seq.
type saveProgressMsg struct {
	seq int
	p   cluster.SaveProgress
}

// saveDoneMsg ends save seq: the saved file and what retention deleted, or why it failed.
type saveDoneMsg struct {
	sid uint64
	seq int
	res backup.SaveResult // with what retention deleted
	err error
}

// startSave saves a snapshot into the backup directory, then applies retention; progress goes to
// the status bar. One save at a time.
func (m *Model) startSave() tea.Cmd {
	switch {
	case m.save != nil:
		return flashWarn("a snapshot save is already running (esc on the Snapshots view cancels it)")
	case m.common.Session == nil:
		return flashErr("snapshot: not connected to a cluster")
	case m.dir() == "":
		return flashErr("snapshot: no backup directory (--backup-dir or backup-dir in the config)")
	}
	m.saveSeq++
	ctx, cancel := context.WithCancel(m.common.Context())
	s := &saving{seq: m.saveSeq, cancel: cancel, progress: make(chan cluster.SaveProgress, 1)}
	m.save = s
	client, dir, retention, sid := m.common.Session.Client, m.dir(), m.common.Settings.Retention, m.common.SessionID()
	run := func() tea.Msg {
		defer cancel()
		defer close(s.progress)
		res, err := backup.Save(ctx, client, backup.SaveOptions{Dir: dir, Retention: &retention, Progress: func(p cluster.SaveProgress) {
			// Latest wins: the UI wants the current figures, not a backlog.
			select {
			case <-s.progress:
			default:
			}
			s.progress <- p
		}})
		return saveDoneMsg{sid: sid, seq: s.seq, res: res, err: err}
	}
	return tea.Batch(common.StartTask(saveTaskID, "snapshot", false), run, waitProgress(s))
}

// waitProgress delivers the next progress report of s; it ends when the save does.
func waitProgress(s *saving) tea.Cmd {
	return func() tea.Msg {
		p, ok := <-s.progress
		if !ok {
			return nil
		}
		return saveProgressMsg{seq: s.seq, p: p}
	}
}

func (m *Model) saveProgress(msg saveProgressMsg) tea.Cmd {
	if m.save == nil || msg.seq != m.save.seq {
		return nil
	}
	return tea.Batch(common.TaskProgress(saveTaskID, progressText(msg.p)), waitProgress(m.save))
}

// progressText is "from the follower 10.0.0.2:2379 · 12.0 MiB of 525.7 MiB · 43.0 MiB/s · 3s".
func progressText(p cluster.SaveProgress) string {
	parts := []string{"from the " + p.Role + " " + p.Endpoint, cluster.FormatBytes(p.Bytes)}
	if p.Total > 0 {
		parts[1] += " of " + cluster.FormatBytes(p.Total)
	}
	if rate := cluster.FormatRate(p.Bytes, p.Elapsed); rate != "" {
		parts = append(parts, rate)
	}
	parts = append(parts, p.Elapsed.Round(time.Second).String())
	return strings.Join(parts, " · ")
}

func (m *Model) saveDone(msg saveDoneMsg) tea.Cmd {
	if m.save == nil || msg.seq != m.save.seq {
		return nil
	}
	m.save = nil
	if msg.sid != m.common.SessionID() {
		return common.EndTask(saveTaskID, "", errors.New("the session ended"))
	}
	if msg.err != nil {
		return tea.Batch(common.EndTask(saveTaskID, "", msg.err), m.reload())
	}
	text := doneText(msg)
	if msg.res.RetentionErr != nil {
		// The snapshot is saved; say what retention could not do without hiding that.
		text += "; " + msg.res.RetentionErr.Error()
	}
	return tea.Batch(common.EndTask(saveTaskID, text, nil), m.reload())
}

// doneText is "saved <path> from the follower <endpoint> (551.0 MiB, 64.8 MiB/s); retention
// deleted 2: a.db, b.db".
func doneText(msg saveDoneMsg) string {
	r := msg.res
	text := fmt.Sprintf("saved %s from the %s %s (%s, %s)", r.Path, r.Role, r.Endpoint,
		cluster.FormatBytes(r.Bytes), cluster.FormatRate(r.Bytes, max(r.Elapsed, time.Millisecond)))
	if len(r.Deleted) > 0 {
		names := make([]string, len(r.Deleted))
		for i, d := range r.Deleted {
			names[i] = filepath.Base(d.Path)
		}
		text += fmt.Sprintf("; retention deleted %d: %s", len(names), strings.Join(names, ", "))
	}
	return text
}

// cancelSave cancels a running save (esc); its file is removed and the status bar says so.
func (m *Model) cancelSave() tea.Cmd {
	if m.save == nil {
		return nil
	}
	m.save.cancel()
	return nil
}

func flashInfo(text string) tea.Cmd { return common.Flash(common.FlashInfo, text) }
func flashWarn(text string) tea.Cmd { return common.Flash(common.FlashWarn, text) }
func flashErr(text string) tea.Cmd  { return common.Flash(common.FlashError, text) }
