package cluster_test

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/embednode/nodetest"
)

// writeClient connects to a fresh member with opts.
func writeClient(t *testing.T, opts ...cluster.Option) (*cluster.Client, []string) {
	t.Helper()
	m := nodetest.Start(t)
	return optClient(t, cluster.ConnConfig{Endpoints: m.Endpoints(), InsecureTransport: true}, opts...), m.Endpoints()
}

func optClient(t *testing.T, conf cluster.ConnConfig, opts ...cluster.Option) *cluster.Client {
	t.Helper()
	conf.DialTimeout, conf.CommandTimeout = 2*time.Second, 3*time.Second
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := cluster.Connect(ctx, conf, nil, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func TestPutCreateOnlyAndCompareAndSwap(t *testing.T) {
	c, _ := writeClient(t)
	ctx := context.Background()
	rev, err := c.Put(ctx, "/k", []byte("one"), cluster.PutOptions{CreateOnly: true})
	if err != nil || rev < 2 {
		t.Fatalf("create = %d, %v", rev, err)
	}
	if _, err := c.Put(ctx, "/k", []byte("again"), cluster.PutOptions{CreateOnly: true}); !errors.Is(err, cluster.ErrExists) {
		t.Fatalf("second create: err = %v, want ErrExists", err)
	}
	rev2, err := c.Put(ctx, "/k", []byte("two"), cluster.PutOptions{ModRev: rev})
	if err != nil || rev2 != rev+1 {
		t.Fatalf("CAS at the read revision = %d, %v; want %d", rev2, err, rev+1)
	}
	// The edit was made on "one" at rev; the key is at rev2 now.
	_, err = c.Put(ctx, "/k", []byte("stale"), cluster.PutOptions{ModRev: rev})
	var ce *cluster.ConflictError
	if !errors.As(err, &ce) || ce.Key != "/k" || ce.Expected != rev || ce.Current == nil ||
		ce.Current.ModRevision != rev2 || string(ce.Current.Value) != "two" {
		t.Fatalf("stale CAS: err = %v (%+v), want a conflict showing rev %d with value two", err, ce, rev2)
	}
	if kv, err := c.Get(ctx, "/k", 0); err != nil || string(kv.Value) != "two" || kv.Version != 2 {
		t.Fatalf("after the conflict: %+v, %v; want two, version 2", kv, err)
	}
	if _, err := c.Put(ctx, "/k", nil, cluster.PutOptions{CreateOnly: true, ModRev: rev}); err == nil {
		t.Fatal("create-only with a mod revision was accepted")
	}
	if _, err := c.Delete(ctx, "/k", 0); err != nil {
		t.Fatal(err)
	}
	_, err = c.Put(ctx, "/k", []byte("x"), cluster.PutOptions{ModRev: rev2})
	if !errors.As(err, &ce) || ce.Current != nil {
		t.Fatalf("CAS on a deleted key: err = %v, want a conflict with Current nil", err)
	}
}

func TestDeleteCompareAndSwapAndPrefix(t *testing.T) {
	c, _ := writeClient(t)
	ctx := context.Background()
	rev, _ := c.Put(ctx, "/d/a", []byte("1"), cluster.PutOptions{})
	rev2, _ := c.Put(ctx, "/d/a", []byte("2"), cluster.PutOptions{})
	var ce *cluster.ConflictError
	if _, err := c.Delete(ctx, "/d/a", rev); !errors.As(err, &ce) || ce.Current.ModRevision != rev2 {
		t.Fatalf("stale delete: err = %v, want a conflict at %d", err, rev2)
	}
	if got, err := c.Delete(ctx, "/d/a", rev2); err != nil || got != rev2+1 {
		t.Fatalf("delete = %d, %v; want %d", got, err, rev2+1)
	}
	if _, err := c.Delete(ctx, "/d/a", 0); !errors.Is(err, cluster.ErrNotFound) {
		t.Fatalf("delete of a missing key: err = %v, want ErrNotFound", err)
	}

	for _, k := range []string{"/pods/a", "/pods/b", "/pods/c/d", "/podsecurity/x", "/other"} {
		c.Put(ctx, k, []byte("v"), cluster.PutOptions{})
	}
	if n, err := c.CountPrefix(ctx, "/pods/", 0); err != nil || n != 3 {
		t.Fatalf("count = %d, %v; want 3", n, err)
	}
	n, rev, err := c.DeletePrefix(ctx, "/pods/")
	if err != nil || n != 3 || rev == 0 {
		t.Fatalf("delete-prefix = %d at %d, %v; want 3", n, rev, err)
	}
	if n, _ := c.CountPrefix(ctx, "", 0); n != 2 {
		t.Fatalf("%d keys left, want /podsecurity/x and /other", n)
	}
	if _, _, err := c.DeletePrefix(ctx, ""); err == nil {
		t.Fatal("an empty prefix was accepted")
	}
	if n, _ := c.CountPrefix(ctx, "", 0); n != 2 {
		t.Fatalf("the refused empty prefix deleted keys: %d left", n)
	}
}

func TestLeaseGrantKeepAndRevoke(t *testing.T) {
	c, _ := writeClient(t)
	ctx := context.Background()
	id, err := c.GrantLease(ctx, 59500*time.Millisecond)
	if err != nil || id == 0 {
		t.Fatalf("grant = %x, %v", id, err)
	}
	rev, err := c.Put(ctx, "/l", []byte("v1"), cluster.PutOptions{CreateOnly: true, Lease: id})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Put(ctx, "/l", []byte("v2"), cluster.PutOptions{ModRev: rev, KeepLease: true}); err != nil {
		t.Fatal(err)
	}
	if kv, err := c.Get(ctx, "/l", 0); err != nil || kv.Lease != id || string(kv.Value) != "v2" {
		t.Fatalf("after a keep-lease edit: %+v, %v; want lease %x", kv, err, id)
	}
	if left, err := c.LeaseTTL(ctx, id); err != nil || left < 50*time.Second || left > 60*time.Second {
		t.Fatalf("lease TTL = %v, %v; want 60s rounded up from 59.5s, less the time passed", left, err)
	}
	if _, err := c.Put(ctx, "/l", []byte("v3"), cluster.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	if kv, _ := c.Get(ctx, "/l", 0); kv.Lease != 0 {
		t.Fatalf("a plain put kept lease %x; etcd detaches it", kv.Lease)
	}
	c.Put(ctx, "/l2", []byte("x"), cluster.PutOptions{Lease: id})
	if _, err := c.RevokeLease(ctx, id); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Get(ctx, "/l2", 0); !errors.Is(err, cluster.ErrNotFound) {
		t.Fatalf("key of a revoked lease: err = %v, want ErrNotFound", err)
	}
	if _, err := c.LeaseTTL(ctx, id); !errors.Is(err, cluster.ErrNotFound) {
		t.Fatalf("TTL of a revoked lease: err = %v, want ErrNotFound", err)
	}
	if _, err := c.Put(ctx, "/nokey", []byte("x"), cluster.PutOptions{KeepLease: true}); err == nil {
		t.Fatal("keep-lease on a missing key succeeded")
	}
}

func TestMaintenanceAndCompactionErrors(t *testing.T) {
	c, eps := writeClient(t)
	ctx := context.Background()
	old, _ := c.Put(ctx, "/m", []byte("1"), cluster.PutOptions{})
	now, _ := c.Put(ctx, "/m", []byte("2"), cluster.PutOptions{})
	if _, err := c.Compact(ctx, now, true); err != nil {
		t.Fatal(err)
	}
	_, err := c.Get(ctx, "/m", old)
	if !errors.Is(err, rpctypes.ErrCompacted) || !cluster.IsCompacted(err) {
		t.Fatalf("get at a compacted revision: err = %v (%T), want errors.Is rpctypes.ErrCompacted", err, err)
	}
	if err.Error() != "that revision has been compacted" {
		t.Fatalf("explained as %q", err)
	}
	if _, err := c.CountPrefix(ctx, "/", old); !cluster.IsCompacted(err) {
		t.Fatalf("count at a compacted revision: %v", err)
	}
	if err := c.Defragment(ctx, eps[0]); err != nil {
		t.Fatal(err)
	}
	if a, err := c.AlarmDisarm(ctx); err != nil || len(a) != 0 {
		t.Fatalf("disarm with no alarm = %v, %v", a, err)
	}
	if a, err := c.Alarms(ctx); err != nil || len(a) != 0 {
		t.Fatalf("alarms = %v, %v", a, err)
	}
	if kv, _ := c.Get(ctx, "/m", 0); kv == nil || !bytes.Equal(kv.Value, []byte("2")) {
		t.Fatalf("after defragment: %+v", kv)
	}
}

func TestExplainKeepsTheCause(t *testing.T) {
	c, _ := writeClient(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Nanosecond)
	defer cancel()
	time.Sleep(time.Millisecond)
	_, err := c.Get(ctx, "/x", 0)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want errors.Is context.DeadlineExceeded", err)
	}
	for _, tt := range []struct {
		in   error
		want error
		text string
	}{
		{rpctypes.ErrGRPCCompacted, rpctypes.ErrCompacted, "that revision has been compacted"},
		{rpctypes.ErrGRPCPermissionDenied, rpctypes.ErrPermissionDenied, "permission denied: the user's roles do not allow this"},
		{rpctypes.ErrGRPCNoSpace, rpctypes.ErrNoSpace, "the database is full (NOSPACE alarm): compact, defragment and disarm"},
		{context.Canceled, context.Canceled, "cancelled"},
	} {
		got := cluster.Explain(tt.in)
		if !errors.Is(got, tt.want) || !errors.Is(got, tt.in) || got.Error() != tt.text {
			t.Errorf("Explain(%v) = %q; want %q that errors.Is finds %v", tt.in, got, tt.text, tt.want)
		}
	}
	if cluster.IsCompacted(errors.New("the key /compacted/x is missing")) {
		t.Error("IsCompacted matched the word in an unrelated error")
	}
}
