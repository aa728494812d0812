#!/usr/bin/env bash
# Measures the Keys view's listings on etcd 3.7 (the member etcdeck embeds, in its own process;
# RangeStream: the stream strategy) on the Kubernetes-shaped keyspace of embednode/nodetest/k8s,
# and prints each directory's listing time as a ratio of one count-only request over it (issue
# 22: the 400k bounds kept at a million keys), then each directory's first screen.
# scripts/etcd34-bench.sh is the same against Debian's etcd 3.4.
#
# Usage: scripts/listing-bench.sh [KEYS [RUNS]]     (defaults 1000000 keys — a quarter of them in
#        /registry/pods/big/ — and 3 runs per directory)
# The member's data lives in $ETCDECK_BENCH_DIR (default /tmp/etcdeck-bench)/k8s-KEYS-….etcd,
# loaded the first time (~2.5 GB of disk for a million keys, several minutes) and reused. Each run
# starts that member, and at a million keys it rebuilds its index for a minute first; with
# ETCDECK_BENCH_ENDPOINT=host:port the benchmarks use a member already running on that data.
# "keys counted" is the windows' work: a whole listing of a directory of many medium children
# (200 namespaces of ~1,000 events) is handed from the stream to them (cluster/listing_stream.go).
set -euo pipefail
keys=${1:-1000000}
runs=${2:-3}
cd "$(dirname "$0")/.."
out=$(mktemp)
trap 'rm -f "$out"' EXIT
echo "load average $(cut -d' ' -f1-3 /proc/loadavg)"
ETCDECK_BENCH_KEYS=$keys go test ./cluster -run XXX -bench 'Listing$/dir=.*/stream|ListingFirstScreen|ListingHinted' \
  -benchtime "${runs}x" -timeout 60m | tee "$out" | grep -v '^loaded'
echo
awk -v strategy=stream -f scripts/listing-report.awk "$out"
echo "load average $(cut -d' ' -f1-3 /proc/loadavg)"
