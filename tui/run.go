package tui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"go.uber.org/zap"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/config"
	"github.com/etcdeck/etcdeck/views/common"
)

// renderFPS caps how often the frame is redrawn, and is how often an idle console wakes up:
// Bubble Tea's renderer ticks at this rate whether or not anything changed, and on the shared
// 2-vCPU VM a bare 30 Hz Go ticker alone cost 0.67% of a core (2 Hz: 0.05%), two thirds of the
// 1% an idle console may use (issue 22). 15 frames/s draws a key press within 67 ms at worst
// (33 ms on average), under the 100 ms a person notices; the console measured 0.66% idle at 15
// against 0.91% at 30 (Keys view, load average 15-18, scripts/idle-cpu.sh measures it per view).
const renderFPS = 15

// ErrCrashed is returned by Run after a panic in etcdeck's code; Run has already restored the
// terminal, written the trace to the log and named the log on stderr.
var ErrCrashed = errors.New("etcdeck crashed")

// Run runs the console on session until the user quits or ctx ends. settings.LogPath is where
// a crash trace goes; log may be nil.
func Run(ctx context.Context, settings *config.Settings, session *cluster.Session, log *zap.Logger, opts ...Option) error {
	m, err := New(settings, session, log, opts...)
	if err != nil {
		return err
	}
	// A panic in a goroutine no command started (a library's) cannot be recovered: have the
	// runtime copy its trace into the log as well as stderr.
	if settings.LogPath != "" {
		if f, err := os.OpenFile(settings.LogPath, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600); err == nil {
			_ = debug.SetCrashOutput(f, debug.CrashOptions{})
			_ = f.Close() // SetCrashOutput keeps its own descriptor
		}
	}
	return run(ctx, m, os.Stderr)
}

func run(ctx context.Context, m *Model, stderr io.Writer, opts ...tea.ProgramOption) error {
	// The renderer wakes up fps times a second even when nothing changes (see renderFPS).
	opts = append([]tea.ProgramOption{tea.WithContext(ctx), tea.WithFPS(renderFPS)}, opts...)
	if m.common.Settings.NoColor {
		opts = append(opts, tea.WithColorProfile(colorprofile.Ascii))
	}
	p := tea.NewProgram(m, opts...)
	m.crash.mu.Lock()
	m.crash.quit = p.Quit
	m.crash.mu.Unlock()

	_, runErr := p.Run()
	// Work still in flight in a view (a snapshot being opened) stops and removes what it made.
	for _, v := range m.views {
		if c, ok := v.(common.Closer); ok {
			c.Close()
		}
	}
	m.usage.Close() // a snapshot being taken for :usage leaves no partial file
	// A snapshot still open has a temporary member and a directory to release.
	for _, err := range m.CloseSessions() {
		fmt.Fprintln(stderr, "etcdeck:", err)
	}
	if r, stack, crashed := m.crash.report(); crashed {
		return reportCrash(m.common.Log, m.common.Settings.LogPath, stderr, r, stack)
	}
	if runErr != nil && errors.Is(runErr, tea.ErrProgramKilled) && ctx.Err() != nil {
		return nil // asked to stop from outside (signal, member gone): not an error
	}
	return runErr
}

// reportCrash appends the panic and its trace to the log file (a temporary file when there is
// none) and tells the user where it is.
func reportCrash(log *zap.Logger, path string, stderr io.Writer, r any, stack []byte) error {
	if log != nil {
		log.Error("etcdeck panicked; the trace follows in plain text", zap.String("panic", fmt.Sprint(r)))
		_ = log.Sync()
	}
	text := fmt.Sprintf("\n%s etcdeck panic: %v\n\n%s\n", time.Now().Format(time.RFC3339), r, stack)
	if err := appendFile(path, text); err != nil || path == "" {
		f, ferr := os.CreateTemp("", "etcdeck-crash-*.log")
		if ferr != nil {
			fmt.Fprintf(stderr, "etcdeck crashed: %v\n%s", r, stack)
			return ErrCrashed
		}
		_, _ = f.WriteString(text)
		_ = f.Close()
		path = f.Name()
	}
	fmt.Fprintf(stderr, "etcdeck crashed: %v\nThe trace is in %s — please include it when reporting the bug.\n", r, path)
	return ErrCrashed
}

func appendFile(path, text string) error {
	if path == "" {
		return errors.New("no log file")
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.WriteString(text); err != nil {
		_ = f.Close()
		return err
	}
	return f.Close()
}
