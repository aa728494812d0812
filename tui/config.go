// Package tui is the console's root model: it routes each message to the view that owns it,
// draws the status bar, the tabs, the help line, the help overlay and the command line, and runs
// the Bubble Tea program with panic recovery.
package tui

import (
	"context"
	"time"

	"go.uber.org/zap"

	"github.com/etcdeck/etcdeck/cluster"
)

// Config is everything the console needs from main.
type Config struct {
	// Client is the connection; nil only in rendering tests.
	Client *cluster.Client
	// Conn is how Client was configured; the status bar warns from it (Conn.Insecure()).
	Conn cluster.ConnConfig
	// EndpointLabel is what the status bar says we are connected to, e.g.
	// "embedded 127.0.0.1:2379"; empty means the endpoints joined by commas.
	EndpointLabel string
	ReadOnly      bool
	// KeyOverrides are the config file's `keys:` section: action name to keys.
	KeyOverrides map[string][]string
	Log          *zap.Logger
	// LogPath is the log file a crash trace is appended to and named on stderr.
	LogPath string
	// Member is the embedded member, nil when connected to a remote cluster.
	Member          Member
	NoColor         bool
	WatchBufferSize int
	BackupDir       string
	// Sep is the byte keys are split on into directories; 0 means '/'.
	Sep byte
	// HealthPollInterval is the config's health-poll-interval, for the Cluster view.
	HealthPollInterval time.Duration
}

// Member is the embedded member running in a child process: when it exits the console shows its
// last log lines and offers to restart it.
type Member interface {
	// Exited is closed when the member process ends. After a Restart it returns a new channel.
	Exited() <-chan struct{}
	// LastLines returns up to n of the member's last log lines.
	LastLines(n int) []string
	// Restart starts the member again with the same configuration.
	Restart(ctx context.Context) error
}
