package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/pflag"
	"go.uber.org/zap"
	"golang.org/x/term"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/config"
	"github.com/etcdeck/etcdeck/embednode"
	"github.com/etcdeck/etcdeck/tui"
)

// session is what the console runs with once connected.
type session struct {
	client  *cluster.Client
	opts    config.Settings
	member  *embednode.Child // nil when connected to a remote cluster
	label   string           // "embedded 127.0.0.1:2379" or the endpoints
	log     *zap.Logger
	logPath string
}

// runConsole parses the flags, starts or dials the cluster, and runs the UI.
func runConsole(args []string) int {
	fs := pflag.NewFlagSet("etcdeck", pflag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintf(os.Stderr, "Usage: etcdeck [flags]\n       etcdeck member [flags]\n\nA terminal console for etcd. With no endpoints (flags, ETCDCTL_ENDPOINTS or a config\ncontext) it starts a local embedded member.\n\n%s", fs.FlagUsages())
	}
	flags := config.RegisterFlags(fs)
	flags.EmbedFlags()
	showVersion := fs.Bool("version", false, "print the version of etcdeck and of the etcd modules")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return 0
		}
		fmt.Fprintln(os.Stderr, "etcdeck:", err)
		return 2
	}
	if *showVersion {
		fmt.Print(versionText())
		return 0
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "etcdeck: unknown command %q (commands: member)\n", fs.Arg(0))
		return 2
	}
	opts, err := flags.Resolve(os.Getenv)
	if err != nil {
		fmt.Fprintln(os.Stderr, "etcdeck:", err)
		return 2
	}
	logPath := opts.LogPath
	log, logFile, err := config.OpenLog(logPath)
	if err != nil {
		fmt.Fprintln(os.Stderr, "etcdeck:", err)
		return 1
	}
	defer logFile.Close()

	s := &session{opts: opts, log: log, logPath: logPath}
	if opts.Embedded || opts.Embed {
		if s.member, err = startMember(opts.Member, logFile); err != nil {
			fmt.Fprintln(os.Stderr, "etcdeck:", err)
			return 1
		}
		defer func() {
			if err := s.member.Stop(30 * time.Second); err != nil {
				fmt.Fprintln(os.Stderr, "etcdeck:", err)
			}
		}()
		// The member is local plaintext without auth: TLS files or a user from ETCDCTL_* or a
		// context are for other clusters and would only make the dial fail or ask a password.
		opts.Conn = cluster.ConnConfig{Endpoints: s.member.Endpoints(), InsecureTransport: true,
			DialTimeout: opts.Conn.DialTimeout, CommandTimeout: opts.Conn.CommandTimeout,
			KeepaliveTime: opts.Conn.KeepaliveTime, KeepaliveTimeout: opts.Conn.KeepaliveTimeout}
		s.label = "embedded " + strings.Join(trimSchemes(opts.Conn.Endpoints), ",")
	} else {
		s.label = strings.Join(trimSchemes(opts.Conn.Endpoints), ",")
	}
	if opts.Conn.NeedsPassword() {
		if opts.Conn.Password, err = askPassword(opts.Conn.User); err != nil {
			fmt.Fprintln(os.Stderr, "etcdeck:", err)
			return 1
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), opts.Conn.DialTimeout+opts.Conn.CommandTimeout+time.Second)
	s.client, err = cluster.Connect(ctx, opts.Conn, log.Named("client"))
	cancel()
	if err != nil {
		fmt.Fprintln(os.Stderr, "etcdeck:", err)
		return 1
	}
	defer s.client.Close()
	s.opts = opts
	if err := runUI(s); err != nil {
		if errors.Is(err, tui.ErrCrashed) {
			return 2 // tui.Run already restored the terminal and named the log file
		}
		fmt.Fprintln(os.Stderr, "etcdeck:", err)
		return 1
	}
	return 0
}

// startMember runs the embedded member as a child process of this very binary.
func startMember(cfg embednode.Config, log *os.File) (*embednode.Child, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("cannot find etcdeck's own binary to start the member: %w", err)
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
