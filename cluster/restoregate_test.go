package cluster_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/etcdeck/etcdeck/cluster"
)

// TestRestoreAudited: a restore through the gate is one audit line with the file, the revision
// after and the result, for a success and a failure alike; do gets the caller's context as is.
func TestRestoreAudited(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state", cluster.AuditFile)
	audit, err := cluster.OpenAudit(path)
	if err != nil {
		t.Fatal(err)
	}
	defer audit.Close()
	c, _ := writeClient(t, cluster.WithAudit(audit))
	type key struct{}
	ctx := context.WithValue(context.Background(), key{}, "mine")
	rev, err := c.Restore(ctx, "/backups/a.db", func(got context.Context) (int64, error) {
		if _, has := got.Deadline(); has || got.Value(key{}) != "mine" {
			t.Error("do did not get the caller's context as is")
		}
		return 42, nil
	})
	if rev != 42 || err != nil {
		t.Fatalf("Restore = %d, %v", rev, err)
	}
	failed := errors.New("hash mismatch: the file is corrupt or truncated")
	if _, err := c.Restore(ctx, "/backups/b.db", func(context.Context) (int64, error) { return 0, failed }); !errors.Is(err, failed) {
		t.Fatalf("err = %v", err)
	}
	lines := readAudit(t, path)
	if len(lines) != 2 || lines[0].Action != "restore" || lines[0].Target != "/backups/a.db" || lines[0].NewRev != 42 || lines[0].Result != "ok" ||
		lines[1].Target != "/backups/b.db" || lines[1].Result != failed.Error() {
		t.Fatalf("audit lines %+v", lines)
	}
}
