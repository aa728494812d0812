#!/usr/bin/env bash
# Measures snapshot save: `etcdeck snapshot save` against Debian's `etcdctl snapshot save` (3.4)
# on the same member holding cluster.DefaultK8sShape's keyspace (a 551 MB database), run
# alternately so both see the same load; then the Go benchmark against the client library's
# SaveWithVersion (what etcdctl 3.5+ runs). Prints seconds, MB/s and peak RSS of each run.
#
# Usage: scripts/snapshot-bench.sh [RUNS]          (default 3)
# The member's data lives in $ETCDECK_BENCH_DIR (default /tmp/etcdeck-bench), loaded the first
# time (~1-3 minutes) and reused afterwards; the listing benchmarks share it.
set -euo pipefail
runs=${1:-3}
cd "$(dirname "$0")/.."
base=${ETCDECK_BENCH_DIR:-/tmp/etcdeck-bench}
data=$base/k8s-400000-1024-100000-200.etcd
out=$base/snapshots
mkdir -p "$out"
tmp=$(mktemp -d)
bin=$tmp/etcdeck
go build -o "$bin" .
port=$((24000 + RANDOM % 1000 * 2))
ep=127.0.0.1:$port
"$bin" member --name bench --data-dir "$data" --listen-client-urls "http://$ep" \
  --listen-peer-urls "http://127.0.0.1:$((port + 1))" --log-file "$base/member.log" >/dev/null &
member=$!
trap 'kill $member 2>/dev/null; wait $member 2>/dev/null; rm -rf "$tmp"' EXIT
for _ in $(seq 1 120); do
  ETCDCTL_API=3 etcdctl --endpoints "$ep" endpoint health >/dev/null 2>&1 && break
  sleep 1
done
if [ ! -e "$base/k8s-400000-1024-100000-200.loaded" ]; then
  echo "loading the keyspace into $data" >&2
  ETCDECK_BENCH_ENDPOINT=$ep ETCDECK_BENCH_LOAD=1 go test ./cluster -run XXX -bench SnapshotSave -benchtime 1x >/dev/null
  date >"$base/k8s-400000-1024-100000-200.loaded"
fi

# run NAME CMD...: times one save into $out/NAME.db and prints "NAME seconds MB/s peak-RSS".
run() {
  local name=$1 file=$out/$1.db
  shift
  rm -f "$file"
  /usr/bin/time -f "%e %M" -o "$tmp/time" "$@" "$file" >/dev/null 2>"$tmp/err" || { cat "$tmp/err" >&2; return 1; }
  read -r secs rss <"$tmp/time"
  size=$(stat -c %s "$file")
  awk -v n="$name" -v s="$secs" -v b="$size" -v r="$rss" 'BEGIN { printf "%-8s %6.2f s  %6.1f MB/s  %4d MB RSS  (%d bytes)\n", n, s, b/s/1e6, r/1024, b }'
  echo "$name $secs $size" >>"$tmp/all"
  rm -f "$file"
}
for i in $(seq 1 "$runs"); do
  if [ $((i % 2)) = 1 ]; then order="etcdctl etcdeck"; else order="etcdeck etcdctl"; fi
  for who in $order; do
    case $who in
    etcdctl) run etcdctl env ETCDCTL_API=3 etcdctl --endpoints "$ep" snapshot save ;;
    etcdeck) run etcdeck "$bin" snapshot save --endpoints "$ep" --output ;;
    esac
  done
done
awk '{ t[$1] += $2; b[$1] += $3 } END {
  printf "total: etcdctl %.1f MB/s, etcdeck %.1f MB/s: etcdeck at %.0f%% of etcdctl\n",
    b["etcdctl"]/t["etcdctl"]/1e6, b["etcdeck"]/t["etcdeck"]/1e6, 100*t["etcdctl"]/t["etcdeck"] }' "$tmp/all"
echo "client library (interleaved, in one process):"
ETCDECK_BENCH_ENDPOINT=$ep go test ./cluster -run XXX -bench SnapshotSave -benchtime "${runs}x" | grep Benchmark
