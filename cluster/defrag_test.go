package cluster_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/embednode"
	"github.com/etcdeck/etcdeck/embednode/nodetest"
)

func TestDefragRuleVerdict(t *testing.T) {
	const mib = 1 << 20
	for _, tc := range []struct {
		name  string
		rule  cluster.DefragRule
		sizes cluster.MemberSizes
		want  bool
	}{
		{"no rule takes every member", cluster.DefragRule{}, cluster.MemberSizes{DBSize: mib, InUse: mib}, true},
		{"free above threshold", cluster.DefragRule{FreeBytes: 10 * mib}, cluster.MemberSizes{DBSize: 30 * mib, InUse: 5 * mib}, true},
		{"free at threshold", cluster.DefragRule{FreeBytes: 10 * mib}, cluster.MemberSizes{DBSize: 15 * mib, InUse: 5 * mib}, false},
		{"db above share of quota", cluster.DefragRule{QuotaShare: 0.8}, cluster.MemberSizes{DBSize: 90 * mib, InUse: 89 * mib, Quota: 100 * mib}, true},
		{"db below share of quota", cluster.DefragRule{QuotaShare: 0.8}, cluster.MemberSizes{DBSize: 70 * mib, InUse: 10 * mib, Quota: 100 * mib}, false},
		{"either test", cluster.DefragRule{FreeBytes: 100 * mib, QuotaShare: 0.5}, cluster.MemberSizes{DBSize: 60 * mib, InUse: 59 * mib, Quota: 100 * mib}, true},
		{"in use above size (racing status)", cluster.DefragRule{FreeBytes: 1}, cluster.MemberSizes{DBSize: mib, InUse: 2 * mib}, false},
	} {
		got, why := tc.rule.Verdict(tc.sizes)
		if got != tc.want || why == "" {
			t.Errorf("%s: Verdict = %v %q, want %v and a reason", tc.name, got, why, tc.want)
		}
	}
	if s := (cluster.DefragRule{FreeBytes: 100 << 20, QuotaShare: 0.8}).String(); s != "free space above 100.0 MiB or database above 80% of the quota" {
		t.Errorf("rule in words: %q", s)
	}
}

// TestDefragClusterRecoversNospace fills a three-member cluster with a 4 MiB quota until etcd
// raises NOSPACE, then does what the maintenance guide says: the health check lets NOSPACE
// through, the defragment compacts first, takes the followers then the leader (one at a
// time), shrinks every database, and disarming the alarm brings writes back. Every step is
// audited. Then a member stops: the health check refuses before anything is defragmented.
func TestDefragClusterRecoversNospace(t *testing.T) {
	t.Parallel()
	members := nodetest.StartClusterWith(t, 3, func(c *embednode.Config) { c.QuotaBackendBytes = 4 << 20 })
	path := filepath.Join(t.TempDir(), cluster.AuditFile)
	audit, err := cluster.OpenAudit(path)
	if err != nil {
		t.Fatal(err)
	}
	defer audit.Close()
	c := optClient(t, cluster.ConnConfig{Endpoints: nodetest.Endpoints(members...), InsecureTransport: true}, cluster.WithAudit(audit))
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	val := bytes.Repeat([]byte("x"), 256<<10)
	for i := 0; ; i++ {
		if _, err := c.Put(ctx, "/big", val, cluster.PutOptions{}); err != nil {
			t.Logf("put %d: %v", i, err)
			break
		}
		if i > 100 {
			t.Fatal("100 puts of 256 KiB fit in a 4 MiB quota")
		}
	}
	alarms, err := c.Alarms(ctx)
	if err != nil || len(alarms) == 0 || alarms[0].Kind != "NOSPACE" {
		t.Fatalf("alarms after filling the quota: %v, %v", alarms, err)
	}

	var steps []string
	rep, err := c.DefragCluster(ctx, cluster.DefragOptions{Compact: true, Step: func(s string) { steps = append(steps, s) }})
	if err != nil {
		t.Fatalf("defragment with NOSPACE raised: %v (steps %q)", err, steps)
	}
	if rep.Compacted == 0 || len(rep.Members) != 3 {
		t.Fatalf("report %+v", rep)
	}
	leader := leaderID(t, c, members)
	for i, m := range rep.Members {
		if m.Err != nil || m.Skipped != "" {
			t.Errorf("%s: err %v skipped %q", m.Name, m.Err, m.Skipped)
		}
		if m.After.DBSize >= m.Before.DBSize {
			t.Errorf("%s: %s before, %s after: not smaller", m.Name, m.Before, m.After)
		}
		if wantLeader := i == len(rep.Members)-1; (m.ID == leader) != wantLeader {
			t.Errorf("member %d of the order is %s (leader %v): the leader goes last", i, m.Name, m.ID == leader)
		}
	}
	if _, err := c.DisarmAlarms(ctx, "NOSPACE"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Put(ctx, "/after", []byte("ok"), cluster.PutOptions{}); err != nil {
		t.Fatalf("put after recovery: %v", err)
	}
	counts := map[string]int{}
	for _, l := range readAudit(t, path) {
		if l.Result == "ok" {
			counts[l.Action]++
		}
	}
	if counts["compact"] != 1 || counts["defragment"] != 3 || counts["alarm-disarm"] != 1 {
		t.Errorf("audited ok: %v, want 1 compact, 3 defragment, 1 alarm-disarm", counts)
	}

	// A follower stops: nothing is defragmented.
	stopped := false
	for _, m := range members {
		if m.Endpoints()[0] == rep.Members[0].Endpoint {
			m.Close(10 * time.Second)
			stopped = true
		}
	}
	if !stopped {
		t.Fatalf("no member serves %s", rep.Members[0].Endpoint)
	}
	before := len(readAudit(t, path))
	_, err = c.DefragCluster(ctx, cluster.DefragOptions{})
	if !errors.Is(err, cluster.ErrUnhealthy) {
		t.Fatalf("defragment with a member down: %v, want ErrUnhealthy", err)
	}
	if lines := readAudit(t, path); len(lines) != before {
		t.Errorf("the refused defragment wrote %d audit line(s): %+v", len(lines)-before, lines[before:])
	}
}

// TestDefragWaitsForSlowCompaction: with one member that compacts slowly (a busy disk, a loaded
// machine: here 50 revisions a batch, 100 ms between batches) and the compaction served by
// another, each member is defragmented only once its own compaction is done, so every database
// shrinks. Before, the slow member was defragmented half-compacted and kept its size.
func TestDefragWaitsForSlowCompaction(t *testing.T) {
	t.Parallel()
	n := 0
	members := nodetest.StartClusterWith(t, 3, func(c *embednode.Config) {
		if n++; n == 2 {
			c.CompactionBatchLimit, c.CompactionSleepInterval = 50, 100*time.Millisecond
		}
	})
	// The client knows the first member only: the compaction is served by it, and the plan
	// takes every member from the member list.
	c := optClient(t, cluster.ConnConfig{Endpoints: members[0].Endpoints(), InsecureTransport: true})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	raw := nodetest.Client(t, members[0].Endpoints())
	val := string(bytes.Repeat([]byte("x"), 4<<10))
	for i := 0; i < 100; i++ { // 2,000 revisions of 4 KiB to compact away: ~4 s on the slow member
		var ops []clientv3.Op
		for k := 0; k < 20; k++ {
			ops = append(ops, clientv3.OpPut(fmt.Sprintf("/k%02d", k), val))
		}
		if _, err := raw.Txn(ctx).Then(ops...).Commit(); err != nil {
			t.Fatal(err)
		}
	}
	waitDBSize(t, raw, nodetest.Endpoints(members...), 4<<20)
	rep, err := c.DefragCluster(ctx, cluster.DefragOptions{Compact: true})
	if err != nil {
		t.Fatalf("defragment: %v", err)
	}
	for _, m := range rep.Members {
		if m.Err != nil || m.After.DBSize*2 > m.Before.DBSize {
			t.Errorf("%s: %s before, %s after (err %v): want it at most half", m.Name, m.Before, m.After, m.Err)
		}
	}
}

func TestDefragClusterReadOnly(t *testing.T) {
	path := filepath.Join(t.TempDir(), cluster.AuditFile)
	audit, err := cluster.OpenAudit(path)
	if err != nil {
		t.Fatal(err)
	}
	defer audit.Close()
	c, _ := writeClient(t, cluster.WithReadOnly(true), cluster.WithAudit(audit))
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // any RPC would fail: ErrReadOnly proves the refusal came first
	if _, err := c.DefragCluster(ctx, cluster.DefragOptions{}); !errors.Is(err, cluster.ErrReadOnly) {
		t.Fatalf("read-only defragment: %v", err)
	}
	if _, err := c.DisarmAlarms(ctx, "NOSPACE"); !errors.Is(err, cluster.ErrReadOnly) {
		t.Fatalf("read-only disarm: %v", err)
	}
	lines := readAudit(t, path)
	if len(lines) != 2 || lines[0].Action != "defragment" || lines[1].Action != "alarm-disarm" ||
		!strings.HasPrefix(lines[0].Result, "refused") || !strings.HasPrefix(lines[1].Result, "refused") {
		t.Fatalf("audit %+v", lines)
	}
	// A dry run changes nothing, so it is allowed.
	rep, err := c.DefragCluster(context.Background(), cluster.DefragOptions{DryRun: true})
	if err != nil || len(rep.Members) != 1 || rep.Members[0].Skipped != "dry run" {
		t.Fatalf("dry run: %+v, %v", rep, err)
	}
}

// leaderID asks the members who leads.
func leaderID(t *testing.T, c *cluster.Client, members []*embednode.Member) uint64 {
	t.Helper()
	st, err := c.EndpointStatus(context.Background(), members[0].Endpoints()[0])
	if err != nil {
		t.Fatal(err)
	}
	return st.Leader
}

// TestDefragCompactEtcd34: on Debian's etcd 3.4 the defragment after a compaction works the
// same: the compaction sent again to the member before its defragment answers "already
// compacted" once it is done, and the database shrinks.
func TestDefragCompactEtcd34(t *testing.T) {
	t.Parallel()
	ep := nodetest.StartEtcd34(t)
	c := optClient(t, cluster.ConnConfig{Endpoints: []string{ep}, InsecureTransport: true})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	raw := nodetest.Client(t, []string{ep})
	val := string(bytes.Repeat([]byte("x"), 4<<10))
	for i := 0; i < 50; i++ {
		var ops []clientv3.Op
		for k := 0; k < 20; k++ {
			ops = append(ops, clientv3.OpPut(fmt.Sprintf("/k%02d", k), val))
		}
		if _, err := raw.Txn(ctx).Then(ops...).Commit(); err != nil {
			t.Fatal(err)
		}
	}
	waitDBSize(t, raw, []string{ep}, 2<<20)
	rep, err := c.DefragCluster(ctx, cluster.DefragOptions{Compact: true})
	if err != nil {
		t.Fatalf("defragment: %v", err)
	}
	if len(rep.Members) != 1 || rep.Compacted == 0 {
		t.Fatalf("report %+v", rep)
	}
	if m := rep.Members[0]; m.Err != nil || m.After.DBSize*2 > m.Before.DBSize {
		t.Errorf("%s before, %s after (err %v): want it at most half", m.Before, m.After, m.Err)
	}
}

// waitDBSize waits until every member's database file is past min bytes: etcd grows the file
// when its batch commits (every 100 ms), and a defragment's "before" must include what was
// just written.
func waitDBSize(t *testing.T, raw *clientv3.Client, eps []string, min int64) {
	t.Helper()
	for _, ep := range eps {
		for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(100 * time.Millisecond) {
			st, err := raw.Status(context.Background(), ep)
			if err == nil && st.DbSize > min {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: the database did not grow past %d bytes: %v, %v", ep, min, st, err)
			}
		}
	}
}
