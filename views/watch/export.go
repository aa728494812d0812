package watch

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/views/common"
)

// exportedMsg reports an export: the file written and how many events it holds.
type exportedMsg struct {
	path string
	n    int
	err  error
}

// exportCmd writes evs as JSON Lines (etcdctl watch -w json's shape) to a new file in dir ("" is
// the current directory) named for the time, never overwriting one.
func exportCmd(dir string, evs []cluster.Event, now time.Time) tea.Cmd {
	return func() tea.Msg {
		path, err := writeExport(dir, evs, now)
		return exportedMsg{path: path, n: len(evs), err: err}
	}
}

func writeExport(dir string, evs []cluster.Event, now time.Time) (string, error) {
	if dir == "" {
		wd, err := os.Getwd()
		if err != nil {
			return "", fmt.Errorf("export: find the current directory: %w", err)
		}
		dir = wd
	}
	base := "etcdeck-watch-" + now.Format("20060102-150405")
	for i := 1; ; i++ {
		name := base + ".jsonl"
		if i > 1 {
			name = fmt.Sprintf("%s-%d.jsonl", base, i)
		}
		path := filepath.Join(dir, name)
		if abs, err := filepath.Abs(path); err == nil {
			path = abs // the ✓ line names the whole path: "." under `go run` is the repo root
		}
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, fs.ErrExist) && i < 100 {
			continue
		}
		if err != nil {
			return "", fmt.Errorf("export: %w", err)
		}
		werr := cluster.WriteWatchJSON(f, evs)
		if cerr := f.Close(); werr == nil {
			werr = cerr
		}
		if werr != nil {
			return path, fmt.Errorf("export to %s: %w", path, werr)
		}
		return path, nil
	}
}

// export writes the rows shown (every event when no filter is set) to a file.
func (m *Model) export() tea.Cmd {
	var evs []cluster.Event
	for i := range m.rows() {
		if e := m.buf.bySeq(m.vis.at(i)); e != nil && !e.isNote() {
			evs = append(evs, e.ev)
		}
	}
	if len(evs) == 0 {
		return common.Flash(common.FlashWarn, "nothing to export: no event shown")
	}
	return exportCmd(m.exportDir, evs, m.now())
}
