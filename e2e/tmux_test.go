package e2e

import (
	"strings"
	"testing"
	"time"
)

// TestHarnessShell checks the harness itself on a plain shell: start, type, keys, screen, exit.
func TestHarnessShell(t *testing.T) {
	s := Start(t, 60, 10, []string{"E2E_GREETING=hello from env"}, t.TempDir(),
		"sh", "-c", `echo "$E2E_GREETING"; printf 'size:'; stty size; read line; echo "got:$line"`)
	s.WaitFor("hello from env", 5*time.Second)
	s.WaitFor("size:10 60", 5*time.Second)
	s.Type("it's a 'quoted' line")
	s.SendKeys("Enter")
	s.WaitFor("got:it's a 'quoted' line", 5*time.Second)
	screen := s.WaitFor("[exited 0]", 5*time.Second)
	if !strings.Contains(screen, "icanon echo") {
		t.Errorf("terminal mode after exit not reported as cooked:\n%s", screen)
	}
}

func TestShellQuote(t *testing.T) {
	for in, want := range map[string]string{
		"plain/path-1.2": "plain/path-1.2",
		"a b":            "'a b'",
		"it's":           `'it'\''s'`,
		"":               "''",
	} {
		if got := shellQuote(in); got != want {
			t.Errorf("shellQuote(%q) = %q, want %q", in, got, want)
		}
	}
}
