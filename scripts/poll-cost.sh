#!/bin/sh
# Measures what the Cluster view's polling costs etcdeck: five members (child processes) polled
# every second, /metrics scraped every 15 s, for ETCDECK_POLL_COST_SECONDS (default 60).
# Prints the CPU used by the polling process as a share of one core (target: at most 2%).
set -eu
cd "$(dirname "$0")/.."
ETCDECK_POLL_COST=1 go test ./cluster/monitor -run '^TestPollCost$' -count=1 -v -timeout 10m | grep -E 'poll cost|FAIL|ok|PASS'
