package nodetest

import (
	"context"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
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
