#!/usr/bin/env bash
# Times `etcdeck usage FILE` (the key bucket read in a child process, grouped by prefix) against
# `etcdutl snapshot status FILE` on the same snapshot, run alternately so both see the same page
# cache; prints seconds and peak RSS of each run and the ratio (issue 21's target: at most 2x).
# Debian ships no etcdutl: without it the reference is Debian's `etcdctl snapshot status` (3.4),
# the same offline read etcdutl took over (the hash of every bucket), and the script says so.
#
# Usage: scripts/usage-bench.sh [SECONDS] [RUNS]   (defaults 30 and 3)
# SECONDS is how long scripts/watchload fills a fresh member with 1 KiB values under
# /registry/<kind>/ (the size reached is printed); a file named in $ETCDECK_USAGE_FILE is used
# instead (e.g. the 551 MB snapshot scripts/snapshot-bench.sh saves).
set -euo pipefail
secs=${1:-30}
runs=${2:-3}
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
bin=$tmp/etcdeck
go build -o "$bin" .
member=
trap '[ -n "$member" ] && kill $member 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"' EXIT

file=${ETCDECK_USAGE_FILE:-}
if [ -z "$file" ]; then
  go build -o "$tmp/watchload" ./scripts/watchload
  port=$((26000 + RANDOM % 1000 * 2))
  ep=127.0.0.1:$port
  "$bin" member --name bench --data-dir "$tmp/data" --listen-client-urls "http://$ep" \
    --listen-peer-urls "http://127.0.0.1:$((port + 1))" --log-file "$tmp/member.log" >/dev/null &
  member=$!
  for _ in $(seq 1 60); do
    ETCDCTL_API=3 etcdctl --endpoints "$ep" endpoint health >/dev/null 2>&1 && break
    sleep 1
  done
  # Two kinds at once, events twice as fast as pods (Kubernetes' usual shape).
  "$tmp/watchload" -endpoints "$ep" -prefix /registry/events/ -rate 6000 -value-size 1024 -duration "${secs}s" >&2 &
  "$tmp/watchload" -endpoints "$ep" -prefix /registry/pods/ -rate 3000 -value-size 1024 -duration "${secs}s" >&2
  wait %2 2>/dev/null || true
  file=$tmp/bench.db
  "$bin" snapshot save --endpoints "$ep" --output "$file" >/dev/null
  kill $member
  wait $member 2>/dev/null || true
  member=
fi
size=$(stat -c %s "$file")
echo "snapshot: $file, $((size / 1000000)) MB"

if command -v etcdutl >/dev/null; then
  ref=(etcdutl snapshot status)
  refname=etcdutl
else
  echo "etcdutl is not installed: the reference is $(etcdctl version | head -1) snapshot status" >&2
  ref=(env ETCDCTL_API=3 etcdctl snapshot status)
  refname=etcdctl
fi

# run NAME CMD...: times one run and prints "NAME seconds peak-RSS".
run() {
  local name=$1
  shift
  /usr/bin/time -f "%e %M" -o "$tmp/time" "$@" >/dev/null 2>"$tmp/err" || { cat "$tmp/err" >&2; return 1; }
  read -r s rss <"$tmp/time"
  printf "%-8s %6.2f s  %5d MB RSS\n" "$name" "$s" $((rss / 1024))
  echo "$name $s" >>"$tmp/all"
}
cat "$file" >/dev/null # both start from the page cache
for i in $(seq 1 "$runs"); do
  if [ $((i % 2)) = 1 ]; then order="ref etcdeck"; else order="etcdeck ref"; fi
  for who in $order; do
    case $who in
    ref) run "$refname" "${ref[@]}" "$file" ;;
    etcdeck) run etcdeck "$bin" usage "$file" --depth 2 ;;
    esac
  done
done
awk -v r="$refname" '{ t[$1] += $2 } END {
  printf "total: %s %.2f s, etcdeck usage %.2f s: ratio %.2f (target <= 2)\n", r, t[r], t["etcdeck"], t["etcdeck"]/t[r] }' "$tmp/all"
echo "peak RSS above is the parent's; the child reading the file:"
/usr/bin/time -f "child %e s %M KB RSS" "$bin" usage --in-process --prefix-hex "" --depth 2 --sep-byte 47 -- "$file" >/dev/null
