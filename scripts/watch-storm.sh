#!/usr/bin/env bash
# Measures the Watch view under a storm, as a user would see it in a real terminal (tmux):
# scripts/watchload writes RATE events/s for SECS seconds from its own process while etcdeck
# watches the prefix; the script then checks that the view's total equals the number of
# writes, and reports the key-press latency during the storm (space pauses, space resumes,
# timed until the screen shows it), etcdeck's CPU (busiest second and average), its peak RSS
# against issue 22's bound (1.25 × the byte budget + 64 MiB), the events lost, and its CPU while
# idle afterwards. Exits 1 when the peak passes the bound or an event is lost.
# GOMEMLIMIT in the environment is passed on (it then replaces the limit etcdeck sets from the
# budgets). STARVE=P (a percentage, 1-99) lets etcdeck run only P% of the time while the writer
# writes (SIGSTOP and SIGCONT in 100 ms periods), as on a machine whose other processes take its
# core: the console then falls behind the writer, which is where its memory used to grow. It runs
# freely again once the writer is done, to catch up.
#
# Usage: scripts/watch-storm.sh [RATE [SECS [VALUE_SIZE [BUFFER_BYTES]]]]
#        (defaults 10000, 60, 100 and the default watch-buffer-bytes)
# Starts its own member (etcdeck member) on 127.0.0.1:24379 in a temporary data dir; etcdeck runs
# with its config, state and data under that dir, never yours.
set -euo pipefail
rate=${1:-10000}
secs=${2:-60}
vsize=${3:-100}
budget=${4:-}
# bytes parses the config's sizes (268435456, 64MiB, 1GiB, 512KiB).
bytes() { echo "$1" | awk '{ n = $0 + 0; if ($0 ~ /KiB$/) n *= 1024; if ($0 ~ /MiB$/) n *= 1048576; if ($0 ~ /GiB$/) n *= 1073741824; printf "%d", n }'; }
budget_bytes=$(bytes "${budget:-256MiB}")
bound=$((budget_bytes * 5 / 4 + 64 * 1048576))
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
go build -o "$tmp/etcdeck" .
go build -o "$tmp/watchload" ./scripts/watchload
ep=127.0.0.1:24379
# 8 GiB of quota: 5 minutes at 10,000 events/s of 1 KiB values is 3 GB of revisions, over
# etcd's 2 GiB default (nothing is compacted: the console must see every revision).
"$tmp/etcdeck" member --data-dir "$tmp/data" --listen-client-urls "http://$ep" \
  --listen-peer-urls http://127.0.0.1:24380 --quota-backend-bytes $((8 << 30)) >"$tmp/member.log" 2>&1 &
member=$!
mkdir -p "$tmp/config/etcdeck"
[ -n "$budget" ] && echo "watch-buffer-bytes: $budget" >"$tmp/config/etcdeck/config.yaml"
env=(HOME="$tmp" XDG_CONFIG_HOME="$tmp/config" XDG_STATE_HOME="$tmp/state" XDG_DATA_HOME="$tmp/data" ${GOMEMLIMIT:+GOMEMLIMIT=$GOMEMLIMIT})
sock="$tmp/tmux.sock"
t() { tmux -S "$sock" "$@"; }
load=
throttle=
pid=
starve=${STARVE:-}
if [ -n "$starve" ] && ! [[ "$starve" =~ ^[0-9]+$ && "$starve" -ge 1 && "$starve" -le 99 ]]; then
  echo "STARVE must be a percentage from 1 to 99, not $starve" >&2
  exit 2
fi
# unstarve ends the throttle and lets etcdeck run (it must never be left stopped).
unstarve() {
  if [ -n "$throttle" ]; then
    kill "$throttle" 2>/dev/null || true
    wait "$throttle" 2>/dev/null || true
  fi
  throttle=
  if [ -n "$pid" ]; then kill -CONT "$pid" 2>/dev/null || true; fi
}
# The writer goes too: one left behind by a failed run would write into the next run's member.
cleanup() { set +e; unstarve; [ -n "$load" ] && kill "$load" 2>/dev/null; t kill-server 2>/dev/null || true; kill "$member" 2>/dev/null || true; wait "$member" 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT
screen() { t capture-pane -p -t storm; }
wait_for() { # text, timeout seconds
  local end=$((SECONDS + $2))
  while ((SECONDS < end)); do screen | grep -qF -- "$1" && return 0; sleep 0.005; done
  echo "timed out waiting for: $1" >&2; screen >&2; return 1
}
# wait_title polls only the view's title line (the third), as fast as tmux answers: the
# latency figures then carry as little of the polling's own cost as this method allows.
wait_title() {
  local end=$((SECONDS + $2))
  while ((SECONDS < end)); do t capture-pane -p -t storm -S 2 -E 2 | grep -qF -- "$1" && return 0; done
  echo "timed out waiting for: $1" >&2; screen >&2; return 1
}
ms() { date +%s%N | cut -c1-13; }
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; } # utime + stime, in clock ticks
hz=$(getconf CLK_TCK)
thousands() { echo "$1" | sed ':a;s/\B[0-9]\{3\}\>/,&/;ta'; }

t new-session -d -s storm -x 120 -y 40 "env ${env[*]} $tmp/etcdeck --endpoints $ep; sleep 600"
wait_for "leader" 30
pid=$(pgrep -n -f "^$tmp/etcdeck --endpoints")
t send-keys -t storm ":"; t send-keys -t storm -l "watch /storm/"; t send-keys -t storm Enter
wait_for "live at rev" 10

"$tmp/watchload" -endpoints "$ep" -prefix /storm/ -rate "$rate" -duration "${secs}s" -value-size "$vsize" >"$tmp/load.out" &
load=$!
start=$(ms)
if [ -n "$starve" ]; then
  on=$(awk -v p="$starve" 'BEGIN { printf "%.3f", p / 1000 }')
  off=$(awk -v p="$starve" 'BEGIN { printf "%.3f", (100 - p) / 1000 }')
  (while kill -STOP "$pid" 2>/dev/null; do sleep "$off"; kill -CONT "$pid"; sleep "$on"; done) &
  throttle=$!
  echo "etcdeck runs $starve% of the time while the writer writes (STARVE=$starve)"
fi
c0=$(ticks "$pid")
prev=$c0
busiest=0
lat=()
slow=0
while kill -0 "$load" 2>/dev/null; do
  sleep 1
  now=$(ticks "$pid")
  ((now - prev > busiest)) && busiest=$((now - prev))
  prev=$now
  if (( ($(ms) - start) / 1000 % 5 == 2 )) && kill -0 "$load" 2>/dev/null; then
    # A press not answered within 5 s counts as 5000 ms (and is said) rather than ending the run:
    # on a starved machine the watch may be reconnecting, and the totals still matter.
    k=$(ms); t send-keys -t storm Space; wait_title "paused with" 5 2>/dev/null || slow=$((slow + 1)); lat+=($(( $(ms) - k )))
    k=$(ms); t send-keys -t storm Space; wait_title "live at rev" 5 2>/dev/null || slow=$((slow + 1)); lat+=($(( $(ms) - k )))
  fi
done
# Puts that timed out on a starved machine are reported, and the run goes on: the memory
# figures still hold, and events are counted against the puts that succeeded.
wait "$load" || echo "watchload: some puts failed (counted as not written)" >&2
unstarve
stormed=$(( $(ms) - start ))
c1=$(ticks "$pid")
cat "$tmp/load.out"
written=$(awk '/^wrote/ {print $2}' "$tmp/load.out")
want="$(thousands "$written") events"
caught=$(ms)
lost=0
if wait_for "$want ·" 60; then
  echo "view total: $want ($(( $(ms) - caught )) ms after the writer finished)"
else
  shown=$(t capture-pane -p -t storm -S 2 -E 2 | grep -oE '[0-9,]+ events' | head -1 | tr -d ,)
  lost=$((written - ${shown%% *}))
  ((lost < 0)) && lost=0 # a put that timed out may still have been applied: the view saw more
fi
echo "events not shown 60 s after the writer finished (lost, or the console still behind): $lost (written $written)"
sorted=$(printf '%s\n' "${lat[@]}" | sort -n)
echo "key presses answered during the storm (ms, ${#lat[@]} presses, includes tmux polling: ${lat[*]}): median $(echo "$sorted" | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'), max $(echo "$sorted" | tail -1), $slow not answered within 5 s"
awk -v c="$((c1 - c0))" -v hz="$hz" -v ms="$stormed" -v b="$busiest" \
  'BEGIN { printf "etcdeck CPU during the storm: %.0f%% of one core on average, %.0f%% in its busiest second\n", 100*c/hz/(ms/1000), 100*b/hz }'
grep -E 'VmHWM|VmRSS' "/proc/$pid/status" | tr -s ' \t' ' ' | sed 's/^/etcdeck /'
peak=$(awk '/VmHWM/ {print $2 * 1024}' "/proc/$pid/status")
verdict=within; ((peak > bound)) && verdict=OVER
awk -v p="$peak" -v b="$bound" -v bb="$budget_bytes" -v v="$verdict" -v lim="${GOMEMLIMIT:-from the budgets}" \
  'BEGIN { printf "peak RSS %.0f MiB vs bound %.0f MiB (1.25 x %.0f MiB budget + 64 MiB): %s; memory limit %s\n", p/1048576, b/1048576, bb/1048576, v, lim }'
# Idle: once the runtime has settled (it returns the storm's memory to the system for a while),
# over 30 s with the watch open and its buffer full.
sleep 10
i0=$(ticks "$pid"); sleep 30; i1=$(ticks "$pid")
awk -v c="$((i1 - i0))" -v hz="$hz" 'BEGIN { printf "etcdeck CPU idle (30 s, watch open, 10 s after the storm): %.2f%% of one core\n", 100*c/hz/30 }'
t send-keys -t storm q
rc=0
[ "$verdict" = within ] && [ "$lost" -eq 0 ] || rc=1
exit "$rc"
