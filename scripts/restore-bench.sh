#!/usr/bin/env bash
# Measures etcdeck's snapshot restore against etcdutl's on the same ≈540 MB snapshot: etcdutl's
# library in-process, the etcdutl binary (built from the etcd module etcdeck uses), etcdeck's
# restore in a child process, and opening the snapshot read-only to its first listing (`o`,
# issue 22: ≤ 1.5 × the etcdutl restore); then `R` (RestoreMember on a running member) against
# the etcdutl binary's restore followed by a member start on the restored dir (≤ 1.3 ×).
# The snapshot is written once (430,000 keys of 1 KiB) to ETCDECK_BENCH_SNAPSHOT
# (default /tmp/etcdeck-bench/restore-500mb.db) and reused.
#
# Usage: scripts/restore-bench.sh [RUNS] [o|R]   (default 3 runs, interleaved; o: only the restores
# and the opening, R: only RestoreMember; both when not given)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
case ${2:-} in
o) bench='^BenchmarkRestore500MB$' ;;
R) bench='^BenchmarkRestoreMember500MB$' ;;
'') bench='Restore(Member)?500MB' ;;
*) echo "usage: $0 [RUNS] [o|R]" >&2; exit 2 ;;
esac
bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
# Built in a scratch module (etcdeck's go.mod does not carry the CLI's dependencies), at the
# version etcdeck restores with.
(cd "$bin" && go mod init etcdutl-bench >/dev/null 2>&1 && go get go.etcd.io/etcd/etcdutl/v3@v3.7.3 >/dev/null 2>&1 &&
  go build -o "$bin/etcdutl" go.etcd.io/etcd/etcdutl/v3)
# Figures taken at a high load average are inflated, and the ratios drift toward the CPU ratio.
echo "before: $(uptime)"
ETCDUTL_BIN="$bin/etcdutl" go test ./embednode -run '^$' -bench "$bench" -benchtime "${runs}x" -timeout 30m -v
echo "after: $(uptime)"
