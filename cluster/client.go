// Package cluster is everything that talks to etcd: connections with etcdctl's flags and
// variables, the config file, and plain Go functions over clientv3 that the console's views and
// the headless commands share. It never imports Bubble Tea.
package cluster

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"strings"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// Defaults of etcdctl, which etcdeck keeps.
const (
	DefaultDialTimeout      = 2 * time.Second
	DefaultCommandTimeout   = 5 * time.Second
	DefaultKeepaliveTime    = 2 * time.Second
	DefaultKeepaliveTimeout = 6 * time.Second
	DefaultWatchBufferSize  = 10000
)

// ConnConfig is how to reach a cluster; the fields are etcdctl's global flags.
type ConnConfig struct {
	Endpoints             []string
	CACert, Cert, Key     string
	InsecureSkipTLSVerify bool
	InsecureTransport     bool
	User, Password        string
	DialTimeout           time.Duration
	CommandTimeout        time.Duration
	KeepaliveTime         time.Duration
	KeepaliveTimeout      time.Duration
}

// NeedsPassword is true when a user is named without a password: the caller asks for it on the
// terminal before connecting.
func (c ConnConfig) NeedsPassword() bool { return c.User != "" && c.Password == "" }

// Local is c for a member etcdeck runs itself (the embedded member, a snapshot opened read-only)
// at endpoints: local plaintext without auth, since TLS files or a user from ETCDCTL_* or a
// context are for other clusters and would only make the dial fail or ask a password. Timeouts
// and the rest stay as c has them.
func (c ConnConfig) Local(endpoints []string) ConnConfig {
	c.Endpoints = endpoints
	c.InsecureTransport, c.InsecureSkipTLSVerify = true, false
	c.CACert, c.Cert, c.Key = "", "", ""
	c.User, c.Password = "", ""
	return c
}

// UsesTLS follows etcdctl: TLS when any certificate flag is set, verification is skipped,
// transport security is requested, or an endpoint says https.
func (c ConnConfig) UsesTLS() bool {
	if c.CACert != "" || c.Cert != "" || c.Key != "" || c.InsecureSkipTLSVerify || !c.InsecureTransport {
		return true
	}
	for _, e := range c.Endpoints {
		if strings.HasPrefix(e, "https://") || strings.HasPrefix(e, "unixs://") {
			return true
		}
	}
	return false
}

// Client is a connection to one cluster. Its methods take a context and apply the command
// timeout themselves, so callers cannot forget it.
type Client struct {
	c    *clientv3.Client
	conf ConnConfig
	tls  *tls.Config
	log  *zap.Logger
	// members caches member names for Overview.
	members memberNames
	// statusConns are Overview's kept per-endpoint connections (statusconn.go).
	statusConns statusClients
	// readOnly refuses every write before it is sent; audit records every write (write.go).
	readOnly bool
	snapshot string // the snapshot file browsed, WithSnapshot
	audit    *AuditLog
	// unreachable are the endpoints that did not answer at Connect, with their causes.
	unreachable []string
	// watches are the open watches, ended before a restore stops the member (watchclose.go).
	watches watchSet
	// learned and note: the endpoints learned from the member list (failover.go).
	learned []string
	note    string
	// allowOffline and offline: see WithOffline.
	allowOffline bool
	offline      error
	// access is the user's own roles and key ranges, read at Connect (auth.go); nil for none.
	access *Access
}

// Connect dials the cluster and checks it answers, so a wrong endpoint, certificate or password
// is reported now and in words a person can act on. Options set read-only mode and the audit log.
func Connect(ctx context.Context, conf ConnConfig, log *zap.Logger, opts ...Option) (*Client, error) {
	if len(conf.Endpoints) == 0 {
		conf.Endpoints = []string{"127.0.0.1:2379"}
	}
	if conf.CommandTimeout <= 0 {
		conf.CommandTimeout = DefaultCommandTimeout
	}
	if conf.DialTimeout <= 0 {
		conf.DialTimeout = DefaultDialTimeout
	}
	if log == nil {
		log = zap.NewNop()
	}
	cl := &Client{conf: conf, log: log}
	for _, o := range opts {
		o(cl)
	}
	if conf.UsesTLS() {
		t, err := tlsConfig(conf)
		if err != nil {
			return nil, err
		}
		cl.tls = t
	}
	c, err := clientv3.New(cl.etcdConfig(context.Background(), conf.Endpoints))
	if err != nil {
		return nil, cl.explain(ctx, err)
	}
	cl.c = c
	// Dialing is lazy: ask every endpoint for its status, each within its own --dial-timeout and
	// all at once, so one dead or silent endpoint neither refuses the connection nor eats the
	// others' time. The dead ones are kept (gRPC's balancer skips them, and uses them again when
	// they come back) and named by Unreachable.
	alive, dead := cl.probeEndpoints(ctx)
	if len(alive) == 0 {
		why := strings.Join(dead, "; ")
		if why == "" {
			why = "no endpoint answered"
		}
		if cl.allowOffline {
			cl.offline = explained(why, errNoEndpoint)
			return cl, nil
		}
		c.Close()
		return nil, explained(why, errNoEndpoint)
	}
	cl.unreachable = dead
	if err := cl.checkRead(ctx); err != nil {
		c.Close()
		return nil, cl.explain(ctx, err)
	}
	cl.learnEndpoints(ctx)
	cl.learnAccess(ctx)
	return cl, nil
}

// errNoEndpoint is the cause under Connect's error when no endpoint answered.
var errNoEndpoint = errors.New("no endpoint answered")

// Unreachable names the endpoints that did not answer when the client connected, each with its
// cause ("connection refused at 127.0.0.1:22379"): the caller shows them as a warning.
func (c *Client) Unreachable() []string { return append([]string(nil), c.unreachable...) }

// probeEndpoints asks each endpoint for its status, and at the same time dials it by hand to name
// the cause should gRPC fail (gRPC says only "context deadline exceeded"). alive are the
// endpoints that answered; dead the causes for the others, in the order given.
func (cl *Client) probeEndpoints(ctx context.Context) (alive, dead []string) {
	eps := cl.c.Endpoints()
	type result struct {
		ok  bool
		why string
	}
	results := make([]result, len(eps))
	done := make(chan struct{}, len(eps))
	for i, ep := range eps {
		go func() {
			defer func() { done <- struct{}{} }()
			pctx, cancel := context.WithTimeout(ctx, cl.conf.DialTimeout)
			defer cancel()
			why := make(chan string, 1)
			go func() { why <- cl.WhyUnreachable(pctx, HostOf(ep)) }()
			answered := make(chan error, 1)
			go func() { _, err := cl.c.Status(pctx, ep); answered <- err }()
			var err error
			select {
			case err = <-answered:
				if err == nil {
					results[i].ok = true
					return
				}
				results[i].why = <-why
			case results[i].why = <-why:
				if results[i].why != "" { // a cause found by hand ends the wait for gRPC's retries
					return
				}
				if err = <-answered; err == nil {
					results[i].ok = true
					return
				}
			}
			if results[i].why == "" {
				results[i].why = fmt.Sprintf("%s: %s", HostOf(ep), explainText(err))
				if errors.Is(err, context.DeadlineExceeded) || status.Code(err) == codes.DeadlineExceeded {
					results[i].why = fmt.Sprintf("no answer from %s within %s (--dial-timeout)", HostOf(ep), cl.conf.DialTimeout)
				}
			}
		}()
	}
	for range eps {
		<-done
	}
	for i, r := range results {
		if r.ok {
			alive = append(alive, eps[i])
		} else {
			dead = append(dead, r.why)
		}
	}
	return alive, dead
}

// checkRead checks that the credentials allow a read: Status does not need them.
func (cl *Client) checkRead(ctx context.Context) error {
	cctx, cancel := context.WithTimeout(ctx, cl.conf.CommandTimeout)
	defer cancel()
	_, err := cl.c.Get(cctx, "\x00", clientv3.WithKeysOnly(), clientv3.WithCountOnly())
	if IsPermissionDenied(err) {
		return nil // authenticated, just not allowed to read that key
	}
	return err
}

// maxRecvMsgSize is the largest response the client takes: keys and values of up to etcd's own
// limit (1.5 MiB by default) plus headroom. The watches' own streams take the same (watchgrpc.go).
const maxRecvMsgSize = 512 << 20

// etcdConfig is the clientv3 configuration of c's settings for endpoints: Connect and the
// Monitor's per-member clients share it, so a setting added here reaches both.
func (c *Client) etcdConfig(ctx context.Context, endpoints []string) clientv3.Config {
	cfg := clientv3.Config{
		Endpoints:            endpoints,
		DialTimeout:          c.conf.DialTimeout,
		DialKeepAliveTime:    c.conf.KeepaliveTime,
		DialKeepAliveTimeout: c.conf.KeepaliveTimeout,
		Username:             c.conf.User,
		Password:             c.conf.Password,
		Logger:               c.log,
		Context:              ctx,
		MaxCallRecvMsgSize:   maxRecvMsgSize,
	}
	if c.tls != nil {
		cfg.TLS = c.tls.Clone()
	}
	return cfg
}

func tlsConfig(conf ConnConfig) (*tls.Config, error) {
	t := &tls.Config{InsecureSkipVerify: conf.InsecureSkipTLSVerify, MinVersion: tls.VersionTLS12}
	if conf.CACert != "" {
		pem, err := os.ReadFile(conf.CACert)
		if err != nil {
			return nil, fmt.Errorf("--cacert: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("--cacert %s: no PEM certificate in it", conf.CACert)
		}
		t.RootCAs = pool
	}
	if (conf.Cert == "") != (conf.Key == "") {
		return nil, errors.New("--cert and --key go together: give both or neither")
	}
	if conf.Cert != "" {
		pair, err := tls.LoadX509KeyPair(conf.Cert, conf.Key)
		if err != nil {
			return nil, fmt.Errorf("--cert/--key: %v", err)
		}
		t.Certificates = []tls.Certificate{pair}
	}
	return t, nil
}

// Close releases the connection, and the status poll's per-endpoint ones.
func (c *Client) Close() error {
	c.statusConns.close()
	return c.c.Close()
}

// Endpoints are the endpoints the client was configured with.
func (c *Client) Endpoints() []string { return c.c.Endpoints() }

// Config returns the connection settings, password included: callers must not display it.
func (c *Client) Config() ConnConfig { return c.conf }

// CommandTimeout is the per-call timeout (--command-timeout).
func (c *Client) CommandTimeout() time.Duration { return c.conf.CommandTimeout }

// ctx gives one call its own timeout, as etcdctl's commandCtx does.
func (c *Client) ctx(parent context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(parent, c.conf.CommandTimeout)
}

// Insecure names why the connection deserves a warning: plaintext to a non-loopback address, or
// TLS without verification. Empty when neither.
func (c ConnConfig) Insecure() string {
	if c.UsesTLS() {
		if c.InsecureSkipTLSVerify {
			return "TLS verification off"
		}
		return ""
	}
	for _, e := range c.Endpoints {
		if !isLoopback(HostOf(e)) {
			return "plaintext to " + HostOf(e)
		}
	}
	return ""
}

// HostOf returns host:port of an endpoint with or without scheme.
func HostOf(endpoint string) string {
	if strings.Contains(endpoint, "://") {
		if u, err := url.Parse(endpoint); err == nil {
			return u.Host
		}
	}
	return endpoint
}

func isLoopback(hostport string) bool {
	host, _, err := net.SplitHostPort(hostport)
	if err != nil {
		host = hostport
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
