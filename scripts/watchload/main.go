// Command watchload writes keys to etcd at a steady rate for a while and prints how many it
// wrote, for measuring the Watch view under a storm (scripts/watch-storm.sh). It runs in its own
// process so the writers do not share the console's CPU budget or Go runtime, and it talks to
// the cluster with clientv3 directly, as any application writing to etcd would.
//
//	go run ./scripts/watchload -endpoints 127.0.0.1:2379 -prefix /storm/ -rate 10000 -duration 60s
//
// It prints one line: "wrote N events in D (R/s), revisions A..B, F failed"; exit 1 when a write
// failed, 2 on bad flags.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
)

func main() {
	endpoints := flag.String("endpoints", "127.0.0.1:2379", "comma-separated client URLs")
	prefix := flag.String("prefix", "/storm/", "keys are <prefix><writer>/<n>")
	rate := flag.Int("rate", 10000, "events per second to write")
	duration := flag.Duration("duration", 60*time.Second, "how long to write")
	perTxn := flag.Int("per-txn", 10, "puts per transaction (events per revision)")
	writers := flag.Int("writers", 16, "concurrent writers")
	valueSize := flag.Int("value-size", 100, "bytes per value")
	keys := flag.Int("keys", 0, "overwrite each writer's first N keys in turn (0: every put a new key)")
	flag.Parse()
	if *rate <= 0 || *perTxn <= 0 || *writers <= 0 || *keys < 0 || flag.NArg() > 0 {
		flag.Usage()
		os.Exit(2)
	}
	c, err := clientv3.New(clientv3.Config{Endpoints: strings.Split(*endpoints, ","), DialTimeout: 5 * time.Second})
	if err != nil {
		fmt.Fprintln(os.Stderr, "watchload:", err)
		os.Exit(1)
	}
	defer c.Close()

	value := strings.Repeat("v", *valueSize)
	txnsPerSec := max(*rate / *perTxn, 1)
	tick := time.Second / time.Duration(txnsPerSec)
	tokens := make(chan struct{}, *writers)
	var written, failed atomic.Int64
	var firstRev, lastRev atomic.Int64
	firstRev.Store(1 << 62)
	var wg sync.WaitGroup
	for w := range *writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n := 0
			for range tokens {
				ops := make([]clientv3.Op, *perTxn)
				for i := range ops {
					k := n
					if *keys > 0 {
						k = n % *keys // ordinary traffic: the same keys again, the keyspace does not grow
					}
					ops[i] = clientv3.OpPut(fmt.Sprintf("%s%d/%d", *prefix, w, k), value)
					n++
				}
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				resp, err := c.Txn(ctx).Then(ops...).Commit()
				cancel()
				if err != nil {
					failed.Add(int64(len(ops)))
					continue
				}
				written.Add(int64(len(ops)))
				rev := resp.Header.Revision
				for f := firstRev.Load(); rev < f && !firstRev.CompareAndSwap(f, rev); f = firstRev.Load() {
				}
				for l := lastRev.Load(); rev > l && !lastRev.CompareAndSwap(l, rev); l = lastRev.Load() {
				}
			}
		}()
	}
	start := time.Now()
	// Tokens are handed out on a schedule, not a ticker: a slow moment is caught up on after,
	// so the average rate holds unless the cluster cannot keep up.
	for i := 0; ; i++ {
		due := start.Add(time.Duration(i) * tick)
		if due.Sub(start) >= *duration {
			break
		}
		if d := time.Until(due); d > 0 {
			time.Sleep(d)
		}
		tokens <- struct{}{}
	}
	close(tokens)
	wg.Wait()
	took := time.Since(start)
	fmt.Printf("wrote %d events in %v (%.0f/s), revisions %d..%d, %d failed\n", written.Load(),
		took.Round(time.Millisecond), float64(written.Load())/took.Seconds(), firstRev.Load(), lastRev.Load(), failed.Load())
	if failed.Load() > 0 {
		os.Exit(1)
	}
}
