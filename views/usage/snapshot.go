package usage

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/cluster/backup"
	"github.com/etcdeck/etcdeck/embednode"
	"github.com/etcdeck/etcdeck/views/common"
)

// The stored half needs a snapshot file. When the backup directory holds none of this cluster
// (or the user wants a current one: s), the panel offers to take one for the purpose, asked
// first with where it goes and how large it will be (the database size the member reports). The
// save is the Snapshots view's (backup.Save: a follower first, the sha256 checked, retention
// after), run on a Task (progress in the status bar, esc cancels and nothing is left), through
// the write gate: writing a file on the user's behalf is refused in read-only mode and audited
// as usage-snapshot. Then the file is read as any backup is.

// snapshotAction names the save in the write gate and the audit log.
const snapshotAction = "usage-snapshot"

// confirmID names the panel's question in its ConfirmMsg.
const confirmID = "usage.snapshot"

// offer is what the question is about: the member a save would read and the directory it
// writes, or why no snapshot can be taken (no directory, no member answers, read-only).
type offer struct {
	dir string
	src cluster.SnapshotSource
	err error
	// refused: err is the write gate's refusal, already in the audit log.
	refused bool
}

// offerMsg is the offer asked for with s.
type offerMsg struct {
	sid, gen uint64
	offer    offer
}

func (m offerMsg) ResultSession() uint64 { return m.sid }

// taken is a snapshot taken for the panel and its report; gen is the Open it was taken for.
type taken struct {
	gen  uint64
	file backup.File
	u    embednode.Usage
}

// snapshot is the panel's part that takes a snapshot: its question, its task, how it went.
type snapshot struct {
	confirm common.Confirm
	task    *common.Task[taken]
	offer   offer
	asked   bool  // the question was asked for this Open (answered or not)
	err     error // the last take's failure (cancelled included)
	// exe is the etcdeck binary that reads the file in a child; "" is this executable.
	exe string
	// hold, when set (tests), runs on the task's goroutine before the save, so a test can
	// cancel a save that would otherwise end before its esc arrives.
	hold func(context.Context)
}

func newSnapshot(c common.Common) snapshot {
	return snapshot{
		confirm: common.NewConfirm(c.Styles).ForSession(c.SessionID()),
		task: common.NewTask(fmt.Sprintf("usage.snapshot.%d", c.SessionID()),
			common.TaskResultText(func(t taken) string { return "snapshot for :usage saved as " + t.file.Path }),
			common.TaskCancelNote[taken]("nothing was saved")),
	}
}

// reset is s for a new Open: a take still running goes on (its result is for the Open that
// started it), the question and the last outcome go.
func (s snapshot) reset(c common.Common) snapshot {
	s.confirm = common.NewConfirm(c.Styles).ForSession(c.SessionID())
	s.offer, s.asked, s.err = offer{}, false, nil
	return s
}

// WithExe makes the panel read snapshot files with exe (etcdeck) rather than this executable:
// tests run it from a test binary.
func (p Panel) WithExe(exe string) Panel {
	p.snap.exe = exe
	return p
}

// offerSnapshot is the offer for a snapshot into dir: the write gate first (a refusal in
// read-only mode is audited and said), then the member a save would read, for its size.
func offerSnapshot(ctx context.Context, c *cluster.Client, dir string) offer {
	o := offer{dir: dir}
	if c.Refuses(snapshotAction, "") {
		o.err, o.refused = c.CheckWrite(snapshotAction, "", dir), true
		if o.err == nil {
			o.err = cluster.ErrReadOnly
		}
		return o
	}
	if dir == "" {
		o.err = errors.New("no backup directory (--backup-dir or backup-dir in the config)")
		return o
	}
	o.src, o.err = c.PickSnapshotSource(ctx, "")
	return o
}

// Asking is true while the question is open: the panel then takes every key.
func (p *Panel) Asking() bool { return p.snap.confirm.Active() }

// Taking is true while a snapshot is being taken for the panel.
func (p *Panel) Taking() bool { return p.snap.task.Running() }

// HandleKey takes the keys the panel acts on while it is shown: every key while the question is
// open, s (a current snapshot), and esc while a snapshot is being taken (cancels it). handled is
// false for the others (scrolling, esc closing the panel), which the root handles.
func (p *Panel) HandleKey(msg tea.KeyPressMsg) (tea.Cmd, bool) {
	g := p.common.Keys.Global
	switch {
	case p.snap.confirm.Active():
		return p.snap.confirm.Update(msg), true
	case key.Matches(msg, g.Back) && p.snap.task.Running():
		p.snap.task.Cancel()
		return nil, true
	case key.Matches(msg, g.Snapshot):
		return p.askCurrent(), true
	}
	return nil, false
}

// askCurrent asks for the offer of a current snapshot (s).
func (p *Panel) askCurrent() tea.Cmd {
	sess := p.common.Session
	switch {
	case p.snap.task.Running():
		return common.Flash(common.FlashWarn, "a snapshot for :usage is being taken (esc cancels it)")
	case sess == nil || sess.Client == nil:
		return common.Flash(common.FlashError, "usage: not connected to a cluster")
	}
	sid, gen, dir, client, ctx := p.common.SessionID(), p.gen, p.common.Settings.BackupDir, sess.Client, sess.Context()
	return func() tea.Msg { return offerMsg{sid: sid, gen: gen, offer: offerSnapshot(ctx, client, dir)} }
}

// ask shows o: the question when a snapshot can be taken, else why not (in the panel).
func (p *Panel) ask(o offer) {
	p.snap.offer, p.snap.asked = o, true
	if o.err != nil || p.snap.task.Running() {
		return
	}
	p.snap.confirm.Ask(confirmID, question(o))
}

// question names where the snapshot goes, which member it comes from and its expected size.
func question(o offer) string {
	return fmt.Sprintf("Take a snapshot for :usage? It is saved into %s (about %s, the database size of the %s %s), then read.",
		o.dir, cluster.FormatBytes(o.src.DBSize), o.src.Role, o.src.Endpoint)
}

// updateSnapshot takes the offer, the answer and the task's reports and result.
func (p *Panel) updateSnapshot(msg tea.Msg) (bool, tea.Cmd) {
	if res, mine, cmd := p.snap.task.Update(msg); mine {
		if res != nil {
			p.takenDone(res)
		}
		return true, cmd
	}
	switch msg := msg.(type) {
	case offerMsg:
		if msg.sid == p.common.SessionID() && msg.gen == p.gen {
			p.ask(msg.offer)
		}
		return true, nil
	case common.ConfirmMsg:
		if msg.ID != confirmID {
			return false, nil
		}
		if msg.Yes && msg.Session == p.common.SessionID() {
			return true, p.take()
		}
		return true, nil
	}
	return false, nil
}

// take saves a snapshot into the backup directory through the write gate, then reads it.
func (p *Panel) take() tea.Cmd {
	sess := p.common.Session
	if sess == nil || sess.Client == nil {
		return nil
	}
	client, dir, retention := sess.Client, p.snap.offer.dir, p.common.Settings.Retention
	opts := embednode.UsageOptions{Prefix: p.prefix, Sep: p.common.Settings.Sep}
	gen, exe, hold := p.gen, p.snap.exe, p.snap.hold
	p.snap.err = nil
	return p.snap.task.Start(p.common.Context(), "snapshot for :usage", func(ctx context.Context, r *common.TaskRun) (taken, error) {
		t := taken{gen: gen}
		err := common.RunSteps(ctx, r,
			common.TaskStep{Name: "saving a snapshot into " + dir, Run: func(ctx context.Context, r *common.TaskRun) error {
				if hold != nil {
					hold(ctx)
				}
				// backup.Save goes through the write gate itself (audited as snapshotAction).
				res, err := backup.Save(ctx, client, backup.SaveOptions{Dir: dir, Retention: &retention, Action: snapshotAction,
					Progress: func(sp cluster.SaveProgress) {
						r.Progress(common.Progress{Note: "from the " + sp.Role + " " + sp.Endpoint, Bytes: sp.Bytes, Total: sp.Total, Elapsed: sp.Elapsed})
					}})
				t.file = fileOf(res.Path)
				return err
			}},
			common.TaskStep{Name: "reading the snapshot", Run: func(ctx context.Context, r *common.TaskRun) error {
				bin := exe
				if bin == "" {
					var err error
					if bin, err = os.Executable(); err != nil {
						return err
					}
				}
				var err error
				t.u, err = embednode.UsageInChild(ctx, bin, t.file.Path, opts)
				return err
			}})
		return t, err
	})
}

// fileOf is the backup file at path as the directory listing describes it.
func fileOf(path string) backup.File {
	f, ok := backup.ParseName(filepath.Base(path))
	if !ok {
		f = backup.File{Name: filepath.Base(path)}
	}
	f.Path = path
	if info, err := os.Stat(path); err == nil {
		f.Size, f.ModTime = info.Size(), info.ModTime()
	}
	return f
}

// takenDone applies a take's result: the report of the new file, or why there is none.
func (p *Panel) takenDone(res *common.TaskResult[taken]) {
	if res.Value.gen != p.gen {
		return // a new :usage replaced the report it was for; the file stays a backup
	}
	if res.Err != nil {
		p.snap.err = res.Err
		return
	}
	p.storedDone, p.stored, p.file, p.noBackup, p.storedErr = true, res.Value.u, res.Value.file, false, nil
}

// Close cancels a take still running when the console exits and waits a moment for its
// temporary file to go.
func (p *Panel) Close() { p.snap.task.Close(time.Second) }
