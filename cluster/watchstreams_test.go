package cluster_test

import (
	"bufio"
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/cluster/clustertest"
	"github.com/etcdeck/etcdeck/embednode/nodetest"
)

// Each watch has its gRPC stream to itself, so closing one ends what the server sends for it.
// On the stream clientv3 shares between watches, a watch paused behind a storm (closed, to be
// re-opened from where it stopped) left the server sending its queued backlog, which the client
// had to receive and decode before the next watch's creation was answered: the console stayed
// "reconnecting" for minutes (issue 22). Counted by the member's watch stream gauge, in a child
// process (in-process members share one Prometheus registry).
func TestClosedWatchEndsItsStream(t *testing.T) {
	t.Parallel()
	child := nodetest.SpawnCluster(t, etcdeckBinary(t), 1)[0]
	ep := child.Endpoints()[0]
	c, err := clustertest.Connect(t, cluster.ConnConfig{Endpoints: []string{ep}, InsecureTransport: true})
	if err != nil {
		t.Fatal(err)
	}
	streams := func() int {
		resp, err := http.Get("http://" + strings.TrimPrefix(ep, "http://") + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			if v, ok := strings.CutPrefix(sc.Text(), "etcd_debugging_mvcc_watch_stream_total "); ok {
				f, err := strconv.ParseFloat(v, 64)
				if err != nil {
					t.Fatal(err)
				}
				return int(f)
			}
		}
		t.Fatal("no etcd_debugging_mvcc_watch_stream_total in /metrics")
		return 0
	}
	waitStreams := func(want int, why string) {
		t.Helper()
		deadline := time.Now().Add(15 * time.Second)
		for n := streams(); n != want; n = streams() {
			if time.Now().After(deadline) {
				t.Fatalf("%s: the member counts %d watch streams, want %d", why, n, want)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	base := streams()
	ctx := context.Background()
	keep := c.Watch(ctx, "/keep/", cluster.WatchOptions{Prefix: true})
	defer keep.Close()
	gone := c.Watch(ctx, "/gone/", cluster.WatchOptions{Prefix: true})
	defer gone.Close()
	waitStreams(base+2, "two watches open")
	gone.Close()
	waitStreams(base+1, "one closed")
	// The other is unharmed.
	e := nodetest.Client(t, []string{ep})
	if _, err := e.Put(ctx, "/keep/a", "1"); err != nil {
		t.Fatal(err)
	}
	nctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	for {
		b, err := keep.Next(nctx, 0)
		if err != nil {
			t.Fatalf("the watch left open: %v", err)
		}
		if len(b.Events) > 0 {
			if b.Events[0].Key != "/keep/a" {
				t.Fatalf("got %q", b.Events[0].Key)
			}
			return
		}
	}
}
