package embednode_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.etcd.io/etcd/client/v3/snapshot"
	"go.uber.org/zap"

	"github.com/etcdeck/etcdeck/embednode"
	"github.com/etcdeck/etcdeck/embednode/nodetest"
)

// TestOpenSnapshotOfAuthEnabledCluster: a backup of a cluster with authentication on opens
// read-only and browses without a user (its throwaway copy has auth switched off); it said
// "user name is empty" before.
func TestOpenSnapshotOfAuthEnabledCluster(t *testing.T) {
	m := nodetest.Start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	c := client(t, m.ClientURLs)
	if _, err := c.Put(ctx, "/app/secret", "v"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.UserAdd(ctx, "root", "rootpw"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.UserGrantRole(ctx, "root", "root"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.AuthEnable(ctx); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "auth.db")
	if _, err := snapshot.SaveWithVersion(ctx, zap.NewNop(), clientv3.Config{Endpoints: m.ClientURLs, Username: "root", Password: "rootpw"}, path); err != nil {
		t.Fatalf("save: %v", err)
	}
	m.Close(10 * time.Second)

	o, err := embednode.OpenSnapshot(ctx, etcdeckBin, path, t.TempDir(), nil, nil)
	if err != nil {
		t.Fatalf("open a backup of an auth-enabled cluster: %v", err)
	}
	defer o.Close()
	resp, err := client(t, o.Endpoints()).Get(ctx, "/app/secret")
	if err != nil || len(resp.Kvs) != 1 || string(resp.Kvs[0].Value) != "v" {
		t.Fatalf("browsing the opened backup without a user: %v %v", resp, err)
	}
}
