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
	// readOnly refuses every write before it is sent; audit records every write (write.go).
	readOnly bool
	audit    *AuditLog
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
	// Dialing is lazy: ask for status so errors surface here. gRPC retries a failing handshake
	// until the deadline, so after --dial-timeout we look at the endpoints ourselves and stop
	// early when they show the cause (wrong CA, refused, not TLS).
	if err := cl.probe(ctx, conf.DialTimeout); err != nil {
		if why := cl.diagnoseAll(ctx); why != "" {
			c.Close()
			return nil, explained(why, err)
		}
		if err := cl.probe(ctx, conf.CommandTimeout); err != nil {
			c.Close()
			return nil, cl.explain(ctx, err)
		}
	}
	return cl, nil
}

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
		// Keys and values of up to etcd's own limit (1.5 MiB by default) plus headroom.
		MaxCallRecvMsgSize: 512 << 20,
	}
	if c.tls != nil {
		cfg.TLS = c.tls.Clone()
	}
	return cfg
}

// probe checks that an endpoint answers and that the credentials allow a read.
func (cl *Client) probe(ctx context.Context, timeout time.Duration) error {
	cctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var lastErr error
	for _, ep := range cl.c.Endpoints() {
		if _, lastErr = cl.c.Status(cctx, ep); lastErr == nil {
			break
		}
	}
	if lastErr == nil {
		// Status does not need credentials; a read does.
		_, lastErr = cl.c.Get(cctx, "\x00", clientv3.WithKeysOnly(), clientv3.WithCountOnly())
		if isPermissionDenied(lastErr) {
			lastErr = nil // authenticated, just not allowed to read that key
		}
	}
	return lastErr
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

// Close releases the connection.
func (c *Client) Close() error { return c.c.Close() }

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
		if !isLoopback(hostOf(e)) {
			return "plaintext to " + hostOf(e)
		}
	}
	return ""
}

// hostOf returns host:port of an endpoint with or without scheme.
func hostOf(endpoint string) string {
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
