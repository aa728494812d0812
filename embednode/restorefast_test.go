package embednode_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

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

// synced reads a bbolt file's current meta page (of the two, the one with the higher
// transaction id) and says whether it points at a free list written in the file; bbolt's
// "no free list" is page id 2^64-1, and without a list every opening walks every page.
func synced(t *testing.T, path string) bool {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	buf := make([]byte, 128<<10) // both meta pages, whatever the page size
	n, err := io.ReadFull(f, buf)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatal(err)
	}
	buf = buf[:n]
	// Page 0's meta follows its 16-byte page header: magic, version, page size, flags (4 bytes
	// each), root bucket (page id, sequence), free list page id, high water page id, txid.
	meta := func(off int) (freelist, txid uint64) {
		if off+16+56 > len(buf) {
			t.Fatalf("%s: %d bytes, no meta page at %d", path, len(buf), off)
		}
		m := buf[off+16:]
		if binary.LittleEndian.Uint32(m) != 0xED0CDAED {
			t.Fatalf("%s: no bbolt meta page at %d", path, off)
		}
		return binary.LittleEndian.Uint64(m[32:]), binary.LittleEndian.Uint64(m[48:])
	}
	meta(0)
	pageSize := int(binary.LittleEndian.Uint32(buf[16+8:]))
	fl0, tx0 := meta(0)
	fl1, tx1 := meta(pageSize)
	if tx1 > tx0 {
		fl0 = fl1
	}
	return fl0 != math.MaxUint64
}

// TestRestoreUnsafeNoFsyncMatchesEtcdutl: the throwaway restore an opened snapshot uses writes
// what etcdutl's library writes: the same buckets, keys and values (members, consistent index
// and term included), and byte-identical WAL and raft snapshot files; and unlike etcdutl's, its
// db keeps bbolt's free list, so the member that opens it does not walk every page.
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
	// The member opening the throwaway copy reads its free list instead of walking every page.
	if synced(t, filepath.Join(dirs[true], "member/snap/db")) != true {
		t.Error("the throwaway restore left no free list in the db")
	}
	if synced(t, filepath.Join(dirs[false], "member/snap/db")) != false {
		t.Error("etcdutl's db holds a free list: the comparison above no longer shows what the throwaway restore saves")
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

// TestConfigArgsCarryTuning: what an opened snapshot's member is started with, a quota and a
// compaction's pace reach the child's flags (TestOpenSnapshotBrowsesAndCleansUp starts one with
// them; the quota was left out before).
func TestConfigArgsCarryTuning(t *testing.T) {
	args := embednode.Config{Name: "n", DataDir: "d", UnsafeNoFsync: true, TickMs: 10, ElectionMs: 100,
		QuotaBackendBytes: 8 << 30, CompactionBatchLimit: 50, CompactionSleepInterval: 100 * time.Millisecond}.Args()
	for _, want := range [][]string{{"--unsafe-no-fsync"}, {"--heartbeat-interval", "10"}, {"--election-timeout", "100"},
		{"--quota-backend-bytes", "8589934592"}, {"--compaction-batch-limit", "50"}, {"--compaction-sleep-interval", "100ms"}} {
		if i := slices.Index(args, want[0]); i < 0 || !slices.Equal(args[i:i+len(want)], want) {
			t.Errorf("Args() = %v, want %v in it", args, want)
		}
	}
	if args := (embednode.Config{Name: "n", DataDir: "d"}).Args(); slices.Contains(args, "--unsafe-no-fsync") || slices.Contains(args, "--heartbeat-interval") ||
		slices.Contains(args, "--quota-backend-bytes") || slices.Contains(args, "--compaction-sleep-interval") {
		t.Errorf("defaults render tuning flags: %v", args)
	}
}
