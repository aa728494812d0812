package embednode

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
	"go.etcd.io/etcd/server/v3/lease/leasepb"
	"google.golang.org/protobuf/proto"
)

// What fills the database: a snapshot file read offline straight from its bbolt buckets. etcd
// keeps every revision of every key in the `key` bucket (keyed by revision, the value a
// mvccpb.KeyValue) until a compaction removes the old ones, so a key overwritten a million times
// weighs a million values there though it shows as one key. This lives beside the member because
// opening a corrupt file can make bbolt panic where no recover reaches: only the child command
// (`etcdeck usage FILE --in-process`) calls ReadUsage; everything else calls UsageInChild.

// UsageOptions say how a snapshot's keys are grouped.
type UsageOptions struct {
	// Prefix limits the rows to keys under it ("" for every key); the totals cover the whole file.
	Prefix string
	// Depth is how many separator-delimited segments after Prefix make a row (DefaultUsageDepth
	// when 0): depth 1 under "/registry/" gives "/registry/pods/", "/registry/events/"…
	Depth int
	// Sep is the key separator ('/' when 0).
	Sep byte
	// MaxRows bounds the rows kept (DefaultUsageRows when 0): memory follows the rows, not the
	// keys; keys of prefixes past the bound are counted in one "(other prefixes)" row.
	MaxRows int
}

// Usage defaults: depth 1 is the question asked first ("which resource type?"); 10,000 rows are
// more than a screen pages through and stay a megabyte.
const (
	DefaultUsageDepth = 1
	DefaultUsageRows  = 10000
)

// OtherRow names the row that gathers the prefixes past MaxRows.
const OtherRow = "(other prefixes)"

// UsageRow is one prefix's share of the stored revisions.
type UsageRow struct {
	// Prefix is the group: the key's first Depth segments after the options' Prefix, ending in
	// the separator when the key goes deeper (raw bytes: show it escaped).
	Prefix string `json:"prefix"`
	// Revisions is the number of stored revisions (puts and deletes) of keys under Prefix.
	Revisions int64 `json:"revisions"`
	// Tombstones is how many of them are deletions.
	Tombstones int64 `json:"tombstones"`
	// Bytes is what those revisions take in the bucket: revision keys and encoded values, old
	// revisions included (what a compaction frees is most of it when Revisions ≫ keys).
	Bytes int64 `json:"bytes"`
}

// UsageLease is one lease stored in the file and the keys whose newest revision is attached to it.
type UsageLease struct {
	ID   int64 `json:"id"`
	TTL  int64 `json:"ttl"`
	Keys int64 `json:"keys"`
}

// Usage is what a snapshot file holds, by prefix.
type Usage struct {
	Path string `json:"path"`
	// FileSize is the file's size; BucketBytes is what the `key` bucket's entries take (the
	// rows' share is of this: free pages and other buckets are not any prefix's).
	FileSize    int64 `json:"fileSize"`
	BucketBytes int64 `json:"bucketBytes"`
	// Revisions and Tombstones are the whole bucket's.
	Revisions  int64 `json:"revisions"`
	Tombstones int64 `json:"tombstones"`
	// MinRev and MaxRev are the revision range the file covers; CompactRev the last compaction.
	MinRev     int64      `json:"minRev"`
	MaxRev     int64      `json:"maxRev"`
	CompactRev int64      `json:"compactRev"`
	Prefix     string     `json:"prefix"`
	Depth      int        `json:"depth"`
	Rows       []UsageRow `json:"rows"`
	// Leases lists the leases, most keys first; LeasedKeys is the keys attached to any lease.
	Leases     []UsageLease `json:"leases"`
	LeasedKeys int64        `json:"leasedKeys"`
	// Took is how long the read took.
	Took time.Duration `json:"took"`
}

// Bucket and key names in etcd's backend (server/storage/schema).
var (
	keyBucket      = []byte("key")
	leaseBucket    = []byte("lease")
	metaBucket     = []byte("meta")
	finishedCompct = []byte("finishedCompactRev")
)

// revBytesLen is a revision key's length (8-byte main, '_', 8-byte sub); a tombstone adds a 't'.
const revBytesLen = 17

// ReadUsage reads the snapshot (or db) file at path in this process. See UsageInChild.
func ReadUsage(path string, o UsageOptions) (Usage, error) {
	start := time.Now()
	if o.Depth <= 0 {
		o.Depth = DefaultUsageDepth
	}
	if o.Sep == 0 {
		o.Sep = '/'
	}
	if o.MaxRows <= 0 {
		o.MaxRows = DefaultUsageRows
	}
	u := Usage{Path: path, Prefix: o.Prefix, Depth: o.Depth}
	if err := CheckSnapshotFile(path); err != nil {
		return u, err
	}
	info, err := os.Stat(path)
	if err != nil {
		return u, err
	}
	u.FileSize = info.Size()
	db, err := bolt.Open(path, 0o400, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		return u, fmt.Errorf("open %s: %w", path, err)
	}
	defer db.Close()
	err = db.View(func(tx *bolt.Tx) error {
		if err := u.readKeys(tx, o); err != nil {
			return err
		}
		u.readMeta(tx)
		return nil
	})
	u.Took = time.Since(start)
	return u, err
}

// readKeys walks the key bucket in revision order once.
func (u *Usage) readKeys(tx *bolt.Tx, o UsageOptions) error {
	b := tx.Bucket(keyBucket)
	if b == nil {
		return errors.New("no key bucket: not an etcd v3 database")
	}
	rows := map[string]*UsageRow{}
	// leased holds the keys whose newest revision so far is attached to a lease: bounded by the
	// leased keys (Kubernetes events, locks), not by all keys.
	leased := map[string]int64{}
	other := &UsageRow{Prefix: OtherRow}
	err := b.ForEach(func(k, v []byte) error {
		if len(k) < revBytesLen {
			return fmt.Errorf("a revision key of %d bytes: the file is not an etcd database", len(k))
		}
		rev := int64(binary.BigEndian.Uint64(k))
		if u.MinRev == 0 || rev < u.MinRev {
			u.MinRev = rev
		}
		u.MaxRev = max(u.MaxRev, rev)
		tomb := len(k) > revBytesLen && k[revBytesLen] == 't'
		key, lease, err := kvKeyLease(v)
		if err != nil {
			return fmt.Errorf("revision %d: %w", rev, err)
		}
		size := int64(len(k) + len(v))
		u.Revisions++
		u.BucketBytes += size
		if tomb {
			u.Tombstones++
		}
		if lease != 0 && !tomb {
			leased[string(key)] = lease
		} else if len(leased) > 0 {
			delete(leased, string(key))
		}
		group, ok := groupOf(key, o.Prefix, o.Sep, o.Depth)
		if !ok {
			return nil
		}
		r := rows[string(group)]
		if r == nil {
			if len(rows) >= o.MaxRows {
				r = other
			} else {
				r = &UsageRow{Prefix: string(group)}
				rows[r.Prefix] = r
			}
		}
		r.Revisions++
		r.Bytes += size
		if tomb {
			r.Tombstones++
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, r := range rows {
		u.Rows = append(u.Rows, *r)
	}
	if other.Revisions > 0 {
		u.Rows = append(u.Rows, *other)
	}
	SortUsageRows(u.Rows)
	u.readLeases(tx, leased)
	return nil
}

// SortUsageRows orders rows by stored bytes, largest first (then by prefix, for a stable screen).
func SortUsageRows(rows []UsageRow) {
	sort.Slice(rows, func(i, j int) bool {
		if rows[i].Bytes != rows[j].Bytes {
			return rows[i].Bytes > rows[j].Bytes
		}
		return rows[i].Prefix < rows[j].Prefix
	})
}

// readLeases lists the lease bucket with the count of keys attached to each lease.
func (u *Usage) readLeases(tx *bolt.Tx, leased map[string]int64) {
	counts := map[int64]int64{}
	for _, id := range leased {
		counts[id]++
	}
	u.LeasedKeys = int64(len(leased))
	b := tx.Bucket(leaseBucket)
	if b == nil {
		return
	}
	b.ForEach(func(k, v []byte) error {
		var l leasepb.Lease
		if proto.Unmarshal(v, &l) != nil {
			return nil // a lease the member would also skip: not what this report is about
		}
		u.Leases = append(u.Leases, UsageLease{ID: l.GetID(), TTL: l.GetTTL(), Keys: counts[l.GetID()]})
		return nil
	})
	sort.Slice(u.Leases, func(i, j int) bool {
		if u.Leases[i].Keys != u.Leases[j].Keys {
			return u.Leases[i].Keys > u.Leases[j].Keys
		}
		return u.Leases[i].ID < u.Leases[j].ID
	})
}

// readMeta reads the last finished compaction's revision, when one was recorded.
func (u *Usage) readMeta(tx *bolt.Tx) {
	if b := tx.Bucket(metaBucket); b != nil {
		if v := b.Get(finishedCompct); len(v) >= 8 {
			u.CompactRev = int64(binary.BigEndian.Uint64(v))
		}
	}
}

// groupOf is the row key falls in: prefix and the next depth segments of key (with the
// separator that ends the last one, when key goes on; a separator right after prefix is
// skipped). ok is false for keys outside prefix.
func groupOf(key []byte, prefix string, sep byte, depth int) ([]byte, bool) {
	if !strings.HasPrefix(string(key), prefix) {
		return nil, false
	}
	i := len(prefix)
	if i < len(key) && key[i] == sep {
		i++ // "/registry/pods/", not "/", under "" (and under "/registry")
	}
	for d := 0; d < depth; d++ {
		j := indexByteFrom(key, i, sep)
		if j < 0 {
			return key, true
		}
		i = j + 1
	}
	return key[:i], true
}

func indexByteFrom(b []byte, from int, c byte) int {
	for i := from; i < len(b); i++ {
		if b[i] == c {
			return i
		}
	}
	return -1
}

// kvKeyLease reads the key (field 1) and lease (field 6) of an encoded mvccpb.KeyValue without
// decoding (copying) the value: the walk costs the bucket's bytes once, not twice.
func kvKeyLease(b []byte) (key []byte, lease int64, err error) {
	for len(b) > 0 {
		tag, n := binary.Uvarint(b)
		if n <= 0 {
			return nil, 0, errBadKV
		}
		b = b[n:]
		field, wire := tag>>3, tag&7
		switch wire {
		case 0: // varint
			x, n := binary.Uvarint(b)
			if n <= 0 {
				return nil, 0, errBadKV
			}
			b = b[n:]
			if field == 6 {
				lease = int64(x)
			}
		case 2: // bytes
			l, n := binary.Uvarint(b)
			if n <= 0 || l > uint64(len(b)-n) {
				return nil, 0, errBadKV
			}
			if field == 1 {
				key = b[n : n+int(l)]
			}
			b = b[n+int(l):]
		case 1: // fixed64
			if len(b) < 8 {
				return nil, 0, errBadKV
			}
			b = b[8:]
		case 5: // fixed32
			if len(b) < 4 {
				return nil, 0, errBadKV
			}
			b = b[4:]
		default:
			return nil, 0, errBadKV
		}
	}
	return key, lease, nil
}

// errBadKV is a value of the key bucket that is no encoded KeyValue.
var errBadKV = errors.New("a stored value is not an etcd key-value: the file is corrupt")
