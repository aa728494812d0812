// Package config resolves etcdeck's settings — etcdctl's connection flags, ETCDCTL_* variables,
// the config file's contexts and globals, XDG paths, the log file — into one Settings value.
// It is its own folder, not part of cluster/, because both the console and the headless
// commands resolve settings the same way and none of it talks to etcd: cluster/ keeps only what
// does. Dependencies: main → config → cluster, embednode.
package config

import (
	"time"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/cluster/backup"
	"github.com/etcdeck/etcdeck/embednode"
)

// Settings is the one resolved value of what flags, ETCDCTL_* variables and the config file say,
// after precedence (flags, then ETCDCTL_*, then --context, then the config's default context,
// then the embedded member). Views read it through common.Common; nothing copies it field by
// field.
type Settings struct {
	// Conn is how to reach the cluster the settings name; empty endpoints when none is named.
	Conn cluster.ConnConfig
	// Source says which flag, variable or context named the cluster ("embedded" when none did).
	Source string
	// Context is the config-file context used, "" when none.
	Context string
	// Embedded is true when no endpoints were named anywhere: the console starts its own member.
	Embedded bool
	// Embed is --embed: start the member even when endpoints are named (console only).
	Embed bool
	// Member is the embedded member's configuration (console only; zero for headless commands).
	Member embednode.Config

	ReadOnly  bool
	BackupDir string
	// Retention is what is deleted after each save: config snapshot-keep and snapshot-keep-days,
	// overridden by `etcdeck snapshot save --keep --keep-days`.
	Retention backup.Retention
	// HealthPollInterval is how often the Cluster view polls member health; the status bar keeps
	// its own 2 s poll of the revision.
	HealthPollInterval time.Duration
	// WatchBufferSize and WatchBufferBytes bound the Watch view's buffer of events: the oldest
	// go first when either is reached (config watch-buffer-size and watch-buffer-bytes).
	WatchBufferSize  int
	WatchBufferBytes int64
	// Sep is the byte keys are split on into directories ('/' by default).
	Sep byte
	// Prefix is where the Keys view starts (--prefix, a context's or the config's prefix); ""
	// for its default, the separator.
	Prefix string
	// Keys are the config file's key overrides (action name to keys), applied by keymap.
	Keys map[string][]string
	// NoColor is the NO_COLOR convention (set and not empty), read once when resolving.
	NoColor bool

	// Warnings are what the settings allow but should not hold (a plain password in a context):
	// the console and the headless commands print them, :ctx flashes them.
	Warnings []string

	// contexts, getenv, baseReadOnly and basePrefix are what ForContext needs to resolve
	// another context later (contexts.go): the config's contexts, the environment, and the
	// read-only mode and prefix of the flags and globals without a context's.
	contexts     map[string]Context
	getenv       func(string) string
	baseReadOnly bool
	basePrefix   string

	// ConfigPath is the config file read ("" when there was none).
	ConfigPath string
	// LogPath is the log file; StateDir the folder it (and other state) lives in.
	LogPath  string
	StateDir string
}

// Defaults of the Watch view's buffer: 100,000 events, 256 MiB.
const (
	DefaultWatchBufferSize        = 100_000
	DefaultWatchBufferBytes int64 = 256 << 20
)

// Defaults are the settings with nothing set anywhere and no environment: what rendering tests
// and views built without settings use.
func Defaults() *Settings {
	return &Settings{
		Conn: cluster.ConnConfig{
			InsecureTransport: true,
			DialTimeout:       cluster.DefaultDialTimeout,
			CommandTimeout:    cluster.DefaultCommandTimeout,
			KeepaliveTime:     cluster.DefaultKeepaliveTime,
			KeepaliveTimeout:  cluster.DefaultKeepaliveTimeout,
		},
		Source:             "embedded",
		Embedded:           true,
		HealthPollInterval: DefaultHealthInterval,
		WatchBufferSize:    DefaultWatchBufferSize,
		WatchBufferBytes:   DefaultWatchBufferBytes,
		Sep:                cluster.DefaultSep,
		Retention:          backup.DefaultRetention(),
	}
}
