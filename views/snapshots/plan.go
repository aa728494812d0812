package snapshots

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/etcdeck/etcdeck/embednode"
)

// planner is `P`: the restore plan for the connected cluster, built from its live member list,
// shown as a scrollable screen; `w` writes it as a shell script beside the backups.
type planner struct {
	shown   bool
	loading bool
	seq     int
	file    string
	plan    embednode.RestorePlan
	err     error
	offset  int
	written string // the script's path once written
}

// planMsg carries plan seq or why it could not be built.
type planMsg struct {
	sid  uint64
	seq  int
	plan embednode.RestorePlan
	err  error
}

// planWrittenMsg says where the script went, or why not.
type planWrittenMsg struct {
	sid  uint64
	path string
	err  error
}

// showPlan reads the member list and builds the plan for the selected file.
func (m *Model) showPlan() tea.Cmd {
	f, ok := m.selected()
	if !ok {
		return nil
	}
	if m.common.Session == nil || m.common.Session.Client == nil {
		return flashErr("restore plan: not connected to a cluster")
	}
	m.plan.seq++
	m.plan = planner{shown: true, loading: true, seq: m.plan.seq, file: f.Path}
	sid, seq, client, ctx, file := m.common.SessionID(), m.plan.seq, m.common.Session.Client, m.common.Context(), f.Path
	return func() tea.Msg {
		list, err := client.ListMembers(ctx)
		if err != nil {
			return planMsg{sid: sid, seq: seq, err: err}
		}
		in := embednode.PlanInput{ClusterID: list.ClusterID, Snapshot: file, Now: time.Now()}
		for _, mb := range list.Members {
			in.Members = append(in.Members, embednode.PlanMember{ID: mb.ID, Name: mb.Name, PeerURLs: mb.PeerURLs,
				ClientURLs: mb.ClientURLs, IsLearner: mb.IsLearner})
		}
		plan, err := embednode.BuildRestorePlan(in)
		return planMsg{sid: sid, seq: seq, plan: plan, err: err}
	}
}

func (m *Model) planBuilt(msg planMsg) tea.Cmd {
	if msg.sid != m.common.SessionID() || msg.seq != m.plan.seq || !m.plan.shown {
		return nil
	}
	m.plan.loading, m.plan.plan, m.plan.err = false, msg.plan, msg.err
	return nil
}

// writePlan writes the plan as a shell script in the backup directory.
func (m *Model) writePlan() tea.Cmd {
	if m.plan.loading || m.plan.err != nil {
		return nil
	}
	p, dir, sid := m.plan.plan, m.dir(), m.common.SessionID()
	if dir == "" {
		dir = filepath.Dir(m.plan.file)
	}
	return func() tea.Msg {
		name := fmt.Sprintf("restore-plan-%016x-%s.sh", p.ClusterID, time.Now().UTC().Format("20060102T150405Z"))
		path := filepath.Join(dir, name)
		// 0700: a script for its owner to run, beside backups that are 0600.
		err := os.WriteFile(path, []byte(p.Script()), 0o700)
		return planWrittenMsg{sid: sid, path: path, err: err}
	}
}

func (m *Model) planWritten(msg planWrittenMsg) tea.Cmd {
	if msg.sid != m.common.SessionID() {
		return nil
	}
	if msg.err != nil {
		return flashErr("write the plan: " + msg.err.Error())
	}
	m.plan.written = msg.path
	return flashInfo("wrote " + msg.path + ": run it on each member's host as `" + filepath.Base(msg.path) + " MEMBER-NAME`")
}

// planKey handles a key while the plan is shown.
func (m *Model) planKey(msg tea.KeyPressMsg) tea.Cmd {
	k, g := m.keys(), m.common.Keys.Global
	lines := len(m.planLines())
	page := max(1, m.listHeight()+1) // the plan uses the table header's line too
	switch {
	case key.Matches(msg, g.Back):
		m.plan.shown = false
	case key.Matches(msg, k.WritePlan):
		return m.writePlan()
	case key.Matches(msg, k.Up):
		m.plan.offset--
	case key.Matches(msg, k.Down):
		m.plan.offset++
	case key.Matches(msg, k.Top):
		m.plan.offset = 0
	case key.Matches(msg, k.Bottom):
		m.plan.offset = lines
	}
	m.plan.offset = max(0, min(m.plan.offset, lines-page))
	return nil
}

// planLines is the plan wrapped to the view's width: long command lines continue indented.
func (m *Model) planLines() []string {
	var text string
	switch {
	case m.plan.loading:
		text = "reading the member list…"
	case m.plan.err != nil:
		text = "✗ " + m.plan.err.Error()
	default:
		text = m.plan.plan.Text()
	}
	width := max(20, m.width-2)
	var out []string
	for _, line := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
		out = append(out, wrapIndented(line, width, "      ")...)
	}
	return out
}

// wrapIndented wraps line at spaces (or inside a word longer than the width) to width cells;
// continuation lines start with indent.
func wrapIndented(line string, width int, indent string) []string {
	var out []string
	prefix := ""
	for {
		w := width - len(prefix)
		if ansi.StringWidth(line) <= w {
			return append(out, prefix+line)
		}
		piece := strings.SplitN(ansi.Wrap(line, w, ""), "\n", 2)[0]
		if piece == "" || !strings.HasPrefix(line, piece) {
			piece = ansi.Truncate(line, w, "")
		}
		out = append(out, prefix+strings.TrimRight(piece, " "))
		line = strings.TrimLeft(line[len(piece):], " ")
		prefix = indent
		if line == "" {
			return out
		}
	}
}

// planView is the plan screen's body: the visible lines.
func (m *Model) planView() string {
	lines := m.planLines()
	end := min(len(lines), m.plan.offset+m.listHeight()+1)
	var b strings.Builder
	for _, l := range lines[min(m.plan.offset, end):end] {
		b.WriteString(" " + l + "\n")
	}
	return strings.TrimRight(b.String(), "\n")
}

// planStatus is the plan screen's status line: where the script went once written.
func (m *Model) planStatus() string {
	if m.plan.written != "" {
		return "written to " + m.plan.written
	}
	return ""
}
