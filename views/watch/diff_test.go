package watch

import (
	"fmt"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/views/common"
)

func TestLineDiff(t *testing.T) {
	for _, tc := range []struct{ old, new, want string }{
		{"a\nb\nc", "a\nb\nc", " a| b| c"},
		{"a\nb\nc", "a\nB\nc", " a|-b|+B| c"},
		{"small", "x\ny", "-small|+x|+y"},
		{"a\nb", "a\nb\nc", " a| b|+c"},
		{"a\nb\nc", "c", "-a|-b| c"},
		{"", "new", "-|+new"},
	} {
		lines, ok := lineDiff(tc.old, tc.new)
		var got []string
		for _, l := range lines {
			got = append(got, string(l.op)+l.text)
		}
		if !ok || strings.Join(got, "|") != tc.want {
			t.Errorf("diff(%q, %q) = %q, want %q", tc.old, tc.new, strings.Join(got, "|"), tc.want)
		}
	}
	if _, ok := lineDiff(strings.Repeat("x\n", maxDiffLines+1), "x"); ok {
		t.Error("a value longer than maxDiffLines was diffed")
	}
}

// FuzzLineDiff: the kept and removed lines rebuild the old value, kept and added the new.
func FuzzLineDiff(f *testing.F) {
	f.Add("a\nb\nc", "a\nc\nd")
	f.Fuzz(func(t *testing.T, old, new string) {
		lines, ok := lineDiff(old, new)
		if !ok {
			return
		}
		var a, b []string
		for _, l := range lines {
			if l.op != '+' {
				a = append(a, l.text)
			}
			if l.op != '-' {
				b = append(b, l.text)
			}
		}
		if strings.Join(a, "\n") != old || strings.Join(b, "\n") != new {
			t.Fatalf("diff does not rebuild its sides: %q %q", old, new)
		}
	})
}

// TestDetailScroll: the pane keeps the event's header, shows the value from the scroll
// position, says how much is above and below, and never goes past the end.
func TestDetailScroll(t *testing.T) {
	st := common.NewStyles(true)
	var lines []string
	for i := 1; i <= 20; i++ {
		lines = append(lines, fmt.Sprintf("line %02d", i))
	}
	e := &entry{ev: cluster.Event{Kind: cluster.EventPut, Key: "/k", Value: []byte(strings.Join(lines, "\n"))}}
	for _, tc := range []struct {
		scroll, height int
		want           string
	}{
		{0, 7, "line 01|line 02|line 03|line 04|… 16 more lines"},
		{5, 7, "… 6 lines above|line 07|line 08|line 09|… 11 more lines"},
		{99, 7, "… 16 lines above|line 17|line 18|line 19|line 20"},
		{3, 3, "… 4 lines above"},
		{0, 2, ""},
	} {
		d := detail{open: true, scroll: tc.scroll}
		out := d.view(st, e, 60, tc.height, "")
		body := make([]string, 0, len(out))
		for _, l := range out[min(detailHead, len(out)):] {
			body = append(body, strings.TrimSpace(ansi.Strip(l)))
		}
		if got := strings.Join(body, "|"); got != tc.want || len(out) > tc.height {
			t.Errorf("scroll %d height %d: %q (%d rows), want %q", tc.scroll, tc.height, got, len(out), tc.want)
		}
	}
}
