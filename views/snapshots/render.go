package snapshots

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/cluster/backup"
	"github.com/etcdeck/etcdeck/embednode"
	"github.com/etcdeck/etcdeck/views/common"
)

// wideColumns is the width from which the cluster ID gets its own column.
const wideColumns = 100

// View renders the title, the table of files (or one file's full status) and the hint line.
func (m *Model) View() string {
	st := m.common.Styles
	var b strings.Builder
	title := "Snapshots"
	if m.plan.shown {
		title = "Restore plan"
	}
	b.WriteString(st.TitleLine(m.width, title, cluster.EscapeText(m.dir()), st.Muted.Render(m.summary())))
	b.WriteString("\n")
	switch {
	case m.plan.shown:
		b.WriteString(m.planView())
	case m.detail:
		b.WriteString(m.detailView())
	case m.dir() == "":
		b.WriteString(" " + st.Muted.Render("no backup directory: set --backup-dir or backup-dir in the config"))
	case m.listErr != nil:
		b.WriteString(" " + st.Error.Render("✗ "+cluster.EscapeText(m.listErr.Error())))
	case !m.listed:
		b.WriteString(" " + st.Muted.Render("reading "+cluster.EscapeText(m.dir())+"…"))
	case len(m.files) == 0:
		b.WriteString(" " + st.Muted.Render("no snapshots here yet: "+common.Hints(common.BindingHint(m.common.Keys.Global.Snapshot, "saves one"))))
	default:
		b.WriteString(m.table())
	}
	// The delete or restore question wraps: its lines come out of the body's bottom.
	fh := min(max(1, m.confirm.Height()), max(1, m.height-1))
	body := common.Fit(b.String(), m.width, max(0, m.height-fh))
	return body + "\n" + common.Fit(m.footer(), m.width, fh)
}

// listHeight is how many rows of files fit: the title, the header and the footer take 3 lines.
func (m *Model) listHeight() int { return max(0, m.height-3) }

// summary is the title's right part: how many files and their total size.
func (m *Model) summary() string {
	if !m.listed || m.dir() == "" {
		return ""
	}
	var total int64
	for _, f := range m.files {
		total += f.Size
	}
	return common.Plural(len(m.files), "file") + " · " + cluster.FormatBytes(total)
}

// table is the header and the visible rows.
func (m *Model) table() string {
	st := m.common.Styles
	wide := m.width >= wideColumns
	// KEY REVS, not KEYS: etcdutl's totalKey counts every stored revision of every key.
	lines := []string{st.Muted.Render(m.row(wide, "TIME (UTC)", "CLUSTER ID", "REVISION", "KEY REVS", "SIZE", "INTEGRITY"))}
	end := min(len(m.files), m.offset+m.listHeight())
	for i := m.offset; i < end; i++ {
		f := m.files[i]
		keys, integrity := m.statusCells(f)
		line := m.row(wide, f.Time.Format("2006-01-02 15:04:05"), fmt.Sprintf("%016x", f.ClusterID),
			m.revisionCell(f), keys, cluster.FormatBytes(f.Size), cluster.EscapeText(integrity))
		if i == m.cursor {
			line = st.Selected.Render(common.Pad(line, m.width))
		}
		lines = append(lines, line)
	}
	return strings.Join(lines, "\n")
}

// row lays out one line of the table; the cluster ID column only on wide terminals.
func (m *Model) row(wide bool, time, id, rev, keys, size, integrity string) string {
	cells := []string{" " + common.Pad(time, 19)}
	if wide {
		cells = append(cells, common.Pad(id, 16))
	}
	cells = append(cells, padLeft(rev, 10), padLeft(keys, 10), padLeft(size, 10), integrity)
	return strings.Join(cells, "  ")
}

// padLeft right-aligns s in w cells; it counts display cells, not bytes ("…" is 3 bytes, 1 cell).
func padLeft(s string, w int) string {
	n := ansi.StringWidth(s)
	if n >= w {
		return s
	}
	return strings.Repeat(" ", w-n) + s
}

// statusCells are the keys and integrity cells of f: "…" while its status is read.
func (m *Model) statusCells(f backup.File) (keys, integrity string) {
	fs := m.statuses[f.Path]
	switch {
	case fs == nil && m.exe == "":
		return "", "unchecked (needs the etcdeck binary)"
	case fs == nil:
		return "", "waiting"
	case fs.loading:
		return "…", "checking…"
	case fs.err != nil:
		return "", "? " + fs.err.Error()
	}
	if fs.st.Error != "" {
		return "–", integrityText(*fs.st)
	}
	return common.Thousands(int64(fs.st.TotalKey)), integrityText(*fs.st)
}

// revision is f's revision: read from the file once its status is known (the status cache keeps
// it), else the one its name claims — exact is false then, as a renamed or hand-made file's name
// can say rev40 and hold rev 102.
func (m *Model) revision(f backup.File) (rev int64, exact bool) {
	if fs := m.statuses[f.Path]; fs != nil && fs.st != nil && fs.st.Error == "" {
		return fs.st.Revision, true
	}
	return f.Revision, false
}

// revisionCell is the REVISION cell: the file's revision, or "~" and the name's until it is read.
func (m *Model) revisionCell(f backup.File) string {
	rev, exact := m.revision(f)
	if !exact {
		return "~" + common.Thousands(rev)
	}
	return common.Thousands(rev)
}

// integrityText is one file's verdict in a few words.
func integrityText(st embednode.SnapshotStatus) string {
	if p := st.Problem(); p != "" {
		if st.SHA256 == embednode.SHA256Mismatch {
			return "✗ sha256 mismatch"
		}
		if st.SHA256 == embednode.SHA256Truncated {
			return "✗ truncated"
		}
		return "✗ " + p
	}
	if st.SHA256 == embednode.SHA256None {
		return "– no sha256 trailer"
	}
	return "✓ sha256 ok"
}

// detailView is the selected file's full status.
func (m *Model) detailView() string {
	st := m.common.Styles
	f, ok := m.selected()
	if !ok {
		return ""
	}
	// Paths, errors and the snapshot's own fields: the one escaping rule applies to every value.
	line := func(name, value string) string {
		return " " + st.Muted.Render(common.Pad(name, 12)) + cluster.EscapeText(value)
	}
	lines := []string{
		line("file", f.Path),
		line("cluster ID", fmt.Sprintf("%016x", f.ClusterID)),
		line("taken", f.Time.Format("2006-01-02 15:04:05")+" UTC"),
		line("size", common.Thousands(f.Size)+" bytes ("+cluster.FormatBytes(f.Size)+")"),
	}
	fs := m.statuses[f.Path]
	switch {
	case fs == nil || fs.loading:
		lines = append(lines, line("status", "checking…"))
	case fs.err != nil:
		lines = append(lines, line("status", "? "+fs.err.Error()))
	default:
		s := *fs.st
		lines = append(lines, line("integrity", integrityText(s)), line("sha256", s.SHA256))
		if s.Error != "" {
			lines = append(lines, line("error", s.Error))
		} else {
			version := s.Version
			if version == "" {
				version = "not recorded (etcd < 3.6)"
			}
			lines = append(lines,
				line("revision", common.Thousands(s.Revision)),
				line("key revs", common.Thousands(int64(s.TotalKey))+" (every stored revision of every key)"),
				line("total size", common.Thousands(s.TotalSize)+" bytes"),
				line("hash", fmt.Sprintf("%08x (etcdutl's crc32 of the keyspace)", s.Hash)),
				line("storage", version))
			if s.Auth == embednode.AuthOn {
				lines = append(lines, line("auth", "on: restored, the member answers the backup's users only (R asks for one)"))
			}
		}
	}
	return strings.Join(lines, "\n")
}

// footer is the delete question while it is open, else a status line: the root's help line
// under every view already lists the keys (from ShortHelp), as the Keys and Watch views leave it.
func (m *Model) footer() string {
	if m.confirm.Active() {
		return m.confirm.View()
	}
	if m.restore.creds.active() {
		return " " + m.restore.creds.view()
	}
	if m.plan.prompt.Active() {
		return " " + m.plan.prompt.View()
	}
	var status string
	switch {
	case m.plan.shown:
		status = m.planStatus()
	case m.detail:
	default:
		if f, ok := m.selected(); ok {
			status = cluster.EscapeText(f.Name)
		}
	}
	return " " + m.common.Styles.Muted.Render(status)
}
