#!/usr/bin/env bash
# Checks that the console's resident memory does not grow under ordinary traffic (issue 22):
# etcdeck shows the Keys view on a directory of 1,000 keys that scripts/watchload overwrites
# RATE times a second (100-byte values) for MINUTES, and the console's VmRSS is sampled every
# minute. The first sample is taken after a minute of warm-up. Fails (exit 1) on a rising trend:
# the median of the last third of the samples more than 5% (and 2 MiB) above the first third's.
#
# Usage: scripts/rss-trend.sh [MINUTES [RATE]]     (defaults 60 and 100)
# The member listens on 127.0.0.1:24579 in a temporary data dir; etcdeck runs with its config,
# state and data under that dir, never yours.
set -euo pipefail
minutes=${1:-60}
rate=${2:-100}
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
go build -o "$tmp/etcdeck" .
go build -o "$tmp/watchload" ./scripts/watchload
ep=127.0.0.1:24579
"$tmp/etcdeck" member --data-dir "$tmp/data" --listen-client-urls "http://$ep" \
  --listen-peer-urls http://127.0.0.1:24580 >"$tmp/member.log" 2>&1 &
member=$!
sock="$tmp/tmux.sock"
t() { tmux -S "$sock" "$@"; }
load=
cleanup() {
  set +e # the run decided the exit status, not the cleanup
  [ -n "$load" ] && kill "$load" 2>/dev/null
  t kill-server 2>/dev/null || true; kill "$member" 2>/dev/null || true; wait "$member" 2>/dev/null || true; rm -rf "$tmp"
}
trap cleanup EXIT
screen() { t capture-pane -p -t trend; }
wait_for() { # text, timeout seconds
  local end=$((SECONDS + $2))
  while ((SECONDS < end)); do screen | grep -qF -- "$1" && return 0; sleep 0.05; done
  echo "timed out waiting for: $1" >&2; screen >&2; return 1
}
env=(HOME="$tmp" XDG_CONFIG_HOME="$tmp/config" XDG_STATE_HOME="$tmp/state" XDG_DATA_HOME="$tmp/data" ${GOMEMLIMIT:+GOMEMLIMIT=$GOMEMLIMIT})
# The directory's 1,000 keys exist before the console opens it.
for _ in $(seq 100); do "$tmp/watchload" -endpoints "$ep" -prefix /trend/ -rate 1000 -duration 1s -writers 1 -per-txn 10 -keys 1000 >/dev/null 2>&1 && break; sleep 0.2; done

t new-session -d -s trend -x 120 -y 40 "env ${env[*]} $tmp/etcdeck --endpoints $ep --prefix /trend/0/; sleep 600"
wait_for "leader" 30
wait_for "/trend/0/" 10
pid=$(pgrep -n -f "^$tmp/etcdeck --endpoints")
"$tmp/watchload" -endpoints "$ep" -prefix /trend/ -rate "$rate" -duration "$((minutes + 1))m" -writers 1 -per-txn 1 -keys 1000 >"$tmp/load.out" 2>&1 &
load=$!
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg); $rate writes/s on the open directory for $minutes min"
sleep 60
samples=()
for i in $(seq "$minutes"); do
  kib=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
  samples+=("$kib")
  echo "minute $i: VmRSS $((kib / 1024)) MiB (load $(cut -d' ' -f1 /proc/loadavg))"
  ((i < minutes)) && sleep 60
done
kill "$load" 2>/dev/null || true
grep VmHWM "/proc/$pid/status" | tr -s ' \t' ' ' | sed 's/^/etcdeck /'
rc=0
printf '%s\n' "${samples[@]}" | awk '
  { s[NR] = $1 }
  function median(from, to,   n, i, j, a, t) {
    n = 0; for (i = from; i <= to; i++) a[++n] = s[i]
    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
  }
  END {
    third = int(NR / 3); if (third < 1) third = 1
    first = median(1, third); last = median(NR - third + 1, NR)
    rising = last > first * 1.05 && last - first > 2048
    printf "RSS median %.1f MiB over the first third, %.1f MiB over the last: %s\n", first / 1024, last / 1024, rising ? "RISING" : "flat"
    exit rising
  }' || rc=1
exit "$rc"
