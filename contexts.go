package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/config"
	"github.com/etcdeck/etcdeck/embednode"
	"github.com/etcdeck/etcdeck/tui"
)

// consoleContexts opens the config's contexts and the embedded member for the console's :ctx.
// The embedded member, the first session's or one started by a switch, runs until the console
// quits (close), so switching back to it is instant.
type consoleContexts struct {
	settings  *config.Settings
	log       *zap.Logger
	memberLog io.Writer

	mu      sync.Mutex
	member  cluster.Member   // the embedded member, nil until one runs
	started *embednode.Child // the member started by a switch: close stops it
}

// newConsoleContexts serves :ctx over settings; first is the session the console started on.
func newConsoleContexts(settings *config.Settings, first *cluster.Session, log *zap.Logger, memberLog io.Writer) *consoleContexts {
	return &consoleContexts{settings: settings, log: log, memberLog: memberLog, member: first.Member}
}

// List is the config's contexts and the embedded member.
func (cc *consoleContexts) List() []config.ContextInfo { return cc.settings.ContextList() }

// Open connects to the context named, as the console connects at start but without a terminal
// to ask a password on (the UI has it): a context with a user needs password-file or
// password-env. The session fails fast when no endpoint answers, so the shown one stays.
func (cc *consoleContexts) Open(ctx context.Context, name string) (tui.Opened, error) {
	s, err := cc.settings.ForContext(name)
	if err != nil {
		return tui.Opened{}, err
	}
	conn := s.Conn
	var member cluster.Member
	label := ""
	if s.Embedded {
		if member, err = cc.embedded(); err != nil {
			return tui.Opened{}, err
		}
		conn = conn.Local(member.Endpoints())
		if child, ok := member.(*embednode.Child); ok {
			// Its data may have authentication on (a backup with users restored into it).
			if conn, err = embeddedAuth(ctx, child, conn, s.Conn, s.Member.DataDir); err != nil {
				return tui.Opened{}, err
			}
			if conn.NeedsPassword() {
				return tui.Opened{}, fmt.Errorf("user %s has no password here: give --password or ETCDCTL_PASSWORD (the console cannot ask while it runs)", conn.User)
			}
		}
		label = "embedded " + strings.Join(trimSchemes(conn.Endpoints), ",")
	} else {
		label = name + " " + strings.Join(trimSchemes(conn.Endpoints), ",")
		if conn.NeedsPassword() {
			return tui.Opened{}, fmt.Errorf("user %s has no password here: give the context password-file or password-env (the console cannot ask while it runs)", conn.User)
		}
	}
	audit, err := cluster.OpenAudit(cluster.AuditPath(s.StateDir))
	if err != nil {
		return tui.Opened{}, fmt.Errorf("audit log: %w", err)
	}
	dctx, cancel := context.WithTimeout(ctx, conn.DialTimeout+conn.CommandTimeout+time.Second)
	defer cancel()
	client, err := cluster.Connect(dctx, conn, cc.log.Named("client"), cluster.WithReadOnly(s.ReadOnly), cluster.WithAudit(audit))
	if err != nil {
		audit.Close()
		return tui.Opened{}, err
	}
	sess := cluster.NewSession(context.Background(), client, label, member)
	return tui.Opened{Session: sess, Settings: &s, Release: audit.Close}, nil
}

// embedded is the running embedded member, started now when none runs.
func (cc *consoleContexts) embedded() (cluster.Member, error) {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	if cc.member != nil {
		return cc.member, nil
	}
	if err := cc.settings.Member.CheckURLs(); err != nil {
		return nil, err
	}
	child, err := startMember(cc.settings.Member, cc.memberLog)
	if err != nil {
		return nil, err
	}
	cc.member, cc.started = child, child
	return child, nil
}

// close stops the member a switch started; the first session's is its caller's to stop.
func (cc *consoleContexts) close() error {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	if cc.started == nil {
		return nil
	}
	err := cc.started.Stop(30 * time.Second)
	cc.started = nil
	return errors.Join(err)
}
