package cluster

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"hash"
	"io"
	"sync"
	"time"

	pb "go.etcd.io/etcd/api/v3/etcdserverpb"
	clientv3 "go.etcd.io/etcd/client/v3"
)

// DefaultSaveTimeout bounds a whole snapshot save. It is not --command-timeout: a multi-gigabyte
// database takes minutes to stream.
const DefaultSaveTimeout = 30 * time.Minute

// progressEvery throttles progress callbacks: often enough for a live MB/s, rare enough that a
// fast local stream is not slowed by them.
const progressEvery = 100 * time.Millisecond

// SaveProgress is how far a save has come. Total is the database size the member reported before
// the save started (the stream is that plus a 32-byte checksum), 0 if unknown.
type SaveProgress struct {
	Endpoint string
	Role     string // "follower", "leader" or "learner", as in SnapshotSource
	Bytes    int64
	Total    int64
	Elapsed  time.Duration
}

// SnapshotSource is the member a snapshot is read from.
type SnapshotSource struct {
	Endpoint  string
	Role      string // "follower", "leader" or "learner"
	ClusterID uint64
	Revision  int64
	DBSize    int64
}

// PickSnapshotSource asks each configured endpoint for its status and picks a healthy voting
// follower (sparing the leader the disk and network load), else a healthy learner, else the
// leader. A forced endpoint is used as is.
func (c *Client) PickSnapshotSource(ctx context.Context, force string) (SnapshotSource, error) {
	eps := c.c.Endpoints()
	given := len(eps)
	if force != "" {
		eps, given = []string{force}, 1
	} else {
		eps = c.withMemberURLs(ctx, eps)
	}
	// Every candidate at once: a dead one must not spend the others' time.
	type answer struct {
		st  *clientv3.StatusResponse
		err error
	}
	answers := make([]answer, len(eps))
	var wg sync.WaitGroup
	for i, ep := range eps {
		wg.Add(1)
		go func() {
			defer wg.Done()
			timeout := c.conf.CommandTimeout
			if i >= given {
				// A URL the cluster advertises may not be reachable from here (port-forward,
				// proxy): it gets --dial-timeout, not the whole --command-timeout.
				timeout = c.conf.DialTimeout
			}
			sctx, cancel := context.WithTimeout(ctx, timeout)
			defer cancel()
			answers[i].st, answers[i].err = c.c.Status(sctx, ep)
		}()
	}
	wg.Wait()
	var best SnapshotSource
	bestRank := 99
	var lastErr error
	for i, ep := range eps {
		st, err := answers[i].st, answers[i].err
		if err != nil {
			lastErr = fmt.Errorf("%s: %w", ep, Explain(err))
			continue
		}
		if len(st.Errors) > 0 {
			lastErr = fmt.Errorf("%s reports: %s", ep, st.Errors[0])
			continue
		}
		s := SnapshotSource{Endpoint: ep, ClusterID: st.Header.ClusterId, Revision: st.Header.Revision, DBSize: st.DbSize}
		rank := 0
		switch {
		case st.Leader == 0:
			lastErr = fmt.Errorf("%s has no leader", ep)
			continue
		case st.Header.MemberId == st.Leader:
			s.Role, rank = "leader", 2
		case st.IsLearner:
			s.Role, rank = "learner", 1
		default:
			s.Role = "follower"
		}
		if rank < bestRank {
			best, bestRank = s, rank
		}
	}
	if bestRank == 99 {
		if lastErr == nil {
			lastErr = errors.New("no endpoint configured")
		}
		return best, fmt.Errorf("no member to save a snapshot from: %w", lastErr)
	}
	return best, nil
}

// withMemberURLs adds to eps the client URLs of the members not already among them, so a save
// can come from a healthy follower the user did not list. Without a member list (no member
// answers, or the user may not list members) eps stay as given.
func (c *Client) withMemberURLs(ctx context.Context, eps []string) []string {
	mctx, cancel := c.ctx(ctx)
	defer cancel()
	ml, err := c.c.MemberList(mctx)
	if err != nil {
		return eps
	}
	have := make(map[string]bool, len(eps))
	for _, ep := range eps {
		have[HostOf(ep)] = true
	}
	out := append([]string(nil), eps...)
	for _, m := range ml.Members {
		// The member's first URL only: its others reach the same member.
		if len(m.ClientURLs) == 0 || m.IsLearner {
			continue
		}
		known := false
		for _, u := range m.ClientURLs {
			known = known || have[HostOf(u)]
		}
		if !known {
			out = append(out, m.ClientURLs[0])
			have[HostOf(m.ClientURLs[0])] = true
		}
	}
	return out
}

// StreamSnapshot reads the Maintenance.Snapshot stream of src's endpoint into w, checking the
// sha256 trailer as it goes. The connection is to that endpoint alone (clientv3's Dial), so the
// snapshot is one member's point-in-time state, as etcdctl's one-endpoint rule ensures.
func (c *Client) StreamSnapshot(ctx context.Context, src SnapshotSource, w io.Writer, progress func(SaveProgress), timeout time.Duration) (int64, string, error) {
	conn, err := c.c.Dial(src.Endpoint)
	if err != nil {
		return 0, "", fmt.Errorf("dial %s: %w", src.Endpoint, err)
	}
	defer conn.Close()
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stream, err := pb.NewMaintenanceClient(conn).Snapshot(sctx, &pb.SnapshotRequest{})
	if err != nil {
		return 0, "", saveError(ctx, err, timeout)
	}
	start := time.Now()
	var lastReport time.Time // the first chunk is reported at once
	report := func(n int64) {
		if progress != nil {
			progress(SaveProgress{Endpoint: src.Endpoint, Role: src.Role, Bytes: n, Total: src.DBSize, Elapsed: time.Since(start)})
		}
	}
	// Receiving, writing and hashing run in their own goroutines, so the network, the disk and
	// the CPU overlap (the client library overlaps the first two through an io.Pipe). The
	// channels bound what is held to 2 × 64 chunks of 32 KiB; chunks are never modified.
	toWrite, toHash := make(chan []byte, 64), make(chan []byte, 64)
	var recvErr error
	var version string
	go func() {
		defer close(toWrite)
		defer close(toHash)
		for {
			resp, err := stream.Recv()
			if err != nil {
				if !errors.Is(err, io.EOF) {
					recvErr = err
				}
				return
			}
			version = resp.Version
			for _, ch := range []chan []byte{toWrite, toHash} {
				select {
				case ch <- resp.Blob:
				case <-sctx.Done():
					return
				}
			}
		}
	}()
	hashOK := make(chan bool, 1)
	go func() {
		th := newTrailerHash()
		for blob := range toHash {
			th.Write(blob)
		}
		hashOK <- th.ok()
	}()
	var n int64
	for blob := range toWrite {
		if _, err := w.Write(blob); err != nil {
			cancel()
			for range toWrite {
			}
			<-hashOK
			return n, version, fmt.Errorf("write snapshot: %w", err)
		}
		n += int64(len(blob))
		if t := time.Now(); t.Sub(lastReport) >= progressEvery {
			lastReport = t
			report(n)
		}
	}
	hashGood := <-hashOK
	if recvErr != nil {
		return n, version, saveError(ctx, recvErr, timeout)
	}
	if ctx.Err() != nil {
		return n, version, saveError(ctx, ctx.Err(), timeout)
	}
	report(n)
	if !HasSHA256Trailer(n) {
		return n, version, fmt.Errorf("the stream ended after %d bytes without etcd's sha256 checksum: incomplete snapshot", n)
	}
	if !hashGood {
		return n, version, errors.New("sha256 mismatch: the snapshot was damaged in transit")
	}
	return n, version, nil
}

// saveError explains a stream error; cancellation and the save's own timeout are named as such
// (Explain would blame --command-timeout).
func saveError(ctx context.Context, err error, timeout time.Duration) error {
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded) || ended(ctx) && ctx.Err() == nil:
		return &saveStopped{fmt.Sprintf("snapshot not finished within %s", timeout), context.DeadlineExceeded}
	case errors.Is(ctx.Err(), context.Canceled):
		return &saveStopped{"snapshot cancelled", context.Canceled}
	}
	return fmt.Errorf("snapshot stream: %w", Explain(err))
}

// saveStopped is a save ended by its timeout or a cancel: the error names that, not the call that
// noticed it (which would blame --command-timeout).
type saveStopped struct {
	msg   string
	cause error
}

func (e *saveStopped) Error() string { return e.msg }
func (e *saveStopped) Unwrap() error { return e.cause }

// ended is true once ctx is done or its deadline has passed: gRPC may notice a passed deadline
// before the context's own timer marks it done.
func ended(ctx context.Context) bool {
	dl, ok := ctx.Deadline()
	return ctx.Err() != nil || ok && !time.Now().Before(dl)
}

// HasSHA256Trailer says whether a snapshot of n bytes ends with the sha256 etcd appends: the
// database is a whole number of 512-byte sectors, so the trailer is what is left over (as
// etcdutl's check decides).
func HasSHA256Trailer(n int64) bool { return n%512 == sha256.Size }

// trailerHash hashes everything written except the last 32 bytes, which it holds back: at the end
// they are the digest etcd computed over the rest.
type trailerHash struct {
	h    hash.Hash
	tail []byte
}

func newTrailerHash() *trailerHash {
	return &trailerHash{h: sha256.New(), tail: make([]byte, 0, 2*sha256.Size)}
}

func (t *trailerHash) Write(p []byte) {
	if len(p) >= sha256.Size {
		t.h.Write(t.tail)
		t.h.Write(p[:len(p)-sha256.Size])
		t.tail = append(t.tail[:0], p[len(p)-sha256.Size:]...)
		return
	}
	t.tail = append(t.tail, p...)
	if extra := len(t.tail) - sha256.Size; extra > 0 {
		t.h.Write(t.tail[:extra])
		t.tail = append(t.tail[:0], t.tail[extra:]...)
	}
}

func (t *trailerHash) ok() bool {
	return len(t.tail) == sha256.Size && string(t.h.Sum(nil)) == string(t.tail)
}

// SnapshotStopped names a save that its timeout or a cancel ended, whatever call noticed it
// (which would blame --command-timeout); other errors pass unchanged.
func SnapshotStopped(ctx context.Context, err error, timeout time.Duration) error {
	var stopped *saveStopped
	if err != nil && ended(ctx) && !errors.As(err, &stopped) {
		return saveError(ctx, err, timeout)
	}
	return err
}
