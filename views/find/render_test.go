package find

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/keymap"
	"github.com/etcdeck/etcdeck/views/common"
	"github.com/etcdeck/etcdeck/views/common/viewtest"
)

// screen renders the view with the ASCII colour profile, as the goldens hold it.
func screen(m *Model) string {
	var buf bytes.Buffer
	w := &colorprofile.Writer{Forward: &buf, Profile: colorprofile.Ascii}
	w.WriteString(m.View())
	return buf.String()
}

// fixtureView is the view at w×h after a values search over /registry/ that found 60 matches
// (some on the key, one in a key with a control byte, one with a tab in its line).
func fixtureView(w, h int, q StartMsg) *Model {
	m := New(common.Common{Styles: common.NewStyles(false), Keys: keymap.DefaultKeyMap()})
	m.SetSize(w, h)
	m.query, m.ran = q, true
	for i := range 60 {
		mt := cluster.FindMatch{Key: fmt.Sprintf("/registry/pods/ns-%d/web-%03d", i%4, i), ModRev: int64(1200 + i), InValue: true,
			Line: "    image: nginx:1.27"}
		switch i {
		case 1:
			mt.InValue, mt.Line = false, mt.Key
		case 2:
			mt.Key += "\x1b[2J"
			mt.Line = "\tname: nginx\twith tabs"
		}
		m.matches = append(m.matches, mt)
	}
	m.prog = cluster.FindProgress{Rev: 1290, Scanned: 40000, Total: 400000, Found: 60, Elapsed: 1500 * time.Millisecond}
	return m
}

// TestGoldenFind renders the view at 80x24 and 120x40: before any search, scanning with
// matches streamed in, finished, capped, stopped by esc with what it found, and no match.
func TestGoldenFind(t *testing.T) {
	values := StartMsg{Text: "nginx", Prefix: "/registry/", InDir: true, Values: true}
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		w, h := size[0], size[1]
		for _, sc := range []struct {
			name string
			view func() *Model
		}{
			{"none", func() *Model {
				m := New(common.Common{Styles: common.NewStyles(false), Keys: keymap.DefaultKeyMap()})
				m.SetSize(w, h)
				return m
			}},
			{"scanning", func() *Model {
				m := fixtureView(w, h, values)
				// A run that is never executed: the view shows it running.
				m.task.Start(context.Background(), "find nginx", func(context.Context, *common.TaskRun) (cluster.FindProgress, error) {
					return cluster.FindProgress{}, nil
				})
				m.Update(viewtest.Key("j"))
				return m
			}},
			{"done", func() *Model {
				m := fixtureView(w, h, StartMsg{Text: `web-0\d+$`, Regex: true, Decoded: true, Values: true, Prefix: "/registry/pods/"})
				m.prog.Scanned, m.prog.Total, m.prog.Finished = 400000, 400000, true
				m.Update(viewtest.Key("N")) // wraps to the last match
				return m
			}},
			{"capped", func() *Model {
				m := fixtureView(w, h, values)
				m.prog.Scanned, m.prog.Total, m.prog.Found, m.prog.Capped, m.prog.Finished = 400000, 400000, 12345, true, true
				return m
			}},
			{"stopped", func() *Model {
				m := fixtureView(w, h, values)
				m.ended, m.cancelled = "cancelled; the matches found are kept", true
				return m
			}},
			{"nomatch", func() *Model {
				m := fixtureView(w, h, StartMsg{Text: "nothing-like-this"})
				m.matches = nil
				m.prog.Found, m.prog.Scanned, m.prog.Total, m.prog.Finished = 0, 400000, 400000, true
				return m
			}},
		} {
			t.Run(fmt.Sprintf("%s_%dx%d", sc.name, w, h), func(t *testing.T) {
				golden.RequireEqual(t, []byte(screen(sc.view())))
			})
		}
	}
}

// TestFindRowsRedrawn: the rows kept from one frame to the next are made again when the match at
// their place is another (a new search's) or the width changed: never a stale row on screen.
func TestFindRowsRedrawn(t *testing.T) {
	values := StartMsg{Text: "nginx", Prefix: "/registry/", InDir: true, Values: true}
	m := fixtureView(120, 40, values)
	first := m.View()
	if !strings.Contains(first, "/registry/pods/ns-0/web-000") {
		t.Fatalf("first frame:\n%s", first)
	}
	for i := range m.matches {
		m.matches[i].Key = fmt.Sprintf("/registry/configmaps/cm-%03d", i)
	}
	// (match 1's line is its old key, on purpose: only the key column changed)
	if again := m.View(); strings.Contains(again, "ns-0/web-000") || strings.Contains(again, "ns-3/web-003") ||
		!strings.Contains(again, "/registry/configmaps/cm-000") {
		t.Fatalf("a row of the earlier matches stayed:\n%s", again)
	}
	m.SetSize(80, 24)
	want := fixtureView(80, 24, values)
	for i := range want.matches {
		want.matches[i].Key = m.matches[i].Key
	}
	if got := m.View(); got != want.View() {
		t.Fatalf("after a resize the rows are not those of a fresh view at 80x24:\n%s\nwant:\n%s", got, want.View())
	}
}

// BenchmarkFindFrame is a key press in a list of 10,000 matches of 200-byte lines at 120x40: the
// cursor moves and the view is drawn. cpu-µs/op is the process's CPU time per press (getrusage),
// which a busy machine does not inflate as it does the wall time (ns/op).
func BenchmarkFindFrame(b *testing.B) {
	m := fixtureView(120, 40, StartMsg{Text: "nginx", Prefix: "/registry/", InDir: true, Values: true})
	line := strings.Repeat("abcdefghijklmnopqrstuvwxyz", 8)[:200]
	m.matches = m.matches[:0]
	for i := range 10000 {
		m.matches = append(m.matches, cluster.FindMatch{Key: fmt.Sprintf("/registry/pods/ns-%03d/obj-%07d", i%300, i), ModRev: int64(i), InValue: true, Line: line})
	}
	var before, after syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &before)
	b.ResetTimer()
	for i := range b.N {
		m.Update(viewtest.Key([]string{"j", "k"}[i%2]))
		_ = m.View()
	}
	b.StopTimer()
	syscall.Getrusage(syscall.RUSAGE_SELF, &after)
	cpu := time.Duration(after.Utime.Nano()+after.Stime.Nano()-before.Utime.Nano()-before.Stime.Nano()) * time.Nanosecond
	b.ReportMetric(float64(cpu.Microseconds())/float64(b.N), "cpu-µs/op")
}
