package common

import (
	"time"

	tea "charm.land/bubbletea/v2"
)

// GotoMsg asks the root to show the Keys view at Path (a key or a directory ending in "/").
type GotoMsg struct{ Path string }

// WatchMsg asks the root to show the Watch view watching every key under Prefix, from
// revision Rev when it is set (history first, as etcdctl watch --rev), else from now.
type WatchMsg struct {
	Prefix string
	Rev    int64
}

// TaskStartMsg tells the status bar long work began: it shows a spinner and Label until the
// TaskDoneMsg with the same ID arrives.
type TaskStartMsg struct {
	// ID identifies the task; the view that starts it picks one unique among its own tasks,
	// e.g. "snapshots.restore".
	ID    string
	Label string
	// Critical marks a write that must not be interrupted (a restore, a defrag): quitting while
	// it runs asks first, naming Label.
	Critical bool
}

// TaskProgressMsg says how far the running task with ID has come (bytes so far, rate, elapsed):
// the status bar shows Label after the task's own label; ignored once the task ended.
type TaskProgressMsg struct {
	ID    string
	Label string
}

// SaveSnapshotMsg asks for a snapshot of the cluster to be saved into the backup directory (the
// global `s`); the Snapshots view runs it, whichever view is on screen.
type SaveSnapshotMsg struct{}

// TaskDoneMsg ends the task with ID: ✓ Result when Err is nil, ✗ and the error otherwise.
type TaskDoneMsg struct {
	ID     string
	Result string
	Err    error
}

// FlashLevel says how a flash message is coloured.
type FlashLevel int

// Flash levels, from least to most alarming.
const (
	FlashInfo FlashLevel = iota
	FlashWarn
	FlashError
)

// FlashMsg shows Text in the status bar for a few seconds.
type FlashMsg struct {
	Level FlashLevel
	Text  string
}

// FlashDuration is how long a flash or a finished task stays in the status bar.
const FlashDuration = 4 * time.Second

// Cmd wraps a message into a command that returns it.
func Cmd(msg tea.Msg) tea.Cmd {
	return func() tea.Msg { return msg }
}

// StartTask returns the command announcing a task to the status bar.
func StartTask(id, label string, critical bool) tea.Cmd {
	return Cmd(TaskStartMsg{ID: id, Label: label, Critical: critical})
}

// TaskProgress returns the command updating a running task's label.
func TaskProgress(id, label string) tea.Cmd {
	return Cmd(TaskProgressMsg{ID: id, Label: label})
}

// EndTask returns the command finishing a task in the status bar.
func EndTask(id, result string, err error) tea.Cmd {
	return Cmd(TaskDoneMsg{ID: id, Result: result, Err: err})
}

// Flash returns the command showing text in the status bar.
func Flash(level FlashLevel, text string) tea.Cmd {
	return Cmd(FlashMsg{Level: level, Text: text})
}

// AlertMsg tells the root how many events matched the Watch view's alert, for the status bar
// of every view; Rule describes the alert's filter. Count 0 with Rule "" clears it.
type AlertMsg struct {
	Count int64
	Rule  string
}
