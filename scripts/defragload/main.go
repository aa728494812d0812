// Command defragload writes (or overwrites) a keyspace and compacts it, so a member's database
// holds about as much free space as live data: what a defragment has to rewrite and give back.
// scripts/defrag-bench.sh runs it before each timed defragment so both tools see the same shape.
//
//	go run ./scripts/defragload -endpoints 127.0.0.1:2379 -keys 250000 -value-size 1024
//
// It prints one line: "wrote N keys of S bytes in D, compacted at revision R"; exit 1 when a
// write failed, 2 on bad flags.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
)

func main() {
	endpoints := flag.String("endpoints", "127.0.0.1:2379", "comma-separated client URLs")
	prefix := flag.String("prefix", "/defrag/", "keys are <prefix><n>")
	keys := flag.Int("keys", 250000, "keys to write")
	valueSize := flag.Int("value-size", 1024, "bytes per value")
	perTxn := flag.Int("per-txn", 100, "puts per transaction")
	writers := flag.Int("writers", 8, "concurrent writers")
	flag.Parse()
	if *keys <= 0 || *valueSize <= 0 || *perTxn <= 0 || *writers <= 0 || flag.NArg() > 0 {
		flag.Usage()
		os.Exit(2)
	}
	c, err := clientv3.New(clientv3.Config{Endpoints: strings.Split(*endpoints, ","), DialTimeout: 5 * time.Second,
		MaxCallSendMsgSize: 32 << 20})
	if err != nil {
		fmt.Fprintln(os.Stderr, "defragload:", err)
		os.Exit(1)
	}
	defer c.Close()
	ctx := context.Background()
	// A fresh value each run (the stamp), so an overwrite is a new revision of every key.
	val := strings.Repeat(fmt.Sprintf("%x", time.Now().UnixNano()), *valueSize)[:*valueSize]
	began := time.Now()
	batches := make(chan int)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	for range *writers {
		wg.Go(func() {
			for from := range batches {
				ops := make([]clientv3.Op, 0, *perTxn)
				for i := from; i < min(from+*perTxn, *keys); i++ {
					ops = append(ops, clientv3.OpPut(fmt.Sprintf("%s%08d", *prefix, i), val))
				}
				if _, err := c.Txn(ctx).Then(ops...).Commit(); err != nil {
					mu.Lock()
					firstErr = err
					mu.Unlock()
				}
			}
		})
	}
	for from := 0; from < *keys; from += *perTxn {
		batches <- from
	}
	close(batches)
	wg.Wait()
	if firstErr != nil {
		fmt.Fprintln(os.Stderr, "defragload: put:", firstErr)
		os.Exit(1)
	}
	took := time.Since(began)
	resp, err := c.Get(ctx, "defragload", clientv3.WithCountOnly())
	if err != nil {
		fmt.Fprintln(os.Stderr, "defragload:", err)
		os.Exit(1)
	}
	rev := resp.Header.Revision
	if _, err := c.Compact(ctx, rev, clientv3.WithCompactPhysical()); err != nil {
		fmt.Fprintln(os.Stderr, "defragload: compact:", err)
		os.Exit(1)
	}
	fmt.Printf("wrote %d keys of %d bytes in %s, compacted at revision %d\n", *keys, *valueSize, took.Round(time.Millisecond), rev)
}
