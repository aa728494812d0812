package snapshots

import (
	"fmt"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/etcdeck/etcdeck/views/common"
	"github.com/etcdeck/etcdeck/views/common/viewtest"
)

// TestPlanNeverBreaksAToken: at 80, 100 and 120 columns every word on the plan screen is a whole
// word of the plan's text (a data-dir path broken inside a word, or `endpoint health --` /
// `cluster`, was copied from the screen as two), and each member's command, read back from the
// screen by joining its ` \` continuations, is the command `y` copies.
func TestPlanNeverBreaksAToken(t *testing.T) {
	for _, w := range []int{80, 100, 120} {
		m := planFixture(t, w, 200) // tall: every line of the plan on screen
		words := map[string]bool{"\\": true}
		for _, f := range strings.Fields(m.plan.plan.Text()) {
			words[f] = true
		}
		lines := m.planLines()
		for _, l := range lines {
			for _, f := range strings.Fields(l) {
				if !words[f] {
					t.Errorf("%d columns: %q is not a word of the plan (line %q)", w, f, l)
				}
			}
		}
		// The commands as the screen shows them, continuations joined.
		var shown []string
		cur := ""
		for _, l := range lines {
			switch {
			case cur != "":
				cur += " " + strings.TrimSpace(l)
			case strings.HasPrefix(l, "  etcdutl "):
				cur = strings.TrimSpace(l)
			default:
				continue
			}
			if strings.HasSuffix(cur, " \\") {
				cur = strings.TrimSuffix(cur, " \\")
				continue
			}
			shown, cur = append(shown, cur), ""
		}
		var copied []string
		for _, c := range m.plan.plan.Commands() {
			if !strings.HasPrefix(c, "# ") {
				copied = append(copied, c)
			}
		}
		if len(copied) != 3 || strings.Join(shown, "\n") != strings.Join(copied, "\n") {
			t.Errorf("%d columns: the screen's commands\n%s\nare not the copied ones\n%s", w, strings.Join(shown, "\n"), strings.Join(copied, "\n"))
		}
	}
}

// TestPlanCopiesCommands: `y` on the plan copies every member's command exactly (the clipboard
// command's text) and says what it copied.
func TestPlanCopiesCommands(t *testing.T) {
	m := planFixture(t, 80, 24)
	_, cmd := m.Update(viewtest.Key("y"))
	if cmd == nil {
		t.Fatal("y on the plan did nothing")
	}
	var clip, flash string
	for _, msg := range drain(cmd) {
		if fm, ok := msg.(common.FlashMsg); ok {
			flash = fm.Text
		} else if strings.Contains(fmt.Sprintf("%T", msg), "setClipboardMsg") {
			clip = fmt.Sprint(msg)
		}
	}
	want := strings.Join(m.plan.plan.Commands(), "\n") + "\n"
	if clip != want {
		t.Errorf("copied %q, want %q", clip, want)
	}
	if !strings.Contains(flash, "copied the restore commands of 3 members") {
		t.Errorf("flash %q", flash)
	}
}

// drain runs cmd and the commands of the batches it returns, and gives the messages.
func drain(cmd tea.Cmd) []tea.Msg {
	if cmd == nil {
		return nil
	}
	msg := cmd()
	if b, ok := msg.(tea.BatchMsg); ok {
		var out []tea.Msg
		for _, c := range b {
			out = append(out, drain(c)...)
		}
		return out
	}
	return []tea.Msg{msg}
}

// TestPlanScrollsSideways: at 80 columns the --initial-cluster of three members is one word
// wider than the screen: it stays whole, its end is cut off, and → (l) shows the end, ← back.
func TestPlanScrollsSideways(t *testing.T) {
	m := planFixture(t, 80, 200)
	end := "etcd-3=https://10.0.0.3:2380"
	if strings.Contains(m.View(), end) {
		t.Fatalf("the wide word fits at 80 columns: nothing to test:\n%s", m.View())
	}
	if !m.keys().PlanRight.Enabled() || m.keys().PlanLeft.Enabled() {
		t.Fatal("→ is not offered for a line wider than the screen (or ← is, at the left edge)")
	}
	m.Update(viewtest.Key("l"))
	if !strings.Contains(m.View(), end) {
		t.Errorf("→ does not show the word's end:\n%s", m.View())
	}
	m.Update(viewtest.Key("h"))
	if m.plan.xoffset != 0 || !strings.Contains(m.View(), "Restore plan for cluster") {
		t.Errorf("← does not go back to the left edge (offset %d)", m.plan.xoffset)
	}
}
