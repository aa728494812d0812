#!/usr/bin/env bash
# Measures what issue 21 asks of :find besides its speed (scripts/find-bench.sh times that): a key
# press answered within 100 ms while `:find TEXT --values` scans /registry/, and the console's
# memory on that subtree against the match cap. BenchmarkFindKeyPress (tui/) runs the whole
# console in a Bubble Tea program (its memory limit from the budgets) against an `etcdeck member`
# child holding N Kubernetes-shaped keys of 1 KiB (default 400,000; loaded once, kept under
# $ETCDECK_BENCH_DIR, default /tmp/etcdeck-findkeys-bench: about 1 GB at 400,000), sends j/k every
# 20 ms during the scan and times each from the send to the end of the View that drew it. Two
# searches: a text every value holds (the 10,000-match cap is reached, the rest only counted) and
# one none holds. The machine's load average is printed: on a busy machine the response is mostly
# waiting for a CPU ("console work" is the console's own Update and View).
#
# Usage: scripts/find-keypress.sh [N]
set -euo pipefail
n=${1:-400000}
cd "$(dirname "$0")/.."
out=$(ETCDECK_BENCH_FIND_KEYS=$n go test -count=1 -run '^$' -bench 'BenchmarkFindKeyPress' -benchtime 1x -timeout 60m ./tui/ 2>&1) || {
  echo "$out" | grep -v '^loaded' | tail -40
  exit 1
}
echo "$out" | grep -E '^Benchmark'
echo "$out" | awk '/^BenchmarkFindKeyPress/ {
  name = $1; sub(/-[0-9]+$/, "", name); sub(/.*\//, "", name)
  delete v
  for (i = 3; i < NF; i += 2) { v[$(i+1)] = $i }
  ok = (v["key-p95-ms"] <= 100)
  bad += !ok
  printf "%s: %d keys in %.1f s, %d presses: response p50 %.1f ms, p95 %.1f ms, max %.1f ms (target 100 ms at p95: %s); console work p95 %.1f ms, a frame drawn p95 %.1f ms; heap %.1f MiB before, peak %.1f MiB, peak RSS %.1f MiB, %d matches kept (cap %d); %d GCs, %.1f s of GC CPU; load average %.1f\n",
    name, v["keys"], v["scan-s"], v["presses"], v["key-p50-ms"], v["key-p95-ms"], v["key-max-ms"], (ok ? "ok" : "OVER"),
    v["work-p95-ms"], v["view-p95-ms"], v["heap-before-MiB"], v["peak-heap-MiB"], v["peak-rss-MiB"], v["matches-kept"], v["match-cap"],
    v["gc-cycles"], v["gc-cpu-s"], v["loadavg"]
}
END { exit (bad > 0 ? 1 : 0) }'
