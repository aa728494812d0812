package clusterview

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/views/common"
)

// This file is the maintenance panel: the last action's result as lines, and how they are drawn.

// alarmResult is one line per raised alarm, with what it means for the member.
func alarmResult(title string, alarms []cluster.Alarm, names map[uint64]string) maintResult {
	r := maintResult{Title: title, Summary: common.Plural(len(alarms), "alarm") + " raised"}
	if len(alarms) == 0 {
		r.Lines = []string{"no alarms raised"}
		return r
	}
	for _, a := range alarms {
		name := names[a.MemberID]
		if name == "" {
			name = fmt.Sprintf("%x", a.MemberID)
		}
		line := fmt.Sprintf("%-8s on %s", a.Kind, name)
		switch a.Kind {
		case "NOSPACE":
			line += ": the database reached its quota, writes are refused (:defrag all, then :alarm disarm)"
		case "CORRUPT":
			line += ": its data differs from the others' (do not restore from it)"
		}
		r.Lines = append(r.Lines, line)
	}
	return r
}

// defragResult is one line per member taken (before → after, time), the rule, and on failure
// what to do.
func defragResult(rep cluster.DefragReport, err error) maintResult {
	r := maintResult{Title: "Defragment · " + rep.Rule}
	var before, after int64
	var took time.Duration
	n := 0
	for _, mr := range rep.Members {
		line := fmt.Sprintf("%-12s %s → ", mr.Label(), cluster.FormatBytes(mr.Before.DBSize))
		switch {
		case mr.Skipped != "":
			line = fmt.Sprintf("%-12s %s · skipped: %s", mr.Label(), mr.Before, mr.Skipped)
		case mr.Err != nil:
			line += "✗ " + mr.Err.Error()
		default:
			line += fmt.Sprintf("%s · in use %s · %s", cluster.FormatBytes(mr.After.DBSize),
				cluster.FormatBytes(mr.After.InUse), cluster.FormatDuration(mr.Took))
			before, after, took, n = before+mr.Before.DBSize, after+mr.After.DBSize, took+mr.Took, n+1
		}
		r.Lines = append(r.Lines, line)
	}
	if err != nil {
		r.Lines = append(r.Lines, "✗ "+err.Error(), "stopped: the members after it were not touched; fix the cause and run it again")
	}
	r.Summary = fmt.Sprintf("defragmented %s: %s → %s in %s", common.Plural(n, "member"),
		cluster.FormatBytes(before), cluster.FormatBytes(after), cluster.FormatDuration(took))
	return r
}

// maintPanel is the last action's result (or the running action's steps so far) in at most n
// lines: its title, then each line escaped and wrapped; esc closes it.
func (m *Model) maintPanel(n int) []string {
	r := m.maint.result
	if m.maint.task.Running() {
		r = maintResult{Title: m.maint.task.Label() + " (esc cancels)"}
	}
	if r.Title == "" || n < 2 {
		return nil
	}
	st := m.common.Styles
	out := []string{" " + st.Title.Render(cluster.EscapeText(r.Title))}
	for _, l := range r.Lines {
		style := st.Muted
		if strings.HasPrefix(l, "✗") || strings.Contains(l, "→ ✗") {
			style = st.Error
		}
		for _, w := range strings.Split(ansi.Wordwrap(cluster.EscapeText(l), max(m.width-4, 10), ""), "\n") {
			out = append(out, "   "+style.Render(w))
		}
	}
	if !m.maint.task.Running() {
		out = append(out, "   "+st.Muted.Render(common.BindingHint(m.common.Keys.Global.Back, "closes this")))
	}
	if len(out) > n {
		out = append(out[:n-1], "   "+st.Muted.Render(fmt.Sprintf("… %d more lines (:messages has the ✓/✗ line)", len(out)-n+1)))
	}
	return out
}
