package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/etcdeck/etcdeck/embednode/nodetest"
)

var bin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "etcdeck-main")
	if err != nil {
		panic(err)
	}
	bin = filepath.Join(dir, "etcdeck")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// etcdeck runs the binary with isolated XDG dirs and returns its exit code, stdout and stderr.
func etcdeck(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = isolatedEnv(t)
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return exit.ExitCode(), stdout.String(), stderr.String()
	}
	if err != nil {
		t.Fatal(err)
	}
	return 0, stdout.String(), stderr.String()
}

func isolatedEnv(t *testing.T) []string {
	dir := t.TempDir()
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "ETCDCTL_") && !strings.HasPrefix(kv, "XDG_") {
			env = append(env, kv)
		}
	}
	return append(env, "XDG_CONFIG_HOME="+dir+"/config", "XDG_STATE_HOME="+dir+"/state", "XDG_DATA_HOME="+dir+"/data")
}

func TestVersion(t *testing.T) {
	code, out, _ := etcdeck(t, "--version")
	if code != 0 || !strings.HasPrefix(out, "etcdeck ") || !strings.Contains(out, "go.etcd.io/etcd/server/v3 v3.7.") {
		t.Fatalf("exit %d, output:\n%s", code, out)
	}
}

func TestConsoleErrorsBeforeUI(t *testing.T) {
	// The console starts without a cluster (e2e TestConsoleStartsWithoutCluster); the headless
	// commands, for cron, fail at once with exit 1 and the cause.
	port := nodetest.FreePort(t)
	endpoint := fmt.Sprintf("127.0.0.1:%d", port)
	for _, c := range []struct {
		name string
		args []string
	}{
		{"snapshot save", []string{"snapshot", "save", "--output", filepath.Join(t.TempDir(), "s.db")}},
		{"diagnose", []string{"diagnose"}},
	} {
		code, _, stderr := etcdeck(t, append(c.args, "--endpoints", endpoint, "--dial-timeout=500ms")...)
		want := fmt.Sprintf("etcdeck %s: connection refused at %s\n", c.name, endpoint)
		if code != 1 || stderr != want {
			t.Fatalf("%s against a dead endpoint: exit %d, stderr %q, want %q", c.name, code, stderr, want)
		}
	}
	cfg := filepath.Join(t.TempDir(), "bad.yaml")
	os.WriteFile(cfg, []byte("read-only: true\nbogus: 1\n"), 0o600)
	code, _, stderr := etcdeck(t, "--config", cfg)
	if code != 2 || !strings.HasPrefix(stderr, "etcdeck: "+cfg+":2: field bogus not found") {
		t.Fatalf("bad config: exit %d, stderr %q", code, stderr)
	}
	code, _, stderr = etcdeck(t, "--no-such-flag")
	if code != 2 || !strings.Contains(stderr, "unknown flag: --no-such-flag") {
		t.Fatalf("bad flag: exit %d, stderr %q", code, stderr)
	}
}

func TestMemberCommand(t *testing.T) {
	cfg := nodetest.Config(t, "headless")
	cmd := exec.Command(bin, "member", "--name", "headless", "--data-dir", cfg.DataDir,
		"--listen-client-urls", cfg.ListenClientURLs[0], "--listen-peer-urls", cfg.ListenPeerURLs[0],
		"--quota-backend-bytes", "67108864")
	cmd.Env = isolatedEnv(t)
	out, _ := cmd.StdoutPipe()
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	line, _ := bufio.NewReader(out).ReadString('\n')
	want := fmt.Sprintf("etcdeck member \"headless\" serving clients at %s", cfg.ListenClientURLs[0])
	if !strings.HasPrefix(line, want) {
		t.Fatalf("first line %q, want %q...\nstderr: %s", line, want, stderr.String())
	}
	c, err := clientv3.New(clientv3.Config{Endpoints: cfg.ListenClientURLs, DialTimeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := c.Put(ctx, "k", "v"); err != nil {
		t.Fatal(err)
	}
	if st, err := c.Status(ctx, cfg.ListenClientURLs[0]); err != nil || st.DbSizeQuota != 64<<20 {
		t.Errorf("--quota-backend-bytes 67108864: the member's quota is %v (%v), want 64 MiB", st, err)
	}
	cmd.Process.Signal(syscall.SIGTERM)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("after SIGTERM: %v, want exit 0", err)
	}

	// The same port again while something holds it: exit 1 and the flag to change.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	code, _, errText := etcdeck(t, "member", "--data-dir", t.TempDir(), "--listen-client-urls", "http://"+l.Addr().String(), "--listen-peer-urls", cfg.ListenPeerURLs[0])
	wantErr := fmt.Sprintf("etcdeck member: %s is already in use (another etcd?): choose another address with --listen-client-urls\n", l.Addr())
	if code != 1 || errText != wantErr {
		t.Fatalf("port taken: exit %d, stderr %q", code, errText)
	}
	if code, _, _ := etcdeck(t, "member", "--bogus"); code != 2 {
		t.Fatalf("bad flag: exit %d, want 2", code)
	}
}
