package embednode

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"syscall"

	bolt "go.etcd.io/bbolt"
	"go.etcd.io/etcd/api/v3/etcdserverpb"
	"go.etcd.io/etcd/client/pkg/v3/types"
	"go.etcd.io/etcd/server/v3/config"
	"go.etcd.io/etcd/server/v3/etcdserver"
	"go.etcd.io/etcd/server/v3/etcdserver/api/membership"
	"go.etcd.io/etcd/server/v3/etcdserver/api/snap"
	"go.etcd.io/etcd/server/v3/storage/schema"
	"go.etcd.io/etcd/server/v3/storage/wal"
	"go.etcd.io/etcd/server/v3/storage/wal/walpb"
	"go.etcd.io/raft/v3"
	"go.etcd.io/raft/v3/raftpb"
	"go.uber.org/zap"
	"google.golang.org/protobuf/proto"
)

// restoreThrowaway writes into out what etcdutl's Restore (v3.7.3, v3Manager.Restore) writes,
// step for step with the same etcd packages and the same values, for a data dir that is read and
// thrown away (an opened snapshot): the db is opened once instead of three times (each opening
// walks every page to rebuild bbolt's free list), the free list is left in the file for the
// member's opening, and nothing is fsynced (etcdutl's first commit flushes the whole copied
// file). The hash is checked by the caller; a revision bump is not supported.
func restoreThrowaway(o RestoreOptions, out string, lg *zap.Logger) (err error) {
	pURLs, err := types.NewURLs(o.PeerURLs)
	if err != nil {
		return err
	}
	ics, err := types.NewURLsMap(o.InitialCluster)
	if err != nil {
		return err
	}
	srv := config.ServerConfig{Logger: lg, Name: o.Name, PeerURLs: pURLs, InitialPeerURLsMap: ics,
		InitialClusterToken: o.InitialClusterToken}
	if err := srv.VerifyBootstrap(); err != nil {
		return err
	}
	cl, err := membership.NewClusterFromURLsMap(lg, o.InitialClusterToken, ics)
	if err != nil {
		return err
	}
	snapDir, walDir := filepath.Join(out, "member", "snap"), filepath.Join(out, "member", "wal")
	if err := os.MkdirAll(snapDir, 0o700); err != nil {
		return err
	}
	dbPath := filepath.Join(snapDir, "db")
	if err := copySnapshotDB(o.Snapshot, dbPath); err != nil {
		return err
	}
	hs, err := saveWALAndSnap(lg, cl, o.Name, walDir, snapDir)
	if err != nil {
		return err
	}
	return rewriteThrowawayDB(dbPath, cl, hs, o.AuthOff)
}

// rewriteThrowawayDB makes in the copied db the changes etcdutl's restore makes through etcd's
// backend (the old membership out, cl's members in, the consistent index and term of the new
// WAL, and authentication off when authOff), but in one bbolt transaction that also writes the
// free list into the file. etcd's backend never writes it: every opening of a db it committed
// walks every page to rebuild the list (0.1-0.6 s for a 565 MB snapshot), once here and again
// when the temporary member opens the db. Written here, the member reads one page instead.
func rewriteThrowawayDB(dbPath string, cl *membership.RaftCluster, hs *raftpb.HardState, authOff bool) error {
	db, err := bolt.Open(dbPath, 0o600, &bolt.Options{NoSync: true, NoGrowSync: true, NoFreelistSync: false,
		MmapFlags: syscall.MAP_POPULATE})
	if err != nil {
		return fmt.Errorf("open the restored db: %w", err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, name := range [][]byte{schema.Members.Name(), schema.MembersRemoved.Name()} {
			b := tx.Bucket(name)
			if b == nil {
				continue // nothing to trim, as etcd's backend sees it
			}
			var keys [][]byte
			if err := b.ForEach(func(k, _ []byte) error {
				keys = append(keys, bytes.Clone(k))
				return nil
			}); err != nil {
				return err
			}
			for _, k := range keys {
				if err := b.Delete(k); err != nil {
					return err
				}
			}
		}
		members, err := tx.CreateBucketIfNotExists(schema.Members.Name())
		if err != nil {
			return err
		}
		for _, m := range cl.Members() {
			v, err := json.Marshal(m) // as the membership backend's MustSaveMemberToBackend
			if err != nil {
				return err
			}
			if err := members.Put(schema.BackendMemberKey(m.ID), v); err != nil {
				return err
			}
		}
		meta, err := tx.CreateBucketIfNotExists(schema.Meta.Name())
		if err != nil {
			return err
		}
		if err := meta.Put(schema.MetaConsistentIndexKeyName, binary.BigEndian.AppendUint64(nil, hs.GetCommit())); err != nil {
			return err
		}
		if err := meta.Put(schema.MetaTermKeyName, binary.BigEndian.AppendUint64(nil, hs.GetTerm())); err != nil {
			return err
		}
		// A backup of an auth-enabled cluster would answer the temporary member's every request
		// with "user name is empty": its throwaway copy is browsed without authentication.
		if auth := tx.Bucket(schema.Auth.Name()); authOff && auth != nil && bytes.Equal(auth.Get(schema.AuthEnabledKeyName), []byte{1}) {
			return auth.Put(schema.AuthEnabledKeyName, []byte{0})
		}
		return nil
	})
	if cerr := db.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("close the restored db: %w", cerr)
	}
	return err
}

// copySnapshotDB copies a snapshot file to a db without etcd's sha256 trailer (when it has one).
func copySnapshotDB(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	db, err := os.OpenFile(dst, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := io.Copy(db, in); err != nil {
		return fmt.Errorf("copy the snapshot: %w", err)
	}
	size, err := db.Seek(0, io.SeekEnd)
	if err != nil {
		return err
	}
	if size%512 == sha256.Size { // etcdutl's hasChecksum
		if err := db.Truncate(size - sha256.Size); err != nil {
			return err
		}
	}
	return db.Close()
}

// saveWALAndSnap is etcdutl's (v3.7.3): a WAL and a raft snapshot that bootstrap cl as a new
// cluster at index len(members), term 1.
func saveWALAndSnap(lg *zap.Logger, cl *membership.RaftCluster, name, walDir, snapDir string) (*raftpb.HardState, error) {
	m := cl.MemberByName(name) //nolint:staticcheck // as etcdutl does
	if m == nil {
		return nil, errors.New("the member is not in --initial-cluster")
	}
	metadata, err := proto.Marshal(&etcdserverpb.Metadata{NodeID: new(uint64(m.ID)), ClusterID: new(uint64(cl.ID()))})
	if err != nil {
		return nil, err
	}
	w, err := wal.Create(lg, walDir, metadata)
	if err != nil {
		return nil, err
	}
	defer w.Close()
	ids := cl.MemberIDs()
	ents := make([]*raftpb.Entry, len(ids))
	nodeIDs := make([]uint64, len(ids))
	for i, id := range ids {
		ctx, err := json.Marshal(cl.Member(id))
		if err != nil {
			return nil, err
		}
		p := raft.Peer{ID: uint64(id), Context: ctx}
		nodeIDs[i] = p.ID
		d, err := proto.Marshal(&raftpb.ConfChange{Type: raftpb.ConfChangeAddNode.Enum(), NodeId: new(p.ID), Context: p.Context})
		if err != nil {
			return nil, err
		}
		ents[i] = &raftpb.Entry{Type: raftpb.EntryConfChange.Enum(), Term: new(uint64(1)), Index: new(uint64(i + 1)), Data: d}
	}
	commit, term := uint64(len(ents)), uint64(1)
	hs := raftpb.HardState{Term: new(term), Vote: new(nodeIDs[0]), Commit: new(commit)}
	if err := w.Save(&hs, ents); err != nil {
		return nil, err
	}
	cs := &raftpb.ConfState{Voters: nodeIDs}
	rs := raftpb.Snapshot{Data: etcdserver.GetMembershipInfoInV2Format(lg, cl),
		Metadata: &raftpb.SnapshotMetadata{Index: new(commit), Term: new(term), ConfState: cs}}
	if err := snap.New(lg, snapDir).SaveSnap(&rs); err != nil {
		return nil, err
	}
	return &hs, w.SaveSnapshot(&walpb.Snapshot{Index: new(commit), Term: new(term), ConfState: cs})
}
