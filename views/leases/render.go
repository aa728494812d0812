package leases

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/views/common"
)

// View renders the title (with the count over time), the summary, the table of leases or one
// lease's keys, and the footer (the revoke question while it is open).
func (m *Model) View() string {
	st := m.common.Styles
	var b strings.Builder
	b.WriteString(st.TitleLine(m.width, "Leases", "", st.Muted.Render(m.surge())))
	b.WriteString("\n")
	switch {
	case m.keys.open:
		b.WriteString(m.keys.view(m))
	case m.listErr != "" && !m.listed:
		b.WriteString(" " + st.Error.Render("✗ "+cluster.EscapeText(m.listErr)))
	case !m.listed:
		b.WriteString(" " + st.Muted.Render("listing leases…"))
	case len(m.list) == 0:
		b.WriteString(" " + st.Muted.Render(m.summaryLine()) + "\n " +
			st.Muted.Render("no leases (etcdctl lease grant, put --lease; Kubernetes events use them)"))
	default:
		b.WriteString(" " + st.Muted.Render(m.summaryLine()) + "\n")
		b.WriteString(m.table())
	}
	fh := min(max(1, m.confirm.Height()), max(1, m.height-1))
	body := common.Fit(b.String(), m.width, max(0, m.height-fh))
	return body + "\n" + common.Fit(m.footer(), m.width, fh)
}

// listHeight is how many lease rows fit: the title, summary, header and footer take 4 lines.
func (m *Model) listHeight() int { return max(0, m.height-4) }

// summaryLine says how many leases there are, the keys attached to them, those with no key and
// the leases by granted TTL, from the last summary pass (which may have read only the first
// cluster.SummaryCap leases: then it says of how many).
func (m *Model) summaryLine() string {
	parts := []string{common.Plural(len(m.list), "lease")}
	switch {
	case m.sum != nil:
		s := m.sum
		parts = append(parts, common.Thousands(s.KeysAttached)+" keys attached",
			common.Thousands(int64(s.Orphans))+" with no key")
		var ttl []string
		for i, n := range s.ByTTL {
			if n > 0 {
				ttl = append(ttl, bucketName(i)+" "+common.Thousands(int64(n)))
			}
		}
		if len(ttl) > 0 {
			parts = append(parts, "TTL "+strings.Join(ttl, " "))
		}
		if s.Leases > cluster.SummaryCap {
			parts = append(parts, fmt.Sprintf("(counted on the first %s)", common.Thousands(cluster.SummaryCap)))
		}
	case m.sumErr != "":
		parts = append(parts, "summary: ✗ "+cluster.EscapeText(m.sumErr))
	case m.summing:
		parts = append(parts, "counting keys…")
	}
	return strings.Join(parts, " · ")
}

// bucketName names granted-TTL bucket i: "≤1m", …, ">1d".
func bucketName(i int) string {
	b := cluster.LeaseBuckets
	if i < len(b) {
		return "≤" + formatTTL(b[i])
	}
	return ">" + formatTTL(b[len(b)-1])
}

// sparks draw the lease count over the last listings, lowest to highest.
var sparks = []rune("▁▂▃▄▅▆▇█")

// surge is the lease count over the last listings as a sparkline and the change across them,
// so a surge (Kubernetes events) shows as a jump: "▁▁▂▇ +370 in 55s"; "" before two listings.
func (m *Model) surge() string {
	h := m.history
	if len(h) < 2 {
		return ""
	}
	lo, hi := h[0].n, h[0].n
	for _, c := range h {
		lo, hi = min(lo, c.n), max(hi, c.n)
	}
	var line []rune
	for _, c := range h {
		i := 0
		if hi > lo {
			i = (c.n - lo) * (len(sparks) - 1) / (hi - lo)
		}
		line = append(line, sparks[i])
	}
	d := h[len(h)-1].n - h[0].n
	span := h[len(h)-1].at.Sub(h[0].at).Round(time.Second)
	return fmt.Sprintf("%s %+d in %s", string(line), d, span)
}

// table is the header and the visible rows.
func (m *Model) table() string {
	st := m.common.Styles
	lines := []string{st.Muted.Render(row("ID", "GRANTED", "REMAINING", "KEYS"))}
	end := min(len(m.list), m.offset+m.listHeight())
	for i := m.offset; i < end; i++ {
		id := m.list[i]
		granted, left, keys := "…", "…", "…"
		if l, ok := m.detail[id]; ok {
			left = remaining(l, m.now)
			if !l.Gone() {
				granted, keys = formatTTL(l.Granted), common.Thousands(int64(l.NumKeys))
			} else {
				granted, keys = "", ""
			}
		}
		line := row(cluster.FormatLeaseID(id), granted, left, keys)
		if i == m.cursor {
			line = st.Selected.Render(common.Pad(line, m.width))
		}
		lines = append(lines, line)
	}
	return strings.Join(lines, "\n")
}

// row lays out one line of the table.
func row(id, granted, left, keys string) string {
	return " " + common.Pad(id, 16) + "  " + padLeft(granted, 9) + "  " + padLeft(left, 10) + "  " + padLeft(keys, 8)
}

// padLeft right-aligns s in w cells.
func padLeft(s string, w int) string {
	if n := ansi.StringWidth(s); n < w {
		return strings.Repeat(" ", w-n) + s
	}
	return s
}

// remaining is the time left on l at now, counting down from its read, or "expired".
func remaining(l cluster.Lease, now time.Time) string {
	if l.Gone() {
		return "expired"
	}
	left := l.Left(now)
	if left <= 0 {
		return "expiring"
	}
	return formatTTL(int64(left / time.Second))
}

// formatTTL writes seconds as etcd's TTLs read best: "45s", "10m", "1h", "1h1m30s", "1d".
func formatTTL(secs int64) string {
	if secs <= 0 {
		return "0s"
	}
	var b strings.Builder
	for _, u := range []struct {
		n    int64
		unit string
	}{{86400, "d"}, {3600, "h"}, {60, "m"}, {1, "s"}} {
		if secs >= u.n {
			fmt.Fprintf(&b, "%d%s", secs/u.n, u.unit)
			secs %= u.n
		}
	}
	return b.String()
}

// footer is the revoke question while it is open, else where the cursor is and why the last
// read failed, if it did.
func (m *Model) footer() string {
	st := m.common.Styles
	if m.confirm.Active() {
		return m.confirm.View()
	}
	var parts []string
	if m.keys.open && len(m.keys.lease.Keys) > 0 {
		parts = append(parts, fmt.Sprintf("key %s of %s", common.Thousands(int64(m.keys.cursor+1)), common.Thousands(int64(len(m.keys.lease.Keys)))))
	} else if !m.keys.open && len(m.list) > 0 {
		parts = append(parts, fmt.Sprintf("lease %s of %s", common.Thousands(int64(m.cursor+1)), common.Thousands(int64(len(m.list)))))
	}
	line := " " + st.Muted.Render(strings.Join(parts, " · "))
	for _, e := range []string{m.listErr, m.readErr} {
		if e != "" && m.listed {
			line += "  " + st.Error.Render("✗ "+cluster.EscapeText(e))
		}
	}
	return line
}
