// Package embednode runs etcd members inside etcdeck: the local member the console starts when no
// cluster is named (always in a child process, see child.go), the headless `etcdeck member`
// command, and the in-process members tests start.
package embednode

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"go.etcd.io/etcd/server/v3/embed"
	"go.uber.org/zap"
)

// Config is what a member needs, named after etcd's own flags.
type Config struct {
	Name             string   // --name
	DataDir          string   // --data-dir
	ListenClientURLs []string // --listen-client-urls
	ListenPeerURLs   []string // --listen-peer-urls
	// InitialCluster is etcd's --initial-cluster; empty means a cluster of this member alone.
	InitialCluster string
	// InitialClusterToken keeps members of different test clusters apart; empty means etcd's default.
	InitialClusterToken string
	// InitialClusterState is etcd's --initial-cluster-state: "existing" joins a running cluster
	// that added this member first (a learner from :member add); empty means "new".
	InitialClusterState string
	// LogFile receives the member's logs; empty means stderr.
	LogFile string
	// Logger, when set, is used instead of LogFile (tests pass zap.NewNop()).
	Logger *zap.Logger
	// Client TLS, with etcd's flag names: --cert-file, --key-file, --trusted-ca-file,
	// --client-cert-auth. Client URLs must then say https.
	CertFile, KeyFile, TrustedCAFile string
	ClientCertAuth                   bool
	// UnsafeNoFsync is etcd's --unsafe-no-fsync: durability traded for speed, for tests and for an
	// opened snapshot's throwaway member.
	UnsafeNoFsync bool
	// TickMs and ElectionMs are etcd's --heartbeat-interval and --election-timeout in ms; zero
	// means etcd's 100 and 1000. A member alone still waits out part of a randomised election
	// timeout before it serves (up to 1.1 s with the defaults): an opened snapshot shortens it.
	TickMs, ElectionMs uint
	// QuotaBackendBytes is etcd's --quota-backend-bytes; zero means etcd's default (2 GiB).
	QuotaBackendBytes int64
	// CompactionBatchLimit and CompactionSleepInterval are etcd's --compaction-batch-limit and
	// --compaction-sleep-interval: how many revisions a compaction deletes at a time, and its
	// pause between batches; zero means etcd's (1,000 and 10 ms). Tests slow one member's
	// compaction with them.
	CompactionBatchLimit    int
	CompactionSleepInterval time.Duration
	// GOGC, when not 0, is the Go garbage collector's target for a member run as a child
	// (Spawn): an opened snapshot's temporary member trades memory for start-up time.
	GOGC int
}

// DefaultConfig returns the embedded member's defaults: name "default", loopback client and
// peer ports 2379/2380, and data under $XDG_DATA_HOME/etcdeck/default.etcd.
func DefaultConfig() Config {
	return Config{
		Name:             "default",
		DataDir:          DefaultDataDir(),
		ListenClientURLs: []string{"http://127.0.0.1:2379"},
		ListenPeerURLs:   []string{"http://127.0.0.1:2380"},
	}
}

// DefaultDataDir is $XDG_DATA_HOME/etcdeck/default.etcd (~/.local/share when XDG_DATA_HOME is unset).
func DefaultDataDir() string {
	base := os.Getenv("XDG_DATA_HOME")
	if base == "" {
		home, _ := os.UserHomeDir()
		base = filepath.Join(home, ".local", "share")
	}
	return filepath.Join(base, "etcdeck", "default.etcd")
}

// Member is a running etcd member.
type Member struct {
	etcd       *embed.Etcd
	closeOnce  sync.Once
	ClientURLs []string // the advertised client URLs, for clients to dial
	PeerURLs   []string // the advertised peer URLs
}

// advertise derives the URL a client or peer should dial from a listen URL. etcd's main does this
// for flags; embed does not. An unspecified host (0.0.0.0, ::) is replaced by this machine's name.
func advertise(listen string) (url.URL, error) {
	u, err := url.Parse(listen)
	if err != nil || u.Host == "" {
		return url.URL{}, fmt.Errorf("invalid URL %q: want scheme://host:port", listen)
	}
	host, port, err := net.SplitHostPort(u.Host)
	if err != nil {
		return url.URL{}, fmt.Errorf("invalid URL %q: %v", listen, err)
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		if h, err := os.Hostname(); err == nil {
			host = h
		}
	}
	u.Host = net.JoinHostPort(host, port)
	return *u, nil
}

func parseURLs(flag string, list []string) (listen, advertised []url.URL, err error) {
	if len(list) == 0 {
		return nil, nil, fmt.Errorf("--%s is empty", flag)
	}
	for _, s := range list {
		u, err := url.Parse(s)
		if err != nil || u.Host == "" {
			return nil, nil, fmt.Errorf("--%s: invalid URL %q", flag, s)
		}
		listen = append(listen, *u)
		a, err := advertise(s)
		if err != nil {
			return nil, nil, fmt.Errorf("--%s: %v", flag, err)
		}
		advertised = append(advertised, a)
	}
	return listen, advertised, nil
}

// CheckURLs reports a malformed listen URL, naming its flag: a usage mistake, found before
// anything starts.
func (c Config) CheckURLs() error {
	if _, _, err := parseURLs("listen-client-urls", c.ListenClientURLs); err != nil {
		return err
	}
	_, _, err := parseURLs("listen-peer-urls", c.ListenPeerURLs)
	return err
}

// checkPorts fails with one clear message when a listen address is already taken, naming the flag
// that changes it; etcd's own error would be a bind failure deep in its logs.
func checkPorts(cfg Config) error {
	check := func(flag string, list []string) error {
		for _, s := range list {
			u, err := url.Parse(s)
			if err != nil {
				return fmt.Errorf("--%s: invalid URL %q", flag, s)
			}
			l, err := net.Listen("tcp", u.Host)
			if err != nil {
				if errors.Is(err, syscall.EADDRINUSE) {
					return fmt.Errorf("%s is already in use (another etcd?): choose another address with --%s", u.Host, flag)
				}
				return fmt.Errorf("cannot listen on %s (--%s): %v", u.Host, flag, err)
			}
			l.Close()
		}
		return nil
	}
	if err := check("listen-client-urls", cfg.ListenClientURLs); err != nil {
		return err
	}
	return check("listen-peer-urls", cfg.ListenPeerURLs)
}

// Start runs a member in this process and returns when it serves clients. Callers that must
// survive an etcd panic run it through a child process instead (see Spawn).
func Start(ctx context.Context, cfg Config) (*Member, error) {
	if cfg.Name == "" {
		cfg.Name = "default"
	}
	if cfg.DataDir == "" {
		return nil, errors.New("--data-dir is empty")
	}
	if err := cfg.CheckURLs(); err != nil {
		return nil, err
	}
	if err := checkPorts(cfg); err != nil {
		return nil, err
	}
	// Every member starts here (the console's child, `etcdeck member`, tests), so no command can
	// forget the guard: a new empty member in place of a restore's moved-aside data would hide
	// the acknowledged data in the backup.
	if found, err := FindInterruptedRestore(cfg.DataDir); err != nil {
		return nil, fmt.Errorf("data dir: %w", err)
	} else if found != nil {
		return nil, &InterruptedRestoreError{Found: *found}
	}
	if err := checkDataDirFree(cfg.DataDir); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("data dir: %w", err)
	}
	ec := embed.NewConfig()
	ec.Name = cfg.Name
	ec.Dir = cfg.DataDir
	var err error
	if ec.ListenClientUrls, ec.AdvertiseClientUrls, err = parseURLs("listen-client-urls", cfg.ListenClientURLs); err != nil {
		return nil, err
	}
	if ec.ListenPeerUrls, ec.AdvertisePeerUrls, err = parseURLs("listen-peer-urls", cfg.ListenPeerURLs); err != nil {
		return nil, err
	}
	ec.InitialCluster = cfg.InitialCluster
	if ec.InitialCluster == "" {
		ec.InitialCluster = ec.InitialClusterFromName(cfg.Name)
	}
	if cfg.InitialClusterToken != "" {
		ec.InitialClusterToken = cfg.InitialClusterToken
	}
	if cfg.InitialClusterState != "" {
		ec.ClusterState = cfg.InitialClusterState
	}
	ec.UnsafeNoFsync = cfg.UnsafeNoFsync
	if cfg.TickMs != 0 {
		ec.TickMs = cfg.TickMs
	}
	if cfg.ElectionMs != 0 {
		ec.ElectionMs = cfg.ElectionMs
	}
	ec.QuotaBackendBytes = cfg.QuotaBackendBytes
	if cfg.CompactionBatchLimit != 0 {
		ec.CompactionBatchLimit = cfg.CompactionBatchLimit
	}
	if cfg.CompactionSleepInterval != 0 {
		ec.CompactionSleepInterval = cfg.CompactionSleepInterval
	}
	ec.ClientTLSInfo.CertFile = cfg.CertFile
	ec.ClientTLSInfo.KeyFile = cfg.KeyFile
	ec.ClientTLSInfo.TrustedCAFile = cfg.TrustedCAFile
	ec.ClientTLSInfo.ClientCertAuth = cfg.ClientCertAuth
	switch {
	case cfg.Logger != nil:
		ec.ZapLoggerBuilder = embed.NewZapLoggerBuilder(cfg.Logger)
	case cfg.LogFile != "":
		if err := os.MkdirAll(filepath.Dir(cfg.LogFile), 0o700); err != nil {
			return nil, fmt.Errorf("log dir: %w", err)
		}
		ec.LogOutputs = []string{cfg.LogFile}
	}
	e, err := embed.StartEtcd(ec)
	if err != nil {
		return nil, fmt.Errorf("start etcd member %q: %w", cfg.Name, err)
	}
	select {
	case <-e.Server.ReadyNotify():
	case err := <-e.Err():
		e.Close()
		return nil, fmt.Errorf("etcd member %q failed: %w", cfg.Name, err)
	case <-ctx.Done():
		e.Server.Stop()
		e.Close()
		return nil, fmt.Errorf("etcd member %q not ready: %w", cfg.Name, ctx.Err())
	}
	m := &Member{etcd: e}
	for _, u := range ec.AdvertiseClientUrls {
		m.ClientURLs = append(m.ClientURLs, u.String())
	}
	for _, u := range ec.AdvertisePeerUrls {
		m.PeerURLs = append(m.PeerURLs, u.String())
	}
	return m, nil
}

// Endpoints returns the client URLs without their scheme, as etcdctl's --endpoints takes them.
func (m *Member) Endpoints() []string {
	out := make([]string, len(m.ClientURLs))
	for i, u := range m.ClientURLs {
		out[i] = strings.TrimPrefix(strings.TrimPrefix(u, "http://"), "https://")
	}
	return out
}

// Done is closed when the member stops serving, whether by Close or by a fatal error.
func (m *Member) Done() <-chan struct{} { return m.etcd.Server.StopNotify() }

// Err reports fatal errors of the member's listeners.
func (m *Member) Err() <-chan error { return m.etcd.Err() }

// Close stops the member gracefully, waiting at most timeout before giving up on a clean stop.
// Closing twice is harmless (tests stop members early and again at cleanup).
func (m *Member) Close(timeout time.Duration) {
	done := make(chan struct{})
	go func() { m.closeOnce.Do(m.etcd.Close); close(done) }()
	select {
	case <-done:
	case <-time.After(timeout):
	}
}
