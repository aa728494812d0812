package nodetest

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.etcd.io/etcd/client/v3/snapshot"
	"go.uber.org/zap"
)

// The users AuthUsers creates, with their passwords.
const (
	RootPassword   = "root-pw"
	ReaderPassword = "reader-pw"
	WriterPassword = "writer-pw"
)

// AuthUsers seeds keys and turns authentication on at endpoints, with the users issue 20's tests
// name: root (role root), reader (role app-reader: read /app/) and writer (role app-writer:
// readwrite /app/w/). Keys: /app/a, /app/w/x, /other/secret. It returns a client as root.
func AuthUsers(t testing.TB, endpoints []string) *clientv3.Client {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	e := Client(t, endpoints)
	steps := []func() error{
		func() error { _, err := e.Put(ctx, "/app/a", "1"); return err },
		func() error { _, err := e.Put(ctx, "/app/w/x", "2"); return err },
		func() error { _, err := e.Put(ctx, "/other/secret", "3"); return err },
		func() error { _, err := e.RoleAdd(ctx, "app-reader"); return err },
		func() error {
			_, err := e.RoleGrantPermission(ctx, "app-reader", "/app/", clientv3.GetPrefixRangeEnd("/app/"), clientv3.PermissionType(clientv3.PermRead))
			return err
		},
		func() error { _, err := e.RoleAdd(ctx, "app-writer"); return err },
		func() error {
			_, err := e.RoleGrantPermission(ctx, "app-writer", "/app/w/", clientv3.GetPrefixRangeEnd("/app/w/"), clientv3.PermissionType(clientv3.PermReadWrite))
			return err
		},
		func() error { _, err := e.UserAdd(ctx, "reader", ReaderPassword); return err },
		func() error { _, err := e.UserGrantRole(ctx, "reader", "app-reader"); return err },
		func() error { _, err := e.UserAdd(ctx, "writer", WriterPassword); return err },
		func() error { _, err := e.UserGrantRole(ctx, "writer", "app-writer"); return err },
		func() error { _, err := e.UserAdd(ctx, "root", RootPassword); return err },
		func() error { _, err := e.UserGrantRole(ctx, "root", "root"); return err },
		func() error { _, err := e.AuthEnable(ctx); return err },
	}
	for _, step := range steps {
		if err := step(); err != nil {
			t.Fatalf("set up auth: %v", err)
		}
	}
	return ClientAs(t, endpoints, "root", RootPassword, nil)
}

// AuthBackup is a snapshot file of a cluster with authentication on (AuthUsers' users and keys),
// taken as root from a member started for it and stopped: what `R` of such a backup restores.
func AuthBackup(t testing.TB) string {
	t.Helper()
	m := Start(t)
	AuthUsers(t, m.Endpoints())
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	file := filepath.Join(t.TempDir(), "auth.db")
	if _, err := snapshot.SaveWithVersion(ctx, zap.NewNop(), clientv3.Config{Endpoints: m.Endpoints(), Username: "root", Password: RootPassword,
		DialTimeout: 5 * time.Second, Logger: zap.NewNop()}, file); err != nil {
		t.Fatalf("save the auth-enabled backup: %v", err)
	}
	m.Close(10 * time.Second)
	return file
}
