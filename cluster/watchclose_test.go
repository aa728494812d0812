package cluster_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/embednode/nodetest"
)

// watchedMember starts a member with a client holding two open watches on it (the Watch view's
// and the Keys view's live directory), both confirmed live.
func watchedMember(t *testing.T, opts ...cluster.Option) (*cluster.Client, func(time.Duration)) {
	t.Helper()
	m := nodetest.Start(t)
	c := optClient(t, cluster.ConnConfig{Endpoints: m.Endpoints(), InsecureTransport: true}, opts...)
	for _, prefix := range []string{"/", "/dir/"} {
		w := c.Watch(context.Background(), prefix, cluster.WatchOptions{Prefix: true})
		t.Cleanup(w.Close)
	}
	if n := c.OpenWatches(); n != 2 {
		t.Fatalf("%d watches open, want 2", n)
	}
	if _, err := nodetest.Client(t, m.Endpoints()).Put(context.Background(), "/dir/a", "1"); err != nil {
		t.Fatal(err)
	}
	return c, m.Close
}

// A restore ends the client's watch streams before do (which stops the member) runs: the
// streams held up etcd's graceful stop. The stop's time with and without them is logged.
func TestRestoreClosesWatchesFirst(t *testing.T) {
	t.Parallel()
	audit, err := cluster.OpenAudit(filepath.Join(t.TempDir(), cluster.AuditFile))
	if err != nil {
		t.Fatal(err)
	}
	defer audit.Close()

	// Before: the member stopped under open watch streams (what R did).
	_, stop := watchedMember(t)
	start := time.Now()
	stop(30 * time.Second)
	t.Logf("member stop with the console's watches open: %s", time.Since(start).Round(time.Millisecond))

	// After: through Restore, which closes them first.
	c, stop := watchedMember(t, cluster.WithAudit(audit))
	var openAtStop int
	var took time.Duration
	if _, err := c.Restore(context.Background(), "/backups/a.db", func(context.Context) (int64, error) {
		openAtStop = c.OpenWatches()
		start := time.Now()
		stop(30 * time.Second)
		took = time.Since(start)
		return 1, nil
	}); err != nil {
		t.Fatal(err)
	}
	t.Logf("member stop after Restore closed the watches: %s", took.Round(time.Millisecond))
	if openAtStop != 0 {
		t.Fatalf("%d watch streams still open when the member was stopped", openAtStop)
	}
}
