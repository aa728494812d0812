#!/usr/bin/env bash
# Measures the Keys view's listings against Debian's etcd 3.4 (no RangeStream: the windows
# strategy) on the Kubernetes-shaped keyspace of embednode/nodetest/k8s, and prints each
# directory's listing time as a ratio of one count-only request over it (issue 22's target: every
# directory within 2 × that count floor, or 100 ms), then each directory's first screen as the
# Keys view shows it (a page of 50 rows and the details of 40) against the same floor.
#
# Usage: scripts/etcd34-bench.sh [KEYS [RUNS]]     (defaults 1000000 keys — a quarter of them in
#        /registry/pods/big/ — and 3 runs per directory)
# The member's data lives in $ETCDECK_BENCH_DIR (default /tmp/etcdeck-bench)/etcd34-KEYS.etcd,
# loaded the first time (1 KiB values: ~2.5 GB of disk for a million keys, several minutes) and
# reused afterwards. Needs /usr/bin/etcd 3.4 (scripts/test.sh installs Debian's etcd-server).
set -euo pipefail
keys=${1:-1000000}
runs=${2:-3}
cd "$(dirname "$0")/.."
command -v etcd >/dev/null || { echo "etcd (3.4) is not installed: apt-get install etcd-server" >&2; exit 1; }
base=${ETCDECK_BENCH_DIR:-/tmp/etcdeck-bench}
data=$base/etcd34-$keys.etcd
mkdir -p "$base"
port=$((25000 + RANDOM % 500 * 2))
ep=127.0.0.1:$port
etcd --name bench34 --data-dir "$data" --listen-client-urls "http://$ep" --advertise-client-urls "http://$ep" \
  --listen-peer-urls "http://127.0.0.1:$((port + 1))" --initial-advertise-peer-urls "http://127.0.0.1:$((port + 1))" \
  --initial-cluster "bench34=http://127.0.0.1:$((port + 1))" --quota-backend-bytes $((8 << 30)) \
  --auto-compaction-mode revision --auto-compaction-retention 1000 >"$base/etcd34.log" 2>&1 &
member=$!
trap 'rc=$?; kill $member 2>/dev/null; wait $member 2>/dev/null || true; exit $rc' EXIT # the run's status, not the killed member's (143, under set -e)
for _ in $(seq 300); do etcdctl --endpoints "$ep" endpoint health >/dev/null 2>&1 && break; sleep 0.2; done
echo "etcd $(etcd --version | awk '/etcd Version/ {print $3}') on $ep, data $data; load average $(cut -d' ' -f1-3 /proc/loadavg)"
load=
if [ ! -e "$data.loaded" ]; then
  load=1
  echo "loading $keys keys (once)…"
fi
out=$(mktemp)
# env: a variable assignment that comes from an expansion is a command name to the shell.
env ETCDECK_BENCH_ENDPOINT="$ep" ETCDECK_BENCH_KEYS="$keys" ${load:+ETCDECK_BENCH_LOAD=1} \
  go test ./cluster -run XXX -bench 'Listing$|ListingFirstScreen|ListingHinted' -benchtime "${runs}x" -timeout 60m | tee "$out" | grep -v '^loaded'
[ -n "$load" ] && date -u >"$data.loaded"
# BenchmarkListing/dir=_registry_/windows-2   3   187000000 ns/op   … 46.0 count-ms …
echo
awk -v strategy=windows -f scripts/listing-report.awk "$out"
rm -f "$out"
