package e2e

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/etcdeck/etcdeck/embednode/nodetest"
)

// TestConsoleTLS: the etcdctl command line from the issue works as is against a member that
// requires client certificates: --cacert, --cert, --key and an https endpoint.
func TestConsoleTLS(t *testing.T) {
	t.Parallel()
	bin := buildEtcdeck(t)
	certs := nodetest.NewCerts(t)
	cfg := nodetest.Config(t, "tls")
	cfg.ListenClientURLs[0] = strings.Replace(cfg.ListenClientURLs[0], "http://", "https://", 1)
	cfg.CertFile, cfg.KeyFile, cfg.TrustedCAFile, cfg.ClientCertAuth = certs.ServerCert, certs.ServerKey, certs.CA, true
	m := nodetest.StartConfig(t, cfg)

	home := t.TempDir()
	env := isolatedEnv(home)
	s := Start(t, 100, 30, env, home, bin, "--cacert="+certs.CA, "--cert="+certs.ClientCert,
		"--key="+certs.ClientKey, "--endpoints="+m.ClientURLs[0])
	s.WaitFor(strings.TrimPrefix(m.ClientURLs[0], "https://"), startupTimeout)
	s.WaitFor("leader tls", 15*time.Second)
	if strings.Contains(s.Screen(), "TLS verification off") {
		t.Fatalf("verified TLS must not warn:\n%s", s.Screen())
	}
	s.SendKeys("q")
	s.WaitFor("[exited 0]", 10*time.Second)

	// A wrong CA: the console starts anyway (issue 17) and says what is wrong and which flag
	// fixes it, in the header and in the view; q still quits cleanly.
	other := nodetest.NewCerts(t)
	bad := Start(t, 100, 30, env, home, bin, "--cacert="+other.CA, "--cert="+certs.ClientCert,
		"--key="+certs.ClientKey, "--endpoints="+m.ClientURLs[0])
	screen := bad.WaitFor("check --cacert", startupTimeout)
	if !strings.Contains(screen, "certificate signed by unknown authority at") || !strings.Contains(screen, "no connection") {
		t.Fatalf("wrong CA:\n%s", screen)
	}
	bad.SendKeys("q")
	bad.WaitFor("[exited 0]", 10*time.Second)
}

// TestConsoleStartsWithoutCluster: a console whose only endpoint is down starts, shows why in
// the header and the view, and connects by itself when a member comes up on that endpoint.
func TestConsoleStartsWithoutCluster(t *testing.T) {
	t.Parallel()
	bin := buildEtcdeck(t)
	cfg := nodetest.Config(t, "late")
	endpoint := strings.TrimPrefix(cfg.ListenClientURLs[0], "http://")
	home := t.TempDir()
	s := Start(t, 100, 30, isolatedEnv(home), home, bin, "--endpoints="+endpoint, "--dial-timeout=500ms")
	screen := s.WaitFor("refuses connections", startupTimeout)
	if !strings.Contains(screen, "no connection") {
		t.Fatalf("the header does not say the console is not connected:\n%s", screen)
	}
	nodetest.StartConfig(t, cfg)
	s.WaitFor("leader late", 60*time.Second)
	s.WaitGone("refuses connections", 30*time.Second)
	s.SendKeys("q")
	s.WaitFor("[exited 0]", 10*time.Second)
}

// TestEmbeddedIgnoresRemoteSettings: an operator's ETCDCTL_* TLS files and user are for their
// clusters; --embed still dials its own plaintext member without asking a password.
func TestEmbeddedIgnoresRemoteSettings(t *testing.T) {
	t.Parallel()
	bin := buildEtcdeck(t)
	home := t.TempDir()
	var env []string
	for _, kv := range isolatedEnv(home) {
		if !strings.HasPrefix(kv, "ETCDCTL_USER=") {
			env = append(env, kv)
		}
	}
	env = append(env, "ETCDCTL_CACERT=/nonexistent/ca.pem", "ETCDCTL_USER=root", "ETCDCTL_ENDPOINTS=")
	client := fmt.Sprintf("127.0.0.1:%d", nodetest.FreePort(t))
	s := Start(t, 100, 30, env, home, bin, "--embed", "--data-dir", filepath.Join(home, "m.etcd"),
		"--listen-client-urls", "http://"+client,
		"--listen-peer-urls", fmt.Sprintf("http://127.0.0.1:%d", nodetest.FreePort(t)))
	s.WaitFor("embedded "+client, startupTimeout)
	s.WaitFor("leader default", 15*time.Second)
	if strings.Contains(s.Screen(), "Password") {
		t.Fatalf("asked a password for the embedded member:\n%s", s.Screen())
	}
	s.SendKeys("q")
	s.WaitFor("[exited 0]", 10*time.Second)
}
