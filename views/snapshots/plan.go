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

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/embednode"
	"github.com/etcdeck/etcdeck/views/common"
)

// planner is `P`: the restore plan for the connected cluster, built from its live member list,
// shown as a scrollable screen; `w` writes it as a shell script beside the backups.
type planner struct {
	shown   bool
	loading bool
	seq     int
	file    string
	in      embednode.PlanInput // what the plan was built from: `e` rebuilds it with another data dir
	plan    embednode.RestorePlan
	err     error
	offset  int
	xoffset int    // columns scrolled sideways (←/→) when a word is wider than the screen
	written string // the script's path once written

	// dataDir is the members' data dir the user chose with `e` ("" until then: etcd's usual
	// one); it stays for the next plan of the session.
	dataDir string
	prompt  common.Prompt
}

// planMsg carries plan seq or why it could not be built.
type planMsg struct {
	sid  uint64
	seq  int
	in   embednode.PlanInput
	plan embednode.RestorePlan
	err  error
}

// planWrittenMsg says where the script went, or why not.
type planWrittenMsg struct {
	sid  uint64
	path string
	err  error
}

func (m planMsg) ResultSession() uint64        { return m.sid }
func (m planWrittenMsg) ResultSession() uint64 { return m.sid }

// showPlan reads the member list and builds the plan for the selected file.
func (m *Model) showPlan() tea.Cmd {
	f, ok := m.selected()
	if !ok {
		return nil
	}
	if m.common.Session == nil || m.common.Session.Client == nil {
		return flashErr("restore plan: not connected to a cluster")
	}
	m.plan = planner{shown: true, loading: true, seq: m.plan.seq + 1, file: f.Path, dataDir: m.plan.dataDir, prompt: m.plan.prompt}
	sid, seq, client, ctx, file, dataDir := m.common.SessionID(), m.plan.seq, m.common.Session.Client, m.common.Context(), f.Path, m.plan.dataDir
	return func() tea.Msg {
		list, err := client.ListMembers(ctx)
		if err != nil {
			return planMsg{sid: sid, seq: seq, err: err}
		}
		in := embednode.PlanInput{ClusterID: list.ClusterID, Members: list.Members, Snapshot: file, DataDir: dataDir, Now: time.Now()}
		plan, err := embednode.BuildRestorePlan(in)
		return planMsg{sid: sid, seq: seq, in: in, plan: plan, err: err}
	}
}

func (m *Model) planArrived(msg planMsg) tea.Cmd {
	if msg.seq != m.plan.seq || !m.plan.shown {
		return nil
	}
	m.plan.loading, m.plan.in, m.plan.plan, m.plan.err = false, msg.in, msg.plan, msg.err
	return nil
}

// planBuilt is true when the plan screen shows a plan (not the member list being read, nor why
// it could not be built).
func (m *Model) planBuilt() bool { return m.plan.shown && !m.plan.loading && m.plan.err == nil }

// askDataDir opens the prompt for the members' data dir, holding the plan's.
func (m *Model) askDataDir() tea.Cmd {
	if !m.planBuilt() {
		return nil
	}
	return m.plan.prompt.Open(m.plan.plan.DataDir)
}

// dataDirKey feeds a key or a paste to the data dir prompt; enter rebuilds the plan for the dir
// typed (the same members and time: only the data dir changes), esc leaves it as it was.
func (m *Model) dataDirKey(msg tea.Msg) tea.Cmd {
	res, cmd := m.plan.prompt.Update(msg)
	if res != common.PromptSubmitted {
		return cmd
	}
	in := m.plan.in
	in.DataDir = strings.TrimSpace(m.plan.prompt.Value())
	p, err := embednode.BuildRestorePlan(in)
	if err != nil {
		return flashErr("restore plan: " + err.Error())
	}
	m.plan.in, m.plan.plan, m.plan.dataDir = in, p, p.DataDir
	// A script written before restores into the old dir: say nothing of it now.
	m.plan.written = ""
	return flashInfo("restore plan rebuilt for the data dir " + p.DataDir)
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
	case key.Matches(msg, k.PlanDataDir):
		return m.askDataDir()
	case key.Matches(msg, k.CopyPlan):
		return m.copyCommands()
	case key.Matches(msg, k.Up):
		m.plan.offset--
	case key.Matches(msg, k.Down):
		m.plan.offset++
	case key.Matches(msg, k.PlanLeft):
		m.plan.xoffset = max(0, m.plan.xoffset-m.width/2)
		return nil
	case key.Matches(msg, k.PlanRight):
		m.plan.xoffset = min(m.plan.xoffset+m.width/2, max(0, m.planWidth()-m.width+2))
		return nil
	case key.Matches(msg, k.Top):
		m.plan.offset = 0
	case key.Matches(msg, k.Bottom):
		m.plan.offset = lines
	}
	m.plan.offset = max(0, min(m.plan.offset, lines-page))
	return nil
}

// planLines is the plan wrapped to the view's width, only ever between words: a path or a flag
// broken inside would be copied from the screen as two. A command line (indented under its
// member) that does not fit continues on the next line after a trailing ` \`, so what is copied
// still runs; a prose line continues indented. A single word wider than the screen stays whole
// (the screen cuts it; `y` copies the commands exactly and `w` writes them).
func (m *Model) planLines() []string {
	var text string
	switch {
	case m.plan.loading:
		text = "reading the member list…"
	case m.plan.err != nil:
		text = "✗ " + cluster.EscapeText(m.plan.err.Error()) // the member list's error may quote the server
	default:
		text = m.plan.plan.Text()
	}
	width := max(20, m.width-2)
	var out []string
	for _, line := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
		if strings.HasPrefix(line, "  ") { // a member's restore command, as Text lays it out
			out = append(out, wrapWords(line, width, "      ", " \\")...)
			continue
		}
		out = append(out, wrapWords(line, width, "      ", "")...)
	}
	return out
}

// wrapWords wraps line at spaces to width cells; continuation lines start with indent, and every
// line that continues ends with cont (" \\" for a shell command; a line that already ends in
// one keeps it on its last piece). Words are never split: one wider than the room starts at the
// left edge, and one wider than the screen stays whole for ←/→ to scroll to.
func wrapWords(line string, width int, indent, cont string) []string {
	if ansi.StringWidth(line) <= width {
		return []string{line}
	}
	tail := ""
	if cont != "" && strings.HasSuffix(line, cont) {
		line, tail = strings.TrimSuffix(line, cont), cont
	}
	lead := line[:len(line)-len(strings.TrimLeft(line, " "))]
	words := strings.Fields(line)
	var out []string
	cur := lead
	for i, w := range words {
		end := cont
		if i == len(words)-1 {
			end = tail // the last word needs only the line's own continuation
		}
		if strings.TrimSpace(cur) == "" || ansi.StringWidth(cur)+1+ansi.StringWidth(w)+ansi.StringWidth(end) <= width {
			if strings.TrimSpace(cur) != "" {
				cur += " "
			}
			cur += w
			continue
		}
		out = append(out, cur+cont)
		cur = indent + w
		if ansi.StringWidth(cur)+ansi.StringWidth(end) > width {
			cur = w // the shell ignores the indent: the word gets the whole line
		}
	}
	return append(out, cur+tail)
}

// copyCommands is `y` on the plan: every member's restore command, exactly, one line each (with
// its member named in a comment before it), so a paste runs what the plan says.
func (m *Model) copyCommands() tea.Cmd {
	if !m.planBuilt() {
		return nil
	}
	cmds := m.plan.plan.Commands()
	if len(cmds) == 0 {
		return nil
	}
	return tea.Batch(tea.SetClipboard(strings.Join(cmds, "\n")+"\n"),
		flashInfo("copied the restore commands of "+common.Plural(len(m.plan.plan.Members), "member")+" (one line each, its member named before it)"))
}

// planView is the plan screen's body: the visible lines.
func (m *Model) planView() string {
	lines := m.planLines()
	end := min(len(lines), m.plan.offset+m.listHeight()+1)
	var b strings.Builder
	for _, l := range lines[min(m.plan.offset, end):end] {
		if m.plan.xoffset > 0 {
			l = ansi.Cut(l, m.plan.xoffset, m.plan.xoffset+m.width)
		}
		b.WriteString(" " + l + "\n")
	}
	return strings.TrimRight(b.String(), "\n")
}

// planWidth is the widest plan line: a word wider than the screen (a long --initial-cluster)
// makes the plan scroll sideways with ←/→ rather than break inside it.
func (m *Model) planWidth() int {
	w := 0
	for _, l := range m.planLines() {
		w = max(w, ansi.StringWidth(l))
	}
	return w
}

// planStatus is the plan screen's status line: the data dir it restores into, and where the
// script went once written.
func (m *Model) planStatus() string {
	if !m.planBuilt() {
		return ""
	}
	status := "data dir " + m.plan.plan.DataDir
	if m.plan.written != "" {
		// The path first: on a narrow screen the line is cut at its end.
		status = "written to " + m.plan.written + " · " + status
	}
	return status
}
