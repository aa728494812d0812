package e2e

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/etcdeck/etcdeck/cluster/backup"
	"github.com/etcdeck/etcdeck/embednode/nodetest"
)

// TestRestoreAuthBackupEmbedded drives R of a backup whose cluster had authentication on: the
// question says the member will require a user and password, the console asks them (the password
// never on screen), restores, and goes on as root showing the backup's keys. The next etcdeck on
// that data dir without --user says the data has authentication on and how to start (not "user
// name is empty"); with --user and --password it connects and shows the keys.
func TestRestoreAuthBackupEmbedded(t *testing.T) {
	t.Parallel()
	bin := buildEtcdeck(t)
	backups := t.TempDir()
	data, err := os.ReadFile(nodetest.AuthBackup(t))
	if err != nil {
		t.Fatal(err)
	}
	name := backup.Name(0xa1, time.Date(2026, 12, 1, 3, 0, 0, 0, time.UTC), 17)
	if err := os.WriteFile(filepath.Join(backups, name), data, 0o600); err != nil {
		t.Fatal(err)
	}
	c := startConsole(t, bin, 120, 35, "--backup-dir", backups)
	c.WaitFor("embedded "+c.endpoint, startupTimeout)
	c.SendKeys("4")
	c.WaitFor("✓ sha256 ok", 30*time.Second)
	c.SendKeys("R")
	screen := c.WaitFor("into the embedded member?", 10*time.Second)
	if !strings.Contains(strings.Join(strings.Fields(screen), " "), "authentication on: the restored member will require a user and password") {
		t.Fatalf("R does not say the member will require a user and password:\n%s", screen)
	}
	c.Type("restore")
	c.SendKeys("Enter")
	c.WaitFor("user of the backup: root", 10*time.Second)
	c.SendKeys("Enter")
	c.WaitFor("password of root (not shown):", 10*time.Second)
	c.Type(nodetest.RootPassword)
	if strings.Contains(c.Screen(), nodetest.RootPassword) {
		t.Fatalf("the password shows:\n%s", c.Screen())
	}
	c.SendKeys("Enter")
	c.WaitFor("3 keys as root", 90*time.Second)
	c.SendKeys("1")
	c.WaitFor("other/", 30*time.Second)
	c.SendKeys("q")
	c.WaitFor("[exited 0]", 30*time.Second)
	c.Close()

	dataDir := filepath.Join(c.home, "member.etcd")
	argv := func(extra ...string) []string {
		return append([]string{bin, "--data-dir", dataDir, "--listen-client-urls", "http://" + c.endpoint,
			"--listen-peer-urls", "http://127.0.0.1:" + strconv.Itoa(nodetest.FreePort(t)), "--backup-dir", backups}, extra...)
	}
	// 400 columns: the message on one line, no word cut by the pane's wrap.
	without := Start(t, 400, 35, isolatedEnv(c.home), c.home, argv()...)
	screen = without.WaitFor("[exited 1]", startupTimeout)
	flat := strings.Join(strings.Fields(screen), " ")
	if !strings.Contains(flat, "has authentication on") || !strings.Contains(flat, "start etcdeck with --user NAME") || strings.Contains(flat, "user name is empty") {
		t.Fatalf("etcdeck on the auth data dir without --user:\n%s", screen)
	}
	without.Close()

	with := Start(t, 120, 35, isolatedEnv(c.home), c.home, argv("--user", "root", "--password", nodetest.RootPassword)...)
	with.WaitFor("embedded "+c.endpoint, startupTimeout)
	with.WaitFor("other/", 30*time.Second)
	with.SendKeys("q")
	with.WaitFor("[exited 0]", 30*time.Second)
}
