package embednode_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/etcdeck/etcdeck/embednode"
	"github.com/etcdeck/etcdeck/embednode/nodetest"
)

// etcdeckBin is the etcdeck binary built once for the tests that need `etcdeck member`.
var etcdeckBin string

func TestMain(m *testing.M) {
	if os.Getenv("ETCDECK_TEST_PARENT") != "" {
		os.Exit(fakeParent())
	}
	if os.Getenv("ETCDECK_TEST_RESTORER") != "" {
		os.Exit(interruptedRestorer())
	}
	dir, err := os.MkdirTemp("", "etcdeck-bin")
	if err != nil {
		panic(err)
	}
	if etcdeckBin, err = nodetest.BuildEtcdeck(dir); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// fakeParent plays the console: it spawns the member, prints the child's pid, and waits to be
// killed.
func fakeParent() int {
	cfg := embednode.Config{Name: "orphan", DataDir: os.Getenv("ETCDECK_TEST_DIR"),
		ListenClientURLs: []string{os.Getenv("ETCDECK_TEST_CLIENT")}, ListenPeerURLs: []string{os.Getenv("ETCDECK_TEST_PEER")}}
	c, err := embednode.Spawn(context.Background(), os.Getenv("ETCDECK_TEST_PARENT"), cfg, nil)
	if err != nil {
		fmt.Println("error", err)
		return 1
	}
	fmt.Println("child", c.Pid())
	time.Sleep(time.Minute)
	return 0
}

func spawn(t *testing.T, cfg embednode.Config) *embednode.Child {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	c, err := embednode.Spawn(ctx, etcdeckBin, cfg, nil)
	if err != nil {
		t.Fatalf("spawn: %v", err)
	}
	t.Cleanup(func() { c.Stop(10 * time.Second) })
	return c
}

func client(t *testing.T, endpoints []string) *clientv3.Client {
	t.Helper()
	c, err := clientv3.New(clientv3.Config{Endpoints: endpoints, DialTimeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func TestChildPersistsAcrossRestart(t *testing.T) {
	cfg := nodetest.Config(t, "persist")
	cfg.Logger = nil
	c := spawn(t, cfg)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := client(t, c.Endpoints()).Put(ctx, "/persist", "yes"); err != nil {
		t.Fatal(err)
	}
	if err := c.Stop(10 * time.Second); err != nil {
		t.Fatalf("graceful stop: %v", err)
	}
	if err := c.ExitErr(); err != nil {
		t.Fatalf("member exited with %v, want a clean exit", err)
	}
	if err := c.Restart(ctx); err != nil {
		t.Fatalf("restart: %v", err)
	}
	resp, err := client(t, c.Endpoints()).Get(ctx, "/persist")
	if err != nil || len(resp.Kvs) != 1 || string(resp.Kvs[0].Value) != "yes" {
		t.Fatalf("after restart: %v %v", resp, err)
	}
	info, err := os.Stat(cfg.DataDir)
	if err != nil || info.Mode().Perm() != 0o700 {
		t.Fatalf("data dir mode: %v %v", info, err)
	}
}

func TestChildReportsExitWithLastLines(t *testing.T) {
	cfg := nodetest.Config(t, "dies")
	cfg.Logger = nil
	c := spawn(t, cfg)
	syscall.Kill(c.Pid(), syscall.SIGKILL)
	select {
	case <-c.Exited():
	case <-time.After(10 * time.Second):
		t.Fatal("Exited not closed after the member was killed")
	}
	last := c.LastLines(5)
	if c.ExitErr() == nil || len(last) == 0 || last[len(last)-1] != "member process: signal: killed" {
		t.Fatalf("exit err %v, last lines %q", c.ExitErr(), c.LastLines(5))
	}
}

func TestPortTaken(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	cfg := nodetest.Config(t, "taken")
	cfg.Logger = nil
	cfg.ListenClientURLs = []string{"http://" + l.Addr().String()}
	_, err = embednode.Spawn(context.Background(), etcdeckBin, cfg, nil)
	want := fmt.Sprintf("embedded member failed: %s is already in use (another etcd?): choose another address with --listen-client-urls", l.Addr())
	if err == nil || err.Error() != want {
		t.Fatalf("err = %v\nwant %s", err, want)
	}
}

func TestNoOrphanAfterParentKill9(t *testing.T) {
	cfg := nodetest.Config(t, "orphan")
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "ETCDECK_TEST_PARENT="+etcdeckBin, "ETCDECK_TEST_DIR="+cfg.DataDir,
		"ETCDECK_TEST_CLIENT="+cfg.ListenClientURLs[0], "ETCDECK_TEST_PEER="+cfg.ListenPeerURLs[0])
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, _ := bufio.NewReader(out).ReadString('\n')
	pidText, ok := strings.CutPrefix(strings.TrimSpace(line), "child ")
	if !ok {
		cmd.Process.Kill()
		t.Fatalf("parent said %q", line)
	}
	pid, _ := strconv.Atoi(pidText)
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		if syscall.Kill(pid, 0) != nil {
			return // gone
		}
		if st, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid)); err == nil && strings.Contains(string(st), ") Z ") {
			return // a zombie waiting for init to reap it: the member itself has exited
		}
		time.Sleep(100 * time.Millisecond)
	}
	syscall.Kill(pid, syscall.SIGKILL)
	t.Fatalf("member %d still running 15s after its parent was killed", pid)
}

func TestOfficialEtcdctlWhileRunning(t *testing.T) {
	etcdctl, err := exec.LookPath("etcdctl")
	if err != nil {
		t.Skip("etcdctl not installed (apt-get install -y etcd-client); .ci/run installs it")
	}
	cfg := nodetest.Config(t, "official")
	cfg.Logger = nil
	c := spawn(t, cfg)
	ep := strings.TrimPrefix(c.Endpoints()[0], "http://")
	cmd := exec.Command(etcdctl, "--endpoints="+ep, "put", "a", "b")
	cmd.Env = append(os.Environ(), "ETCDCTL_API=3")
	if out, err := cmd.CombinedOutput(); err != nil || strings.TrimSpace(string(out)) != "OK" {
		t.Fatalf("etcdctl put: %v %s", err, out)
	}
	resp, err := client(t, c.Endpoints()).Get(context.Background(), "a")
	if err != nil || len(resp.Kvs) != 1 || string(resp.Kvs[0].Value) != "b" {
		t.Fatalf("get a: %v %v", resp, err)
	}
}

func TestAdvertisedURLsFollowName(t *testing.T) {
	cfg := nodetest.Config(t, "custom-name")
	m := nodetest.StartConfig(t, cfg)
	resp, err := client(t, m.Endpoints()).MemberList(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	got := resp.Members[0]
	if got.Name != "custom-name" || got.ClientURLs[0] != cfg.ListenClientURLs[0] || got.PeerURLs[0] != cfg.ListenPeerURLs[0] {
		t.Fatalf("member list shows %s %v %v", got.Name, got.ClientURLs, got.PeerURLs)
	}
}

func TestHumanLine(t *testing.T) {
	in := `{"level":"warn","ts":"2026-11-25T02:01:05.771683Z","caller":"x.go:1","msg":"apply request took too long","error":"disk full"}`
	got := embednode.HumanLine(in)
	if !strings.HasSuffix(got, " warn apply request took too long (disk full)") || len(got) != len("15:04:05 warn apply request took too long (disk full)") {
		t.Fatalf("HumanLine = %q", got)
	}
	if got := embednode.HumanLine("panic: runtime error"); got != "panic: runtime error" {
		t.Fatalf("plain lines pass unchanged, got %q", got)
	}
}

func TestPrintable(t *testing.T) {
	line := embednode.HumanLine(`{"level":"error","msg":"bad key \u001b[2J\u0007","error":"x\ty"}`)
	if got := embednode.Printable(line); strings.ContainsAny(got, "\x1b\x07\t") || !strings.Contains(got, "bad key ?[2J?") {
		t.Fatalf("Printable(%q) = %q", line, got)
	}
}

// TestSecondMemberOnADataDirInUse: a second member on a data dir another process serves is
// refused at once, naming that process and what to do (etcd waited for bbolt's lock until the
// start timed out, then said "db file is flocked by another process").
func TestSecondMemberOnADataDirInUse(t *testing.T) {
	first := nodetest.Config(t, "busy")
	c := spawn(t, first)
	second := nodetest.Config(t, "busy")
	second.DataDir = first.DataDir
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	m, err := embednode.Start(ctx, second)
	if err == nil {
		m.Close(10 * time.Second)
	}
	if !errors.Is(err, embednode.ErrDataDirInUse) || !strings.Contains(err.Error(), fmt.Sprintf("process %d", c.Pid())) ||
		!strings.Contains(err.Error(), "--data-dir") || !strings.Contains(err.Error(), "--endpoints") {
		t.Fatalf("second member: %v, want the data dir in use by process %d", err, c.Pid())
	}
}

// TestReadyTimeoutGrowsWithTheDatabase: a member's start may take a minute, and a minute more
// per GiB of its database (a large restore is not rolled back for being slow to index).
func TestReadyTimeoutGrowsWithTheDatabase(t *testing.T) {
	dir := t.TempDir()
	if got := embednode.ReadyTimeout(dir); got != time.Minute {
		t.Errorf("no database: %s, want 1m", got)
	}
	db := filepath.Join(dir, "member", "snap", "db")
	if err := os.MkdirAll(filepath.Dir(db), 0o700); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(db)
	if err != nil {
		t.Fatal(err)
	}
	// A sparse 2.5 GiB file: only its size is read.
	if err := f.Truncate(5 << 29); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if got := embednode.ReadyTimeout(dir); got != 4*time.Minute {
		t.Errorf("2.5 GiB database: %s, want 4m", got)
	}
}
