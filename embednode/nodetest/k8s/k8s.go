// Package k8s fills a member with a Kubernetes-shaped keyspace for benchmarks and demos. It is a
// test helper, not part of the console: it writes through a clientv3 client the caller dials, as
// an apiserver would, so cluster/ keeps only what the console uses and its write API stays the one
// path for the console's own writes. It sits beside nodetest, which starts the members it fills.
package k8s

import (
	"context"
	"fmt"
	"math/rand"
	"sync"
	"sync/atomic"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
)

// txnOps is how many puts go in one transaction (etcd's --max-txn-ops is 128 by default).
const txnOps = 128

// txnTimeout bounds one transaction of the load.
const txnTimeout = 30 * time.Second

// Shape describes a Kubernetes-shaped keyspace for benchmarks and demos:
// /registry/<resource>/<namespace>/<name> for namespaced resources, /registry/<resource>/<name>
// for cluster-scoped ones, and one namespace whose pods form a directory of BigDir children.
type Shape struct {
	Keys       int // total keys; 400,000 by default
	ValueSize  int // bytes per value; 1,024 by default
	BigDir     int // pods in the namespace "big"; 100,000 by default
	Namespaces int // ordinary namespaces; 200 by default
	Seed       int64
}

// DefaultShape is the keyspace of the targets: 400k keys of 1 KiB, one directory of
// 100k children.
func DefaultShape() Shape {
	return Shape{Keys: 400_000, ValueSize: 1024, BigDir: 100_000, Namespaces: 200, Seed: 1}
}

// BigDirPrefix is the directory holding the shape's BigDir pods.
const BigDirPrefix = "/registry/pods/big/"

// namespaced resources with their relative number of objects per namespace.
var k8sNamespaced = []struct {
	name   string
	weight int
}{
	{"events", 30}, {"pods", 20}, {"replicasets", 10}, {"configmaps", 8}, {"secrets", 8},
	{"services/specs", 4}, {"services/endpoints", 4}, {"discovery.k8s.io/endpointslices", 4},
	{"deployments", 4}, {"serviceaccounts", 3}, {"rolebindings", 3}, {"roles", 2},
	{"leases", 2}, {"controllerrevisions", 2}, {"persistentvolumeclaims", 2}, {"jobs", 2},
	{"cronjobs", 1}, {"statefulsets", 1}, {"daemonsets", 1}, {"poddisruptionbudgets", 1},
	{"networkpolicies", 1}, {"resourcequotas", 1}, {"limitranges", 1}, {"ingress", 1},
	{"monitoring.coreos.com/servicemonitors", 1},
}

// cluster-scoped resources with their number of objects.
var k8sClusterScoped = []struct {
	name  string
	count int
}{
	{"minions", 300}, {"csinodes", 300}, {"clusterroles", 120}, {"clusterrolebindings", 100},
	{"persistentvolumes", 400}, {"priorityclasses", 4}, {"storageclasses", 3},
	{"apiregistration.k8s.io/apiservices", 60}, {"apiextensions.k8s.io/customresourcedefinitions", 80},
	{"ranges/serviceips", 1}, {"ranges/servicenodeports", 1},
}

// Keys returns the shape's keys (in no particular order), deterministically from its Seed.
func Keys(s Shape) []string {
	rng := rand.New(rand.NewSource(s.Seed))
	word := func(n int) string {
		const letters = "bcdfghjklmnpqrstvwxz2456789"
		b := make([]byte, n)
		for i := range b {
			b[i] = letters[rng.Intn(len(letters))]
		}
		return string(b)
	}
	apps := []string{"web", "api", "worker", "db", "cache", "ingress-nginx", "prometheus", "coredns"}
	objName := func() string {
		return fmt.Sprintf("%s-%s-%s", apps[rng.Intn(len(apps))], word(10), word(5))
	}
	keys := make([]string, 0, s.Keys)
	seen := make(map[string]struct{}, s.Keys)
	add := func(k string) {
		if _, ok := seen[k]; !ok && len(keys) < s.Keys {
			seen[k] = struct{}{}
			keys = append(keys, k)
		}
	}
	for i := 0; i < s.BigDir; i++ {
		add(BigDirPrefix + objName())
	}
	nss := []string{"default", "kube-system", "kube-public", "kube-node-lease", "monitoring"}
	for len(nss) < s.Namespaces {
		nss = append(nss, fmt.Sprintf("team-%s-%03d", word(4), len(nss)))
	}
	for _, ns := range append(nss, "big") {
		add("/registry/namespaces/" + ns)
	}
	for _, r := range k8sClusterScoped {
		for i := 0; i < r.count; i++ {
			add(fmt.Sprintf("/registry/%s/%s-%s", r.name, word(6), word(5)))
		}
	}
	weights := 0
	for _, r := range k8sNamespaced {
		weights += r.weight
	}
	perUnit := float64(s.Keys-len(keys)) / float64(weights*len(nss))
	for _, ns := range nss {
		for _, r := range k8sNamespaced {
			n := int(perUnit*float64(r.weight)*(0.5+rng.Float64()) + 0.5)
			for i := 0; i < n; i++ {
				add(fmt.Sprintf("/registry/%s/%s/%s", r.name, ns, objName()))
			}
		}
	}
	for len(keys) < s.Keys {
		add("/registry/events/default/" + objName())
	}
	return keys
}

// loadAttempts is how often Load sends one transaction: on a loaded machine etcd answers "request
// timed out" for puts it may still apply, and the puts of a shape are idempotent.
const loadAttempts = 4

// Load writes the shape's keys through c with values of ValueSize bytes, in transactions of 128
// puts sent 8 at a time; progress (may be nil) is called with the number of keys written so far.
// Keys the member already holds are not written again, so a load that failed half-way resumes.
func Load(ctx context.Context, c *clientv3.Client, s Shape, progress func(done int)) error {
	keys, err := missing(ctx, c, Keys(s))
	if err != nil {
		return fmt.Errorf("load the Kubernetes-shaped keyspace: %w", err)
	}
	value := make([]byte, s.ValueSize)
	for i := range value {
		value[i] = byte('a' + i%26)
	}
	val := string(value)
	var done atomic.Int64
	var firstErr error
	var once sync.Once
	batches := make(chan []string)
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for batch := range batches {
				ops := make([]clientv3.Op, len(batch))
				for i, k := range batch {
					ops[i] = clientv3.OpPut(k, val)
				}
				var err error
				for range loadAttempts {
					cctx, cancel := context.WithTimeout(ctx, txnTimeout)
					_, err = c.Txn(cctx).Then(ops...).Commit()
					cancel()
					if err == nil || ctx.Err() != nil {
						break
					}
				}
				if err != nil {
					once.Do(func() { firstErr = fmt.Errorf("load the Kubernetes-shaped keyspace: %w", err) })
					continue
				}
				n := done.Add(int64(len(batch)))
				if progress != nil && n%(txnOps*200) < int64(len(batch)) {
					progress(int(n))
				}
			}
		}()
	}
	for start := 0; start < len(keys) && ctx.Err() == nil; start += txnOps {
		batches <- keys[start:min(start+txnOps, len(keys))]
	}
	close(batches)
	wg.Wait()
	if firstErr == nil {
		firstErr = ctx.Err()
	}
	return firstErr
}

// missing returns the keys the member does not hold yet (all of them when it holds nothing under
// /registry/), reading what it holds in pages of keys.
func missing(ctx context.Context, c *clientv3.Client, keys []string) ([]string, error) {
	const page = 20_000
	have := map[string]struct{}{}
	from, end := "/registry/", clientv3.GetPrefixRangeEnd("/registry/")
	for {
		resp, err := c.Get(ctx, from, clientv3.WithRange(end), clientv3.WithKeysOnly(), clientv3.WithLimit(page))
		if err != nil {
			return nil, err
		}
		for _, kv := range resp.Kvs {
			have[string(kv.Key)] = struct{}{}
		}
		if !resp.More || len(resp.Kvs) == 0 {
			break
		}
		from = string(resp.Kvs[len(resp.Kvs)-1].Key) + "\x00"
	}
	if len(have) == 0 {
		return keys, nil
	}
	var out []string
	for _, k := range keys {
		if _, ok := have[k]; !ok {
			out = append(out, k)
		}
	}
	return out, nil
}
