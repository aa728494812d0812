package keys

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/charmbracelet/x/exp/golden"
)

// TestRenderKeepsByteOffset: v on a text value scrolled to line 661 shows the hex line holding
// that line's first byte (it kept the line number: hex line 661 is another part of the value),
// and v back to text shows the line holding that byte. Goldens of the hex at 80x24 and 120x40.
func TestRenderKeepsByteOffset(t *testing.T) {
	var b strings.Builder
	for i := range 1000 {
		fmt.Fprintf(&b, "line %04d of the value\n", i) // 23 bytes a line
	}
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		t.Run(fmt.Sprintf("hex_%dx%d", size[0], size[1]), func(t *testing.T) {
			f := newEditFixture(t, size[0], size[1], false)
			d, m := f.d, f.m
			if _, err := f.etcd.Put(context.Background(), "/app/lines", b.String()); err != nil {
				t.Fatal(err)
			}
			f.inspect("/app/lines")
			for m.insp.offset < 661 {
				d.Press("pgdown")
			}
			for m.insp.offset > 661 {
				d.Press("k")
			}
			d.Press("v")
			d.until("the hex dump", func() bool { return m.insp.doc.Rendering.String() == "hex" })
			if want := 661 * 23 / 16; m.insp.offset != want {
				t.Fatalf("text line 661 → hex line %d, want %d (the line holding byte %d)", m.insp.offset, want, 661*23)
			}
			golden.RequireEqual(t, []byte(d.screen()))
			d.Press("v")
			d.until("text again", func() bool { return m.insp.doc.Rendering.String() == "text" })
			if want := 661 * 23 / 16 * 16 / 23; m.insp.offset != want {
				t.Fatalf("hex back to text: line %d, want %d", m.insp.offset, want)
			}
		})
	}
}
