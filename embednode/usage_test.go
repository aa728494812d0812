package embednode_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
	"go.etcd.io/etcd/api/v3/mvccpb"
	clientv3 "go.etcd.io/etcd/client/v3"
	"google.golang.org/protobuf/proto"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/cluster/backup"
	"github.com/etcdeck/etcdeck/embednode"
	"github.com/etcdeck/etcdeck/embednode/nodetest"
)

// usageCluster fills a member: /heavy/k overwritten 400 times, 40 keys of 300 bytes under /big/
// (one deleted), three keys under /leased/ on one lease. It returns the client and a saver.
func usageCluster(t *testing.T) (*clientv3.Client, func() string) {
	t.Helper()
	m := nodetest.Start(t)
	cli := nodetest.Client(t, m.Endpoints())
	ctx := context.Background()
	put := func(k, v string, opts ...clientv3.OpOption) {
		if _, err := cli.Put(ctx, k, v, opts...); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < 400; i++ {
		put("/heavy/k", fmt.Sprintf("%0100d", i))
	}
	for i := 0; i < 40; i++ {
		put(fmt.Sprintf("/big/%02d", i), strings.Repeat("b", 300))
	}
	if _, err := cli.Delete(ctx, "/big/00"); err != nil {
		t.Fatal(err)
	}
	lease, err := cli.Grant(ctx, 600)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		put(fmt.Sprintf("/leased/%d", i), "x", clientv3.WithLease(lease.ID))
	}
	put("/top", "a key at depth 0")
	c, err := cluster.Connect(ctx, cluster.ConnConfig{Endpoints: m.Endpoints(), InsecureTransport: true, DialTimeout: 2 * time.Second, CommandTimeout: 5 * time.Second}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	save := func() string {
		// A directory each: two saves at one revision within a second would share a name.
		res, err := backup.Save(ctx, c, backup.SaveOptions{Dir: t.TempDir()})
		if err != nil {
			t.Fatal(err)
		}
		return res.Path
	}
	return cli, save
}

// naiveUsage counts the key bucket of path with the official decoder and plain string
// handling, independently of ReadUsage: prefix → revisions, tombstones, bytes.
func naiveUsage(t *testing.T, path string) map[string][3]int64 {
	t.Helper()
	db, err := bolt.Open(path, 0o400, &bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	out := map[string][3]int64{}
	err = db.View(func(tx *bolt.Tx) error {
		return tx.Bucket([]byte("key")).ForEach(func(k, v []byte) error {
			var kv mvccpb.KeyValue
			if err := proto.Unmarshal(v, &kv); err != nil {
				return err
			}
			key := string(kv.Key)
			group := key
			if parts := strings.SplitN(key, "/", 3); len(parts) == 3 {
				group = "/" + parts[1] + "/"
			}
			c := out[group]
			c[0]++
			if strings.HasSuffix(string(k), "t") && len(k) == 18 {
				c[1]++
			}
			c[2] += int64(len(k) + len(v))
			out[group] = c
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func childUsage(t *testing.T, path string, o embednode.UsageOptions) embednode.Usage {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	u, err := embednode.UsageInChild(ctx, etcdeckBin, path, o)
	if err != nil {
		t.Fatalf("usage of %s: %v", path, err)
	}
	return u
}

// TestUsageMatchesBoltAndCompaction: the child's rows equal a direct bbolt count of the same
// file; the heavily overwritten prefix ranks first, and after a compaction and a new snapshot
// it holds one revision and drops below /big/.
func TestUsageMatchesBoltAndCompaction(t *testing.T) {
	cli, save := usageCluster(t)
	path := save()
	u := childUsage(t, path, embednode.UsageOptions{})
	want := naiveUsage(t, path)
	if len(u.Rows) != len(want) {
		t.Fatalf("%d rows %+v, want %d %v", len(u.Rows), u.Rows, len(want), want)
	}
	var revs, bytes int64
	for _, r := range u.Rows {
		w := want[r.Prefix]
		if got := [3]int64{r.Revisions, r.Tombstones, r.Bytes}; got != w {
			t.Errorf("%s: revisions, tombstones, bytes %v; bbolt says %v", r.Prefix, got, w)
		}
		revs += r.Revisions
		bytes += r.Bytes
	}
	if revs != u.Revisions || bytes != u.BucketBytes || u.Tombstones != 1 {
		t.Errorf("totals %d revisions %d bytes %d tombstones; rows sum to %d, %d", u.Revisions, u.BucketBytes, u.Tombstones, revs, bytes)
	}
	if u.Rows[0].Prefix != "/heavy/" || u.Rows[0].Revisions != 400 {
		t.Errorf("first row %+v, want /heavy/ with 400 revisions", u.Rows[0])
	}
	if u.MinRev != 2 || u.MaxRev < 400+40+1+3+1 {
		t.Errorf("revision range %d to %d", u.MinRev, u.MaxRev)
	}
	if len(u.Leases) != 1 || u.Leases[0].Keys != 3 || u.Leases[0].TTL != 600 || u.LeasedKeys != 3 {
		t.Errorf("leases %+v, %d leased keys; want one lease of 600s with 3 keys", u.Leases, u.LeasedKeys)
	}

	// Compact to now: the 399 old revisions of /heavy/k go; a new snapshot ranks /big/ first.
	resp, err := cli.Get(context.Background(), "/top")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cli.Compact(context.Background(), resp.Header.Revision, clientv3.WithCompactPhysical()); err != nil {
		t.Fatal(err)
	}
	path2 := save()
	u2 := childUsage(t, path2, embednode.UsageOptions{})
	if u2.Rows[0].Prefix != "/big/" {
		t.Errorf("after compaction the first row is %+v, want /big/", u2.Rows[0])
	}
	for _, r := range u2.Rows {
		if r.Prefix == "/heavy/" && r.Revisions != 1 {
			t.Errorf("after compaction /heavy/ holds %d revisions, want 1", r.Revisions)
		}
		if w := naiveUsage(t, path2)[r.Prefix]; [3]int64{r.Revisions, r.Tombstones, r.Bytes} != w {
			t.Errorf("after compaction %s: %+v; bbolt says %v", r.Prefix, r, w)
		}
	}
	if u2.CompactRev != resp.Header.Revision {
		t.Errorf("compacted at %d, want %d", u2.CompactRev, resp.Header.Revision)
	}

	// Under a prefix, one level deeper: only /big/'s keys, one row each.
	deep := childUsage(t, path, embednode.UsageOptions{Prefix: "/big/", Depth: 1})
	if len(deep.Rows) != 40 || deep.Rows[0].Prefix[:5] != "/big/" {
		t.Errorf("under /big/: %d rows, first %+v; want 40 keys", len(deep.Rows), deep.Rows[0])
	}
	// MaxRows bounds the rows: the rest is one row, with nothing lost from the sums.
	capped := childUsage(t, path, embednode.UsageOptions{Prefix: "/big/", MaxRows: 5})
	var sum int64
	for _, r := range capped.Rows {
		sum += r.Revisions
	}
	if len(capped.Rows) != 6 || sum != want["/big/"][0] {
		t.Errorf("capped at 5: %d rows summing %d revisions, want 6 rows and %d", len(capped.Rows), sum, want["/big/"][0])
	}
}

// TestUsageDamagedFile: a truncated or garbled snapshot is an error from the child (a crash
// included), never a panic here; a file that is no snapshot is refused before any child runs.
func TestUsageDamagedFile(t *testing.T) {
	_, save := usageCluster(t)
	data, err := os.ReadFile(save())
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	garbled := append([]byte(nil), data...)
	for i := 4096; i < len(garbled)-4096; i += 7 {
		garbled[i] ^= 0xa5
	}
	for name, b := range map[string][]byte{"truncated.db": data[:len(data)/3], "garbled.db": garbled} {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := embednode.UsageInChild(context.Background(), etcdeckBin, p, embednode.UsageOptions{})
		// The child's own verdict or its crash: not a protocol failure between the two.
		if err == nil || (!errors.Is(err, embednode.ErrUsageCrashed) && strings.Contains(err.Error(), etcdeckBin)) {
			t.Errorf("%s: %v, want the child's verdict on the file", name, err)
		}
		t.Logf("%s: %v", name, err)
	}
	text := filepath.Join(dir, "notes.txt")
	os.WriteFile(text, []byte("not a snapshot"), 0o600)
	if _, err := embednode.UsageInChild(context.Background(), etcdeckBin, text, embednode.UsageOptions{}); !errors.Is(err, embednode.ErrNoBoltHeader) {
		t.Errorf("a text file: %v, want %v", err, embednode.ErrNoBoltHeader)
	}
}
