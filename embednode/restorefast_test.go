package embednode_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"

	bolt "go.etcd.io/bbolt"
	"go.uber.org/zap"

	"github.com/etcdeck/etcdeck/embednode"
)

// boltContents lists every bucket's keys and values of a db, in order.
func boltContents(t *testing.T, path string) []string {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var out []string
	err = db.View(func(tx *bolt.Tx) error {
		return tx.ForEach(func(name []byte, b *bolt.Bucket) error {
			out = append(out, "bucket "+string(name))
			return b.ForEach(func(k, v []byte) error {
				out = append(out, fmt.Sprintf("%s %q=%q", name, k, v))
				return nil
			})
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestRestoreUnsafeNoFsyncMatchesEtcdutl: the throwaway restore an opened snapshot uses writes
// what etcdutl's library writes: the same buckets, keys and values (members, consistent index
// and term included), and byte-identical WAL and raft snapshot files.
func TestRestoreUnsafeNoFsyncMatchesEtcdutl(t *testing.T) {
	t.Parallel()
	s := saveSnapshot(t, 40)
	root := t.TempDir()
	dirs := map[bool]string{}
	for _, fast := range []bool{false, true} {
		dirs[fast] = filepath.Join(root, fmt.Sprint(fast))
		o := embednode.RestoreOptions{Snapshot: s.path, DataDir: dirs[fast], Name: "m1",
			PeerURLs: []string{"http://127.0.0.1:23800"}, InitialClusterToken: "tok", UnsafeNoFsync: fast}
		res, err := embednode.Restore(o, zap.NewNop())
		if err != nil {
			t.Fatalf("restore (no fsync %v): %v", fast, err)
		}
		if res.Revision != s.rev || !res.HashChecked {
			t.Fatalf("no fsync %v: revision %d (want %d), hash checked %v", fast, res.Revision, s.rev, res.HashChecked)
		}
	}
	want, got := boltContents(t, filepath.Join(dirs[false], "member/snap/db")), boltContents(t, filepath.Join(dirs[true], "member/snap/db"))
	if !slices.Equal(want, got) {
		t.Fatalf("db differs from etcdutl's:\n%v\nwant\n%v", got, want)
	}
	if !slices.Contains(want, "bucket members") || len(want) < 40 {
		t.Fatalf("too little compared: %v", want)
	}
	for _, sub := range []string{"member/wal", "member/snap"} {
		entries, err := os.ReadDir(filepath.Join(dirs[false], sub))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if e.Name() == "db" {
				continue
			}
			a, err := os.ReadFile(filepath.Join(dirs[false], sub, e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			b, err := os.ReadFile(filepath.Join(dirs[true], sub, e.Name()))
			if err != nil {
				t.Fatalf("etcdutl wrote %s/%s, the throwaway restore did not: %v", sub, e.Name(), err)
			}
			if !bytes.Equal(a, b) {
				t.Errorf("%s/%s differs from etcdutl's", sub, e.Name())
			}
		}
	}
}

// TestConfigArgsCarryTuning: what an opened snapshot's member is started with reaches the child's
// flags (TestOpenSnapshotBrowsesAndCleansUp starts one with them).
func TestConfigArgsCarryTuning(t *testing.T) {
	args := embednode.Config{Name: "n", DataDir: "d", UnsafeNoFsync: true, TickMs: 10, ElectionMs: 100}.Args()
	for _, want := range [][]string{{"--unsafe-no-fsync"}, {"--heartbeat-interval", "10"}, {"--election-timeout", "100"}} {
		if i := slices.Index(args, want[0]); i < 0 || !slices.Equal(args[i:i+len(want)], want) {
			t.Errorf("Args() = %v, want %v in it", args, want)
		}
	}
	if args := (embednode.Config{Name: "n", DataDir: "d"}).Args(); slices.Contains(args, "--unsafe-no-fsync") || slices.Contains(args, "--heartbeat-interval") {
		t.Errorf("defaults render tuning flags: %v", args)
	}
}
