package embednode_test

import (
	"bufio"
	"context"
	"encoding/json"
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
	"go.etcd.io/etcd/client/v3/snapshot"
	"go.uber.org/zap"

	"github.com/etcdeck/etcdeck/embednode"
	"github.com/etcdeck/etcdeck/embednode/nodetest"
)

// memberWithSnapshot spawns a child member holding /kept, saves a snapshot, then writes /later
// (which a restore of that snapshot must take away).
func memberWithSnapshot(t *testing.T, cfg embednode.Config) (*embednode.Child, string) {
	t.Helper()
	c := spawn(t, cfg)
	cli := client(t, c.Endpoints())
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := cli.Put(ctx, "/kept", "before"); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "member.db")
	if _, err := snapshot.SaveWithVersion(ctx, zap.NewNop(), clientv3.Config{Endpoints: c.Endpoints()}, file); err != nil {
		t.Fatal(err)
	}
	if _, err := cli.Put(ctx, "/later", "after"); err != nil {
		t.Fatal(err)
	}
	return c, file
}

func TestRestoreMember(t *testing.T) {
	cfg := nodetest.Config(t, "embedded")
	cfg.Logger = nil
	c, file := memberWithSnapshot(t, cfg)
	var steps []string
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	res, err := embednode.RestoreMember(ctx, etcdeckBin, c, embednode.MemberRestore{Snapshot: file,
		Step: func(s string) { steps = append(steps, s) }})
	if err != nil {
		t.Fatalf("restore: %v", err)
	}
	if res.Keys != 1 || res.Revision != 2 || !strings.HasPrefix(res.Backup, cfg.DataDir+".bak-") {
		t.Fatalf("result %+v", res)
	}
	if want := fmt.Sprintf("restored rev 2, 1 keys; the old data is in %s", res.Backup); res.String() != want {
		t.Fatalf("report %q, want %q", res.String(), want)
	}
	if got := strings.Join(steps, ","); got != "restoring,stopping,moved-aside,starting,checking" {
		t.Fatalf("steps %s", got)
	}
	resp, err := client(t, c.Endpoints()).Get(ctx, "/", clientv3.WithPrefix())
	if err != nil || len(resp.Kvs) != 1 || string(resp.Kvs[0].Key) != "/kept" {
		t.Fatalf("after restore: %v %v, want only /kept", resp, err)
	}
	if _, err := os.Stat(filepath.Join(res.Backup, "member", "snap", "db")); err != nil {
		t.Fatalf("old data not kept: %v", err)
	}
	if got := leftovers(t, filepath.Dir(cfg.DataDir)); len(got) != 2 {
		t.Fatalf("beside the data dir: %v, want the data dir and its backup", got)
	}
}

func TestRestoreMemberRefusedFileLeavesMemberAlone(t *testing.T) {
	cfg := nodetest.Config(t, "untouched")
	cfg.Logger = nil
	c, file := memberWithSnapshot(t, cfg)
	data, _ := os.ReadFile(file)
	data[len(data)/2] ^= 0x80
	os.WriteFile(file, data, 0o600)
	_, err := embednode.RestoreMember(context.Background(), etcdeckBin, c, embednode.MemberRestore{Snapshot: file})
	if err == nil || !strings.Contains(err.Error(), "hash mismatch") {
		t.Fatalf("err = %v, want a hash mismatch", err)
	}
	resp, err := client(t, c.Endpoints()).Get(context.Background(), "/later")
	if err != nil || len(resp.Kvs) != 1 {
		t.Fatalf("member after a refused restore: %v %v", resp, err)
	}
	if got := leftovers(t, filepath.Dir(cfg.DataDir)); len(got) != 1 {
		t.Fatalf("beside the data dir: %v", got)
	}
}

// restorerParams is what the test hands interruptedRestorer through the environment.
type restorerParams struct {
	Exe      string
	Cfg      embednode.Config
	Snapshot string
	StopAt   string // the step it stops dead at; StepMovedAside when ""
}

// interruptedRestorer plays the console during `R`: it runs the member, restores, and stops dead
// (waiting to be killed) right after the old data dir was moved aside.
func interruptedRestorer() int {
	var p restorerParams
	if err := json.Unmarshal([]byte(os.Getenv("ETCDECK_TEST_RESTORER")), &p); err != nil {
		fmt.Println("error", err)
		return 1
	}
	c, err := embednode.Spawn(context.Background(), p.Exe, p.Cfg, nil)
	if err != nil {
		fmt.Println("error", err)
		return 1
	}
	_, err = embednode.RestoreMember(context.Background(), p.Exe, c, embednode.MemberRestore{Snapshot: p.Snapshot,
		Step: func(s string) {
			if s == p.StopAt || p.StopAt == "" && s == embednode.StepMovedAside {
				fmt.Println("moved")
				time.Sleep(time.Minute)
			}
		}})
	fmt.Println("error", err)
	return 1
}

func TestInterruptedRestoreFoundAndPutBack(t *testing.T) {
	cfg := nodetest.Config(t, "interrupted")
	cfg.Logger = nil
	c, file := memberWithSnapshot(t, cfg)
	if err := c.Stop(10 * time.Second); err != nil {
		t.Fatal(err)
	}
	params, _ := json.Marshal(restorerParams{Exe: etcdeckBin, Cfg: cfg, Snapshot: file})
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "ETCDECK_TEST_RESTORER="+string(params))
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, _ := bufio.NewReader(out).ReadString('\n')
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	if strings.TrimSpace(line) != "moved" {
		t.Fatalf("restorer said %q", line)
	}

	found, err := embednode.FindInterruptedRestore(cfg.DataDir)
	if err != nil || found == nil {
		t.Fatalf("FindInterruptedRestore = %v, %v; want the interrupted restore", found, err)
	}
	if found.DataDir != cfg.DataDir || !strings.HasPrefix(found.Backup, cfg.DataDir+".bak-") ||
		!strings.HasPrefix(found.Restored, cfg.DataDir+".restored-") {
		t.Fatalf("found %+v", found)
	}
	if !strings.Contains(found.String(), "the old data is in "+found.Backup) {
		t.Fatalf("String() = %q", found.String())
	}
	// Every command that starts a member refuses to start an empty one in its place: the
	// headless `etcdeck member`, and Start in this process.
	// (Killed after a minute: a member that did start would serve until stopped.)
	runCtx, stopRun := context.WithTimeout(context.Background(), time.Minute)
	defer stopRun()
	member := exec.CommandContext(runCtx, etcdeckBin, append([]string{"member"}, cfg.Args()...)...)
	var stderr strings.Builder
	member.Stderr = &stderr
	if err := member.Run(); member.ProcessState == nil || member.ProcessState.ExitCode() != 1 ||
		!strings.Contains(stderr.String(), "not starting an empty member in its place") ||
		!strings.Contains(stderr.String(), found.Backup) {
		tail := stderr.String()
		if len(tail) > 400 {
			tail = tail[len(tail)-400:]
		}
		t.Fatalf("etcdeck member on the missing data dir: %v, stderr ending %q; want exit 1 naming the backup", err, tail)
	}
	_, err = embednode.Start(context.Background(), cfg)
	var refused *embednode.InterruptedRestoreError
	if !errors.As(err, &refused) || refused.Found.Backup != found.Backup {
		t.Fatalf("Start on the missing data dir: %v, want InterruptedRestoreError", err)
	}
	if _, err := os.Stat(cfg.DataDir); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a refused start created the data dir: %v", err)
	}
	if err := found.PutBack(); err != nil {
		t.Fatal(err)
	}
	if again, err := embednode.FindInterruptedRestore(cfg.DataDir); again != nil || err != nil {
		t.Fatalf("after PutBack: %v %v, want nothing", again, err)
	}
	if done, err := embednode.TakeCompletedRestore(cfg.DataDir); done != nil || err != nil {
		t.Fatalf("after PutBack the old data is back, yet a completed restore is reported: %v %v", done, err)
	}
	c2 := spawn(t, cfg)
	resp, err := client(t, c2.Endpoints()).Get(context.Background(), "/later")
	if err != nil || len(resp.Kvs) != 1 {
		t.Fatalf("the member on its put-back data: %v %v, want /later", resp, err)
	}
}

func TestFindInterruptedRestoreIgnoresHealthyDirs(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "odd [dir] *")
	data := filepath.Join(dir, "default.etcd")
	os.MkdirAll(data, 0o700)
	os.MkdirAll(data+".bak-20261125T010203Z", 0o700)
	if r, err := embednode.FindInterruptedRestore(data); r != nil || err != nil {
		t.Fatalf("data dir present: %v %v, want nothing", r, err)
	}
	if r, err := embednode.FindInterruptedRestore(filepath.Join(dir, "none.etcd")); r != nil || err != nil {
		t.Fatalf("no backup: %v %v, want nothing", r, err)
	}
	if r, err := embednode.FindInterruptedRestore(filepath.Join(dir, "not", "yet", "default.etcd")); r != nil || err != nil {
		t.Fatalf("a first start (no parent dir): %v %v, want nothing", r, err)
	}
	os.Remove(data)
	os.MkdirAll(data+".bak-20261126T010203Z", 0o700)
	r, err := embednode.FindInterruptedRestore(data)
	if err != nil || r == nil || r.Backup != data+".bak-20261126T010203Z" || r.Restored != "" {
		t.Fatalf("two backups: %+v %v, want the newest", r, err)
	}
}

// TestRestoreMemberRollsBack: when the member cannot start on the restored data (here its client
// port is taken meanwhile), the restored dir is moved aside and the old data goes back in place.
func TestRestoreMemberRollsBack(t *testing.T) {
	cfg := nodetest.Config(t, "rollback")
	cfg.Logger = nil
	c, file := memberWithSnapshot(t, cfg)
	var taken net.Listener
	defer func() {
		if taken != nil {
			taken.Close()
		}
	}()
	_, err := embednode.RestoreMember(context.Background(), etcdeckBin, c, embednode.MemberRestore{Snapshot: file,
		Step: func(s string) {
			if s == embednode.StepMovedAside {
				taken, _ = net.Listen("tcp", strings.TrimPrefix(cfg.ListenClientURLs[0], "http://"))
			}
		}})
	if err == nil || !strings.Contains(err.Error(), "the restored member did not start") ||
		!strings.Contains(err.Error(), "the old data is back in "+cfg.DataDir) {
		t.Fatalf("err = %v", err)
	}
	failed, _ := filepath.Glob(cfg.DataDir + ".restore-failed-*")
	if len(failed) != 1 {
		t.Fatalf("restored dir not kept aside: %v", leftovers(t, filepath.Dir(cfg.DataDir)))
	}
	if backups, _ := filepath.Glob(cfg.DataDir + ".bak-*"); len(backups) != 0 {
		t.Fatalf("the backup was not put back: %v", backups)
	}
	taken.Close()
	taken = nil
	if err := c.Restart(context.Background()); err != nil {
		t.Fatal(err)
	}
	resp, err := client(t, c.Endpoints()).Get(context.Background(), "/later")
	if err != nil || len(resp.Kvs) != 1 {
		t.Fatalf("the member on its old data: %v %v, want /later", resp, err)
	}
}

// TestRestoreMemberRefusesAuthEnabledBackup: R of a backup of a cluster with authentication on
// is refused before the member is touched (it would answer this console only with "user name is
// empty", and every later start too); the member keeps its data and runs.
func TestRestoreMemberRefusesAuthEnabledBackup(t *testing.T) {
	cfg := nodetest.Config(t, "authbackup")
	cfg.Logger = nil
	c := spawn(t, cfg)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cli := client(t, c.Endpoints())
	if _, err := cli.Put(ctx, "/mine", "v"); err != nil {
		t.Fatal(err)
	}
	for _, step := range []func() error{
		func() error { _, err := cli.UserAdd(ctx, "root", "pw"); return err },
		func() error { _, err := cli.UserGrantRole(ctx, "root", "root"); return err },
		func() error { _, err := cli.AuthEnable(ctx); return err },
	} {
		if err := step(); err != nil {
			t.Fatal(err)
		}
	}
	file := filepath.Join(t.TempDir(), "auth.db")
	if _, err := snapshot.SaveWithVersion(ctx, zap.NewNop(), clientv3.Config{Endpoints: c.Endpoints(), Username: "root", Password: "pw"}, file); err != nil {
		t.Fatal(err)
	}
	root, err := clientv3.New(clientv3.Config{Endpoints: c.Endpoints(), Username: "root", Password: "pw", DialTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	if _, err := root.AuthDisable(ctx); err != nil {
		t.Fatal(err)
	}
	var steps []string
	_, err = embednode.RestoreMember(ctx, etcdeckBin, c, embednode.MemberRestore{Snapshot: file, Step: func(s string) { steps = append(steps, s) }})
	if !errors.Is(err, embednode.ErrAuthEnabledBackup) {
		t.Fatalf("restore of an auth-enabled backup: %v", err)
	}
	if len(steps) != 1 || steps[0] != embednode.StepRestoring {
		t.Fatalf("steps %v: the member was touched", steps)
	}
	if resp, err := client(t, c.Endpoints()).Get(ctx, "/mine"); err != nil || len(resp.Kvs) != 1 {
		t.Fatalf("the member lost its data or stopped answering: %v %v", resp, err)
	}
	if got := leftovers(t, filepath.Dir(cfg.DataDir)); len(got) != 1 {
		t.Fatalf("beside the data dir: %v, want only the data dir", got)
	}
}

// TestRestoreKilledBeforeItsReport: R killed after the restored data was moved in (before it
// could say so or write its audit line): the next `etcdeck member` says the data dir was
// restored and where the old data is, records the restore in the audit log, and starts.
func TestRestoreKilledBeforeItsReport(t *testing.T) {
	cfg := nodetest.Config(t, "unreported")
	cfg.Logger = nil
	c, file := memberWithSnapshot(t, cfg)
	if err := c.Stop(10 * time.Second); err != nil {
		t.Fatal(err)
	}
	params, _ := json.Marshal(restorerParams{Exe: etcdeckBin, Cfg: cfg, Snapshot: file, StopAt: embednode.StepStarting})
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "ETCDECK_TEST_RESTORER="+string(params))
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, _ := bufio.NewReader(out).ReadString('\n')
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	if strings.TrimSpace(line) != "moved" {
		t.Fatalf("restorer said %q", line)
	}

	state := t.TempDir()
	ctx, stop := context.WithTimeout(context.Background(), time.Minute)
	defer stop()
	member := exec.CommandContext(ctx, etcdeckBin, append([]string{"member"}, cfg.Args()...)...)
	member.Env = append(os.Environ(), "XDG_STATE_HOME="+state)
	stderr, err := member.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := member.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { member.Process.Kill(); member.Wait() }()
	said, _ := bufio.NewReader(stderr).ReadString('\n')
	if !strings.Contains(said, "was restored from "+file) || !strings.Contains(said, "the old data is in "+cfg.DataDir+".bak-") {
		t.Fatalf("etcdeck member after an unreported restore said %q", said)
	}
	audit, err := os.ReadFile(filepath.Join(state, "etcdeck", "audit.log"))
	if err != nil || !strings.Contains(string(audit), `"action":"restore"`) || !strings.Contains(string(audit), "reported at the next start") {
		t.Fatalf("audit log: %s %v", audit, err)
	}
	if again, _ := embednode.TakeCompletedRestore(cfg.DataDir); again != nil {
		t.Fatalf("reported twice: %v", again)
	}
}
