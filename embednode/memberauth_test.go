package embednode_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"

	"github.com/etcdeck/etcdeck/embednode"
	"github.com/etcdeck/etcdeck/embednode/nodetest"
)

// TestRestoreMemberAuthBackupWithCredentials: R of a backup of a cluster with authentication on,
// given its root user, restores it (refused before, whatever was given): the member answers root
// with the backup's keys and a request without a user with "user name is empty"; the result says
// authentication is on.
func TestRestoreMemberAuthBackupWithCredentials(t *testing.T) {
	file := nodetest.AuthBackup(t)
	cfg := nodetest.Config(t, "authrestore")
	cfg.Logger = nil
	c := spawn(t, cfg)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	if _, err := client(t, c.Endpoints()).Put(ctx, "/mine", "v"); err != nil {
		t.Fatal(err)
	}
	if on, err := c.AuthEnabled(ctx); err != nil || on {
		t.Fatalf("auth before the restore: %v %v, want off", on, err)
	}
	res, err := embednode.RestoreMember(ctx, etcdeckBin, c, embednode.MemberRestore{Snapshot: file, User: "root", Password: nodetest.RootPassword})
	if err != nil {
		t.Fatalf("restore with the backup's root: %v", err)
	}
	if !res.AuthEnabled || res.Keys != 3 || !strings.HasPrefix(res.String(), "restored rev 4, 3 keys as root (authentication is on: the member answers the backup's users only); the old data is in ") {
		t.Fatalf("result %+v: %s", res, res)
	}
	if on, err := c.AuthEnabled(ctx); err != nil || !on {
		t.Fatalf("auth after the restore: %v %v, want on", on, err)
	}
	root := nodetest.ClientAs(t, c.Endpoints(), "root", nodetest.RootPassword, nil)
	if resp, err := root.Get(ctx, "/other/secret"); err != nil || len(resp.Kvs) != 1 {
		t.Fatalf("the backup's key as root: %v %v", resp, err)
	}
	if resp, err := root.Get(ctx, "/mine"); err != nil || len(resp.Kvs) != 0 {
		t.Fatalf("/mine, written before the restore: %v %v, want gone", resp, err)
	}
	if _, err := nodetest.Client(t, c.Endpoints()).Get(ctx, "/app/a"); !errors.Is(err, rpctypes.ErrUserEmpty) {
		t.Fatalf("a request without a user after the restore: %v, want user name is empty", err)
	}
}

// TestRestoreMemberAuthBackupWrongPassword: the backup's root with a wrong password: the restored
// member refuses it, so the restore is rolled back — the old data is back, served without a user,
// and the error says the credentials were refused and that the member runs on its old data.
func TestRestoreMemberAuthBackupWrongPassword(t *testing.T) {
	file := nodetest.AuthBackup(t)
	cfg := nodetest.Config(t, "authwrong")
	cfg.Logger = nil
	c := spawn(t, cfg)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	if _, err := client(t, c.Endpoints()).Put(ctx, "/mine", "v"); err != nil {
		t.Fatal(err)
	}
	var steps []string
	_, err := embednode.RestoreMember(ctx, etcdeckBin, c, embednode.MemberRestore{Snapshot: file, User: "root", Password: "not-it",
		Step: func(s string) { steps = append(steps, s) }})
	if !errors.Is(err, embednode.ErrCredentialsRefused) {
		t.Fatalf("restore with a wrong password: %v, want the credentials refused", err)
	}
	for _, want := range []string{`user "root" or its password is wrong`, "the member runs on its old data again"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the error %q does not say %q", err, want)
		}
	}
	if got := strings.Join(steps, ","); got != "restoring,stopping,moved-aside,starting,checking" {
		t.Fatalf("steps %s", got)
	}
	if on, err := c.AuthEnabled(ctx); err != nil || on {
		t.Fatalf("auth after the rollback: %v %v, want off (the old data)", on, err)
	}
	if resp, err := client(t, c.Endpoints()).Get(ctx, "/mine"); err != nil || len(resp.Kvs) != 1 {
		t.Fatalf("the old data after the rollback: %v %v, want /mine", resp, err)
	}
	if backups, _ := filepath.Glob(cfg.DataDir + embednode.BackupSuffix + "*"); len(backups) != 0 {
		t.Fatalf("the old data was not put back: %v", backups)
	}
	if failed, _ := filepath.Glob(cfg.DataDir + ".restore-failed-*"); len(failed) != 1 {
		t.Fatalf("the refused restore is not kept aside: %v", failed)
	}
}

// TestSnapshotStatusSaysAuth: the status read in a child says whether the backup's cluster had
// authentication on, which R says before restoring.
func TestSnapshotStatusSaysAuth(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	st, err := embednode.SnapshotStatusInChild(ctx, etcdeckBin, nodetest.AuthBackup(t))
	if err != nil || st.Error != "" || st.Auth != embednode.AuthOn {
		t.Fatalf("status of an auth-enabled backup: %+v %v, want auth on", st, err)
	}
	_, plain := memberWithSnapshot(t, nodetest.Config(t, "plain"))
	st, err = embednode.SnapshotStatusInChild(ctx, etcdeckBin, plain)
	if err != nil || st.Auth != embednode.AuthOff {
		t.Fatalf("status of a backup without auth: %+v %v, want auth off", st, err)
	}
}

// TestStatusCacheRereadsWithoutAuth: a status cached by an etcdeck that did not read
// authentication is read again (R must know), one that could not read the database is not.
func TestStatusCacheRereadsWithoutAuth(t *testing.T) {
	c := embednode.OpenStatusCache("")
	now := time.Now()
	c.Put("/old", 100, now, embednode.SnapshotStatus{Path: "/old", SHA256: embednode.SHA256OK, Revision: 5})
	if _, ok := c.Get("/old", 100, now); ok {
		t.Fatal("a status without auth was taken from the cache")
	}
	c.Put("/new", 100, now, embednode.SnapshotStatus{Path: "/new", SHA256: embednode.SHA256OK, Revision: 5, Auth: embednode.AuthOff})
	c.Put("/bad", 100, now, embednode.SnapshotStatus{Path: "/bad", Error: "truncated"})
	for _, p := range []string{"/new", "/bad"} {
		if _, ok := c.Get(p, 100, now); !ok {
			t.Fatalf("%s: not taken from the cache", p)
		}
	}
}

// TestRestoreMemberAuthBackupLimitedUser: a user of the backup that may read only /app/ proves
// the restored member answers it (authenticated, Status answers): the restore stands, its keys
// are not counted, and the report says so instead of a wrong count.
func TestRestoreMemberAuthBackupLimitedUser(t *testing.T) {
	file := nodetest.AuthBackup(t)
	cfg := nodetest.Config(t, "authreader")
	cfg.Logger = nil
	c := spawn(t, cfg)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	res, err := embednode.RestoreMember(ctx, etcdeckBin, c, embednode.MemberRestore{Snapshot: file, User: "reader", Password: nodetest.ReaderPassword})
	if err != nil {
		t.Fatalf("restore checked as reader: %v", err)
	}
	if res.Keys != -1 || res.Revision < 1 || !strings.HasPrefix(res.String(), "restored rev ") ||
		!strings.Contains(res.String(), "keys not counted (the user may not read them all) as reader (authentication is on") {
		t.Fatalf("result %+v: %s", res, res)
	}
	reader := nodetest.ClientAs(t, c.Endpoints(), "reader", nodetest.ReaderPassword, nil)
	if resp, err := reader.Get(ctx, "/app/a"); err != nil || len(resp.Kvs) != 1 {
		t.Fatalf("/app/a as reader after the restore: %v %v", resp, err)
	}
}
