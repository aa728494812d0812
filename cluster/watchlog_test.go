package cluster

// Tests of what a change log needs from a Watch beyond resuming: continuing past a compaction
// with the lost revisions named, naming the member after a switch, progress when idle, every
// write counted under concurrent load, and the etcdctl JSON export.

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/etcdeck/etcdeck/embednode/nodetest"
)

func TestWatchContinuesAfterCompaction(t *testing.T) {
	m := nodetest.Start(t)
	c := watchConnect(t, m.Endpoints())
	ctx := context.Background()
	start := watchRev(t, c) + 1
	watchPuts(t, c, "/cc/", 10) // start..start+9
	compactAt := start + 7
	if _, err := c.c.Compact(ctx, compactAt); err != nil {
		t.Fatal(err)
	}
	w := c.Watch(ctx, "/cc/", WatchOptions{Prefix: true, StartRev: start + 2, ContinueAfterCompaction: true})
	defer w.Close()
	nctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	b, err := w.Next(nctx, 100)
	want := State{Kind: StateLost, LostFrom: start + 2, LostTo: compactAt - 1, Rev: compactAt}
	if err != nil || len(b.Events) != 0 || b.State == nil || *b.State != want {
		t.Fatalf("Next = %+v (state %+v), %v; want only %+v", b, b.State, err, want)
	}
	if !strings.Contains(b.State.String(), fmt.Sprintf("revisions %d–%d compacted", start+2, compactAt-1)) {
		t.Errorf("state text %q does not name the lost revisions", b.State)
	}
	if w.LastRev() != compactAt-1 {
		t.Errorf("LastRev after the loss = %d, want %d", w.LastRev(), compactAt-1)
	}
	// The watch continues from the compaction revision, then with new writes.
	watchPuts(t, c, "/cc/more/", 3)
	evs, states := watchCollect(t, w, start+12, 0, 10*time.Second)
	if len(states) != 0 {
		t.Errorf("states after the loss: %v", states)
	}
	if len(evs) != 6 || evs[0].Rev != compactAt || evs[5].Rev != start+12 {
		t.Fatalf("events after the loss: %v; want revisions %d..%d", evs, compactAt, start+12)
	}
	watchContiguous(t, evs, compactAt, start+12)
}

func TestWatchNamesMemberAfterFailover(t *testing.T) {
	t.Parallel()
	nodes, proxies, c, writer := watchProxiedCluster(t)
	start := watchRev(t, c) + 1
	w := c.Watch(context.Background(), "/fo/", WatchOptions{Prefix: true, StartRev: start})
	defer w.Close()
	stop := watchWriter(nodetest.Client(t, writer.Endpoints()), "/fo/")
	first, _ := watchCollect(t, w, start+20, 0, 10*time.Second)
	// Kill the member serving the watch and leave it down: the watch must move to another.
	served := -1
	for i, n := range nodes {
		if watchMemberID(t, n) == w.MemberID() {
			served = i
		}
	}
	if served < 0 {
		t.Fatalf("no member has the watch's member ID %x", w.MemberID())
	}
	watchCrash(nodes[served], proxies[served])
	time.Sleep(time.Second)
	puts := stop()
	end := watchRev(t, writer)
	rest, states := watchCollect(t, w, end, 200, 20*time.Second)
	evs := append(first, rest...)
	watchContiguous(t, evs, start, end)
	var resumed []State
	for _, s := range states {
		if s.Kind == StateResumed {
			resumed = append(resumed, s)
		}
	}
	if len(resumed) == 0 {
		t.Fatalf("no StateResumed after member %s was killed; states %v", nodes[served].cfg.Name, states)
	}
	r := resumed[len(resumed)-1]
	if r.Member == "" || r.Member == nodes[served].cfg.Name || !strings.HasPrefix(r.Member, "m") {
		t.Errorf("resumed on member %q, want another member's name than the killed %s", r.Member, nodes[served].cfg.Name)
	}
	if !strings.HasPrefix(r.String(), "reconnected to member "+r.Member+" at revision ") {
		t.Errorf("state text %q", r)
	}
	t.Logf("%d puts, %d events; killed %s; states %v", puts, len(evs), nodes[served].cfg.Name, states)
}

// watchMemberID is a node's member ID, from its own status.
func watchMemberID(t *testing.T, n *watchNode) uint64 {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	st, err := watchConnect(t, n.m.Endpoints()).c.Status(ctx, n.m.Endpoints()[0])
	if err != nil {
		t.Fatal(err)
	}
	return st.Header.MemberId
}

func TestWatchIdleProgress(t *testing.T) {
	m := nodetest.Start(t)
	c := watchConnect(t, m.Endpoints())
	ctx := context.Background()
	w := c.Watch(ctx, "/idle/", WatchOptions{Prefix: true, IdleProgress: 100 * time.Millisecond})
	defer w.Close()
	watchQueued(t, w, 1) // registered
	var now int64
	for range 3 {
		resp, err := c.c.Put(ctx, "/elsewhere", "v")
		if err != nil {
			t.Fatal(err)
		}
		now = resp.Header.Revision
	}
	nctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	progress := false
	for w.LastRev() < now {
		b, err := w.Next(nctx, 10)
		if err != nil || len(b.Events) != 0 || b.State != nil {
			t.Fatalf("Next = %+v, %v; want progress only (LastRev %d, now %d)", b, err, w.LastRev(), now)
		}
		progress = progress || b.Progress
	}
	if !progress {
		t.Error("LastRev reached the store's revision without a Batch.Progress")
	}
}

// TestWatchTotalEqualsWrites: four writers at once on their own connection, a consumer taking
// small batches from a small buffer: every successful put is delivered exactly once.
func TestWatchTotalEqualsWrites(t *testing.T) {
	m := nodetest.Start(t)
	c := watchConnect(t, m.Endpoints())
	writer := watchConnect(t, m.Endpoints())
	start := watchRev(t, c) + 1
	w := c.Watch(context.Background(), "/load/", WatchOptions{Prefix: true, StartRev: start, Buffer: 64, KeysOnly: true})
	defer w.Close()
	const writers, each = 4, 500
	var ok atomic.Int64
	var wg sync.WaitGroup
	for g := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				if _, err := writer.c.Put(ctx, fmt.Sprintf("/load/%d/%d", g, i), strconv.Itoa(i)); err == nil {
					ok.Add(1)
				}
				cancel()
			}
		}()
	}
	wg.Wait()
	end := watchRev(t, writer)
	evs, states := watchCollect(t, w, end, 100, 30*time.Second)
	if int64(len(evs)) != ok.Load() || ok.Load() != writers*each || len(states) != 0 {
		t.Fatalf("%d events for %d successful puts of %d; states %v", len(evs), ok.Load(), writers*each, states)
	}
	seen := map[int64]bool{}
	for _, e := range evs {
		if seen[e.Rev] || e.Rev < start || e.Rev > end {
			t.Fatalf("revision %d repeated or outside %d..%d", e.Rev, start, end)
		}
		seen[e.Rev] = true
	}
}

// TestWatchJSONRoundTrip replays history with StartRev, exports it, reads it back equal, and
// reads etcdctl's own `watch -w json` output of the same history equal too.
func TestWatchJSONRoundTrip(t *testing.T) {
	t.Parallel()
	m := nodetest.Start(t)
	c := watchConnect(t, m.Endpoints())
	ctx := context.Background()
	start := watchRev(t, c) + 1
	steps := []func() error{
		func() error { _, err := c.c.Put(ctx, "/j/a", "one"); return err },
		func() error { _, err := c.c.Put(ctx, "/j/b", "\x00\xffbinary"); return err },
		func() error {
			_, err := c.c.Txn(ctx).Then(clientv3.OpPut("/j/a", "uno"), clientv3.OpDelete("/j/b")).Commit()
			return err
		},
		func() error { _, err := c.c.Put(ctx, "/j/\x01odd key", ""); return err },
		func() error { _, err := c.c.Delete(ctx, "/j/a"); return err },
	}
	for _, s := range steps {
		if err := s(); err != nil {
			t.Fatal(err)
		}
	}
	end := watchRev(t, c)
	w := c.Watch(ctx, "/j/", WatchOptions{Prefix: true, StartRev: start, PrevKV: true})
	defer w.Close()
	evs, _ := watchCollect(t, w, end, 0, 10*time.Second)
	if len(evs) != 6 {
		t.Fatalf("replayed %d events, want 6", len(evs))
	}
	for _, e := range evs {
		if e.ClusterID == 0 || e.MemberID == 0 || e.RaftTerm == 0 {
			t.Fatalf("event %+v lacks its header's cluster, member or raft term", e)
		}
	}
	var buf bytes.Buffer
	if err := WriteWatchJSON(&buf, evs); err != nil {
		t.Fatal(err)
	}
	if lines := strings.Count(buf.String(), "\n"); lines != len(evs) {
		t.Errorf("%d lines for %d events", lines, len(evs))
	}
	back, err := ReadWatchJSON(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprintf("%+v", back) != fmt.Sprintf("%+v", evs) {
		t.Errorf("read back\n%+v\nwant\n%+v", back, evs)
	}

	etcdctl, err := exec.LookPath("etcdctl")
	if err != nil {
		t.Skip("etcdctl not installed: not comparing with its output")
	}
	// etcdctl watch runs until killed: it is read line by line (one watch response a line) until
	// it has printed as many events as were replayed, then killed. No fixed window: on a loaded
	// machine its first line can take seconds.
	cctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(cctx, etcdctl, "--endpoints", m.Endpoints()[0], "watch", "-w", "json", "--prefix",
		"--prev-kv", "--rev", strconv.FormatInt(start, 10), "/j/")
	cmd.Env = append(cmd.Environ(), "ETCDCTL_API=3")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	defer cancel()
	var out bytes.Buffer
	var theirs []Event
	lines := bufio.NewScanner(stdout)
	lines.Buffer(nil, 1<<20)
	for len(theirs) < len(evs) && lines.Scan() {
		out.Write(lines.Bytes())
		out.WriteByte('\n')
		if theirs, err = ReadWatchJSON(bytes.NewReader(out.Bytes())); err != nil {
			t.Fatalf("reading etcdctl's output: %v\n%s", err, out.Bytes())
		}
	}
	if len(theirs) < len(evs) {
		t.Fatalf("etcdctl printed %d events before it ended (%v), want %d:\n%s", len(theirs), cctx.Err(), len(evs), out.Bytes())
	}
	for i := range theirs {
		theirs[i].HeaderRev = evs[i].HeaderRev // etcdctl got them in another response (same cluster, member and term)
	}
	if fmt.Sprintf("%+v", theirs) != fmt.Sprintf("%+v", evs) {
		t.Errorf("etcdctl's events\n%+v\nwant\n%+v", theirs, evs)
	}
}
