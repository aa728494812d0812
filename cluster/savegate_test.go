package cluster_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/etcdeck/etcdeck/cluster"
)

// TestSaveBackupGate: a save through the gate is one audit line naming the file written (the
// directory when none was) and its result; a read-only client refuses before do runs, audited.
func TestSaveBackupGate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state", cluster.AuditFile)
	audit, err := cluster.OpenAudit(path)
	if err != nil {
		t.Fatal(err)
	}
	defer audit.Close()
	c, eps := writeClient(t, cluster.WithAudit(audit))
	ctx := context.Background()
	got, err := c.SaveBackup(ctx, "usage-snapshot", "/backups", func(context.Context) (string, int64, error) {
		return "/backups/etcd-snapshot-1.db", 7, nil
	})
	if got != "/backups/etcd-snapshot-1.db" || err != nil {
		t.Fatalf("SaveBackup = %q, %v", got, err)
	}
	failed := errors.New("no space left on device")
	if _, err := c.SaveBackup(ctx, "usage-snapshot", "/backups", func(context.Context) (string, int64, error) { return "", 0, failed }); !errors.Is(err, failed) {
		t.Fatalf("err = %v", err)
	}
	roAudit, err := cluster.OpenAudit(filepath.Join(t.TempDir(), cluster.AuditFile))
	if err != nil {
		t.Fatal(err)
	}
	defer roAudit.Close()
	ro := optClient(t, cluster.ConnConfig{Endpoints: eps, InsecureTransport: true}, cluster.WithReadOnly(true), cluster.WithAudit(roAudit))
	ran := false
	if _, err := ro.SaveBackup(ctx, "usage-snapshot", "/backups", func(context.Context) (string, int64, error) {
		ran = true
		return "", 0, nil
	}); !errors.Is(err, cluster.ErrReadOnly) || ran {
		t.Fatalf("read-only: err %v, do ran %v", err, ran)
	}
	lines := readAudit(t, path)
	if len(lines) != 2 || lines[0].Action != "usage-snapshot" || lines[0].Target != "/backups/etcd-snapshot-1.db" || lines[0].NewRev != 7 ||
		lines[0].Result != "ok" || lines[1].Target != "/backups" || lines[1].Result != failed.Error() {
		t.Fatalf("audit lines %+v", lines)
	}
	if ro := readAudit(t, roAudit.Path()); len(ro) != 1 || ro[0].Result != "refused: read-only" || ro[0].Target != "/backups" {
		t.Fatalf("read-only audit %+v", ro)
	}
}
