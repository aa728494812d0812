package keys

import (
	"context"
	"fmt"
	"os/exec"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/etcdeck/etcdeck/views/common"
)

// TestCopyKeyShellQuoted: y on a key with bytes that are not UTF-8 copies the shell word that
// reads back as the key ($'/odd/\xff\xfe\x80bin'), not the escaped text shown on screen (which
// pastes into etcdctl as another key), and the status bar shows what was copied; a plain key is
// copied as it is. The shell word is checked with bash itself where bash is installed.
func TestCopyKeyShellQuoted(t *testing.T) {
	f := newEditFixture(t, 80, 24, false)
	d, m := f.d, f.m
	odd := "/odd/\xff\xfe\x80bin"
	if _, err := f.etcd.Put(context.Background(), odd, "v"); err != nil {
		t.Fatal(err)
	}
	var copied []string
	d.Seen = func(msg tea.Msg) {
		if fm, ok := msg.(common.FlashMsg); ok {
			f.flash = append(f.flash, fm.Text)
		} else if s := fmt.Sprintf("%T", msg); strings.Contains(s, "setClipboardMsg") {
			copied = append(copied, fmt.Sprint(msg))
		}
	}
	d.Send(gotoDir(odd))
	d.until("the odd key selected", func() bool { return m.dir+m.selectedName() == odd })
	d.Press("y")
	want := `$'/odd/\xff\xfe\x80bin'`
	f.flashed("copied key as a shell word " + want)
	d.until("the copy", func() bool { return len(copied) == 1 })
	if copied[0] != want {
		t.Fatalf("copied %q, want %q", copied[0], want)
	}
	if bash, err := exec.LookPath("bash"); err == nil {
		out, err := exec.Command(bash, "-c", "printf %s "+copied[0]).Output()
		if err != nil || string(out) != odd {
			t.Fatalf("bash reads the copy back as %q (%v), want the key's bytes %q", out, err, odd)
		}
	}

	f.inspect("/app/notes")
	copied = nil
	d.Press("y")
	d.until("the copy", func() bool { return len(copied) == 1 })
	if copied[0] != "/app/notes" {
		t.Fatalf("a plain key copied as %q", copied[0])
	}
}
