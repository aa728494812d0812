package config

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/embednode"
)

// Flags holds the parsed values of the connection and global flags.
type Flags struct {
	fs                    *pflag.FlagSet
	endpoints             []string
	cacert, cert, key     string
	insecureSkipTLSVerify bool
	insecureTransport     bool
	user, password        string
	dialTimeout           time.Duration
	commandTimeout        time.Duration
	keepaliveTime         time.Duration
	keepaliveTimeout      time.Duration
	context               string
	config                string
	readOnly              bool
	backupDir             string
	keySeparator          string
	// embed and member are registered only by EmbedFlags (the console's): headless commands
	// never start a member.
	embed  *bool
	member *embednode.Config
	prefix *string // --prefix, the console's too
}

// DefaultHealthInterval is how often the Cluster view polls member health unless the config
// file's health-poll-interval says otherwise.
const DefaultHealthInterval = 2 * time.Second

// RegisterFlags defines etcdctl's connection flags, with etcdctl's names and defaults, and
// etcdeck's global ones on fs.
func RegisterFlags(fs *pflag.FlagSet) *Flags {
	f := &Flags{fs: fs}
	fs.StringSliceVar(&f.endpoints, "endpoints", nil, "gRPC endpoints, comma separated (default 127.0.0.1:2379, as etcdctl)")
	fs.StringVar(&f.cacert, "cacert", "", "verify certificates of TLS-enabled secure servers using this CA bundle")
	fs.StringVar(&f.cert, "cert", "", "identify secure client using this TLS certificate file")
	fs.StringVar(&f.key, "key", "", "identify secure client using this TLS key file")
	fs.BoolVar(&f.insecureSkipTLSVerify, "insecure-skip-tls-verify", false, "skip server certificate verification (CAUTION: this option should be enabled only for testing purposes)")
	fs.BoolVar(&f.insecureTransport, "insecure-transport", true, "disable transport security for client connections")
	fs.StringVar(&f.user, "user", "", "username[:password] for authentication (prompt if password is not supplied)")
	fs.StringVar(&f.password, "password", "", "password for authentication (if this option is used, --user option shouldn't include password)")
	fs.DurationVar(&f.dialTimeout, "dial-timeout", cluster.DefaultDialTimeout, "dial timeout for client connections")
	fs.DurationVar(&f.commandTimeout, "command-timeout", cluster.DefaultCommandTimeout, "timeout for short running command (excluding dial timeout)")
	fs.DurationVar(&f.keepaliveTime, "keepalive-time", cluster.DefaultKeepaliveTime, "keepalive time for client connections")
	fs.DurationVar(&f.keepaliveTimeout, "keepalive-timeout", cluster.DefaultKeepaliveTimeout, "keepalive timeout for client connections")
	fs.StringVar(&f.context, "context", "", "named cluster from the config file")
	fs.StringVar(&f.config, "config", "", "config file (default $XDG_CONFIG_HOME/etcdeck/config.yaml)")
	fs.BoolVar(&f.readOnly, "read-only", false, "refuse every write (put, delete, restore, defrag, snapshot save)")
	fs.StringVar(&f.backupDir, "backup-dir", "", "where snapshots are written (default $XDG_DATA_HOME/etcdeck/backups)")
	fs.StringVar(&f.keySeparator, "key-separator", "/", "the byte keys are split on into directories")
	return f
}

// envName is etcdctl's rule: ETCDCTL_ + the flag name upper-cased with - as _.
func envName(flag string) string {
	return "ETCDCTL_" + strings.ToUpper(strings.ReplaceAll(flag, "-", "_"))
}

// EmbedFlags defines --embed and the embedded member's flags (etcd's names) on the flag set, for
// the console; Resolve then fills Settings.Embed and Settings.Member.
func (f *Flags) EmbedFlags() {
	f.member = MemberFlags(f.fs)
	// The console starts a member where headless commands would dial 127.0.0.1:2379.
	f.fs.Lookup("endpoints").Usage = "gRPC endpoints, comma separated (default: the embedded member)"
	f.embed = f.fs.Bool("embed", false, "start the embedded member even if endpoints are configured")
	f.prefix = f.fs.String("prefix", "", "where the Keys view starts (e.g. /app/: a user that may read only there)")
}

// MemberFlags defines etcd's member flags, with etcd's names, on fs: the console's embedded
// member and `etcdeck member` share them.
func MemberFlags(fs *pflag.FlagSet) *embednode.Config {
	def := embednode.DefaultConfig()
	cfg := &embednode.Config{}
	fs.StringVar(&cfg.Name, "name", def.Name, "human-readable name for this member")
	fs.StringVar(&cfg.DataDir, "data-dir", def.DataDir, "path to the data directory")
	fs.StringSliceVar(&cfg.ListenClientURLs, "listen-client-urls", def.ListenClientURLs, "URLs to listen on for client traffic")
	fs.StringSliceVar(&cfg.ListenPeerURLs, "listen-peer-urls", def.ListenPeerURLs, "URLs to listen on for peer traffic")
	return cfg
}

// Resolve applies the precedence rules. getenv is os.Getenv outside tests; NO_COLOR is read
// through it here and nowhere else.
func (f *Flags) Resolve(getenv func(string) string) (Settings, error) {
	path, optional := f.config, f.config == ""
	if optional {
		path = DefaultConfigPath()
	}
	file, err := LoadFile(path, optional)
	if err != nil {
		return Settings{}, err
	}
	o := *Defaults()
	o.BackupDir = DefaultBackupDir()
	o.Keys, o.ConfigPath = file.Keys, file.Path
	o.NoColor = getenv("NO_COLOR") != ""
	o.StateDir, o.LogPath = StateDir(), LogPath()
	if f.member != nil {
		o.Member, o.Embed = *f.member, *f.embed
	}
	if file.BackupDir != "" {
		o.BackupDir = expandHome(file.BackupDir)
	}
	if file.SnapshotKeep != nil {
		o.Retention.Keep = *file.SnapshotKeep
	}
	if file.SnapshotKeepDays != nil {
		o.Retention.KeepDays = *file.SnapshotKeepDays
	}
	if file.HealthPollInterval != nil {
		o.HealthPollInterval = time.Duration(*file.HealthPollInterval)
	}
	if file.WatchBufferSize != nil {
		o.WatchBufferSize = *file.WatchBufferSize
	}
	if file.WatchBufferBytes != nil {
		o.WatchBufferBytes = int64(*file.WatchBufferBytes)
	}
	if file.KeySeparator != nil {
		o.Sep = (*file.KeySeparator)[0]
	}
	if file.ReadOnly != nil {
		o.ReadOnly = *file.ReadOnly
	}
	if file.Prefix != nil {
		o.Prefix = *file.Prefix
	}

	// Lowest first: each layer overrides what it sets. A context is one unit: the default one is
	// used only when nothing else names a cluster, so its credentials never go to endpoints named
	// by flags or ETCDCTL_ENDPOINTS, nor mix with another context's.
	namedElsewhere := f.fs.Changed("endpoints") || getenv(envName("endpoints")) != ""
	if file.DefaultContext != "" && f.context == "" && !namedElsewhere {
		o.Context = file.DefaultContext
		if err := o.applyContext(file.DefaultContext, file.Contexts[file.DefaultContext], "default context "+file.DefaultContext, getenv); err != nil {
			return Settings{}, err
		}
	}
	if f.context != "" {
		c, ok := file.Contexts[f.context]
		if !ok {
			return Settings{}, fmt.Errorf("--context %q: no such context in %s", f.context, path)
		}
		o.Context = f.context
		if err := o.applyContext(f.context, c, "context "+f.context, getenv); err != nil {
			return Settings{}, err
		}
	}
	if err := f.applyEnv(&o, getenv); err != nil {
		return Settings{}, err
	}
	if fs := f.fs; fs.Changed("key-separator") {
		if err := checkSep(f.keySeparator); err != nil {
			return Settings{}, fmt.Errorf("--key-separator: %v", err)
		}
	}
	f.applyFlags(&o)
	o.contexts, o.getenv, o.baseReadOnly = file.Contexts, getenv, o.ReadOnly
	if file.Prefix != nil {
		o.basePrefix = *file.Prefix
	}
	if c, ok := file.Contexts[o.Context]; ok && c.ReadOnly {
		o.ReadOnly = true // the context's read-only holds whatever the flags say
	}

	if u, p, ok := strings.Cut(o.Conn.User, ":"); ok {
		if o.Conn.Password != "" && f.fs.Changed("password") && f.fs.Changed("user") {
			return Settings{}, fmt.Errorf("--user includes a password and --password is set too: use one")
		}
		o.Conn.User, o.Conn.Password = u, p
	}
	o.Embedded = len(o.Conn.Endpoints) == 0
	return o, nil
}

func (o *Settings) applyContext(name string, c Context, source string, getenv func(string) string) error {
	if len(c.Endpoints) > 0 {
		o.Conn.Endpoints, o.Source = c.Endpoints, source
	}
	setStr(&o.Conn.CACert, expandHome(c.CACert))
	setStr(&o.Conn.Cert, expandHome(c.Cert))
	setStr(&o.Conn.Key, expandHome(c.Key))
	setStr(&o.Conn.User, c.User)
	setStr(&o.Conn.Password, c.Password)
	if c.InsecureSkipTLSVerify != nil {
		o.Conn.InsecureSkipTLSVerify = *c.InsecureSkipTLSVerify
	}
	if c.InsecureTransport != nil {
		o.Conn.InsecureTransport = *c.InsecureTransport
	}
	setDur(&o.Conn.DialTimeout, time.Duration(c.DialTimeout))
	setDur(&o.Conn.CommandTimeout, time.Duration(c.CommandTimeout))
	setDur(&o.Conn.KeepaliveTime, time.Duration(c.KeepaliveTime))
	setDur(&o.Conn.KeepaliveTimeout, time.Duration(c.KeepaliveTimeout))
	setStr(&o.Prefix, c.Prefix)
	return o.contextPassword(name, c, getenv)
}

func (f *Flags) applyEnv(o *Settings, getenv func(string) string) error {
	for _, name := range []string{"endpoints", "cacert", "cert", "key", "insecure-skip-tls-verify",
		"insecure-transport", "user", "password", "dial-timeout", "command-timeout",
		"keepalive-time", "keepalive-timeout"} {
		v := getenv(envName(name))
		if v == "" {
			continue
		}
		if err := o.set(name, v); err != nil {
			return fmt.Errorf("%s=%q: %v", envName(name), redact(name, v), err)
		}
		if name == "endpoints" {
			o.Source = envName(name)
		}
	}
	return nil
}

func (f *Flags) applyFlags(o *Settings) {
	fs := f.fs
	if fs.Changed("endpoints") {
		o.Conn.Endpoints, o.Source = f.endpoints, "--endpoints"
	}
	if fs.Changed("cacert") {
		o.Conn.CACert = f.cacert
	}
	if fs.Changed("cert") {
		o.Conn.Cert = f.cert
	}
	if fs.Changed("key") {
		o.Conn.Key = f.key
	}
	if fs.Changed("insecure-skip-tls-verify") {
		o.Conn.InsecureSkipTLSVerify = f.insecureSkipTLSVerify
	}
	if fs.Changed("insecure-transport") {
		o.Conn.InsecureTransport = f.insecureTransport
	}
	if fs.Changed("user") {
		o.Conn.User = f.user
	}
	if fs.Changed("password") {
		o.Conn.Password = f.password
	}
	if fs.Changed("dial-timeout") {
		o.Conn.DialTimeout = f.dialTimeout
	}
	if fs.Changed("command-timeout") {
		o.Conn.CommandTimeout = f.commandTimeout
	}
	if fs.Changed("keepalive-time") {
		o.Conn.KeepaliveTime = f.keepaliveTime
	}
	if fs.Changed("keepalive-timeout") {
		o.Conn.KeepaliveTimeout = f.keepaliveTimeout
	}
	if fs.Changed("read-only") {
		o.ReadOnly = f.readOnly
	}
	if fs.Changed("backup-dir") {
		o.BackupDir = f.backupDir
	}
	if fs.Changed("key-separator") {
		o.Sep = f.keySeparator[0]
	}
	if f.prefix != nil && fs.Changed("prefix") {
		o.Prefix = *f.prefix
	}
}

// set parses one etcdctl setting from its text form (an ETCDCTL_* value).
func (o *Settings) set(name, v string) error {
	c := &o.Conn
	var err error
	switch name {
	case "endpoints":
		c.Endpoints = splitList(v)
	case "cacert":
		c.CACert = v
	case "cert":
		c.Cert = v
	case "key":
		c.Key = v
	case "user":
		c.User = v
	case "password":
		c.Password = v
	case "insecure-skip-tls-verify":
		c.InsecureSkipTLSVerify, err = strconv.ParseBool(v)
	case "insecure-transport":
		c.InsecureTransport, err = strconv.ParseBool(v)
	case "dial-timeout":
		c.DialTimeout, err = time.ParseDuration(v)
	case "command-timeout":
		c.CommandTimeout, err = time.ParseDuration(v)
	case "keepalive-time":
		c.KeepaliveTime, err = time.ParseDuration(v)
	case "keepalive-timeout":
		c.KeepaliveTimeout, err = time.ParseDuration(v)
	}
	return err
}

func redact(name, v string) string {
	if name == "password" || name == "user" {
		return "***"
	}
	return v
}

func splitList(v string) []string {
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

func setStr(dst *string, v string) {
	if v != "" {
		*dst = v
	}
}

func setDur(dst *time.Duration, v time.Duration) {
	if v > 0 {
		*dst = v
	}
}
