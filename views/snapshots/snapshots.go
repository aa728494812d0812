// Package snapshots is the Snapshots view: the backup directory's snapshots, newest first, with
// the integrity of each (etcd's sha256, read in a child process), and saving a new one — which
// the global `s` starts from any view, reporting in the status bar.
package snapshots

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/cluster/backup"
	"github.com/etcdeck/etcdeck/embednode"
	"github.com/etcdeck/etcdeck/keymap"
	"github.com/etcdeck/etcdeck/views/common"
)

// statusCacheFile is the status cache's name in the state dir.
const statusCacheFile = "snapshot-status.json"

// deleteConfirmID is the ID of the delete question in ConfirmMsg.
const deleteConfirmID = "snapshots.delete"

// fileStatus is what the view knows of one file's status: nothing yet, being read, or read.
type fileStatus struct {
	loading bool
	st      *embednode.SnapshotStatus
	err     error // the status could not be read (not a verdict on the file)
}

// Model is the Snapshots view.
type Model struct {
	common        common.Common
	width, height int

	// exe is etcdeck's binary, run as `etcdeck snapshot status` to read a file; "" when
	// statuses cannot be read (a test binary is not etcdeck).
	exe   string
	cache *embednode.StatusCache

	gen      int // listing generation: results of an older listing are dropped
	listed   bool
	listErr  error
	files    []backup.File
	statuses map[string]*fileStatus
	reading  string // the file whose status a child process is reading now

	cursor, offset int
	detail         bool // the full status of the selected file is shown
	confirm        common.Confirm
	deleting       string

	// save is the global `s`, restore `R`, open `o` and plan `P` (save.go, restore.go,
	// open.go, plan.go).
	save    *common.Task[saved]
	restore restorer
	open    *common.Task[opened]
	plan    planner
}

var (
	_ common.Component = (*Model)(nil)
	_ common.Closer    = (*Model)(nil)
)

// New builds the Snapshots view on the backup directory of c.Settings.
func New(c common.Common) *Model {
	c = c.Defaults()
	m := &Model{common: c, statuses: map[string]*fileStatus{}, confirm: common.NewConfirm(c.Styles).ForSession(c.SessionID()),
		save: newSaveTask(), open: newOpenTask()}
	m.restore.task, m.restore.creds = m.newRestoreTask(), newCredForm(c.Styles)
	m.plan.prompt = common.NewPrompt(c.Styles, "data dir on the members: ", embednode.DefaultPlanDataDir)
	if exe, err := os.Executable(); err == nil && !strings.HasSuffix(exe, ".test") {
		// A test binary would run its tests when called as `snapshot status`: tests name the
		// etcdeck binary with WithStatusExe.
		m.exe = exe
	}
	cacheFile := ""
	if c.Settings.StateDir != "" {
		cacheFile = filepath.Join(c.Settings.StateDir, statusCacheFile)
	}
	m.cache = embednode.OpenStatusCache(cacheFile)
	return m
}

// WithStatusExe names the etcdeck binary that reads snapshot statuses (tests build one).
func (m *Model) WithStatusExe(exe string) *Model { m.exe = exe; return m }

// dir is the backup directory.
func (m *Model) dir() string { return m.common.Settings.BackupDir }

// Init lists the backup directory.
func (m *Model) Init() tea.Cmd { return m.reload() }

// SetSize sets the content area.
func (m *Model) SetSize(width, height int) {
	m.width, m.height = width, height
	m.confirm.SetWidth(width)
	m.restore.creds.setWidth(width)
	m.plan.prompt.SetWidth(width - 1)
	m.clamp()
}

// InputFocused is true while a question (delete, restore), R's user and password fields or the
// plan's data dir prompt is open: it takes every key.
func (m *Model) InputFocused() bool {
	return m.confirm.Active() || m.restore.creds.active() || m.plan.prompt.Active()
}

// Focus lists the directory again: files may have come or gone (cron, another console).
func (m *Model) Focus() tea.Cmd { return m.reload() }

// Blur has nothing to pause: statuses already being read finish into the cache.
func (m *Model) Blur() {}

// Update handles keys, the listing and status results, the save's progress and the delete
// question.
func (m *Model) Update(msg tea.Msg) (common.Component, tea.Cmd) {
	if m.common.Foreign(msg) {
		return m, nil // another session's result or answer: never applied to this one
	}
	if res, mine, cmd := m.save.Update(msg); mine {
		return m, tea.Batch(cmd, m.saveDone(res))
	}
	if res, mine, cmd := m.restore.task.Update(msg); mine {
		return m, tea.Batch(cmd, m.restoreDone(res))
	}
	if res, mine, cmd := m.open.Update(msg); mine {
		return m, tea.Batch(cmd, m.openDone(res))
	}
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		return m, m.handleKey(msg)
	case tea.PasteMsg:
		if m.plan.prompt.Active() {
			return m, m.dataDirKey(msg)
		}
		if m.restore.creds.active() {
			return m, m.credKey(msg)
		}
		return m, m.confirm.Update(msg)
	case common.SaveSnapshotMsg:
		return m, m.startSave()
	case listedMsg:
		return m, m.applyListing(msg)
	case statusMsg:
		return m, tea.Batch(m.statusRead(msg), m.statusArrived(msg.path))
	case deletedMsg:
		return m, m.deleted(msg)
	case planMsg:
		return m, m.planArrived(msg)
	case planWrittenMsg:
		return m, m.planWritten(msg)
	case common.ConfirmMsg:
		if msg.ID == restoreID {
			if msg.Yes {
				return m, m.confirmed()
			}
			m.restore.asked, m.restore.auth = "", false
		}
		if msg.ID == deleteConfirmID {
			path := m.deleting
			m.deleting = ""
			if msg.Yes && path != "" && m.common.Session != nil {
				return m, deleteCmd(m.common.Session, path)
			}
		}
	}
	return m, nil
}

func (m *Model) handleKey(msg tea.KeyPressMsg) tea.Cmd {
	if m.confirm.Active() {
		return m.confirm.Update(msg)
	}
	if m.restore.creds.active() {
		return m.credKey(msg)
	}
	if m.plan.prompt.Active() {
		return m.dataDirKey(msg)
	}
	if m.plan.shown {
		return m.planKey(msg)
	}
	k, g := m.keys(), m.common.Keys.Global
	switch {
	case key.Matches(msg, g.Back):
		if m.detail {
			m.detail = false
			return nil
		}
		// esc cancels the save first: the one the help offers.
		if !m.save.Cancel() {
			m.open.Cancel()
		}
		return nil
	case m.detail && key.Matches(msg, m.common.Keys.Snapshots.Status):
		// enter opened the status and closes it too; the help offers esc for that.
		m.detail = false
	case m.detail:
		return nil // the full status is modal: list keys would act on a hidden list
	case key.Matches(msg, k.Up):
		m.move(-1)
	case key.Matches(msg, k.Down):
		m.move(1)
	case key.Matches(msg, k.Top):
		m.move(-len(m.files))
	case key.Matches(msg, k.Bottom):
		m.move(len(m.files))
	case key.Matches(msg, k.Status):
		if f, ok := m.selected(); ok {
			m.detail = true
			return m.readStatus(f.Path)
		}
	case key.Matches(msg, k.Open):
		return m.startOpen()
	case key.Matches(msg, k.Restore):
		return m.askRestore()
	case key.Matches(msg, k.Plan):
		return m.showPlan()
	case key.Matches(msg, k.Delete):
		if f, ok := m.selected(); ok {
			if s := m.common.Session; s != nil && s.Client != nil && s.Client.ReadOnly() {
				return refuseWrite(s.Client, "delete-backup", f.Path)
			}
			m.deleting = f.Path
			m.confirm.Ask(deleteConfirmID, fmt.Sprintf("Delete the snapshot of %s (rev %s, %s)?",
				f.Time.Format("2006-01-02 15:04:05"), m.revisionCell(f), cluster.FormatBytes(f.Size)))
		}
	}
	return nil
}

func (m *Model) selected() (backup.File, bool) {
	if m.cursor < 0 || m.cursor >= len(m.files) {
		return backup.File{}, false
	}
	return m.files[m.cursor], true
}

func (m *Model) move(delta int) {
	m.cursor += delta
	m.clamp()
}

// clamp keeps the cursor on a file and in the visible window.
func (m *Model) clamp() {
	m.cursor, m.offset = common.KeepInWindow(m.cursor, m.offset, len(m.files), m.listHeight())
}

// keys is the view's bindings with those that would do nothing now disabled, so the help line
// and `?` leave them out: file keys without a selected file (no backup directory, none saved
// yet), list keys while a file's status or the plan shows, `w` and `e` until the plan is built. Keys that
// explain a refusal (R without an embedded member, o without etcdeck's binary) stay on.
func (m *Model) keys() keymap.Snapshots {
	k := m.common.Keys.Snapshots
	_, sel := m.selected()
	list, plan := !m.plan.shown && !m.detail, m.plan.shown
	for _, b := range []struct {
		b  *key.Binding
		on bool
	}{
		{&k.Up, list && len(m.files) > 1 || plan}, {&k.Down, list && len(m.files) > 1 || plan},
		{&k.Top, list && len(m.files) > 1 || plan}, {&k.Bottom, list && len(m.files) > 1 || plan},
		{&k.Status, list && sel}, {&k.Delete, list && sel},
		{&k.Open, list && sel}, {&k.Restore, list && sel}, {&k.Plan, list && sel},
		{&k.WritePlan, m.planBuilt()}, {&k.PlanDataDir, m.planBuilt()}, {&k.CopyPlan, m.planBuilt()},
		{&k.PlanLeft, m.planBuilt() && m.plan.xoffset > 0}, {&k.PlanRight, m.planBuilt() && m.planWidth() > m.width-2+m.plan.xoffset},
	} {
		b.b.SetEnabled(b.on)
	}
	return k
}

// ShortHelp is the help line under the view (the root draws it): the keys of the screen shown —
// the list with the global save, a file's status, or the plan — and esc where it closes or
// cancels something. The list's keys come most important first (the root drops the last ones
// when the line is short): status, then restore and its plan, which were hidden behind "…".
func (m *Model) ShortHelp() []key.Binding {
	k, g := m.keys(), m.common.Keys.Global
	switch {
	case m.plan.shown:
		return []key.Binding{k.WritePlan, k.CopyPlan, k.PlanDataDir, k.Down, k.PlanRight, k.PlanLeft, g.Back}
	case m.detail:
		return []key.Binding{g.Back}
	}
	h := []key.Binding{k.Status, k.Restore, k.Plan, k.Open, g.Snapshot, k.Delete}
	if m.save.Running() || m.open.Running() {
		// A copy: the help's own "back/close" would not say what esc does here.
		cancel, what := g.Back, "cancel open"
		if m.save.Running() {
			what = "cancel save" // esc cancels the save first
		}
		cancel.SetHelp(g.Back.Help().Key, what)
		h = append(h, cancel)
	}
	return h
}

// FullHelp groups the view's bindings for the help overlay; disabled ones are left out there.
func (m *Model) FullHelp() [][]key.Binding { return m.keys().FullHelp() }
