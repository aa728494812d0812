package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"go.uber.org/zap"
	"golang.org/x/term"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/config"
	"github.com/etcdeck/etcdeck/embednode"
)

// headlessEndpoint is where headless commands go when no cluster is named, as etcdctl does.
const headlessEndpoint = "127.0.0.1:2379"

// connect is how the console and every headless command reach a cluster: it starts the embedded
// member when mayEmbed and the settings ask for one (headless commands pass false and use
// 127.0.0.1:2379 instead), asks the password on the terminal when a user has none, dials, and
// returns the session. end ends the session and stops the member; call it once done. The error
// is already in words for the user (cluster.Connect explains what failed). memberLog receives
// the member's log lines; log may be nil.
func connect(ctx context.Context, s *config.Settings, mayEmbed bool, log *zap.Logger, memberLog io.Writer) (sess *cluster.Session, end func(), err error) {
	conn := s.Conn // a copy: every field the settings name reaches the client unless overridden
	var member *embednode.Child
	label := ""
	if mayEmbed {
		// The console opens snapshots and restores into its member: what an earlier one killed
		// mid-way left behind goes now, and is named.
		dataDir := ""
		if s.Embedded || s.Embed {
			dataDir = s.Member.DataDir
		}
		reportLeftovers(os.Stderr, "etcdeck", dataDir)
	}
	switch {
	case mayEmbed && (s.Embedded || s.Embed):
		if err := checkInterruptedRestore(s.Member.DataDir, os.Stdin, os.Stderr, term.IsTerminal(int(os.Stdin.Fd()))); err != nil {
			return nil, nil, err
		}
		if member, err = startMember(s.Member, memberLog); err != nil {
			return nil, nil, err
		}
		if conn, err = embeddedAuth(ctx, member, conn.Local(member.Endpoints()), s.Conn, s.Member.DataDir); err != nil {
			if serr := member.Stop(30 * time.Second); serr != nil {
				fmt.Fprintln(os.Stderr, "etcdeck:", serr)
			}
			return nil, nil, err
		}
		label = "embedded " + strings.Join(trimSchemes(conn.Endpoints), ",")
	case len(conn.Endpoints) == 0:
		conn.Endpoints = []string{headlessEndpoint}
		label = headlessEndpoint
	default:
		label = strings.Join(trimSchemes(conn.Endpoints), ",")
	}
	stopMember := func() {
		if member != nil {
			if err := member.Stop(30 * time.Second); err != nil {
				fmt.Fprintln(os.Stderr, "etcdeck:", err)
			}
		}
	}
	if conn.NeedsPassword() {
		if conn.Password, err = askPassword(conn.User); err != nil {
			stopMember()
			return nil, nil, err
		}
	}
	if log == nil {
		log = zap.NewNop()
	}
	// Every write of this session is refused in read-only mode and recorded in the audit log,
	// by cluster's write path: the TUI and the headless commands cannot disagree.
	stateDir := s.StateDir
	if stateDir == "" {
		stateDir = config.StateDir()
	}
	audit, err := cluster.OpenAudit(cluster.AuditPath(stateDir))
	if err != nil {
		stopMember()
		return nil, nil, fmt.Errorf("audit log: %w", err)
	}
	if member != nil {
		reportCompletedRestore(os.Stderr, "etcdeck", s.Member.DataDir, audit)
	}
	dctx, cancel := context.WithTimeout(ctx, conn.DialTimeout+conn.CommandTimeout+time.Second)
	opts := []cluster.Option{cluster.WithReadOnly(s.ReadOnly), cluster.WithAudit(audit)}
	if mayEmbed {
		// The console starts although no endpoint answers, shows why and connects when the
		// cluster does (k9s does the same); headless commands fail fast with exit 1.
		opts = append(opts, cluster.WithOffline())
	}
	client, err := cluster.Connect(dctx, conn, log.Named("client"), opts...)
	cancel()
	if err != nil {
		audit.Close()
		stopMember()
		return nil, nil, err
	}
	sess = cluster.NewSession(ctx, client, label, member) // a nil *Child is no member
	return sess, func() { sess.End(); audit.Close(); stopMember() }, nil
}

// warnUnreachable prints, after prefix, one warning line on stderr for each endpoint that did not
// answer when the session connected (the others did): a headless command goes on with them.
// It reports whether there was any.
func warnUnreachable(prefix string, sess *cluster.Session) bool {
	dead := sess.Client.Unreachable()
	for _, why := range dead {
		fmt.Fprintf(os.Stderr, "%s: warning: %s\n", prefix, cluster.EscapeText(why))
	}
	return len(dead) > 0
}

// setUp resolves the settings (flags, ETCDCTL_* variables, the config file) and opens the log
// file: what every command that connects does first. On failure it prints the error after
// prefix ("etcdeck", "etcdeck diagnose") and returns its exit code: 2 for the settings, which
// are the user's words, 1 for the log file. code is 0 otherwise; close the file when done.
func setUp(prefix string, flags *config.Flags) (s config.Settings, log *zap.Logger, logFile *os.File, code int) {
	s, err := flags.Resolve(os.Getenv)
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", prefix, err)
		return s, nil, nil, 2
	}
	for _, w := range s.Warnings {
		fmt.Fprintf(os.Stderr, "%s: warning: %s\n", prefix, w)
	}
	if log, logFile, err = config.OpenLog(s.LogPath); err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", prefix, err)
		return s, nil, nil, 1
	}
	return s, log, logFile, 0
}

// startMember runs the embedded member as a child process of this very binary.
func startMember(cfg embednode.Config, log io.Writer) (*embednode.Child, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("cannot find etcdeck's own binary to start the member: %w", err)
	}
	if log == nil {
		log = io.Discard
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	return embednode.Spawn(ctx, exe, cfg, log)
}

// askPassword reads the password from the terminal without echo, as etcdctl does. ctrl+c at the
// prompt must not leave the user's shell without echo: the signal restores the terminal first.
func askPassword(user string) (string, error) {
	tty, err := os.OpenFile("/dev/tty", os.O_RDWR, 0)
	if err != nil {
		return "", fmt.Errorf("--user %s has no password and there is no terminal to ask for it: use --password or ETCDCTL_PASSWORD", user)
	}
	defer tty.Close()
	fd := int(tty.Fd())
	if state, err := term.GetState(fd); err == nil {
		sigs := make(chan os.Signal, 1)
		signal.Notify(sigs, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
		done := make(chan struct{})
		defer func() { signal.Stop(sigs); close(done) }()
		go func() {
			select {
			case <-sigs:
				term.Restore(fd, state)
				fmt.Fprintln(tty)
				os.Exit(130) // the member child follows through Pdeathsig
			case <-done:
			}
		}()
	}
	fmt.Fprintf(tty, "Password for %s: ", user)
	pw, err := term.ReadPassword(fd)
	fmt.Fprintln(tty)
	if err != nil {
		return "", fmt.Errorf("reading the password: %w", err)
	}
	return string(pw), nil
}

// trimSchemes drops "http://" and the like: labels show host:port.
func trimSchemes(eps []string) []string {
	out := make([]string, len(eps))
	for i, e := range eps {
		_, rest, ok := strings.Cut(e, "://")
		if !ok {
			rest = e
		}
		out[i] = rest
	}
	return out
}

// reportLeftovers removes the work dirs of opens and restores whose process was killed
// (embednode.RemoveLeftovers) and says on w what went, and what could not.
func reportLeftovers(w io.Writer, prefix, dataDir string) {
	removed, err := embednode.RemoveLeftovers(dataDir, "")
	for _, l := range removed {
		fmt.Fprintf(w, "%s: removed %s, left by process %d, which was stopped before it could clean up\n", prefix, cluster.EscapeText(l.Path), l.PID)
	}
	if err != nil {
		fmt.Fprintf(w, "%s: could not remove what an interrupted open or restore left: %s\n", prefix, cluster.EscapeText(err.Error()))
	}
}

// reportCompletedRestore says on w, and records in audit, a restore into the member at dataDir
// that completed while etcdeck was killed before it could report it (embednode's note).
func reportCompletedRestore(w io.Writer, prefix, dataDir string, audit *cluster.AuditLog) {
	p, err := embednode.TakeCompletedRestore(dataDir)
	if err != nil {
		fmt.Fprintf(w, "%s: %s\n", prefix, cluster.EscapeText(err.Error()))
	}
	if p == nil {
		return
	}
	// The audit line is written before the report, so whoever reads the report finds it.
	auditErr := audit.Record(cluster.AuditEntry{Action: "restore", Target: cluster.EscapeKey(p.Snapshot),
		Result: "ok: reported at the next start (etcdeck was stopped before it could); the old data is in " + cluster.EscapeKey(p.Backup)})
	fmt.Fprintf(w, "%s: %s\n", prefix, cluster.EscapeText(p.String()))
	if auditErr != nil {
		fmt.Fprintf(w, "%s: the audit log: %s\n", prefix, cluster.EscapeText(auditErr.Error()))
	}
}
