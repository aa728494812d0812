package snapshots

import (
	"context"
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

// saved is what a save did: the file saved and what retention deleted after it (backup.Save
// applies retention itself).
type saved = backup.SaveResult

// newSaveTask is the task saves run on: one at a time, esc cancels (the partial file goes).
func newSaveTask() *common.Task[saved] {
	return common.NewTask(saveTaskID, common.TaskResultText(doneText),
		common.TaskCancelNote[saved]("nothing was saved"))
}

// startSave saves a snapshot into the backup directory, then applies retention; progress goes to
// the status bar. One save at a time. Writing a backup is a write: in read-only mode the write
// gate refuses it (and audits the refusal) before any task starts, as d and R are refused; the
// save itself goes through the same gate (backup.Save), audited with its file and revision.
func (m *Model) startSave() tea.Cmd {
	switch {
	case m.save.Running():
		return flashWarn("a snapshot save is already running (esc on the Snapshots view cancels it)")
	case m.common.Session == nil || m.common.Session.Client == nil:
		return flashErr("snapshot: not connected to a cluster")
	case m.common.Session.Client.Refuses(cluster.ActionSnapshotSave, ""):
		return refuseWrite(m.common.Session.Client, cluster.ActionSnapshotSave, m.dir())
	case m.dir() == "":
		return flashErr("snapshot: no backup directory (--backup-dir or backup-dir in the config)")
	}
	client, dir, retention := m.common.Session.Client, m.dir(), m.common.Settings.Retention
	return m.save.Start(m.common.Context(), "snapshot", func(ctx context.Context, r *common.TaskRun) (saved, error) {
		return backup.Save(ctx, client, backup.SaveOptions{Dir: dir, Retention: &retention, Progress: func(p cluster.SaveProgress) {
			r.Progress(progress(p))
		}})
	})
}

// progress is a save's report for the status bar: "from the follower 10.0.0.2:2379 · 12.0 MiB
// of 525.7 MiB · 45.1 MB/s · 3s".
func progress(p cluster.SaveProgress) common.Progress {
	return common.Progress{Note: "from the " + p.Role + " " + p.Endpoint, Bytes: p.Bytes, Total: p.Total, Elapsed: p.Elapsed}
}

// saveDone lists the directory again after a save, whatever its outcome.
func (m *Model) saveDone(res *common.TaskResult[saved]) tea.Cmd {
	if res == nil {
		return nil
	}
	return m.reload()
}

// doneText is "saved <path> from the follower <endpoint> (551 MiB, 68.0 MB/s); retention
// deleted 2: a.db, b.db"; what retention could not do follows, without hiding that the
// snapshot is saved.
func doneText(r saved) string {
	text := fmt.Sprintf("saved %s from the %s %s (%s, %s)", r.Path, r.Role, r.Endpoint,
		cluster.FormatBytes(r.Bytes), cluster.FormatRate(r.Bytes, max(r.Elapsed, time.Millisecond)))
	if len(r.Deleted) > 0 {
		names := make([]string, len(r.Deleted))
		for i, d := range r.Deleted {
			names[i] = filepath.Base(d.Path)
		}
		text += fmt.Sprintf("; retention deleted %d: %s", len(names), strings.Join(names, ", "))
	}
	if r.RetentionErr != nil {
		text += "; " + r.RetentionErr.Error()
	}
	return text
}

func flashInfo(text string) tea.Cmd { return common.Flash(common.FlashInfo, text) }
func flashWarn(text string) tea.Cmd { return common.Flash(common.FlashWarn, text) }
func flashErr(text string) tea.Cmd  { return common.Flash(common.FlashError, text) }
