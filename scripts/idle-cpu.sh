#!/usr/bin/env bash
# Measures the console's CPU while idle on each view (issue 22: ≤ 1% of one core), in a real
# terminal (tmux, 120x40) with a member in its own process: for each view, its number key, 10 s
# to settle, then the console's utime+stime over SECS seconds from /proc. Only etcdeck's own
# process is counted (the member is not its child here). Exits 1 when a view is over 1%.
#
# Usage: scripts/idle-cpu.sh [SECS [VIEWS]]     (defaults 60 and "1 2 3 4 5 6")
# The member listens on 127.0.0.1:24479 in a temporary data dir, holding 200 keys under /idle/
# and one lease; etcdeck runs with its config, state and data under that dir, never yours.
set -euo pipefail
secs=${1:-60}
views=${2:-1 2 3 4 5 6}
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
go build -o "$tmp/etcdeck" .
go build -o "$tmp/watchload" ./scripts/watchload
ep=127.0.0.1:24479
"$tmp/etcdeck" member --data-dir "$tmp/data" --listen-client-urls "http://$ep" \
  --listen-peer-urls http://127.0.0.1:24480 >"$tmp/member.log" 2>&1 &
member=$!
sock="$tmp/tmux.sock"
t() { tmux -S "$sock" "$@"; }
cleanup() { set +e; t kill-server 2>/dev/null || true; kill "$member" 2>/dev/null || true; wait "$member" 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT
screen() { t capture-pane -p -t idle; }
wait_for() { # text, timeout seconds
  local end=$((SECONDS + $2))
  while ((SECONDS < end)); do screen | grep -qF -- "$1" && return 0; sleep 0.05; done
  echo "timed out waiting for: $1" >&2; screen >&2; return 1
}
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)
env=(HOME="$tmp" XDG_CONFIG_HOME="$tmp/config" XDG_STATE_HOME="$tmp/state" XDG_DATA_HOME="$tmp/data" ${GOMEMLIMIT:+GOMEMLIMIT=$GOMEMLIMIT})
for _ in $(seq 100); do "$tmp/watchload" -endpoints "$ep" -prefix /idle/ -rate 100 -duration 2s -writers 1 >/dev/null 2>&1 && break; sleep 0.2; done

t new-session -d -s idle -x 120 -y 40 "env ${env[*]} $tmp/etcdeck --endpoints $ep; sleep 600"
wait_for "leader" 30
pid=$(pgrep -n -f "^$tmp/etcdeck --endpoints")
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg); etcdeck pid $pid, ${secs}s per view"
over=0
for v in $views; do
  t send-keys -t idle "$v"
  sleep 10
  title=$(screen | sed -n 3p | sed 's/^ *//; s/  .*//')
  c0=$(ticks "$pid"); sleep "$secs"; c1=$(ticks "$pid")
  pct=$(awk -v c="$((c1 - c0))" -v hz="$hz" -v s="$secs" 'BEGIN { printf "%.2f", 100*c/hz/s }')
  awk -v p="$pct" 'BEGIN { exit !(p > 1) }' && over=1
  echo "view $v ($title): $pct% of one core over ${secs}s (load $(cut -d' ' -f1 /proc/loadavg))"
done
grep -E 'VmHWM|VmRSS' "/proc/$pid/status" | tr -s ' \t' ' ' | sed 's/^/etcdeck /'
t send-keys -t idle q
exit "$over"
