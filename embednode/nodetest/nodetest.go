// Package nodetest starts real etcd members for tests: one or three in-process embedded members on
// random loopback ports in a temp dir, or Debian's etcd-server (3.4) binary when it is installed.
// It lives under embednode because starting members is embednode's job; only tests import it.
package nodetest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.etcd.io/etcd/client/pkg/v3/transport"
	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"

	"github.com/etcdeck/etcdeck/embednode"
)

// FreePort returns a loopback port that was free a moment ago. It is drawn from below the
// kernel's ephemeral range (32768-60999 on Linux), where a client connection's own local port
// can never take it between this check and the member's bind, and never handed out twice on one
// machine while its test process lives (members of parallel tests, in this process or in another
// package's test binary running beside it, would otherwise race for it; see claimPort).
func FreePort(t testing.TB) int {
	t.Helper()
	ports.Lock()
	defer ports.Unlock()
	for range 1000 {
		p := portLow + rand.IntN(portHigh-portLow)
		if ports.given[p] || !claimPort(p) {
			continue
		}
		l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", p))
		if err != nil {
			continue
		}
		l.Close()
		ports.given[p] = true
		return p
	}
	t.Fatalf("free port: none free in %d-%d after 1000 tries", portLow, portHigh)
	return 0
}

// portLow and portHigh bound the ports FreePort draws from: below those of an opened
// snapshot's member (embednode's freeLoopbackURL: 26000-31999), which tests start too.
const portLow, portHigh = 20000, 26000

// ports is the set FreePort has handed out in this process.
var ports = struct {
	sync.Mutex
	given map[int]bool
}{given: map[int]bool{}}

// Config returns a member config on fresh loopback ports with its data in a test temp dir.
func Config(t testing.TB, name string) embednode.Config {
	t.Helper()
	return embednode.Config{
		Name:             name,
		DataDir:          filepath.Join(t.TempDir(), name+".etcd"),
		ListenClientURLs: []string{fmt.Sprintf("http://127.0.0.1:%d", FreePort(t))},
		ListenPeerURLs:   []string{fmt.Sprintf("http://127.0.0.1:%d", FreePort(t))},
		Logger:           zap.NewNop(),
		UnsafeNoFsync:    true,
	}
}

// Start runs one in-process member and stops it when the test ends.
func Start(t testing.TB) *embednode.Member {
	t.Helper()
	return StartConfig(t, Config(t, "default"))
}

// StartConfig runs an in-process member with cfg and stops it when the test ends.
func StartConfig(t testing.TB, cfg embednode.Config) *embednode.Member {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	m, err := embednode.Start(ctx, cfg)
	if err != nil {
		t.Fatalf("start member: %v", err)
	}
	t.Cleanup(func() { m.Close(10 * time.Second) })
	return m
}

// StartCluster runs n in-process members forming one cluster and returns them in name order
// (m0, m1, ...). Each can be closed on its own to simulate a member failure.
func StartCluster(t testing.TB, n int) []*embednode.Member {
	t.Helper()
	return StartClusterWith(t, n, nil)
}

// StartClusterWith is StartCluster with each member's config adjusted first (a tiny
// --quota-backend-bytes, say); adjust may be nil.
func StartClusterWith(t testing.TB, n int, adjust func(*embednode.Config)) []*embednode.Member {
	t.Helper()
	cfgs := clusterConfigs(t, n)
	if adjust != nil {
		for i := range cfgs {
			adjust(&cfgs[i])
		}
	}
	members, err := startAll(cfgs, embednode.Start)
	if err != nil {
		for _, m := range members {
			if m != nil {
				m.Close(5 * time.Second)
			}
		}
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for _, m := range members {
			m.Close(10 * time.Second)
		}
	})
	return members
}

// clusterConfigs is the configs of n members m0, m1, ... that form one cluster.
func clusterConfigs(t testing.TB, n int) []embednode.Config {
	cfgs := make([]embednode.Config, n)
	var initial []string
	for i := range cfgs {
		cfgs[i] = Config(t, fmt.Sprintf("m%d", i))
		initial = append(initial, cfgs[i].Name+"="+cfgs[i].ListenPeerURLs[0])
	}
	token := fmt.Sprintf("nodetest-%d", time.Now().UnixNano())
	for i := range cfgs {
		cfgs[i].InitialClusterToken = token
		cfgs[i].InitialCluster = strings.Join(initial, ",")
	}
	return cfgs
}

// startAll starts every member at once (a new cluster's members wait for each other to form a
// quorum) and returns them all, with the first failure naming its member.
func startAll[T any](cfgs []embednode.Config, start func(context.Context, embednode.Config) (T, error)) ([]T, error) {
	out := make([]T, len(cfgs))
	errs := make([]error, len(cfgs))
	var wg sync.WaitGroup
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	for i := range cfgs {
		wg.Go(func() { out[i], errs[i] = start(ctx, cfgs[i]) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			return out, fmt.Errorf("start member %s: %w", cfgs[i].Name, err)
		}
	}
	return out, nil
}

// Endpoints joins the client endpoints of members for clients.
func Endpoints(members ...*embednode.Member) []string {
	var out []string
	for _, m := range members {
		out = append(out, m.Endpoints()...)
	}
	return out
}

// Etcd34Binary returns the path of Debian's etcd (3.4) server binary, or "" when not installed.
func Etcd34Binary() string {
	for _, p := range []string{"/usr/bin/etcd", "/usr/sbin/etcd"} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if p, err := exec.LookPath("etcd"); err == nil {
		return p
	}
	return ""
}

// StartEtcd34 runs Debian's etcd-server binary on random loopback ports and returns its client
// endpoint; it skips the test with the reason when the package is not installed.
func StartEtcd34(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	peer := fmt.Sprintf("http://127.0.0.1:%d", FreePort(t))
	return RunEtcd34(t, "old", filepath.Join(dir, "old.etcd"), peer,
		"--initial-advertise-peer-urls", peer, "--initial-cluster", "old="+peer)
}

// RunEtcd34 runs Debian's etcd-server binary as member name on dataDir (new, or one etcdeck
// restored) with the given peer URL and a random loopback client port, plus extra flags; it
// returns the client endpoint once the server listens, stops the server when the test ends, and
// skips the test with the reason when the package is not installed.
func RunEtcd34(t testing.TB, name, dataDir, peer string, extra ...string) string {
	t.Helper()
	bin := Etcd34Binary()
	if bin == "" {
		t.Skip("Debian's etcd-server is not installed (apt-get install -y etcd-server); .ci/run installs it")
	}
	client := fmt.Sprintf("http://127.0.0.1:%d", FreePort(t))
	args := append([]string{"--name", name, "--data-dir", dataDir,
		"--listen-client-urls", client, "--advertise-client-urls", client, "--listen-peer-urls", peer}, extra...)
	cmd := exec.Command(bin, args...)
	log, err := os.Create(filepath.Join(t.TempDir(), "etcd.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", bin, err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		log.Close()
	})
	host := strings.TrimPrefix(client, "http://")
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if c, err := net.DialTimeout("tcp", host, 200*time.Millisecond); err == nil {
			c.Close()
			return host
		}
		time.Sleep(100 * time.Millisecond)
	}
	out, _ := os.ReadFile(log.Name())
	t.Fatalf("etcd 3.4 did not listen on %s:\n%s", host, out)
	return ""
}

// clients holds the outside writers handed out by Client, one per test and endpoint list.
var clients = struct {
	sync.Mutex
	m map[clientKey]*clientv3.Client
}{m: map[clientKey]*clientv3.Client{}}

type clientKey struct {
	t         testing.TB
	endpoints string
}

// Client returns a clientv3 client of the member at endpoints that writes as another program
// (etcdctl, an apiserver) would, for tests that change the keyspace under the code they test:
// nothing outside cluster/ reaches etcdeck's own clientv3 client. The test owns it: the same
// client is returned for the same test and endpoints, and it is closed when the test ends.
func Client(t testing.TB, endpoints []string) *clientv3.Client {
	t.Helper()
	key := clientKey{t, strings.Join(endpoints, ",")}
	clients.Lock()
	defer clients.Unlock()
	if c, ok := clients.m[key]; ok {
		return c
	}
	c, err := clientv3.New(clientv3.Config{Endpoints: endpoints, DialTimeout: 5 * time.Second, Logger: zap.NewNop()})
	if err != nil {
		t.Fatalf("client of %v: %v", endpoints, err)
	}
	clients.m[key] = c
	t.Cleanup(func() {
		clients.Lock()
		delete(clients.m, key)
		clients.Unlock()
		c.Close()
	})
	return c
}

// ClientAs is Client with a user and, when certs is not nil, the test CA and client certificate:
// for tests that turn auth on or start a member that wants client certificates. Each call dials a
// new client, closed when the test ends.
func ClientAs(t testing.TB, endpoints []string, user, password string, certs *Certs) *clientv3.Client {
	t.Helper()
	cfg := clientv3.Config{Endpoints: endpoints, DialTimeout: 5 * time.Second, Logger: zap.NewNop(),
		Username: user, Password: password}
	if certs != nil {
		tlsInfo := transport.TLSInfo{CertFile: certs.ClientCert, KeyFile: certs.ClientKey, TrustedCAFile: certs.CA}
		tc, err := tlsInfo.ClientConfig()
		if err != nil {
			t.Fatalf("client TLS: %v", err)
		}
		cfg.TLS = tc
	}
	c, err := clientv3.New(cfg)
	if err != nil {
		t.Fatalf("client of %v: %v", endpoints, err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// SpawnCluster runs n members forming one cluster, each in its own `exe member --child` process
// (exe is a built etcdeck), and stops them when the test ends. Tests that read /metrics need
// this: in-process members share one Prometheus registry.
func SpawnCluster(t testing.TB, exe string, n int) []*embednode.Child {
	t.Helper()
	cfgs := clusterConfigs(t, n)
	for i := range cfgs {
		cfgs[i].Logger = nil
		cfgs[i].LogFile = filepath.Join(filepath.Dir(cfgs[i].DataDir), cfgs[i].Name+".log")
	}
	children, err := startAll(cfgs, func(ctx context.Context, cfg embednode.Config) (*embednode.Child, error) {
		return embednode.Spawn(ctx, exe, cfg, nil)
	})
	t.Cleanup(func() {
		for _, c := range children {
			if c != nil {
				c.Stop(10 * time.Second)
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	return children
}

// BuildEtcdeck builds the etcdeck binary into dir and returns its path, for tests that run
// `etcdeck member` children or drive the binary.
func BuildEtcdeck(dir string) (string, error) {
	exe := filepath.Join(dir, "etcdeck")
	out, err := exec.Command("go", "build", "-o", exe, "github.com/etcdeck/etcdeck").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("build etcdeck: %v\n%s", err, out)
	}
	return exe, nil
}
