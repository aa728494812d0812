package keys

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
)

// onScreen is true when s is on the screen, wherever a wrapped question broke its lines.
func onScreen(d *driver, s string) bool {
	flat := func(s string) string { return strings.Join(strings.Fields(ansi.Strip(s)), "") }
	return strings.Contains(flat(d.screen()), flat(s))
}

// TestGoldenDeletePrefixPrompt: D on a directory with a 100-byte prefix wraps the question at
// 80x24 and 120x40: the count, the whole prefix to type and what was typed stay on screen (the
// old one-line prompt cut the prefix and the field off). esc then says "cancelled", not "type
// the prefix exactly".
func TestGoldenDeletePrefixPrompt(t *testing.T) {
	prefix := "/long/" + strings.Repeat("customresourcedefinitions-", 3)
	prefix += strings.Repeat("x", 99-len(prefix)) + "/"
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		t.Run(fmt.Sprintf("delete_prefix_%dx%d", size[0], size[1]), func(t *testing.T) {
			f := newEditFixture(t, size[0], size[1], false)
			d := f.d
			f.etcd.Put(context.Background(), prefix+"a", "1")
			d.Send(gotoDir("/long/"))
			d.until("the long directory", d.contains("customresourcedefinitions"))
			d.Press("D")
			d.until("the count", d.contains("delete 1 key under"))
			f.typeText("/long/cus")
			d.until("the typed text", d.contains("> /long/cus"))
			screen := d.screen()
			flat := strings.Join(strings.Fields(ansi.Strip(screen)), "")
			for _, want := range []string{"delete1keyunder" + prefix, "type" + prefix + "andenter:", ">/long/cus"} {
				if !strings.Contains(flat, want) {
					t.Errorf("%q not on screen:\n%s", want, screen)
				}
			}
			golden.RequireEqual(t, []byte(screen))
			d.Press("esc")
			f.flashed("cancelled: nothing deleted")
			if n := len(f.get(t, prefix+"a").Kvs); n != 1 {
				t.Fatal("esc deleted the key")
			}
		})
	}
}

// TestInspectorSaysLine: the inspector's position reads "line 1/N" beside the rendering, not a
// bare "1/N" that reads as "rendering 1 of N".
func TestInspectorSaysLine(t *testing.T) {
	f := newEditFixture(t, 120, 40, false)
	f.inspect("/app/config")
	f.d.until("the position", f.d.contains("json · line 1/"))
}
