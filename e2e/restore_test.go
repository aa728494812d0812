package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
)

// TestRestoreEmbedded drives `R` as a user would: s saves a snapshot, a key written afterwards
// shows in the Keys view, R and the typed word restore the snapshot into the embedded member,
// and the key is gone while the old data dir is kept beside the new one.
func TestRestoreEmbedded(t *testing.T) {
	t.Parallel()
	c, cli, ctx := consoleWithBackup(t, "/before-backup", "/after-backup")
	c.SendKeys("4")
	c.WaitFor("✓ sha256 ok", 30*time.Second)
	c.SendKeys("R")
	c.WaitFor("into the embedded member?", 5*time.Second)
	c.Type("restore")
	c.SendKeys("Enter")
	c.WaitFor("restored rev ", 60*time.Second)

	c.SendKeys("1")
	c.WaitFor("before-backup", 30*time.Second)
	c.WaitGone("after-backup", 10*time.Second)
	resp, err := cli.Get(ctx, "/after-backup")
	if err != nil || len(resp.Kvs) != 0 {
		t.Fatalf("/after-backup after the restore: %v %v, want gone", resp, err)
	}
	backups, _ := filepath.Glob(filepath.Join(c.home, "member.etcd.bak-*"))
	if len(backups) != 1 {
		t.Fatalf("old data dirs: %v, want one", backups)
	}
	if _, err := os.Stat(filepath.Join(backups[0], "member", "snap", "db")); err != nil {
		t.Fatalf("old data not kept: %v", err)
	}
	c.SendKeys("q")
	c.WaitFor("[exited 0]", 30*time.Second)
}

// TestOpenSnapshotReadOnly: o on a saved snapshot shows it in the Keys view with the status bar
// saying so; a key written after the backup is not there; esc goes back to the cluster.
func TestOpenSnapshotReadOnly(t *testing.T) {
	t.Parallel()
	c, _, _ := consoleWithBackup(t, "/in-backup", "/not-in-backup")
	c.SendKeys("4")
	c.WaitFor("✓ sha256 ok", 30*time.Second)
	c.SendKeys("o")
	screen := c.WaitFor("· read-only", 60*time.Second)
	if !strings.Contains(screen, "snapshot etcd-snapshot-") || !strings.Contains(screen, "[1 Keys]") {
		t.Fatalf("after o:\n%s", screen)
	}
	c.WaitFor("in-backup", 30*time.Second)
	if strings.Contains(c.Screen(), "not-in-backup") {
		t.Fatalf("the snapshot shows a key written after it:\n%s", c.Screen())
	}
	// 120 columns: the inspector previews the key beside the list; esc closes it first.
	c.WaitFor("Preview  /in-backup", 10*time.Second)
	c.SendKeys("Escape")
	c.WaitGone("Preview  /in-backup", 10*time.Second)
	c.SendKeys("Escape") // back where o was pressed, on the cluster
	c.WaitFor("embedded "+c.endpoint, 10*time.Second)
	c.WaitFor("[4 Snapshots]", 10*time.Second)
	c.SendKeys("1")
	c.WaitFor("not-in-backup", 30*time.Second)
	c.SendKeys("q")
	c.WaitFor("[exited 0]", 30*time.Second)
}

// consoleWithBackup starts the console on its embedded member, writes the key before, saves a
// snapshot with s, then writes the key after (so it is in the cluster but not in the backup).
// The client and its context stay usable until the test ends.
func consoleWithBackup(t *testing.T, before, after string) (*console, *clientv3.Client, context.Context) {
	t.Helper()
	bin := buildEtcdeck(t)
	c := startConsole(t, bin, 120, 35)
	c.WaitFor("embedded "+c.endpoint, startupTimeout)
	cli, err := clientv3.New(clientv3.Config{Endpoints: []string{c.endpoint}, DialTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cli.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	if _, err := cli.Put(ctx, before, "kept"); err != nil {
		t.Fatal(err)
	}
	c.WaitFor(strings.TrimPrefix(before, "/"), 10*time.Second)
	c.SendKeys("s")
	c.WaitFor("✓ snapshot: saved ", 30*time.Second)
	if _, err := cli.Put(ctx, after, "lost"); err != nil {
		t.Fatal(err)
	}
	c.WaitFor(strings.TrimPrefix(after, "/"), 10*time.Second)
	return c, cli, ctx
}
