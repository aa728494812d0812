package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/etcdeck/etcdeck/embednode"
	"github.com/etcdeck/etcdeck/embednode/nodetest"
)

// TestConsoleOnAuthDataDir: etcdeck on an embedded data dir whose data has authentication on
// (a backup of such a cluster restored into it) says so and how to start, instead of the member's
// "user name is empty", and stops the member it started; with --user and a wrong password it
// says the authentication failed. (With the right ones it connects: e2e
// TestRestoreAuthBackupEmbedded.)
func TestConsoleOnAuthDataDir(t *testing.T) {
	cfg := nodetest.Config(t, "authdir")
	cfg.Logger = nil
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	c, err := embednode.Spawn(ctx, bin, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	nodetest.AuthUsers(t, c.Endpoints())
	if err := c.Stop(10 * time.Second); err != nil {
		t.Fatal(err)
	}
	args := []string{"--data-dir", cfg.DataDir, "--listen-client-urls", strings.Join(cfg.ListenClientURLs, ","),
		"--listen-peer-urls", strings.Join(cfg.ListenPeerURLs, ",")}
	code, _, stderr := etcdeck(t, args...)
	if code != 1 || !strings.Contains(stderr, "the embedded member's data ("+cfg.DataDir+") has authentication on") ||
		!strings.Contains(stderr, "start etcdeck with --user NAME") || strings.Contains(stderr, "user name is empty") {
		t.Fatalf("without --user: exit %d, stderr %q", code, stderr)
	}
	code, _, stderr = etcdeck(t, append(args, "--user", "root", "--password", "not-it")...)
	if code != 1 || !strings.Contains(stderr, "authentication failed for user root") {
		t.Fatalf("with a wrong password: exit %d, stderr %q", code, stderr)
	}
	// The member the refused console started is stopped: the data dir can be started again.
	c2, err := embednode.Spawn(ctx, bin, cfg, nil)
	if err != nil {
		t.Fatalf("the data dir after the refusals: %v", err)
	}
	c2.Stop(10 * time.Second)
}
