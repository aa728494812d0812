#!/usr/bin/env bash
# Measures `:find TEXT --values` over /registry/ against `etcdctl get /registry/ --prefix | grep
# -c TEXT` on one member holding N Kubernetes-shaped keys of 1 KiB (default 400,000, the issue's
# scale; loading them takes a few minutes and is not timed). Prints both times and the ratio,
# and whether it is within the issue's target (ratio <= 1.0). Needs etcdctl on PATH.
#
# Usage: scripts/find-bench.sh [N]
set -euo pipefail
n=${1:-400000}
cd "$(dirname "$0")/.."
out=$(ETCDECK_BENCH_FIND_KEYS=$n go test -run '^$' -bench 'BenchmarkFindValues$' -benchtime 1x -timeout 60m ./cluster/ 2>&1) || {
  echo "$out" | grep -v '^\s' | head -40
  exit 1
}
echo "$out" | grep -E '^Benchmark'
echo "$out" | awk -v n="$n" '/^BenchmarkFindValues/ {
  for (i = 1; i < NF; i++) { v[$(i+1)] = $i }
  r = v["ratio"]
  printf "%d keys of 1 KiB: :find --values %s ms, etcdctl get --prefix | grep -c %s ms, ratio %.2f (target <= 1.0): %s\n",
    n, v["find-ms/op"], v["etcdctl-grep-ms/op"], r, (r <= 1.0 ? "ok" : "OVER")
  exit (r <= 1.0 ? 0 : 1)
}'
