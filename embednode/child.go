package embednode

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// ReadyPrefix starts the line a child member prints on stdout once it serves clients; the rest of
// the line is a JSON Ready.
const ReadyPrefix = "ETCDECK-MEMBER-READY "

// Ready is what a child member reports to its parent.
type Ready struct {
	Name       string   `json:"name"`
	ClientURLs []string `json:"client_urls"`
	PeerURLs   []string `json:"peer_urls"`
	DataDir    string   `json:"data_dir"`
}

// Args renders cfg as `etcdeck member` flags.
func (cfg Config) Args() []string {
	args := []string{"--name", cfg.Name, "--data-dir", cfg.DataDir,
		"--listen-client-urls", strings.Join(cfg.ListenClientURLs, ","),
		"--listen-peer-urls", strings.Join(cfg.ListenPeerURLs, ",")}
	if cfg.InitialCluster != "" {
		args = append(args, "--initial-cluster", cfg.InitialCluster)
	}
	if cfg.CertFile != "" {
		args = append(args, "--cert-file", cfg.CertFile, "--key-file", cfg.KeyFile)
	}
	if cfg.TrustedCAFile != "" {
		args = append(args, "--trusted-ca-file", cfg.TrustedCAFile)
	}
	if cfg.ClientCertAuth {
		args = append(args, "--client-cert-auth")
	}
	if cfg.LogFile != "" {
		args = append(args, "--log-file", cfg.LogFile)
	}
	if cfg.UnsafeNoFsync {
		args = append(args, "--unsafe-no-fsync")
	}
	if cfg.TickMs != 0 {
		args = append(args, "--heartbeat-interval", strconv.FormatUint(uint64(cfg.TickMs), 10))
	}
	if cfg.ElectionMs != 0 {
		args = append(args, "--election-timeout", strconv.FormatUint(uint64(cfg.ElectionMs), 10))
	}
	if cfg.QuotaBackendBytes != 0 {
		args = append(args, "--quota-backend-bytes", strconv.FormatInt(cfg.QuotaBackendBytes, 10))
	}
	if cfg.CompactionBatchLimit != 0 {
		args = append(args, "--compaction-batch-limit", strconv.Itoa(cfg.CompactionBatchLimit))
	}
	if cfg.CompactionSleepInterval != 0 {
		args = append(args, "--compaction-sleep-interval", cfg.CompactionSleepInterval.String())
	}
	return args
}

// Child is an etcd member running in a child process (`etcdeck member --child`), so that a panic
// in an etcd or bbolt goroutine kills only the child and never the console or the terminal.
type Child struct {
	exe string
	cfg Config
	log io.Writer // where the child's stderr (its logs) is copied; may be nil

	mu     sync.Mutex
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	ready  Ready
	tail   *lineRing
	exited chan struct{}
	err    error
}

// Spawn starts exe (etcdeck itself) as `exe member --child` with cfg and waits until the member
// serves clients or fails; on failure the error carries the child's own last words (e.g. which
// flag to change for a taken port). The child's logs are copied to log.
func Spawn(ctx context.Context, exe string, cfg Config, log io.Writer) (*Child, error) {
	c := &Child{exe: exe, cfg: cfg, log: log}
	if err := c.start(ctx); err != nil {
		return nil, err
	}
	return c, nil
}

func (c *Child) start(ctx context.Context) error {
	args := append([]string{"member", "--child"}, c.cfg.Args()...)
	cmd := exec.Command(c.exe, args...)
	if c.cfg.GOGC != 0 {
		cmd.Env = append(os.Environ(), "GOGC="+strconv.Itoa(c.cfg.GOGC))
	}
	// Pdeathsig ends the member if etcdeck dies, even by SIGKILL; its own process group keeps
	// the terminal's signals (ctrl+c before the UI starts) away from it: the parent stops it.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM, Setpgid: true}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return err
	}
	exited := make(chan struct{})
	started := make(chan error, 1)
	go func() {
		// Pdeathsig fires when the forking OS thread ends, not the process: keep this thread
		// alive, locked, for as long as the child runs.
		runtime.LockOSThread()
		err := cmd.Start()
		started <- err
		if err == nil {
			<-exited
		}
	}()
	if err := <-started; err != nil {
		return fmt.Errorf("start embedded member: %w", err)
	}
	tail := newLineRing(200)
	copied := make(chan struct{})
	go func() {
		defer close(copied)
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			tail.add(printable(humanLine(sc.Text())))
			if c.log != nil {
				fmt.Fprintln(c.log, sc.Text())
			}
		}
	}()
	readyc := make(chan Ready, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if line, ok := strings.CutPrefix(sc.Text(), ReadyPrefix); ok {
				var r Ready
				if json.Unmarshal([]byte(line), &r) == nil {
					readyc <- r
				}
			}
		}
	}()
	c.mu.Lock()
	c.cmd, c.stdin, c.tail, c.exited, c.err = cmd, stdin, tail, exited, nil
	c.mu.Unlock()
	go func() {
		<-copied
		err := cmd.Wait()
		if err != nil {
			tail.add("member process: " + err.Error())
		}
		c.mu.Lock()
		c.err = err
		c.mu.Unlock()
		close(exited)
	}()

	wait := readyTimeout(c.cfg.DataDir)
	timeout := time.NewTimer(wait)
	defer timeout.Stop()
	select {
	case r := <-readyc:
		c.mu.Lock()
		c.ready = r
		c.mu.Unlock()
		return nil
	case <-exited:
		return fmt.Errorf("embedded member failed: %s", lastWords(tail.last(5), c.ExitErr()))
	case <-ctx.Done():
		c.kill()
		return fmt.Errorf("embedded member not ready: %w", ctx.Err())
	case <-timeout.C:
		c.kill()
		return fmt.Errorf("embedded member not ready after %s: %s", wait, lastWords(tail.last(5), nil))
	}
}

// readyTimeout is how long a member may take to start: a minute, and a minute more per GiB of
// its database. etcd rebuilds its index of every stored revision before it serves (18 s for a
// 565 MB snapshot on a loaded 2-core machine), so a fixed minute would roll back the restore of
// a large backup on a slow host for nothing.
func readyTimeout(dataDir string) time.Duration {
	wait := 60 * time.Second
	if st, err := os.Stat(filepath.Join(dataDir, "member", "snap", "db")); err == nil {
		wait += time.Duration(st.Size()>>30+1) * time.Minute
	}
	return wait
}

// lastWords picks the child's own error line (the member command prints "etcdeck member: ...")
// over the rest of its log.
func lastWords(lines []string, err error) string {
	for i := len(lines) - 1; i >= 0; i-- {
		if msg, ok := strings.CutPrefix(lines[i], "etcdeck member: "); ok {
			return msg
		}
	}
	if len(lines) > 0 {
		return strings.Join(lines, "\n")
	}
	if err != nil {
		return err.Error()
	}
	return "exited"
}

// Endpoints are the member's client URLs.
func (c *Child) Endpoints() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.ready.ClientURLs...)
}

// Pid is the child's process id.
func (c *Child) Pid() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.cmd.Process.Pid
}

// Exited is closed when the child process ends.
func (c *Child) Exited() <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.exited
}

// ExitErr is how the child ended, once Exited is closed.
func (c *Child) ExitErr() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

// LastLines returns up to n of the child's last log lines.
func (c *Child) LastLines(n int) []string {
	c.mu.Lock()
	tail := c.tail
	c.mu.Unlock()
	return tail.last(n)
}

// Restart starts the member again with the same flags after it exited.
func (c *Child) Restart(ctx context.Context) error {
	select {
	case <-c.Exited():
	default:
		return errors.New("the embedded member is still running")
	}
	return c.start(ctx)
}

// Stop asks the member to shut down cleanly (SIGTERM) and kills it after timeout.
func (c *Child) Stop(timeout time.Duration) error {
	c.mu.Lock()
	cmd, exited := c.cmd, c.exited
	c.mu.Unlock()
	select {
	case <-exited:
		return nil
	default:
	}
	cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-exited:
		return nil
	case <-time.After(timeout):
		cmd.Process.Kill()
		<-exited
		return fmt.Errorf("embedded member did not stop within %s; killed", timeout)
	}
}

func (c *Child) kill() {
	c.mu.Lock()
	cmd, exited := c.cmd, c.exited
	c.mu.Unlock()
	cmd.Process.Kill()
	<-exited
}

// WatchParent ends the calling process's member when the parent's end of stdin closes: the
// parent died without Pdeathsig reaching us (it belongs to the thread that forked).
func WatchParent(stop func()) {
	go func() {
		io.Copy(io.Discard, os.Stdin)
		stop()
	}()
}

// humanLine shortens one of etcd's JSON log lines to "15:04:05 warn message (error)" for the
// console's "the member exited" screen; other lines (a panic trace) pass unchanged.
func humanLine(s string) string {
	var l struct {
		Level string `json:"level"`
		TS    string `json:"ts"`
		Msg   string `json:"msg"`
		Error string `json:"error"`
	}
	if !strings.HasPrefix(s, "{") || json.Unmarshal([]byte(s), &l) != nil || l.Msg == "" {
		return s
	}
	out := l.Level + " " + l.Msg
	if t, err := time.Parse(time.RFC3339Nano, l.TS); err == nil {
		out = t.Local().Format("15:04:05") + " " + out
	}
	if l.Error != "" {
		out += " (" + l.Error + ")"
	}
	return out
}

// printable replaces control characters (which a decoded JSON log line may hold) so the lines can
// be drawn on the console's screen without driving the terminal.
func printable(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\t' {
			return ' '
		}
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return '?'
		}
		return r
	}, s)
}

// lineRing keeps the last lines written, for "the member exited; its last words were...".
type lineRing struct {
	mu    sync.Mutex
	lines []string
	max   int
}

func newLineRing(max int) *lineRing { return &lineRing{max: max} }

func (r *lineRing) add(s string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.lines = append(r.lines, s)
	if len(r.lines) > r.max {
		r.lines = append(r.lines[:0], r.lines[len(r.lines)-r.max:]...)
	}
}

func (r *lineRing) last(n int) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	if n > len(r.lines) {
		n = len(r.lines)
	}
	return append([]string(nil), r.lines[len(r.lines)-n:]...)
}
