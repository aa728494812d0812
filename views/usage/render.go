package usage

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/embednode"
	"github.com/etcdeck/etcdeck/views/common"
)

// maxRowsShown bounds each table: the panel is a first screen; `etcdeck usage` lists them all.
const maxRowsShown = 15

// barWidth is the share bar's width in cells.
const barWidth = 16

// View draws the report at width: the stored table first (it answers the question the panel is
// for), then the live one; everything from the cluster goes through cluster's escaping.
func (p Panel) View(width int) string {
	st := p.common.Styles
	g := p.common.Keys.Global
	var b strings.Builder
	title := "Usage of " + cluster.EscapeKey(p.prefix)
	if p.prefix == "" {
		title = "Usage of every key"
	}
	hints := common.Hints(common.BindingHint(g.Back, "close"), common.BindingHint(g.Snapshot, "take a current snapshot"))
	if p.snap.task.Running() {
		hints = common.Hints(common.BindingHint(g.Back, "cancel the snapshot"))
	}
	b.WriteString(" " + st.OverlayTitle.Render(title) + "  " + st.Muted.Render(hints) + "\n\n")
	line := func(style func(...string) string, s string) {
		for _, l := range strings.Split(ansi.Wrap(s, max(10, width-2), ""), "\n") {
			b.WriteString(" " + style(l) + "\n")
		}
	}
	normal, muted := st.Normal.Render, st.Muted.Render
	if p.snap.confirm.Active() {
		// First, so it is on screen however long the report below.
		c := p.snap.confirm
		c.SetWidth(width)
		b.WriteString(c.View() + "\n\n")
	}
	dir := cluster.EscapeText(p.snap.offer.dir)
	if dir == "" {
		dir = cluster.EscapeText(p.common.Settings.BackupDir)
	}

	switch {
	case p.snap.task.Running():
		line(muted, "Stored: taking a snapshot for :usage into "+dir+", then reading it (the status bar shows how far; "+
			common.KeyName(g.Back)+" cancels)…")
	case !p.storedDone:
		line(muted, "Stored: reading the newest backup of this cluster…")
	case p.storedErr != nil:
		line(st.Error.Render, "Stored: "+cluster.EscapeText(p.storedErr.Error()))
	case p.noBackup:
		none := "Stored: no backup of this cluster in " + dir
		switch {
		case p.snap.err != nil:
			line(st.Error.Render, none+"; the snapshot for :usage failed: "+cluster.EscapeText(p.snap.err.Error()))
		case p.snap.offer.err != nil:
			line(st.Error.Render, none+", and none can be taken for :usage: "+cluster.EscapeText(p.snap.offer.err.Error()))
		case p.snap.confirm.Active():
			line(muted, none+".")
		default:
			line(muted, none+": "+common.KeyName(g.Snapshot)+" takes one for :usage (saved there as a backup) to see what old revisions weigh")
		}
	default:
		switch {
		case p.snap.err != nil:
			line(st.Error.Render, "The snapshot for :usage failed: "+cluster.EscapeText(p.snap.err.Error()))
		case p.snap.offer.err != nil:
			line(st.Error.Render, "No snapshot can be taken for :usage: "+cluster.EscapeText(p.snap.offer.err.Error()))
		}
		u := p.stored
		line(normal, fmt.Sprintf("Stored in %s (%s): revisions %d to %d%s, %s in %d revisions (%d tombstones)",
			cluster.EscapeText(p.file.Name), age(p.file.Time, p.opened), u.MinRev, u.MaxRev, compacted(u.CompactRev),
			cluster.FormatBytes(u.BucketBytes), u.Revisions, u.Tombstones))
		rows := make([][4]string, 0, len(u.Rows))
		for _, r := range u.Rows {
			rows = append(rows, [4]string{cluster.EscapeKey(r.Prefix), fmt.Sprint(r.Revisions), fmt.Sprint(r.Tombstones),
				cluster.FormatBytes(r.Bytes)})
		}
		p.table(&b, width, [4]string{"PREFIX", "REVISIONS", "TOMBSTONES", "BYTES"}, rows, func(i int) (int64, int64) {
			return u.Rows[i].Bytes, u.BucketBytes
		})
		line(muted, fmt.Sprintf("leases: %d, %d keys attached%s", len(u.Leases), u.LeasedKeys, leaseTop(u.Leases)))
	}
	b.WriteString("\n")
	switch {
	case !p.liveDone:
		line(muted, "Live: reading the keys and values…")
	case p.liveErr != nil:
		line(st.Error.Render, "Live: "+cluster.EscapeText(p.liveErr.Error()))
	default:
		r := p.live
		line(normal, fmt.Sprintf("Live at revision %d: %d keys, %s of keys and current values", r.Rev, r.Keys, cluster.FormatBytes(r.Bytes)))
		rows := make([][4]string, 0, len(r.Rows))
		for _, c := range r.Rows {
			rows = append(rows, [4]string{cluster.EscapeKey(c.Name), fmt.Sprint(c.Keys), "", cluster.FormatBytes(c.KeyBytes + c.ValueBytes)})
		}
		p.table(&b, width, [4]string{"CHILD", "KEYS", "", "BYTES"}, rows, func(i int) (int64, int64) {
			return r.Rows[i].KeyBytes + r.Rows[i].ValueBytes, r.Bytes
		})
	}
	return strings.TrimRight(b.String(), "\n")
}

// table writes a header and up to maxRowsShown rows: the name cut to what the numbers and the
// bar leave, and the share bar; share gives a row's bytes and the total.
func (p Panel) table(b *strings.Builder, width int, head [4]string, rows [][4]string, share func(int) (int64, int64)) {
	st := p.common.Styles
	const num = 10
	nameW := max(8, width-2-3*(num+1)-barWidth-8)
	cell := func(c [4]string) string {
		name := ansi.Truncate(c[0], nameW, "…")
		return fmt.Sprintf("%-*s %*s %*s %*s", nameW, name, num, c[1], num, c[2], num, c[3])
	}
	b.WriteString(" " + st.Muted.Render(cell(head)+" SHARE") + "\n")
	for i, r := range rows {
		if i == maxRowsShown {
			b.WriteString(" " + st.Muted.Render(fmt.Sprintf("… %d more (etcdeck usage lists them all)", len(rows)-i)) + "\n")
			break
		}
		n, total := share(i)
		b.WriteString(" " + st.Normal.Render(cell(r)) + " " + st.Info.Render(cluster.ShareBar(n, total, barWidth)) +
			" " + st.Muted.Render(cluster.Percent(n, total)) + "\n")
	}
}

// age is how long before now the backup was taken, in words.
func age(t, now time.Time) string {
	if t.IsZero() {
		return "time unknown"
	}
	return cluster.FormatDuration(now.Sub(t).Truncate(time.Second)) + " ago"
}

func compacted(rev int64) string {
	if rev <= 0 {
		return ""
	}
	return fmt.Sprintf(" (compacted at %d)", rev)
}

// leaseTop names the leases with the most keys, up to three.
func leaseTop(ls []embednode.UsageLease) string {
	var parts []string
	for i, l := range ls {
		if i == 3 || l.Keys == 0 {
			break
		}
		parts = append(parts, fmt.Sprintf("%x: %d key(s)", l.ID, l.Keys))
	}
	if len(parts) == 0 {
		return ""
	}
	return " · " + strings.Join(parts, ", ")
}
