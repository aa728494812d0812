#!/usr/bin/env bash
# Measures a defragment of a large member: `etcdeck defrag` against `etcdctl defrag` (Debian's
# 3.4 client; the work is the server's either way) on the same member, in one run each. Before
# each, scripts/defragload overwrites every key and compacts, so the database holds as much
# free space as live data both times. Prints each tool's seconds, the sizes before → after and
# the ratio etcdeck/etcdctl.
#
# Usage: scripts/defrag-bench.sh [KEYS] [VALUE_SIZE]   (default 250000 keys of 1024 bytes:
#        a database of about 550 MB before each defragment, 280 MB after)
# The member's data lives in $ETCDECK_BENCH_DIR/defrag-<pid> (default /tmp/etcdeck-bench), removed at the end.
set -euo pipefail
keys=${1:-250000}
size=${2:-1024}
cd "$(dirname "$0")/.."
base=${ETCDECK_BENCH_DIR:-/tmp/etcdeck-bench}
data=$base/defrag-$$
mkdir -p "$base"
tmp=$(mktemp -d)
bin=$tmp/etcdeck
go build -o "$bin" .
go build -o "$tmp/defragload" ./scripts/defragload
port=$((26000 + RANDOM % 1000 * 2))
ep=127.0.0.1:$port
"$bin" member --name bench --data-dir "$data" --listen-client-urls "http://$ep" \
  --listen-peer-urls "http://127.0.0.1:$((port + 1))" --log-file "$base/defrag-member.log" >/dev/null &
member=$!
trap 'kill $member 2>/dev/null; wait $member 2>/dev/null; rm -rf "$tmp" "$data"' EXIT
for _ in $(seq 1 120); do
  ETCDCTL_API=3 etcdctl --endpoints "$ep" endpoint health >/dev/null 2>&1 && break
  sleep 1
done

# dbsize prints the member's database size in bytes.
dbsize() {
  ETCDCTL_API=3 etcdctl --endpoints "$ep" endpoint status -w json | sed -n 's/.*"dbSize":\([0-9]*\).*/\1/p'
}
mb() { echo "$(( $1 / 1000000 )) MB"; }

# The first load writes the keys; the overwrite before each defragment makes the free space.
"$tmp/defragload" -endpoints "$ep" -keys "$keys" -value-size "$size" >&2

# run NAME CMD...: overwrite and compact, then time CMD; prints "NAME seconds before → after".
run() {
  local name=$1
  shift
  "$tmp/defragload" -endpoints "$ep" -keys "$keys" -value-size "$size" >&2
  local before after t0 t1
  before=$(dbsize)
  t0=$(date +%s.%N)
  "$@" >&2
  t1=$(date +%s.%N)
  after=$(dbsize)
  local secs
  secs=$(echo "$t1 - $t0" | bc -l)
  printf '%-8s %6.2f s   %s → %s\n' "$name" "$secs" "$(mb "$before")" "$(mb "$after")"
  echo "$secs" >"$tmp/$name.secs"
}

run etcdeck "$bin" defrag --endpoints "$ep" --timeout 30m
run etcdctl env ETCDCTL_API=3 etcdctl --endpoints "$ep" --command-timeout 30m defrag
printf 'ratio etcdeck/etcdctl: %.2f\n' "$(echo "$(cat "$tmp/etcdeck.secs") / $(cat "$tmp/etcdctl.secs")" | bc -l)"
