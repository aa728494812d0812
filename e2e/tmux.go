// Package e2e drives the built etcdeck binary in a real terminal: a detached tmux session at a
// fixed size, keys sent with send-keys, the screen read with capture-pane, as a user would.
package e2e

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Session is one program running in its own tmux server (a private socket, so tests never touch
// the user's tmux or each other).
type Session struct {
	t      testing.TB
	socket string
	name   string
}

// TmuxPath returns the tmux binary, or "" when it is not installed.
func TmuxPath() string {
	p, err := exec.LookPath("tmux")
	if err != nil {
		return ""
	}
	return p
}

// RequireTmux skips the test when tmux is missing, saying how to get it.
func RequireTmux(t testing.TB) {
	t.Helper()
	if TmuxPath() == "" {
		t.Skip("tmux is not installed (apt-get install tmux): end-to-end tests need a real terminal")
	}
}

// Start runs argv in a new detached tmux session of width×height with env added to the
// environment, in dir. When the program ends, the pane prints "[exited N]" followed by the
// terminal's mode ("icanon echo" when cooked), and stays open so tests can read it.
func Start(t testing.TB, width, height int, env []string, dir string, argv ...string) *Session {
	t.Helper()
	RequireTmux(t)
	sockDir, err := os.MkdirTemp("", "e2e-tmux-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(sockDir) })
	s := &Session{t: t, socket: filepath.Join(sockDir, "sock"), name: "e2e"}

	quoted := make([]string, len(argv))
	for i, a := range argv {
		quoted[i] = shellQuote(a)
	}
	// stty reports the terminal mode after the program: "icanon echo" means it was restored.
	// One echo prints both, so a test that sees "[exited" sees the mode too.
	// "trap : INT" keeps the wrapper alive when ctrl+c reaches the whole process group (at a
	// prompt, before the UI takes the terminal); the program itself gets the default action.
	script := "trap : INT; " + strings.Join(quoted, " ") +
		`; rc=$?; mode=$(stty -a | tr ' ;' '\n\n' | grep -x -e icanon -e -icanon -e echo -e -echo | tr '\n' ' ')` +
		`; echo "[exited $rc] $mode"; exec sleep 3600`
	args := []string{"-f", "/dev/null", "new-session", "-d", "-s", s.name,
		"-x", fmt.Sprint(width), "-y", fmt.Sprint(height)}
	if dir != "" {
		args = append(args, "-c", dir)
	}
	for _, e := range env {
		args = append(args, "-e", e)
	}
	args = append(args, "sh", "-c", script)
	if out, err := s.tmux(args...); err != nil {
		t.Fatalf("tmux new-session: %v: %s", err, out)
	}
	// A pane resized by a later client would change the screen under the test: pin the size.
	_, _ = s.tmux("set-option", "-t", s.name, "window-size", "manual")
	t.Cleanup(s.Close)
	return s
}

func (s *Session) tmux(args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "tmux", append([]string{"-S", s.socket}, args...)...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// SendKeys sends tmux key names ("q", "Tab", "BTab", "Enter", "Escape", "C-c") one by one.
func (s *Session) SendKeys(keys ...string) {
	s.t.Helper()
	for _, k := range keys {
		if out, err := s.tmux("send-keys", "-t", s.name, k); err != nil {
			s.t.Fatalf("send-keys %q: %v: %s", k, err, out)
		}
	}
}

// Type sends text literally, character for character.
func (s *Session) Type(text string) {
	s.t.Helper()
	if out, err := s.tmux("send-keys", "-t", s.name, "-l", text); err != nil {
		s.t.Fatalf("send-keys -l %q: %v: %s", text, err, out)
	}
}

// Screen returns the visible pane as plain text, one line per row.
func (s *Session) Screen() string {
	s.t.Helper()
	out, err := s.tmux("capture-pane", "-p", "-t", s.name)
	if err != nil {
		s.t.Fatalf("capture-pane: %v: %s", err, out)
	}
	return out
}

// ErrTimeout is returned by WaitFor when the text did not show up in time.
var ErrTimeout = errors.New("timed out")

// WaitFor polls the screen until it contains text, and returns that screen. After timeout it
// fails the test, printing the screen as it was.
func (s *Session) WaitFor(text string, timeout time.Duration) string {
	s.t.Helper()
	screen, err := s.Poll(func(sc string) bool { return strings.Contains(sc, text) }, timeout)
	if err != nil {
		s.t.Fatalf("waiting %s for %q: %v; screen:\n%s", timeout, text, err, screen)
	}
	return screen
}

// WaitGone polls until text is no longer on the screen.
func (s *Session) WaitGone(text string, timeout time.Duration) string {
	s.t.Helper()
	screen, err := s.Poll(func(sc string) bool { return !strings.Contains(sc, text) }, timeout)
	if err != nil {
		s.t.Fatalf("waiting %s for %q to go: %v; screen:\n%s", timeout, text, err, screen)
	}
	return screen
}

// Poll captures the screen until cond holds or timeout passes: at once, then 20 ms later, backing
// off to every 100 ms. Each capture starts a tmux client; at a steady 20 ms the e2e tests spent
// more CPU starting tmux than running etcdeck.
func (s *Session) Poll(cond func(screen string) bool, timeout time.Duration) (string, error) {
	deadline := time.Now().Add(timeout)
	pause := 20 * time.Millisecond
	for {
		out, err := s.tmux("capture-pane", "-p", "-t", s.name)
		if err == nil && cond(out) {
			return out, nil
		}
		if time.Now().After(deadline) {
			return out, ErrTimeout
		}
		time.Sleep(pause)
		pause = min(pause*3/2, 100*time.Millisecond)
	}
}

// PanePID is the process id of the shell running the program in the pane.
func (s *Session) PanePID() int {
	s.t.Helper()
	out, err := s.tmux("display-message", "-p", "-t", s.name, "#{pane_pid}")
	if err != nil {
		s.t.Fatalf("pane pid: %v: %s", err, out)
	}
	var pid int
	fmt.Sscan(strings.TrimSpace(out), &pid)
	return pid
}

// Close kills the tmux server and everything running in it.
func (s *Session) Close() {
	_, _ = s.tmux("kill-server")
}

func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r == '/' || r == '-' || r == '_' || r == '.' || r == '=' || r == ':' || r == ',' ||
			(r >= '0' && r <= '9') || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z'))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// Resize changes the terminal's size, as a user dragging the window would.
func (s *Session) Resize(width, height int) {
	s.t.Helper()
	if out, err := s.tmux("resize-window", "-t", s.name, "-x", fmt.Sprint(width), "-y", fmt.Sprint(height)); err != nil {
		s.t.Fatalf("resize-window: %v: %s", err, out)
	}
}
